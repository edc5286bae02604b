/*
 * render/table.c — the terminal table: fixed-width columns a human can scan
 * and a script can split on blanks; labels and messages are made one line
 * (a plug-in's name or a string parameter may hold a newline).
 */
#include "render/table.h"

#include <inttypes.h>
#include <math.h>
#include <stdbool.h>

#include "render/format.h"

static const char *label_of(const struct lb_config *c, char *buf, size_t len)
{
	return lb_one_line(c->label ? c->label : c->lock_name ? c->lock_name : "?", buf, len);
}

/*
 * The regime in one word (analysis/regime.h): steady or unsteady ("-": too
 * short to tell), and ",sched" when hand-offs waited for the scheduler.
 */
static const char *regime_of(bool known, bool steady, bool sched, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", known ? (steady ? "steady" : "unsteady") : "-", sched ? ",sched" : "");
	return buf;
}

void lb_table_header(FILE *f)
{
	fprintf(f, "%-22s %7s %4s %10s %9s %9s %9s %6s %6s %8s %6s %-14s  %s\n", "lock", "threads", "rep", "Mops/s",
		"p50 wait", "p99 wait", "max wait", "Jain", "FF", "starved", "viol", "regime", "status");
}

void lb_table_row(FILE *f, const struct lb_config *c, const struct lb_sample *s)
{
	char p50[32] = "-", p99[32] = "-", mx[32] = "-", starved[16], label[256], msg[512];
	if (s->latency.present) {
		lb_human_ns(s->latency.p50, p50, sizeof p50);
		lb_human_ns(s->latency.p99, p99, sizeof p99);
		lb_human_ns(s->latency.max, mx, sizeof mx);
	}
	size_t nstarved = s->has_starvation ? s->starvation.nstarved_threads : 0;
	snprintf(starved, sizeof starved, nstarved ? "YES(%zu)" : "no", nstarved);
	double mops = s->has_figures && isfinite(s->throughput_per_s) ? s->throughput_per_s / 1e6 : 0;
	/* A run without figures (hung) shows 0, as the engine's zeroed figures always did. */
	double jain = s->has_fairness ? s->fairness.jain : 0, ff = s->has_fairness ? s->fairness.fairness_factor : 0;
	const struct lb_regime *rg = &s->regime;
	char regime[32];
	regime_of(s->has_regime && rg->has_steady, rg->steady, s->has_regime && rg->has_scheduler_bound && rg->scheduler_bound,
		  regime, sizeof regime);
	fprintf(f, "%-22s %7u %4u %10.4g %9s %9s %9s %6.3f %6.3f %8s %6" PRIu64 " %-14s  %s%s%s\n",
		label_of(c, label, sizeof label), c->threads, s->repetition + 1, mops, p50, p99, mx, jain, ff, starved,
		s->violations, regime, lb_result_status_name(s->status), s->message ? ": " : "",
		lb_one_line(s->message, msg, sizeof msg));
	fflush(f);
}

void lb_table_summary(FILE *f, const struct lb_result *r)
{
	fprintf(f, "\nsummary (median of repetitions, [95%% CI of the median; min, max with fewer than 6])\n");
	fprintf(f, "%-22s %7s %24s %9s %9s %6s %6s %8s %-14s %6s\n", "lock", "threads", "Mops/s", "p99 wait",
		"max wait", "Jain", "FF", "starved", "regime", "status");
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		const struct lb_stat *st = c->summary.stat;
		char tp[64], p99[32], mx[32], label[256];
		snprintf(tp, sizeof tp, "%.4g [%.4g, %.4g]", st[LB_M_THROUGHPUT].median / 1e6,
			 st[LB_M_THROUGHPUT].ci95_low / 1e6, st[LB_M_THROUGHPUT].ci95_high / 1e6);
		lb_human_ns(st[LB_M_P99].median, p99, sizeof p99);
		lb_human_ns(st[LB_M_MAX_WAIT].median, mx, sizeof mx);
		/* A config is steady when no repetition was labelled unsteady, and needs one that was labelled. */
		bool known = false;
		for (size_t k = 0; k < c->nsamples; k++)
			known |= c->samples[k].has_regime && c->samples[k].regime.has_steady;
		char regime[32];
		regime_of(known, !c->summary.unsteady, c->summary.scheduler_bound, regime, sizeof regime);
		fprintf(f, "%-22s %7u %24s %9s %9s %6.3f %6.3f %8s %-14s %6s\n", label_of(c, label, sizeof label),
			c->threads, tp, p99, mx, st[LB_M_JAIN].median, st[LB_M_FAIRNESS_FACTOR].median,
			c->summary.starved ? "YES" : "no", regime, lb_result_status_name(c->status));
	}
}
