/*
 * test_workloads_blocking.c — the workloads whose threads sleep on the
 * lock's behalf (condition: producers and consumers on a bounded buffer,
 * semaphore: permits, interp: CPU-bound and I/O threads under a GIL) end
 * to end through lb_run_config: each runs clean under real locks at 2 and
 * 4 threads, each one's verify() catches a lock that does not exclude,
 * each stops promptly with every thread asleep, bad parameters fail at
 * setup with a message that says what is wrong, and under the GIL an I/O
 * thread waits about one switch interval for the lock after its I/O.
 * (The workloads that need a try, timed or reentrant acquire are
 * test_workloads_caps.c's; both are suite `workloads`.)
 *
 * Timing: runs are 120-300 ms; the whole file takes about 6 s on a
 * 2-core machine. Nothing asserts an absolute time; the one latency test
 * compares two configurations run side by side.
 */
#include <criterion/criterion.h>
#include <stdlib.h>

#include "lock_util.h"
#include "engine/run.h"
#include "workload_util.h"

/* ---- each workload runs clean under real locks --------------------------- */

Test(workloads, condition_runs_clean, .timeout = 60)
{
	check_clean("condition", NULL, spin_and_sleep_locks);
	check_clean("condition", "capacity=1,item_ns=0", (const char *const[]){ "pthread", "gil", NULL });
}

Test(workloads, condition_with_more_producers_runs_clean, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_ok(&o, lock_named("pthread"), NULL, "condition", "producers=3,capacity=2", 4, &out);
	expect_clean(&out, "condition", "pthread", 4);
	lb_outcome_free(&out);
}

Test(workloads, semaphore_runs_clean, .timeout = 60)
{
	check_clean("semaphore", NULL, spin_and_sleep_locks);
	check_clean("semaphore", "permits=1", (const char *const[]){ "pthread", "mcs", NULL });
}

Test(workloads, interp_runs_clean, .timeout = 60)
{
	/* Short slices, so the I/O threads get in under locks without a poll hook too. */
	check_clean("interp", "slice_ns=2ms,io_ns=200us", (const char *const[]){ "pthread", "mcs", "gil", NULL });
	check_clean("interp", "cpu_threads=2,slice_ns=2ms", (const char *const[]){ "gil", NULL });
}

/* ---- verify() catches what it is for ------------------------------------ */

Test(workloads, condition_verify_catches_none, .timeout = 60)
{
	expect_verify_catches(lock_named("none"), "condition", "item_ns=0", 4);
}

Test(workloads, semaphore_verify_catches_none, .timeout = 60)
{
	/* Two permits, four threads: fewer of them asleep, more of them racing. */
	expect_verify_catches(lock_named("none"), "semaphore", "permits=2,cs_ns=0", 4);
}

Test(workloads, interp_verify_catches_none, .timeout = 60)
{
	expect_verify_catches(lock_named("none"), "interp", "cpu_threads=2,tick_ns=100", 2);
}

/* ---- stopping ----------------------------------------------------------- */

/*
 * wl:wl_kv under lock at n threads, with 3 s of grace: the run must end ok
 * (not hung) and verify() must pass, however the threads were asleep when
 * the window closed.
 */
static void expect_stops_cleanly(const char *lock, const char *wl, const char *wl_kv, unsigned n)
{
	struct lb_run_opts o = quick_opts();
	o.grace_ns = 3000000000LL;
	struct lb_outcome out;
	run_ok(&o, lock_named(lock), NULL, wl, wl_kv, n, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.verify_failures, 0, "%s", out.message);
	lb_outcome_free(&out);
}

/*
 * One slow producer, three consumers asleep on not_empty nearly all the
 * time: without the stop hook's wake-up two of them never leave and the
 * run is reported hung after the grace period.
 */
Test(workloads, condition_stops_with_every_consumer_asleep, .timeout = 60)
{
	expect_stops_cleanly("pthread", "condition", "producers=1,item_ns=20ms", 4);
}

/* The other side: three producers asleep on a full buffer of one. */
Test(workloads, condition_stops_with_every_producer_asleep, .timeout = 60)
{
	expect_stops_cleanly("gil", "condition", "producers=3,capacity=1,item_ns=20ms", 4);
}

/*
 * One permit held 20 ms at a time, three threads asleep waiting for it.
 * Woken by the stop, each must let go of the lock it re-acquired and leave
 * without a permit; one that kept the lock would hold the others in
 * lb_acquire and the run would be reported hung. (Without the stop hook
 * the waiters would still leave, one permit-holding turn after another:
 * the hook makes that prompt, which no time-free test can tell apart.)
 */
