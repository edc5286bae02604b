/*
 * locks/gil_old.c — a model of CPython's GIL before 3.2.
 *
 * Source: CPython 2.x and 3.0/3.1. The GIL was an ordinary interpreter
 * lock (Python/thread_pthread.h, PyThread_acquire_lock/_release_lock), and
 * the eval loop (Python/ceval.c) let other threads in by releasing it and
 * at once taking it again every sys.setcheckinterval() "ticks" (100
 * bytecodes by default):
 *
 *	if (--_Py_Ticker < 0) {
 *		_Py_Ticker = _Py_CheckInterval;
 *		PyThread_release_lock(interpreter_lock);
 *		// Other threads may run now
 *		PyThread_acquire_lock(interpreter_lock, 1);
 *	}
 *
 * No hand-off, no drop request, no priority for the waiter. The lock is
 * thread_pthread.h's mutex + condition variable version, copied here:
 * `locked` protected by `mutex`; acquire waits on `released` while locked;
 * release clears locked, unlocks the mutex and only then signals. (Linux
 * builds used the sem_t variant instead when POSIX semaphores were
 * available — a futex binary semaphore in glibc; it has the same
 * behaviour: whoever asks first after the release wins.)
 *
 * The convoy effect (D. Beazley, "Inside the Python GIL", 2009): the
 * releasing thread is still running on its CPU and asks for the lock again
 * within nanoseconds, while the signalled waiter first has to be woken and
 * scheduled; by the time it looks, the GIL is taken again and it goes back
 * to sleep. So a poll()'s drop almost never lets the waiter in. The
 * counters show it: `releases` (drops made by poll) against `switches`
 * (drops during which another thread took the GIL).
 *
 * poll(): the eval loop's check. The ticker is global, like _Py_Ticker,
 * and only the holder touches it: every poll counts one tick, and every
 * check_ticks-th one does the release and re-acquire above. A thread's
 * identity is its node's address (the runner gives each thread its own
 * node); it is recorded so that release by a thread that does not hold
 * the GIL returns -1, changing nothing.
 *
 * Not FIFO (the condition variable wakes some waiter, and anyone who
 * asks before it wakes wins). Sleeps. acquire_until: the same wait on
 * `released`, ending at the deadline (native; the interpreter lock had no
 * timeout before 3.2, but its mutex and condition variable allow one).
 *
 * Memory ordering: `locked`, `holder`, `takes` and the counters are read
 * and written only under `mutex`, whose lock/unlock order them. `ticker`
 * is read and written only by the GIL's holder, outside the mutex: the
 * mutex's unlock at one take and its lock at the next order one holder's
 * accesses before the next holder's. It sits on a line of its own so that
 * the holder's polling does not share a line with the mutex the waiters
 * use.
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"

enum { GIL_OLD_PARAM_CHECK_TICKS };

#define GIL_OLD_CHECK_TICKS_MAX 1000000000

static const struct lb_param gil_old_params[] = {
	[GIL_OLD_PARAM_CHECK_TICKS] = {
		.name = "check_ticks",
		.type = LB_PARAM_INT,
		.def = "100",
		.help = "polls between two drops of the GIL (sys.setcheckinterval)",
		.min = 1,
		.max = GIL_OLD_CHECK_TICKS_MAX,
	},
	{ .name = NULL },
};

struct gil_old_state {
	pthread_mutex_t mutex;
	pthread_cond_t released;
	bool locked;
	const void *holder;  /* NULL when not locked */
	uint64_t takes;      /* times anybody took the GIL */
	uint64_t releases;   /* drops made by poll */
	uint64_t switches;   /* of those, drops during which another thread took it */
	uint32_t check_ticks;

	alignas(LB_CACHELINE) uint32_t ticker; /* polls left until the next drop; holder only */
};

/* A thread's identity is the address of its node; the byte is never read. */
struct gil_old_node {
	char identity;
};

/* pthread calls on our own, initialised objects fail only on corrupt state. */
static void gil_old_check(int rc)
{
	if (rc != 0)
		abort();
}

