/*
 * analysis/regime.h — which regime a sample's figures are in.
 *
 * A lock benchmark can report three different things under one name:
 * the lock's own rate, a transient (a start-up burst, a machine that
 * changed under the run), or the scheduler's rate (more spinning threads
 * than CPUs: about one hand-off per scheduler tick per CPU, the same for
 * every FIFO spinlock). The labels say which:
 *
 *   steady            the window's second half ran at LB_STEADY_RATIO of
 *                     the first, or closer, and at most LB_STEADY_STALLED of
 *                     its slices went by with no acquisition by anyone
 *                     (both from the timeline). Null with fewer than two
 *                     whole slices.
 *   scheduler_bound   most acquisitions were hand-offs (at least
 *                     LB_SCHED_HANDOFF_SHARE of them followed another
 *                     thread's: the handover ratio of the merged order of
 *                     acquisitions, which the harness logs without a
 *                     counter on the hot path) and there were at most LB_SCHED_PER_SWITCH
 *                     hand-offs per context switch of the threads (voluntary
 *                     + involuntary, from the kernel over each thread's
 *                     window): every hand-off waited for the scheduler.
 *                     A lock that is mostly re-taken by its holder (pthread
 *                     at 2 threads) is not scheduler-bound even when its rare
 *                     hand-offs are wake-ups: its rate is the holder's.
 *
 * Oversubscription (more threads than PUs) is the config's `oversubscribed`.
 */
#ifndef LB_REGIME_H
#define LB_REGIME_H

#include "model/model.h"

#define LB_STEADY_RATIO 1.25       /* second half / first half within [1/1.25, 1.25] */
#define LB_STEADY_STALLED 0.10     /* share of whole slices with no acquisition at all */
#define LB_SCHED_HANDOFF_SHARE 0.5 /* hand-offs / acquisitions */
#define LB_SCHED_PER_SWITCH 2.0    /* hand-offs per context switch, at most */

/*
 * Fill s->regime (and s->has_regime) from s's per-thread timelines, hand-off
 * counts, CPU times and context switches, s->duration_s and
 * s->timing_slice_ns. model/fill.c calls it; tests call it on made-up samples.
 */
void lb_regime_judge(struct lb_sample *s);

#endif
