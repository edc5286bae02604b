/*
 * model/metric.c — the headline metrics: one table for the summaries `run`
 * writes, the terminal table, compare's --metric and the charts.
 *
 * A getter returns NAN when the sample has no such figure (nothing timed,
 * no ping-pong at one thread, a group an older result lacks): summaries and
 * compare then leave that sample out of that metric.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "model/model.h"

static double throughput(const struct lb_sample *s)
{
	return s->has_figures ? s->throughput_per_s : NAN;
}

#define LATENCY_GETTER(field)                                          \
	static double latency_##field(const struct lb_sample *s)       \
	{                                                              \
		return s->latency.present ? s->latency.field : NAN;    \
	}
LATENCY_GETTER(mean)
LATENCY_GETTER(p50)
LATENCY_GETTER(p90)
LATENCY_GETTER(p99)
LATENCY_GETTER(p999)
LATENCY_GETTER(p9999)
LATENCY_GETTER(max)

static double jain(const struct lb_sample *s)
{
	return s->has_fairness ? s->fairness.jain : NAN;
}

static double fairness_factor(const struct lb_sample *s)
{
	return s->has_fairness ? s->fairness.fairness_factor : NAN;
}

static double handover_ratio(const struct lb_sample *s)
{
	return s->has_short_term ? s->short_term.handover_ratio : NAN;
}

static double longest_gap(const struct lb_sample *s)
{
	return s->has_starvation ? (double)s->starvation.longest_gap_ns : NAN;
}

static double pingpong(const struct lb_sample *s)
{
	return s->has_figures ? s->pingpong_ns : NAN;
}

static double role_throughput(const struct lb_sample *s, enum lb_sample_role r)
{
	return s->has_roles ? s->roles[r].throughput_per_s : NAN;
}

static double role_p99(const struct lb_sample *s, enum lb_sample_role r)
{
	return s->has_roles && s->roles[r].latency.present ? s->roles[r].latency.p99 : NAN;
}

/* Jain's index over the role's threads; undefined for a role nobody tried. */
static double role_jain(const struct lb_sample *s, enum lb_sample_role r)
{
	return s->has_roles && s->roles[r].threads > 0 ? s->roles[r].fairness.jain : NAN;
}

static double read_throughput(const struct lb_sample *s) { return role_throughput(s, LB_SR_READ); }
static double write_throughput(const struct lb_sample *s) { return role_throughput(s, LB_SR_WRITE); }
static double read_p99(const struct lb_sample *s) { return role_p99(s, LB_SR_READ); }
static double write_p99(const struct lb_sample *s) { return role_p99(s, LB_SR_WRITE); }
static double read_jain(const struct lb_sample *s) { return role_jain(s, LB_SR_READ); }
static double write_jain(const struct lb_sample *s) { return role_jain(s, LB_SR_WRITE); }

static double read_concurrency(const struct lb_sample *s)
{
	return s->has_roles && s->roles[LB_SR_READ].has_concurrency ? s->roles[LB_SR_READ].concurrency_mean : NAN;
}

static double max_bypass(const struct lb_sample *s)
{
	return s->has_starvation && s->starvation.has_max_bypass ? (double)s->starvation.max_bypass : NAN;
}

static double hold_p50(const struct lb_sample *s)
{
	return s->hold.present ? s->hold.p50 : NAN;
}

static double hold_p99(const struct lb_sample *s)
{
	return s->hold.present ? s->hold.p99 : NAN;
}

static double handoff_p50(const struct lb_sample *s)
{
	return s->handoff.present ? s->handoff.p50 : NAN;
}

static double handoff_p99(const struct lb_sample *s)
{
	return s->handoff.present ? s->handoff.p99 : NAN;
}

static double starved(const struct lb_sample *s)
{
	return s->has_starvation ? (s->starvation.starved ? 1.0 : 0.0) : NAN;
}

/*
 * Whether a run was bound by the scheduler rather than by the lock (hand-offs
 * tracking context switches). The sample carries that flag once the engine
 * measures it: model.h then defines LB_SAMPLE_SCHEDULER_BOUND(s) as the
 * flag's value (1, 0, or NAN when the sample lacks it). Until then no sample
 * has it, and a row asking for it is n/a.
 */
static double scheduler_bound(const struct lb_sample *s)
{
#ifdef LB_SAMPLE_SCHEDULER_BOUND
	return LB_SAMPLE_SCHEDULER_BOUND(s);
#else
	(void)s;
	return NAN;
#endif
}

/*
 * In lb_metric_id order; the summary keys in the order `run` has always
 * written them (the gate's metrics, added later, have none: the result
 * format stays as it was). The bad direction: less throughput and fairness
 * (Jain, hand-overs); more of every latency (wait, hold, hand-off), of the
 * fairness factor (share of the busier half), of the longest gap and of
 * bypasses; a flag set. The last two fields: roles (a reader-writer metric),
 * flag (a yes/no figure, see model.h).
 */
