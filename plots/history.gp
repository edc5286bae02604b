# history.gp — a series of results (`lockbench history --plot DIR`), one chart
# per metric: every config's median at every result, with its 95% CI, the
# baseline marked. x is the series in the order given (its number and commit).
#
# Reads datadir/meta.gp and datadir/history-METRIC.dat, both written by
# `lockbench history` (docs/charts.md documents every column); writes
# outdir/history-METRIC.FMT, laid out as every chart (common.gp, legend.gp):
#
#   gnuplot -e "datadir='plots/out/history'" plots/history.gp

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

# Room for every result's x label (rotated; "#N" and 12 hex digits of commit): 40 px a result.
W = 220 + 40 * npoints
W = W < 1000 ? 1000 : W
array note[1] = ['Points: median over the repetitions of each result; error bars: 95% CI of the median (min to max with fewer than 6).']
note_lines = 1
top = title_h + 14
plot_h = 380
legend_top = top + plot_h + 110
H = legend_top + legend_h(history_key_rows) + foot_h(note_lines)

set lmargin at screen sx(92)
set rmargin at screen sx(W - 30)
set grid ytics lc rgb '#dddddd' lw 1
set xtics nomirror rotate by -30 font ',9'
set xrange [-0.5 : npoints - 0.5]
set xlabel 'result (number and commit), in the order given' offset 0,-1
set arrow 1 from first baseline, graph 0 to first baseline, graph 1 nohead dt 2 lc rgb '#888888'
set label 1 'baseline' at first baseline, graph 1 offset 0.5,-1 left textcolor rgb '#666666'

do for [m = 1:nmetrics] {
	chart = 'history-' . metric_name[m]
	data = sprintf('%s/history-%s.dat', datadir, metric_name[m])
	# The tmargin/bmargin use H; set them once it is known (the same for every metric).
	eval set_terminal
	set tmargin at screen sy(top)
	set bmargin at screen sy(top + plot_h)
	head = sprintf('%s (%s is better): median and 95%% CI at each result', metric_name[m], metric_better[m])
	eval draw_title
	eval draw_foot
	lg = 'history'
	lg_top = legend_top
	load plotsdir.'/legend.gp'
	set ylabel metric_unit[m] eq '' ? metric_name[m] : sprintf('%s (%s)', metric_name[m], metric_unit[m])
	# From meta.gp: every finite median and CI end; a metric no result has gets an empty chart that says so.
	lo = metric_min[m]
	hi = metric_max[m]
	if (lo != lo) {
		set yrange [0 : 1]
		set label 2 'no result has this metric' at graph 0.5, graph 0.5 center textcolor rgb '#666666'
	} else {
		unset label 2
		pad = hi > lo ? (hi - lo) * 0.08 : (abs(hi) > 0 ? abs(hi) * 0.1 : 1)
		set yrange [lo - pad : hi + pad]
	}
	# Tic labels short enough for the left margin: 40.0M, not 4e+07.
	if (lo == lo && (abs(lo) >= 1e4 || abs(hi) >= 1e4)) {
		set format y '%.1s%c'
	} else {
		set format y '%g'
	}
	plot for [k = 1:nconfigs] data using 1:(column(3 * k)):(column(3 * k + 1)):(column(3 * k + 2)):xtic(2) \
		with yerrorlines lw 1.5 lc rgb rgb(history_rgb[k]) dt history_dt[k] pt history_pt[k] ps 0.9 notitle
	unset output
}
