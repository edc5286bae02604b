/*
 * locks/pymutex.c — a model of CPython 3.13's PyMutex, what threading.Lock
 * is built on since 3.13.
 *
 * Source: CPython 3.13, Python/lock.c (_PyMutex_LockTimed, mutex_unpark,
 * _PyMutex_TryUnlock) and Python/parking_lot.c (_PyParkingLot_Park/Unpark),
 * by Sam Gross for PEP 703; the design follows WebKit's WTF::Lock and
 * Rust's parking_lot. The facts, restated:
 *
 *  - The lock is one byte: bit 0 LOCKED, bit 1 HAS_PARKED (some thread is
 *    parked, or was: the bit may outlive its last waiter).
 *  - Lock: CAS the byte from a value without LOCKED to that value | LOCKED;
 *    a newcomer may take the lock even while others are parked (barging).
 *    If it is held: spin MAX_SPIN_COUNT rounds of sched_yield() — 40 in a
 *    free-threaded build, 0 with the GIL (`spin`); 3.13 does not re-read the
 *    byte between those yields, and neither do we — then set HAS_PARKED (a
 *    CAS; if the byte changed meanwhile, start over) and park, passing the
 *    byte it expects to see.
 *  - Park: under the parking lot's bucket lock, compare the byte with the
 *    expected value (changed: return AGAIN, start over), else append
 *    ourselves to the bucket's FIFO queue and sleep on our own semaphore,
 *    with the caller's timeout. A timeout takes the bucket lock and leaves
 *    the queue, unless an unlocker has already dequeued us
 *    (is_unparking): then the wake-up is on its way and we wait for it.
 *  - Unlock: CAS LOCKED -> 0; if HAS_PARKED is set instead, unpark one:
 *    under the bucket lock dequeue the oldest waiter and decide — if it
 *    has waited longer than TIME_TO_BE_FAIR_NS (1 ms, `fair_ns`) since it
 *    first called lock, hand the lock over directly (the byte stays
 *    LOCKED, the waiter is told handed_off); otherwise store 0 and let it
 *    race for the lock like anyone else. HAS_PARKED stays set if more
 *    waiters remain. Post the waiter's semaphore after leaving the bucket.
 *  - The waiter, woken: handed_off means it owns the lock; otherwise it
 *    loops (CAS if free, else park again). Its fairness deadline is set
 *    once per lock call, so repeated losing races still count towards it.
 *
 * What differs from CPython, and why it does not change the behaviour
 * measured: CPython hashes the byte's address into one of 257 global
 * buckets; here each lock carries its one bucket (the queue and the
 * has_more_waiters count are then exactly this lock's, as they are in
 * CPython whenever no other parked lock shares the bucket). CPython's
 * bucket lock is its _PyRawMutex; ours is a pthread mutex, held for a few
 * pointer updates either way. The per-thread semaphore is a futex word in
 * the thread's node (CPython: sem_t on the waiter's stack). The lock call
 * does not know its owner; release of a free lock returns -1 (CPython:
 * fatal error), a release by a non-owner of a held lock is not detected.
 *
 * Not FIFO (barging), sleeps; try and timed acquire as CPython's
 * timeout=0 and timeout>0. A deadline already past behaves as a try.
 *
 * Memory ordering (CPython uses sequentially consistent atomics throughout;
 * these are the orders the argument needs):
 *
 *  lock:   CAS(bits, v -> v|LOCKED, acquire)			[A]
 *	reads the byte the previous owner's [R] wrote (or an RMW after it
 *	in the byte's modification order, which only adds or keeps
 *	HAS_PARKED): the previous critical section happens-before ours.
 *	CAS(bits, v -> v|HAS_PARKED, relaxed)			[P]
 *	carries no data; it makes every later unlock take the slow path.
 *
 *  unlock: CAS(bits, LOCKED -> 0, release)			[R]
 *	fails whenever HAS_PARKED is set, so no parked waiter is skipped.
 *	store(bits, 0 | LOCKED? | HAS_PARKED?, release)		[U]
 *	made under the bucket lock, in mutex_unpark. Without hand-off it is
 *	[R]'s twin (the next [A] pairs with it).
 *
 *  no lost wake-up: the parker compares the byte with what it CASed in
 *	[P] under the bucket lock, and enqueues under that same lock			[Q]
 *	An unlocker that saw HAS_PARKED dequeues under the bucket lock: it
 *	either runs before [Q] — then it has stored [U], the byte differs,
 *	and the parker does not sleep (AGAIN) — or after, and finds the
 *	parker in the queue. A fast-path [R] cannot run between [P] and [Q]
 *	because [P] set HAS_PARKED.
 *
 *  hand-off: handed_off = fair, written under the bucket lock before
 *	sem_post(fetch_add, release)				[S]
 *	pairs with the waiter's semaphore CAS (acquire)		[W]
 *	so the previous owner's critical section, its writes to handed_off
 *	and the LOCKED it kept in [U], happen-before the new owner runs. The
 *	new owner never reads the byte to own the lock.
 *
 *  bucket: queue links, is_unparking, time_to_be_fair and every counter
 *	are read and written only under the bucket mutex.
 *
 * Counters: parks (waits in the parking lot), park_again (parks refused
 * because the byte changed), handoffs (direct hand-overs to a waiter past
 * fair_ns), wakeups (waiters woken to race for the lock), timeouts (timed
 * waits that left the queue). Written and read under the bucket mutex, so
 * they may be read while threads run (live-counters).
 */
