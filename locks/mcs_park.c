/*
 * locks/mcs_park.c — MCS that spins for a while, then parks on a futex.
 *
 * Algorithm: the MCS queue lock (Mellor-Crummey & Scott, ACM TOCS 9(1),
 * 1991; see mcs.c) with spin-then-park waiting, the combination Linux's
 * mutexes (optimistic spinning on an MCS queue, then sleeping) and many
 * user-space locks use: a waiter spins on its own node for `spin` rounds
 * (a `pause` each), in case the hand-over comes soon, and then sleeps in
 * FUTEX_WAIT on the `state` word of its node. The releaser hands over as in
 * MCS and wakes the successor only if it parked. The queue is
 * mcs_core.h's, shared with mcs, with the waiting policy LB_MCS_PARK;
 * mcs_core.h also explains the race between parking and the hand-over and
 * why no wake-up is lost.
 *
 * FIFO: in the order of the swaps on the tail, as MCS. Waiters spin up to
 * `spin` rounds, then sleep; `lockbench list` calls that `sleeps`. With
 * spin=0 a waiter parks at once. Unlike mcs, an oversubscribed run does
 * not collapse into scheduler ticks: a waiter that will not get the lock
 * soon leaves its CPU. The one spin left unbounded is MCS's own: a
 * releaser whose successor has swapped the tail but not linked yet waits
 * for the link, which the successor writes right after its swap.
 *
 * try_acquire: CAS the tail from NULL, as mcs. acquire_until is that try
 * polled until the deadline (timed_try.h, timed-emulated): a waiter cannot
 * leave the queue (that needs the abortable MCS variants).
 *
 * Counters: parks (waiters that went to sleep), wakes (FUTEX_WAKE calls),
 * counted next to those system calls, on a line of their own.
 *
 * Memory ordering: mcs_core.h, where each label stands at its atomic; the
 * parking policy differs from mcs in two of them:
 *	[P] CAS(state, WAITING -> PARKED, acquire): a failed [P] read the
 *	    GRANTED of the predecessor's [H], like [S];
 *	[H] is xchg(next->state, GRANTED, release), an RMW, so it reads the
 *	    latest state and cannot miss a PARKED.
 *	[X], [L], [S], [N], [C], [T] are mcs's.
 *
 * release returns -1 when it finds the lock free, as mcs does.
 */
#include <stdalign.h>
#include <stdio.h>

#include "mcs_core.h"
#include "registry.h"
#include "timed_try.h"

enum { MCS_PARK_PARAM_SPIN };

#define MCS_PARK_SPIN_MAX (1 << 24)

static const struct lb_param mcs_park_params[] = {
	[MCS_PARK_PARAM_SPIN] = {
		.name = "spin",
		.type = LB_PARAM_INT,
		.def = "256",
		.help = "pause rounds a waiter spins on its node before it parks (0: park at once)",
		.min = 0,
		.max = MCS_PARK_SPIN_MAX,
	},
	{ .name = NULL },
};

struct mcs_park_lock {
	alignas(LB_CACHELINE) struct lb_mcs_queue q;
	struct lb_mcs_park park;
};

static int mcs_park_init(void *state, const union lb_value *params, unsigned nthreads,
			 char *err, size_t errlen)
{
	struct mcs_park_lock *lock = state;
	int64_t spin = params[MCS_PARK_PARAM_SPIN].i;

	(void)nthreads;
	if (spin < 0 || spin > MCS_PARK_SPIN_MAX) {
		snprintf(err, errlen, "mcs-park: spin: %lld is outside [0, %d]", (long long)spin,
			 MCS_PARK_SPIN_MAX);
		return -1;
	}
	lock->park.spin = (uint32_t)spin;
	return 0;
}

static void mcs_park_acquire(void *state, void *node)
{
	struct mcs_park_lock *lock = state;

	lb_mcs_acquire(&lock->q, node, LB_MCS_PARK, &lock->park); /* [X] [L] [S] [P] */
}

static int mcs_park_release(void *state, void *node)
{
	struct mcs_park_lock *lock = state;

	return lb_mcs_release(&lock->q, node, LB_MCS_PARK, &lock->park); /* [N] [C] [H] */
}

static bool mcs_park_try_acquire(void *state, void *node)
{
	struct mcs_park_lock *lock = state;

	return lb_mcs_try_acquire(&lock->q, node); /* [T] */
}

static size_t mcs_park_counters(void *state, struct lb_counter *out, size_t max)
{
	struct mcs_park_lock *lock = state;
	const struct lb_counter all[] = {
		{ "parks", atomic_load(&lock->park.parks) },
		{ "wakes", atomic_load(&lock->park.wakes) },
	};
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

/* No timed wait in the algorithm: try polled until the deadline (timed_try.h, timed-emulated). */
static bool mcs_park_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(mcs_park_try_acquire, state, node, deadline_ns);
}

const struct lb_lock_ops lb_lock_mcs_park = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "mcs-park",
	.summary = "MCS queue lock whose waiters spin `spin` rounds, then park on a futex in their node",
	.state_size = sizeof(struct mcs_park_lock),
	.state_align = _Alignof(struct mcs_park_lock),
	.node_size = sizeof(struct lb_mcs_node),
	.caps = LB_CAP_FIFO | LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED | LB_CAP_CHECKS_RELEASE |
		LB_CAP_LIVE_COUNTERS,
	.params = mcs_park_params,
	.init = mcs_park_init,
	.destroy = NULL,
	.acquire = mcs_park_acquire,
	.release = mcs_park_release,
	.try_acquire = mcs_park_try_acquire,
	.acquire_until = mcs_park_acquire_until,
	.counters = mcs_park_counters,
};
