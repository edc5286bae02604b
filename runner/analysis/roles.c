/*
 * analysis/roles.c — the per-role judgement of a reader-writer run (see
 * roles.h for the rule).
 *
 * A thread belongs to a role once it has tried it (the role wrappers of
 * engine/harness.h set its bit), warm-up included: a writer stuck behind
 * readers from before the window opened has no acquisition in the window
 * and must still count as a writer that got nothing.
 */
#include "analysis/roles.h"

#include <math.h>
#include <stdlib.h>

#include "analysis/starvation.h"

/* Longest wait of thread t in role r, in coarse ticks, and the tick it ended. */
static uint32_t longest_wait(const struct lb_thread *t, int r, uint32_t window_end, uint32_t *end)
{
	const struct lb_role_figures *rf = &t->role[r];
	uint32_t gap = rf->max_gap_ticks;
	*end = rf->max_gap_end;
	/* A wait still going when the window closed counts up to the close. */
	if (rf->stop_since != LB_NOT_TRYING && (int32_t)(window_end - rf->stop_since) > 0 &&
	    window_end - rf->stop_since > gap) {
		gap = window_end - rf->stop_since;
		*end = window_end;
	}
	return gap;
}

static void judge_role(struct lb_outcome *out, int r, uint32_t window_end, double window_ticks)
{
	struct lb_run *run = &out->run;
	struct lb_role_outcome *ro = &out->role[r];
	unsigned n = run->nthreads;
	uint64_t *counts = calloc(n ? n : 1, sizeof *counts);
	ro->starved = calloc(n ? n : 1, sizeof *ro->starved);
	if (counts == NULL || ro->starved == NULL) {
		free(counts);
		return;
	}
	unsigned k = 0;
	for (unsigned i = 0; i < n; i++) {
		const struct lb_thread *t = &run->threads[i];
		if (!(t->roles & LB_ROLE_BIT(r)))
			continue;
		counts[k++] = t->role[r].acquisitions;
		ro->acquisitions += t->role[r].acquisitions;
	}
	ro->nthreads = k;
	lb_fairness_compute(counts, k, &ro->fair);
	free(counts);

	double share = k ? (double)ro->acquisitions / k : 0;
	double min_gap = fmax(LB_STARVE_GAP * window_ticks, LB_STARVE_GAP_MIN_NS / (double)out->tick_ns);
	for (unsigned i = 0; i < n; i++) {
		const struct lb_thread *t = &run->threads[i];
		if (!(t->roles & LB_ROLE_BIT(r)))
			continue;
		uint32_t end;
		uint32_t gap = longest_wait(t, r, window_end, &end);
		if (gap > ro->max_gap_ticks)
			ro->max_gap_ticks = gap;
		bool short_share = k >= 2 && (double)t->role[r].acquisitions < LB_STARVE_SHARE * share;
		bool long_gap = (double)gap >= min_gap && lb_outcome_others_acquired(out, i, end - gap, end);
		bool alone_starved = t->roles == LB_ROLE_BIT(r) && out->starved != NULL && out->starved[i];
		ro->starved[i] = n > 1 && (short_share || long_gap || alone_starved);
		ro->nstarved += ro->starved[i];
	}
}

void lb_outcome_judge_roles(struct lb_outcome *out)
{
	struct lb_run *run = &out->run;
	uint32_t any = 0;
	for (unsigned i = 0; i < run->nthreads; i++)
		any |= run->threads[i].roles;
	out->has_roles = any != 0;
	out->readers_mean = NAN;
	if (!out->has_roles)
		return;
	double window_ticks = out->duration_s * 1e9 / (double)out->tick_ns;
	uint32_t window_end = out->measure_tick0 + (uint32_t)window_ticks;
	for (int r = 0; r < LB_NROLES; r++)
		judge_role(out, r, window_end, window_ticks);

	uint64_t seen = 0, reads = 0;
	for (unsigned i = 0; i < run->nthreads; i++) {
		const struct lb_thread *t = &run->threads[i];
		seen += t->readers_seen;
		reads += t->role[LB_ROLE_READ].acquisitions;
		if (t->readers_max > out->readers_max)
			out->readers_max = t->readers_max;
	}
	out->readers_mean = reads ? (double)seen / (double)reads : NAN;
}
