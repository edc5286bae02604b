/*
 * render/plot_dat.c — a result's tables and meta.gp, for the scripts in plots/.
 *
 * throughput.dat, tail.dat, latency.dat (here), fairness.dat or lorenz.dat
 * and balance.dat (plot_fair.c), timeline.dat (plot_timeline.c) and, for a
 * reader-writer result, rw.dat (plot_rw.c) are plain
 * whitespace tables whose first lines are `#` comments naming each column
 * with its unit; one block per series, blocks separated by two blank lines
 * (gnuplot's `index`). Beside them, meta.gp: plain gnuplot assignments
 * (titles already wrapped to the canvas, the PU count, the chosen thread
 * count, per chart its legend and per block the figures the charts print)
 * that every script loads. A lock's colour is also written into every row
 * as a 24-bit integer for `lc rgb variable`.
 *
 * Every string from the result reaches these files through plot_text.c.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "render/plot_int.h"

/* Open a table and write its header (plot_int.h). */
FILE *plot_table_begin(const char *dir, const struct plot_model *m, const char *name, const char *what,
		       bool per_thread, const char *about, char *err, size_t errlen)
{
	FILE *f = plot_open(dir, name, err, errlen);
	if (f == NULL)
		return NULL;
	if (per_thread)
		plot_comment(f, "%s (lockbench plot, from %s): %s at %u threads, one block per lock", name, m->source,
			     what, m->threads);
	else
		plot_comment(f, "%s (lockbench plot, from %s): %s, one block per lock", name, m->source, what);
	fputs(about, f);
	return f;
}

/* Close a table; its chart is to be drawn. */
int plot_table_end(FILE *f, struct plot_model *m, const char *name, const char *chart, char *err, size_t errlen)
{
	if (plot_close(f, name, err, errlen) != 0)
		return -1;
	plot_add_chart(m, chart);
	return 0;
}

const struct lb_sample *plot_pick_of(const struct plot_model *m, size_t b)
{
	const struct plot_point *p = m->series[m->blocks[b]].pick;
	return p ? p->median : NULL;
}

/* <chart>_blocks and the key title of each block, for the script of a chart. */
void plot_meta_blocks(FILE *f, const char *chart, const struct plot_model *m, size_t nb)
{
	fprintf(f, "%s_blocks = %zu\n", chart, nb);
	if (nb == 0)
		return;
	fprintf(f, "array %s_key[%zu] = [", chart, nb);
	for (size_t b = 0; b < nb; b++) {
		fputs(b ? ", " : "", f);
		plot_gp_string(f, m->series[m->blocks[b]].label);
	}
	fputs("]\n", f);
}

static double repetition_of(const struct lb_sample *s)
{
	return s->repetition;
}

void plot_meta_sample_array(FILE *f, const char *name, const struct plot_model *m, size_t nb,
			    double (*get)(const struct lb_sample *))
{
	if (nb == 0)
		return;
	fprintf(f, "array %s[%zu] = [", name, nb);
	for (size_t b = 0; b < nb; b++) {
		double v = get(plot_pick_of(m, b));
		fputs(b ? ", " : "", f);
		if (isfinite(v))
			fprintf(f, "%.10g", v);
		else
			fputs("NaN", f);
	}
	fputs("]\n", f);
}

void plot_block_comment(FILE *f, const struct plot_model *m, size_t b)
{
	const struct plot_series *se = &m->series[m->blocks[b]];
	if (b > 0)
		fputs("\n\n", f);
	plot_comment(f, "block %zu: %s, repetition %u (the median throughput of %zu ok)", b, se->label,
		     se->pick->median->repetition, se->pick->nok);
}

/* A config's median of metric k with its CI; without a summary, its median sample's value (n 1). */
static void config_stat(const struct plot_point *p, enum lb_metric_id k, double *med, double *lo, double *hi,
			size_t *n, bool *reached)
{
	const struct lb_config *c = p->config;
	const struct lb_stat *st = &c->summary.stat[k];
	*med = *lo = *hi = NAN, *n = 0, *reached = false;
	if (c->summary.present && st->n > 0 && isfinite(st->median))
		*med = st->median, *lo = st->ci95_low, *hi = st->ci95_high, *n = st->n, *reached = st->ci95_reached;
	else if (isfinite(lb_metrics[k].get(p->median)))
		*med = *lo = *hi = lb_metrics[k].get(p->median), *n = 1;
}

