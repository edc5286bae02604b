/*
 * analysis/starvation.c — who was shut out of a run, and how fairly the
 * acquisitions were shared (see starvation.h for the rule).
 */
#include "analysis/starvation.h"

#include <math.h>
#include <stdlib.h>

/*
 * Did any thread other than `self` acquire in a slice lying wholly inside
 * the coarse-tick interval [from, to]? Slices at the edges are left out, so
 * the answer errs towards "no" (not starved).
 */
bool lb_outcome_others_acquired(const struct lb_outcome *out, unsigned self, uint32_t from, uint32_t to)
{
	const struct lb_run *r = &out->run;
	double per_slice = (double)out->slice_ns / (double)out->tick_ns;
	double a = ((double)from - out->measure_tick0) / per_slice, b = ((double)to - out->measure_tick0) / per_slice;
	int64_t first = (int64_t)ceil(a), last = (int64_t)floor(b) - 1;
	if (first < 0)
		first = 0;
	if (last >= (int64_t)r->threads[0].timeline_len)
		last = (int64_t)r->threads[0].timeline_len - 1;
	for (unsigned j = 0; j < r->nthreads; j++)
		for (int64_t s = first; j != self && s <= last; s++)
			if (r->threads[j].timeline[s] != 0)
				return true;
	return false;
}

/* Long-term fairness and which threads starved (see LB_STARVE_*). */
void lb_outcome_judge(struct lb_outcome *out)
{
	struct lb_run *r = &out->run;
	uint64_t *counts = calloc(r->nthreads, sizeof *counts);
	out->starved = calloc(r->nthreads, sizeof *out->starved);
	if (counts == NULL || out->starved == NULL) {
		free(counts);
		return;
	}
	for (unsigned i = 0; i < r->nthreads; i++)
		counts[i] = r->threads[i].acquisitions;
	lb_fairness_compute(counts, r->nthreads, &out->fair);
	double fair_share = (double)out->acquisitions / r->nthreads;
	double window_ticks = out->duration_s * 1e9 / (double)out->tick_ns;
	for (unsigned i = 0; i < r->nthreads && r->nthreads > 1; i++) {
		bool shut_out = (double)counts[i] < LB_STARVE_SHARE * fair_share;
		const struct lb_thread *t = &r->threads[i];
		double gap_ns = (double)t->max_gap_ticks * (double)out->tick_ns;
		bool long_gap = gap_ns >= LB_STARVE_GAP * window_ticks * (double)out->tick_ns &&
				gap_ns >= LB_STARVE_GAP_MIN_NS &&
				lb_outcome_others_acquired(out, i, t->max_gap_end - t->max_gap_ticks, t->max_gap_end);
		out->starved[i] = shut_out || long_gap;
		out->nstarved += out->starved[i];
	}
	free(counts);
}
