# tail.gp — the tail of the wait against thread count: p99 (left) and p99.9
# (right) of the acquisition latency, one line per lock.
#
# Reads datadir/tail.dat and datadir/meta.gp, both written by
# `lockbench plot` (docs/charts.md documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/tail.gp
#
# The question a lock's user asks first: how long does the unlucky waiter
# wait, and how does that grow with contention? Points are medians over the
# repetitions, error bars their 95% CI (min to max below 6 repetitions);
# both axes logarithmic. A lock without timed acquisitions (--timing off)
# has no line.

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
chart = 'tail'
data = datadir.'/tail.dat'

stats data using 1 nooutput
tmin = STATS_min
tmax = STATS_max

array note[1] = ['Points: median over the repetitions of each run'."'".'s p99 / p99.9 wait; error bars: 95% CI of the median (min to max with fewer than 6).']
note_lines = 1
top = title_h + 30
plot_h = 380
legend_top = top + plot_h + 50
H = legend_top + legend_h(tail_key_rows) + foot_h(note_lines)
eval set_terminal
head = 'Tail of the wait against threads: p99 and p99.9'
eval draw_title
eval draw_foot
lg = 'tail'
lg_top = legend_top
load plotsdir.'/legend.gp'

set logscale x 2
set logscale y 10
set xrange [tmin / 1.4142 : tmax * 1.4142]
set xtics 2
set mytics 10
set grid xtics ytics lc rgb '#dddddd' lw 1
set xlabel 'threads (log2 scale)'
set tmargin at screen sy(top)
set bmargin at screen sy(top + plot_h)
# One y range for both panels, so p99 and p99.9 read against each other (meta.gp: every value above 0).
ylo = tail_ns_min / 2
yhi = tail_ns_max * 2
set yrange [ylo : yhi]
eval ns_tics

set multiplot
set lmargin at screen sx(92)
set rmargin at screen sx(W / 2 - 20)
set ylabel 'wait for the lock (log scale)'
set title 'p99' offset 0,-0.5
plot for [b=1:tail_blocks] data index (b-1) using 1:2:3:4 with yerrorlines lw 1.5 \
	lc rgb rgb(tail_rgb[b]) dt tail_dt[b] pt tail_pt[b] ps 0.9 notitle
unset label
unset arrow
set lmargin at screen sx(W / 2 + 50)
set rmargin at screen sx(W - 30)
unset ylabel
set title 'p99.9' offset 0,-0.5
plot for [b=1:tail_blocks] data index (b-1) using 1:5:6:7 with yerrorlines lw 1.5 \
	lc rgb rgb(tail_rgb[b]) dt tail_dt[b] pt tail_pt[b] ps 0.9 notitle
unset multiplot
