/*
 * locks/ticket_core.h — the ticket lock's two counters, shared by ticket.c
 * (waiters spin) and ticket_futex.c (waiters sleep).
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable
 * Synchronization on Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991,
 * section 2.2 (after Reed and Kanodia's sequencers). Two counters:
 *
 *	next	the next ticket to hand out; a thread takes one with fetch_add
 *	owner	the ticket now allowed in; only the holder writes it (+1 on release)
 *
 *	free:	owner == next
 *	held:	owner <  next; next - owner - 1 threads wait, in ticket order
 *
 * FIFO: tickets are served in the order fetch_add handed them out, so a
 * waiter is bypassed by at most the threads that were ahead of it. How a
 * waiter waits for its turn is each lock's own (ticket spins on `owner`,
 * ticket-futex sleeps on a slot of its own); what the counters do is here:
 * take a ticket, look whether it is our turn, pass the lock on, try, and
 * tell a free lock from a held one.
 *
 * Counters are 32 bits and wrap; comparisons are for equality only, so the
 * wrap is harmless as long as fewer than 2^32 threads wait at once.
 *
 * The waiting policy only changes memory orders, and is an argument that
 * is a constant at every call (the functions are always inlined, so the
 * orders are constants too and each lock pays for its own only):
 *
 *	LB_TICKET_SPIN	the orders a spinning waiter needs, given below
 *	LB_TICKET_SLEEP	seq_cst for [F], [A] and [R]: a sleeping waiter's
 *			lock builds store-buffering arguments on them (no
 *			lost wake-up, ticket_futex.c); on x86 that costs
 *			nothing more, every one of them being a locked
 *			instruction or a plain load either way
 *
 * Memory ordering (spinning orders; LB_TICKET_SLEEP makes [F] [A] [R] seq_cst):
 *
 *  take: t = fetch_add(next, 1, relaxed)			[F]
 *	The fetch_add only has to hand out a unique ticket; all RMWs on `next`
 *	are totally ordered (its modification order) whatever their memory
 *	order, so relaxed suffices. No data is published through `next`.
 *
 *  turn: load(owner, acquire) == t				[A]
 *	[A] reads the value written by the release [R] of ticket t-1's holder
 *	(the only write ever to make it t), so [R] synchronizes-with [A]: that
 *	holder's critical section happens-before ours. Our critical section is
 *	sequenced after [A] and cannot be hoisted above it.
 *
 *  pass: fetch_add(owner, 1, release)				[R]
 *	Only the holder writes `owner`, so the add makes it our ticket + 1.
 *	[R] pairs with the next holder's [A] or [T]. [R] is an RMW rather than
 *	a plain store, although only the holder writes `owner`: on the
 *	reference VM (2 vCPUs, AMD Zen 4 under KVM) a plain store, followed at
 *	once by the releasing thread's next fetch_add on the same line, made
 *	two-thread hand-overs 2-4x slower whenever the vCPUs were placed far
 *	apart, where CK's ticket lock (a `lock inc` release) did not slow
 *	down; with the RMW ours is as fast as CK's there. Uncontended it costs
 *	about 0.5 ns. It also returns the new owner, which ticket-futex needs
 *	to know whom to wake.
 *
 *  is_free: load(owner, relaxed) == load(next, relaxed)	[K]
 *	nobody holds the lock. A holder can never see that: its own [F]
 *	moved `next` past its ticket and `next` only grows. Relaxed: it only
 *	decides whether release refuses, and orders nothing. Best effort: it
 *	cannot tell which thread holds the lock.
 *
 *  try_acquire: o = load(owner, acquire)			[T]
 *	     CAS(next, o -> o + 1, relaxed)			[U]
 *	[U] succeeds only if `next` == o. `owner` was o at [T]; `owner` never
 *	exceeds `next` and neither ever goes back, and `next` was o at [U],
 *	so `next` stayed o between the two and `owner` too: at [U] the lock
 *	was free (owner == next == o) and ticket o is ours and already being
 *	served. [U] also orders us against every [F], so no one else gets
 *	ticket o. Were the counters to wrap between [T] and [U], `next` would
 *	have had to advance 2^32 times while we sat between two instructions:
 *	not a case we guard against. Ordering comes from [T]: it read the o
 *	written by the previous holder's [R], so that holder's critical
 *	section happens-before ours, and ours is sequenced after [T]. [U]
 *	publishes nothing and reads nothing we rely on, hence relaxed.
 */
#ifndef LB_LOCKS_TICKET_CORE_H
#define LB_LOCKS_TICKET_CORE_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

enum lb_ticket_wait { LB_TICKET_SPIN, LB_TICKET_SLEEP };

/*
 * Both counters share one cache line (the lock puts this struct at the
 * start of a line of its own). Uncontended, acquire plus release then touch
 * a single line; under contention each new arrival's [F] on `next` also
 * invalidates the line the waiters spin on. We take that cost to keep the
 * uncontended path on one line, as Linux's old ticket spinlocks and
 * Concurrency Kit's ck_spinlock_ticket do.
 */
struct lb_ticket {
	_Atomic uint32_t next;
	_Atomic uint32_t owner;
};

#define LB_TICKET_INLINE static inline __attribute__((always_inline))

/* The order a spinning waiter's lock needs, or seq_cst for a sleeping one's. */
#define LB_TICKET_ORDER(wait, spin_order) \
	((wait) == LB_TICKET_SPIN ? (spin_order) : memory_order_seq_cst)

/* Take the next ticket. */
LB_TICKET_INLINE uint32_t lb_ticket_take(struct lb_ticket *t, enum lb_ticket_wait wait)
{
	return atomic_fetch_add_explicit(&t->next, 1,
					 LB_TICKET_ORDER(wait, memory_order_relaxed)); /* [F] */
}

/* Whether ticket may enter now. */
LB_TICKET_INLINE bool lb_ticket_turn(struct lb_ticket *t, uint32_t ticket, enum lb_ticket_wait wait)
{
	return atomic_load_explicit(&t->owner, LB_TICKET_ORDER(wait, memory_order_acquire)) ==
	       ticket; /* [A] */
}

/* Let the next ticket in; returns that ticket. Only the holder may call it. */
LB_TICKET_INLINE uint32_t lb_ticket_pass(struct lb_ticket *t, enum lb_ticket_wait wait)
{
	return atomic_fetch_add_explicit(&t->owner, 1,
					 LB_TICKET_ORDER(wait, memory_order_release)) + 1; /* [R] */
}

/* Whether nobody holds the lock (for release's misuse check). */
static inline bool lb_ticket_is_free(struct lb_ticket *t)
{
	return atomic_load_explicit(&t->next, memory_order_relaxed) ==
	       atomic_load_explicit(&t->owner, memory_order_relaxed); /* [K] */
}

/* Take the lock if it is free and nobody queues; never waits. */
static inline bool lb_ticket_try_acquire(struct lb_ticket *t)
{
	uint32_t owner = atomic_load_explicit(&t->owner, memory_order_acquire); /* [T] */
	uint32_t expected = owner;

	return atomic_compare_exchange_strong_explicit(&t->next, &expected, owner + 1,
						       memory_order_relaxed,
						       memory_order_relaxed); /* [U] */
}

#endif
