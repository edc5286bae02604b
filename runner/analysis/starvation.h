/*
 * analysis/starvation.h — long-term fairness and starvation of one run,
 * judged from the engine's outcome (per-thread counts, longest gaps and
 * timelines).
 */
#ifndef LB_STARVATION_H
#define LB_STARVATION_H

#include "engine/run.h"

/*
 * Starvation, per thread: it got less than LB_STARVE_SHARE of its fair share
 * of acquisitions (total / threads), or it went LB_STARVE_GAP of the window
 * (and at least LB_STARVE_GAP_MIN_NS) without one while trying *and other
 * threads acquired meanwhile*. A gap in which nobody acquired is the machine
 * stalling every thread (an overloaded host), not the lock shutting one out.
 * Both rules are robust to the run-to-run unfairness of ordinary locks (a
 * 3:1 split at 2 threads is unfair, not starvation) and both catch a thread
 * that is shut out.
 */
#define LB_STARVE_SHARE 0.1
#define LB_STARVE_GAP 0.5
/* ...and at least this long: a scheduler hiccup in a short window is not starvation. */
#define LB_STARVE_GAP_MIN_NS 100e6

/*
 * Fill out->fair, out->starved and out->nstarved from the threads' counts,
 * gaps and timelines, and out->acquisitions, duration_s, tick_ns, slice_ns
 * and measure_tick0. model/fill.c calls it; tests call it on made-up runs.
 */
void lb_outcome_judge(struct lb_outcome *out);

/*
 * Whether a thread other than self acquired in a timeline slice lying
 * wholly inside the coarse-tick interval [from, to]; slices at the edges
 * are left out, so the answer errs towards "no" (not starved).
 */
bool lb_outcome_others_acquired(const struct lb_outcome *out, unsigned self, uint32_t from, uint32_t to);

#endif
