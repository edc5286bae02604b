/*
 * locks/timed_try.h — a timed acquire for locks whose algorithm has none.
 *
 * A queue lock (ticket, MCS, Anderson's array) cannot leave its queue: a
 * waiter that took a ticket or linked its node must be served, or the
 * threads behind it wait for ever. (Abortable queue locks exist — Scott &
 * Scherer's MCS-try and CLH-try, PPoPP 2001 — but they are other
 * algorithms, not these.) Such a lock gets acquire(timeout=) the way a
 * caller without one would build it: try_acquire, polled until the
 * deadline, with a doubling pause between tries and a sched_yield() once
 * the pauses are long. It is flagged LB_CAP_TIMED_EMULATED (`lockbench
 * list` shows timed-emulated, results say "timed": "emulated") because it
 * is not the lock's own wait: a timed waiter holds no place in the queue,
 * so it gives up FIFO order — it may be bypassed any number of times, and
 * may itself bypass queued waiters when a try lands between two owners.
 * A lock without try_acquire (clh, ck-clh, ck-anderson) has neither.
 *
 * Spinlocks without a queue (tas, ttas, pthread-spin, ck-fas, ck-cas) wait
 * by trying again anyway; their timed acquire is their own spin with a
 * clock check, and counts as native.
 *
 * The deadline is on CLOCK_MONOTONIC (as acquire_until's contract says). A
 * deadline already past behaves as one try.
 */
#ifndef LB_LOCKS_TIMED_TRY_H
#define LB_LOCKS_TIMED_TRY_H

#include <sched.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "cpu.h"

/* Pauses between two tries double up to this, then each round also yields the CPU. */
#define LB_TIMED_TRY_MAX_PAUSES 1024

/* CLOCK_MONOTONIC in ns: the clock of every acquire_until deadline. */
static inline uint64_t lb_lock_now_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* try_acquire(state, node) until it succeeds (true) or deadline_ns passes (false). */
static inline bool lb_timed_by_try(bool (*try_acquire)(void *, void *), void *state, void *node,
				   uint64_t deadline_ns)
{
	unsigned pauses = 1;
	for (;;) {
		if (try_acquire(state, node))
			return true;
		if (lb_lock_now_ns() >= deadline_ns)
			return false;
		for (unsigned i = 0; i < pauses; i++)
			lb_cpu_relax();
		if (pauses < LB_TIMED_TRY_MAX_PAUSES)
			pauses *= 2;
		else
			sched_yield();
	}
}

#endif
