# history.gp — a series of results (`lockbench history --plot DIR`), one chart
# per metric: every config's median at every result, with its 95% CI, the
# baseline marked. x is the series in the order given (its number and commit).
#
# Reads datadir/meta.gp and datadir/history-METRIC.dat, both written by
# `lockbench history`; writes outdir/history-METRIC.FMT:
#
#   gnuplot -e "datadir='plots/out/history'" plots/history.gp

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
load datadir.'/meta.gp'

width = 700 + 60 * npoints
width = width < 1000 ? 1000 : width
if (fmt eq 'svg') {
	set terminal svg size width,600 noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size width,600 noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set key outside right top vertical Left reverse noautotitle
set grid ytics lc rgb '#e0e0e0'
set border 3
set xtics nomirror rotate by -30
set ytics nomirror
set xrange [-0.5 : npoints - 0.5]
set xlabel 'result (number and commit), in the order given'
set arrow 1 from first baseline, graph 0 to first baseline, graph 1 nohead dt 2 lc rgb '#888888'
set label 1 'baseline' at first baseline, graph 1 offset 0.5,-1 left textcolor rgb '#666666'
all = common eq '' ? '' : "\nall configs: " . common

do for [m = 1:nmetrics] {
	data = sprintf('%s/history-%s.dat', datadir, metric_name[m])
	set output sprintf('%s/history-%s.%s', outdir, metric_name[m], fmt)
	set title sprintf("%s\n%s (%s is better): median and 95%% CI per result%s", title, metric_name[m], metric_better[m], all) font ',11'
	set ylabel metric_unit[m] eq '' ? metric_name[m] : sprintf('%s (%s)', metric_name[m], metric_unit[m])
	plot for [k = 1:nconfigs] data using 1:(column(3 * k)):(column(3 * k + 1)):(column(3 * k + 2)):xtic(2) \
		with yerrorlines pointtype 7 pointsize 0.8 lw 1.5 title config_label[k]
}
unset output
