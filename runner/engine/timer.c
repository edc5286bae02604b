/*
 * engine/timer.c — choose and calibrate the hot-path clock.
 *
 * The TSC is used only when CPUID says it is invariant (constant rate across
 * P-states and C-states, leaf 0x80000007 EDX bit 8); its rate is measured
 * against CLOCK_MONOTONIC over a few short windows and the median kept, so
 * one preemption during calibration does not skew it.
 */
#include "engine/timer.h"

#include <stdlib.h>
#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>
#endif

struct lb_timer_info lb_timer = { "clock_monotonic", 1.0, 0.0, 0.0 };
bool lb_timer_use_tsc;

static bool tsc_invariant(void)
{
#if defined(__x86_64__) || defined(__i386__)
	unsigned a, b, c, d;
	if (!__get_cpuid(0x80000000u, &a, &b, &c, &d) || a < 0x80000007u)
		return false;
	__get_cpuid(0x80000007u, &a, &b, &c, &d);
	return (d >> 8) & 1u;
#else
	return false;
#endif
}

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static void sleep_ns(long ns)
{
	struct timespec ts = { ns / 1000000000L, ns % 1000000000L };
	while (nanosleep(&ts, &ts) != 0)
		;
}

/* The cheapest of several batches, so preemption inflates nothing. */
static double measure_cost_ns(void)
{
	enum { BATCH = 20000, ROUNDS = 7 };
	double best = 1e9;
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = lb_mono_ns();
		uint64_t sink = 0;
		for (int i = 0; i < BATCH; i++)
			sink += lb_now();
		uint64_t t1 = lb_mono_ns();
		__asm__ volatile("" : : "r"(sink));
		double per = (double)(t1 - t0) / BATCH;
		if (per < best)
			best = per;
	}
	return best;
}

void lb_timer_init(void)
{
	static bool done;
	if (done)
		return;
	done = true;
	if (getenv("LOCKBENCH_NO_TSC") == NULL && tsc_invariant()) {
#if defined(__x86_64__) || defined(__i386__)
		enum { WINDOWS = 5 };
		double hz[WINDOWS];
		for (int i = 0; i < WINDOWS; i++) {
			uint64_t n0 = lb_mono_ns(), c0 = __builtin_ia32_rdtsc();
			sleep_ns(5000000);
			uint64_t n1 = lb_mono_ns(), c1 = __builtin_ia32_rdtsc();
			hz[i] = (double)(c1 - c0) * 1e9 / (double)(n1 - n0);
		}
		qsort(hz, WINDOWS, sizeof hz[0], cmp_double);
		lb_timer.source = "tsc";
		lb_timer.tsc_hz = hz[WINDOWS / 2];
		lb_timer.ns_per_tick = 1e9 / lb_timer.tsc_hz;
		lb_timer_use_tsc = true;
#endif
	}
	lb_timer.cost_ns = measure_cost_ns();
}