#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "registry.h"
#include "sys_futex.h"

enum { PM_LOCKED = 1, PM_HAS_PARKED = 2 };
enum { PARK_OK, PARK_AGAIN, PARK_TIMEOUT };
enum { PM_PARAM_SPIN, PM_PARAM_FAIR };

static const struct lb_param pymutex_params[] = {
	[PM_PARAM_SPIN] = { "spin", LB_PARAM_INT, "40",
			    "sched_yield() rounds before parking (MAX_SPIN_COUNT: 40 free-threaded, 0 with the GIL)", 0,
			    1000000 },
	[PM_PARAM_FAIR] = { "fair_ns", LB_PARAM_DURATION, "1ms",
			    "a waiter older than this is handed the lock directly (TIME_TO_BE_FAIR_NS)", 0,
			    10000000000LL },
	{ .name = NULL },
};

/* One thread's wait entry; lives in the runner's per-thread node. */
struct pymutex_node {
	_Atomic uint32_t sema;            /* semaphore count, also the futex word */
	struct pymutex_node *next, *prev; /* in the bucket's queue; under the bucket mutex */
	uint64_t time_to_be_fair;         /* under the bucket mutex once queued */
	bool is_unparking;                /* dequeued by an unlocker; under the bucket mutex */
	bool handed_off;                  /* written before [S], read after [W] */
};

struct pymutex {
	alignas(LB_CACHELINE) _Atomic uint8_t bits;
	int spin;
	uint64_t fair_ns;

	/* the bucket of the parking lot */
	alignas(LB_CACHELINE) pthread_mutex_t bucket;
	struct pymutex_node *head, *tail;
	size_t num_waiters;
	uint64_t parks, park_again, handoffs, wakeups, timeouts;
};

static uint64_t pm_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

static void pm_check(int rc)
{
	if (rc != 0)
		abort();
}

static int pymutex_init(void *state, const union lb_value *params, unsigned nthreads, char *err, size_t errlen)
{
	struct pymutex *m = state;
	(void)nthreads;
	if (params[PM_PARAM_SPIN].i < 0 || params[PM_PARAM_FAIR].i < 0) {
		snprintf(err, errlen, "pymutex: spin and fair_ns must not be negative");
		return -1;
	}
	m->spin = (int)params[PM_PARAM_SPIN].i;
	m->fair_ns = (uint64_t)params[PM_PARAM_FAIR].i;
	atomic_init(&m->bits, 0);
	int rc = pthread_mutex_init(&m->bucket, NULL);
	if (rc != 0) {
		snprintf(err, errlen, "pymutex: pthread_mutex_init: %s", strerror(rc));
		return -1;
	}
	return 0;
}

