/*
 * locks/mcs_core.h — the MCS queue, shared by mcs.c and mcs_park.c.
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable
 * Synchronization on Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991,
 * section 2.4. The lock word is the tail of a queue of per-thread nodes; a
 * waiter waits on the `state` of its own node, which its predecessor sets
 * to GRANTED when it hands the lock over, so each waiter waits on a cache
 * line of its own (the runner gives every node its own line) and a
 * hand-over moves one line between two CPUs instead of invalidating every
 * waiter.
 *
 *	tail -> NULL				free
 *	tail -> A				A holds, nobody waits
 *	A -next-> B -next-> C <- tail		A holds, B then C wait
 *
 * acquire: reset our node, swap ourselves into the tail; NULL before us
 * means the lock was free. Otherwise link into the predecessor's `next`
 * and wait until the predecessor grants us the lock.
 * release: if nobody is linked behind us, try to swing the tail from our
 * node back to NULL; if that fails a successor has swapped itself in but
 * not linked yet, so wait for the link; then grant the successor the lock.
 * try_acquire: CAS the tail from NULL to our node; succeeds only when free.
 * FIFO: waiters are served in the order of their swaps on the tail.
 *
 * The waiting policy is the one thing mcs and mcs-park do differently, so
 * the functions here take it as an argument, a constant at every call, and
 * are always inlined: each lock is compiled for its own policy only, and
 * mcs pays nothing for parking (no exchange at the hand-over, no counter,
 * no futex call).
 *
 *	LB_MCS_SPIN	wait on `state` with `pause` in between (mcs)
 *	LB_MCS_PARK	spin up to `spin` rounds, then sleep in FUTEX_WAIT on
 *			`state`; the releaser wakes a successor that parked
 *			(mcs-park)
 *
 * A node's `state` is the hand-over flag and, when parking, the futex:
 *
 *	WAITING	  the successor waits (spins, or is about to)
 *	PARKED	  the successor sleeps, or is on its way into FUTEX_WAIT
 *	GRANTED	  the predecessor handed the lock over
 *
 * The race between parking and the hand-over: the waiter decides to park
 * while the releaser decides to hand over, both on the same word. The
 * waiter parks with CAS(state, WAITING -> PARKED); a parking releaser
 * hands over with exchange(state, GRANTED). The two RMWs on one word are
 * totally ordered:
 *  - hand-over first: the CAS fails, seeing GRANTED; the waiter owns the
 *    lock and never sleeps;
 *  - park first: the exchange returns PARKED and the releaser calls
 *    FUTEX_WAKE. The waiter is in FUTEX_WAIT(state, PARKED) then, and is
 *    woken; or it is not there yet, and the kernel finds state == GRANTED
 *    != PARKED and does not let it sleep (sys_futex.h).
 * Either way no hand-over is lost, and a releaser makes a system call only
 * for a successor that parked. The releaser calls FUTEX_WAKE after the
 * exchange, when the successor may already run, hold, release and even
 * wait again on the same node. The node stays valid memory (the runner's,
 * for the whole run), and such a late wake is at worst a spurious return
 * from FUTEX_WAIT, after which a waiter looks at its state and sleeps
 * again.
 *
 * Memory ordering (the pairs, in the style of Linux's mcs_spinlock.h):
 *
 *  acquire: store(me->state, WAITING, relaxed); store(me->next, NULL, relaxed)
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
 *	pairs with the predecessor's [N]: our reset of me->state happens-
 *	before the predecessor's [H], so the reset cannot overwrite the
 *	hand-over.
 *
 *  acquire: wait until load(me->state, acquire) == GRANTED	[S]
 *	pairs with the predecessor's [H]: its critical section happens-
 *	before ours.
 *
 *  acquire, parking: CAS(me->state, WAITING -> PARKED, acquire / acquire)	[P]
 *	a failed [P] read the GRANTED of the predecessor's [H], like [S]. A
 *	successful [P] publishes nothing (it only tells [H] to wake us) and
 *	would need no order; it is acquire only because C11 forbids a
 *	failure order stronger than the success order (on x86 the CAS is a
 *	locked instruction anyway).
 *
 *  release: next = load(me->next, acquire)			[N]
 *	pairs with the successor's [L] (see there).
 *
 *  release: CAS(tail, me -> NULL, release / relaxed)		[C]
 *	pairs with the acquire half of the next arriver's [X] (or of [T]),
 *	which reads the NULL we wrote. On failure nothing was written and we
 *	only go on to [N] again, so relaxed.
 *
 *  release: store(next->state, GRANTED, release)		[H]
 *	     (parking: xchg(next->state, GRANTED, release))
 *	pairs with the successor's [S] or failed [P]. The parking form is an
 *	RMW, so it reads the latest state and cannot miss a PARKED.
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
#ifndef LB_LOCKS_MCS_CORE_H
#define LB_LOCKS_MCS_CORE_H

#include <stdalign.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "cpu.h"
#include "lockbench/lock.h"
#include "sys_futex.h"

enum lb_mcs_wait { LB_MCS_SPIN, LB_MCS_PARK };

enum { LB_MCS_WAITING = 0, LB_MCS_GRANTED = 1, LB_MCS_PARKED = 2 };

/* A thread's queue node: the runner's per-thread node. */
struct lb_mcs_node {
	_Atomic(struct lb_mcs_node *) next;
	_Atomic uint32_t state; /* WAITING, GRANTED, PARKED: the hand-over flag and the futex */
};

