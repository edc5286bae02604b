/*
 * locks/mcs_park.c — MCS that spins for a while, then parks on a futex.
 *
 * Algorithm: the MCS queue lock (Mellor-Crummey & Scott, ACM TOCS 9(1),
 * 1991; see mcs.c) with spin-then-park waiting, the combination Linux's
 * mutexes (optimistic spinning on an MCS queue, then sleeping) and many
 * user-space locks use: a waiter spins on its own node for `spin` rounds
 * (a `pause` each), in case the hand-over comes soon, and then sleeps in
 * FUTEX_WAIT on a word in its node. The releaser hands over as in MCS and
 * wakes the successor only if it parked.
 *
 * The node's `state` word is the hand-over flag and the futex:
 *
 *	WAITING	  the successor spins (or is about to)
 *	PARKED	  the successor sleeps, or is on its way into FUTEX_WAIT
 *	GRANTED	  the predecessor handed the lock over
 *
 * The race between parking and the hand-over: the waiter decides to park
 * while the releaser decides to hand over, both on the same word. The
 * waiter parks with CAS(state, WAITING -> PARKED); the releaser hands over
 * with exchange(state, GRANTED). The two RMWs on one word are totally
 * ordered:
 *  - hand-over first: the CAS fails, seeing GRANTED; the waiter owns the
 *    lock and never sleeps;
 *  - park first: the exchange returns PARKED and the releaser calls
 *    FUTEX_WAKE. The waiter is in FUTEX_WAIT(state, PARKED) then, and is
 *    woken; or it is not there yet, and the kernel finds state == GRANTED
 *    != PARKED and does not let it sleep (sys_futex.h).
 * Either way no hand-over is lost, and a releaser makes a system call only
 * for a successor that parked.
 *
 * The releaser calls FUTEX_WAKE after the exchange, when the successor may
 * already run, hold, release and even wait again on the same node. The
 * node stays valid memory (the runner's, for the whole run), and such a
 * late wake is at worst a spurious return from FUTEX_WAIT, after which a
 * waiter looks at its state and sleeps again.
 *
 * FIFO: in the order of the swaps on the tail, as MCS. Waiters spin up to
 * `spin` rounds, then sleep; `lockbench list` calls that `sleeps`. With
 * spin=0 a waiter parks at once. Unlike mcs, an oversubscribed run does
 * not collapse into scheduler ticks: a waiter that will not get the lock
 * soon leaves its CPU. The one spin left unbounded is MCS's own: a
 * releaser whose successor has swapped the tail but not linked yet waits
 * for the link, which the successor writes right after its swap.
 *
 * try_acquire: CAS the tail from NULL, as mcs. No acquire_until: a waiter
 * cannot leave the queue (that needs the abortable MCS variants).
 *
 * Counters: parks (waiters that went to sleep), wakes (FUTEX_WAKE calls),
 * counted next to those system calls, on a line of their own.
 *
 * Memory ordering (mcs.c explains [X], [L], [N], [C], [T]; only the
 * hand-over differs):
 *
 *  acquire: store(me->state, WAITING, relaxed); store(me->next, NULL, relaxed)
 *	     prev = xchg(tail, me, acq_rel)			[X]
 *	     store(prev->next, me, release)			[L]
 *	[L] also orders our reset of state before the predecessor's [H]:
 *	the reset cannot overwrite a GRANTED.
 *
 *  acquire: load(me->state, acquire) == GRANTED while spinning	[S]
 *	     CAS(me->state, WAITING -> PARKED, acquire / acquire)	[P]
 *	     load(me->state, acquire) == GRANTED after a wake	[S]
 *	[S] and a failed [P] read the GRANTED of the predecessor's [H]: its
 *	critical section happens-before ours. A successful [P] publishes
 *	nothing (it only tells [H] to wake us) and would need no order; it
 *	is acquire only because C11 forbids a failure order stronger than
 *	the success order (on x86 the CAS is a locked instruction anyway).
 *
 *  release: next = load(me->next, acquire)			[N]
 *	     CAS(tail, me -> NULL, release / relaxed)		[C]
 *	     xchg(next->state, GRANTED, release)		[H]
 *	[H] pairs with [S] or a failed [P]. Being an RMW it reads the latest
 *	state, so it cannot miss a PARKED.
 *
 *  try_acquire: store(me->next, NULL, relaxed)
 *	     CAS(tail, NULL -> me, acq_rel / relaxed)		[T]
 *
 * release returns -1 when it finds the lock free, as mcs does.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>

#include "cpu.h"
#include "registry.h"
#include "sys_futex.h"

enum { MCS_PARK_WAITING = 0, MCS_PARK_GRANTED = 1, MCS_PARK_PARKED = 2 };

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

struct mcs_park_node {
	_Atomic(struct mcs_park_node *) next;
	_Atomic uint32_t state; /* the hand-over flag and the futex word */
};