static void pymutex_destroy(void *state)
{
	struct pymutex *m = state;
	pthread_mutex_destroy(&m->bucket);
}

/* _PySemaphore_Wait: take one count; false if deadline_ns (0: none) passed first. */
static bool sema_wait(struct pymutex_node *me, uint64_t deadline_ns)
{
	for (;;) {
		uint32_t c = atomic_load_explicit(&me->sema, memory_order_relaxed);
		if (c > 0) {
			if (atomic_compare_exchange_weak_explicit(&me->sema, &c, c - 1, memory_order_acquire, /* [W] */
								  memory_order_relaxed))
				return true;
			continue;
		}
		if (deadline_ns == 0)
			lb_futex_wait(&me->sema, 0);
		else if (!lb_futex_wait_until(&me->sema, 0, deadline_ns))
			return false;
	}
}

static void sema_post(struct pymutex_node *w)
{
	atomic_fetch_add_explicit(&w->sema, 1, memory_order_release); /* [S] */
	lb_futex_wake(&w->sema, 1);
}

static void queue_remove(struct pymutex *m, struct pymutex_node *w)
{
	if (w->prev)
		w->prev->next = w->next;
	else
		m->head = w->next;
	if (w->next)
		w->next->prev = w->prev;
	else
		m->tail = w->prev;
	w->next = w->prev = NULL;
	m->num_waiters--;
}

/* _PyParkingLot_Park for one lock's bucket. */
static int pm_park(struct pymutex *m, struct pymutex_node *me, uint8_t expected, uint64_t deadline_ns)
{
	pm_check(pthread_mutex_lock(&m->bucket));
	if (atomic_load_explicit(&m->bits, memory_order_relaxed) != expected) { /* [Q] */
		m->park_again++;
		pm_check(pthread_mutex_unlock(&m->bucket));
		return PARK_AGAIN;
	}
	me->is_unparking = false;
	me->next = NULL;
	me->prev = m->tail;
	if (m->tail)
		m->tail->next = me;
	else
		m->head = me;
	m->tail = me;
	m->num_waiters++;
	m->parks++;
	pm_check(pthread_mutex_unlock(&m->bucket));

	if (sema_wait(me, deadline_ns))
		return PARK_OK;

	pm_check(pthread_mutex_lock(&m->bucket));
	if (me->is_unparking) {
		/* An unlocker dequeued us and will post: take that wake-up. */
		pm_check(pthread_mutex_unlock(&m->bucket));
		sema_wait(me, 0);
		return PARK_OK;
	}
	queue_remove(m, me);
	m->timeouts++;
	pm_check(pthread_mutex_unlock(&m->bucket));
	return PARK_TIMEOUT;
}

/*
 * _PyMutex_LockTimed. deadline_ns: 0 = wait for ever; try_only: CPython's
 * timeout 0. Returns true once the caller owns the lock.
 */
