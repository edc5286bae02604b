/*
 * render/table.c — the terminal table: fixed-width columns a human can scan
 * and a script can split on blanks; labels and messages are made one line
 * (a plug-in's name or a string parameter may hold a newline).
 *
 * A reader-writer run adds one line per role under its row: the role's
 * threads, throughput, p99 wait, Jain's index over the role's threads,
 * whether a thread starved in it, and for readers how many were inside
 * together:
 *
 *     read   3 thr      1.234 Mops/s  p99    1.2us  Jain 0.998  starved no       readers 3.10 (max 6)
 *     write  1 thr    0.01044 Mops/s  p99     45ms  Jain 1.000  starved YES(1)
 *
 * so a human scans it and a script greps `starved YES`.
 */
#include "render/table.h"

#include <inttypes.h>
#include <math.h>

#include "render/format.h"

static const char *label_of(const struct lb_config *c, char *buf, size_t len)
{
	return lb_one_line(c->label ? c->label : c->lock_name ? c->lock_name : "?", buf, len);
}

void lb_table_header(FILE *f)
{
	fprintf(f, "%-22s %7s %4s %10s %9s %9s %9s %6s %6s %8s %6s  %s\n", "lock", "threads", "rep", "Mops/s",
		"p50 wait", "p99 wait", "max wait", "Jain", "FF", "starved", "viol", "status");
}

static void role_line(FILE *f, const struct lb_sample *s, enum lb_sample_role r)
{
	const struct lb_role_figs *ro = &s->roles[r];
	char p99[32] = "-", starved[16] = "no";
	if (ro->latency.present)
		lb_human_ns(ro->latency.p99, p99, sizeof p99);
	if (ro->starved)
		snprintf(starved, sizeof starved, "YES(%zu)", ro->nstarved_threads);
	double mops = isfinite(ro->throughput_per_s) ? ro->throughput_per_s / 1e6 : 0;
	bool conc = ro->has_concurrency && isfinite(ro->concurrency_mean);
	fprintf(f, "    %-5s %2u thr %10.4g Mops/s  p99 %8s  Jain %5.3f  starved %-*s", lb_sample_role_name(r), ro->threads,
		mops, p99, ro->fairness.jain, conc ? 7 : 0, starved);
	if (conc)
		fprintf(f, "  readers %.2f (max %" PRIu64 ")", ro->concurrency_mean, ro->concurrency_max);
	fputc('\n', f);
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
	fprintf(f, "%-22s %7u %4u %10.4g %9s %9s %9s %6.3f %6.3f %8s %6" PRIu64 "  %s%s%s\n", label_of(c, label, sizeof label),
		c->threads, s->repetition + 1, mops, p50, p99, mx, jain, ff, starved, s->violations,
		lb_result_status_name(s->status), s->message ? ": " : "", lb_one_line(s->message, msg, sizeof msg));
	for (int r = 0; s->has_roles && r < LB_SR_COUNT; r++)
		if (s->roles[r].threads > 0)
			role_line(f, s, (enum lb_sample_role)r);
	fflush(f);
}

/* Under a reader-writer config's summary line: each role's medians and whether it starved. */
static void role_summary(FILE *f, const struct lb_summary *sum)
{
	static const struct {
		enum lb_sample_role role;
		enum lb_metric_id tp, p99, jain;
	} rows[] = {
		{ LB_SR_READ, LB_M_READ_THROUGHPUT, LB_M_READ_P99, LB_M_READ_JAIN },
		{ LB_SR_WRITE, LB_M_WRITE_THROUGHPUT, LB_M_WRITE_P99, LB_M_WRITE_JAIN },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct lb_stat *tp = &sum->stat[rows[i].tp];
		char t[64], p99[32] = "-";
		if (tp->n == 0)
			continue;
		snprintf(t, sizeof t, "%.4g [%.4g, %.4g]", tp->median / 1e6, tp->ci95_low / 1e6, tp->ci95_high / 1e6);
		if (sum->stat[rows[i].p99].n > 0)
			lb_human_ns(sum->stat[rows[i].p99].median, p99, sizeof p99);
		bool starved = rows[i].role == LB_SR_READ ? sum->reader_starved : sum->writer_starved;
		fprintf(f, "    %-18s %7s %24s %9s %9s %6.3f %6s %8s\n", lb_sample_role_name(rows[i].role), "", t, p99, "",
			sum->stat[rows[i].jain].median, "", starved ? "YES" : "no");
	}
}

void lb_table_summary(FILE *f, const struct lb_result *r)
{
	fprintf(f, "\nsummary (median of repetitions, [95%% CI of the median; min, max with fewer than 6])\n");
	fprintf(f, "%-22s %7s %24s %9s %9s %6s %6s %8s %6s\n", "lock", "threads", "Mops/s", "p99 wait", "max wait",
		"Jain", "FF", "starved", "status");
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		const struct lb_stat *st = c->summary.stat;
		char tp[64], p99[32], mx[32], label[256];
		snprintf(tp, sizeof tp, "%.4g [%.4g, %.4g]", st[LB_M_THROUGHPUT].median / 1e6,
			 st[LB_M_THROUGHPUT].ci95_low / 1e6, st[LB_M_THROUGHPUT].ci95_high / 1e6);
		lb_human_ns(st[LB_M_P99].median, p99, sizeof p99);
		lb_human_ns(st[LB_M_MAX_WAIT].median, mx, sizeof mx);
		fprintf(f, "%-22s %7u %24s %9s %9s %6.3f %6.3f %8s %6s\n", label_of(c, label, sizeof label), c->threads, tp,
			p99, mx, st[LB_M_JAIN].median, st[LB_M_FAIRNESS_FACTOR].median, c->summary.starved ? "YES" : "no",
			lb_result_status_name(c->status));
		if (c->summary.has_roles)
			role_summary(f, &c->summary);
	}
}
