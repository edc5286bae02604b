# common.gp — what every chart script shares: the page in pixels, the title
# block and the foot. Each script finds this file in its own directory
# (plotsdir, from ARG0) and loads it after meta.gp.
#
# A chart is laid out in pixels from the top left of a canvas W px wide and
# H px high (each script computes H from what it holds before anything is
# drawn), so nothing it writes can fall off the canvas:
#   - the title block: the chart's `head` (font 14), then subtitle[] from
#     meta.gp (workload, machine, run; font 10, wrapped by lockbench to 120
#     characters, about 800 px);
#   - the chart's own area;
#   - its legend, if any (legend.gp);
#   - the foot: note[] (font 9, the script's, each under 140 characters) and
#     foot[] from meta.gp (font 8: file, version, date).
# Text widths are not measured by gnuplot; lockbench wraps and cuts at
# character counts that stay inside 1000 px for DejaVu Sans / Liberation Sans.

W = 1000
sx(p) = p / (1.0 * W)       # screen x of pixel column p
sy(p) = 1.0 - p / (1.0 * H) # screen y of pixel row p, counted from the top
rgb(c) = sprintf('#%06x', int(c))

title_h = 36 + 15 * subtitle_lines
legend_h(rows) = rows > 0 ? 12 + 18 * rows : 0
foot_h(notes) = 12 + 14 * notes + 11 * foot_lines

# `eval set_terminal` once H is known; the image is outdir/<chart>.<fmt>.
set_terminal = "if (fmt eq 'svg') { set terminal svg size W,H noenhanced font 'sans-serif,12' background '#ffffff' } " . \
	"else { set terminal pngcairo size W,H noenhanced font 'DejaVu Sans,10' background '#ffffff' }; " . \
	"set output outdir.'/'.chart.'.'.fmt"

# `eval draw_title`: head, then the subtitle lines (labels 1001 and up).
draw_title = "set label 1001 head at screen sx(12), screen sy(24) left font ',14'; " . \
	"do for [i = 1:subtitle_lines] { set label (1001 + i) subtitle[i] at screen sx(12), screen sy(26 + 15 * i) " . \
	"left font ',10' textcolor rgb '#444444' }"

# `eval draw_foot` with note[] (note_lines of them) set: notes, then the foot lines (labels 1101 and up).
draw_foot = "do for [i = 1:note_lines] { set label (1100 + i) note[i] at screen sx(12), " . \
	"screen sy(H - 6 - 11 * foot_lines - 14 * (note_lines - i)) left font ',9' textcolor rgb '#444444' }; " . \
	"do for [i = 1:foot_lines] { set label (1150 + i) foot[i] at screen sx(12), screen sy(H - 6 - 11 * (foot_lines - i)) " . \
	"left font ',8' textcolor rgb '#888888' }"

# A duration in ns as a tic label, and `eval ns_tics` for a log y axis of durations from ylo to
# yhi ns: a tic at every decade, and at 2 and 5 times it when the range spans under 3 decades.
human_ns(v) = v < 1e3 ? sprintf('%g ns', v) : v < 1e6 ? sprintf('%g us', v / 1e3) : \
	v < 1e9 ? sprintf('%g ms', v / 1e6) : sprintf('%g s', v / 1e9)
ns_tics = "set ytics (); ns_e0 = floor(log10(ylo)); ns_e1 = ceil(log10(yhi)); " . \
	"do for [ns_e = ns_e0:ns_e1] { do for [ns_k in (ns_e1 - ns_e0 < 3 ? '1 2 5' : '1')] { " . \
	"ns_v = real(ns_k) * 10.0**ns_e; set ytics add (human_ns(ns_v) ns_v) } }"

set encoding utf8
set border 3
set tics nomirror
set key off
