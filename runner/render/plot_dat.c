/*
 * render/plot_dat.c — a result's tables and meta.gp, for the scripts in plots/.
 *
 * throughput.dat, latency.dat, fairness.dat and timeline.dat (and for a
 * reader-writer result rw.dat, plot_rw.c) are plain
 * whitespace tables whose first lines are `#` comments naming each column
 * with its unit; one block per series, blocks separated by two blank lines
 * (gnuplot's `index`). Beside them, meta.gp: plain gnuplot assignments
 * (titles, the PU count, the chosen thread count, per block a key title and
 * the figures the charts print) that every script loads. A lock's colour is
 * written into every row as a 24-bit integer for `lc rgb variable`.
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
	if (m->ncharts < PLOT_MAX_CHARTS)
		snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "%s", chart);
	return 0;
}

static const struct lb_sample *pick_of(const struct plot_model *m, size_t b)
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

static double jain_of(const struct lb_sample *s)
{
	return s->has_fairness ? s->fairness.jain : NAN;
}

static double ff_of(const struct lb_sample *s)
{
	return s->has_fairness ? s->fairness.fairness_factor : NAN;
}

static double acquisitions_of(const struct lb_sample *s)
{
	return s->has_figures ? (double)s->acquisitions : NAN;
}

static double slice_of(const struct lb_sample *s)
{
	return s->has_timing ? (double)s->timing_slice_ns : NAN;
}

/* array <name>[nb] of one figure of each block's picked sample. */
static void meta_sample_array(FILE *f, const char *name, const struct plot_model *m, size_t nb,
			      double (*get)(const struct lb_sample *))
{
	if (nb == 0)
		return;
	fprintf(f, "array %s[%zu] = [", name, nb);
	for (size_t b = 0; b < nb; b++) {
		double v = get(pick_of(m, b));
		fputs(b ? ", " : "", f);
		if (isfinite(v))
			fprintf(f, "%.10g", v);
		else
			fputs("NaN", f);
	}
	fputs("]\n", f);
}

/* The line above each block of a per-thread chart: which lock and which repetition. */
static void block_comment(FILE *f, const struct plot_model *m, size_t b)
{
	const struct plot_series *se = &m->series[m->blocks[b]];
	if (b > 0)
		fputs("\n\n", f);
	plot_comment(f, "block %zu: %s, repetition %u (the median throughput of %zu ok)", b, se->label,
		     se->pick->median->repetition, se->pick->nok);
}

/* One row of throughput.dat: the config's summary, or its median sample when it has none. */
static void throughput_row(FILE *f, const struct plot_point *p, unsigned rgb)
{
	const struct lb_config *c = p->config;
	const struct lb_stat *st = &c->summary.stat[LB_M_THROUGHPUT];
	double med = NAN, lo = NAN, hi = NAN;
	size_t reps = 0;
	bool reached = false;
	if (c->summary.present)
		med = st->median, lo = st->ci95_low, hi = st->ci95_high, reps = st->n, reached = st->ci95_reached;
	if (!isfinite(med) || reps < 1) {
		med = lo = hi = p->median->throughput_per_s;
		reps = 1;
		reached = false;
	}
	fprintf(f, "%u", c->threads);
	plot_num(f, med);
	plot_num(f, lo);
	plot_num(f, hi);
	fprintf(f, " %zu %d %d %u\n", reps, reached, c->oversubscribed, rgb);
}

