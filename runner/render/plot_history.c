/*
 * render/plot_history.c — a series of results (`lockbench history`) as one
 * table per metric, history-METRIC.dat, and meta.gp for plots/history.gp.
 *
 * A row per result of the series (its number and commit as the x label), and
 * per config three columns: median, 95% CI low, high (NaN where the result
 * lacks the config). A config is named by the fields of its id that tell it
 * from the other configs (render/id_label.c, as in compare's table and
 * chart); the fields all share go into the subtitle. The chart is laid out
 * as every other (plots/common.gp): title block, plot, the legend below it
 * (plots/legend.gp: a colour and marker per config), the foot.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/history.h"
#include "render/id_label.h"
#include "render/plot_int.h"

struct legend {
	const struct lb_history *h;
	const struct lb_id_labels *labels;
};

/* Legend entry k: config k's label, its own colour and marker (24 x 12 before any repeats), a solid line. */
static void config_entry(const void *ctx, size_t k, struct plot_legend_entry *e)
{
	const struct legend *lg = ctx;

	e->name = lg->labels->label[k][0] ? lg->labels->label[k] : lg->h->configs[k];
	snprintf(e->text, sizeof e->text, "%s", e->name);
	plot_style_of(k, &e->rgb, &e->pt);
	e->dash = 1;
}

/* array NAME[n] of one string per metric. */
static void metric_strings(FILE *f, const char *name, const struct lb_history *h, int which)
{
	fprintf(f, "array %s[%zu] = [", name, h->nmetrics ? h->nmetrics : 1);
	for (size_t i = 0; i < h->nmetrics; i++) {
		const struct lb_metric *m = h->metrics[i];
		fputs(i ? ", " : "", f);
		plot_gp_string(f, which == 0 ? m->name : which == 1 ? m->unit : m->higher_better ? "higher" : "lower");
	}
	if (h->nmetrics == 0)
		plot_gp_string(f, "");
	fputs("]\n", f);
}

/*
 * metric_min[] and metric_max[]: the y range of each metric's chart, every
 * finite median and CI end (gnuplot's stats fail on a column of NaN, which a
 * metric no result has gives); NaN where there is none.
 */
static void metric_ranges(FILE *f, const struct lb_history *h)
{
	for (int end = 0; end < 2; end++) {
		fprintf(f, "array metric_%s[%zu] = [", end ? "max" : "min", h->nmetrics ? h->nmetrics : 1);
		for (size_t m = 0; m < h->nmetrics; m++) {
			double lo = INFINITY, hi = -INFINITY;
			for (size_t k = 0; k < h->nconfigs; k++)
				for (size_t p = 0; p < h->npoints; p++) {
					const struct lb_stat *s = lb_history_stat(h, k, p, m);
					const double x[] = { s->median, s->ci95_low, s->ci95_high };
					for (size_t i = 0; s->n > 0 && i < 3; i++)
						if (isfinite(x[i]))
							lo = fmin(lo, x[i]), hi = fmax(hi, x[i]);
				}
			double x = end ? hi : lo;
			fputs(m ? ", " : "", f);
			if (isfinite(x))
				fprintf(f, "%.10g", x);
			else
				fputs("NaN", f); /* gnuplot's name for it */
		}
		fputs(h->nmetrics ? "]\n" : "NaN]\n", f);
	}
}

static int write_meta(const char *dir, const struct lb_history *h, const struct lb_id_labels *labels, char *err,
		      size_t errlen)
{
	FILE *f = plot_open(dir, "meta.gp", err, errlen);
	char text[3000];

	if (f == NULL)
		return -1;
	plot_comment(f, "meta.gp (lockbench history): gnuplot assignments history.gp loads");
	plot_gp_assign(f, "kind", "history");
	plot_gp_assign(f, "source", "history");
	snprintf(text, sizeof text, "%zu results, baseline %s, last %s", h->npoints, h->points[h->baseline].label,
		 h->points[h->npoints - 1].label);
	if (labels->common[0])
		plot_append(text, sizeof text, " | every config: %s", labels->common);
	plot_gp_wrapped(f, "subtitle", text, 120);
	snprintf(text, sizeof text, "baseline %s, last %s, lockbench history", h->points[h->baseline].file,
		 h->points[h->npoints - 1].file);
	plot_gp_wrapped(f, "foot", text, 150);
	plot_gp_assign(f, "common", labels->common);
	fprintf(f, "npoints = %zu\nbaseline = %zu\nnconfigs = %zu\nnmetrics = %zu\n", h->npoints, h->baseline,
		h->nconfigs, h->nmetrics);
	metric_strings(f, "metric_name", h, 0);
	metric_strings(f, "metric_unit", h, 1);
	metric_strings(f, "metric_better", h, 2);
	metric_ranges(f, h);
	const struct legend lg = { h, labels };
	plot_meta_legend_of(f, "history", h->nconfigs, config_entry, &lg);
	return plot_close(f, "meta.gp", err, errlen);
}

static int write_metric(const char *dir, const struct lb_history *h, size_t m, char *err, size_t errlen)
{
	char name[64];
	FILE *f;

	snprintf(name, sizeof name, "history-%s.dat", h->metrics[m]->name);
	if ((f = plot_open(dir, name, err, errlen)) == NULL)
		return -1;
	plot_comment(f, "%s (lockbench history): %s per result (row) and config (3 columns each: median, 95%% CI "
			"low, high; NaN where the result lacks the config)", name, h->metrics[m]->name);
	fputs("# point  label", f);
	for (size_t k = 0; k < h->nconfigs; k++)
		fprintf(f, "  c%zu_median c%zu_ci95_low c%zu_ci95_high", k + 1, k + 1, k + 1);
	fputc('\n', f);
	for (size_t p = 0; p < h->npoints; p++) {
		fprintf(f, "%zu", p);
		plot_dat_string(f, h->points[p].label);
		for (size_t k = 0; k < h->nconfigs; k++) {
			const struct lb_stat *s = lb_history_stat(h, k, p, m);
			bool has = s->n > 0;
			plot_num(f, has ? s->median : NAN);
			plot_num(f, has ? s->ci95_low : NAN);
			plot_num(f, has ? s->ci95_high : NAN);
		}
		fputc('\n', f);
	}
	return plot_close(f, name, err, errlen);
}

int plot_write_history(const char *dir, struct plot_model *m, char *err, size_t errlen)
{
	const struct lb_history *h = m->history;
	struct lb_id_labels labels = { 0 };
	int rc = -1;

	if (lb_id_labels_make((const char *const *)h->configs, h->nconfigs, &labels) != 0) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (write_meta(dir, h, &labels, err, errlen) != 0)
		goto out;
	for (size_t k = 0; k < h->nmetrics; k++)
		if (write_metric(dir, h, k, err, errlen) != 0)
			goto out;
	plot_add_chart(m, "history");
	rc = 0;
out:
	lb_id_labels_free(&labels);
	return rc;
}
