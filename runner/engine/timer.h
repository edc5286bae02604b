/*
 * engine/timer.h — the clock every measurement reads.
 *
 * On x86-64 with an invariant TSC we read the TSC with a bare `rdtsc`
 * (~10 ns here) and convert ticks to ns once, when reporting; elsewhere we
 * fall back to CLOCK_MONOTONIC (~23 ns through the vDSO) and a tick is a ns.
 * `rdtsc` is not serialising: it may execute a few cycles early or late
 * relative to the lock operation it brackets. That error (tens of cycles) is
 * below the histogram's resolution for contended waits and is the price of
 * not distorting what we measure; lfence-fenced reads cost 2.5x as much.
 */
#ifndef LB_TIMER_H
#define LB_TIMER_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

struct lb_timer_info {
	const char *source;   /* "tsc" or "clock_monotonic" */
	double ns_per_tick;   /* multiply ticks by this for ns */
	double tsc_hz;        /* 0 for clock_monotonic */
	double cost_ns;       /* measured cost of one lb_now() */
};

extern struct lb_timer_info lb_timer;
extern bool lb_timer_use_tsc;

/* Calibrate once at start-up (about 30 ms). Idempotent. */
void lb_timer_init(void);

/* Nanoseconds on CLOCK_MONOTONIC; not for hot paths. */
static inline uint64_t lb_mono_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* Current time in ticks: the hot-path clock. */
static inline uint64_t lb_now(void)
{
#if defined(__x86_64__) || defined(__i386__)
	if (__builtin_expect(lb_timer_use_tsc, 1))
		return __builtin_ia32_rdtsc();
#endif
	return lb_mono_ns();
}

static inline double lb_ticks_to_ns(uint64_t ticks)
{
	return (double)ticks * lb_timer.ns_per_tick;
}

#endif