Test(workloads, semaphore_waiters_leave_cleanly_at_stop, .timeout = 60)
{
	expect_stops_cleanly("pthread", "semaphore", "permits=1,cs_ns=20ms", 4);
}

/* I/O threads asleep for 10 s each: the stop hook cuts the sleep short. */
Test(workloads, interp_stops_during_long_io, .timeout = 60)
{
	expect_stops_cleanly("gil", "interp", "io_ns=10s", 3);
}

/* ---- bad parameters ----------------------------------------------------- */

Test(workloads, condition_needs_a_consumer)
{
	expect_setup_error(lock_named("pthread"), "condition", "producers=2", 2, "no consumer");
	expect_setup_error(lock_named("pthread"), "condition", "producers=5", 4, "producers=5");
	expect_setup_error(lock_named("pthread"), "condition", NULL, 1, "producers < threads");
}

Test(workloads, out_of_range_parameters_are_refused)
{
	expect_param_error("condition", "capacity=0", "capacity");
	expect_param_error("condition", "producers=0", "producers");
	expect_param_error("semaphore", "permits=0", "permits");
	expect_param_error("interp", "tick_ns=0", "tick_ns");
}

/* ---- interp: the GIL's switch interval is what an I/O thread waits ------ */

/*
 * Median of the waits of at least floor ticks: the I/O thread's waits for a
 * GIL that was held. Waits for a free GIL (the CPU-bound thread not yet run
 * again by a busy OS after the last hand-over) take nanoseconds and say
 * nothing about the interval, so they are left out; 0 if there are none.
 */
static uint64_t count_below(const struct lb_hist *h, uint64_t floor)
{
	uint64_t below = 0;
	for (size_t i = 0; i < LB_HIST_BUCKETS && lb_hist_bucket_high(i) < floor; i++)
		below += h->counts[i];
	return below;
}

static uint64_t median_at_least(const struct lb_hist *h, uint64_t floor)
{
	uint64_t below = count_below(h, floor), held = h->count - below;
	if (held == 0)
		return 0;
	return lb_hist_value_at(h, 100.0 * ((double)below + (double)held / 2) / (double)h->count);
}

/*
 * One CPU-bound thread that never gives the GIL up on its own (10 s
 * slices) and one I/O thread sleeping 1 ms between bursts. Finding the GIL
 * held, the I/O thread waits for the holder's interval-driven drop: about
 * 1 ms with interval=1ms, about 20 ms with interval=20ms. The two
 * configurations run side by side, twice, interleaved, and the I/O thread's
 * waits are pooled per configuration. It must make progress under both,
 * more of it with the shorter interval, and its median wait for a held GIL
 * must be less than half as long (the expected ratio is ~20; a GIL that
 * ignored its interval would give ~1).
 */
Test(workloads, interp_io_wait_follows_the_gil_interval, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 300000000;
	const char *wl = "cpu_threads=1,slice_ns=10s,io_ns=1ms,burst_ns=10us";
	const char *intervals[2] = { "interval=1ms", "interval=20ms" };
	struct lb_hist *waits = aligned_alloc(LB_HIST_ALIGN, 2 * sizeof *waits);
	cr_assert_not_null(waits);
	uint64_t io[2] = { 0, 0 };
	lb_hist_reset(&waits[0]);
	lb_hist_reset(&waits[1]);
	for (int round = 0; round < 4; round++) {
		int c = round % 2;
		struct lb_outcome out;
		run_ok(&o, lock_named("gil"), intervals[c], "interp", wl, 2, &out);
		expect_clean(&out, "interp", intervals[c], 2);
		/* Thread 1 is the I/O thread (cpu_threads=1 of 2). */
		io[c] += out.run.threads[1].acquisitions;
		lb_hist_merge(&waits[c], out.run.threads[1].wait);
		lb_outcome_free(&out);
	}
	cr_expect_geq(io[1], 3, "the I/O thread made progress under interval=20ms: %lu", (unsigned long)io[1]);
	cr_expect_gt(io[0], io[1], "more I/O done with the shorter interval: %lu vs %lu", (unsigned long)io[0],
		     (unsigned long)io[1]);
	uint64_t floor = (uint64_t)(100000 / lb_timer.ns_per_tick); /* 100 us */
	cr_assert_geq(waits[1].count - count_below(&waits[1], floor), 3, "the I/O thread hardly ever found the GIL held");
	uint64_t m_fast = median_at_least(&waits[0], floor), m_slow = median_at_least(&waits[1], floor);
	cr_expect_lt(2 * m_fast, m_slow, "median wait for a held GIL: %.0f ns with interval=1ms, %.0f ns with 20ms",
		     lb_ticks_to_ns(m_fast), lb_ticks_to_ns(m_slow));
	free(waits);
}
