/*
 * test_sync.c — the rest of Python's threading primitives over any lock:
 * condition's notify_all and wait(timeout), the unbounded Semaphore and
 * over-release, the event and barrier workloads. (That each catches a lock
 * that excludes nothing is test_workloads_all.c's job, for every workload.)
 *
 *  - notify_all wakes every consumer for each item: more futile wake-ups
 *    per wait than notify, side by side; without waits there are none.
 *  - wait(timeout) with a producer far slower than the timeout: waits time
 *    out, the operations are given up, items still add up; without a
 *    timeout no wait times out.
 *  - over_release: a plain Semaphore accepts every extra release (its value
 *    ends above permits), a BoundedSemaphore refuses some (its value never
 *    ends above permits); both keep their books.
 *  - event: refused at one thread; a set() wakes sleeping workers.
 *  - barrier: every thread passes the same rounds, also when the stop comes
 *    while threads wait (long work on one, so the others sleep at the
 *    barrier), at 1 thread too.
 * No test asserts how long anything took.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <string.h>

#include "engine/run.h"
#include "locks/registry.h"
#include "workloads/registry.h"
#include "run_util.h"

static struct lb_run_opts opts(int64_t duration_ns)
{
	struct lb_run_opts o = {
		.duration_ns = duration_ns, .warmup_ns = 20000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 16, .order_log_cap = 1u << 16,
	};
	return o;
}

static int run(int64_t duration_ns, const char *lock, const char *wl, const char *wl_kv, unsigned n,
	       struct lb_outcome *out)
{
	static bool calibrated;
	if (!calibrated) {
		lb_timer_init();
		lb_busy_calibrate();
		calibrated = true;
	}
	char err[256];
	struct lb_lock_choice lc = { .ops = lb_lock_find(lock) };
	struct lb_wl_choice wc = { .wl = lb_workload_find(wl) };
	cr_assert_not_null(lc.ops, "%s", lock);
	cr_assert_not_null(wc.wl, "%s", wl);
	cr_assert_eq(lb_params_parse(lock, lc.ops->params, NULL, lc.params, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_params_parse(wl, wc.wl->params, wl_kv, wc.params, err, sizeof err), 0, "%s", err);
	int pus[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	struct lb_run_opts o = opts(duration_ns);
	return run_config_settled(&o, NULL, &lc, &wc, n, pus, out);
}

static void run_clean(int64_t duration_ns, const char *lock, const char *wl, const char *wl_kv, unsigned n,
		      struct lb_outcome *out)
{
	cr_assert_eq(run(duration_ns, lock, wl, wl_kv, n, out), 0, "%s:%s under %s: %s", wl, wl_kv, lock,
		     out->message);
	cr_assert_eq(out->status, LB_STATUS_OK, "%s:%s under %s: %s", wl, wl_kv, lock, out->message);
	cr_assert_eq(out->verify_failures, 0, "%s:%s under %s: %s", wl, wl_kv, lock, out->message);
}

static double figure(const struct lb_outcome *out, const char *name)
{
	for (size_t i = 0; i < out->nfigures; i++)
		if (strcmp(out->figures[i].name, name) == 0)
			return out->figures[i].value;
	cr_assert_fail("no figure %s", name);
	return NAN;
}

/* Sum of a figure over rounds of one configuration (a loaded machine makes any one run thin). */
static double pooled(int rounds, const char *lock, const char *wl, const char *kv, unsigned n, const char *name,
		     const char *per)
{
	double sum = 0, den = 0;
	for (int r = 0; r < rounds; r++) {
		struct lb_outcome out;
		run_clean(150000000, lock, wl, kv, n, &out);
		sum += figure(&out, name);
		den += per ? figure(&out, per) : 1;
		lb_outcome_free(&out);
	}
	return den > 0 ? sum / den : NAN;
}

Test(sync, notify_all_makes_futile_wakeups, .timeout = 120)
{
	/* One producer, three consumers, one slot: consumers sleep on an empty buffer. */
	const char *one = "capacity=1,item_ns=20us", *all = "capacity=1,item_ns=20us,notify_all=1";
	double f_one = pooled(3, "pthread", "condition", one, 4, "futile_wakeups", "waits");
	double f_all = pooled(3, "pthread", "condition", all, 4, "futile_wakeups", "waits");
	cr_expect_gt(f_all, 0, "notify_all: no futile wake-up at all");
	cr_expect_gt(f_all, 3 * f_one, "futile wake-ups per wait: notify_all %.3f, notify %.3f", f_all, f_one);
}

