/*
 * locks/ttas.c — test-and-test-and-set with bounded exponential backoff.
 *
 * Algorithm: L. Rudolph and Z. Segall, "Dynamic Decentralized Cache Schemes
 * for MIMD Parallel Processors", ISCA 1984 (test-and-test-and-set), with the
 * exponential backoff of T. E. Anderson, "The Performance of Spin Lock
 * Alternatives for Shared-Memory Multiprocessors", IEEE TPDS 1(1), 1990,
 * section III. One word, as in tas:
 *
 *	locked == 0	free
 *	locked == 1	held
 *
 * acquire: exchange 1 in, as tas does; the uncontended path is that one
 * exchange. When it fails, wait with plain loads (which hit the local
 * cache until the holder's release invalidates it, so waiters stop taking
 * the line away from the holder), pausing `delay` times between two looks;
 * the delay starts at backoff_min and doubles on every look that still
 * finds the lock held, up to backoff_max. Once the lock looks free,
 * exchange again. The growing delay spreads the waiters' exchanges out
 * after a release instead of all of them hitting the line at once; the
 * bound keeps a waiter from sleeping through long stretches of free lock.
 *
 * Not FIFO: a waiter deep in its backoff loses to any thread that happens
 * to look at the right moment, the releasing thread most of all. Spins.
 *
 * Parameters (`pause` instructions, about 25 ns each on the reference VM):
 *	backoff_min	first delay after a failed exchange (default 1)
 *	backoff_max	the bound on the delay (default 128, about 3 us)
 * init refuses backoff_min > backoff_max.
 *
 * Memory ordering:
 *
 *  acquire: xchg(locked, 1, acquire) == 0			[X]
 *	as in tas: reads the 0 of the previous holder's [R], so that
 *	holder's critical section happens-before ours.
 *
 *  acquire: load(locked, relaxed) while waiting			[W]
 *	only decides when to try [X] again; nothing is read through it, so
 *	relaxed. Seeing 0 here grants nothing: [X] still has to win.
 *
 *  release: store(locked, 0, release)				[R]
 *	pairs with the next holder's [X] or [T].
 *
 *  release, validation build only: load(locked, relaxed) == 0	[F]
 *	returns -1 on a free lock, as in tas.c, which explains why this
 *	check is left out of lockbench's build (LB_LOCK_CHECKS).
 *
 *  try_acquire: xchg(locked, 1, acquire) == 0			[T]
 *
 * The parameters share the line with `locked`: they are read once per
 * contended acquire, from the line the exchange brings in anyway.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>

#include "cpu.h"
#include "registry.h"
#include "timed_try.h"

enum { TTAS_PARAM_BACKOFF_MIN, TTAS_PARAM_BACKOFF_MAX };

#define TTAS_BACKOFF_LIMIT (1 << 20) /* pauses: about 25 ms, far past any use */

static const struct lb_param ttas_params[] = {
	[TTAS_PARAM_BACKOFF_MIN] = {
		.name = "backoff_min",
		.type = LB_PARAM_INT,
		.def = "1",
		.help = "pauses after the first failed exchange",
		.min = 1,
		.max = TTAS_BACKOFF_LIMIT,
	},
	[TTAS_PARAM_BACKOFF_MAX] = {
		.name = "backoff_max",
		.type = LB_PARAM_INT,
		.def = "128",
		.help = "bound on the doubling backoff, in pauses",
		.min = 1,
		.max = TTAS_BACKOFF_LIMIT,
	},
	{ .name = NULL },
};

struct ttas_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t locked;
	uint32_t backoff_min;
	uint32_t backoff_max;
};

static int ttas_init(void *state, const union lb_value *params, unsigned nthreads,
		     char *err, size_t errlen)
{
	struct ttas_lock *lock = state;
	int64_t lo = params[TTAS_PARAM_BACKOFF_MIN].i;
	int64_t hi = params[TTAS_PARAM_BACKOFF_MAX].i;

	(void)nthreads;
	if (lo < 1 || lo > TTAS_BACKOFF_LIMIT) {
		snprintf(err, errlen, "ttas: backoff_min: %lld is outside [1, %d]", (long long)lo,
			 TTAS_BACKOFF_LIMIT);
		return -1;
	}
	if (hi < lo || hi > TTAS_BACKOFF_LIMIT) {
		snprintf(err, errlen, "ttas: backoff_max: %lld is outside [backoff_min=%lld, %d]",
			 (long long)hi, (long long)lo, TTAS_BACKOFF_LIMIT);
		return -1;
	}
	lock->backoff_min = (uint32_t)lo;
	lock->backoff_max = (uint32_t)hi;
	return 0; /* locked starts at 0 (free): the runner zeroed the state */
}

/* Out of line: keeps the uncontended acquire down to one exchange. */
static __attribute__((noinline)) void ttas_acquire_slow(struct ttas_lock *lock)
{
	uint32_t delay = lock->backoff_min;
	const uint32_t delay_max = lock->backoff_max;

	do {
		do {
			for (uint32_t i = 0; i < delay; i++)
				lb_cpu_relax();
			delay = delay < delay_max / 2 ? delay * 2 : delay_max;
		} while (atomic_load_explicit(&lock->locked, memory_order_relaxed) != 0); /* [W] */
	} while (atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire) != 0); /* [X] */
}

static void ttas_acquire(void *state, void *node)
{
	struct ttas_lock *lock = state;

	(void)node;
	if (atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire) != 0) /* [X] */
		ttas_acquire_slow(lock);
}

/* acquire's slow path with a clock check before each backoff round (native: nothing to give back). */
static bool ttas_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct ttas_lock *lock = state;
	uint32_t delay = lock->backoff_min;
	const uint32_t delay_max = lock->backoff_max;

	(void)node;
	while (atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire) != 0) { /* [X] */
		do {
			if (lb_lock_now_ns() >= deadline_ns)
				return false;
			for (uint32_t i = 0; i < delay; i++)
				lb_cpu_relax();
			delay = delay < delay_max / 2 ? delay * 2 : delay_max;
		} while (atomic_load_explicit(&lock->locked, memory_order_relaxed) != 0); /* [W] */
	}
	return true;
}

static int ttas_release(void *state, void *node)
{
	struct ttas_lock *lock = state;

	(void)node;
	if (LB_CHECKED && atomic_load_explicit(&lock->locked, memory_order_relaxed) == 0) /* [F] */
		return -1;
	atomic_store_explicit(&lock->locked, 0, memory_order_release); /* [R] */
	return 0;
}

static bool ttas_try_acquire(void *state, void *node)
{
	struct ttas_lock *lock = state;

	(void)node;
	return atomic_exchange_explicit(&lock->locked, 1, memory_order_acquire) == 0; /* [T] */
}

const struct lb_lock_ops lb_lock_ttas = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ttas",
	.summary = "test-and-test-and-set with bounded exponential backoff (Anderson 1990): not FIFO",
	.state_size = sizeof(struct ttas_lock),
	.state_align = _Alignof(struct ttas_lock),
	.node_size = 0,
	.caps = LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.params = ttas_params,
	.init = ttas_init,
	.destroy = NULL,
	.acquire = ttas_acquire,
	.release = ttas_release,
	.try_acquire = ttas_try_acquire,
	.acquire_until = ttas_acquire_until,
};
