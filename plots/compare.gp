# compare.gp — the regression gate at a glance: for every config and metric of
# a `lockbench compare --json` verdict, new/base with its bootstrap 95% CI,
# coloured by verdict.
#
# Reads datadir/compare.dat and datadir/meta.gp, both written by
# `lockbench plot verdict.json` (README.md, "Charts", documents every column).
#
#   gnuplot -e "datadir='plots/out/verdict'" plots/compare.gp
#
# 1 (the solid line) is "unchanged"; the grey band is the ± threshold within
# which a change never counts. Whether right of 1 is good depends on the
# metric: each row's label says which way is better.

if (!exists("datadir")) datadir = '.'
if (!exists("outdir")) outdir = datadir
if (!exists("fmt")) fmt = 'png'
load datadir.'/meta.gp'
data = datadir.'/compare.dat'

# Room on the left for the longest row label (about 7 px a character), on the right for the verdicts.
stats data using (strlen(strcol(12))) nooutput
label_chars = STATS_max + 20
height = 290 + rows * 26
width = 700 + label_chars * 7
width = width < 1100 ? 1100 : width
if (fmt eq 'svg') {
	set terminal svg size width,height noenhanced font 'sans-serif,12' background '#ffffff'
} else {
	set terminal pngcairo size width,height noenhanced font 'DejaVu Sans,10' background '#ffffff'
}
set output outdir.'/compare.'.fmt

# x range: every CI, 1 and the band, with a little room; a log axis once the ratios span 3x.
band_lo = 1 - threshold_pct / 100.0
band_hi = 1 + threshold_pct / 100.0
stats data using 3 nooutput
lo = STATS_min < band_lo ? STATS_min : band_lo
stats data using 4 nooutput
hi = STATS_max > band_hi ? STATS_max : band_hi
if (hi / lo > 3) {
	set logscale x 10
	xlo = lo / 1.2
	xhi = hi * 1.2
} else {
	pad = (hi - lo) * 0.08
	xlo = lo - pad
	xhi = hi + pad
}
set xrange [xlo : xhi]
set yrange [rows - 0.5 : -0.5]

if (!exists("command")) command = 'compare'
if (!exists("ratio")) ratio = 'ratio of the medians'
set title sprintf("lockbench %s: %s — %s\nbase: %s\nnew:  %s", command, verdict, counts, base, new) font ',11' offset 0,1.6
set xlabel sprintf('new / base: %s, with its bootstrap 95%% CI', ratio)
set ytics nomirror scale 0
set xtics nomirror
set border 1
set grid xtics lc rgb '#e0e0e0'
set lmargin label_chars + 2
set rmargin 30

set object 1 rectangle from first band_lo, graph 0 to first band_hi, graph 1 behind fillcolor rgb '#e6e6e6' fillstyle solid noborder
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead lc rgb '#333333' lw 1.2

# Title (three lines), then the verdict colours on one line, then the rows.
set tmargin at screen 1 - 125.0 / height
# (about 7 px a character, 40 px between entries)
x = width * 0.27
do for [k = 1:5] {
	set label 10 + k sprintf('● %s', verdict_name[k]) at screen x / width, screen 1 - 105.0 / height \
		left textcolor rgb verdict_rgb[k]
	x = x + 7 * (strlen(verdict_name[k]) + 2) + 40
}
if (!exists("test")) test = 'Mann-Whitney U'
set label 2 sprintf('Grey band: ±%g%% threshold; a change counts only outside it and at p < %g (%s). Rows also: %s', \
	threshold_pct, alpha, test, common) at screen 0.01, screen 30.0 / height left font ',9' textcolor rgb '#444444'
set label 3 sprintf('%s, lockbench plot%s', source, unpaired eq '' ? '' : '. ' . unpaired . ' (see the verdict JSON).') at screen 0.01, screen 10.0 / height left font ',8' textcolor rgb '#888888'
set bmargin at screen 100.0 / height

better(s) = s eq 'higher' ? '  (higher is better)' : s eq 'lower' ? '  (lower is better)' : ''

plot data using 2:1:3:4:11:ytic(strcol(12) . better(strcol(15))) with xerrorbars pointtype 7 pointsize 1.3 lw 1.5 lc rgb variable notitle, \
	data using (xhi):1:(strcol(13) eq 'n/a' ? 'n/a: ' . strcol(16) : sprintf('%+.1f%%  p=%.2g  %s', $5, $6, strcol(13))):11 with labels left offset 1,0 textcolor rgb variable notitle
