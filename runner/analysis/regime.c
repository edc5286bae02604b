/*
 * analysis/regime.c — steady or not, scheduler-bound or not (see regime.h).
 */
#include "analysis/regime.h"

#include <math.h>
#include <stdlib.h>

/* Acquisitions by every thread in slice k. */
static uint64_t slice_total(const struct lb_sample *s, size_t k)
{
	uint64_t sum = 0;
	for (size_t i = 0; i < s->nthreads; i++)
		if (k < s->threads[i].ntimeline)
			sum += s->threads[i].timeline[k];
	return sum;
}

static void judge_steady(const struct lb_sample *s, struct lb_regime *r)
{
	r->first_half_per_s = r->second_half_per_s = r->half_ratio = NAN;
	if (s->timing_slice_ns <= 0 || !(s->duration_s > 0) || s->nthreads == 0)
		return;
	/* Whole slices of the window; the last one, cut short by the stop, is left out. */
	size_t whole = (size_t)(s->duration_s * 1e9 / (double)s->timing_slice_ns + 1e-6);
	size_t have = s->threads[0].ntimeline;
	whole = whole < have ? whole : have;
	if (whole < 2)
		return;
	size_t half = whole / 2;
	uint64_t first = 0, second = 0;
	for (size_t k = 0; k < whole; k++) {
		uint64_t t = slice_total(s, k);
		r->stalled_slices += t == 0;
		if (k < half)
			first += t;
		else if (k >= whole - half)
			second += t;
	}
	double span_s = (double)half * (double)s->timing_slice_ns / 1e9;
	r->slices = whole;
	r->first_half_per_s = (double)first / span_s;
	r->second_half_per_s = (double)second / span_s;
	r->half_ratio = first > 0 ? (double)second / (double)first : NAN;
	r->has_steady = true;
	r->steady = first > 0 && second > 0 && r->half_ratio <= LB_STEADY_RATIO &&
		    r->half_ratio >= 1 / LB_STEADY_RATIO && (double)r->stalled_slices <= LB_STEADY_STALLED * (double)whole;
}

/* Sum of a per-thread kernel figure; -1 when any thread's is unknown. */
static int64_t kernel_sum(const struct lb_sample *s, size_t offset)
{
	int64_t sum = 0;
	for (size_t i = 0; i < s->nthreads; i++) {
		int64_t v = *(const int64_t *)((const char *)&s->threads[i] + offset);
		if (v < 0)
			return -1;
		sum += v;
	}
	return s->nthreads ? sum : -1;
}

static void judge_scheduler(const struct lb_sample *s, struct lb_regime *r)
{
	r->cpu_ns = kernel_sum(s, offsetof(struct lb_thread_figs, cpu_ns));
	r->voluntary_ctxsw = kernel_sum(s, offsetof(struct lb_thread_figs, voluntary_ctxsw));
	r->involuntary_ctxsw = kernel_sum(s, offsetof(struct lb_thread_figs, involuntary_ctxsw));
	r->cpu_share = r->ctxsw_per_s = r->handoffs_per_s = NAN;
	bool window = s->duration_s > 0;
	if (r->cpu_ns >= 0 && window && s->nthreads)
		r->cpu_share = (double)r->cpu_ns / (s->duration_s * 1e9 * (double)s->nthreads);
	int64_t switches = r->voluntary_ctxsw >= 0 && r->involuntary_ctxsw >= 0 ? r->voluntary_ctxsw + r->involuntary_ctxsw : -1;
	if (switches >= 0 && window)
		r->ctxsw_per_s = (double)switches / s->duration_s;
	/*
	 * The order of acquisitions (its newest part) gives the share of
	 * hand-overs; bare has none. Without an order there are none to count
	 * when one thread ran (nobody to hand over to) or nobody acquired at all
	 * (a window the machine stalled through, which the status names).
	 */
	bool ordered = s->has_short_term && s->short_term.covered > 0;
	r->has_handoffs = ordered || s->nthreads == 1 || s->acquisitions == 0;
	if (!r->has_handoffs)
		return;
	r->handoffs = ordered ? (uint64_t)llround(s->short_term.handover_ratio * (double)s->acquisitions) : 0;
	if (window)
		r->handoffs_per_s = (double)r->handoffs / s->duration_s;
	if (switches < 0)
		return;
	r->has_scheduler_bound = true;
	r->scheduler_bound = r->handoffs > 0 && (double)r->handoffs >= LB_SCHED_HANDOFF_SHARE * (double)s->acquisitions &&
			     (double)r->handoffs <= LB_SCHED_PER_SWITCH * (double)switches;
}

void lb_regime_judge(struct lb_sample *s)
{
	struct lb_regime *r = &s->regime;
	*r = (struct lb_regime){ 0 };
	judge_steady(s, r);
	judge_scheduler(s, r);
	s->has_regime = true;
}
