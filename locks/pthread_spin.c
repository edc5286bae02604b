/*
 * locks/pthread_spin.c — the C library's spinlock, pthread_spinlock_t.
 *
 * glibc 2.36 on x86-64 (sysdeps/x86_64/nptl/pthread_spin_lock.S): the int
 * is 1 when free; lock is `lock decl`, done if the result is 0; otherwise
 * spin with `pause` and plain loads until the int is positive again, then
 * decrement again — test-and-test-and-set without backoff. Unlock stores 1;
 * trylock is a CAS 1 -> 0. Not FIFO. Spins, never sleeps.
 *
 * Memory ordering: lock has acquire semantics and unlock release semantics
 * (POSIX "synchronize memory"); we add no atomics.
 *
 * release always returns 0: glibc's pthread_spin_unlock just stores 1 and
 * cannot tell whether the caller held the lock.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "registry.h"
#include "timed_try.h"

struct pspin_state {
	pthread_spinlock_t spin;
};

static int pspin_init(void *state, const union lb_value *params, unsigned nthreads,
		      char *err, size_t errlen)
{
	struct pspin_state *s = state;
	int rc;

	(void)params;
	(void)nthreads;
	rc = pthread_spin_init(&s->spin, PTHREAD_PROCESS_PRIVATE);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_spin_init: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static void pspin_destroy(void *state)
{
	struct pspin_state *s = state;

	pthread_spin_destroy(&s->spin);
}

/* glibc's spin lock has no failure mode; a nonzero result means corrupt state. */
static void pspin_acquire(void *state, void *node)
{
	struct pspin_state *s = state;

	(void)node;
	if (pthread_spin_lock(&s->spin) != 0)
		abort();
}

static int pspin_release(void *state, void *node)
{
	struct pspin_state *s = state;

	(void)node;
	return pthread_spin_unlock(&s->spin) == 0 ? 0 : -1;
}

static bool pspin_try_acquire(void *state, void *node)
{
	struct pspin_state *s = state;

	(void)node;
	return pthread_spin_trylock(&s->spin) == 0;
}

/*
 * glibc has no timed spin lock; its pthread_spin_lock is a decrement, then
 * spinning on reads until the word looks free. Trylock (its CAS) with a
 * pause and a clock check between tries is the same wait with a deadline
 * (native: a waiter holds no place it would have to give back).
 */
static bool pspin_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	while (!pspin_try_acquire(state, node)) {
		if (lb_lock_now_ns() >= deadline_ns)
			return false;
		lb_cpu_relax();
	}
	return true;
}

const struct lb_lock_ops lb_lock_pthread_spin = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "pthread-spin",
	.summary = "glibc pthread_spinlock_t: lock decl, then spin reading; no backoff, not FIFO",
	.state_size = sizeof(struct pspin_state),
	.state_align = _Alignof(struct pspin_state),
	.node_size = 0,
	.caps = LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED,
	.params = NULL,
	.init = pspin_init,
	.destroy = pspin_destroy,
	.acquire = pspin_acquire,
	.release = pspin_release,
	.try_acquire = pspin_try_acquire,
	.acquire_until = pspin_acquire_until,
};
