/*
 * locks/anderson.c — Anderson's array-based queue lock.
 *
 * Algorithm: T. E. Anderson, "The Performance of Spin Lock Alternatives for
 * Shared-Memory Multiprocessors", IEEE TPDS 1(1), 1990, section IV. A ticket
 * lock whose waiters spin on a slot of an array instead of on one shared
 * counter: ticket t waits on slot t mod N, and the holder of ticket t
 * passes the lock on by setting slot t+1 mod N. With one slot per cache
 * line, each waiter spins on a line of its own and a hand-over moves one
 * line, as in MCS, but without per-thread queue nodes.
 *
 *	next			the next ticket; taken with fetch_add
 *	slot[i].go		1: the ticket waiting on slot i may enter
 *
 *	slot:	 0    1    2    3		N = 4, next = 7: ticket 4 (slot 0)
 *	go:	 0    1    0    0		released, so slot 1 says go and
 *						ticket 5 enters; ticket 6 waits on 2
 *
 * N is the smallest power of two >= nthreads (a power of two, so that
 * "t mod N" stays right when the 32-bit ticket counter wraps). N >= the
 * number of threads is what makes reusing slots safe: at most nthreads
 * tickets are outstanding (issued, not yet released) at any time, one per
 * thread, so no two of them share a slot.
 *
 * Sizing: the state is fixed-size per ops table, so it has room for
 * LB_ANDERSON_MAX_SLOTS = 1024 slots (lockbench's thread limit; 64 KiB,
 * one line per slot), and init uses the first N. init fails, saying so,
 * when nthreads > 1024.
 *
 * FIFO: by ticket. Spins: never sleeps, collapses when threads outnumber
 * CPUs (the next ticket's thread is often preempted).
 *
 * The thread's node remembers the slot it holds (slot + 1; 0 while not
 * holding), so release knows which slot comes next and returns -1 when the
 * caller does not hold the lock.
 *
 * acquire_until: try_acquire polled until the deadline (timed_try.h,
 * timed-emulated): a ticket taken must be served.
 * try_acquire: read next = t; if slot t mod N says go, CAS next from t to
 * t + 1. Success means nobody took ticket t between the two reads, and the
 * go we read was meant for ticket t: the only other ticket it could have
 * been meant for is t - N (or earlier), whose thread would not yet have
 * cleared it, i.e. not yet even entered; then tickets t - N .. t - 1 would
 * all be outstanding at once, N threads, plus us: more than nthreads.
 *
 * Memory ordering:
 *
 *  acquire: t = fetch_add(next, 1, relaxed)			[F]
 *	hands out a unique ticket (RMWs on `next` are totally ordered);
 *	nothing is published through `next`.
 *
 *  acquire: spin until load(slot[t mod N].go, acquire) == 1	[S]
 *	pairs with [R] of ticket t-1's holder (or init's go for ticket 0):
 *	its critical section happens-before ours.
 *
 *  acquire: store(slot[t mod N].go, 0, relaxed)		[C]
 *	clears the slot for ticket t + N. The next write to it is [R] of
 *	ticket t+N-1's holder, which our [C] happens-before: [C] is sequenced
 *	before our [R], and the chain of hand-overs [R] -> [S] runs from us to
 *	that holder. So the clear can never overwrite that later go.
 *
 *  release: store(slot[t+1 mod N].go, 1, release)		[R]
 *	pairs with ticket t+1's [S] (or a try's [T]).
 *
 *  try_acquire: t = load(next, relaxed)			[N]
 *	     load(slot[t mod N].go, acquire) == 1		[T]
 *	     CAS(next, t -> t + 1, relaxed)			[U]
 *	[T] reads the go of [R] (see above for why it is ticket t's), so the
 *	previous critical section happens-before ours. [U] orders us against
 *	every [F]: ticket t is ours alone. [N] only proposes t; [U] checks it,
 *	so both are relaxed. Then [C] as in acquire.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>

#include "cpu.h"
#include "registry.h"
#include "timed_try.h"

#define LB_ANDERSON_MAX_SLOTS 1024u

struct anderson_slot {
	alignas(LB_CACHELINE) _Atomic uint32_t go;
};

struct anderson_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t next;
	uint32_t mask; /* N - 1; read-only after init */
	struct anderson_slot slot[LB_ANDERSON_MAX_SLOTS];
};

