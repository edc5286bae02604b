# timeline.gp — starvation timeline: acquisitions of each thread in each time
# slice of the measured window, one heat-map panel per lock, at one thread
# count: who starved, and when.
#
# Reads datadir/timeline.dat and datadir/meta.gp, both written by
# `lockbench plot` (docs/charts.md documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/timeline.gp
#
# A white cell is a slice in which that thread acquired nothing. Up to 64
# threads a row is a thread; beyond, threads are sorted by their
# acquisitions over the window and a row is one of 64 equal groups (the
# fewest at the bottom), coloured by its mean per thread. One logarithmic
# colour scale serves every panel, so a lock that acquires a hundred times
# less than another looks darker, as it should. Panels sit in a grid (1, 2 or
# 3 columns), so the chart stays a readable size for any number of locks.
# Each panel is one real repetition: the one with the median throughput.

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
# The directory of this script, for common.gp and legend.gp beside it (ARG0: this file's path).
if (!exists("plotsdir")) {
	plotsdir = ARG0
	while (strlen(plotsdir) > 0 && plotsdir[strlen(plotsdir):strlen(plotsdir)] ne '/') {
		plotsdir = plotsdir[1:strlen(plotsdir) - 1]
	}
	plotsdir = plotsdir eq '' ? '.' : plotsdir
}
load datadir.'/meta.gp'
load plotsdir.'/common.gp'
chart = 'timeline'
data = datadir.'/timeline.dat'
n = timeline_blocks

# The time axis all panels share, and where each panel's window ends, before any range is set
# (stats honours ranges).
stats data using 2 nooutput
tmax = STATS_max
array wend[n]
do for [b = 1:n] {
	stats data index (b - 1) using 2 nooutput
	wend[b] = STATS_max
}

cols = n <= 3 ? 1 : n <= 8 ? 2 : 3
prows = (n + cols - 1) / cols
# A panel's heat map: 12 px a row up to 16 rows, then it stops growing (smaller with 3 columns).
map_h = timeline_rows <= 5 ? 60 : timeline_rows <= 16 ? timeline_rows * 12 : (cols == 3 ? 140 : 200)
panel_h = map_h + 56
left_x0 = 16
left_x1 = 880
pw = (left_x1 - left_x0) / (1.0 * cols)
note_lines = 2
array note[note_lines]
note[1] = 'White: the thread acquired nothing in that slice; grey: after the end of that measured window. Colour: acquisitions in the slice, log scale,'
note[2] = timeline_grouped ? sprintf('one scale for every panel. A row: one of %d groups of threads sorted by acquisitions (fewest at the bottom), its mean per thread.', timeline_rows) \
	: 'one scale for every panel. A row: one thread, by its id.'
top = title_h + 14
H = top + prows * panel_h + 10 + foot_h(note_lines)
eval set_terminal
head = sprintf('Acquisitions per thread per %g ms slice at %d threads', timeline_slice_ns[1] / 1e6, threads)
eval draw_title
eval draw_foot

# viridis: dark for few acquisitions, yellow for many; no acquisition stays white.
set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
set logscale cb 10
set cbrange [timeline_cmin : timeline_cmax]
set format cb '%g'
set cbtics font ',9'
set style fill solid 1.0 noborder
set tics out
set xrange [0 : tmax]
set yrange [-0.5 : timeline_rows - 0.5]
set mxtics 2
if (timeline_grouped) {
	set ytics ('fewest' 0, 'most' timeline_rows - 1) font ',8'
} else {
	set ytics 0, (timeline_rows <= 16 ? 1 : ceil(timeline_rows / 8.0)) font ',8'
}
set xtics font ',8'

set multiplot
do for [b = 1:n] {
	x0 = left_x0 + ((b - 1) % cols) * pw
	y0 = top + ((b - 1) / cols) * panel_h
	set lmargin at screen sx(x0 + 50)
	set rmargin at screen sx(x0 + pw - 12)
	set tmargin at screen sy(y0 + 22)
	set bmargin at screen sy(y0 + 22 + map_h)
	# One colour box, beside the whole grid, drawn with the first panel.
	if (b == 1) {
		set colorbox user origin screen sx(left_x1 + 30), screen sy(top + prows * panel_h - 34) \
			size screen 14.0 / W, screen (prows * panel_h - 56) / (1.0 * H)
	} else {
		unset colorbox
	}
	# A shorter window than another panel's: grey after its end, which is not starvation.
	unset object 1
	if (wend[b] < tmax) {
		set object 1 rectangle from first wend[b], graph 0 to graph 1, graph 1 behind \
			fillcolor rgb '#d9d9d9' fillstyle solid noborder
	}
	name = timeline_key[b]
	chars = int((pw - 60) / 5.6)
	len = strlen(name)
	name = len > chars ? name[1:chars / 2 - 1] . '~' . name[len - (chars - chars / 2) + 1:len] : name
	set label 10 name at screen sx(x0 + 50), screen sy(y0 + 12) left font ',9'
	if ((b - 1) / cols == prows - 1 || b + cols > n) {
		set xlabel 'ms since the window began' font ',9' offset 0,0.5
	} else {
		unset xlabel
	}
	plot data index (b - 1) using (($1 + $2) / 2):3:(($2 - $1) / 2):(0.5):($4 > 0 ? $4 : NaN) \
		with boxxyerror fillcolor palette notitle
	unset label
}
unset multiplot
