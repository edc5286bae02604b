/*
 * engine/workload.h — what the harness does for a workload besides
 * measuring: its memory, its parameters, the per-thread tallies and the
 * checks every verify() makes, so that a workload file holds its loop and
 * its own check and little else (will-it-scale's test cases are the model).
 *
 * A workload includes this header; it includes harness.h, the measuring
 * wrappers (lb_running, lb_acquire, lb_release, ...).
 *
 * What the harness does around a workload's hooks (lb_workload_setup and
 * lb_workload_teardown, called by the engine):
 *   before setup  refuses a lock without the declared needs_caps, with a
 *                 one-line reason naming the workload; runs check() on the
 *                 parameters and the thread count, when there is one; allocates
 *                 state_size bytes of shared state (run->wl_state) and
 *                 one tally_size tally per thread (t->tally), zeroed, each
 *                 on cache lines of its own;
 *   after verify  frees all of that and every lb_wl_alloc block (also when
 *                 setup fails, so setup never cleans up after itself).
 * Zeroed memory is the initial state: counters and atomics start at 0
 * without an init call (as the locks' zeroed state does).
 */
#ifndef LB_ENGINE_WORKLOAD_H
#define LB_ENGINE_WORKLOAD_H

#include <inttypes.h> /* PRIu64 and friends, for the messages */
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/harness.h"

/* ---- memory ---------------------------------------------------------------- */

/*
 * For setup: n zeroed elements of size bytes that start a cache line and
 * are padded to a whole one, so nothing else shares their lines; the
 * harness frees them after the run. NULL when out of memory (or n * size
 * overflows): return lb_setup_fail(run, err, errlen, "out of memory").
 */
void *lb_wl_alloc(struct lb_run *run, size_t n, size_t size);

/* ---- parameters (values in the order of the workload's params[]) ---------- */

/* An INT, DURATION (ns) or BOOL parameter. */
static inline int64_t lb_param(const struct lb_run *run, unsigned i)
{
	return run->wl_params[i].i;
}

/* A DURATION parameter as iterations of lb_busy(). */
static inline uint64_t lb_param_iters(const struct lb_run *run, unsigned i)
{
	return lb_busy_iters((uint64_t)run->wl_params[i].i);
}

/* ---- one-line messages, prefixed with the workload's name ------------------ */

/* setup: write "<workload>: <reason>" into err; returns -1, setup's failure. */
int lb_setup_fail(const struct lb_run *run, char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* verify: write "<workload>: <reason>" into msg; returns 1, one failure. */
unsigned lb_verify_fail(const struct lb_run *run, char *msg, size_t msglen, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* ---- shared variables the lock guards -------------------------------------- */

/*
 * Relaxed atomics read and written with a load and a store, never an
 * atomic add: the lock under test orders them, and a lock that lets two
 * holders in loses updates, which verify() then sees. (Atomics rather than
 * plain variables: under a broken lock the race is what is measured, not
 * undefined behaviour.) For any _Atomic integer type.
 */
#define lb_relaxed_load(p) atomic_load_explicit((p), memory_order_relaxed)
#define lb_relaxed_store(p, v) atomic_store_explicit((p), (v), memory_order_relaxed)

/* Load and store back incremented: two holders at once lose one. */
static inline void lb_bump(_Atomic uint64_t *c)
{
	lb_relaxed_store(c, lb_relaxed_load(c) + 1);
}

/* A shared counter alone on its cache line (cs's cs_lines are an array of them). */
struct lb_line {
	_Alignas(LB_CACHELINE) _Atomic uint64_t v;
};

/* ---- after the run: what the threads counted --------------------------------- */

/* Acquisitions by every thread since the start, warm-up included (threads[].total). */
uint64_t lb_total(const struct lb_run *run);

/*
 * Sum and maximum over the threads of one uint64_t field of the tally
 * struct: LB_TALLY_SUM(run, struct sem_tally, taken). Another field type
 * does not compile.
 */
#define LB_TALLY_SUM(run, type, field) lb__tally_sum(run, lb__tally_field(type, field))
#define LB_TALLY_MAX(run, type, field) lb__tally_max(run, lb__tally_field(type, field))
#define lb__tally_field(type, field) _Generic(((type *)0)->field, uint64_t: offsetof(type, field))
uint64_t lb__tally_sum(const struct lb_run *run, size_t offset);
uint64_t lb__tally_max(const struct lb_run *run, size_t offset);

/*
 * The check of every counting workload: the shared counter equals what
 * the threads counted on their own (`counted`, e.g. lb_total(run)). Returns
 * 0, or how far apart they are (the updates lost) after writing
 * "<workload>: shared counter C != N <what> (L lost)" into msg.
 */
uint64_t lb_verify_count(const struct lb_run *run, uint64_t counter, uint64_t counted, const char *what, char *msg,
			 size_t msglen);

/* ---- the engine's side --------------------------------------------------------- */

/* Check the caps, allocate, call setup. 0, or -1 with a reason in err and nothing left allocated. */
int lb_workload_setup(struct lb_run *run, char *err, size_t errlen);

/* After verify (or a failed setup): free what the harness allocated for the workload. */
void lb_workload_teardown(struct lb_run *run);

#endif