static int write_throughput(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	FILE *f = plot_table_begin(
		dir, m, "throughput.dat", "acquisitions per second against thread count", false,
		"# median and 95% CI of the median over the ok repetitions (config.summary.throughput_per_s);\n"
		"# with fewer than 6 repetitions the CI is [min, max] (ci95_reached 0); a single sample is its own CI\n"
		"# threads  median_per_s  ci95_low_per_s  ci95_high_per_s  n  ci95_reached  oversubscribed  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const struct plot_series *se = &m->series[s];
		if (se->npoints == 0) {
			plot_note(m, "throughput: %s has no ok sample", se->label);
			continue;
		}
		if (nb > 0)
			fputs("\n\n", f);
		plot_comment(f, "block %zu: %s (lock %s, workload %s)", nb, se->label, se->lock_key, se->wl_key);
		for (size_t i = 0; i < se->npoints; i++)
			throughput_row(f, &m->points[se->first + i], se->rgb);
		m->blocks[nb++] = s;
	}
	plot_meta_blocks(meta, "throughput", m, nb);
	if (nb > 0) {
		/* the dash type of each line: one per workload and machine */
		fprintf(meta, "array throughput_workload[%zu] = [", nb);
		for (size_t b = 0; b < nb; b++)
			fprintf(meta, "%s%u", b ? ", " : "", m->series[m->blocks[b]].dash);
		fputs("]\n", meta);
	}
	return plot_table_end(f, m, "throughput.dat", "throughput", err, errlen);
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
	plot_gp_assign(meta, "latency_skipped", skipped);
	plot_meta_blocks(meta, "latency", m, nb);
	meta_sample_array(meta, "latency_repetition", m, nb, repetition_of);
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
		const struct lb_sample *smp = pick_of(m, b);
		double count = smp->latency.present ? (double)smp->latency.count : NAN;
		size_t npts = smp->curve.n < LB_CURVE_MAX ? smp->curve.n : LB_CURVE_MAX;
		block_comment(f, m, b);
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

static int write_fairness(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++)
		if (m->series[s].pick != NULL && m->series[s].pick->median->nthreads > 0)
			m->blocks[nb++] = s;
	plot_meta_blocks(meta, "fairness", m, nb);
	meta_sample_array(meta, "fairness_repetition", m, nb, repetition_of);
	meta_sample_array(meta, "fairness_jain", m, nb, jain_of);
	meta_sample_array(meta, "fairness_factor", m, nb, ff_of);
	meta_sample_array(meta, "fairness_acquisitions", m, nb, acquisitions_of);
	if (nb == 0)
		return 0;
	FILE *f = plot_table_begin(
		dir, m, "fairness.dat", "each thread's share of the acquisitions", true,
		"# from samples[].threads[] of the repetition with the median throughput; fair_pct = 100/threads\n"
		"# thread  share_pct  acquisitions  fair_pct  starved  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *smp = pick_of(m, b);
		double total = 0;
		block_comment(f, m, b);
		for (size_t i = 0; i < smp->nthreads; i++)
			total += (double)smp->threads[i].acquisitions;
		for (size_t i = 0; i < smp->nthreads; i++) {
			const struct lb_thread_figs *t = &smp->threads[i];
			fprintf(f, "%u", t->id);
			plot_num(f, total > 0 ? 100.0 * (double)t->acquisitions / total : NAN);
			plot_num(f, (double)t->acquisitions);
			plot_num(f, 100.0 / (double)smp->nthreads);
			fprintf(f, " %d %u\n", t->starved, m->series[m->blocks[b]].rgb);
		}
	}
	return plot_table_end(f, m, "fairness.dat", "fairness", err, errlen);
}

static int write_timeline(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const struct plot_point *p = m->series[s].pick;
		if (p != NULL && p->median->nthreads > 0 && p->median->threads[0].ntimeline > 0 && p->median->has_timing &&
		    p->median->timing_slice_ns > 0)
			m->blocks[nb++] = s;
	}
	plot_meta_blocks(meta, "timeline", m, nb);
	meta_sample_array(meta, "timeline_repetition", m, nb, repetition_of);
	meta_sample_array(meta, "timeline_slice_ns", m, nb, slice_of);
	if (nb == 0) {
		plot_note(m, "timeline: no per-thread timeline at %u threads; no timeline chart", m->threads);
		return 0;
	}
	FILE *f = plot_table_begin(
		dir, m, "timeline.dat", "acquisitions per thread per time slice", true,
		"# from samples[].threads[].timeline of the repetition with the median throughput; time from the\n"
		"# start of the measured window; a last slice less than half inside the window is left out;\n"
		"# within a block one scan per thread (time varies fastest), scans separated by one blank line\n"
		"# slice_start_ms  slice_end_ms  thread  acquisitions\n",
		err, errlen);
	if (f == NULL)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *smp = pick_of(m, b);
		double slice_ns = (double)smp->timing_slice_ns, window_ns = smp->duration_s * 1e9;
		block_comment(f, m, b);
		for (size_t i = 0; i < smp->nthreads; i++) {
			const struct lb_thread_figs *t = &smp->threads[i];
			if (i > 0)
				fputc('\n', f);
			for (size_t k = 0; k < t->ntimeline; k++) {
				double start = (double)k * slice_ns;
				if (isfinite(window_ns) && window_ns - start < slice_ns / 2)
					break;
				fprintf(f, "%.10g", start / 1e6);
				plot_num(f, (start + slice_ns) / 1e6);
				fprintf(f, " %u", t->id);
				plot_num(f, (double)t->timeline[k]);
				fputc('\n', f);
			}
		}
	}
	return plot_table_end(f, m, "timeline.dat", "timeline", err, errlen);
}

