/*
 * render/plot_history.c — a series of results (`lockbench history`) as one
 * table per metric, history-METRIC.dat, and meta.gp for plots/history.gp.
 *
 * A row per result of the series (its number and commit as the x label), and
 * per config three columns: median, 95% CI low, high (NaN where the result
 * lacks the config). A config's key title is the fields of its id that tell
 * it from the other configs (as in compare's chart); the fields all share go
 * into the title.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/history.h"
#include "model/identity.h"
#include "render/plot_int.h"

#define NFIELDS 4

/* The fields of a config key: lock variant, workload, threads=N, pin=P; one field if it is no id. */
static size_t split(const char *key, char fields[NFIELDS][PLOT_KEY_MAX])
{
	static struct lb_identity id;
	char why[128];

	if (lb_identity_parse(key, &id, why, sizeof why) != 0) {
		snprintf(fields[0], PLOT_KEY_MAX, "%s", key);
		return 1;
	}
	plot_identity_keys(&id, fields[0], fields[1], PLOT_KEY_MAX);
	snprintf(fields[2], PLOT_KEY_MAX, "threads=%u", id.threads);
	snprintf(fields[3], PLOT_KEY_MAX, "pin=%s", id.pin);
	return NFIELDS;
}

/* Labels of every config (PLOT_KEY_MAX bytes apart) and the fields they all share. 0, or -1 out of memory. */
static int config_labels(const struct lb_history *h, char *labels, char *common, size_t common_len)
{
	static char first[NFIELDS][PLOT_KEY_MAX], other[NFIELDS][PLOT_KEY_MAX];
	bool varies[NFIELDS] = { false };
	size_t nf = h->nconfigs ? split(h->configs[0], first) : 0;

	for (size_t k = 1; k < h->nconfigs; k++) {
		size_t n = split(h->configs[k], other);
		for (size_t f = 0; f < NFIELDS; f++)
			varies[f] |= n != nf || (f < n && strcmp(other[f], first[f]) != 0);
	}
	common[0] = '\0';
	for (size_t f = 0; f < nf && h->nconfigs > 1; f++)
		if (!varies[f])
			plot_append(common, common_len, "%s%s", common[0] ? " " : "", first[f]);
	for (size_t k = 0; k < h->nconfigs; k++) {
		char *label = labels + k * PLOT_KEY_MAX;
		size_t n = split(h->configs[k], other);

		label[0] = '\0';
		for (size_t f = 0; f < n; f++)
			if (varies[f] || h->nconfigs == 1 || n == 1)
				plot_append(label, PLOT_KEY_MAX, "%s%s", label[0] ? " " : "", other[f]);
	}
	return 0;
}

static void gp_array(FILE *f, const char *name, size_t n, const char *(*item)(const struct lb_history *, size_t, void *),
		     const struct lb_history *h, void *arg)
{
	fprintf(f, "array %s[%zu] = [", name, n ? n : 1);
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : "", f);
		plot_gp_string(f, item(h, i, arg));
	}
	if (n == 0)
		plot_gp_string(f, "");
	fputs("]\n", f);
}

static const char *label_item(const struct lb_history *h, size_t i, void *arg)
{
	(void)h;
	return (const char *)arg + i * PLOT_KEY_MAX;
}

static const char *metric_item(const struct lb_history *h, size_t i, void *arg)
{
	(void)arg;
	return h->metrics[i]->name;
}

static const char *unit_item(const struct lb_history *h, size_t i, void *arg)
{
	(void)arg;
	return h->metrics[i]->unit;
}

static const char *better_item(const struct lb_history *h, size_t i, void *arg)
{
	(void)arg;
	return h->metrics[i]->higher_better ? "higher" : "lower";
}

static int write_meta(const char *dir, const struct lb_history *h, char *labels, const char *common, char *err,
		      size_t errlen)
{
	FILE *f = plot_open(dir, "meta.gp", err, errlen);
	char title[512];

	if (f == NULL)
		return -1;
	plot_comment(f, "meta.gp (lockbench history): gnuplot assignments history.gp loads");
	plot_gp_assign(f, "kind", "history");
	snprintf(title, sizeof title, "lockbench history: %zu results, baseline %s", h->npoints,
		 h->points[h->baseline].label);
	plot_gp_assign(f, "title", title);
	plot_gp_assign(f, "common", common);
	fprintf(f, "npoints = %zu\nbaseline = %zu\nnconfigs = %zu\nnmetrics = %zu\n", h->npoints, h->baseline,
		h->nconfigs, h->nmetrics);
	gp_array(f, "config_label", h->nconfigs, label_item, h, labels);
	gp_array(f, "metric_name", h->nmetrics, metric_item, h, NULL);
	gp_array(f, "metric_unit", h->nmetrics, unit_item, h, NULL);
	gp_array(f, "metric_better", h->nmetrics, better_item, h, NULL);
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
	char *labels = plot_alloc_n(h->nconfigs + 1, PLOT_KEY_MAX), common[1024];
	int rc = -1;

	if (labels == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (config_labels(h, labels, common, sizeof common) != 0 ||
	    write_meta(dir, h, labels, common, err, errlen) != 0)
		goto out;
	for (size_t k = 0; k < h->nmetrics; k++)
		if (write_metric(dir, h, k, err, errlen) != 0)
			goto out;
	if (m->ncharts < PLOT_MAX_CHARTS)
		snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "history");
	rc = 0;
out:
	free(labels);
	return rc;
}
