/*
 * locks/mcs.c — the MCS queue lock.
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable
 * Synchronization on Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991,
 * section 2.4. The lock word is the tail of a queue of per-thread nodes; a
 * waiter spins on the `locked` flag of its own node, which its predecessor
 * sets when it hands the lock over, so each waiter spins on a cache line of
 * its own (the runner gives every node its own line) and a hand-over moves
 * one line between two CPUs instead of invalidating every waiter.
 *
 *	tail -> NULL				free
 *	tail -> A				A holds, nobody waits
 *	A -next-> B -next-> C <- tail		A holds, B then C wait
 *
 * acquire: reset our node, swap ourselves into the tail; NULL before us
 * means the lock was free. Otherwise link into the predecessor's `next`
 * and spin until the predecessor sets our `locked`.
 * release: if nobody is linked behind us, try to swing the tail from our
 * node back to NULL; if that fails a successor has swapped itself in but
 * not linked yet, so wait for the link; then set the successor's `locked`.
 *
 * FIFO: waiters are served in the order of their swaps on the tail.
 * Spins: never sleeps, so it collapses when threads outnumber CPUs.
 * try_acquire: CAS the tail from NULL to our node; succeeds only when free.
 *
 * Memory ordering (the pairs, in the style of Linux's mcs_spinlock.h):
 *
 *  acquire: store(me->locked, 0, relaxed); store(me->next, NULL, relaxed)
 *	     prev = xchg(tail, me, acq_rel)			[X]
 *	release half: our node's reset is published to the successor that
 *	  will swap us out of the tail ([X] of the successor reads our [X]) and
 *	  then write me->next: our NULL must not land after its link.
 *	acquire half: pairs with [C] of the holder that freed the lock when
 *	  prev == NULL (its critical section happens-before ours), and with
 *	  the predecessor's [X] when prev != NULL (its node reset happens-
 *	  before our write to prev->next).
 *
 *  acquire: store(prev->next, me, release)			[L]
 *	pairs with the predecessor's [N]: our reset of me->locked happens-
 *	before the predecessor's [H], so the reset cannot overwrite the
 *	hand-over.
 *
 *  acquire: spin until load(me->locked, acquire) == 1		[S]
 *	pairs with the predecessor's [H]: its critical section happens-
 *	before ours.
 *
 *  release: next = load(me->next, acquire)			[N]
 *	pairs with the successor's [L] (see there).
 *
 *  release: CAS(tail, me -> NULL, release / relaxed)		[C]
 *	pairs with the acquire half of the next arriver's [X] (or of [T]),
 *	which reads the NULL we wrote. On failure nothing was written and we
 *	only go on to [N] again, so relaxed.
 *
 *  release: store(next->locked, 1, release)			[H]
 *	pairs with the successor's [S].
 *
 *  try_acquire: store(me->next, NULL, relaxed)
 *	     CAS(tail, NULL -> me, acq_rel / relaxed)		[T]
 *	acquire pairs with [C] like [X] does; release publishes our reset
 *	me->next to a successor, like [X] does.
 *
 * release returns -1 when it finds the lock free: the CAS [C] fails and
 * sees NULL in the tail, which cannot happen to a holder (the tail points
 * to the holder or a node queued behind it until the holder releases).
 * That check is free, and best effort: a non-holder releasing a lock that
 * somebody else holds waits for a link that never comes.
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "registry.h"

struct mcs_node {
	_Atomic(struct mcs_node *) next;
	_Atomic int locked; /* set to 1 by the predecessor: the lock is ours */
};

struct mcs_lock {
	alignas(LB_CACHELINE) _Atomic(struct mcs_node *) tail;
};

static void mcs_acquire(void *state, void *node)
{
	struct mcs_lock *lock = state;
	struct mcs_node *me = node;
	struct mcs_node *prev;

	atomic_store_explicit(&me->locked, 0, memory_order_relaxed);
	atomic_store_explicit(&me->next, NULL, memory_order_relaxed);
	prev = atomic_exchange_explicit(&lock->tail, me, memory_order_acq_rel);
	if (prev == NULL)
		return;
	atomic_store_explicit(&prev->next, me, memory_order_release);
	while (atomic_load_explicit(&me->locked, memory_order_acquire) == 0)
		lb_cpu_relax();
}

static int mcs_release(void *state, void *node)
{
	struct mcs_lock *lock = state;
	struct mcs_node *me = node;
	struct mcs_node *next = atomic_load_explicit(&me->next, memory_order_acquire);

	if (next == NULL) {
		struct mcs_node *expected = me;

		if (atomic_compare_exchange_strong_explicit(&lock->tail, &expected, NULL,
							    memory_order_release,
							    memory_order_relaxed))
			return 0;
		if (expected == NULL)
			return -1;
		/* A successor swapped the tail but has not linked yet. */
		while ((next = atomic_load_explicit(&me->next, memory_order_acquire)) == NULL)
			lb_cpu_relax();
	}
	atomic_store_explicit(&next->locked, 1, memory_order_release);
	return 0;
}

static bool mcs_try_acquire(void *state, void *node)
{
	struct mcs_lock *lock = state;
	struct mcs_node *me = node;
	struct mcs_node *expected = NULL;

	atomic_store_explicit(&me->next, NULL, memory_order_relaxed);
	return atomic_compare_exchange_strong_explicit(&lock->tail, &expected, me,
						       memory_order_acq_rel,
						       memory_order_relaxed);
}

const struct lb_lock_ops lb_lock_mcs = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "mcs",
	.summary = "MCS queue lock (Mellor-Crummey & Scott 1991): FIFO, each waiter spins on its own node",
	.state_size = sizeof(struct mcs_lock),
	.state_align = _Alignof(struct mcs_lock),
	.node_size = sizeof(struct mcs_node),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_CHECKS_RELEASE,
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = mcs_acquire,
	.release = mcs_release,
	.try_acquire = mcs_try_acquire,
};