/* One row of throughput.dat: the config's summary, or its median sample when it has none. */
static void throughput_row(FILE *f, const struct plot_point *p, unsigned rgb)
{
	double med, lo, hi;
	size_t reps;
	bool reached;
	config_stat(p, LB_M_THROUGHPUT, &med, &lo, &hi, &reps, &reached);
	fprintf(f, "%u", p->config->threads);
	plot_num(f, med);
	plot_num(f, lo);
	plot_num(f, hi);
	fprintf(f, " %zu %d %d %u %d %d\n", reps, reached, p->config->oversubscribed, rgb,
		p->config->summary.scheduler_bound, p->config->summary.unsteady);
}

static int write_throughput(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	FILE *f = plot_table_begin(
		dir, m, "throughput.dat", "acquisitions per second against thread count", false,
		"# median and 95% CI of the median over the ok repetitions (config.summary.throughput_per_s);\n"
		"# with fewer than 6 repetitions the CI is [min, max] (ci95_reached 0); a single sample is its own CI\n"
		"# scheduler_bound / unsteady: 1 if a repetition was labelled so (sample.regime): not the lock's own rate\n"
		"# threads  median_per_s  ci95_low_per_s  ci95_high_per_s  n  ci95_reached  oversubscribed  rgb"
		"  scheduler_bound  unsteady\n",
		err, errlen);
	if (f == NULL)
		return -1;
	size_t nb = 0;
	double ymin = INFINITY, ymax = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const struct plot_series *se = &m->series[s];
		if (se->npoints == 0) {
			plot_note(m, "throughput: %s has no ok sample", se->label);
			continue;
		}
		if (nb > 0)
			fputs("\n\n", f);
		plot_comment(f, "block %zu: %s (lock %s, workload %s)", nb, se->label, se->lock_key, se->wl_key);
		for (size_t i = 0; i < se->npoints; i++) {
			const struct plot_point *p = &m->points[se->first + i];
			double v[3];
			size_t n;
			bool reached;
			throughput_row(f, p, se->rgb);
			config_stat(p, LB_M_THROUGHPUT, &v[0], &v[1], &v[2], &n, &reached);
			for (size_t c = 0; c < 3; c++)
				if (isfinite(v[c]) && v[c] > 0)
					ymin = fmin(ymin, v[c]), ymax = fmax(ymax, v[c]);
		}
		m->blocks[nb++] = s;
	}
	plot_meta_legend(meta, "throughput", m, nb, NULL);
	if (nb > 0) {
		/* the dash type of each line again, by the name scripts written before the legend arrays use */
		fprintf(meta, "array throughput_workload[%zu] = [", nb);
		for (size_t b = 0; b < nb; b++)
			fprintf(meta, "%s%u", b ? ", " : "", m->series[m->blocks[b]].dash);
		fputs("]\n", meta);
	}
	/* The y range (a log axis: values above 0; a lock that acquired nothing falls below it). */
	if (!isfinite(ymin))
		ymin = 1, ymax = 10;
	fprintf(meta, "throughput_min_per_s = %.10g\nthroughput_max_per_s = %.10g\n", ymin, ymax);
	return plot_table_end(f, m, "throughput.dat", "throughput", err, errlen);
}

/* Whether a point has a p99 or a p99.9 to show. */
static bool has_tail(const struct plot_point *p)
{
	double med, lo, hi;
	size_t n;
	bool reached;
	config_stat(p, LB_M_P99, &med, &lo, &hi, &n, &reached);
	if (isfinite(med))
		return true;
	config_stat(p, LB_M_P999, &med, &lo, &hi, &n, &reached);
	return isfinite(med);
}