const struct lb_metric lb_metrics[LB_M_COUNT] = {
	{ LB_M_THROUGHPUT, "throughput", "throughput_per_s", "per_s", true, throughput, false, false },
	{ LB_M_MEAN, "mean", NULL, "ns", false, latency_mean, false, false },
	{ LB_M_P50, "p50", "p50_ns", "ns", false, latency_p50, false, false },
	{ LB_M_P90, "p90", NULL, "ns", false, latency_p90, false, false },
	{ LB_M_P99, "p99", "p99_ns", "ns", false, latency_p99, false, false },
	{ LB_M_P999, "p999", "p999_ns", "ns", false, latency_p999, false, false },
	{ LB_M_P9999, "p9999", NULL, "ns", false, latency_p9999, false, false },
	{ LB_M_MAX_WAIT, "max", "max_wait_ns", "ns", false, latency_max, false, false },
	{ LB_M_JAIN, "jain", "jain", "", true, jain, false, false },
	{ LB_M_FAIRNESS_FACTOR, "fairness_factor", "fairness_factor", "", false, fairness_factor, false, false },
	{ LB_M_HANDOVER_RATIO, "handover_ratio", "handover_ratio", "", true, handover_ratio, false, false },
	{ LB_M_LONGEST_GAP, "longest_gap", "longest_gap_ns", "ns", false, longest_gap, false, false },
	{ LB_M_PINGPONG, "pingpong", "pingpong_ns", "ns", false, pingpong, false, false },
	{ LB_M_READ_THROUGHPUT, "read_throughput", "read_throughput_per_s", "per_s", true, read_throughput, true, false },
	{ LB_M_WRITE_THROUGHPUT, "write_throughput", "write_throughput_per_s", "per_s", true, write_throughput, true, false },
	{ LB_M_READ_P99, "read_p99", "read_p99_ns", "ns", false, read_p99, true, false },
	{ LB_M_WRITE_P99, "write_p99", "write_p99_ns", "ns", false, write_p99, true, false },
	{ LB_M_READ_JAIN, "read_jain", "read_jain", "", true, read_jain, true, false },
	{ LB_M_WRITE_JAIN, "write_jain", "write_jain", "", true, write_jain, true, false },
	{ LB_M_READ_CONCURRENCY, "read_concurrency", "read_concurrency", "", true, read_concurrency, true, false },
	{ LB_M_MAX_BYPASS, "max_bypass", NULL, "", false, max_bypass, false, false },
	{ LB_M_HOLD_P50, "hold_p50", NULL, "ns", false, hold_p50, false, false },
	{ LB_M_HOLD_P99, "hold_p99", NULL, "ns", false, hold_p99, false, false },
	{ LB_M_HANDOFF_P50, "handoff_p50", NULL, "ns", false, handoff_p50, false, false },
	{ LB_M_HANDOFF_P99, "handoff_p99", NULL, "ns", false, handoff_p99, false, false },
	{ LB_M_STARVED, "starved", NULL, "", false, starved, false, true },
	{ LB_M_SCHEDULER_BOUND, "scheduler_bound", NULL, "", false, scheduler_bound, false, true },
};

/* What --metric takes besides single names: what the suite is for, one word each. */
const struct lb_metric_group lb_metric_groups[] = {
	{ "fairness", "jain,fairness_factor", "Jain's index, fairness factor" },
#ifdef LB_SAMPLE_SCHEDULER_BOUND
	{ "starvation", "starved,scheduler_bound,longest_gap,max", "starved and scheduler-bound flags, longest gap, max wait" },
#else
	{ "starvation", "starved,longest_gap,max", "starved flag, longest gap, max wait" },
#endif
	{ "tail", "p99,p999", "wait p99 and p99.9" },
	{ "hold", "hold_p50,hold_p99,handoff_p50,handoff_p99", "hold and hand-off times" },
	{ "all", NULL, "every metric" },
	{ NULL, NULL, NULL },
};

const char *lb_metric_group(const char *name)
{
	static char all[1024];

	for (size_t i = 0; lb_metric_groups[i].name; i++) {
		if (strcmp(lb_metric_groups[i].name, name) != 0)
			continue;
		if (lb_metric_groups[i].metrics)
			return lb_metric_groups[i].metrics;
		if (!all[0])
			for (size_t k = 0; k < LB_M_COUNT; k++)
				snprintf(all + strlen(all), sizeof(all) - strlen(all), "%s%s", k ? "," : "",
					 lb_metrics[k].name);
		return all;
	}
	return NULL;
}

const char *lb_sample_role_name(enum lb_sample_role r)
{
	return r == LB_SR_READ ? "read" : r == LB_SR_WRITE ? "write" : "?";
}

const struct lb_metric *lb_metric_find(const char *name)
{
	for (size_t i = 0; i < LB_M_COUNT; i++)
		if (strcmp(lb_metrics[i].name, name) == 0)
			return &lb_metrics[i];
	return NULL;
}
