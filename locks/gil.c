/*
 * locks/gil.c — a model of CPython's global interpreter lock.
 *
 * Source: the "new GIL" by Antoine Pitrou, CPython 3.2 and later,
 * Python/ceval_gil.c (take_gil, drop_gil, FORCE_SWITCHING). The model keeps
 * its state machine and its timing rules and leaves the interpreter out:
 *
 *  - The GIL is a boolean `locked` protected by `mutex`; `cond` is
 *    signalled whenever it is dropped.
 *  - A thread that finds it locked waits on `cond` for at most `interval`
 *    (sys.setswitchinterval, 5 ms by default). If the wait timed out, the
 *    GIL is still locked and no switch happened meanwhile (`switch_number`
 *    unchanged), it sets `drop_request`, asking the holder to let go, and
 *    keeps waiting.
 *  - The holder checks `drop_request` in its eval loop: that is poll(),
 *    the "eval breaker". When set, poll drops the GIL and takes it again.
 *  - FORCE_SWITCHING (`force_switch`): a thread dropping the GIL while a
 *    drop is requested waits on `switch_cond` until another thread has
 *    taken it (`last_holder` differs from itself), so the dropping thread,
 *    still running on its CPU, cannot take the GIL straight back. Like
 *    CPython's drop_gil this applies to every drop, poll() or release(),
 *    made while a request is pending. (CPython reads the request after
 *    letting go; a fast taker may already have cleared it, and then the
 *    dropping thread does not look at switch_cond at all. poll() passes
 *    on that it saw the request, so that drop is counted as a forced
 *    switch too; it never waits longer for it: another thread holds the
 *    GIL already.)
 *  - Taking the GIL: locked = 1, holder = me; if the last holder was
 *    another thread, last_holder = me and switch_number++; signal
 *    `switch_cond`; clear a pending `drop_request`.
 *
 * Not FIFO: whoever the condition variable wakes, or a thread arriving
 * while the GIL is free, takes it. Sleeps: waiters block in
 * pthread_cond_timedwait. A thread's identity is its node's address (the
 * runner gives each thread a distinct node), as a PyThreadState pointer is
 * in CPython.
 *
 * Memory ordering:
 *  - `locked`, `holder`, `switch_number`, and the counters drop_requests,
 *    switches and timeouts are read and written only under `mutex`.
 *  - `last_holder` is written only under both `mutex` and `switch_mutex`
 *    (in gil_become_holder) and read under at least one of them, so every
 *    read is ordered against every write. Holding `switch_mutex` across
 *    the check "last_holder == me" and the wait on `switch_cond` is what
 *    keeps the dropping thread from missing the taker's signal.
 *    forced_switches is written only under `switch_mutex`.
 *  - `drop_request` [D] is an atomic read without the mutex on the
 *    holder's hot path; relaxed loads and stores suffice because it carries
 *    no data: it only makes the holder go and take `mutex`, and the mutex
 *    orders everything the holder then reads. A stale 0 delays the drop
 *    until the next poll; a stale 1 makes the holder drop early, which
 *    CPython tolerates too. It lives on its own cache line so the
 *    holder's polling does not share a line with the mutex the waiters
 *    take every `interval`.
 *  - Lock order: `mutex` before `switch_mutex` (taking the GIL); dropping
 *    takes `switch_mutex` only after letting go of `mutex`.
 *
 * Why a forced switch always ends: `drop_request` is set only by a waiter,
 * only while the GIL is held, and cleared by every take. So when a thread
 * saw it set while holding the GIL and, having dropped it, finds itself
 * still the last holder, nobody has taken the GIL since the request was
 * made, and its maker is still waiting in gil_take; it (or any other
 * taker) will set last_holder and signal.
 *
 * Counters: drop_requests (timed-out waits that asked the holder to drop),
 * forced_switches (drops made on request, with force_switch, after which
 * another thread held the GIL before the dropper could retake it: the
 * dropper waited on switch_cond, or the taker was faster still), switches (takes by a thread other than the last holder,
 * the first take included: CPython's switch_number), timeouts (timed
 * waits on `cond` that expired).
 */
#include <errno.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"

enum { GIL_PARAM_INTERVAL, GIL_PARAM_FORCE_SWITCH };

#define GIL_INTERVAL_MIN_NS 1000LL           /* 1us */
#define GIL_INTERVAL_MAX_NS 10000000000LL    /* 10s */

