# fairness.gp — how each lock shares its acquisitions among threads at one
# thread count (left), beside how many acquisitions there were (right).
#
# Reads datadir/meta.gp, datadir/balance.dat and datadir/fairness.dat (up to
# 16 threads) or datadir/lorenz.dat (more), all written by `lockbench plot`
# (docs/charts.md documents every column).
#
#   gnuplot -e "datadir='plots/out/x'" plots/fairness.gp
#
# Left, up to 16 threads: one small panel per lock, a bar per thread, the
# dashed line the fair share (100% / threads); a cross marks a thread the
# run flagged starved. Beyond 16 threads: one Lorenz curve per lock —
# threads sorted from the fewest acquisitions up, the share of all
# acquisitions the first x of them took; the diagonal is perfect fairness.
# Either way the chart keeps its size whatever the thread count.
# Right: Jain's index against throughput. A lock can be perfectly fair
# because it hardly runs (a FIFO spinlock oversubscribed hands over in
# strict turn a few dozen times a second); left of the dashed line a lock
# did under 1% of the best lock's acquisitions: a collapse, however fair.
# Each lock is one real repetition: the one with the median throughput.

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
chart = 'fairness'
bars = fairness_view eq 'bars'
n = fairness_blocks
data = datadir.(bars ? '/fairness.dat' : '/lorenz.dat')
balance = datadir.'/balance.dat'

# The ranges come from meta.gp: a lock that acquired nothing would defeat gnuplot's stats.
tput_lo = fairness_lowest_per_s
share_max = fairness_share_max_pct

# The left region holds the panels (bars) or the curves (Lorenz); the scatter is on the right.
left_x0 = 16
left_x1 = 610
cols = n == 1 ? 1 : n <= 4 ? 2 : 3
rows = (n + cols - 1) / cols
panel_h = 150
region_h = bars ? rows * panel_h : 420
scatter_h = region_h < 320 ? 320 : region_h > 420 ? 420 : region_h
body_h = region_h > scatter_h ? region_h : scatter_h

note_lines = 3
array note[note_lines]
note[1] = bars ? sprintf('Bars: threads 0 to %d of the repetition with the median throughput; dashed: the fair share; x: a thread the run flagged starved.', threads - 1) \
	: 'Curves: threads sorted from the fewest acquisitions up; y: the share of all acquisitions the first x of them took. Diagonal: perfectly fair.'
note[2] = "Jain's index: 1 fair, 1/threads when one thread takes all. FF (fairness factor): the busier half's share, 0.5 fair, 1 starved."
note[3] = sprintf('Right: left of the dashed line a lock did under %g%% of the best lock'."'".'s acquisitions: a collapse, however fair.', fairness_collapse * 100)
top = title_h + 14
legend_top = top + body_h + 16
H = legend_top + legend_h(fairness_key_rows) + foot_h(note_lines)
eval set_terminal
head = bars ? sprintf('Per-thread share of acquisitions at %d threads, beside throughput', threads) \
	: sprintf('Fairness at %d threads: the Lorenz curve of each lock, beside throughput', threads)
eval draw_title
eval draw_foot
lg = 'fairness'
lg_top = legend_top
load plotsdir.'/legend.gp'

set multiplot

