# rw.gp — reader-writer locks: read and write acquisitions per second against
# thread count, one line per lock, side by side, with the roles that starved.
#
# Reads datadir/rw.dat and datadir/meta.gp, both written by `lockbench plot`
# for a result of a reader-writer workload (docs/charts.md documents every
# column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/rw.gp
#
# Left: reads, right: writes, on the same logarithmic axes (the layout, title,
# legend below and foot of plots/common.gp and plots/legend.gp), so a lock that
# scales its readers and a lock that keeps its writers going can be told
# apart at a glance. Points are medians over the repetitions, error bars
# their 95% CI (min to max below 6 repetitions). A role that got nothing is
# drawn on the dotted line marked 0 (a log axis has no 0). A red ring marks a
# point where a thread of that role starved in some repetition: a
# reader-preference lock's writers, a writer-preference lock's readers.

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
chart = 'rw'
data = datadir.'/rw.dat'

stats data using 1 nooutput
tmin = STATS_min
tmax = STATS_max

# A rate as drawn: NaN (no thread had the role) stays undefined, 0 sits on the zero line.
z(x) = x != x ? NaN : (x > 0 ? x : rw_zero)
starved_rgb = '#d00000'

array note[2]
note[1] = 'Points: median over the repetitions; error bars: 95% CI of the median (min to max with fewer than 6). Shaded: more threads than PUs.'
note[2] = 'Red ring: a thread of that role starved in some repetition (under 10% of its role''s fair share, or half the window without one).'
note_lines = 2
top = title_h + 30
plot_h = 380
legend_top = top + plot_h + 50
H = legend_top + legend_h(rw_key_rows) + foot_h(note_lines)
eval set_terminal
head = 'Reader-writer locks: reads and writes against threads'
eval draw_title
eval draw_foot
lg = 'rw'
lg_top = legend_top
load plotsdir.'/legend.gp'

set logscale x 2
set logscale y 10
set xrange [tmin / 1.4142 : tmax * 1.4142]
set yrange [rw_zero / 2 : rw_max * 2]
set xtics 2
set format y '%.0s%c'
set mytics 10
set grid xtics ytics mytics lc rgb '#dddddd' lw 1, lc rgb '#f0f0f0' lw 1
set xlabel 'threads (log2 scale)'
set tmargin at screen sy(top)
set bmargin at screen sy(top + plot_h)

# More threads than PUs: shade it, as throughput.gp does.
if (pus > 0 && pus < tmax * 1.4142) {
	set object 1 rectangle from first pus, graph 0 to graph 1, graph 1 behind fillcolor rgb '#f2f2f2' fillstyle solid noborder
	set arrow 1 from first pus, graph 0 to first pus, graph 1 nohead dashtype 2 lc rgb '#666666'
}
# The line where a role that got nothing is drawn.
set arrow 2 from graph 0, first rw_zero to graph 1, first rw_zero nohead dashtype 3 lc rgb '#999999'
set label 1 '0' at graph 0, first rw_zero right offset -0.6,0 textcolor rgb '#666666'

set multiplot

# One panel: rates in columns c (median), c+1, c+2 (CI), starvation flag in column s.
set lmargin at screen sx(92)
set rmargin at screen sx(W / 2 - 20)
set title 'reads' offset 0,-0.5
set ylabel 'acquisitions per second (log scale)'
if (rw_reads > 0) {
	plot for [b=1:rw_blocks] data index (b-1) using 1:(z($2)):(z($3)):(z($4)) \
		with yerrorlines lw 1.5 lc rgb rgb(rw_rgb[b]) dt rw_dt[b] pt rw_pt[b] ps 0.9 notitle, \
	     for [b=1:rw_blocks] data index (b-1) using 1:($9 > 0 ? z($2) : NaN) \
		with points pointtype 6 pointsize 2.6 lw 2 lc rgb starved_rgb notitle
} else {
	set label 10 'no thread read' at graph 0.5, graph 0.5 center textcolor rgb '#666666'
	plot 1e300 notitle
	unset label 10
}
# The title, foot and legend were drawn with the first panel; the zero line's label stays.
unset label
do for [b = 1:rw_blocks] {
	unset arrow (3000 + b)
}
set label 1 '0' at graph 0, first rw_zero right offset -0.6,0 textcolor rgb '#666666'

set lmargin at screen sx(W / 2 + 50)
set rmargin at screen sx(W - 30)
set title 'writes' offset 0,-0.5
unset ylabel
if (rw_writes > 0) {
	plot for [b=1:rw_blocks] data index (b-1) using 1:(z($5)):(z($6)):(z($7)) \
		with yerrorlines lw 1.5 lc rgb rgb(rw_rgb[b]) dt rw_dt[b] pt rw_pt[b] ps 0.9 notitle, \
	     for [b=1:rw_blocks] data index (b-1) using 1:($10 > 0 ? z($5) : NaN) \
		with points pointtype 6 pointsize 2.6 lw 2 lc rgb starved_rgb notitle
} else {
	set label 10 'no thread wrote' at graph 0.5, graph 0.5 center textcolor rgb '#666666'
	plot 1e300 notitle
}
unset multiplot
