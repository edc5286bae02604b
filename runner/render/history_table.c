/*
 * render/history_table.c — a series of results as trend tables, one per
 * metric: a row per config, a column per result with its median and its
 * change against the baseline; as aligned text and as Markdown.
 */
#include "render/history_table.h"

#include <math.h>
#include <stdbool.h>
#include <string.h>

#include "render/format.h"

#define CELL_LEN 48
#define ID_LEN 4096

/* "11.0M -1.8%": the median and its change against the baseline's; "-" where absent. */
static void cell(const struct lb_history *h, size_t c, size_t p, size_t m, char *buf, size_t len)
{
	const struct lb_stat *s = lb_history_stat(h, c, p, m), *b = lb_history_stat(h, c, h->baseline, m);
	char v[32];

	if (s->n == 0 || !isfinite(s->median)) {
		snprintf(buf, len, "-");
		return;
	}
	lb_human_value(s->median, v, sizeof v);
	if (p == h->baseline || b->n == 0 || !isfinite(b->median) || b->median == 0)
		snprintf(buf, len, "%s", v);
	else
		snprintf(buf, len, "%s %+.1f%%", v, (s->median / b->median - 1) * 100);
}

static void metric_title(FILE *f, const struct lb_metric *m, bool bold)
{
	fprintf(f, "%s%s%s (%s%s%s is better): median of each result, change against the baseline\n", bold ? "**" : "",
		m->name, bold ? "**" : "", m->unit[0] ? m->unit : "", m->unit[0] ? ", " : "",
		m->higher_better ? "higher" : "lower");
}

void lb_history_points(FILE *f, const struct lb_history *h)
{
	char file[ID_LEN];

	for (size_t p = 0; p < h->npoints; p++) {
		const struct lb_context *x = &h->points[p].result->context;

		fprintf(f, "  %-16s %-20s %s%s\n", h->points[p].label, x->started_utc ? x->started_utc : "?",
			lb_one_line(h->points[p].file, file, sizeof file), p == h->baseline ? "  (baseline)" : "");
	}
}

void lb_history_table(FILE *f, const struct lb_history *h)
{
	char c[CELL_LEN], id[ID_LEN];
	size_t idw = strlen("config");

	fprintf(f, "history: %zu results, baseline %s, last %s\n", h->npoints, h->points[h->baseline].label,
		h->points[h->npoints - 1].label);
	lb_history_points(f, h);
	for (size_t k = 0; k < h->nconfigs; k++) {
		size_t w = strlen(lb_one_line(h->configs[k], id, sizeof id));
		idw = w > idw ? w : idw;
	}
	for (size_t m = 0; m < h->nmetrics; m++) {
		size_t width[h->npoints];

		fputc('\n', f);
		metric_title(f, h->metrics[m], false);
		for (size_t p = 0; p < h->npoints; p++) {
			width[p] = strlen(h->points[p].label);
			for (size_t k = 0; k < h->nconfigs; k++) {
				cell(h, k, p, m, c, sizeof c);
				width[p] = strlen(c) > width[p] ? strlen(c) : width[p];
			}
		}
		fprintf(f, "%-*s", (int)idw, "config");
		for (size_t p = 0; p < h->npoints; p++)
			fprintf(f, "  %*s", (int)width[p], h->points[p].label);
		fputc('\n', f);
		for (size_t k = 0; k < h->nconfigs; k++) {
			fprintf(f, "%-*s", (int)idw, lb_one_line(h->configs[k], id, sizeof id));
			for (size_t p = 0; p < h->npoints; p++) {
				cell(h, k, p, m, c, sizeof c);
				fprintf(f, "  %*s", (int)width[p], c);
			}
			fputc('\n', f);
		}
	}
	fputc('\n', f);
}

/* Text in a Markdown cell: '|' and markup escaped, control characters '?'. */
static void md_text(FILE *f, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			fputc('?', f);
		else {
			if (strchr("\\|*_`<>[]", *s))
				fputc('\\', f);
			fputc(*s, f);
		}
	}
}

int lb_history_markdown(FILE *f, const struct lb_history *h)
{
	char c[CELL_LEN];

	fprintf(f, "### lockbench history: %zu results, baseline ", h->npoints);
	md_text(f, h->points[h->baseline].label);
	fputs("\n\n", f);
	for (size_t p = 0; p < h->npoints; p++) {
		fputs("- ", f);
		md_text(f, h->points[p].label);
		fputs(": ", f);
		md_text(f, h->points[p].file);
		fputs(p == h->baseline ? " (baseline)\n" : "\n", f);
	}
	for (size_t m = 0; m < h->nmetrics; m++) {
		fputc('\n', f);
		metric_title(f, h->metrics[m], true);
		fputs("\n| config |", f);
		for (size_t p = 0; p < h->npoints; p++) {
			fputc(' ', f);
			md_text(f, h->points[p].label);
			fputs(" |", f);
		}
		fputs("\n|---|", f);
		for (size_t p = 0; p < h->npoints; p++)
			fputs("--:|", f);
		fputc('\n', f);
		for (size_t k = 0; k < h->nconfigs; k++) {
			fputs("| ", f);
			md_text(f, h->configs[k]);
			fputs(" |", f);
			for (size_t p = 0; p < h->npoints; p++) {
				cell(h, k, p, m, c, sizeof c);
				fprintf(f, " %s |", c);
			}
			fputc('\n', f);
		}
	}
	fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
