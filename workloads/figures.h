/*
 * figures.h — what a workload needs for figures of its own (the figures()
 * hook, the sample's workload_figures): whether a thread is inside the
 * measured window, and the copy into the harness's array.
 *
 * Like the harness's own counters, a workload's tallies count only what a
 * thread did between seeing the window open and the stop, so its figures
 * and the harness's cover the same time.
 */
#ifndef LB_WORKLOADS_FIGURES_H
#define LB_WORKLOADS_FIGURES_H

#include <math.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>

#include "engine/harness.h"

/* t has seen the window open and the run has not stopped: one relaxed load of the (read-mostly) phase. */
static inline bool wl_in_window(const struct lb_thread *t)
{
	return t->seen_phase == LB_PHASE_MEASURE &&
	       atomic_load_explicit(&t->clock->phase, memory_order_relaxed) == LB_PHASE_MEASURE;
}

/* A count per second of the window; NAN when the window is empty. */
static inline double wl_per_s(double v, double window_s)
{
	return window_s > 0 ? v / window_s : NAN;
}

/* The body of a figures() hook: the first max of n figures into out; how many. */
static inline size_t wl_figures_copy(struct lb_figure *out, size_t max, const struct lb_figure *all, size_t n)
{
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = all[i];
	return n;
}

#endif
