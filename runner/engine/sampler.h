/*
 * engine/sampler.h — the main thread's reads of every thread's progress word
 * during the measured window: timeline and longest time trying, with no
 * clock read on the threads' side (see sampler.c).
 */
#ifndef LB_SAMPLER_H
#define LB_SAMPLER_H

#include <signal.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/harness.h"

struct lb_sampler {
	struct lb_thread *threads;
	unsigned n;
	int64_t tick_ns;
	uint32_t ticks_per_slice;
	uint32_t slices;   /* timeline slices; each thread's timeline has slices + 1 entries */
	uint32_t written;  /* timeline entries (slice ends) written so far */
	uint64_t *last;    /* each thread's word at the previous tick */
	uint32_t *run_start;         /* per thread: tick its current run of trying was first seen */
	uint32_t *max_gap, *gap_end; /* per thread 1 + LB_NROLES: overall, then per role; ticks */
};

/*
 * The slice, tick and timeline length of a window: the slice asked for,
 * widened when the timeline would be too long, too big or too costly to
 * sample for n threads; the tick asked for (0: the slice), and the slice a
 * whole number of ticks.
 */
void lb_sampler_plan(int64_t duration_ns, int64_t slice_ns, int64_t tick_ns, unsigned n, int64_t *slice,
		     int64_t *tick, uint32_t *slices);

/* slice_ns is a multiple of tick_ns. 0, or -1 out of memory. */
int lb_sampler_init(struct lb_sampler *s, struct lb_thread *threads, unsigned n, int64_t tick_ns, int64_t slice_ns,
		    uint32_t slices);
void lb_sampler_free(struct lb_sampler *s);

/* Just before the window opens: the counts the first slice starts from. */
void lb_sampler_open(struct lb_sampler *s);

/*
 * Sample every tick from m0 (CLOCK_MONOTONIC ns) for duration_ns; false if
 * *interrupted was raised or the phase became STOP (the deadlock watchdog).
 */
bool lb_sampler_window(struct lb_sampler *s, uint64_t m0, int64_t duration_ns, const struct lb_clock *clock,
		       volatile sig_atomic_t *interrupted);

/*
 * After the threads left (their counts settled): each thread's timeline
 * becomes its acquisitions per slice within its own window (summing to its
 * views' win.total1 - win.total0), and max_gap_ticks / max_gap_end are set,
 * overall and per role (a wait still going at the stop counts up to it).
 */
void lb_sampler_close(struct lb_sampler *s);

#endif