static const char *or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

/* The titles every chart of a result shares. */
static void write_result_meta(FILE *f, const struct plot_model *m)
{
	const struct lb_context *ctx = &m->result->context;
	const struct lb_run_options *opt = &ctx->options;
	char buf[1024], a[32], b[32];
	plot_comment(f, "meta.gp (lockbench plot, from %s): gnuplot assignments every chart script loads:", m->source);
	fputs("# titles, the PU count, the thread count of the per-thread charts, and per block of each\n"
	      "# .dat table its key title (<chart>_key) and figures (see README.md, Charts)\n",
	      f);
	plot_gp_assign(f, "kind", "result");
	plot_gp_assign(f, "source", m->source);
	/* One workload in full; several by what tells them apart (the .dat block comments have them in full). */
	buf[0] = '\0';
	for (size_t w = 0; w < m->nwls; w++)
		plot_append(buf, sizeof buf, "%s%s", w ? ", " : "", m->nwls > 1 ? m->wl_labels + w * 256 : m->wl_keys[w]);
	plot_gp_assign(f, "workload", buf);

	snprintf(buf, sizeof buf, "%s, %s, %u PU%s", or(ctx->host, "unknown host"), or(ctx->cpu_model, "unknown CPU"),
		 m->pus, m->pus == 1 ? "" : "s");
	if (ctx->topo_pus > m->pus)
		plot_append(buf, sizeof buf, " allowed of %u", ctx->topo_pus);
	if (m->by_machine && ctx->nmachines > 1) {
		/* A merged result: every machine by name (the context above is only the first's). */
		snprintf(buf, sizeof buf, "%zu machines:", ctx->nmachines);
		for (size_t i = 0; i < ctx->nmachines; i++)
			plot_append(buf, sizeof buf, "%s %s", i ? "," : "", ctx->machines[i].name);
	}
	plot_gp_assign(f, "machine", buf);

	char timing[32];
	if (opt->timing_sample_every == 0)
		snprintf(timing, sizeof timing, "off");
	else if (opt->timing_sample_every == 1)
		snprintf(timing, sizeof timing, "all");
	else
		snprintf(timing, sizeof timing, "sample:%lld", (long long)opt->timing_sample_every);
	lb_human_ns((double)opt->duration_ns, a, sizeof a);
	lb_human_ns((double)opt->warmup_ns, b, sizeof b);
	long long reps = opt->repeat > 0 ? (long long)opt->repeat : 1;
	snprintf(buf, sizeof buf, "%s window, %s warm-up, %lld repetition%s, pin %s, timing %s", a, b, reps,
		 reps == 1 ? "" : "s", or(opt->pin, "?"), timing);
	plot_gp_assign(f, "run", buf);
	snprintf(buf, sizeof buf, "%s, lockbench %s (%s), %s", m->source, or(ctx->version, "?"),
		 or(ctx->git_commit, "?"), or(ctx->started_utc, "?"));
	plot_gp_assign(f, "footer", buf);
	fprintf(f, "pus = %u\nthreads = %u\n", m->pus, m->threads);
}

int plot_write_result(const char *dir, struct plot_model *m, char *err, size_t errlen)
{
	m->pus = plot_pus(&m->result->context);
	FILE *meta = plot_open(dir, "meta.gp", err, errlen);
	if (meta == NULL)
		return -1;
	write_result_meta(meta, m);
	int rc = write_throughput(dir, m, meta, err, errlen);
	if (rc == 0)
		rc = write_latency(dir, m, meta, err, errlen);
	if (rc == 0)
		rc = write_fairness(dir, m, meta, err, errlen);
	if (rc == 0)
		rc = write_timeline(dir, m, meta, err, errlen);
	if (rc == 0)
		rc = plot_write_rw(dir, m, meta, err, errlen);
	if (plot_close(meta, "meta.gp", err, errlen) != 0)
		rc = -1;
	return rc;
}
