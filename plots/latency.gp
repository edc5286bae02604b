# latency.gp — acquisition latency percentile curves, one per lock, at one
# thread count (HdrHistogram's percentile distribution plot).
#
# Reads datadir/latency.dat and datadir/meta.gp, both written by
# `lockbench plot` (docs/charts.md documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/latency.gp
#
# x is 1/(1-p) on a log scale, so 90%, 99%, 99.9% ... are equally spaced and
# the tail, where locks differ, gets most of the width; y is the wait (call
# of acquire to its return) on a log scale. Each lock's curve is one real
# repetition: the one with the median throughput.

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
chart = 'latency'
data = datadir.'/latency.dat'

stats data using 2 nooutput
xmax = STATS_max
stats data using 3 nooutput
ylo = STATS_min > 0.1 ? STATS_min / 1.5 : 0.1
yhi = STATS_max * 1.5

note_lines = 1 + (latency_skipped[1] ne '' ? latency_skipped_lines : 0)
array note[note_lines]
note[1] = 'Each curve: the repetition (numbered from 1) with the median throughput; percentiles finer than one timed acquisition are left out.'
if (note_lines > 1) {
	do for [i = 1:latency_skipped_lines] {
		note[1 + i] = (i == 1 ? 'No latency curve (timing off): ' : '') . latency_skipped[i]
	}
}
top = title_h + 14
plot_h = 400
legend_top = top + plot_h + 50
H = legend_top + legend_h(latency_key_rows) + foot_h(note_lines)
eval set_terminal
head = sprintf('Acquisition latency percentiles at %d threads', threads)
eval draw_title
eval draw_foot
lg = 'latency'
lg_top = legend_top
load plotsdir.'/legend.gp'

set lmargin at screen sx(92)
set rmargin at screen sx(W - 30)
set tmargin at screen sy(top)
set bmargin at screen sy(top + plot_h)
set xlabel 'percentile (scale: 1/(1 - p), log)'
set ylabel 'wait for the lock (log scale)'
set logscale x 10
set logscale y 10
set xrange [1 : (xmax > 10 ? xmax * 1.5 : 15)]
set yrange [ylo : yhi]

# Percentile tics (a tic label is a format, hence %%): 50% at 1/(1-0.5) = 2, then one per nine.
set xtics ('50%%' 2, '90%%' 10)
nines = '99%% 99.9%% 99.99%% 99.999%% 99.9999%%'
do for [k = 2:6] {
	if (10.0**k <= xmax * 1.0001) {
		set xtics add (word(nines, k - 1) 10.0**k)
	}
}
eval ns_tics
set grid xtics ytics lc rgb '#dddddd' lw 1

plot for [b=1:latency_blocks] data index (b-1) using 2:3 with linespoints lw 1.5 \
	lc rgb rgb(latency_rgb[b]) dt latency_dt[b] pt latency_pt[b] ps 0.6 notitle
