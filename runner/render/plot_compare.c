/*
 * render/plot_compare.c — a compare verdict's compare.dat and meta.gp, for
 * plots/compare.gp: one row per config and metric, in the verdict's order.
 *
 * A row's label is the fields of its config id (read with the identity
 * codec: lock variant, workload, threads=N, pin=P) that differ between rows,
 * then its machine (a verdict of merged results, paired by machine: "ticket
 * @ epyc") and the metric; the fields every row shares go into meta.gp as
 * `common`. Which fields vary is found once for all rows, so the labels cost one pass
 * over the rows whatever their number or their ids hold.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/identity.h"
#include "model/verdict.h"
#include "render/plot_int.h"

/* A judgement's colour, in the order of enum lb_judgement (the compare chart's key). */
static const unsigned verdict_rgb[LB_J_COUNT] = {
	[LB_J_REGRESSION] = 0xd55e00, [LB_J_IMPROVEMENT] = 0x009e73, [LB_J_OK] = 0x0072b2,
	[LB_J_INCONCLUSIVE] = 0xe69f00, [LB_J_NA] = 0x999999,
};

#define NFIELDS 4

/* The fields of one row's config id; a text that is not an id is one field, itself. */
struct row_fields {
	char *field[NFIELDS];
	size_t n;
};

static int split_row(const char *config, struct row_fields *rf)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	static char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX];
	char buf[sizeof id.pin + 8], why[128];
	memset(rf, 0, sizeof *rf);
	if (config == NULL || lb_identity_parse(config, &id, why, sizeof why) != 0) {
		rf->field[0] = strdup(config ? config : "");
		rf->n = 1;
		return rf->field[0] ? 0 : -1;
	}
	plot_identity_keys(&id, lock, wl, sizeof lock);
	rf->field[0] = strdup(lock);
	rf->field[1] = strdup(wl);
	snprintf(buf, sizeof buf, "threads=%u", id.threads);
	rf->field[2] = strdup(buf);
	snprintf(buf, sizeof buf, "pin=%s", id.pin);
	rf->field[3] = strdup(buf);
	rf->n = NFIELDS;
	for (size_t k = 0; k < NFIELDS; k++)
		if (rf->field[k] == NULL)
			return -1;
	return 0;
}

static void free_fields(struct row_fields *rf, size_t nrows)
{
	for (size_t r = 0; rf && r < nrows; r++)
		for (size_t k = 0; k < NFIELDS; k++)
			free(rf[r].field[k]);
	free(rf);
}

/* varies[k]: whether field k differs between rows (a row without it counts as differing). */
static void find_varying(const struct row_fields *rf, size_t nrows, bool *varies)
{
	for (size_t k = 0; k < NFIELDS; k++) {
		varies[k] = nrows == 0 || k >= rf[0].n;
		for (size_t r = 1; r < nrows && !varies[k]; r++)
			varies[k] = k >= rf[r].n || strcmp(rf[r].field[k], rf[0].field[k]) != 0;
	}
}

/* The varying fields, " @ machine" for a verdict paired by machine, then the metric. */
static void row_label(const struct row_fields *rf, const bool *varies, size_t nrows, const char *machine,
		      const char *metric, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < rf->n; k++)
		if (varies[k] || (k == 0 && nrows == 1))
			plot_append(buf, len, "%s%s", buf[0] ? " " : "", rf->field[k]);
	if (machine)
		plot_append(buf, len, " @ %s", machine);
	plot_append(buf, len, "%s%s", buf[0] ? " " : "", metric);
}

