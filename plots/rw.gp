# rw.gp — reader-writer locks: read and write acquisitions per second against
# thread count, one line per lock, side by side, with the roles that starved.
#
# Reads datadir/rw.dat and datadir/meta.gp, both written by `lockbench plot`
# for a result of a reader-writer workload (docs/charts.md documents every
# column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/rw.gp
#
# Left: reads, right: writes, on the same logarithmic axes, so a lock that
# scales its readers and a lock that keeps its writers going can be told
# apart at a glance. Points are medians over the repetitions, error bars
# their 95% CI (min to max below 6 repetitions). A role that got nothing is
# drawn on the dotted line marked 0 (a log axis has no 0). A red ring marks a
# point where a thread of that role starved in some repetition: a
# reader-preference lock's writers, a writer-preference lock's readers.

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
load datadir.'/meta.gp'
data = datadir.'/rw.dat'

if (fmt eq 'svg') {
	set terminal svg size 1300,620 noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size 1300,620 noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set output outdir.'/rw.'.fmt

stats data using 1 nooutput
tmin = STATS_min
tmax = STATS_max

# A rate as drawn: NaN (no thread had the role) stays undefined, 0 sits on the zero line.
z(x) = x != x ? NaN : (x > 0 ? x : rw_zero)
starved_rgb = '#d00000'

set logscale x 2
set logscale y 10
set xrange [tmin / 1.4142 : tmax * 1.4142]
set yrange [rw_zero / 2 : rw_max * 2]
set xtics 2
set format y '%.0s%c'
set mytics 10
set grid xtics ytics mytics lc rgb '#dddddd' lw 1, lc rgb '#f0f0f0' lw 1
set border 3
set tics nomirror
set xlabel 'threads (log2 scale)'

# More threads than PUs: shade it, as throughput.gp does.
if (pus > 0 && pus < tmax * 1.4142) {
	set object 1 rectangle from first pus, graph 0 to graph 1, graph 1 behind fillcolor rgb '#f2f2f2' fillstyle solid noborder
	set arrow 1 from first pus, graph 0 to first pus, graph 1 nohead dashtype 2 lc rgb '#666666'
}
# The line where a role that got nothing is drawn.
set arrow 2 from graph 0, first rw_zero to graph 1, first rw_zero nohead dashtype 3 lc rgb '#999999'
set label 1 '0' at graph 0, first rw_zero right offset -0.6,0 textcolor rgb '#666666'

set label 5 'Points: median over the repetitions; error bars: 95% CI of the median (min to max with fewer than 6). Shaded: more threads than PUs.' \
	at screen 0.01, screen 0.075 left font ',9' textcolor rgb '#444444'
set label 6 'Red ring: a thread of that role starved in some repetition (under 10% of its role''s fair share, or half the window without one while others acquired).' \
	at screen 0.01, screen 0.05 left font ',9' textcolor rgb '#444444'
set label 7 footer at screen 0.01, screen 0.02 left font ',8' textcolor rgb '#888888'

set multiplot title sprintf("Reader-writer locks: reads and writes against threads — workload %s\n%s — %s", workload, machine, run) font ',12'
set bmargin at screen 0.2
set tmargin at screen 0.86

# One panel: rates in columns c (median), c+1, c+2 (CI), starvation flag in column s.
set lmargin at screen 0.07
set rmargin at screen 0.42
set title 'reads' offset 0,-0.5
set ylabel 'read acquisitions per second (log scale)'
set key off
if (rw_reads > 0) {
	plot for [b=1:rw_blocks] data index (b-1) using 1:(z($2)):(z($3)):(z($4)):12 \
		with yerrorlines lw 2 pointtype 7 pointsize 0.9 lc rgb variable dashtype rw_workload[b] notitle, \
	     for [b=1:rw_blocks] data index (b-1) using 1:($9 > 0 ? z($2) : NaN) \
		with points pointtype 6 pointsize 2.6 lw 2 lc rgb starved_rgb notitle
} else {
	set label 10 'no thread read' at graph 0.5, graph 0.5 center textcolor rgb '#666666'
	plot 1e300 notitle
	unset label 10
}

set lmargin at screen 0.49
set rmargin at screen 0.84
set title 'writes' offset 0,-0.5
set ylabel 'write acquisitions per second (log scale)'
set key at screen 0.85, screen 0.86 left top vertical title 'lock' box lc rgb '#cccccc' samplen 3 spacing 1.3
if (rw_writes > 0) {
	plot for [b=1:rw_blocks] data index (b-1) using 1:(z($5)):(z($6)):(z($7)):12 \
		with yerrorlines lw 2 pointtype 7 pointsize 0.9 lc rgb variable dashtype rw_workload[b] title rw_key[b], \
	     for [b=1:rw_blocks] data index (b-1) using 1:($10 > 0 ? z($5) : NaN) \
		with points pointtype 6 pointsize 2.6 lw 2 lc rgb starved_rgb title (b == 1 ? 'starved' : '')
} else {
	set label 10 'no thread wrote' at graph 0.5, graph 0.5 center textcolor rgb '#666666'
	plot 1e300 notitle
}
unset multiplot
