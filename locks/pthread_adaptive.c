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
 *
 * Everything but init is pthread.c's (pmutex.h): only the mutex type differs.
 */
#define _GNU_SOURCE /* PTHREAD_MUTEX_ADAPTIVE_NP, pthread_mutex_clocklock */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pmutex.h"
#include "registry.h"

static int padapt_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct pmutex_state *s = state;
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

const struct lb_lock_ops lb_lock_pthread_adaptive = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "pthread-adaptive",
	.summary = "glibc PTHREAD_MUTEX_ADAPTIVE_NP: spins briefly, then sleeps on a futex; not FIFO",
	.state_size = sizeof(struct pmutex_state),
	.state_align = _Alignof(struct pmutex_state),
	.node_size = 0,
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED,
	.params = NULL,
	.init = padapt_init,
	.destroy = lb_pmutex_destroy,
	.acquire = lb_pmutex_acquire,
	.release = lb_pmutex_release,
	.try_acquire = lb_pmutex_try_acquire,
	.acquire_until = lb_pmutex_acquire_until,
};