static void write_compare_meta(FILE *f, const struct plot_model *m, const struct row_fields *rf, const bool *varies)
{
	const struct lb_verdict *v = m->verdict;
	plot_comment(f, "meta.gp (lockbench plot, from %s): gnuplot assignments compare.gp loads:", m->source);
	fputs("# titles, the threshold, and the verdict colours (see README.md, Charts)\n", f);
	plot_gp_assign(f, "kind", "compare");
	plot_gp_assign(f, "source", m->source);
	const struct lb_verdict_side *sides[] = { &v->base, &v->new };
	const char *names[] = { "base", "new" };
	for (size_t i = 0; i < 2; i++) {
		char buf[1024];
		snprintf(buf, sizeof buf, "%s (%s, %s, commit %s)", sides[i]->file ? sides[i]->file : "?",
			 sides[i]->host ? sides[i]->host : "unknown host",
			 sides[i]->cpu_model ? sides[i]->cpu_model : "unknown CPU",
			 sides[i]->git_commit ? sides[i]->git_commit : "?");
		plot_gp_assign(f, names[i], buf);
	}
	plot_gp_assign(f, "verdict", lb_judgement_name(v->overall));
	char counts[256] = "";
	for (int j = 0; j < LB_J_COUNT; j++)
		plot_append(counts, sizeof counts, "%s%zu %s", j ? ", " : "", v->counts[j], lb_judgement_name(j));
	plot_gp_assign(f, "counts", counts);
	char common[1024] = "";
	for (size_t k = 0; v->nrows > 1 && k < rf[0].n; k++)
		if (!varies[k])
			plot_append(common, sizeof common, "%s%s", common[0] ? " " : "", rf[0].field[k]);
	plot_gp_assign(f, "common", common);
	char unpaired[128] = "";
	if (v->nonly_in_base + v->nonly_in_new > 0)
		snprintf(unpaired, sizeof unpaired, "%zu config%s only in base, %zu only in new: not compared",
			 v->nonly_in_base, v->nonly_in_base == 1 ? "" : "s", v->nonly_in_new);
	if (v->nmachines_only_in_base + v->nmachines_only_in_new > 0)
		plot_append(unpaired, sizeof unpaired, "%s%zu machine%s only in base, %zu only in new: not compared",
			    unpaired[0] ? "; " : "", v->nmachines_only_in_base,
			    v->nmachines_only_in_base == 1 ? "" : "s", v->nmachines_only_in_new);
	plot_gp_assign(f, "unpaired", unpaired);
	plot_gp_assign(f, "test", v->settings.paired ? "Wilcoxon signed-rank on paired windows" : "Mann-Whitney U");
	plot_gp_assign(f, "command", v->settings.paired ? "ab" : "compare");
	plot_gp_assign(f, "ratio", v->settings.paired ? "the median ratio of the window pairs" : "ratio of the medians");
	fprintf(f, "threshold_pct = %.10g\nalpha = %.10g\n", v->settings.threshold_pct, v->settings.alpha);
	fprintf(f, "rows = %zu\narray verdict_name[%d] = [", v->nrows, LB_J_COUNT);
	for (int j = 0; j < LB_J_COUNT; j++) {
		fputs(j ? ", " : "", f);
		plot_gp_string(f, lb_judgement_name(j));
	}
	fprintf(f, "]\narray verdict_rgb[%d] = [", LB_J_COUNT);
	for (int j = 0; j < LB_J_COUNT; j++)
		fprintf(f, "%s%u", j ? ", " : "", verdict_rgb[j]);
	fputs("]\n", f);
}

static void compare_row(FILE *f, size_t i, const struct lb_verdict_row *row, const char *label)
{
	enum lb_judgement j = row->verdict < LB_J_COUNT ? row->verdict : LB_J_NA;
	fprintf(f, "%zu", i);
	plot_num(f, row->ratio);
	plot_num(f, row->ci95_low);
	plot_num(f, row->ci95_high);
	plot_num(f, row->change_pct);
	plot_num(f, row->p_value);
	plot_num(f, row->base_median);
	plot_num(f, row->new_median);
	plot_num(f, (double)row->base_n);
	plot_num(f, (double)row->new_n);
	fprintf(f, " %u", verdict_rgb[j]);
	plot_dat_string(f, label);
	plot_dat_string(f, lb_judgement_name(j));
	plot_dat_string(f, row->metric ? row->metric->unit : "");
	plot_dat_string(f, row->metric ? (row->metric->higher_better ? "higher" : "lower") : "");
	plot_dat_string(f, row->reason ? row->reason : "");
	fputc('\n', f);
}

int plot_write_compare(const char *dir, struct plot_model *m, char *err, size_t errlen)
{
	const struct lb_verdict *v = m->verdict;
	struct row_fields *rf = calloc(v->nrows ? v->nrows : 1, sizeof *rf);
	bool varies[NFIELDS];
	int rc = -1;
	if (rf == NULL)
		goto oom;
	for (size_t r = 0; r < v->nrows; r++)
		if (split_row(v->rows[r].config, &rf[r]) != 0)
			goto oom;
	find_varying(rf, v->nrows, varies);

	FILE *meta = plot_open(dir, "meta.gp", err, errlen);
	if (meta == NULL)
		goto out;
	write_compare_meta(meta, m, rf, varies);
	if (plot_close(meta, "meta.gp", err, errlen) != 0)
		goto out;

	FILE *f = plot_open(dir, "compare.dat", err, errlen);
	if (f == NULL)
		goto out;
	plot_comment(f, "compare.dat (lockbench plot, from %s): new against base per config and metric, one row each "
			"(rows[] of the verdict)",
		     m->source);
	fputs("# ratio = new_median/base_median with the bootstrap 95% CI of that ratio; NaN where undefined;\n"
	      "# base/new medians in the metric's unit (per_s, ns, or none); row 0 is the first row of the verdict\n",
	      f);
	fputs("# row  ratio  ci95_low  ci95_high  change_pct  p_value  base_median  new_median  base_n  new_n  rgb"
	      "  label  verdict  unit  better  reason\n",
	      f);
	for (size_t r = 0; r < v->nrows; r++) {
		char label[1024];
		row_label(&rf[r], varies, v->nrows, v->rows[r].machine,
			  v->rows[r].metric ? v->rows[r].metric->name : "?", label, sizeof label);
		compare_row(f, r, &v->rows[r], label);
	}
	if (plot_close(f, "compare.dat", err, errlen) != 0)
		goto out;
	if (m->ncharts < PLOT_MAX_CHARTS)
		snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "compare");
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	free_fields(rf, v->nrows);
	return rc;
}