Test(sync, wait_timeout_gives_the_operation_up, .timeout = 120)
{
	struct lb_outcome out;
	/* A consumer waits 20 us at most for a producer that needs 2 ms per item; up to 4 windows, as a
	 * loaded machine may not run the consumer in one. */
	double timeouts = 0;
	for (int r = 0; r < 4 && timeouts == 0; r++) {
		run_clean(150000000, "pthread", "condition", "item_ns=2ms,timeout_ns=20us", 2, &out);
		timeouts = figure(&out, "wait_timeouts");
		cr_expect_eq(figure(&out, "gave_up"), timeouts, "every timeout with an empty buffer gives the get up");
		lb_outcome_free(&out);
	}
	cr_expect_gt(timeouts, 0, "no wait timed out in 4 windows");
	run_clean(150000000, "pthread", "condition", "item_ns=2ms", 2, &out);
	cr_expect_eq(figure(&out, "wait_timeouts"), 0, "a wait without a timeout timed out");
	lb_outcome_free(&out);
}

Test(sync, unbounded_semaphore_accepts_over_releases_bounded_refuses, .timeout = 60)
{
	struct lb_outcome out;
	run_clean(100000000, "pthread", "semaphore", "bounded=0,over_release=5", 3, &out);
	cr_expect_gt(figure(&out, "over_releases"), 0);
	cr_expect_eq(figure(&out, "over_accepted"), figure(&out, "over_releases"), "Semaphore accepts them all");
	cr_expect_eq(figure(&out, "refused_releases"), 0);
	cr_expect_gt(figure(&out, "value_end"), 2, "the value grew past the 2 permits");
	lb_outcome_free(&out);

	run_clean(100000000, "pthread", "semaphore", "bounded=1,over_release=5", 3, &out);
	cr_expect_gt(figure(&out, "refused_releases"), 0, "BoundedSemaphore refused none");
	cr_expect_leq(figure(&out, "value_end"), 2, "the value ended past the permits");
	lb_outcome_free(&out);

	run_clean(100000000, "pthread", "semaphore", NULL, 3, &out);
	cr_expect_eq(figure(&out, "over_releases"), 0);
	cr_expect_eq(figure(&out, "refused_releases"), 0);
	cr_expect_eq(figure(&out, "value_end"), 2);
	lb_outcome_free(&out);
}

Test(sync, event_needs_a_worker_and_wakes_sleepers, .timeout = 60)
{
	struct lb_outcome out;
	cr_assert_eq(run(50000000, "pthread", "event", NULL, 1, &out), -1, "event ran at one thread");
	cr_expect(strstr(out.message, "event: needs a setter and a worker") != NULL, "%s", out.message);
	lb_outcome_free(&out);
	/* The gate stays closed long enough for workers to fall asleep, then opens. */
	const char *locks[] = { "pthread", "gil", "ticket-futex" };
	for (size_t l = 0; l < 3; l++) {
		double sets = 0, items = 0, sleeps = 0;
		for (int r = 0; r < 4 && sleeps == 0; r++) { /* a loaded machine may starve one window */
			run_clean(150000000, locks[l], "event", "open_ns=200us,closed_ns=2ms,think_ns=50us", 3, &out);
			sets += figure(&out, "sets"), items += figure(&out, "items"), sleeps += figure(&out, "sleeps");
			lb_outcome_free(&out);
		}
		cr_expect_gt(sets, 0, "%s", locks[l]);
		cr_expect_gt(items, 0, "%s", locks[l]);
		cr_expect_gt(sleeps, 0, "%s: no worker slept while the gate was closed, in 4 windows", locks[l]);
	}
}

Test(sync, barrier_rounds_agree_also_at_the_stop, .timeout = 120)
{
	struct lb_outcome out;
	run_clean(50000000, "pthread", "barrier", NULL, 1, &out);
	cr_expect_gt(figure(&out, "rounds"), 0, "a barrier of one party passes at once");
	lb_outcome_free(&out);
	const char *locks[] = { "pthread", "gil", "mcs-park", "pymutex" };
	for (size_t l = 0; l < 4; l++) {
		run_clean(100000000, locks[l], "barrier", NULL, 3, &out);
		cr_expect_gt(figure(&out, "rounds"), 0, "%s", locks[l]);
		lb_outcome_free(&out);
	}
	/* Long rounds: the stop finds threads asleep at the barrier, some rounds half full. */
	for (int r = 0; r < 6; r++) {
		run_clean(30000000, "pthread", "barrier", r % 2 ? "work_ns=3ms" : "work_ns=300us", 3, &out);
		lb_outcome_free(&out);
	}
}
