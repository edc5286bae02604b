/*
 * engine/settle.h — a run's figures once its threads have left (or are
 * stuck for good in a deadlock): what engine/run.c hands over to
 * engine/settle.c after the stop, so that run.c keeps to the run itself.
 */
#ifndef LB_SETTLE_H
#define LB_SETTLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"
#include "engine/sampler.h"

/*
 * Every thread's and view's counts, the timelines and gaps (when the
 * window was sampled), then the acquisition order of lock 0 from the
 * threads' logs between seq_start and seq_end (at most cap entries).
 */
void lb_settle(struct lb_outcome *out, struct lb_sampler *sampler, bool sampled, uint64_t seq_start,
	       uint64_t seq_end, size_t cap);

/* The threads' counts and histograms summed into the outcome's. */
void lb_settle_figures(struct lb_outcome *out);

/*
 * After the threads were joined: the lock's counters (those of the window
 * alone when at_start, read as it opened, matches them; NULL: not read),
 * the workload's verify() and figures, then the status and its message.
 * completed: the window ran to its end; pin_err: why pinning failed, or
 * NULL.
 */
void lb_settle_verify(struct lb_outcome *out, bool completed, const struct lb_counter *at_start, size_t nstart,
		      const char *pin_err);

#endif
