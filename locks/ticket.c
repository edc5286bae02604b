/*
 * locks/ticket.c — the ticket lock.
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
 * waiter is bypassed by at most the threads that were ahead of it.
 * Spins: waiters poll `owner` with `pause` in between; they never sleep,
 * which is why the lock collapses when threads outnumber CPUs (the next
 * ticket holder is often preempted and everybody waits for it).
 *
 * Layout: both counters share one cache line. Uncontended, acquire plus
 * release then touch a single line; under contention each new arrival's
 * fetch_add on `next` also invalidates the line the waiters spin on. We
 * take that cost to keep the uncontended path on one line, as Linux's old
 * ticket spinlocks and Concurrency Kit's ck_spinlock_ticket do.
 *
 * Counters are 32 bits and wrap; comparisons are for equality only, so the
 * wrap is harmless as long as fewer than 2^32 threads wait at once.
 *
 * Memory ordering:
 *
 *  acquire: t = fetch_add(next, 1, relaxed)
 *	The fetch_add only has to hand out a unique ticket; all RMWs on `next`
 *	are totally ordered (its modification order) whatever their memory
 *	order, so relaxed suffices. No data is published through `next`.
 *
 *  acquire: spin until load(owner, acquire) == t		[A]
 *	[A] reads the value written by the release [R] of ticket t-1's holder
 *	(the only write ever to make it t), so [R] synchronizes-with [A]: that
 *	holder's critical section happens-before ours. Our critical section is
 *	sequenced after [A] and cannot be hoisted above it.
 *
 *  release: fetch_add(owner, 1, release)			[R]
 *	Only the holder writes `owner`, so the add makes it our ticket + 1.
 *	[R] pairs with the next holder's [A] or [T].
 *	In the validation build only (LB_LOCK_CHECKS; tas.c says why not in
 *	lockbench's), relaxed loads of `owner` and `next` before [R] that are
 *	equal mean nobody holds the lock, and release returns -1. A real
 *	holder can never see that: its own RMW moved `next` past its ticket
 *	and `next` only grows. Best effort: it cannot tell which thread holds
 *	the lock.
 *	[R] is an RMW rather than a plain store, although only the holder
 *	writes `owner`: on the reference VM (2 vCPUs, AMD Zen 4 under KVM)
 *	a plain store, followed at once by the releasing thread's next
 *	fetch_add on the same line, made two-thread hand-overs 2-4x slower
 *	whenever the vCPUs were placed far apart, where CK's ticket lock (a
 *	`lock inc` release) did not slow down; with the RMW ours is as fast
 *	as CK's there. Uncontended it costs about 0.5 ns.
 *
 *  try_acquire: o = load(owner, acquire)			[T]
 *	     CAS(next, o -> o + 1, relaxed)
 *	The CAS succeeds only if `next` == o. `owner` was o at [T]; `owner`
 *	never exceeds `next` and neither ever goes back, and `next` was o at
 *	the CAS, so `next` stayed o between the two and `owner` too: at the
 *	CAS the lock was free (owner == next == o) and ticket o is ours and
 *	already being served. The CAS on `next` also orders us against every
 *	fetch_add, so no one else gets ticket o. Were the counters to wrap
 *	between [T] and the CAS, `next` would have had to advance 2^32 times
 *	while we sat between two instructions: not a case we guard against.
 *	Ordering comes from [T]: it read the o written by the previous
 *	holder's [R], so that holder's critical section happens-before ours,
 *	and ours is sequenced after [T]. The CAS itself publishes nothing and
 *	reads nothing we rely on, hence relaxed.
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "registry.h"

struct ticket_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t next;
	_Atomic uint32_t owner;
};

static void ticket_acquire(void *state, void *node)
{
	struct ticket_lock *lock = state;
	uint32_t ticket = atomic_fetch_add_explicit(&lock->next, 1, memory_order_relaxed);

	(void)node;
	while (atomic_load_explicit(&lock->owner, memory_order_acquire) != ticket)
		lb_cpu_relax();
}

static int ticket_release(void *state, void *node)
{
	struct ticket_lock *lock = state;

	(void)node;
	if (LB_CHECKED && atomic_load_explicit(&lock->next, memory_order_relaxed) ==
			      atomic_load_explicit(&lock->owner, memory_order_relaxed))
		return -1;
	atomic_fetch_add_explicit(&lock->owner, 1, memory_order_release);
	return 0;
}

static bool ticket_try_acquire(void *state, void *node)
{
	struct ticket_lock *lock = state;
	uint32_t owner = atomic_load_explicit(&lock->owner, memory_order_acquire);
	uint32_t expected = owner;

	(void)node;
	return atomic_compare_exchange_strong_explicit(&lock->next, &expected, owner + 1,
						       memory_order_relaxed,
						       memory_order_relaxed);
}

const struct lb_lock_ops lb_lock_ticket = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ticket",
	.summary = "ticket lock (Mellor-Crummey & Scott 1991): FIFO, spins on one shared line",
	.state_size = sizeof(struct ticket_lock),
	.state_align = _Alignof(struct ticket_lock),
	.node_size = 0,
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_TRY | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = ticket_acquire,
	.release = ticket_release,
	.try_acquire = ticket_try_acquire,
};
