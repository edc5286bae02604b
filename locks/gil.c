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
 *  - Timed acquire (native; CPython's take_gil has no deadline, but the
 *    same wait takes one): the timed wait on `cond` ends at the deadline
 *    if that comes before the interval's end; a waiter still finding the
 *    GIL held then gives up, and withdraws its own drop request if no
 *    switch has happened since it made it, so that no holder waits for a
 *    switch to it (CPython resets the request the same way for a waiter
 *    that must exit, gh-96387; a request another waiter made is reset too,
 *    and that waiter asks again after its next interval).
 *
 * Not FIFO: whoever the condition variable wakes, or a thread arriving
 * while the GIL is free, takes it. Sleeps: waiters block in
 * pthread_cond_timedwait. A thread's identity is its node's address (the
 * runner gives each thread a distinct node), as a PyThreadState pointer is
 * in CPython.
 *
 * Memory ordering:
 *  - `locked`, `holder`, `switch_number`, and the counters drop_requests,
 *    timeouts and deadline_misses are read and written only under `mutex`.
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
 *  - [W]: a withdrawal (a timed waiter clearing its request) is made under
 *    `mutex` while the GIL is held; the dropper reads the request after
 *    its own unlock of `mutex` and waits only if it is still set. So a
 *    withdrawal either comes before the drop's critical section (the mutex
 *    orders it before the dropper's read, which then sees 0, or a newer
 *    request of a waiter still waiting) or finds the GIL taken by a
 *    thread other than the dropper (locked again after the drop), which
 *    has already ended the dropper's wait.
 *
 * Why a forced switch always ends: `drop_request` is set only by a waiter,
 * only while the GIL is held, and cleared by every take and by a timed
 * waiter that withdraws it [W]. So when a thread reads it set after
 * dropping the GIL and finds itself still the last holder, nobody has
 * taken the GIL since the request was made, and its maker is still
 * waiting in gil_take_until (a maker leaving by its deadline finds the GIL
 * free and takes it, or withdrew before the drop); it (or any other
 * taker) will set last_holder and signal.
 *
 * Counters: drop_requests (timed-out waits that asked the holder to drop),
 * forced_switches (drops made on request, with force_switch, after which
 * another thread held the GIL before the dropper could retake it: the
 * dropper waited on switch_cond, or the taker was faster still), switches
 * (takes by a thread other than the last holder, the first take included:
 * CPython's switch_number), timeouts (interval waits on `cond` that
 * expired), deadline_misses (timed acquires that gave up). counters()
 * reads them under the same
 * mutexes, so lockbench may read them as the measured window opens
 * (live-counters) and report the window's alone.
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
	uint64_t deadline_misses;

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

enum gil_wake { GIL_WOKEN, GIL_INTERVAL_OVER, GIL_DEADLINE };

/* Wait on cond for one interval, or until deadline_ns (0: none) if that comes first. */
static enum gil_wake gil_wait(struct gil_state *gil, uint64_t deadline_ns)
{
	struct timespec now, until;
	uint64_t t;
	bool by_deadline = false;
	int rc;

