/*
 * locks/pthread_adaptive.c — glibc's adaptive mutex: spin a little, then sleep.
 *
 * A pthread_mutex_t of type PTHREAD_MUTEX_ADAPTIVE_NP (a GNU extension).
 * It is the default mutex's futex protocol (CAS 0 -> 1 when free, else mark
 * the word contended and futex_wait; unlock wakes one sleeper) with one
 * addition: a thread that finds the mutex held first spins, retrying with
 * trylock, for a bounded number of rounds that adapts to how long recent
 * spins needed (glibc keeps a running average in the mutex, capped by the
 * glibc.pthread.mutex_spin_count tunable, 100 by default), and only then
 * sleeps. For short critical sections the spin usually wins and saves the
 * two system calls of a sleep and a wake.
 *
 * Not FIFO (a spinner or a newcomer can take the mutex ahead of a woken
 * sleeper). Waiters spin briefly, then sleep in the kernel; `lockbench
 * list` calls that `sleeps`, since a long wait ends up asleep.
 *
 * Memory ordering: the mutex gives acquire semantics on lock and release
 * semantics on unlock (POSIX "synchronize memory"); we add no atomics.
 *
 * acquire_until uses pthread_mutex_clocklock on CLOCK_MONOTONIC, as the
 * pthread lock does (glibc's clocklock spins adaptively too).
 *
 * release returns -1 only when pthread_mutex_unlock does: an adaptive
 * mutex records no owner, so a release by a non-holder is not detected.
 */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP, pthread_mutex_clocklock */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pthread_tsan.h"
#include "registry.h"

struct padapt_state {
	pthread_mutex_t mutex;
};

static int padapt_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct padapt_state *s = state;
	pthread_mutexattr_t attr;
	int rc;

	(void)params;
	(void)nthreads;
	rc = pthread_mutexattr_init(&attr);
	if (rc == 0) {
		rc = pthread_mutexattr_settype(&attr, PTHREAD_MUTEX_ADAPTIVE_NP);
		if (rc == 0)
			rc = pthread_mutex_init(&s->mutex, &attr);
		pthread_mutexattr_destroy(&attr);
	}
	if (rc != 0) {
		snprintf(err, errlen, "pthread-adaptive: creating the mutex: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static void padapt_destroy(void *state)
{
	struct padapt_state *s = state;

	pthread_mutex_destroy(&s->mutex);
}

/* A failing lock on our own initialised mutex means corrupt state: stop at once. */
static void padapt_acquire(void *state, void *node)
{
	struct padapt_state *s = state;

	(void)node;
	if (pthread_mutex_lock(&s->mutex) != 0)
		abort();
}

static int padapt_release(void *state, void *node)
{
	struct padapt_state *s = state;

	(void)node;
	return pthread_mutex_unlock(&s->mutex) == 0 ? 0 : -1;
}

static bool padapt_try_acquire(void *state, void *node)
{
	struct padapt_state *s = state;

	(void)node;
	return pthread_mutex_trylock(&s->mutex) == 0;
}

static bool padapt_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct padapt_state *s = state;
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

const struct lb_lock_ops lb_lock_pthread_adaptive = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "pthread-adaptive",
	.summary = "glibc PTHREAD_MUTEX_ADAPTIVE_NP: spins briefly, then sleeps on a futex; not FIFO",
	.state_size = sizeof(struct padapt_state),
	.state_align = _Alignof(struct padapt_state),
	.node_size = 0,
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED,
	.params = NULL,
	.init = padapt_init,
	.destroy = padapt_destroy,
	.acquire = padapt_acquire,
	.release = padapt_release,
	.try_acquire = padapt_try_acquire,
	.acquire_until = padapt_acquire_until,
};
