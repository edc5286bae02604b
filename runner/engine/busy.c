/*
 * engine/busy.c — calibrated busy work, so `cs_ns=200` means about 200 ns of CPU.
 *
 * The loop is an empty dependent loop the compiler cannot remove. Its speed
 * is measured at start-up as the fastest of several batches: on a shared
 * machine a slow batch means we were preempted, not that the loop is slow.
 */
#include <time.h>

#include "engine/harness.h"

double lb_busy_iters_per_ns = 1.0;

void lb_busy_calibrate(void)
{
	/*
	 * Many short rounds spread over ~80 ms, keeping the fastest: a process
	 * that calibrates during a slow spell of a shared host (the vCPU's core
	 * busy with someone else) would otherwise convert cs_ns into half the
	 * work, and two runs of the same build would differ by 2x (measured:
	 * 144 processes of `make gate-check` calibrated at 1855..3694
	 * iterations/us before this). The fastest round is the machine's speed;
	 * the work per cs_ns is then the same in every process.
	 */
	enum { ITERS = 250000, ROUNDS = 40 };
	double best_ns = 1e300;
	lb_busy(ITERS / 10); /* warm the core up */
	for (int r = 0; r < ROUNDS; r++) {
		uint64_t t0 = lb_mono_ns();
		lb_busy(ITERS);
		uint64_t t1 = lb_mono_ns();
		if ((double)(t1 - t0) < best_ns)
			best_ns = (double)(t1 - t0);
		struct timespec gap = { 0, 2000000 };
		nanosleep(&gap, NULL);
	}
	if (best_ns < 1.0)
		best_ns = 1.0;
	lb_busy_iters_per_ns = ITERS / best_ns;
}

/* A chunk is about a microsecond: CPython checks its eval breaker far more
 * often than the 5 ms switch interval, and so do we. */
void lb_busy_polling(struct lb_thread *t, uint64_t iters)
{
	if (t->ops->poll == NULL) {
		lb_busy(iters);
		return;
	}
	uint64_t chunk = lb_busy_iters(1000);
	if (chunk == 0)
		chunk = 1;
	while (iters > chunk) {
		lb_busy(chunk);
		iters -= chunk;
		lb_poll(t);
	}
	lb_busy(iters);
	lb_poll(t);
}

void lb_busy_use_rate(int64_t per_us)
{
	if (per_us > 0)
		lb_busy_iters_per_ns = (double)per_us / 1000.0;
	else
		lb_busy_calibrate();
}
