/*
 * render/plot_fair.c — the fairness chart's tables: how each lock shares
 * its acquisitions among threads, beside how many acquisitions there were.
 *
 * Up to PLOT_BARS_MAX_THREADS threads (and PLOT_BARS_MAX_LOCKS locks, one
 * small panel each) a bar per thread says which thread got what
 * (fairness.dat). Beyond, bars would make the chart grow with the
 * thread count (14,607 px at 1,024 threads), so each lock becomes one
 * Lorenz curve instead (lorenz.dat): threads sorted from the fewest
 * acquisitions up, x the fraction of threads, y the share of all
 * acquisitions they took together. The diagonal is perfect fairness; the
 * further a curve sags below it, the more a few threads took; Jain's index
 * and the fairness factor go into the legend. Either view has a fixed size.
 *
 * Fairness alone flatters a lock that collapsed: ticket at 8 threads on 2
 * PUs hands over in strict turn, Jain 1.0, with 66 acquisitions in all. So
 * balance.dat puts each lock's throughput beside its Jain's index, and the
 * chart draws them as one scatter next to the fairness view, with the line
 * under which a lock did less than 1% of the best one's acquisitions.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/plot_int.h"

#define PLOT_BARS_MAX_THREADS 16
/* Beyond this many locks the small panels of bars would make the chart grow; Lorenz curves do not. */
#define PLOT_BARS_MAX_LOCKS 24
/* A lock under this fraction of the best throughput at that thread count is marked a collapse. */
#define PLOT_COLLAPSE_FRACTION 0.01

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

static double throughput_of(const struct lb_sample *s)
{
	return s->has_figures ? s->throughput_per_s : NAN;
}

static void fairness_suffix(const struct plot_model *m, size_t b, char *buf, size_t len)
{
	const struct lb_sample *s = plot_pick_of(m, b);
	if (s->has_fairness)
		snprintf(buf, len, "  Jain %.3f  FF %.3f", s->fairness.jain, s->fairness.fairness_factor);
	else
		buf[0] = '\0';
}

