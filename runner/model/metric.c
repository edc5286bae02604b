/*
 * model/metric.c — the headline metrics: one table for the summaries `run`
 * writes, the terminal table, compare's --metric and the charts.
 *
 * A getter returns NAN when the sample has no such figure (nothing timed,
 * no ping-pong at one thread, a group an older result lacks): summaries and
 * compare then leave that sample out of that metric.
 */
#include <math.h>
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

/* In lb_metric_id order; the summary keys in the order `run` has always written them. */
const struct lb_metric lb_metrics[LB_M_COUNT] = {
	{ LB_M_THROUGHPUT, "throughput", "throughput_per_s", "per_s", true, throughput, false },
	{ LB_M_MEAN, "mean", NULL, "ns", false, latency_mean, false },
	{ LB_M_P50, "p50", "p50_ns", "ns", false, latency_p50, false },
	{ LB_M_P90, "p90", NULL, "ns", false, latency_p90, false },
	{ LB_M_P99, "p99", "p99_ns", "ns", false, latency_p99, false },
	{ LB_M_P999, "p999", "p999_ns", "ns", false, latency_p999, false },
	{ LB_M_P9999, "p9999", NULL, "ns", false, latency_p9999, false },
	{ LB_M_MAX_WAIT, "max", "max_wait_ns", "ns", false, latency_max, false },
	{ LB_M_JAIN, "jain", "jain", "", true, jain, false },
	{ LB_M_FAIRNESS_FACTOR, "fairness_factor", "fairness_factor", "", false, fairness_factor, false },
	{ LB_M_HANDOVER_RATIO, "handover_ratio", "handover_ratio", "", true, handover_ratio, false },
	{ LB_M_LONGEST_GAP, "longest_gap", "longest_gap_ns", "ns", false, longest_gap, false },
	{ LB_M_PINGPONG, "pingpong", "pingpong_ns", "ns", false, pingpong, false },
	{ LB_M_READ_THROUGHPUT, "read_throughput", "read_throughput_per_s", "per_s", true, read_throughput, true },
	{ LB_M_WRITE_THROUGHPUT, "write_throughput", "write_throughput_per_s", "per_s", true, write_throughput, true },
	{ LB_M_READ_P99, "read_p99", "read_p99_ns", "ns", false, read_p99, true },
	{ LB_M_WRITE_P99, "write_p99", "write_p99_ns", "ns", false, write_p99, true },
	{ LB_M_READ_JAIN, "read_jain", "read_jain", "", true, read_jain, true },
	{ LB_M_WRITE_JAIN, "write_jain", "write_jain", "", true, write_jain, true },
	{ LB_M_READ_CONCURRENCY, "read_concurrency", "read_concurrency", "", true, read_concurrency, true },
};

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
