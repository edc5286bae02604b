/*
 * render/plot_style.c — how a series looks and how text is laid out for a
 * chart, decided here once so every chart of a render agrees.
 *
 * Style: a lock keeps one colour and one marker in every chart; the dash
 * tells workloads and machines apart. 24 colours, chosen so no two are alike (each at
 * least ~24 CIELAB units from every other, none pale enough to vanish on
 * white; the first eight are Okabe & Ito's colour-blind-safe palette, as
 * before), and 12 marker shapes: up to 24 locks, no two share a colour,
 * and neighbours in the palette never share a marker either. The dash
 * (plot_series.c) is the workload's and, in a merged result, the machine's.
 *
 * Text: gnuplot cannot wrap a title or keep a key inside the canvas, so the
 * charts get their text already laid out: titles wrapped into lines that fit
 * the canvas width, and the legend as a grid of columns and rows whose size
 * the scripts turn into pixels (plots/common.gp, plots/legend.gp).
 */
#include <stdio.h>
#include <string.h>

#include "render/plot_int.h"

static const unsigned palette[] = {
	0x0072b2, 0xd55e00, 0x009e73, 0xcc79a7, 0xe69f00, 0x56b4e9, 0x000000, 0x999999,
	0x8db600, 0x332288, 0xbe0032, 0x654522, 0xf99379, 0x8ca252, 0x2ca02c, 0x882255,
	0x9467bd, 0x882d17, 0x2b3d26, 0x393b79, 0xbd9e39, 0x9c9ede, 0x17becf, 0xc2b280,
};
#define PALETTE_LEN (sizeof palette / sizeof palette[0])

/* gnuplot point types: filled circle, square, triangle, inverted triangle, diamond, pentagon, then open ones. */
static const int markers[] = { 7, 5, 9, 11, 13, 15, 6, 4, 8, 10, 12, 14 };
#define MARKERS_LEN (sizeof markers / sizeof markers[0])

/*
 * Legend geometry the scripts share (plots/legend.gp): the canvas is 1000 px
 * wide with 16 px on either side; an entry is a 44 px line sample, a gap
 * and its text at font size 10, whose characters are taken as 6.6 px wide
 * (DejaVu Sans and Liberation Sans average 5.5-6 px there; wide letters and
 * digits are 6.4), so an estimate errs on the roomy side.
 */
#define LEGEND_WIDTH_PX 968.0
#define LEGEND_SAMPLE_PX 60.0
#define LEGEND_CHAR_PX 6.6
#define LEGEND_MAX_COLS 4
#define LEGEND_MAX_CHARS 120 /* longer key texts are cut (with "...") to fit one column */

void plot_style_of(size_t lock_index, unsigned *rgb, int *pt)
{
	*rgb = palette[lock_index % PALETTE_LEN];
	*pt = markers[lock_index % MARKERS_LEN];
}

/* Characters (not bytes) in the UTF-8 text s[0..n). */
static size_t chars_in(const char *s, size_t n)
{
	size_t c = 0;
	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* Bytes of the first `chars` characters of s (or all of it). */
static size_t bytes_of_chars(const char *s, size_t chars)
{
	size_t i = 0, c = 0;
	while (s[i] != '\0') {
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == chars)
			break;
		i++;
	}
	return i;
}

void plot_gp_wrapped(FILE *f, const char *name, const char *text, size_t width)
{
	/* Lines as [start, end) byte ranges of text; at most 16 (the rest is cut). A '\n' ends a line. */
	size_t start[16], end[16], n = 0, len = strlen(text), pos = 0;
	while (pos < len && n < 16) {
		/* A line starts at a word: not with the blanks, nor the "|" between two parts of a title. */
		while (pos < len && (text[pos] == ' ' || (text[pos] == '|' && text[pos + 1] == ' ')))
			pos++;
		if (pos == len)
			break;
		size_t para = pos + strcspn(text + pos, "\n");
		size_t limit = pos + bytes_of_chars(text + pos, width), cut = limit < para ? limit : para;
		if (limit < para) {
			/* Break at the last space that keeps the line within width, else mid-word. */
			size_t sp = limit;
			while (sp > pos && text[sp] != ' ')
				sp--;
			if (sp > pos)
				cut = sp;
		}
		start[n] = pos, end[n] = cut, n++;
		pos = cut < len && text[cut] == '\n' ? cut + 1 : cut;
	}
	if (n == 0)
		start[0] = end[0] = 0, n = 1;
	fprintf(f, "%s_lines = %zu\narray %s[%zu] = [", name, n, name, n);
	for (size_t i = 0; i < n; i++) {
		char line[1024];
		size_t bytes = end[i] - start[i] < sizeof line - 1 ? end[i] - start[i] : sizeof line - 1;
		memcpy(line, text + start[i], bytes);
		line[bytes] = '\0';
		fputs(i ? ", " : "", f);
		plot_gp_string(f, line);
	}
	fputs("]\n", f);
}

