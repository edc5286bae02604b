/*
 * mylock.c — a test-and-test-and-set spinlock with exponential backoff, as
 * a lockbench plug-in: build it with `make`, run it with
 * `lockbench run --locks ./mylock.so:backoff=64`.
 *
 * Algorithm: L. Rudolph and Z. Segall, "Dynamic Decentralized Cache Schemes
 * for MIMD Parallel Processors", ISCA 1984 (test-and-test-and-set), with the
 * exponential backoff of T. E. Anderson, "The Performance of Spin Lock
 * Alternatives for Shared-Memory Multiprocessors", IEEE TPDS 1(1), 1990.
 * One word, `held`:
 *
 *	0	free
 *	1	held; any number of threads may be waiting
 *
 * A waiter first spins reading `held` (the "test"), which hits its own
 * cached copy of the line and sends no traffic while the lock is held; only
 * when it reads 0 does it try the atomic exchange (the "and set"), which
 * needs the line exclusively. A failed exchange means another waiter won the
 * race; the loser then pauses for `delay` relax instructions, doubling it up
 * to `backoff` after each lost race, so that the waiters who all saw the
 * release at once do not all retry at once.
 *
 * `delay_iters` adds that many iterations of an empty loop (the one
 * lockbench's busy work uses) after the lock is taken, inside the critical
 * section: a known, deterministic slowdown of the same lock, to try the
 * one-process A/B gate on (`lockbench ab ./mylock.so ./mylock.so:delay_iters=200`).
 * It touches no shared memory and changes nothing below.
 *
 * Not FIFO: whoever's exchange lands first wins, and a thread that just
 * released has the line in its cache and often wins again. Waiters spin and
 * never sleep, so the lock suffers when threads outnumber CPUs.
 *
 * Memory ordering:
 *
 *  acquire: spin while load(held, relaxed) != 0			[S]
 *	[S] only decides when an exchange is worth trying; nothing read in
 *	the critical section depends on it, so relaxed.
 *  acquire: exchange(held, 1, acquire) == 0				[X]
 *	The exchange that reads 0 reads the value stored by the previous
 *	holder's release [R]; acquire makes [R] synchronize-with [X], so the
 *	previous critical section happens-before ours, and our critical
 *	section cannot be hoisted above [X].
 *  release: load(held, relaxed); store(held, 0, release)		[R]
 *	release orders our critical section before the store that frees the
 *	lock; it pairs with the next holder's [X]. The relaxed load only
 *	catches a release of a free lock (returns -1): the best a one-word
 *	lock can check, since it does not know its owner.
 *  try_acquire: load(held, relaxed) == 0 && [X]
 *	The load avoids taking the line exclusively when the lock is held;
 *	ordering comes from [X] as in acquire.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>

#include <lockbench/lock.h>

struct tatas {
	alignas(LB_CACHELINE) _Atomic unsigned held;
	unsigned backoff; /* most relax instructions between two exchanges */
	unsigned long delay_iters; /* extra work per acquisition, inside the lock */
};

enum { P_BACKOFF, P_DELAY_ITERS };

static const struct lb_param tatas_params[] = {
	[P_BACKOFF] = { "backoff", LB_PARAM_INT, "64",
			"most pause instructions between two attempts; doubles from 1 (0 = no backoff)", 0, 65536 },
	[P_DELAY_ITERS] = { "delay_iters", LB_PARAM_INT, "0",
			    "busy-loop iterations added inside every acquisition (a known slowdown; 0 = none)", 0,
			    100000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

static inline void relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

static int tatas_init(void *state, const union lb_value *params, unsigned nthreads, char *err, size_t errlen)
{
	(void)nthreads;
	(void)err;
	(void)errlen;
	struct tatas *l = state;
	atomic_init(&l->held, 0);
	l->backoff = (unsigned)params[P_BACKOFF].i;
	l->delay_iters = (unsigned long)params[P_DELAY_ITERS].i;
	return 0;
}

/* The empty dependent loop of lockbench's busy work: one iteration costs what one of cs_ns's does. */
static inline void busy(unsigned long iters)
{
	for (unsigned long i = 0; i < iters; i++)
		__asm__ volatile("" : "+r"(i));
}

static void tatas_acquire(void *state, void *node)
{
	(void)node;
	struct tatas *l = state;
	unsigned delay = 1;
	for (;;) {
		while (atomic_load_explicit(&l->held, memory_order_relaxed) != 0)
			relax();
		if (atomic_exchange_explicit(&l->held, 1, memory_order_acquire) == 0) {
			busy(l->delay_iters);
			return;
		}
		if (l->backoff == 0)
			continue;
		for (unsigned i = 0; i < delay; i++)
			relax();
		delay = delay * 2 > l->backoff ? l->backoff : delay * 2;
	}
}

static bool tatas_try_acquire(void *state, void *node)
{
	(void)node;
	struct tatas *l = state;
	if (atomic_load_explicit(&l->held, memory_order_relaxed) != 0 ||
	    atomic_exchange_explicit(&l->held, 1, memory_order_acquire) != 0)
		return false;
	busy(l->delay_iters);
	return true;
}

static int tatas_release(void *state, void *node)
{
	(void)node;
	struct tatas *l = state;
	if (atomic_load_explicit(&l->held, memory_order_relaxed) == 0)
		return -1;
	atomic_store_explicit(&l->held, 0, memory_order_release);
	return 0;
}

const struct lb_lock_ops lockbench_lock = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "tatas",
	.summary = "test-and-test-and-set spinlock with exponential backoff (example plug-in)",
	.state_size = sizeof(struct tatas),
	.state_align = alignof(struct tatas),
	.node_size = 0,
	.caps = LB_CAP_SPINS | LB_CAP_TRY,
	.params = tatas_params,
	.init = tatas_init,
	.acquire = tatas_acquire,
	.release = tatas_release,
	.try_acquire = tatas_try_acquire,
};
