/*
 * locks/deadline.h — the deadline of a spinning waiter's acquire_until.
 *
 * A spinning lock with a timed acquire must look at the clock while it
 * spins; reading CLOCK_MONOTONIC costs about one `pause` (vDSO, ~23 ns on
 * the reference VM), so a waiter reads it only every LB_DEADLINE_EVERY
 * turns of its loop, which overshoots a deadline by at most that many
 * pauses (~1.5 us). Deadlines are absolute, on CLOCK_MONOTONIC, as
 * lb_lock_ops.acquire_until takes them.
 */
#ifndef LB_LOCKS_DEADLINE_H
#define LB_LOCKS_DEADLINE_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#define LB_DEADLINE_EVERY 64u

static inline uint64_t lb_lock_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* Called once per turn of a wait loop: true once deadline_ns has passed (checked every 64 turns). */
static inline bool lb_deadline_passed(uint64_t deadline_ns, unsigned *turns)
{
	if (++*turns % LB_DEADLINE_EVERY != 0)
		return false;
	return lb_lock_mono_ns() >= deadline_ns;
}

#endif