struct lb_mcs_queue {
	_Atomic(struct lb_mcs_node *) tail;
};

/* What LB_MCS_PARK needs: how long to spin first, and its counters. */
struct lb_mcs_park {
	uint32_t spin; /* pause rounds before parking; read-only after init */
	/* counted next to the system calls, on a line of their own */
	alignas(LB_CACHELINE) _Atomic uint64_t parks; /* waiters that went to sleep */
	_Atomic uint64_t wakes;                       /* FUTEX_WAKE calls */
};

#define LB_MCS_INLINE static inline __attribute__((always_inline))

static inline bool lb_mcs_granted(struct lb_mcs_node *me)
{
	return atomic_load_explicit(&me->state, memory_order_acquire) == LB_MCS_GRANTED; /* [S] */
}

/* LB_MCS_PARK's wait: spin, then park until the predecessor hands the lock over. */
static __attribute__((noinline, unused)) void lb_mcs_park_wait(struct lb_mcs_node *me,
							      struct lb_mcs_park *park)
{
	uint32_t expected = LB_MCS_WAITING;

	for (uint32_t i = 0; i < park->spin; i++) {
		if (lb_mcs_granted(me))
			return;
		lb_cpu_relax();
	}
	if (!atomic_compare_exchange_strong_explicit(&me->state, &expected, LB_MCS_PARKED,
						     memory_order_acquire,
						     memory_order_acquire)) /* [P] */
		return; /* granted before we could park */
	atomic_fetch_add_explicit(&park->parks, 1, memory_order_relaxed); /* a count only */
	do
		lb_futex_wait(&me->state, LB_MCS_PARKED);
	while (!lb_mcs_granted(me));
}

/* Block until me holds the lock. park: NULL for LB_MCS_SPIN. */
LB_MCS_INLINE void lb_mcs_acquire(struct lb_mcs_queue *q, struct lb_mcs_node *me,
				  enum lb_mcs_wait wait, struct lb_mcs_park *park)
{
	struct lb_mcs_node *prev;

	/* The node's reset: published by [X]. */
	atomic_store_explicit(&me->state, LB_MCS_WAITING, memory_order_relaxed);
	atomic_store_explicit(&me->next, NULL, memory_order_relaxed);
	prev = atomic_exchange_explicit(&q->tail, me, memory_order_acq_rel); /* [X] */
	if (prev == NULL)
		return;
	atomic_store_explicit(&prev->next, me, memory_order_release); /* [L] */
	if (wait == LB_MCS_PARK) {
		lb_mcs_park_wait(me, park);
		return;
	}
	while (!lb_mcs_granted(me))
		lb_cpu_relax();
}

/* Hand the lock to the successor, if any; -1 if the lock was free. */
LB_MCS_INLINE int lb_mcs_release(struct lb_mcs_queue *q, struct lb_mcs_node *me,
				 enum lb_mcs_wait wait, struct lb_mcs_park *park)
{
	struct lb_mcs_node *next = atomic_load_explicit(&me->next, memory_order_acquire); /* [N] */

	if (next == NULL) {
		struct lb_mcs_node *expected = me;

		if (atomic_compare_exchange_strong_explicit(&q->tail, &expected, NULL,
							    memory_order_release,
							    memory_order_relaxed)) /* [C] */
			return 0;
		if (expected == NULL)
			return -1;
		/* A successor swapped the tail but has not linked yet. */
		while ((next = atomic_load_explicit(&me->next, memory_order_acquire)) == NULL) /* [N] */
			lb_cpu_relax();
	}
	if (wait == LB_MCS_SPIN) {
		atomic_store_explicit(&next->state, LB_MCS_GRANTED, memory_order_release); /* [H] */
	} else if (atomic_exchange_explicit(&next->state, LB_MCS_GRANTED, memory_order_release) ==
		   LB_MCS_PARKED) { /* [H] */
		atomic_fetch_add_explicit(&park->wakes, 1, memory_order_relaxed); /* a count only */
		lb_futex_wake(&next->state, 1);
	}
	return 0;
}

/* Take the lock if it is free; never waits. */
static inline bool lb_mcs_try_acquire(struct lb_mcs_queue *q, struct lb_mcs_node *me)
{
	struct lb_mcs_node *expected = NULL;

	atomic_store_explicit(&me->next, NULL, memory_order_relaxed); /* published by [T] */
	return atomic_compare_exchange_strong_explicit(&q->tail, &expected, me,
						       memory_order_acq_rel,
						       memory_order_relaxed); /* [T] */
}

#endif
