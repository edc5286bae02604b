/*
 * locks/pthread.c — the C library's mutex, the baseline for every other lock.
 *
 * A pthread_mutex_t with default attributes (glibc: PTHREAD_MUTEX_NORMAL, a
 * futex word that is CASed 0 -> 1 when free and otherwise set to "contended"
 * before the waiter sleeps in futex_wait; unlock wakes one sleeper). It is
 * not FIFO: a thread arriving while the lock is free may take it ahead of a
 * woken sleeper. Waiters spin briefly at most, then sleep in the kernel.
 *
 * Memory ordering: the mutex gives acquire semantics on lock and release
 * semantics on unlock (POSIX "synchronize memory"); we add no atomics.
 *
 * acquire_until uses pthread_mutex_clocklock (glibc 2.30+) so the deadline
 * is on CLOCK_MONOTONIC, like the runner's, and does not move when the wall
 * clock is set (pthread_tsan.h explains the ThreadSanitizer annotations).
 *
 * release reports -1 only when pthread_mutex_unlock does: a default mutex
 * does not record its owner, so releasing a lock one does not hold is not
 * detected (it is undefined behaviour for this mutex type).
 *
 * The functions are prefixed pmutex_, not pthread_, because POSIX reserves
 * the pthread_ prefix for the implementation. All but init are shared with
 * pthread-adaptive (pmutex.h): only the mutex's type differs.
 */
#define _GNU_SOURCE /* pthread_mutex_clocklock */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pmutex.h"
#include "pthread_tsan.h"
#include "registry.h"


static int pmutex_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct pmutex_state *s = state;
	int rc;

	(void)params;
	(void)nthreads;
	rc = pthread_mutex_init(&s->mutex, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_mutex_init: %s", strerror(rc));
		return -1;
	}
	return 0;
}

void lb_pmutex_destroy(void *state)
{
	struct pmutex_state *s = state;

	pthread_mutex_destroy(&s->mutex);
}

/* A failing lock on a default mutex means corrupt state: stop at once. */
void lb_pmutex_acquire(void *state, void *node)
{
	struct pmutex_state *s = state;

	(void)node;
	if (pthread_mutex_lock(&s->mutex) != 0)
		abort();
}

int lb_pmutex_release(void *state, void *node)
{
	struct pmutex_state *s = state;

	(void)node;
	return pthread_mutex_unlock(&s->mutex) == 0 ? 0 : -1;
}

bool lb_pmutex_try_acquire(void *state, void *node)
{
	struct pmutex_state *s = state;

	(void)node;
	return pthread_mutex_trylock(&s->mutex) == 0;
}

bool lb_pmutex_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct pmutex_state *s = state;
	struct timespec deadline = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	bool locked;

	(void)node;
	lb_tsan_before_timed_lock(&s->mutex);
	locked = pthread_mutex_clocklock(&s->mutex, CLOCK_MONOTONIC, &deadline) == 0;
	lb_tsan_after_timed_lock(&s->mutex, locked);
	return locked;
}

const struct lb_lock_ops lb_lock_pthread = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "pthread",
	.summary = "glibc pthread_mutex_t, default attributes (futex, sleeps, not FIFO)",
	.state_size = sizeof(struct pmutex_state),
	.state_align = _Alignof(struct pmutex_state),
	.node_size = 0,
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED,
	.params = NULL,
	.init = pmutex_init,
	.destroy = lb_pmutex_destroy,
	.acquire = lb_pmutex_acquire,
	.release = lb_pmutex_release,
	.try_acquire = lb_pmutex_try_acquire,
	.acquire_until = lb_pmutex_acquire_until,
};
