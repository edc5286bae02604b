/*
 * locks/mcs.c — the MCS queue lock.
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable
 * Synchronization on Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991,
 * section 2.4: a queue of per-thread nodes whose tail is the lock word;
 * each waiter spins on a flag in its own node, which its predecessor sets
 * when it hands the lock over. The queue is mcs_core.h's, shared with
 * mcs-park, with the waiting policy LB_MCS_SPIN: a waiter spins on its
 * node's `state` with `pause` in between, and the releaser hands over with
 * a plain store.
 *
 *	tail -> NULL				free
 *	tail -> A				A holds, nobody waits
 *	A -next-> B -next-> C <- tail		A holds, B then C wait
 *
 * FIFO: waiters are served in the order of their swaps on the tail.
 * Spins: each waiter on a cache line of its own (a hand-over moves one
 * line), never sleeps, so it collapses when threads outnumber CPUs.
 * try_acquire: CAS the tail from NULL to our node; succeeds only when free.
 * acquire_until: that try polled until the deadline (timed_try.h,
 * timed-emulated): a linked node cannot leave the queue.
 *
 * Memory ordering: mcs_core.h, where each label stands at its atomic:
 *	[X] xchg of the tail (acquire + release halves), [L] link into the
 *	predecessor's next (release), [S] spin until GRANTED (acquire),
 *	[N] load of our next (acquire), [C] CAS of the tail back to NULL
 *	(release), [H] store of GRANTED into the successor (release),
 *	[T] try's CAS of the tail (acq_rel).
 *	[S] pairs with [H], [N] with [L], [X] and [T] with [C].
 *
 * release returns -1 when it finds the lock free, at no cost (the failing
 * [C] sees NULL); a non-holder releasing a lock somebody else holds is not
 * detected (mcs_core.h).
 */
#include <stdalign.h>

#include "mcs_core.h"
#include "registry.h"
#include "timed_try.h"

struct mcs_lock {
	alignas(LB_CACHELINE) struct lb_mcs_queue q;
};

static void mcs_acquire(void *state, void *node)
{
	struct mcs_lock *lock = state;

	lb_mcs_acquire(&lock->q, node, LB_MCS_SPIN, NULL); /* [X] [L] [S] */
}

static int mcs_release(void *state, void *node)
{
	struct mcs_lock *lock = state;

	return lb_mcs_release(&lock->q, node, LB_MCS_SPIN, NULL); /* [N] [C] [H] */
}

static bool mcs_try_acquire(void *state, void *node)
{
	struct mcs_lock *lock = state;

	return lb_mcs_try_acquire(&lock->q, node); /* [T] */
}

/* No timed wait in the algorithm: try polled until the deadline (timed_try.h, timed-emulated). */
static bool mcs_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(mcs_try_acquire, state, node, deadline_ns);
}

const struct lb_lock_ops lb_lock_mcs = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "mcs",
	.summary = "MCS queue lock (Mellor-Crummey & Scott 1991): FIFO, each waiter spins on its own node",
	.state_size = sizeof(struct mcs_lock),
	.state_align = _Alignof(struct mcs_lock),
	.node_size = sizeof(struct lb_mcs_node),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED | LB_CAP_CHECKS_RELEASE,
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = mcs_acquire,
	.release = mcs_release,
	.try_acquire = mcs_try_acquire,
	.acquire_until = mcs_acquire_until,
};
