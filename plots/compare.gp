# compare.gp — the regression gate at a glance: for every config and metric of
# a `lockbench compare --json` (or `lockbench ab --json`) verdict, new/base
# with its bootstrap 95% CI, coloured by verdict.
#
# Reads datadir/compare.dat and datadir/meta.gp, both written by
# `lockbench plot verdict.json` (docs/charts.md documents every column).
#
#   gnuplot -e "datadir='plots/out/verdict'" plots/compare.gp
#
# 1 (the solid line) is "unchanged"; the grey band is the ± threshold within
# which a change never counts. Whether right of 1 is good depends on the
# metric: each row's label says which way is better.

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
# A meta.gp written before ab existed lacks what tells the two tests apart.
if (!exists("command")) command = 'compare'
if (!exists("test")) test = 'Mann-Whitney U'
if (!exists("ratio")) ratio = 'ratio of the medians'
load plotsdir.'/common.gp'
chart = 'compare'
data = datadir.'/compare.dat'

# Room on the left for the longest row label (7.6 px a character: roomy for 12 px text), on the right
# for the change, p and verdict (up to about 34 characters).
stats data using (strlen(strcol(12))) nooutput
label_chars = STATS_max + 20
W = 720 + label_chars * 7.6
W = W < 1100 ? 1100 : W
note_lines = 1 + (common_text[1] ne '' ? common_text_lines : 0)
array note[note_lines]
note[1] = sprintf('Grey band: ±%g%% threshold; a change counts only outside it and at p < %g (%s).', threshold_pct, alpha, test)
do for [i = 2:note_lines] {
	note[i] = (i == 2 ? 'Rows also: ' : '') . common_text[i - 1]
}
top = title_h + 40
plot_h = 30 + rows * 26
H = top + plot_h + 50 + foot_h(note_lines)
eval set_terminal
head = sprintf('lockbench %s: %s — %s', command, verdict, counts)
eval draw_title
eval draw_foot

# x range: every CI, 1 and the band, with a little room; a log axis once the ratios span 3x.
band_lo = 1 - threshold_pct / 100.0
band_hi = 1 + threshold_pct / 100.0
# From meta.gp: every finite ratio and CI end (a row may have none).
lo = ratio_min < band_lo ? ratio_min : band_lo
hi = ratio_max > band_hi ? ratio_max : band_hi
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

set xlabel sprintf('new / base: %s, with its bootstrap 95%% CI', ratio)
set ytics nomirror scale 0
set border 1
set grid xtics lc rgb '#e0e0e0'
set lmargin at screen sx(label_chars * 7.6 + 16)
set rmargin at screen sx(W - 270)
set tmargin at screen sy(top)
set bmargin at screen sy(top + plot_h)

set object 1 rectangle from first band_lo, graph 0 to first band_hi, graph 1 behind fillcolor rgb '#e6e6e6' fillstyle solid noborder
set arrow 1 from first 1, graph 0 to first 1, graph 1 nohead lc rgb '#333333' lw 1.2

# The verdict colours on one line under the title (about 7 px a character, 40 px between entries).
x = 16
do for [k = 1:5] {
	set label 10 + k sprintf('● %s', verdict_name[k]) at screen sx(x), screen sy(title_h + 16) left textcolor rgb verdict_rgb[k]
	x = x + 7 * (strlen(verdict_name[k]) + 2) + 40
}

better(s) = s eq 'higher' ? '  (higher is better)' : s eq 'lower' ? '  (lower is better)' : ''

plot data using 2:1:3:4:11:ytic(strcol(12) . better(strcol(15))) with xerrorbars pointtype 7 pointsize 1.3 lw 1.5 lc rgb variable notitle, \
	data using (xhi):1:(strcol(13) eq 'n/a' ? 'n/a: ' . strcol(16) : sprintf('%+.1f%%  p=%.2g  %s', $5, $6, strcol(13))):11 with labels left offset 1,0 textcolor rgb variable notitle