static const struct lb_param gil_params[] = {
	[GIL_PARAM_INTERVAL] = {
		.name = "interval",
		.type = LB_PARAM_DURATION,
		.def = "5ms",
		.help = "wait before asking the holder to drop the GIL (sys.setswitchinterval)",
		.min = GIL_INTERVAL_MIN_NS,
		.max = GIL_INTERVAL_MAX_NS,
	},
	[GIL_PARAM_FORCE_SWITCH] = {
		.name = "force_switch",
		.type = LB_PARAM_BOOL,
		.def = "1",
		.help = "a requested drop waits until another thread took the GIL (FORCE_SWITCHING)",
		.min = 0,
		.max = 1,
	},
	{ .name = NULL },
};

struct gil_state {
	pthread_mutex_t mutex;
	pthread_cond_t cond;
	pthread_mutex_t switch_mutex;
	pthread_cond_t switch_cond;

	bool locked;
	const void *holder;      /* NULL when not locked */
	const void *last_holder;
	uint64_t switch_number;

	int64_t interval_ns;
	bool force_switch;

	uint64_t drop_requests;
	uint64_t forced_switches;
	uint64_t timeouts;

	alignas(LB_CACHELINE) _Atomic int drop_request;
};

/* A thread's identity is the address of its node; the byte is never read. */
struct gil_node {
	char identity;
};

/* pthread calls on our own, initialised objects fail only on corrupt state. */
static void gil_check(int rc)
{
	if (rc != 0)
		abort();
}

static int gil_init(void *state, const union lb_value *params, unsigned nthreads,
		    char *err, size_t errlen)
{
	struct gil_state *gil = state;
	int64_t interval = params[GIL_PARAM_INTERVAL].i;
	int64_t force_switch = params[GIL_PARAM_FORCE_SWITCH].i;
	pthread_condattr_t attr;
	int rc;

	(void)nthreads;
	if (interval < GIL_INTERVAL_MIN_NS || interval > GIL_INTERVAL_MAX_NS) {
		snprintf(err, errlen, "gil: interval: %lld ns is outside [1us, 10s]",
			 (long long)interval);
		return -1;
	}
	if (force_switch != 0 && force_switch != 1) {
		snprintf(err, errlen, "gil: force_switch: %lld is not 0 or 1",
			 (long long)force_switch);
		return -1;
	}
	gil->interval_ns = interval;
	gil->force_switch = force_switch;

	rc = pthread_condattr_init(&attr);
	if (rc == 0)
		rc = pthread_condattr_setclock(&attr, CLOCK_MONOTONIC);
	if (rc != 0) {
		snprintf(err, errlen, "gil: pthread_condattr: %s", strerror(rc));
		return -1;
	}
	rc = pthread_mutex_init(&gil->mutex, NULL);
	if (rc != 0)
		goto fail;
	rc = pthread_cond_init(&gil->cond, &attr);
	if (rc != 0)
		goto fail_mutex;
	rc = pthread_mutex_init(&gil->switch_mutex, NULL);
	if (rc != 0)
		goto fail_cond;
	rc = pthread_cond_init(&gil->switch_cond, &attr);
	if (rc != 0)
		goto fail_switch_mutex;
	pthread_condattr_destroy(&attr);
	atomic_init(&gil->drop_request, 0);
	return 0;

fail_switch_mutex:
	pthread_mutex_destroy(&gil->switch_mutex);
fail_cond:
	pthread_cond_destroy(&gil->cond);
fail_mutex:
	pthread_mutex_destroy(&gil->mutex);
fail:
	pthread_condattr_destroy(&attr);
	snprintf(err, errlen, "gil: creating mutex or condition variable: %s", strerror(rc));
	return -1;
}

static void gil_destroy(void *state)
{
	struct gil_state *gil = state;

	pthread_cond_destroy(&gil->switch_cond);
	pthread_mutex_destroy(&gil->switch_mutex);
	pthread_cond_destroy(&gil->cond);
	pthread_mutex_destroy(&gil->mutex);
}

/* Wait on cond for one interval; true if the wait timed out. */
static bool gil_wait_interval(struct gil_state *gil)
{
	struct timespec deadline;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += (time_t)(gil->interval_ns / 1000000000);
	deadline.tv_nsec += (long)(gil->interval_ns % 1000000000);
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	rc = pthread_cond_timedwait(&gil->cond, &gil->mutex, &deadline);
	if (rc == ETIMEDOUT)
		return true;
	gil_check(rc);
	return false;
}

