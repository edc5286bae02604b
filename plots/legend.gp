# legend.gp — a chart's legend, drawn by hand below its plots so it never
# covers data nor leaves the canvas: a grid of <chart>_key_cols columns,
# each entry a line sample with the series' marker, colour and dash, then
# its text (font 10). lockbench chose the columns so the longest text fits
# one (meta.gp). Set before loading: lg (the chart's name, the prefix of
# its arrays in meta.gp) and lg_top (pixel row where the legend starts).
# Uses arrows and labels 3001 and up.

eval sprintf("lg_n = %s_blocks; lg_cols = %s_key_cols", lg, lg)
lg_colw = (W - 32.0) / lg_cols
do for [b = 1:lg_n] {
	eval sprintf("lg_text = %s_key[%d]; lg_c = %s_rgb[%d]; lg_p = %s_pt[%d]; lg_d = %s_dt[%d]", lg, b, lg, b, lg, b, lg, b)
	lg_x = 16 + ((b - 1) % lg_cols) * lg_colw
	lg_y = lg_top + 12 + ((b - 1) / lg_cols) * 18
	set arrow (3000 + b) from screen sx(lg_x), screen sy(lg_y) to screen sx(lg_x + 40), screen sy(lg_y) nohead \
		lw 1.5 lc rgb rgb(lg_c) dt lg_d front
	set label (3000 + b) '' at screen sx(lg_x + 20), screen sy(lg_y) point pt lg_p ps 0.8 lc rgb rgb(lg_c) front
	set label (3500 + b) lg_text at screen sx(lg_x + 48), screen sy(lg_y) left font ',10' front
}
