# latency.gp — acquisition latency percentile curves, one per lock, at one
# thread count (HdrHistogram's percentile distribution plot).
#
# Reads datadir/latency.dat and datadir/meta.gp, both written by
# `lockbench plot` (README.md, "Charts", documents every column).
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
load datadir.'/meta.gp'
data = datadir.'/latency.dat'

if (fmt eq 'svg') {
	set terminal svg size 1000,600 noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size 1000,600 noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set output outdir.'/latency.'.fmt

stats data using 2 nooutput
xmax = STATS_max
stats data using 3 nooutput
ymin = STATS_min
ymax = STATS_max

set title sprintf("Acquisition latency percentiles at %d threads — workload %s\n%s — %s", threads, workload, machine, run) font ',12'
set xlabel 'percentile (scale: 1/(1 - p), log)'
set ylabel 'wait for the lock (log scale)'
set logscale x 10
set logscale y 10
set xrange [1 : (xmax > 10 ? xmax * 1.5 : 15)]
set yrange [(ymin > 0.1 ? ymin / 1.5 : 0.1) : ymax * 1.5]

# Percentile tics (a tic label is a format, hence %%): 50% at 1/(1-0.5) = 2, then one per nine.
set xtics ('50%%' 2, '90%%' 10)
nines = '99%% 99.9%% 99.99%% 99.999%% 99.9999%%'
do for [k = 2:6] {
	if (10.0**k <= xmax * 1.0001) {
		set xtics add (word(nines, k - 1) 10.0**k)
	}
}
set ytics ('100 ps' 0.1, '1 ns' 1, '10 ns' 10, '100 ns' 100, '1 µs' 1e3, '10 µs' 1e4, '100 µs' 1e5, \
	'1 ms' 1e6, '10 ms' 1e7, '100 ms' 1e8, '1 s' 1e9, '10 s' 1e10, '100 s' 1e11)
set mytics 10
set grid xtics ytics lc rgb '#dddddd' lw 1
set border 3
set tics nomirror
set key outside right top vertical title 'lock' box lc rgb '#cccccc' samplen 3 spacing 1.3

note = 'Each curve: the repetition (numbered from 1) with the median throughput; percentiles finer than one timed acquisition are left out.'
if (latency_skipped ne '') {
	note = note . ' No latency curve (timing off): ' . latency_skipped . '.'
}
set label 2 note at screen 0.01, screen 0.045 left font ',9' textcolor rgb '#444444'
set label 3 footer at screen 0.01, screen 0.015 left font ',8' textcolor rgb '#888888'
set bmargin 6

plot for [b=1:latency_blocks] data index (b-1) using 2:3:4 \
	with linespoints lw 2 pointtype 7 pointsize 0.6 lc rgb variable \
	title sprintf('%s (repetition %d)', latency_key[b], latency_repetition[b] + 1)
