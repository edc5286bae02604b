/*
 * engine/multilock.h — several locks per run, for the workloads that need
 * them (lock ordering, nested and striped locks, the deadlock workloads).
 *
 * A workload says how many locks of the chosen kind it takes (struct
 * lb_workload's nlocks hook); the harness allocates each on cache lines of
 * its own with its own harness line, so each has its own owner canary,
 * sequence and figures (acquisitions, contention, wait percentiles), and
 * gives every thread a node per lock. Lock k is reached through the
 * thread's view of it, t->lk[k]: a struct lb_thread of its own, so the
 * measuring wrappers of harness.h serve every lock unchanged. The totals
 * (per thread and per run) are the sums over the locks.
 *
 * The wrappers below also publish what the deadlock watchdog reads
 * (engine/deadlock.c): which lock the thread waits for, and which it holds.
 * Two relaxed-or-release stores to lines only this thread writes, no shared
 * line, per acquisition; lb_acquire() on its own publishes nothing (a
 * workload of one lock taken once per pass cannot deadlock).
 */
#ifndef LB_ENGINE_MULTILOCK_H
#define LB_ENGINE_MULTILOCK_H

#include "engine/harness.h"

/* What a thread waits for, as published in t->waiting. */
enum lb_wait_kind {
	LB_WAIT_NONE = 0,
	LB_WAIT_LOCK = 1,  /* a blocking acquire of lock `index`: it returns only with the lock */
	LB_WAIT_TIMED = 2, /* a timed acquire: it gives up by itself, never part of a deadlock */
	LB_WAIT_COND = 3,  /* condition `index`: woken only by the threads that signal it */
};
#define LB_WAIT_INDEX_MAX 16383u

static inline uint64_t lb_wait_word(uint64_t episode, unsigned kind, unsigned index)
{
	return episode << 16 | (uint64_t)kind << 14 | index;
}
static inline unsigned lb_wait_kind_of(uint64_t w)
{
	return (unsigned)(w >> 14) & 3u;
}
static inline unsigned lb_wait_index_of(uint64_t w)
{
	return (unsigned)w & LB_WAIT_INDEX_MAX;
}

/*
 * Begin a wait. Release order: whatever the thread wrote before (its
 * figures) is visible to a watchdog that reads this word with acquire, so
 * the figures of a thread stuck from here on can be read.
 */
static inline void lb_wait_begin(struct lb_thread *t, unsigned kind, unsigned index)
{
	atomic_store_explicit(&t->waiting, lb_wait_word(++t->wait_episode, kind, index), memory_order_release);
}

static inline void lb_wait_end(struct lb_thread *t)
{
	atomic_store_explicit(&t->waiting, lb_wait_word(t->wait_episode, LB_WAIT_NONE, 0), memory_order_release);
}

/* This thread is one that signals condition c (a role, set once). */
static inline void lb_signals_cond(struct lb_thread *t, unsigned c)
{
	atomic_store_explicit(&t->signals, c + 1, memory_order_relaxed);
}

/* Thread t's view of lock k (0 <= k < t->nlocks), for lb_poll() and the like. */
static inline struct lb_thread *lb_view(struct lb_thread *t, unsigned k)
{
	return t->lk[k];
}

/* Acquire lock k, measured. Held is published before the wait ends, so a snapshot sees one or the other. */
static inline void lb_acquire_k(struct lb_thread *t, unsigned k)
{
	struct lb_thread *v = t->lk[k];
	lb_wait_begin(t, LB_WAIT_LOCK, k);
	lb_acquire(v);
	atomic_store_explicit(&v->held, 1, memory_order_relaxed);
	lb_wait_end(t);
}

/* Try lock k once (needs LB_CAP_TRY): a try never waits, so it publishes no wait. */
static inline bool lb_try_acquire_k(struct lb_thread *t, unsigned k)
{
	struct lb_thread *v = t->lk[k];
	if (!lb_try_acquire(v))
		return false;
	atomic_store_explicit(&v->held, 1, memory_order_relaxed);
	return true;
}

/* Wait for lock k until deadline_ns (CLOCK_MONOTONIC) at most (needs LB_CAP_TIMED). */
static inline bool lb_acquire_until_k(struct lb_thread *t, unsigned k, uint64_t deadline_ns)
{
	struct lb_thread *v = t->lk[k];
	lb_wait_begin(t, LB_WAIT_TIMED, k);
	bool got = lb_acquire_until(v, deadline_ns);
	if (got)
		atomic_store_explicit(&v->held, 1, memory_order_relaxed);
	lb_wait_end(t);
	return got;
}

/* Release lock k; held is cleared first (a snapshot may see it free a moment early, never held late). */
static inline void lb_release_k(struct lb_thread *t, unsigned k)
{
	struct lb_thread *v = t->lk[k];
	atomic_store_explicit(&v->held, 0, memory_order_relaxed);
	lb_release(v);
}

/*
 * The owner takes lock k again, straight to the lock (not measured: the
 * canary would take it for a second holder, as in workloads/nest.c). On a
 * reentrant lock it returns; on any other it never does, and the watchdog
 * sees a thread waiting for a lock it holds itself.
 */
static inline void lb_reacquire_k(struct lb_thread *t, unsigned k)
{
	struct lb_thread *v = t->lk[k];
	lb_wait_begin(t, LB_WAIT_LOCK, k);
	v->ops->acquire(v->lock, v->node);
	lb_wait_end(t);
}

/* Undo one lb_reacquire_k: the lock's release, 0 or -1. */
static inline int lb_rerelease_k(struct lb_thread *t, unsigned k)
{
	struct lb_thread *v = t->lk[k];
	return v->ops->release(v->lock, v->node);
}

#endif