static int write_bars(const char *dir, struct plot_model *m, size_t nb, char *err, size_t errlen)
{
	FILE *f = plot_table_begin(
		dir, m, "fairness.dat", "each thread's share of the acquisitions", true,
		"# from samples[].threads[] of the repetition with the median throughput; fair_pct = 100/threads\n"
		"# thread  share_pct  acquisitions  fair_pct  starved  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *smp = plot_pick_of(m, b);
		double total = 0;
		plot_block_comment(f, m, b);
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
	return plot_close(f, "fairness.dat", err, errlen);
}

static int by_count(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

static int write_lorenz(const char *dir, struct plot_model *m, size_t nb, char *err, size_t errlen)
{
	FILE *f = plot_table_begin(
		dir, m, "lorenz.dat", "the Lorenz curve of the acquisitions over threads", true,
		"# from samples[].threads[] of the repetition with the median throughput: threads sorted from the\n"
		"# fewest acquisitions up; the first k of n hold cumulative_share_pct of all acquisitions. The\n"
		"# diagonal (fraction 0.5 holds 50%) is perfect fairness; each block starts at 0 0\n"
		"# fraction_of_threads  cumulative_share_pct  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	int rc = 0;
	for (size_t b = 0; b < nb && rc == 0; b++) {
		const struct lb_sample *smp = plot_pick_of(m, b);
		uint64_t *counts = plot_alloc_n(smp->nthreads, sizeof *counts);
		if (counts == NULL) {
			snprintf(err, errlen, "out of memory");
			rc = -1;
			break;
		}
		double total = 0, sum = 0;
		for (size_t i = 0; i < smp->nthreads; i++)
			counts[i] = smp->threads[i].acquisitions, total += (double)counts[i];
		qsort(counts, smp->nthreads, sizeof *counts, by_count);
		unsigned rgb = m->series[m->blocks[b]].rgb;
		plot_block_comment(f, m, b);
		fprintf(f, "0 0 %u\n", rgb);
		for (size_t i = 0; i < smp->nthreads; i++) {
			sum += (double)counts[i];
			fprintf(f, "%.10g", (double)(i + 1) / (double)smp->nthreads);
			plot_num(f, total > 0 ? 100.0 * sum / total : NAN);
			fprintf(f, " %u\n", rgb);
		}
		free(counts);
	}
	if (plot_close(f, "lorenz.dat", err, errlen) != 0)
		rc = -1;
	return rc;
}

/* One row per lock: its throughput beside its fairness, for the scatter of the fairness chart. */
static int write_balance(const char *dir, struct plot_model *m, size_t nb, double best, char *err, size_t errlen)
{
	FILE *f = plot_table_begin(
		dir, m, "balance.dat", "throughput beside fairness", true,
		"# one row per lock, in legend order, from the repetition with the median throughput;\n"
		"# of_best = throughput / the best lock's at this thread count; collapsed = of_best < 0.01\n"
		"# throughput_per_s  jain  fairness_factor  acquisitions  of_best  collapsed  rgb  pt\n",
		err, errlen);
	if (f == NULL)
		return -1;
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *s = plot_pick_of(m, b);
		const struct plot_series *se = &m->series[m->blocks[b]];
		double of_best = best > 0 ? s->throughput_per_s / best : NAN;
		fprintf(f, "%.10g", s->throughput_per_s);
		plot_num(f, jain_of(s));
		plot_num(f, ff_of(s));
		plot_num(f, acquisitions_of(s));
		plot_num(f, of_best);
		fprintf(f, " %d %u %d\n", of_best < PLOT_COLLAPSE_FRACTION, se->rgb, se->pt);
	}
	return plot_close(f, "balance.dat", err, errlen);
}

int plot_write_fairness(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	double best = 0;
	for (size_t s = 0; s < m->nseries; s++)
		if (m->series[s].pick != NULL && m->series[s].pick->median->nthreads > 0)
			m->blocks[nb++] = s;
	/* The ranges the chart needs, here rather than with gnuplot's stats, which fails on a lock that
	 * acquired nothing (shares undefined, throughput 0 on a log axis). */
	double lo = INFINITY, share_max = 100.0 / (m->threads ? m->threads : 1);
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *smp = plot_pick_of(m, b);
		double t = smp->throughput_per_s;
		best = fmax(best, t);
		if (t > 0)
			lo = fmin(lo, t);
		if (smp->acquisitions > 0)
			for (size_t i = 0; i < smp->nthreads; i++)
				share_max = fmax(share_max, 100.0 * (double)smp->threads[i].acquisitions /
								     (double)smp->acquisitions);
	}
	bool bars = m->threads <= PLOT_BARS_MAX_THREADS && nb <= PLOT_BARS_MAX_LOCKS;
	snprintf(m->rep->fairness_view, sizeof m->rep->fairness_view, "%s", bars ? "bars" : "lorenz");
	plot_gp_assign(meta, "fairness_view", bars ? "bars" : "lorenz");
	fprintf(meta, "fairness_best_per_s = %.10g\nfairness_collapse = %g\n", best, PLOT_COLLAPSE_FRACTION);
	/* The slowest lock above 0 (a lock at 0 is drawn at the left edge), the largest share of a thread. */
	fprintf(meta, "fairness_lowest_per_s = %.10g\nfairness_share_max_pct = %.10g\n",
		isfinite(lo) ? lo : (best > 0 ? best : 1), share_max);
	plot_meta_legend(meta, "fairness", m, nb, fairness_suffix);
	plot_meta_sample_array(meta, "fairness_repetition", m, nb, repetition_of);
	plot_meta_sample_array(meta, "fairness_jain", m, nb, jain_of);
	plot_meta_sample_array(meta, "fairness_factor", m, nb, ff_of);
	plot_meta_sample_array(meta, "fairness_acquisitions", m, nb, acquisitions_of);
	plot_meta_sample_array(meta, "fairness_throughput", m, nb, throughput_of);
	if (nb == 0)
		return 0;
	if ((bars ? write_bars(dir, m, nb, err, errlen) : write_lorenz(dir, m, nb, err, errlen)) != 0 ||
	    write_balance(dir, m, nb, best, err, errlen) != 0)
		return -1;
	plot_add_chart(m, "fairness");
	return 0;
}
