/*
 * engine/deadlock.h — the deadlock watchdog: a thread that looks, during
 * the run, at what the workload threads publish (engine/multilock.h: the
 * lock or condition each waits for, the locks each holds) and finds the
 * threads that can never go on.
 *
 * Every period it takes a snapshot. A thread is a candidate when it was in
 * the same blocking wait (same episode: it never left it) at two snapshots
 * in a row and the locks it held were held at both. Candidates whose wait
 * some non-candidate could end are dropped (the lock's holder is not stuck,
 * or nobody holds it; a signaller of the condition is not stuck), until
 * nothing changes. Who is left waits, for the whole interval, only for
 * threads that themselves could not move: a deadlock. Timed waits and
 * tries never make a thread a candidate: they give up by themselves.
 *
 * Then the watchdog writes the report (one cycle among the stuck threads,
 * in words), takes their stacks (engine/stackdump.h) while they are still
 * stuck, and ends the window (the phase goes to STOP) so the run goes on.
 * It keeps looking until stopped: threads that block later behind the
 * stuck ones join the set, so the run waits for the others only.
 */
#ifndef LB_ENGINE_DEADLOCK_H
#define LB_ENGINE_DEADLOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/harness.h"
#include "engine/stackdump.h"

#define LB_CYCLE_MAX 64

struct lb_deadlock_found {
	unsigned *threads;      /* every thread that can never go on */
	size_t nthreads;
	struct {
		unsigned thread;
		bool condition;
		unsigned index;
		unsigned next;  /* the holder of that lock, the signaller of that condition */
	} cycle[LB_CYCLE_MAX];
	size_t ncycle;
	char report[1024];      /* "thread 0 holds lock 1, waits for lock 0 held by thread 1, which waits for lock 1" */
	uint64_t at_ns;         /* lb_mono_ns() when it was found */
	struct lb_stuck *stuck; /* the stuck threads as they were then */
	size_t nstuck;
};

struct lb_deadlock_watch;

/* Watch r every period_ns; NULL when the thread cannot start (the run goes on unwatched). */
struct lb_deadlock_watch *lb_deadlock_watch_start(struct lb_run *r, int64_t period_ns);

/* Whether a deadlock was found, and how many threads are in it (0: none). */
size_t lb_deadlock_watch_stuck(struct lb_deadlock_watch *w);

/* Stop watching; returns what was found (the caller frees it: lb_deadlock_found_free), or NULL. */
struct lb_deadlock_found *lb_deadlock_watch_stop(struct lb_deadlock_watch *w);
void lb_deadlock_found_free(struct lb_deadlock_found *d);

/*
 * The analysis on its own, for tests and for the watchdog: given two
 * snapshots' wait words (prev, now: nthreads each), held flags
 * (held[i * nlocks + k], at both times), signals (condition + 1, 0: none)
 * and finished flags, fill d (threads, cycle, report) and return how many
 * threads are deadlocked.
 */
size_t lb_deadlock_analyse(unsigned nthreads, unsigned nlocks, const uint64_t *prev, const uint64_t *now,
			   const uint8_t *held_prev, const uint8_t *held_now, const uint32_t *signals,
			   const bool *finished, struct lb_deadlock_found *d);

#endif
