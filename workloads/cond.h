/*
 * cond.h — a condition variable over the lock under test, for the workloads
 * that block: threading.Condition over a Lock, and what Python builds from it
 * (queue.Queue, Semaphore). Also the two futex calls under it.
 *
 * CPython's Condition works over any lock: wait() releases the lock, blocks
 * on a private waiter lock, and takes the lock again. We do the same with a
 * futex word `seq` in place of the waiter lock:
 *
 *   wait    (lock held)  s = seq; sleepers++; lb_release;
 *                        FUTEX_WAIT(&seq, s); lb_acquire; sleepers--
 *   notify  (lock held)  seq++; if sleepers: FUTEX_WAKE(&seq, n)
 *
 * Why no wake-up is lost: wait reads seq and the caller's predicate while
 * holding the lock. A notify that can matter to it is one made after it
 * released the lock; that notify runs under the lock, after the release, so
 * the lock orders the waiter's sleepers++ before the notifier's read (it sees
 * at least 1) and the notifier bumps seq. The kernel compares seq with s and
 * queues the waiter in one step: either it sees the bump and returns at once,
 * or the waiter is queued before the FUTEX_WAKE that follows the bump.
 *
 * wait(timeout) is the same FUTEX_WAIT with a relative timeout: it returns
 * LB_COND_TIMEOUT when that expired (Condition.wait returning False).
 *
 * As with Python's, a return from wait does not promise the predicate holds
 * (another thread may have taken the item first; a wake for n threads may
 * reach one that had not gone to sleep yet), so callers wait in a loop around
 * their predicate. Cost: two syscalls per sleep (the wait, and the wake that
 * ends it), and a notify with nobody asleep is two atomics and no syscall.
 * seq wraps after 2^32 notifies; a waiter would have to sleep through exactly
 * that many between reading seq and sleeping to miss one.
 *
 * What the harness sees: the re-acquire in wait is an lb_acquire like any
 * other, measured and counted. A thread asleep on seq is not trying to take
 * the lock, so its sleep is neither wait latency nor starvation.
 *
 * Stopping: the workload's stop hook calls lb_cond_stop(), which raises
 * `stopped`, bumps seq and wakes every sleeper. wait reads seq *before* it
 * looks at `stopped`, both seq_cst, and lb_cond_stop raises `stopped` before
 * its seq_cst bump; so if wait saw `stopped` still 0, the bump comes later in
 * the single total order of seq_cst operations and FUTEX_WAIT cannot sleep
 * through it. Waiters then leave (lb_cond_wait returns false).
 *
 * Memory orders: seq and `stopped` are seq_cst for the argument above (on
 * x86 the loads are plain loads and the bump is the same `lock xadd` either
 * way). sleepers is relaxed: it is changed and read under the lock, which
 * orders it. Under a lock that excludes nothing (`none`) sleepers is only a
 * hint and a notify may be missed; then the sleeper waits for the next notify
 * or the stop, which is what such a lock deserves, and never hangs a run.
 */
#ifndef LB_WORKLOADS_COND_H
#define LB_WORKLOADS_COND_H

#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

#include "engine/harness.h"

/*
 * Sleep while *word == expected, at most timeout_ns if that is not 0. Returns
 * at once when the value differs; may return early (signal, spurious wake).
 * True when it returned because the timeout expired.
 */
static inline bool lb_futex_wait(_Atomic uint32_t *word, uint32_t expected, uint64_t timeout_ns)
{
	struct timespec ts = { (time_t)(timeout_ns / 1000000000u), (long)(timeout_ns % 1000000000u) };
	return syscall(SYS_futex, (uint32_t *)word, FUTEX_WAIT_PRIVATE, expected, timeout_ns ? &ts : NULL, NULL, 0) != 0 &&
	       errno == ETIMEDOUT;
}

/* Wake up to n threads sleeping on word. */
static inline void lb_futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (uint32_t *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

/* All zero is the initial state: one in a workload's (zeroed) state needs no init. */
struct lb_cond {
	_Atomic uint32_t seq;      /* the futex word: every notify bumps it */
	_Atomic uint32_t sleepers; /* threads between wait's release and re-acquire */
	_Atomic uint32_t stopped;  /* raised by lb_cond_stop: waiters leave */
};

/* How a wait ended: woken (a notify, or spuriously), its timeout expired, or the run is stopping. */
enum lb_cond_end { LB_COND_WOKEN, LB_COND_TIMEOUT, LB_COND_STOP };

/*
 * Condition.wait(timeout): called with the lock held; returns with it held.
 * timeout_ns 0 waits without a timeout. LB_COND_STOP: the run is stopping,
 * the caller should release the lock and leave. As with Python's, the
 * caller checks its predicate again whatever the result.
 */
static inline enum lb_cond_end lb_cond_wait_for(struct lb_thread *t, struct lb_cond *cv, uint64_t timeout_ns)
{
	uint32_t s = atomic_load(&cv->seq);
	if (atomic_load(&cv->stopped))
		return LB_COND_STOP;
	atomic_fetch_add_explicit(&cv->sleepers, 1, memory_order_relaxed);
	lb_release(t);
	bool expired = lb_futex_wait(&cv->seq, s, timeout_ns);
	lb_acquire(t);
	atomic_fetch_sub_explicit(&cv->sleepers, 1, memory_order_relaxed);
	if (atomic_load(&cv->stopped))
		return LB_COND_STOP;
	return expired ? LB_COND_TIMEOUT : LB_COND_WOKEN;
}

/* Condition.wait(): false when the run is stopping (release the lock and leave). */
static inline bool lb_cond_wait(struct lb_thread *t, struct lb_cond *cv)
{
	return lb_cond_wait_for(t, cv, 0) != LB_COND_STOP;
}

/* Called with the lock held: wake up to n waiters (threading.Condition.notify(n); INT_MAX: notify_all). */
static inline void lb_cond_notify(struct lb_cond *cv, int n)
{
	atomic_fetch_add(&cv->seq, 1);
	if (atomic_load_explicit(&cv->sleepers, memory_order_relaxed) != 0)
		lb_futex_wake(&cv->seq, n);
}

/* From the stop hook, without the lock: every waiter wakes and leaves. */
static inline void lb_cond_stop(struct lb_cond *cv)
{
	atomic_store(&cv->stopped, 1);
	atomic_fetch_add(&cv->seq, 1);
	lb_futex_wake(&cv->seq, INT_MAX);
}

#endif
