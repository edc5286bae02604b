/*
 * locks/pthread_rw.c — the C library's reader-writer lock, in its two kinds:
 * the baseline every reader-writer lock is measured against.
 *
 *	pthread-rw		pthread_rwlock_t with default attributes: glibc's
 *				PTHREAD_RWLOCK_PREFER_READER_NP. A reader gets in
 *				whenever readers hold the lock, even with writers
 *				waiting: writers can starve.
 *	pthread-rw-wpref	the same with PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP
 *				(pthread_rwlockattr_setkind_np): a waiting writer
 *				keeps new readers out, so readers can starve.
 *
 * Algorithm: glibc 2.25+ (T. Riegel's rewrite, nptl/pthread_rwlock_common.c):
 * one 32-bit __readers word holds the reader count, a phase bit (read or
 * write phase), WRLOCKED and the waiter flags; writers also serialise on
 * __writers and wait on __writers_futex, readers on the __readers word
 * itself. Waiters spin little, then sleep in futex_wait; not FIFO.
 *
 * Memory ordering: POSIX "synchronize memory" — glibc gives acquire
 * semantics on every lock and release on unlock, for both sides (the
 * comments in pthread_rwlock_common.c argue each). We add no atomics.
 *
 * Timed forms use pthread_rwlock_clockrdlock/clockwrlock (glibc 2.30+) so
 * the deadline is on CLOCK_MONOTONIC like the runner's; ThreadSanitizer
 * does not intercept them (pthread_tsan.h describes them to it).
 *
 * release and read_release report -1 only when pthread_rwlock_unlock does;
 * glibc does not record which readers hold the lock, so releasing a read
 * hold one does not have is not detected (undefined behaviour).
 */
#define _GNU_SOURCE /* pthread_rwlock_clock*lock, pthread_rwlockattr_setkind_np */

#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "pthread_tsan.h"
#include "registry.h"

struct prw_state {
	pthread_rwlock_t rw;
};

static int prw_init_kind(void *state, int kind, char *err, size_t errlen)
{
	struct prw_state *s = state;
	pthread_rwlockattr_t attr;
	int rc;

	pthread_rwlockattr_init(&attr);
	rc = pthread_rwlockattr_setkind_np(&attr, kind);
	if (rc == 0)
		rc = pthread_rwlock_init(&s->rw, &attr);
	pthread_rwlockattr_destroy(&attr);
	if (rc != 0) {
		snprintf(err, errlen, "pthread_rwlock_init: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static int prw_init(void *state, const union lb_value *params, unsigned nthreads, char *err, size_t errlen)
{
	(void)params;
	(void)nthreads;
	return prw_init_kind(state, PTHREAD_RWLOCK_PREFER_READER_NP, err, errlen);
}

static int prw_init_wpref(void *state, const union lb_value *params, unsigned nthreads, char *err,
			  size_t errlen)
{
	(void)params;
	(void)nthreads;
	return prw_init_kind(state, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP, err, errlen);
}

static void prw_destroy(void *state)
{
	pthread_rwlock_destroy(&((struct prw_state *)state)->rw);
}

/* A failing blocking lock means corrupt state: stop at once. */
static void prw_write_acquire(void *state, void *node)
{
	(void)node;
	if (pthread_rwlock_wrlock(&((struct prw_state *)state)->rw) != 0)
		abort();
}

static void prw_read_acquire(void *state, void *node)
{
	(void)node;
	if (pthread_rwlock_rdlock(&((struct prw_state *)state)->rw) != 0)
		abort();
}

static int prw_release(void *state, void *node)
{
	(void)node;
	return pthread_rwlock_unlock(&((struct prw_state *)state)->rw) == 0 ? 0 : -1;
}

static bool prw_write_try_acquire(void *state, void *node)
{
	(void)node;
	return pthread_rwlock_trywrlock(&((struct prw_state *)state)->rw) == 0;
}

static bool prw_read_try_acquire(void *state, void *node)
{
	(void)node;
	return pthread_rwlock_tryrdlock(&((struct prw_state *)state)->rw) == 0;
}

static struct timespec to_timespec(uint64_t ns)
{
	struct timespec ts = { .tv_sec = (time_t)(ns / 1000000000u), .tv_nsec = (long)(ns % 1000000000u) };
	return ts;
}

static bool prw_write_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	pthread_rwlock_t *rw = &((struct prw_state *)state)->rw;
	struct timespec deadline = to_timespec(deadline_ns);
	bool locked;

	(void)node;
	lb_tsan_before_timed_rwlock(rw, false);
	locked = pthread_rwlock_clockwrlock(rw, CLOCK_MONOTONIC, &deadline) == 0;
	lb_tsan_after_timed_rwlock(rw, false, locked);
	return locked;
}

static bool prw_read_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	pthread_rwlock_t *rw = &((struct prw_state *)state)->rw;
	struct timespec deadline = to_timespec(deadline_ns);
	bool locked;

	(void)node;
	lb_tsan_before_timed_rwlock(rw, true);
	locked = pthread_rwlock_clockrdlock(rw, CLOCK_MONOTONIC, &deadline) == 0;
	lb_tsan_after_timed_rwlock(rw, true, locked);
	return locked;
}

#define PRW_FIELDS                                                                                        \
	.abi_version = LB_LOCK_ABI_VERSION, .state_size = sizeof(struct prw_state),                       \
	.state_align = _Alignof(struct prw_state), .node_size = 0, .destroy = prw_destroy,                \
	.acquire = prw_write_acquire, .release = prw_release, .try_acquire = prw_write_try_acquire,       \
	.acquire_until = prw_write_acquire_until, .read_acquire = prw_read_acquire,                       \
	.read_release = prw_release, .read_try_acquire = prw_read_try_acquire,                            \
	.read_acquire_until = prw_read_acquire_until

const struct lb_lock_ops lb_lock_pthread_rw = {
	PRW_FIELDS,
	.name = "pthread-rw",
	.summary = "glibc pthread_rwlock_t, default (prefers readers; futex, sleeps)",
	.caps = LB_CAP_RW | LB_CAP_READER_PREF | LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED,
	.init = prw_init,
};

const struct lb_lock_ops lb_lock_pthread_rw_wpref = {
	PRW_FIELDS,
	.name = "pthread-rw-wpref",
	.summary = "glibc pthread_rwlock_t, PREFER_WRITER_NONRECURSIVE_NP (futex, sleeps)",
	.caps = LB_CAP_RW | LB_CAP_WRITER_PREF | LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED,
	.init = prw_init_wpref,
};
