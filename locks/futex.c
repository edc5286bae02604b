/*
 * locks/futex.c — Drepper's three-state futex mutex.
 *
 * Algorithm: U. Drepper, "Futexes Are Tricky", 2011 (revision 1.6), the
 * final mutex ("Mutex, Take 3", class mutex3) — the protocol glibc's
 * lowlevellock is built on. One
 * 32-bit word, which is also the futex the waiters sleep on:
 *
 *	0	unlocked
 *	1	locked, nobody sleeping
 *	2	locked, maybe somebody sleeping (unlock must wake one)
 *
 * acquire: CAS 0 -> 1; done if it worked. Otherwise make the word 2 (an
 * exchange; if the exchange returned 0 the lock was free and is now ours,
 * marked 2 to be safe) and sleep in FUTEX_WAIT while it reads 2; after
 * every wake-up exchange 2 in again, until the exchange returns 0.
 * release: exchange 0 in; if the old value was 2, FUTEX_WAKE one sleeper.
 * Drepper's mutex3 releases with an atomic decrement and a separate store
 * of 0; the exchange (as in glibc's lll_unlock) does the same in one
 * instruction and lets release see "it was not locked" (old value 0,
 * having written 0 over 0: nothing changed) and return -1. That check is
 * best effort: the word does not say who holds the lock, so a release by a
 * non-holder of a held lock is not detected.
 *
 * Why no wake-up is lost: a waiter only sleeps in FUTEX_WAIT(word, 2), and
 * the kernel checks word == 2 atomically with queueing the waiter (see
 * sys_futex.h). A release either happens before that check (the word is
 * then 0 or 1, so the wait returns at once and the waiter retries) or after
 * the waiter is queued (the release's exchange reads the 2 the waiter
 * wrote, so it calls FUTEX_WAKE and finds the waiter). A waiter that took
 * the lock by an exchange that returned 0 leaves the word at 2 even when
 * nobody else sleeps: the price is one unneeded FUTEX_WAKE, never a lost
 * one.
 *
 * Not FIFO: FUTEX_WAKE picks a sleeper, and a newcomer's CAS may beat it.
 * Sleeps: waiters never spin (pure mutex3; pthread-adaptive spins first).
 *
 * try_acquire: CAS 0 -> 1.
 * acquire_until: as acquire, sleeping in FUTEX_WAIT_BITSET with the
 * absolute CLOCK_MONOTONIC deadline; gives up when the kernel says the
 * deadline has passed. The word may then stay 2 with nobody asleep: one
 * spurious FUTEX_WAKE later, as above.
 *
 * Counters: sleeps (FUTEX_WAIT calls), wakes (FUTEX_WAKE calls made by
 * release). Both are counted on the slow paths only, next to a system
 * call, with relaxed atomic adds on a line of their own.
 *
 * Memory ordering:
 *
 *  acquire: CAS(word, 0 -> 1, acquire / relaxed)		[A]
 *	     xchg(word, 2, acquire) == 0			[B]
 *	whichever takes the lock reads the 0 written by the previous
 *	holder's [R], so that holder's critical section happens-before ours.
 *	A failed CAS or an exchange that returned 1 or 2 grants nothing.
 *
 *  release: xchg(word, 0, release)				[R]
 *	pairs with the next holder's [A] or [B]. It also reads the newest
 *	value of the word (an RMW), which is what the wake decision needs:
 *	a plain load could miss a waiter's 2.
 *
 * FUTEX_WAIT and FUTEX_WAKE carry no data between threads; they only
 * decide when a waiter looks again, and every look is [B].
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "registry.h"
#include "sys_futex.h"

enum { FUTEX_UNLOCKED = 0, FUTEX_LOCKED = 1, FUTEX_CONTENDED = 2 };

struct futex_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t word;
	alignas(LB_CACHELINE) _Atomic uint64_t sleeps;
	_Atomic uint64_t wakes;
};

static bool futex_take_uncontended(struct futex_lock *lock)
{
	uint32_t expected = FUTEX_UNLOCKED;

	return atomic_compare_exchange_strong_explicit(&lock->word, &expected, FUTEX_LOCKED,
						       memory_order_acquire,
						       memory_order_relaxed); /* [A] */
}

/* Mark the lock contended; true if it was free and is now ours. */
static bool futex_take_contended(struct futex_lock *lock)
{
	return atomic_exchange_explicit(&lock->word, FUTEX_CONTENDED, memory_order_acquire) ==
	       FUTEX_UNLOCKED; /* [B] */
}

static void futex_acquire(void *state, void *node)
{
	struct futex_lock *lock = state;

	(void)node;
	if (futex_take_uncontended(lock))
		return;
	while (!futex_take_contended(lock)) {
		atomic_fetch_add_explicit(&lock->sleeps, 1, memory_order_relaxed); /* a count only */
		lb_futex_wait(&lock->word, FUTEX_CONTENDED);
	}
}

static int futex_release(void *state, void *node)
{
	struct futex_lock *lock = state;
	uint32_t old;

	(void)node;
	old = atomic_exchange_explicit(&lock->word, FUTEX_UNLOCKED, memory_order_release); /* [R] */
	if (old == FUTEX_UNLOCKED)
		return -1;
	if (old == FUTEX_CONTENDED) {
		atomic_fetch_add_explicit(&lock->wakes, 1, memory_order_relaxed); /* a count only */
		lb_futex_wake(&lock->word, 1);
	}
	return 0;
}

static bool futex_try_acquire(void *state, void *node)
{
	(void)node;
	return futex_take_uncontended(state);
}

static bool futex_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct futex_lock *lock = state;

	(void)node;
	if (futex_take_uncontended(lock))
		return true;
	while (!futex_take_contended(lock)) {
		atomic_fetch_add_explicit(&lock->sleeps, 1, memory_order_relaxed); /* a count only */
		if (!lb_futex_wait_until(&lock->word, FUTEX_CONTENDED, deadline_ns))
			return false;
	}
	return true;
}

static size_t futex_counters(void *state, struct lb_counter *out, size_t max)
{
	struct futex_lock *lock = state;
	const struct lb_counter all[] = {
		{ "sleeps", atomic_load(&lock->sleeps) },
		{ "wakes", atomic_load(&lock->wakes) },
	};
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

const struct lb_lock_ops lb_lock_futex = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "futex",
	.summary = "Drepper's three-state futex mutex (\"Futexes Are Tricky\", mutex3): sleeps, not FIFO",
	.state_size = sizeof(struct futex_lock),
	.state_align = _Alignof(struct futex_lock),
	.node_size = 0,
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_CHECKS_RELEASE | LB_CAP_LIVE_COUNTERS,
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = futex_acquire,
	.release = futex_release,
	.try_acquire = futex_try_acquire,
	.acquire_until = futex_acquire_until,
	.counters = futex_counters,
};