struct anderson_node {
	uint32_t held; /* slot + 1 while holding, 0 otherwise */
};

static int anderson_init(void *state, const union lb_value *params, unsigned nthreads,
			 char *err, size_t errlen)
{
	struct anderson_lock *lock = state;
	uint32_t n = 1;

	(void)params;
	if (nthreads > LB_ANDERSON_MAX_SLOTS) {
		snprintf(err, errlen, "anderson: %u threads, but the slot array holds at most %u",
			 nthreads, LB_ANDERSON_MAX_SLOTS);
		return -1;
	}
	while (n < nthreads)
		n *= 2;
	lock->mask = n - 1;
	atomic_init(&lock->next, 0);
	for (uint32_t i = 0; i < n; i++)
		atomic_init(&lock->slot[i].go, i == 0);
	return 0;
}

static void anderson_acquire(void *state, void *node)
{
	struct anderson_lock *lock = state;
	struct anderson_node *me = node;
	uint32_t t = atomic_fetch_add_explicit(&lock->next, 1, memory_order_relaxed); /* [F] */
	uint32_t i = t & lock->mask;

	while (atomic_load_explicit(&lock->slot[i].go, memory_order_acquire) == 0) /* [S] */
		lb_cpu_relax();
	atomic_store_explicit(&lock->slot[i].go, 0, memory_order_relaxed); /* [C] */
	me->held = i + 1;
}

static int anderson_release(void *state, void *node)
{
	struct anderson_lock *lock = state;
	struct anderson_node *me = node;
	uint32_t i = me->held;

	if (i == 0)
		return -1;
	me->held = 0;
	/* held is slot + 1: exactly the next slot, before the mask. */
	atomic_store_explicit(&lock->slot[i & lock->mask].go, 1, memory_order_release); /* [R] */
	return 0;
}

static bool anderson_try_acquire(void *state, void *node)
{
	struct anderson_lock *lock = state;
	struct anderson_node *me = node;
	uint32_t t = atomic_load_explicit(&lock->next, memory_order_relaxed); /* [N] */
	uint32_t i = t & lock->mask;

	if (atomic_load_explicit(&lock->slot[i].go, memory_order_acquire) == 0) /* [T] */
		return false;
	if (!atomic_compare_exchange_strong_explicit(&lock->next, &t, t + 1, memory_order_relaxed,
						     memory_order_relaxed)) /* [U] */
		return false;
	atomic_store_explicit(&lock->slot[i].go, 0, memory_order_relaxed); /* [C] */
	me->held = i + 1;
	return true;
}

/* No timed wait in the algorithm: try polled until the deadline (timed_try.h, timed-emulated). */
static bool anderson_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(anderson_try_acquire, state, node, deadline_ns);
}

const struct lb_lock_ops lb_lock_anderson = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "anderson",
	.summary = "Anderson's array queue lock (1990): FIFO, each waiter spins on its own slot",
	.state_size = sizeof(struct anderson_lock),
	.state_align = _Alignof(struct anderson_lock),
	.node_size = sizeof(struct anderson_node),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED | LB_CAP_CHECKS_RELEASE |
		LB_CAP_KNOWS_OWNER,
	.params = NULL,
	.init = anderson_init,
	.destroy = NULL,
	.acquire = anderson_acquire,
	.release = anderson_release,
	.try_acquire = anderson_try_acquire,
	.acquire_until = anderson_acquire_until,
};
