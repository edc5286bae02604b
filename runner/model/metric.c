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

/* In lb_metric_id order; the summary keys in the order `run` has always written them. */
const struct lb_metric lb_metrics[LB_M_COUNT] = {
	{ LB_M_THROUGHPUT, "throughput", "throughput_per_s", "per_s", true, throughput },
	{ LB_M_MEAN, "mean", NULL, "ns", false, latency_mean },
	{ LB_M_P50, "p50", "p50_ns", "ns", false, latency_p50 },
	{ LB_M_P90, "p90", NULL, "ns", false, latency_p90 },
	{ LB_M_P99, "p99", "p99_ns", "ns", false, latency_p99 },
	{ LB_M_P999, "p999", "p999_ns", "ns", false, latency_p999 },
	{ LB_M_P9999, "p9999", NULL, "ns", false, latency_p9999 },
	{ LB_M_MAX_WAIT, "max", "max_wait_ns", "ns", false, latency_max },
	{ LB_M_JAIN, "jain", "jain", "", true, jain },
	{ LB_M_FAIRNESS_FACTOR, "fairness_factor", "fairness_factor", "", false, fairness_factor },
	{ LB_M_HANDOVER_RATIO, "handover_ratio", "handover_ratio", "", true, handover_ratio },
	{ LB_M_LONGEST_GAP, "longest_gap", "longest_gap_ns", "ns", false, longest_gap },
	{ LB_M_PINGPONG, "pingpong", "pingpong_ns", "ns", false, pingpong },
};

const struct lb_metric *lb_metric_find(const char *name)
{
	for (size_t i = 0; i < LB_M_COUNT; i++)
		if (strcmp(lb_metrics[i].name, name) == 0)
			return &lb_metrics[i];
	return NULL;
}
