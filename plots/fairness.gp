# fairness.gp — each thread's share of the acquisitions, one group of bars per
# lock, at one thread count; Jain's index and the fairness factor under each
# group.
#
# Reads datadir/fairness.dat and datadir/meta.gp, both written by
# `lockbench plot` (README.md, "Charts", documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/fairness.gp
#
# A fair lock's bars all reach the dashed line (100% / threads). Jain's index
# is 1 when fair and 1/threads when one thread takes everything; the fairness
# factor (share of the busier half of the threads) is 0.5 when fair and 1 at
# starvation. Each group is one real repetition: the one with the median
# throughput, so bars, Jain and FF describe the same run.

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
load datadir.'/meta.gp'
data = datadir.'/fairness.dat'

# Wide enough for every group: its bars (14 px each) or its label (about 7 px a character), if wider.
chars = 34
do for [b = 1:fairness_blocks] {
	chars = strlen(fairness_key[b]) > chars ? strlen(fairness_key[b]) : chars
}
group = (threads + 1.5) * 14 > (chars + 2) * 7 ? (threads + 1.5) * 14 : (chars + 2) * 7
width = fairness_blocks * group + 250
width = width < 1000 ? 1000 : width
if (fmt eq 'svg') {
	set terminal svg size width,600 noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size width,600 noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set output outdir.'/fairness.'.fmt

stats data using 2 nooutput
share_max = STATS_max
fair = 100.0 / threads

# Bar of thread t of block b; groups separated by a gap of 1.5 bars.
gap = 1.5
xpos(b, t) = (b - 1) * (threads + gap) + t

set title sprintf("Per-thread share of acquisitions at %d threads — workload %s\n%s — %s", threads, workload, machine, run) font ',12'
set ylabel 'share of all acquisitions (%)'
set xrange [-1 : xpos(fairness_blocks, threads - 1) + 1]
top = share_max > fair ? share_max : fair
set yrange [0 : top * 1.15]
set format y '%g%%'
set xtics scale 0 nomirror
set xtics ()
do for [b = 1:fairness_blocks] {
	set xtics add (sprintf("%s\nJain %.3f   FF %.3f\nrepetition %d: %.0f acquisitions", fairness_key[b], \
		fairness_jain[b], fairness_factor[b], fairness_repetition[b] + 1, fairness_acquisitions[b]) \
		xpos(b, (threads - 1) / 2.0))
}
set grid ytics lc rgb '#dddddd' lw 1
set border 3
set ytics nomirror
set boxwidth 0.8
set style fill solid 0.9 noborder
set key off
# The fair share is labelled beside the line, in the right margin, where no bar can be.
set rmargin 16
set label 4 sprintf("fair share\n%.3g%%", fair) at graph 1.01, first fair left textcolor rgb '#333333'

set label 1 sprintf('Bars: threads 0 to %d, left to right, of the repetition with the median throughput. "starved": the run flagged the thread (under 10% of a fair share, or half the window without one while others acquired).', threads - 1) \
	at screen 0.01, screen 0.07 left font ',9' textcolor rgb '#444444'
set label 2 "Jain's index: 1 fair, 1/threads when one thread takes all. FF (fairness factor): the busier half's share, 0.5 fair, 1 starved." \
	at screen 0.01, screen 0.045 left font ',9' textcolor rgb '#444444'
set label 3 footer at screen 0.01, screen 0.015 left font ',8' textcolor rgb '#888888'
set bmargin 9

plot for [b=1:fairness_blocks] data index (b-1) using (xpos(b, $1)):2:6 with boxes lc rgb variable notitle, \
	fair with lines dashtype 2 lw 1.5 lc rgb '#333333' notitle, \
	for [b=1:fairness_blocks] data index (b-1) using (xpos(b, $1)):2:($5 > 0 ? 'starved' : '') \
		with labels rotate left offset 0,0.4 font ',8' textcolor rgb '#222222' notitle