/* p99 and p99.9 of the wait against threads: the tail a lock gives its waiters as contention grows. */
static int write_tail(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const struct plot_series *se = &m->series[s];
		bool any = false;
		for (size_t i = 0; i < se->npoints && !any; i++)
			any = has_tail(&m->points[se->first + i]);
		if (any)
			m->blocks[nb++] = s;
	}
	plot_meta_legend(meta, "tail", m, nb, NULL);
	if (nb == 0) {
		plot_note(m, "tail: no wait percentiles in %s (timing off); no tail chart", m->source);
		return 0;
	}
	FILE *f = plot_table_begin(
		dir, m, "tail.dat", "p99 and p99.9 of the acquisition wait against thread count", false,
		"# median and 95% CI of the median over the ok repetitions (config.summary.p99_ns, p999_ns; with\n"
		"# fewer than 6 repetitions the CI is [min, max]); NaN where nothing was timed\n"
		"# threads  p99_ns  p99_ci95_low_ns  p99_ci95_high_ns  p999_ns  p999_ci95_low_ns  p999_ci95_high_ns  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	/* The y range of both panels: every value above 0 (a log axis), found here rather than by gnuplot's
	 * stats, which fail on a column of nothing but NaN. */
	double ymin = INFINITY, ymax = 0;
	for (size_t b = 0; b < nb; b++) {
		const struct plot_series *se = &m->series[m->blocks[b]];
		if (b > 0)
			fputs("\n\n", f);
		plot_comment(f, "block %zu: %s (lock %s, workload %s)", b, se->label, se->lock_key, se->wl_key);
		for (size_t i = 0; i < se->npoints; i++) {
			const struct plot_point *p = &m->points[se->first + i];
			fprintf(f, "%u", p->config->threads);
			static const enum lb_metric_id k[] = { LB_M_P99, LB_M_P999 };
			for (size_t j = 0; j < 2; j++) {
				double v[3];
				size_t n;
				bool reached;
				config_stat(p, k[j], &v[0], &v[1], &v[2], &n, &reached);
				for (size_t c = 0; c < 3; c++) {
					plot_num(f, v[c]);
					if (isfinite(v[c]) && v[c] > 0)
						ymin = fmin(ymin, v[c]), ymax = fmax(ymax, v[c]);
				}
			}
			fprintf(f, " %u\n", se->rgb);
		}
	}
	if (!isfinite(ymin))
		ymin = ymax = 1;
	fprintf(meta, "tail_ns_min = %.10g\ntail_ns_max = %.10g\n", ymin, ymax);
	return plot_table_end(f, m, "tail.dat", "tail", err, errlen);
}

static void repetition_suffix(const struct plot_model *m, size_t b, char *buf, size_t len)
{
	snprintf(buf, len, " (repetition %u)", plot_pick_of(m, b)->repetition + 1);
}

static int write_latency(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	char skipped[1024] = "";
	for (size_t s = 0; s < m->nseries; s++) {
		if (m->series[s].pick == NULL)
			continue;
		if (m->series[s].pick->median->curve.n > 0)
			m->blocks[nb++] = s;
		else
			plot_append(skipped, sizeof skipped, "%s%s", skipped[0] ? ", " : "", m->series[s].label);
	}
	plot_gp_wrapped(meta, "latency_skipped", skipped, 120);
	plot_meta_legend(meta, "latency", m, nb, repetition_suffix);
	plot_meta_sample_array(meta, "latency_repetition", m, nb, repetition_of);
	/* Said on the terminal too: a missing chart must not go unnoticed (make plots, make bench). */
	if (skipped[0] != '\0')
		plot_note(m, "latency: %s at %u threads: no latency curve (timing off); %s", skipped, m->threads,
			  nb ? "left out of the latency chart" : "no latency chart");
	if (nb == 0)
		return 0;
	FILE *f = plot_table_begin(
		dir, m, "latency.dat", "acquisition latency (wait) percentiles", true,
		"# from samples[].latency_curve of the repetition with the median throughput; percentiles finer\n"
		"# than one timed acquisition (1/(1-p) > latency_ns.count) and p = 100 (x infinite) are left out\n"
		"# percentile  one_over_1_minus_p  wait_ns  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *smp = plot_pick_of(m, b);
		double count = smp->latency.present ? (double)smp->latency.count : NAN;
		size_t npts = smp->curve.n < LB_CURVE_MAX ? smp->curve.n : LB_CURVE_MAX;
		plot_block_comment(f, m, b);
		for (size_t i = 0; i < npts; i++) {
			double p = smp->curve.pct[i], x = 100.0 / (100.0 - p);
			if (!(p >= 0 && p < 100) || (isfinite(count) && x > count * (1 + 1e-9)))
				continue;
			fprintf(f, "%.10g", p);
			plot_num(f, x);
			plot_num(f, smp->curve.ns[i]);
			fprintf(f, " %u\n", m->series[m->blocks[b]].rgb);
		}
	}
	return plot_table_end(f, m, "latency.dat", "latency", err, errlen);
}

static const char *or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

