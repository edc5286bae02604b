/*
 * locks/ticket_futex.c — a ticket lock whose waiters sleep, each on its own futex.
 *
 * Algorithm: the ticket lock (Mellor-Crummey & Scott, ACM TOCS 9(1), 1991,
 * section 2.2; see ticket.c) for FIFO order, with waiters that sleep in the
 * kernel instead of spinning, and a release that wakes exactly the thread
 * holding the next ticket. The counters are ticket_core.h's, shared with
 * ticket, with the sleeping orders (LB_TICKET_SLEEP). The wake-up uses an
 * array of per-slot futex words, as Anderson's lock uses an array of
 * per-slot flags (anderson.c): ticket t sleeps on slot t mod N.
 *
 *	next			the next ticket to hand out (fetch_add)
 *	owner			the ticket allowed in
 *	slot[i].sleeping	1: the thread waiting on slot i sleeps or is about to
 *
 * Wake-up strategy: the simple alternative, one futex on `owner` and
 * FUTEX_WAKE of everybody at each release, is a thundering herd: all
 * waiters wake, compare, and all but one go back to sleep, so every
 * hand-over costs one wake-up and one context switch per waiter. With one
 * futex per slot, release wakes the one thread that can proceed, and only
 * if it is actually asleep.
 *
 * acquire: t = fetch_add(next); if owner == t, done (uncontended). Else, on
 * slot t mod N: set sleeping = 1, look at owner again, and if it is still
 * not t, FUTEX_WAIT(sleeping, 1); repeat until owner == t. Then clear the
 * slot's `sleeping` for the slot's next user.
 * release: owner++ (to o, say); if nobody has taken ticket o yet (next
 * says so), done; else exchange 0 into that ticket's slot and FUTEX_WAKE
 * it if it was 1.
 *
 * Why no wake-up is lost: the waiter writes sleeping = 1 and then reads
 * owner; the releaser writes owner and then reads sleeping (by exchange).
 * With all four operations seq_cst, at least one of the two reads sees the
 * other side's write (the store-buffering pattern): either the waiter sees
 * its turn and does not sleep, or the releaser sees sleeping == 1 and
 * wakes it — and if that wake comes before the waiter is in FUTEX_WAIT,
 * the exchange has already made the word 0 and the wait returns at once
 * (sys_futex.h). A waiter re-arms (sleeping = 1) before every look, so a
 * wake-up that was not for it (a delayed releaser of an earlier ticket on
 * the same slot) costs it one more round, nothing else. The releaser's
 * "next says nobody waits" shortcut is the same pattern between the
 * releaser's owner store and next load, and the waiter's fetch_add and
 * owner load: a waiter the shortcut misses sees its turn.
 *
 * Slots: N is the smallest power of two >= nthreads (wraps of the 32-bit
 * tickets keep "mod N" right). The state has room for 1024 slots, one
 * cache line each (lockbench's thread limit; 64 KiB); init fails, saying
 * so, above that. At most nthreads tickets are outstanding at a time (one
 * per thread), so no two threads wait on one slot at once. The clear of
 * `sleeping` by ticket t's thread, after it got its turn, happens-before
 * the sleeping = 1 of ticket t + N, the slot's next user: among the N + 1
 * tickets t .. t+N, some thread took two, and its second fetch_add comes
 * after its own release, which the hand-over chain from ticket t orders
 * after our clear. So the clear never erases a later sleeper's flag.
 *
 * FIFO: by ticket, as the ticket lock. Sleeps: never spins. Every
 * contended hand-over is a FUTEX_WAKE plus a wake-up latency, so under
 * contention it is far slower than any spinning lock, but it does not
 * collapse when threads outnumber CPUs: a preempted next-in-line is woken
 * by the scheduler like any other sleeper.
 *
 * try_acquire: ticket_core.h's, as the ticket lock: CAS next from owner to
 * owner + 1 (the lock is free and nobody queues). acquire_until is that try
 * polled until the deadline (timed_try.h, timed-emulated): a thread cannot
 * give a ticket back, and the ones behind it would wait for it forever.
 *
 * Counters: sleeps (FUTEX_WAIT calls), wakes (FUTEX_WAKE calls), counted
 * next to the system calls, on a line of their own.
 *
 * Memory ordering ([F], [A], [R], [K], [T] and [U] stand at their atomics
 * in ticket_core.h; the slots' here):
 *
 *  acquire: t = fetch_add(next, 1, seq_cst)			[F]
 *	     load(owner, seq_cst) == t				[A]
 *	[F] hands out a unique ticket; seq_cst for the pattern with [Q].
 *	[A] reads the t written by [R] of ticket t-1's holder: that holder's
 *	critical section happens-before ours.
 *
 *  acquire: store(slot.sleeping, 1, seq_cst)			[S]
 *	     load(owner, seq_cst) == t				[A]
 *	the waiter's half of the pattern with [R] / [W]; this [A]
 *	synchronizes with [R] as the first one does.
 *
 *  acquire: store(slot.sleeping, 0, relaxed)			[C]
 *	ordered before the slot's next [S] by happens-before (see Slots);
 *	it publishes nothing.
 *
 *  release: o = fetch_add(owner, 1, seq_cst) + 1		[R]
 *	     load(next, seq_cst)				[Q]
 *	     xchg(slot.sleeping, 0, seq_cst)			[W]
 *	[R] is a release: pairs with [A] or a try's [T]. [Q] and [W] are the
 *	releaser's halves of the two store-buffering patterns; an RMW [R] is
 *	in the single total order of seq_cst operations as a store would be.
 *	Before [R], [K]: relaxed loads of owner and next that are equal mean
 *	the lock is free, and release returns -1; best effort. ticket leaves
 *	[K] to its validation build, to match Concurrency Kit's ticket lock on
 *	the hot path; this lock has no such twin and its waiters sleep, so a
 *	hand-over costs a futex call and a wake-up, next to which [K]'s two
 *	loads do not count: it keeps [K] in every build.
 *
 *  try_acquire: o = load(owner, acquire)			[T]
 *	     CAS(next, o -> o + 1, relaxed)			[U]
 *	as in ticket.c: [T] pairs with [R]; [U] only makes ticket o ours.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>

#include "registry.h"
#include "timed_try.h"
#include "sys_futex.h"
#include "ticket_core.h"

#define TFUTEX_MAX_SLOTS 1024u

struct tfutex_slot {
	alignas(LB_CACHELINE) _Atomic uint32_t sleeping;
};

struct tfutex_lock {
	alignas(LB_CACHELINE) struct lb_ticket t;
	uint32_t mask; /* N - 1; read-only after init */
	alignas(LB_CACHELINE) _Atomic uint64_t sleeps;
	_Atomic uint64_t wakes;
	struct tfutex_slot slot[TFUTEX_MAX_SLOTS];
};