struct mcs_park_lock {
	alignas(LB_CACHELINE) _Atomic(struct mcs_park_node *) tail;
	uint32_t spin; /* read-only after init */
	alignas(LB_CACHELINE) _Atomic uint64_t parks;
	_Atomic uint64_t wakes;
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
	lock->spin = (uint32_t)spin;
	atomic_init(&lock->tail, NULL);
	atomic_init(&lock->parks, 0);
	atomic_init(&lock->wakes, 0);
	return 0;
}

static bool mcs_park_granted(struct mcs_park_node *me)
{
	return atomic_load_explicit(&me->state, memory_order_acquire) == MCS_PARK_GRANTED;
}

/* Spin, then park until the predecessor hands the lock over. */
static __attribute__((noinline)) void mcs_park_wait(struct mcs_park_lock *lock,
						    struct mcs_park_node *me)
{
	uint32_t expected = MCS_PARK_WAITING;

	for (uint32_t i = 0; i < lock->spin; i++) {
		if (mcs_park_granted(me))
			return;
		lb_cpu_relax();
	}
	if (!atomic_compare_exchange_strong_explicit(&me->state, &expected, MCS_PARK_PARKED,
						     memory_order_acquire, memory_order_acquire))
		return; /* granted before we could park */
	atomic_fetch_add_explicit(&lock->parks, 1, memory_order_relaxed);
	do
		lb_futex_wait(&me->state, MCS_PARK_PARKED);
	while (!mcs_park_granted(me));
}

static void mcs_park_acquire(void *state, void *node)
{
	struct mcs_park_lock *lock = state;
	struct mcs_park_node *me = node;
	struct mcs_park_node *prev;

	atomic_store_explicit(&me->state, MCS_PARK_WAITING, memory_order_relaxed);
	atomic_store_explicit(&me->next, NULL, memory_order_relaxed);
	prev = atomic_exchange_explicit(&lock->tail, me, memory_order_acq_rel);
	if (prev == NULL)
		return;
	atomic_store_explicit(&prev->next, me, memory_order_release);
	mcs_park_wait(lock, me);
}

static int mcs_park_release(void *state, void *node)
{
	struct mcs_park_lock *lock = state;
	struct mcs_park_node *me = node;
	struct mcs_park_node *next = atomic_load_explicit(&me->next, memory_order_acquire);

	if (next == NULL) {
		struct mcs_park_node *expected = me;

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
	if (atomic_exchange_explicit(&next->state, MCS_PARK_GRANTED, memory_order_release) ==
	    MCS_PARK_PARKED) {
		atomic_fetch_add_explicit(&lock->wakes, 1, memory_order_relaxed);
		lb_futex_wake(&next->state, 1);
	}
	return 0;
}

static bool mcs_park_try_acquire(void *state, void *node)
{
	struct mcs_park_lock *lock = state;
	struct mcs_park_node *me = node;
	struct mcs_park_node *expected = NULL;

	atomic_store_explicit(&me->next, NULL, memory_order_relaxed);
	return atomic_compare_exchange_strong_explicit(&lock->tail, &expected, me,
						       memory_order_acq_rel,
						       memory_order_relaxed);
}

static size_t mcs_park_counters(void *state, struct lb_counter *out, size_t max)
{
	struct mcs_park_lock *lock = state;
	const struct lb_counter all[] = {
		{ "parks", atomic_load(&lock->parks) },
		{ "wakes", atomic_load(&lock->wakes) },
	};
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

const struct lb_lock_ops lb_lock_mcs_park = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "mcs-park",
	.summary = "MCS queue lock whose waiters spin `spin` rounds, then park on a futex in their node",
	.state_size = sizeof(struct mcs_park_lock),
	.state_align = _Alignof(struct mcs_park_lock),
	.node_size = sizeof(struct mcs_park_node),
	.caps = LB_CAP_FIFO | LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_CHECKS_RELEASE,
	.params = mcs_park_params,
	.init = mcs_park_init,
	.destroy = NULL,
	.acquire = mcs_park_acquire,
	.release = mcs_park_release,
	.try_acquire = mcs_park_try_acquire,
	.counters = mcs_park_counters,
};