/* The end of CPython's take_gil. Called with mutex held and the GIL free. */
static void gil_become_holder(struct gil_state *gil, const void *me)
{
	if (gil->force_switch)
		gil_check(pthread_mutex_lock(&gil->switch_mutex));
	gil->locked = true;
	gil->holder = me;
	if (gil->last_holder != me) {
		gil->last_holder = me;
		gil->switch_number++;
	}
	if (gil->force_switch) {
		gil_check(pthread_cond_signal(&gil->switch_cond));
		gil_check(pthread_mutex_unlock(&gil->switch_mutex));
	}
	if (atomic_load_explicit(&gil->drop_request, memory_order_relaxed)) /* [D] */
		atomic_store_explicit(&gil->drop_request, 0, memory_order_relaxed); /* [D] */
}

static void gil_take(struct gil_state *gil, const void *me)
{
	gil_check(pthread_mutex_lock(&gil->mutex));
	while (gil->locked) {
		uint64_t saved_switch_number = gil->switch_number;

		if (!gil_wait_interval(gil))
			continue;
		gil->timeouts++;
		if (gil->locked && gil->switch_number == saved_switch_number) {
			atomic_store_explicit(&gil->drop_request, 1, memory_order_relaxed); /* [D] */
			gil->drop_requests++;
		}
	}
	gil_become_holder(gil, me);
	gil_check(pthread_mutex_unlock(&gil->mutex));
}

/*
 * CPython's drop_gil. `requested` says the caller already saw drop_request
 * set (poll); otherwise it is read after the GIL is let go, as CPython does.
 * Returns -1, changing nothing, if me does not hold the GIL.
 */
static int gil_drop(struct gil_state *gil, const void *me, bool requested)
{
	gil_check(pthread_mutex_lock(&gil->mutex));
	if (!gil->locked || gil->holder != me) {
		gil_check(pthread_mutex_unlock(&gil->mutex));
		return -1;
	}
	gil->locked = false;
	gil->holder = NULL;
	gil_check(pthread_cond_signal(&gil->cond));
	gil_check(pthread_mutex_unlock(&gil->mutex));

	if (!gil->force_switch)
		return 0;
	if (!requested && !atomic_load_explicit(&gil->drop_request, memory_order_relaxed)) /* [D] */
		return 0;
	gil_check(pthread_mutex_lock(&gil->switch_mutex));
	if (gil->last_holder == me) {
		atomic_store_explicit(&gil->drop_request, 0, memory_order_relaxed); /* [D] */
		while (gil->last_holder == me)
			gil_check(pthread_cond_wait(&gil->switch_cond, &gil->switch_mutex));
	}
	gil->forced_switches++;
	gil_check(pthread_mutex_unlock(&gil->switch_mutex));
	return 0;
}

static void gil_acquire(void *state, void *node)
{
	gil_take(state, node);
}

static int gil_release(void *state, void *node)
{
	return gil_drop(state, node, false);
}

static bool gil_try_acquire(void *state, void *node)
{
	struct gil_state *gil = state;
	bool taken = false;

	gil_check(pthread_mutex_lock(&gil->mutex));
	if (!gil->locked) {
		gil_become_holder(gil, node);
		taken = true;
	}
	gil_check(pthread_mutex_unlock(&gil->mutex));
	return taken;
}

/* The eval breaker: one relaxed load unless another thread asked for the GIL. */
static void gil_poll(void *state, void *node)
{
	struct gil_state *gil = state;

	if (!atomic_load_explicit(&gil->drop_request, memory_order_relaxed)) /* [D] */
		return;
	if (gil_drop(gil, node, true) == 0)
		gil_take(gil, node);
}

static size_t gil_counters(void *state, struct lb_counter *out, size_t max)
{
	struct gil_state *gil = state;
	const struct lb_counter all[] = {
		{ "drop_requests", gil->drop_requests },
		{ "forced_switches", gil->forced_switches },
		{ "switches", gil->switch_number },
		{ "timeouts", gil->timeouts },
	};
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

const struct lb_lock_ops lb_lock_gil = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "gil",
	.summary = "model of CPython's GIL (3.2+): timed waits, drop requests, forced switches",
	.state_size = sizeof(struct gil_state),
	.state_align = _Alignof(struct gil_state),
	.node_size = sizeof(struct gil_node),
	.caps = LB_CAP_SLEEPS | LB_CAP_POLL | LB_CAP_TRY | LB_CAP_CHECKS_RELEASE | LB_CAP_KNOWS_OWNER,
	.params = gil_params,
	.init = gil_init,
	.destroy = gil_destroy,
	.acquire = gil_acquire,
	.release = gil_release,
	.try_acquire = gil_try_acquire,
	.poll = gil_poll,
	.counters = gil_counters,
};
