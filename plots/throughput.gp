# throughput.gp — acquisitions per second against thread count, one line per lock.
#
# Reads datadir/throughput.dat and datadir/meta.gp, both written by
# `lockbench plot` (docs/charts.md documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/throughput.gp
#   gnuplot -e "datadir='plots/out/x'; outdir='/tmp'; fmt='svg'" plots/throughput.gp
#
# Points are medians over the repetitions, error bars their 95% CI (min to max
# below 6 repetitions). Both axes are logarithmic: threads double from tic to
# tic, and an oversubscribed FIFO spinlock can lose five orders of magnitude,
# which a linear axis would flatten to zero. The shaded region right of the
# dashed line has more threads than the machine has PUs. Each lock keeps its
# colour and marker in every chart; the dash tells workloads apart. A point
# circled in red was scheduler-bound (its hand-offs waited for context
# switches: a figure of the scheduler, not of the lock), one marked with an
# orange triangle did not run at a steady rate (sample.regime in the result).

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
chart = 'throughput'
data = datadir.'/throughput.dat'

# Ranges from the data: half a doubling of room on either side of the thread counts.
stats data using 1 nooutput
tmin = STATS_min
tmax = STATS_max
stats data using 5 nooutput
reps_min = STATS_min
reps_max = STATS_max
stats data using 9 nooutput
sched_any = STATS_max
stats data using 10 nooutput
unsteady_any = STATS_max

note_lines = 1 + (sched_any > 0) + (unsteady_any > 0)
array note[note_lines]
if (reps_max <= 1) {
	note[1] = 'One repetition per point: no error bars.'
} else {
	reps = (reps_min == reps_max) ? sprintf('%d', reps_max) : sprintf('%d to %d', reps_min, reps_max)
	note[1] = sprintf('Points: median of %s repetitions; error bars: 95%% CI of the median (min to max with fewer than 6).', reps)
}
i = 2
if (sched_any > 0) { note[i] = 'Circled red: scheduler-bound, hand-offs waited for context switches (the scheduler'."'".'s rate, not the lock'."'".'s).'; i = i + 1 }
if (unsteady_any > 0) { note[i] = 'Orange triangle: the rate was not steady over the window (second half against the first, idle slices).' }

top = title_h + 14
plot_h = 400
legend_top = top + plot_h + 50
H = legend_top + legend_h(throughput_key_rows) + foot_h(note_lines)
eval set_terminal
head = 'Throughput against threads'
eval draw_title
eval draw_foot
lg = 'throughput'
lg_top = legend_top
load plotsdir.'/legend.gp'

set lmargin at screen sx(92)
set rmargin at screen sx(W - 30)
set tmargin at screen sy(top)
set bmargin at screen sy(top + plot_h)
set xlabel 'threads (log2 scale)'
set ylabel 'acquisitions per second (log scale)'
set logscale x 2
set logscale y 10
set xrange [tmin / 1.4142 : tmax * 1.4142]
# From meta.gp: every throughput above 0 (a lock that acquired nothing has no point on a log axis).
set yrange [throughput_min_per_s / 2 : throughput_max_per_s * 2]
set xtics 2
set format y '%.0s%c'
set mytics 10
set grid xtics ytics mytics lc rgb '#dddddd' lw 1, lc rgb '#f0f0f0' lw 1

# More threads than PUs: shade it and say so.
if (pus > 0 && pus < tmax * 1.4142) {
	set object 1 rectangle from first pus, graph 0 to graph 1, graph 1 behind fillcolor rgb '#f2f2f2' fillstyle solid noborder
	set arrow 1 from first pus, graph 0 to first pus, graph 1 nohead dashtype 2 lc rgb '#666666'
	set label 1 sprintf(' more threads than PUs (%d) →', pus) at first pus, graph 0.97 left textcolor rgb '#444444'
}

plot for [b=1:throughput_blocks] data index (b-1) using 1:2:3:4 with yerrorlines lw 1.5 \
	lc rgb rgb(throughput_rgb[b]) dt throughput_dt[b] pt throughput_pt[b] ps 0.9 notitle, \
	for [b=1:throughput_blocks] data index (b-1) using 1:($9 > 0 ? $2 : NaN) \
	with points pointtype 6 pointsize 2.4 lw 2 lc rgb '#d62728' notitle, \
	for [b=1:throughput_blocks] data index (b-1) using 1:($10 > 0 ? $2 : NaN) \
	with points pointtype 8 pointsize 2.0 lw 1.5 lc rgb '#ff7f0e' notitle
