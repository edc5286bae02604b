/*
 * render/plot_compare.c — a compare verdict's compare.dat and meta.gp, for
 * plots/compare.gp: one row per config and metric, in the verdict's order.
 *
 * A row's label is the fields of its config id that differ between rows
 * (render/id_label.c), then its machine (a verdict of merged results,
 * paired by machine: "ticket @ epyc") and the metric; the fields every row
 * shares go into meta.gp as `common`.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/verdict.h"
#include "render/id_label.h"
#include "render/plot_int.h"

/* A judgement's colour, in the order of enum lb_judgement (the compare chart's key). */
static const unsigned verdict_rgb[LB_J_COUNT] = {
	[LB_J_REGRESSION] = 0xd55e00, [LB_J_IMPROVEMENT] = 0x009e73, [LB_J_OK] = 0x0072b2,
	[LB_J_INCONCLUSIVE] = 0xe69f00, [LB_J_NA] = 0x999999,
};

static void write_compare_meta(FILE *f, const struct plot_model *m, const struct lb_id_labels *labels)
{
	const struct lb_verdict *v = m->verdict;
	plot_comment(f, "meta.gp (lockbench plot, from %s): gnuplot assignments compare.gp loads:", m->source);
	fputs("# titles, the threshold, and the verdict colours (see README.md, Charts)\n", f);
	plot_gp_assign(f, "kind", "compare");
	plot_gp_assign(f, "source", m->source);
	const struct lb_verdict_side *sides[] = { &v->base, &v->new };
	const char *names[] = { "base", "new" };
	char both[2200] = "";
	for (size_t i = 0; i < 2; i++) {
		char buf[1024];
		snprintf(buf, sizeof buf, "%s (%s, %s, commit %s)", sides[i]->file ? sides[i]->file : "?",
			 sides[i]->host ? sides[i]->host : "unknown host",
			 sides[i]->cpu_model ? sides[i]->cpu_model : "unknown CPU",
			 sides[i]->git_commit ? sides[i]->git_commit : "?");
		plot_gp_assign(f, names[i], buf);
		plot_append(both, sizeof both, "%s%s: %s", i ? "\n" : "", names[i], buf);
	}
	/* The title block of plots/common.gp: base and new, each wrapped to the canvas. */
	plot_gp_wrapped(f, "subtitle", both, 120);
	plot_gp_assign(f, "verdict", lb_judgement_name(v->overall));
	char counts[256] = "";
	for (int j = 0; j < LB_J_COUNT; j++)
		plot_append(counts, sizeof counts, "%s%zu %s", j ? ", " : "", v->counts[j], lb_judgement_name(j));
	plot_gp_assign(f, "counts", counts);
	const char *common = labels->common;
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
	char foot[1400];
	snprintf(foot, sizeof foot, "%s, lockbench plot%s%s", m->source, unpaired[0] ? ". " : "", unpaired);
	plot_gp_wrapped(f, "foot", foot, 150);
	plot_gp_wrapped(f, "common_text", common[0] ? common : "", 110);
	plot_gp_assign(f, "test", v->settings.paired ? "Wilcoxon signed-rank on paired windows" : "Mann-Whitney U");
	plot_gp_assign(f, "command", v->settings.paired ? "ab" : "compare");
	plot_gp_assign(f, "ratio", v->settings.paired ? "the median ratio of the window pairs" : "ratio of the medians");
	fprintf(f, "threshold_pct = %.10g\nalpha = %.10g\n", v->settings.threshold_pct, v->settings.alpha);
	/* The x range: every finite ratio and CI end above 0 (gnuplot's stats fail on a column of NaN). */
	double lo = INFINITY, hi = -INFINITY;
	for (size_t i = 0; i < v->nrows; i++) {
		const double x[] = { v->rows[i].ratio, v->rows[i].ci95_low, v->rows[i].ci95_high };
		for (size_t k = 0; k < 3; k++)
			if (isfinite(x[k]) && x[k] > 0)
				lo = fmin(lo, x[k]), hi = fmax(hi, x[k]);
	}
	if (!isfinite(lo))
		lo = hi = 1;
	fprintf(f, "ratio_min = %.10g\nratio_max = %.10g\n", lo, hi);
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
	struct lb_id_labels labels = { 0 };
	const char **ids = plot_alloc_n(v->nrows, sizeof *ids);
	int rc = -1;
	if (ids == NULL)
		goto oom;
	for (size_t r = 0; r < v->nrows; r++)
		ids[r] = v->rows[r].config;
	if (lb_id_labels_make(ids, v->nrows, &labels) != 0)
		goto oom;

	FILE *meta = plot_open(dir, "meta.gp", err, errlen);
	if (meta == NULL)
		goto out;
	write_compare_meta(meta, m, &labels);
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
		snprintf(label, sizeof label, "%s", labels.label[r]);
		if (v->rows[r].machine)
			plot_append(label, sizeof label, "%s@ %s", label[0] ? " " : "", v->rows[r].machine);
		plot_append(label, sizeof label, "%s%s", label[0] ? " " : "",
			    v->rows[r].metric ? v->rows[r].metric->name : "?");
		compare_row(f, r, &v->rows[r], label);
	}
	if (plot_close(f, "compare.dat", err, errlen) != 0)
		goto out;
	plot_add_chart(m, "compare");
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	lb_id_labels_free(&labels);
	free(ids);
	return rc;
}