static bool pm_lock(struct pymutex *m, struct pymutex_node *me, uint64_t deadline_ns, bool try_only)
{
	uint8_t v = atomic_load_explicit(&m->bits, memory_order_relaxed);
	if (!(v & PM_LOCKED)) {
		if (atomic_compare_exchange_strong_explicit(&m->bits, &v, v | PM_LOCKED, memory_order_acquire, /* [A] */
							    memory_order_relaxed))
			return true;
	} else if (try_only) {
		return false;
	}

	uint64_t now = pm_now();
	if (deadline_ns != 0 && now >= deadline_ns)
		try_only = true;
	me->time_to_be_fair = now + m->fair_ns;
	me->handed_off = false;
	int spins = 0;
	for (;;) {
		if (!(v & PM_LOCKED)) {
			if (atomic_compare_exchange_strong_explicit(&m->bits, &v, v | PM_LOCKED, /* [A] */
								    memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (!(v & PM_HAS_PARKED) && spins < m->spin) {
			sched_yield(); /* v is not re-read here, as in CPython 3.13 */
			spins++;
			continue;
		}
		if (try_only)
			return false;
		uint8_t newv = v;
		if (!(v & PM_HAS_PARKED)) {
			newv = v | PM_HAS_PARKED;
			if (!atomic_compare_exchange_strong_explicit(&m->bits, &v, newv, memory_order_relaxed, /* [P] */
								     memory_order_relaxed))
				continue;
		}
		int ret = pm_park(m, me, newv, deadline_ns);
		if (ret == PARK_OK && me->handed_off)
			return true;
		if (ret == PARK_TIMEOUT)
			return false;
		if (deadline_ns != 0 && pm_now() >= deadline_ns)
			try_only = true; /* CPython: the remaining timeout clamps to 0 */
		v = atomic_load_explicit(&m->bits, memory_order_relaxed);
	}
}

/* mutex_unpark inside _PyParkingLot_Unpark: wake the oldest waiter, handing over if it is owed. */
static void pm_unpark(struct pymutex *m)
{
	pm_check(pthread_mutex_lock(&m->bucket));
	struct pymutex_node *w = m->head;
	uint8_t v = 0;
	if (w) {
		queue_remove(m, w);
		w->is_unparking = true;
		bool fair = pm_now() > w->time_to_be_fair;
		w->handed_off = fair;
		if (fair) {
			v |= PM_LOCKED;
			m->handoffs++;
		} else {
			m->wakeups++;
		}
		if (m->num_waiters > 0)
			v |= PM_HAS_PARKED;
	}
	atomic_store_explicit(&m->bits, v, memory_order_release); /* [U] */
	pm_check(pthread_mutex_unlock(&m->bucket));
	if (w)
		sema_post(w); /* [S] */
}

static int pymutex_release(void *state, void *node)
{
	struct pymutex *m = state;
	(void)node;
	uint8_t v = PM_LOCKED;
	if (atomic_compare_exchange_strong_explicit(&m->bits, &v, 0, memory_order_release, /* [R] */
						    memory_order_relaxed))
		return 0;
	for (;;) {
		if (!(v & PM_LOCKED))
			return -1;
		if (v & PM_HAS_PARKED) {
			pm_unpark(m);
			return 0;
		}
		if (atomic_compare_exchange_strong_explicit(&m->bits, &v, 0, memory_order_release, /* [R] */
							    memory_order_relaxed))
			return 0;
	}
}

static void pymutex_acquire(void *state, void *node)
{
	pm_lock(state, node, 0, false);
}

static bool pymutex_try_acquire(void *state, void *node)
{
	return pm_lock(state, node, 0, true);
}

static bool pymutex_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	/* 0 means "no deadline" inside pm_lock; a deadline of 0 ns has passed long ago. */
	return pm_lock(state, node, deadline_ns ? deadline_ns : 1, false);
}

static size_t pymutex_counters(void *state, struct lb_counter *out, size_t max)
{
	struct pymutex *m = state;
	/* Under the bucket mutex that guards them: it may run while threads do (live-counters). */
	pm_check(pthread_mutex_lock(&m->bucket));
	const struct lb_counter all[] = {
		{ "parks", m->parks },       { "park_again", m->park_again }, { "handoffs", m->handoffs },
		{ "wakeups", m->wakeups },   { "timeouts", m->timeouts },
	};
	pm_check(pthread_mutex_unlock(&m->bucket));
	return lb_counters_copy(out, max, all, sizeof all / sizeof all[0]);
}

const struct lb_lock_ops lb_lock_pymutex = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "pymutex",
	.summary = "model of CPython 3.13's PyMutex (threading.Lock): byte lock, parking lot, hand-off after 1 ms",
	.state_size = sizeof(struct pymutex),
	.state_align = _Alignof(struct pymutex),
	.node_size = sizeof(struct pymutex_node),
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_CHECKS_RELEASE | LB_CAP_LIVE_COUNTERS,
	.params = pymutex_params,
	.init = pymutex_init,
	.destroy = pymutex_destroy,
	.acquire = pymutex_acquire,
	.release = pymutex_release,
	.try_acquire = pymutex_try_acquire,
	.acquire_until = pymutex_acquire_until,
	.counters = pymutex_counters,
};
