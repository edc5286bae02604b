# throughput.gp — acquisitions per second against thread count, one line per lock.
#
# Reads datadir/throughput.dat and datadir/meta.gp, both written by
# `lockbench plot` (README.md, "Charts", documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/throughput.gp
#   gnuplot -e "datadir='plots/out/x'; outdir='/tmp'; fmt='svg'" plots/throughput.gp
#
# Points are medians over the repetitions, error bars their 95% CI (min to max
# below 6 repetitions). Both axes are logarithmic: threads double from tic to
# tic, and an oversubscribed FIFO spinlock can lose five orders of magnitude,
# which a linear axis would flatten to zero. The shaded region right of the
# dashed line has more threads than the machine has PUs. A point circled in
# red was scheduler-bound (its hand-offs waited for context switches: a
# figure of the scheduler, not of the lock), one marked with an orange
# triangle did not run at a steady rate (sample.regime in the result).

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
load datadir.'/meta.gp'
data = datadir.'/throughput.dat'

if (fmt eq 'svg') {
	set terminal svg size 1000,600 noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size 1000,600 noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set output outdir.'/throughput.'.fmt

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

set title sprintf("Throughput against threads — workload %s\n%s — %s", workload, machine, run) font ',12'
set xlabel 'threads (log2 scale)'
set ylabel 'acquisitions per second (log scale)'
set logscale x 2
set logscale y 10
set xrange [tmin / 1.4142 : tmax * 1.4142]
set xtics 2
set format y '%.0s%c'
set mytics 10
set grid xtics ytics mytics lc rgb '#dddddd' lw 1, lc rgb '#f0f0f0' lw 1
set border 3
set tics nomirror
set key outside right top vertical title 'lock' box lc rgb '#cccccc' samplen 3 spacing 1.3

# More threads than PUs: shade it and say so.
if (pus > 0 && pus < tmax * 1.4142) {
	set object 1 rectangle from first pus, graph 0 to graph 1, graph 1 behind fillcolor rgb '#f2f2f2' fillstyle solid noborder
	set arrow 1 from first pus, graph 0 to first pus, graph 1 nohead dashtype 2 lc rgb '#666666'
	set label 1 sprintf(' oversubscribed: more threads than PUs (%d) →', pus) at first pus, graph 0.97 left textcolor rgb '#444444'
}

if (reps_max <= 1) {
	bars = 'One repetition per point: no error bars.'
} else {
	reps = (reps_min == reps_max) ? sprintf('%d', reps_max) : sprintf('%d to %d', reps_min, reps_max)
	bars = sprintf('Points: median of %s repetitions; error bars: 95%% CI of the median (min to max with fewer than 6).', reps)
}
set label 2 bars at screen 0.01, screen 0.045 left font ',9' textcolor rgb '#444444'
set label 3 footer at screen 0.01, screen 0.015 left font ',8' textcolor rgb '#888888'
regime = ''
if (sched_any > 0) { regime = 'Circled red: scheduler-bound, hand-offs waited for context switches (not the lock''s rate). ' }
if (unsteady_any > 0) { regime = regime.'Orange triangle: rate not steady.' }
if (strlen(regime) > 0) { set label 4 regime at screen 0.01, screen 0.075 left font ',9' textcolor rgb '#a02020' }
set bmargin (strlen(regime) > 0 ? 7 : 6)

plot for [b=1:throughput_blocks] data index (b-1) using 1:2:3:4:8 \
	with yerrorlines lw 2 pointtype 7 pointsize 0.9 lc rgb variable dashtype throughput_workload[b] \
	title throughput_key[b], \
	for [b=1:throughput_blocks] data index (b-1) using 1:($9 > 0 ? $2 : NaN) \
	with points pointtype 6 pointsize 2.4 lw 2 lc rgb '#d62728' notitle, \
	for [b=1:throughput_blocks] data index (b-1) using 1:($10 > 0 ? $2 : NaN) \
	with points pointtype 8 pointsize 2.0 lw 1.5 lc rgb '#ff7f0e' notitle