static int tfutex_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct tfutex_lock *lock = state;
	uint32_t n = 1;

	(void)params;
	if (nthreads > TFUTEX_MAX_SLOTS) {
		snprintf(err, errlen, "ticket-futex: %u threads, but the slot array holds at most %u",
			 nthreads, TFUTEX_MAX_SLOTS);
		return -1;
	}
	while (n < nthreads)
		n *= 2;
	lock->mask = n - 1; /* the counters and slots start at 0, as the runner zeroed them */
	return 0;
}

/* Out of line: the uncontended acquire is a fetch_add and a load. */
static __attribute__((noinline)) void tfutex_wait_turn(struct tfutex_lock *lock, uint32_t ticket)
{
	_Atomic uint32_t *sleeping = &lock->slot[ticket & lock->mask].sleeping;

	for (;;) {
		atomic_store(sleeping, 1); /* [S] */
		if (lb_ticket_turn(&lock->t, ticket, LB_TICKET_SLEEP)) /* [A] */
			break;
		atomic_fetch_add_explicit(&lock->sleeps, 1, memory_order_relaxed); /* a count only */
		lb_futex_wait(sleeping, 1);
	}
	atomic_store_explicit(sleeping, 0, memory_order_relaxed); /* [C] */
}

static void tfutex_acquire(void *state, void *node)
{
	struct tfutex_lock *lock = state;
	uint32_t ticket = lb_ticket_take(&lock->t, LB_TICKET_SLEEP); /* [F] */

	(void)node;
	if (!lb_ticket_turn(&lock->t, ticket, LB_TICKET_SLEEP)) /* [A] */
		tfutex_wait_turn(lock, ticket);
}

static int tfutex_release(void *state, void *node)
{
	struct tfutex_lock *lock = state;
	_Atomic uint32_t *sleeping;
	uint32_t owner;

	(void)node;
	if (lb_ticket_is_free(&lock->t)) /* [K] */
		return -1;
	owner = lb_ticket_pass(&lock->t, LB_TICKET_SLEEP); /* [R] */
	if (atomic_load(&lock->t.next) == owner) /* [Q] */
		return 0;
	sleeping = &lock->slot[owner & lock->mask].sleeping;
	if (atomic_exchange(sleeping, 0) != 0) { /* [W] */
		atomic_fetch_add_explicit(&lock->wakes, 1, memory_order_relaxed); /* a count only */
		lb_futex_wake(sleeping, 1);
	}
	return 0;
}

static bool tfutex_try_acquire(void *state, void *node)
{
	struct tfutex_lock *lock = state;

	(void)node;
	return lb_ticket_try_acquire(&lock->t); /* [T] [U] */
}

static size_t tfutex_counters(void *state, struct lb_counter *out, size_t max)
{
	struct tfutex_lock *lock = state;
	const struct lb_counter all[] = {
		{ "sleeps", atomic_load(&lock->sleeps) },
		{ "wakes", atomic_load(&lock->wakes) },
	};
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

/* No timed wait in the algorithm: try polled until the deadline (timed_try.h, timed-emulated). */
static bool tfutex_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(tfutex_try_acquire, state, node, deadline_ns);
}

const struct lb_lock_ops lb_lock_ticket_futex = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ticket-futex",
	.summary = "ticket lock whose waiters sleep on per-slot futexes; release wakes the next ticket only",
	.state_size = sizeof(struct tfutex_lock),
	.state_align = _Alignof(struct tfutex_lock),
	.node_size = 0,
	.caps = LB_CAP_FIFO | LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED | LB_CAP_CHECKS_RELEASE |
		LB_CAP_LIVE_COUNTERS,
	.params = NULL,
	.init = tfutex_init,
	.destroy = NULL,
	.acquire = tfutex_acquire,
	.release = tfutex_release,
	.try_acquire = tfutex_try_acquire,
	.acquire_until = tfutex_acquire_until,
	.counters = tfutex_counters,
};