static int gil_old_init(void *state, const union lb_value *params, unsigned nthreads,
			char *err, size_t errlen)
{
	struct gil_old_state *gil = state;
	int64_t check_ticks = params[GIL_OLD_PARAM_CHECK_TICKS].i;
	int rc;

	(void)nthreads;
	if (check_ticks < 1 || check_ticks > GIL_OLD_CHECK_TICKS_MAX) {
		snprintf(err, errlen, "gil-old: check_ticks: %lld is outside [1, %d]",
			 (long long)check_ticks, GIL_OLD_CHECK_TICKS_MAX);
		return -1;
	}
	gil->check_ticks = (uint32_t)check_ticks;
	gil->ticker = gil->check_ticks;
	rc = pthread_mutex_init(&gil->mutex, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "gil-old: pthread_mutex_init: %s", strerror(rc));
		return -1;
	}
	pthread_condattr_t attr;
	rc = pthread_condattr_init(&attr);
	if (rc == 0)
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC); /* acquire_until's deadlines */
	if (rc == 0) {
		rc = pthread_cond_init(&gil->released, &attr);
		pthread_condattr_destroy(&attr);
	}
	if (rc != 0) {
		pthread_mutex_destroy(&gil->mutex);
		snprintf(err, errlen, "gil-old: pthread_cond_init: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static void gil_old_destroy(void *state)
{
	struct gil_old_state *gil = state;

	pthread_cond_destroy(&gil->released);
	pthread_mutex_destroy(&gil->mutex);
}

/*
 * PyThread_acquire_lock(lock, 1). A poll's re-take passes the take count it
 * saw at its drop (0 otherwise): if it moved, another thread held the GIL
 * in between, and that drop was a switch.
 */
static bool gil_old_take_until(struct gil_old_state *gil, const void *me, uint64_t takes_at_drop,
			       const struct timespec *deadline)
{
	gil_old_check(pthread_mutex_lock(&gil->mutex));
	while (gil->locked) {
		if (deadline == NULL) {
			gil_old_check(pthread_cond_wait(&gil->released, &gil->mutex));
			continue;
		}
		int rc = pthread_cond_timedwait(&gil->released, &gil->mutex, deadline);
		if (rc == ETIMEDOUT && gil->locked) {
			gil_old_check(pthread_mutex_unlock(&gil->mutex));
			return false;
		}
		if (rc != ETIMEDOUT)
			gil_old_check(rc);
	}
	if (takes_at_drop != 0 && gil->takes != takes_at_drop)
		gil->switches++;
	gil->locked = true;
	gil->holder = me;
	gil->takes++;
	gil_old_check(pthread_mutex_unlock(&gil->mutex));
	return true;
}

static void gil_old_take(struct gil_old_state *gil, const void *me, uint64_t takes_at_drop)
{
	gil_old_take_until(gil, me, takes_at_drop, NULL);
}

/*
 * PyThread_release_lock, refusing a caller that does not hold the GIL.
 * A poll's drop passes takes_at_drop: the drop is counted, and the take
 * count at this moment written there.
 */
static int gil_old_drop(struct gil_old_state *gil, const void *me, uint64_t *takes_at_drop)
{
	gil_old_check(pthread_mutex_lock(&gil->mutex));
	if (!gil->locked || gil->holder != me) {
		gil_old_check(pthread_mutex_unlock(&gil->mutex));
		return -1;
	}
	gil->locked = false;
	gil->holder = NULL;
	if (takes_at_drop != NULL) {
		gil->releases++;
		*takes_at_drop = gil->takes;
	}
	gil_old_check(pthread_mutex_unlock(&gil->mutex));
	gil_old_check(pthread_cond_signal(&gil->released));
	return 0;
}

static void gil_old_acquire(void *state, void *node)
{
	gil_old_take(state, node, 0);
}

static int gil_old_release(void *state, void *node)
{
	return gil_old_drop(state, node, NULL);
}

static bool gil_old_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct timespec deadline = { (time_t)(deadline_ns / 1000000000u), (long)(deadline_ns % 1000000000u) };

	return gil_old_take_until(state, node, 0, &deadline);
}

static bool gil_old_try_acquire(void *state, void *node)
{
	struct gil_old_state *gil = state;
	bool taken = false;

	gil_old_check(pthread_mutex_lock(&gil->mutex));
	if (!gil->locked) {
		gil->locked = true;
		gil->holder = node;
		gil->takes++;
		taken = true;
	}
	gil_old_check(pthread_mutex_unlock(&gil->mutex));
	return taken;
}

/* The eval loop's periodic check: every check_ticks-th poll drops and retakes. */
static void gil_old_poll(void *state, void *node)
{
	struct gil_old_state *gil = state;
	uint64_t takes_at_drop;

	if (--gil->ticker > 0)
		return;
	gil->ticker = gil->check_ticks;
	if (gil_old_drop(gil, node, &takes_at_drop) == 0)
		gil_old_take(gil, node, takes_at_drop);
}

static size_t gil_old_counters(void *state, struct lb_counter *out, size_t max)
{
	struct gil_old_state *gil = state;
	struct lb_counter all[] = {
		{ "releases", 0 },
		{ "switches", 0 },
	};

	/* Under the mutex that guards them: it may run while threads do (live-counters). */
	gil_old_check(pthread_mutex_lock(&gil->mutex));
	all[0].value = gil->releases;
	all[1].value = gil->switches;
	gil_old_check(pthread_mutex_unlock(&gil->mutex));
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

const struct lb_lock_ops lb_lock_gil_old = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "gil-old",
	.summary = "model of CPython's GIL before 3.2: poll() drops and retakes it every check_ticks, no hand-off",
	.state_size = sizeof(struct gil_old_state),
	.state_align = _Alignof(struct gil_old_state),
	.node_size = sizeof(struct gil_old_node),
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_POLL | LB_CAP_CHECKS_RELEASE |
		LB_CAP_KNOWS_OWNER | LB_CAP_LIVE_COUNTERS,
	.params = gil_old_params,
	.init = gil_old_init,
	.destroy = gil_old_destroy,
	.acquire = gil_old_acquire,
	.release = gil_old_release,
	.try_acquire = gil_old_try_acquire,
	.acquire_until = gil_old_acquire_until,
	.poll = gil_old_poll,
	.counters = gil_old_counters,
};