# ---- left: the fairness view ----
if (bars) {
	fair = 100.0 / threads
	share_top = (share_max > fair ? share_max : fair) * 1.2
	pw = (left_x1 - left_x0) / (1.0 * cols)
	chars = int((pw - 44) / 5.6)
	set yrange [0 : share_top]
	set xrange [-0.6 : threads - 0.4]
	set format y '%g%%'
	set ytics 3 font ',8'
	set ytics autofreq
	set xtics 0, (threads <= 8 ? 1 : 3) font ',8' scale 0
	set grid ytics lc rgb '#e4e4e4'
	set boxwidth 0.8
	set style fill solid 0.9 noborder
	do for [b = 1:n] {
		x0 = left_x0 + ((b - 1) % cols) * pw
		y0 = top + ((b - 1) / cols) * panel_h
		set lmargin at screen sx(x0 + 42)
		set rmargin at screen sx(x0 + pw - 10)
		set tmargin at screen sy(y0 + 34)
		set bmargin at screen sy(y0 + panel_h - 22)
		# A name too long for its panel keeps its start and its end (where the parameters that tell
		# variants apart are): gil:interval=5ms~_switch=0.
		name = fairness_name[b]
		len = strlen(name)
		name = len > chars ? name[1:chars / 2 - 1] . '~' . name[len - (chars - chars / 2) + 1:len] : name
		set label 10 name at screen sx(x0 + 42), screen sy(y0 + 12) left font ',9'
		set label 11 sprintf('Jain %.3f  FF %.3f  %.0f acq.', fairness_jain[b], fairness_factor[b], fairness_acquisitions[b]) \
			at screen sx(x0 + 42), screen sy(y0 + 25) left font ',8' textcolor rgb '#444444'
		plot data index (b - 1) using 1:2 with boxes lc rgb rgb(fairness_rgb[b]), \
			fair with lines dt 2 lw 1.2 lc rgb '#333333', \
			data index (b - 1) using 1:($5 > 0 ? $2 + share_top * 0.06 : NaN) with points pt 2 ps 0.8 lc rgb '#be0032'
		unset label 10
		unset label 11
		# The title, foot and legend are drawn once, with the first panel.
		unset label
		unset arrow
	}
} else {
	set lmargin at screen sx(left_x0 + 60)
	set rmargin at screen sx(left_x1 - 10)
	set tmargin at screen sy(top + 8)
	set bmargin at screen sy(top + region_h - 44)
	set xrange [0 : 1]
	set yrange [0 : 100]
	set format y '%g%%'
	set xtics 0.25
	set ytics 25
	set grid xtics ytics lc rgb '#e4e4e4'
	set xlabel 'fraction of threads, sorted by acquisitions (fewest first)'
	set ylabel 'share of all acquisitions (%)'
	pi = threads > 12 ? threads / 6 : 1
	plot x * 100 with lines dt 2 lw 1.2 lc rgb '#333333', \
		for [b = 1:n] data index (b - 1) using 1:2 with linespoints lw 1.5 pi pi \
		lc rgb rgb(fairness_rgb[b]) dt fairness_dt[b] pt fairness_pt[b] ps 0.8
	unset label
	unset arrow
	unset xlabel
	unset ylabel
}

# ---- right: Jain's index against throughput ----
best = fairness_best_per_s > 0 ? fairness_best_per_s : tput_lo
set lmargin at screen sx(left_x1 + 80)
set rmargin at screen sx(W - 24)
set tmargin at screen sy(top + 26)
set bmargin at screen sy(top + scatter_h - 44)
set logscale x 10
xlo = (tput_lo < best * fairness_collapse ? tput_lo : best * fairness_collapse) / 4
set xrange [xlo : best * 4]
set yrange [0 : 1.05]
unset format
set format x '%.0s%c'
set format y '%g'
set xtics autofreq font ',9' scale 1
set ytics 0.25 font ',9'
set grid xtics ytics lc rgb '#e4e4e4'
set xlabel 'acquisitions per second (log)' font ',10'
set ylabel "Jain's index" font ',10'
set label 20 "Jain's index against throughput" at screen sx(left_x1 + 80), screen sy(top + 12) left font ',10'
set object 2 rectangle from graph 0, graph 0 to first best * fairness_collapse, graph 1 behind \
	fillcolor rgb '#fbe3e3' fillstyle solid noborder
set arrow 5 from first best * fairness_collapse, graph 0 to first best * fairness_collapse, graph 1 nohead dt 2 lc rgb '#be0032'
set label 21 'collapse' at first best * fairness_collapse, graph 0.96 right offset -0.5,0 font ',8' textcolor rgb '#be0032'
# A lock that acquired nothing sits near the left edge, in the collapse.
plot for [b = 1:n] balance every ::(b - 1)::(b - 1) using ($1 > xlo ? $1 : xlo * 1.6):2 with points pt fairness_pt[b] ps 1.3 \
	lc rgb rgb(fairness_rgb[b])
unset multiplot