	clock_gettime(CLOCK_MONOTONIC, &now);
	t = (uint64_t)now.tv_sec * 1000000000u + (uint64_t)now.tv_nsec + (uint64_t)gil->interval_ns;
	if (deadline_ns != 0 && deadline_ns <= t) {
		t = deadline_ns;
		by_deadline = true;
	}
	until.tv_sec = (time_t)(t / 1000000000u);
	until.tv_nsec = (long)(t % 1000000000u);
	rc = pthread_cond_timedwait(&gil->cond, &gil->mutex, &until);
	if (rc == ETIMEDOUT)
		return by_deadline ? GIL_DEADLINE : GIL_INTERVAL_OVER;
	gil_check(rc);
	return GIL_WOKEN;
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

/*
 * CPython's take_gil, which has no deadline; deadline_ns (0: none) is the
 * model's timed acquire. A waiter that reaches its deadline with the GIL
 * still held gives up, and withdraws the drop request it made, if any, so
 * that no holder waits for it in a forced switch (as CPython 3.12+ does
 * for a thread that must exit, gh-96387).
 */
static bool gil_take_until(struct gil_state *gil, const void *me, uint64_t deadline_ns)
{
	bool requested = false;
	uint64_t requested_at = 0; /* switch_number when this waiter asked for a drop */

	gil_check(pthread_mutex_lock(&gil->mutex));
	while (gil->locked) {
		uint64_t saved_switch_number = gil->switch_number;
		enum gil_wake w = gil_wait(gil, deadline_ns);

		if (w == GIL_WOKEN)
			continue;
		if (w == GIL_DEADLINE) {
			if (!gil->locked)
				break; /* free after all: take it */
			if (requested && gil->switch_number == requested_at) /* still this holder's request */
				atomic_store_explicit(&gil->drop_request, 0, memory_order_relaxed); /* [D] [W] */
			gil->deadline_misses++;
			gil_check(pthread_mutex_unlock(&gil->mutex));
			return false;
		}
		gil->timeouts++;
		if (gil->locked && gil->switch_number == saved_switch_number) {
			atomic_store_explicit(&gil->drop_request, 1, memory_order_relaxed); /* [D] */
			gil->drop_requests++;
			requested = true;
			requested_at = gil->switch_number;
		}
	}
	gil_become_holder(gil, me);
	gil_check(pthread_mutex_unlock(&gil->mutex));
	return true;
}

static void gil_take(struct gil_state *gil, const void *me)
{
	gil_take_until(gil, me, 0);
}

/*
 * CPython's drop_gil: the drop request is read after the GIL is let go, and
 * only a request still set then makes the dropper wait for a switch [W].
 * `requested` says the caller (poll) saw it set before: if a fast taker has
 * cleared it since, that drop still counts as a forced switch.
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
	bool pending = atomic_load_explicit(&gil->drop_request, memory_order_relaxed); /* [D] [W] */
	if (!requested && !pending)
		return 0;
	gil_check(pthread_mutex_lock(&gil->switch_mutex));
	if (gil->last_holder == me) {
		if (!pending) {
			/* Withdrawn by a timed waiter that gave up: nobody to switch to. */
			gil_check(pthread_mutex_unlock(&gil->switch_mutex));
			return 0;
		}
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

static bool gil_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	/* 0 means "no deadline" inside: a deadline of 0 ns has passed long ago. */
	return gil_take_until(state, node, deadline_ns ? deadline_ns : 1);
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

/* Under the mutexes that guard the counters, so that it may run while threads do (live-counters). */
static size_t gil_counters(void *state, struct lb_counter *out, size_t max)
{
	struct gil_state *gil = state;
	struct lb_counter all[] = {
		{ "drop_requests", 0 },
		{ "forced_switches", 0 },
		{ "switches", 0 },
		{ "timeouts", 0 },
		{ "deadline_misses", 0 },
	};

	gil_check(pthread_mutex_lock(&gil->mutex));
	all[0].value = gil->drop_requests;
	all[2].value = gil->switch_number;
	all[3].value = gil->timeouts;
	all[4].value = gil->deadline_misses;
	gil_check(pthread_mutex_unlock(&gil->mutex));
	gil_check(pthread_mutex_lock(&gil->switch_mutex));
	all[1].value = gil->forced_switches;
	gil_check(pthread_mutex_unlock(&gil->switch_mutex));
	return lb_counters_copy(out, max, all, sizeof(all) / sizeof(all[0]));
}

const struct lb_lock_ops lb_lock_gil = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "gil",
	.summary = "model of CPython's GIL (3.2+): timed waits, drop requests, forced switches",
	.state_size = sizeof(struct gil_state),
	.state_align = _Alignof(struct gil_state),
	.node_size = sizeof(struct gil_node),
	.caps = LB_CAP_SLEEPS | LB_CAP_POLL | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_CHECKS_RELEASE |
		LB_CAP_KNOWS_OWNER | LB_CAP_LIVE_COUNTERS,
	.params = gil_params,
	.init = gil_init,
	.destroy = gil_destroy,
	.acquire = gil_acquire,
	.release = gil_release,
	.try_acquire = gil_try_acquire,
	.acquire_until = gil_acquire_until,
	.poll = gil_poll,
	.counters = gil_counters,
};
