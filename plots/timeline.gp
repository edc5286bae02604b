# timeline.gp — starvation timeline: acquisitions of each thread in each time
# slice of the measured window, one heat-map panel per lock, at one thread
# count: who starved, and when.
#
# Reads datadir/timeline.dat and datadir/meta.gp, both written by
# `lockbench plot` (README.md, "Charts", documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/timeline.gp
#
# A white cell is a slice in which that thread acquired nothing. The colour
# scale is logarithmic and each panel has its own: locks differ by orders of
# magnitude, and what matters here is how evenly a lock spreads its
# acquisitions over threads and time, not how many there are (that is the
# throughput chart). Each panel is one real repetition: the one with the
# median throughput.

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
load datadir.'/meta.gp'
data = datadir.'/timeline.dat'

# One panel per lock; a thread row is 16 px (at least 5 rows' worth, so the colour box is
# readable) up to 16 threads, then the panel stops growing.
panel = 70 + (threads <= 5 ? 80 : threads <= 16 ? threads * 16 : 256)
top = 80
bottom = 90
height = top + timeline_blocks * panel + bottom
if (fmt eq 'svg') {
	set terminal svg size 1000,height noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size 1000,height noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set output outdir.'/timeline.'.fmt

# The time axis all panels share, and each panel's largest count, before any range is set
# (stats honours ranges).
stats data using 2 nooutput
tmax = STATS_max
array cmax[timeline_blocks]
array wend[timeline_blocks]
do for [b = 1:timeline_blocks] {
	stats data index (b - 1) using 4 nooutput
	cmax[b] = STATS_max > 10 ? STATS_max : 10
	stats data index (b - 1) using 2 nooutput
	wend[b] = STATS_max
}

# viridis: dark for few acquisitions, yellow for many; no acquisition stays white.
set palette defined (0 '#440154', 0.25 '#3b528b', 0.5 '#21918c', 0.75 '#5ec962', 1 '#fde725')
set logscale cb 10
set format cb '%.0s%c'
set colorbox vertical user origin screen 0.9, 0 size screen 0.015, 0
set style fill solid 1.0 noborder
set border 3
set tics nomirror out
set ylabel 'thread'
ystep = threads <= 16 ? 1 : ceil(threads / 8.0)
set ytics 0, ystep
set yrange [-0.5 : threads - 0.5]
set mxtics 2
set xrange [0 : tmax]

set label 2 'White: the thread acquired nothing in that slice; grey: after the end of that measured window. Colour: acquisitions in the slice, log scale, one scale per panel.' \
	at screen 0.01, screen 0.045 left font ',9' textcolor rgb '#444444'
set label 3 footer at screen 0.01, screen 0.015 left font ',8' textcolor rgb '#888888'

set multiplot title sprintf("Acquisitions per thread per %g ms slice at %d threads — workload %s\n%s — %s", \
	timeline_slice_ns[1] / 1e6, threads, workload, machine, run) font ',12'
do for [b = 1:timeline_blocks] {
	# Panel b, from the top; the colour box sits beside its own panel.
	y1 = 1.0 - (top + b * panel) / (1.0 * height)
	y2 = 1.0 - (top + (b - 1) * panel + 30) / (1.0 * height)
	set lmargin at screen 0.08
	set rmargin at screen 0.88
	set bmargin at screen y1 + 30.0 / height
	set tmargin at screen y2
	set colorbox user origin screen 0.9, screen y1 + 30.0 / height size screen 0.015, screen y2 - y1 - 30.0 / height
	set cbrange [1 : cmax[b]]
	# A shorter window than another panel's: grey after its end, which is not starvation.
	unset object 1
	if (wend[b] < tmax) {
		set object 1 rectangle from first wend[b], graph 0 to graph 1, graph 1 behind \
			fillcolor rgb '#d9d9d9' fillstyle solid noborder
	}
	set title sprintf('%s (repetition %d)', timeline_key[b], timeline_repetition[b] + 1) offset 0,-0.6
	if (b == timeline_blocks) {
		set xlabel 'time since the start of the measured window (ms)'
	} else {
		unset xlabel
	}
	plot data index (b - 1) using (($1 + $2) / 2):3:(($2 - $1) / 2):(0.5):($4 > 0 ? $4 : NaN) \
		with boxxyerror fillcolor palette notitle
}
unset multiplot
