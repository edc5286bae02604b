/*
 * render/history_table.c — a series of results as trend tables, one per
 * metric: a row per config, a column per result with its median and its
 * change against the baseline; as aligned text and as Markdown.
 */
#include "render/history_table.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render/format.h"
#include "render/id_label.h"

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

/*
 * The row names: whole ids (wide), or what tells the configs apart, each at
 * most LB_HISTORY_LABEL_WIDTH columns, with what they share in common[] (""
 * when wide). NULL when out of memory; free with free_names.
 */
static char **row_names(const struct lb_history *h, bool wide, char *common, size_t clen)
{
	struct lb_id_labels labels = { 0 };
	char **names = calloc(h->nconfigs ? h->nconfigs : 1, sizeof *names);
	char buf[ID_LEN];

	common[0] = '\0';
	if (!names)
		return NULL;
	if (!wide && lb_id_labels_make((const char *const *)h->configs, h->nconfigs, &labels) != 0)
		wide = true; /* out of memory: whole ids need nothing more */
	for (size_t k = 0; k < h->nconfigs; k++) {
		if (wide)
			lb_one_line(h->configs[k], buf, sizeof buf);
		else
			lb_fit(labels.label[k][0] ? labels.label[k] : h->configs[k], LB_HISTORY_LABEL_WIDTH, buf, sizeof buf);
		if (!(names[k] = strdup(buf))) {
			for (size_t i = 0; i < k; i++)
				free(names[i]);
			free(names);
			names = NULL;
			break;
		}
	}
	if (!wide) {
		snprintf(common, clen, "%s", labels.common);
		lb_id_labels_free(&labels);
	}
	return names;
}

static void free_names(char **names, size_t n)
{
	for (size_t k = 0; names && k < n; k++)
		free(names[k]);
	free(names);
}

void lb_history_table(FILE *f, const struct lb_history *h, bool wide)
{
	char c[CELL_LEN], common[1024], line[ID_LEN];
	char **names = row_names(h, wide, common, sizeof common);
	size_t idw = strlen("config");

	fprintf(f, "history: %zu results, baseline %s, last %s\n", h->npoints, h->points[h->baseline].label,
		h->points[h->npoints - 1].label);
	lb_history_points(f, h);
	if (!names) {
		fputs("(out of memory: no trend table)\n\n", f);
		return;
	}
	if (common[0]) {
		char all[ID_LEN];

		snprintf(all, sizeof all, "every config: %s", common);
		fprintf(f, "%s\n", lb_fit(all, 80, line, sizeof line));
	}
	for (size_t k = 0; k < h->nconfigs; k++)
		idw = lb_text_width(names[k]) > idw ? lb_text_width(names[k]) : idw;
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
		lb_put_cell(f, "config", idw, false);
		for (size_t p = 0; p < h->npoints; p++)
			fprintf(f, "  %*s", (int)width[p], h->points[p].label);
		fputc('\n', f);
		for (size_t k = 0; k < h->nconfigs; k++) {
			lb_put_cell(f, names[k], idw, false);
			for (size_t p = 0; p < h->npoints; p++) {
				cell(h, k, p, m, c, sizeof c);
				fprintf(f, "  %*s", (int)width[p], c);
			}
			fputc('\n', f);
		}
	}
	fputc('\n', f);
	free_names(names, h->nconfigs);
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
