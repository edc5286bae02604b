/*
 * engine/lockset.h — the locks of one run: their memory, their start, each
 * thread's view of each (engine/multilock.h), their figures.
 *
 * Lock k's state starts a cache line (the lock's own alignment if larger)
 * and is followed by guard bytes up to the next lock, at least one whole
 * line: a lock that writes past its declared state_size changes them, and
 * the run fails saying so. Lock 0 is the run's `lock`, with the run's
 * harness line, nodes and order log; locks 1.. get their own.
 */
#ifndef LB_ENGINE_LOCKSET_H
#define LB_ENGINE_LOCKSET_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/harness.h"
#include "engine/hist.h"

/* One lock's figures over all threads (the measured window). */
struct lb_lock_figures {
	uint64_t acquisitions, violations, timed;
	uint64_t sampled, found_held; /* sampled attempts, and those that found the lock held */
	struct lb_hist *wait;          /* merged over threads */
};

/* Most locks one run may take (the wait word has 14 bits for the index). */
#define LB_MAX_RUN_LOCKS 4096u

/*
 * Allocate n locks of ops for nthreads threads (not yet initialised), with
 * order logs of log_cap entries for locks 1.. (a power of two). NULL with
 * a reason in err (out of memory, or a histogram budget the count breaks).
 */
struct lb_lockset *lb_lockset_new(const struct lb_lock_ops *ops, unsigned n, unsigned nthreads, size_t log_cap,
				  char *err, size_t errlen);

/* Lock k's state. */
void *lb_lockset_state(struct lb_lockset *ls, unsigned k);
unsigned lb_lockset_count(const struct lb_lockset *ls);

enum lb_init_result { LB_INIT_OK, LB_INIT_FAILED, LB_INIT_STUCK, LB_INIT_INTERRUPTED };

/*
 * Run the lock's init on each lock, in a thread of its own so that an init
 * that never returns cannot take the caller with it: the caller waits at
 * most timeout_ns, and stops waiting on lb_interrupted. FAILED: err says
 * why (nothing to destroy). STUCK or INTERRUPTED: the init thread is left
 * where it is, *stuck_tid is its kernel id (0 if not known), and the set
 * is still in its use: never destroyed nor freed.
 */
enum lb_init_result lb_lockset_init(struct lb_lockset *ls, const union lb_value *params, unsigned nthreads,
				    int64_t timeout_ns, int *stuck_tid, char *err, size_t errlen);

/*
 * After the run's threads are set up (lock 0's view is the thread): build
 * every thread's views of locks 1.. and its lk table.
 */
void lb_lockset_bind(struct lb_lockset *ls, struct lb_run *r);

/* The phase change of a thread's views of locks 1.. (lb_phase_change does the thread). */
typedef bool (*lb_phase_fn)(struct lb_thread *t, uint32_t phase);
void lb_lockset_phase(struct lb_thread *t, uint32_t phase, lb_phase_fn one);

/*
 * After the threads stopped: the per-lock figures, then every view's
 * counters and wait histogram folded into its thread, so that the thread's
 * figures are the totals over the locks.
 */
void lb_lockset_collect(struct lb_lockset *ls, struct lb_run *r);
const struct lb_lock_figures *lb_lockset_figures(const struct lb_lockset *ls, unsigned k);

/* Whether every guard byte is intact; else a one-line reason in msg. */
bool lb_lockset_guards_ok(const struct lb_lockset *ls, char *msg, size_t msglen);

/* Destroy every lock (when the lock has destroy). */
void lb_lockset_destroy(struct lb_lockset *ls);
void lb_lockset_free(struct lb_lockset *ls);

#endif