/*
 * The titles every chart of a result shares, wrapped to the canvas: a
 * chart's own first line (its script's), then `subtitle[]` (workload,
 * machine, run) at font size 10 and `foot[]` (file, version, date) at 8.
 * 120 and 150 characters stay inside 1000 px at those sizes (6.6 and 5.3
 * px a character, on the roomy side: plots/common.gp).
 */
static void write_result_meta(FILE *f, const struct plot_model *m)
{
	const struct lb_context *ctx = &m->result->context;
	const struct lb_run_options *opt = &ctx->options;
	char wl[1024], machine[1024], run[1024], footer[1024], a[32], b[32], all[3200];
	plot_comment(f, "meta.gp (lockbench plot, from %s): gnuplot assignments every chart script loads:", m->source);
	fputs("# titles, the PU count, the thread count of the per-thread charts, and per chart its legend\n"
	      "# and per block the figures the chart prints (see docs/charts.md)\n",
	      f);
	plot_gp_assign(f, "kind", "result");
	plot_gp_assign(f, "source", m->source);
	/* One workload in full; several by what tells them apart (the .dat block comments have them in full). */
	wl[0] = '\0';
	for (size_t w = 0; w < m->nwls; w++)
		plot_append(wl, sizeof wl, "%s%s", w ? ", " : "", m->nwls > 1 ? m->wl_labels + w * 256 : m->wl_keys[w]);
	plot_gp_assign(f, "workload", wl);

	snprintf(machine, sizeof machine, "%s, %s, %u PU%s", or(ctx->host, "unknown host"),
		 or(ctx->cpu_model, "unknown CPU"), m->pus, m->pus == 1 ? "" : "s");
	if (ctx->topo_pus > m->pus)
		plot_append(machine, sizeof machine, " allowed of %u", ctx->topo_pus);
	if (m->by_machine && ctx->nmachines > 1) {
		/* A merged result: every machine by name (the context above is only the first's). */
		snprintf(machine, sizeof machine, "%zu machines:", ctx->nmachines);
		for (size_t i = 0; i < ctx->nmachines; i++)
			plot_append(machine, sizeof machine, "%s %s", i ? "," : "", ctx->machines[i].name);
	}
	plot_gp_assign(f, "machine", machine);

	char timing[32];
	lb_timing_mode_name(opt->timing_sample_every, timing, sizeof timing);
	lb_human_ns((double)opt->duration_ns, a, sizeof a);
	lb_human_ns((double)opt->warmup_ns, b, sizeof b);
	long long reps = opt->repeat > 0 ? (long long)opt->repeat : 1;
	snprintf(run, sizeof run, "%s window, %s warm-up, %lld repetition%s, pin %s, timing %s", a, b, reps,
		 reps == 1 ? "" : "s", or(opt->pin, "?"), timing);
	plot_gp_assign(f, "run", run);
	snprintf(footer, sizeof footer, "%s, lockbench %s (%s), %s", m->source, or(ctx->version, "?"),
		 or(ctx->git_commit, "?"), or(ctx->started_utc, "?"));
	plot_gp_assign(f, "footer", footer);
	snprintf(all, sizeof all, "workload %s  |  %s  |  %s", wl, machine, run);
	plot_gp_wrapped(f, "subtitle", all, 120);
	plot_gp_wrapped(f, "foot", footer, 150);
	fprintf(f, "pus = %u\nthreads = %u\n", m->pus, m->threads);
}

/*
 * The charts of a result, in the order a report shows them. A chart of the
 * scheduler-bound and unsteady regimes (when results classify their runs)
 * joins as one more writer here and one script in plots/.
 */
static int (*const writers[])(const char *, struct plot_model *, FILE *, char *, size_t) = {
	write_throughput, write_tail, write_latency, plot_write_fairness, plot_write_timeline, plot_write_rw,
};

int plot_write_result(const char *dir, struct plot_model *m, char *err, size_t errlen)
{
	m->pus = plot_pus(&m->result->context);
	FILE *meta = plot_open(dir, "meta.gp", err, errlen);
	if (meta == NULL)
		return -1;
	write_result_meta(meta, m);
	int rc = 0;
	for (size_t i = 0; i < sizeof writers / sizeof writers[0] && rc == 0; i++)
		rc = writers[i](dir, m, meta, err, errlen);
	if (plot_close(meta, "meta.gp", err, errlen) != 0)
		rc = -1;
	return rc;
}