/* A legend entry of a chart's series: m->series[m->blocks[b]], its text with suffix(b) when given. */
struct series_legend {
	const struct plot_model *m;
	void (*suffix)(const struct plot_model *m, size_t b, char *buf, size_t len);
};

static void series_entry(const void *ctx, size_t b, struct plot_legend_entry *e)
{
	const struct series_legend *sl = ctx;
	const struct plot_series *se = &sl->m->series[sl->m->blocks[b]];

	snprintf(e->text, sizeof e->text, "%s", se->label);
	if (sl->suffix != NULL) {
		char more[256];
		sl->suffix(sl->m, b, more, sizeof more);
		plot_append(e->text, sizeof e->text, "%s", more);
	}
	e->name = se->label;
	e->rgb = se->rgb;
	e->pt = se->pt;
	e->dash = se->dash;
}

void plot_meta_legend(FILE *f, const char *chart, const struct plot_model *m, size_t nb,
		      void (*suffix)(const struct plot_model *m, size_t b, char *buf, size_t len))
{
	const struct series_legend sl = { m, suffix };
	plot_meta_legend_of(f, chart, nb, series_entry, &sl);
}

static void meta_int_array(FILE *f, const char *chart, const char *what, size_t n, plot_legend_get get,
			   const void *ctx, int field)
{
	struct plot_legend_entry e;
	fprintf(f, "array %s_%s[%zu] = [", chart, what, n);
	for (size_t i = 0; i < n; i++) {
		get(ctx, i, &e);
		fprintf(f, "%s%d", i ? ", " : "", field == 0 ? (int)e.rgb : field == 1 ? e.pt : (int)e.dash);
	}
	fputs("]\n", f);
}

void plot_meta_legend_of(FILE *f, const char *chart, size_t n, plot_legend_get get, const void *ctx)
{
	struct plot_legend_entry e;
	fprintf(f, "%s_blocks = %zu\n", chart, n);
	if (n == 0)
		return;
	size_t widest = 1;
	fprintf(f, "array %s_key[%zu] = [", chart, n);
	for (size_t i = 0; i < n; i++) {
		get(ctx, i, &e);
		size_t chars = chars_in(e.text, strlen(e.text));
		if (chars > LEGEND_MAX_CHARS) {
			e.text[bytes_of_chars(e.text, LEGEND_MAX_CHARS - 3)] = '\0';
			plot_append(e.text, sizeof e.text, "...");
			chars = LEGEND_MAX_CHARS;
		}
		widest = chars > widest ? chars : widest;
		fputs(i ? ", " : "", f);
		plot_gp_string(f, e.text);
	}
	fputs("]\n", f);
	fprintf(f, "array %s_name[%zu] = [", chart, n);
	for (size_t i = 0; i < n; i++) {
		get(ctx, i, &e);
		fputs(i ? ", " : "", f);
		plot_gp_string(f, e.name);
	}
	fputs("]\n", f);
	meta_int_array(f, chart, "rgb", n, get, ctx, 0);
	meta_int_array(f, chart, "pt", n, get, ctx, 1);
	meta_int_array(f, chart, "dt", n, get, ctx, 2);
	size_t cols = (size_t)(LEGEND_WIDTH_PX / (LEGEND_SAMPLE_PX + (double)widest * LEGEND_CHAR_PX));
	cols = cols < 1 ? 1 : cols > LEGEND_MAX_COLS ? LEGEND_MAX_COLS : cols;
	cols = cols > n ? n : cols;
	fprintf(f, "%s_key_cols = %zu\n%s_key_rows = %zu\n", chart, cols, chart, (n + cols - 1) / cols);
}

void plot_add_chart(struct plot_model *m, const char *chart)
{
	if (m->ncharts < PLOT_MAX_CHARTS)
		snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "%s", chart);
}
