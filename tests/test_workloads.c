/*
 * test_workloads.c — the Python-threading workloads (trylock, timedlock,
 * condition, semaphore, nest, interp) end to end through lb_run_config:
 * each runs clean under real locks at 2 and 4 threads, each one's verify()
 * catches a lock that does not exclude, the blocking ones stop promptly
 * with every thread asleep, bad parameters fail at setup with a message
 * that says what is wrong, and under the GIL an I/O thread waits about one
 * switch interval for the lock after its I/O.
 *
 * Timing: runs are 120-300 ms; the whole file takes about 15 s on a
 * 2-core machine. Nothing asserts an absolute time; the one latency test
 * compares two configurations run side by side.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <sched.h>
#include <stdio.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "locks/registry.h"
#include "engine/run.h"
#include "engine/topo.h"
#include "workloads/registry.h"

static struct lb_run_opts quick_opts(void)
{
	struct lb_run_opts o = {
		.duration_ns = 120000000, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 1, .order_log_cap = 1u << 16,
	};
	return o;
}

static void calibrate_once(void)
{
	static bool done;
	if (!done) {
		lb_timer_init();
		lb_busy_calibrate();
		done = true;
	}
}

/*
 * Run wl:wl_kv under ops:lock_kv at n threads, unbound or pinned compactly
 * (as `lockbench run` pins by default); returns lb_run_config's result.
 */
static int try_run_pinned(const struct lb_run_opts *o, bool pinned, const struct lb_lock_ops *ops,
			  const char *lock_kv, const char *wl, const char *wl_kv, unsigned n, struct lb_outcome *out)
{
	static struct lb_topo *topo;
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	struct lb_wl_choice wc = { .wl = lb_workload_find(wl) };
	cr_assert_not_null(wc.wl, "workload %s is registered", wl);
	cr_assert_eq(lb_params_parse(ops->name, ops->params, lock_kv, lc.params, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_params_parse(wl, wc.wl->params, wl_kv, wc.params, err, sizeof err), 0, "%s", err);
	int pus[16];
	cr_assert_leq(n, 16);
	for (unsigned i = 0; i < n; i++)
		pus[i] = -1;
	if (pinned) {
		if (topo == NULL)
			cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
		struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT };
		bool over;
		cr_assert_eq(lb_pin_plan(topo, &compact, n, pus, &over, err, sizeof err), 0, "%s", err);
	}
	calibrate_once();
	return lb_run_config(o, pinned ? topo : NULL, &lc, &wc, n, pus, out);
}

static int try_run(const struct lb_run_opts *o, const struct lb_lock_ops *ops, const char *lock_kv,
		   const char *wl, const char *wl_kv, unsigned n, struct lb_outcome *out)
{
	return try_run_pinned(o, false, ops, lock_kv, wl, wl_kv, n, out);
}

static void run_ok(const struct lb_run_opts *o, const struct lb_lock_ops *ops, const char *lock_kv,
		   const char *wl, const char *wl_kv, unsigned n, struct lb_outcome *out)
{
	cr_assert_eq(try_run(o, ops, lock_kv, wl, wl_kv, n, out), 0, "%s under %s: %s", wl, ops->name, out->message);
}

static const struct lb_lock_ops *lock(const char *name)
{
	const struct lb_lock_ops *ops = lb_lock_find(name);
	cr_assert_not_null(ops, "lock %s is registered", name);
	return ops;
}

/* Correct lock: ok, no violation, verify passes, both counts make sense. */
static void expect_clean(const struct lb_outcome *out, const char *wl, const char *lk, unsigned n)
{
	cr_expect_eq(out->status, LB_STATUS_OK, "%s under %s at %u threads: %s", wl, lk, n, out->message);
	cr_expect_eq(out->violations, 0, "%s under %s at %u threads: violations", wl, lk, n);
	cr_expect_eq(out->verify_failures, 0, "%s under %s at %u threads: %s", wl, lk, n, out->message);
	cr_expect_eq(out->release_errors, 0, "%s under %s at %u threads: release errors", wl, lk, n);
	/* Progress over the whole run, warm-up included: a slow (sanitized, loaded)
	 * machine may complete nothing inside a short window, and that is no bug. */
	uint64_t total = 0;
	for (unsigned i = 0; i < out->run.nthreads; i++)
		total += out->run.threads[i].total;
	cr_expect_gt(total, 0, "%s under %s at %u threads made progress", wl, lk, n);
}

static void check_clean(const char *wl, const char *wl_kv, const char *const *locks)
{
	struct lb_run_opts o = quick_opts();
	for (size_t l = 0; locks[l] != NULL; l++)
		for (unsigned n = 2; n <= 4; n += 2) {
			struct lb_outcome out;
			run_ok(&o, lock(locks[l]), NULL, wl, wl_kv, n, &out);
			expect_clean(&out, wl, locks[l], n);
			lb_outcome_free(&out);
		}
}

/*
 * A lock that excludes nothing must be caught by the workload's own
 * verify(), not only by the harness's canary. A catch needs two threads
 * inside at the same moment, which a loaded 2-core machine may deny a
 * short run: unpinned, it can run them one after the other on one core
 * (under ASan on a host at load 15, condition's check missed `none` in
 * all 5 runs of 200 ms in 3 tries of 8). So the threads are pinned
 * compactly, as `lockbench run` pins them, and get up to eight runs; one
 * catch is enough, and a verify() that checks nothing never catches.
 */
static void expect_verify_catches(const struct lb_lock_ops *ops, const char *wl, const char *wl_kv, unsigned n)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 200000000;
	unsigned caught = 0;
	for (int attempt = 0; attempt < 8 && caught == 0; attempt++) {
		struct lb_outcome out;
		cr_assert_eq(try_run_pinned(&o, true, ops, NULL, wl, wl_kv, n, &out), 0, "%s under %s: %s", wl,
			     ops->name, out.message);
		cr_assert_neq(out.status, LB_STATUS_HUNG, "%s under %s: %s", wl, ops->name, out.message);
		caught = out.verify_failures;
		lb_outcome_free(&out);
	}
	cr_assert_gt(caught, 0, "%s's verify() did not notice the %s lock", wl, ops->name);
}

static void expect_setup_error(const struct lb_lock_ops *ops, const char *wl, const char *wl_kv, unsigned n,
			       const char *needle)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	cr_assert_eq(try_run(&o, ops, NULL, wl, wl_kv, n, &out), -1, "%s:%s at %u threads must not run", wl,
		     wl_kv ? wl_kv : "", n);
	cr_assert(strstr(out.message, needle) != NULL, "\"%s\" not in: %s", needle, out.message);
	cr_assert(strncmp(out.message, wl, strlen(wl)) == 0, "the message names the workload: %s", out.message);
}

static void expect_param_error(const char *wl, const char *kv, const char *needle)
{
	char err[256] = "";
	union lb_value vals[LB_MAX_PARAMS];
	const struct lb_workload *w = lb_workload_find(wl);
	cr_assert_not_null(w);
	cr_assert_neq(lb_params_parse(wl, w->params, kv, vals, err, sizeof err), 0, "%s:%s accepted", wl, kv);
	cr_assert(strstr(err, needle) != NULL, "\"%s\" not in: %s", needle, err);
}

/* ---- test-only locks ---------------------------------------------------- */

/*
 * A reentrant spin-then-yield lock: owner is the holder's node, depth its
 * nesting. With bug=1 every release lets go at once, however deep the
 * owner is (so the owner is still inside while others get in); with bug=2
 * a nested release returns -1 (but still unwinds one level).
 */
struct trl {
	_Atomic(void *) owner;
	unsigned depth; /* the owner's only */
	int bug;
};
static const struct lb_param trl_params[] = {
	{ "bug", LB_PARAM_INT, "0", "0 correct, 1 lets go at the first release, 2 nested release fails", 0, 2 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};
static int trl_init(void *s, const union lb_value *p, unsigned n, char *e, size_t el)
{
	(void)n, (void)e, (void)el;
	struct trl *l = s;
	atomic_init(&l->owner, NULL);
	l->bug = (int)p[0].i;
	return 0;
}
static void trl_acquire(void *s, void *node)
{
	struct trl *l = s;
	if (atomic_load_explicit(&l->owner, memory_order_relaxed) == node) {
		l->depth++;
		return;
	}
	void *expected = NULL;
	while (!atomic_compare_exchange_weak_explicit(&l->owner, &expected, node, memory_order_acquire,
						      memory_order_relaxed)) {
		expected = NULL;
		sched_yield();
	}
	l->depth = 1;
}
static int trl_release(void *s, void *node)
{
	struct trl *l = s;
	if (l->bug == 1) {
		atomic_store_explicit(&l->owner, NULL, memory_order_release);
		return 0;
	}
	if (atomic_load_explicit(&l->owner, memory_order_relaxed) != node)
		return -1;
	if (--l->depth > 0)
		return l->bug == 2 ? -1 : 0;
	atomic_store_explicit(&l->owner, NULL, memory_order_release);
	return 0;
}
static const struct lb_lock_ops trl_ops = {
	.abi_version = LB_LOCK_ABI_VERSION, .name = "test-rlock", .summary = "test: reentrant, optionally broken",
	.state_size = sizeof(struct trl), .state_align = 64, .node_size = 8, .caps = LB_CAP_REENTRANT,
	.params = trl_params, .init = trl_init, .acquire = trl_acquire, .release = trl_release,
};

/* `none` with a timed acquire: the negative control for timedlock. */
static int nt_init(void *s, const union lb_value *p, unsigned n, char *e, size_t el)
{
	(void)s, (void)p, (void)n, (void)e, (void)el;
	return 0;
}
static void nt_acquire(void *s, void *node)
{
	(void)s, (void)node;
}
static int nt_release(void *s, void *node)
{
	(void)s, (void)node;
	return 0;
}
static bool nt_acquire_until(void *s, void *node, uint64_t deadline)
{
	(void)s, (void)node, (void)deadline;
	return true;
}
static const struct lb_lock_ops none_timed_ops = {
	.abi_version = LB_LOCK_ABI_VERSION, .name = "none-timed", .summary = "test: excludes nothing, timed",
	.state_size = 8, .state_align = 64, .caps = LB_CAP_NO_EXCLUSION | LB_CAP_TIMED, .init = nt_init,
	.acquire = nt_acquire, .release = nt_release, .acquire_until = nt_acquire_until,
};

/* ---- each workload runs clean under real locks --------------------------- */

static const char *const spin_and_sleep_locks[] = { "pthread", "ticket", "mcs", "gil", NULL };

Test(workloads, trylock_runs_clean, .timeout = 60)
{
	check_clean("trylock", NULL, spin_and_sleep_locks);
}

Test(workloads, trylock_counts_failed_tries, .timeout = 60)
{
	/* Long critical sections and no backoff: the other thread's tries fail. */
	/* Unpinned, the two threads may share one CPU for a whole window and never
	 * overlap; a few windows make an overlap all but certain. */
	uint64_t failures = 0;
	for (int attempt = 0; attempt < 5 && failures == 0; attempt++) {
		struct lb_run_opts o = quick_opts();
		struct lb_outcome out;
		run_ok(&o, lock("ticket"), NULL, "trylock", "cs_ns=20us,backoff_ns=0", 2, &out);
		expect_clean(&out, "trylock", "ticket", 2);
		failures = out.run.threads[0].try_failures + out.run.threads[1].try_failures;
		lb_outcome_free(&out);
	}
	cr_expect_gt(failures, 0, "two threads taking turns at 20us critical sections never failed a try");
}

/* Every lock with a timed acquire (pthread today; new ones join by their caps). */
Test(workloads, timedlock_runs_clean, .timeout = 60)
{
	size_t tested = 0;
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		if (!(lb_locks[i]->caps & LB_CAP_TIMED) || (lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			continue;
		const char *one[] = { lb_locks[i]->name, NULL };
		check_clean("timedlock", NULL, one);
		tested++;
	}
	cr_assert_gt(tested, 0, "pthread at least has a timed acquire");
}

Test(workloads, timedlock_times_out_and_counts_it, .timeout = 60)
{
	/* 200us critical sections, 1us timeouts: most attempts time out. */
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_ok(&o, lock("pthread"), NULL, "timedlock", "cs_ns=200us,timeout_ns=1us,backoff_ns=0", 2, &out);
	expect_clean(&out, "timedlock", "pthread", 2);
	cr_expect_gt(out.run.threads[0].try_failures + out.run.threads[1].try_failures, 0, "no attempt timed out");
	lb_outcome_free(&out);
}

Test(workloads, condition_runs_clean, .timeout = 60)
{
	check_clean("condition", NULL, spin_and_sleep_locks);
	check_clean("condition", "capacity=1,item_ns=0", (const char *const[]){ "pthread", "gil", NULL });
}

Test(workloads, condition_with_more_producers_runs_clean, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_ok(&o, lock("pthread"), NULL, "condition", "producers=3,capacity=2", 4, &out);
	expect_clean(&out, "condition", "pthread", 4);
	lb_outcome_free(&out);
}

Test(workloads, semaphore_runs_clean, .timeout = 60)
{
	check_clean("semaphore", NULL, spin_and_sleep_locks);
	check_clean("semaphore", "permits=1", (const char *const[]){ "pthread", "mcs", NULL });
}

Test(workloads, nest_runs_clean, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	for (unsigned n = 2; n <= 4; n += 2) {
		struct lb_outcome out;
		run_ok(&o, &trl_ops, NULL, "nest", NULL, n, &out);
		expect_clean(&out, "nest", "test-rlock", n);
		lb_outcome_free(&out);
	}
	/* The real reentrant locks, once there are any. */
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		if (!(lb_locks[i]->caps & LB_CAP_REENTRANT) || (lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			continue;
		const char *one[] = { lb_locks[i]->name, NULL };
		check_clean("nest", "depth=4", one);
	}
}

Test(workloads, interp_runs_clean, .timeout = 60)
{
	/* Short slices, so the I/O threads get in under locks without a poll hook too. */
	check_clean("interp", "slice_ns=2ms,io_ns=200us", (const char *const[]){ "pthread", "mcs", "gil", NULL });
	check_clean("interp", "cpu_threads=2,slice_ns=2ms", (const char *const[]){ "gil", NULL });
}

/* ---- verify() catches what it is for ------------------------------------ */

Test(workloads, trylock_verify_catches_none, .timeout = 60)
{
	expect_verify_catches(lock("none"), "trylock", "cs_ns=50,backoff_ns=0", 2);
}

Test(workloads, timedlock_verify_catches_a_timed_lock_that_excludes_nothing, .timeout = 60)
{
	expect_verify_catches(&none_timed_ops, "timedlock", "cs_ns=50,backoff_ns=0", 2);
}

Test(workloads, condition_verify_catches_none, .timeout = 60)
{
	expect_verify_catches(lock("none"), "condition", "item_ns=0", 4);
}

Test(workloads, semaphore_verify_catches_none, .timeout = 60)
{
	/* Two permits, four threads: fewer of them asleep, more of them racing. */
	expect_verify_catches(lock("none"), "semaphore", "permits=2,cs_ns=0", 4);
}

Test(workloads, interp_verify_catches_none, .timeout = 60)
{
	expect_verify_catches(lock("none"), "interp", "cpu_threads=2,tick_ns=100", 2);
}

/* A "reentrant" lock that lets go at the first release lets others in while the owner is inside. */
Test(workloads, nest_catches_a_lock_that_lets_go_too_early, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	unsigned caught = 0;
	for (int attempt = 0; attempt < 5 && caught == 0; attempt++) {
		struct lb_outcome out;
		run_ok(&o, &trl_ops, "bug=1", "nest", NULL, 2, &out);
		cr_assert_eq(out.status, LB_STATUS_FAILED, "%s", out.message);
		caught = out.verify_failures;
		lb_outcome_free(&out);
	}
	cr_assert_gt(caught, 0, "nest's verify() missed the lost updates");
}

Test(workloads, nest_reports_failing_inner_releases, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_ok(&o, &trl_ops, "bug=2", "nest", "depth=2", 2, &out);
	cr_assert_eq(out.status, LB_STATUS_FAILED, "%s", out.message);
	cr_assert_gt(out.verify_failures, 0);
	cr_assert(strstr(out.message, "inner releases") != NULL, "%s", out.message);
	lb_outcome_free(&out);
	/* depth=1 has no inner level: the same lock passes. */
	run_ok(&o, &trl_ops, "bug=2", "nest", "depth=1", 2, &out);
	expect_clean(&out, "nest", "test-rlock bug=2 depth=1", 2);
	lb_outcome_free(&out);
}

/* ---- stopping ----------------------------------------------------------- */

/*
 * One slow producer, three consumers asleep on not_empty nearly all the
 * time: without the stop hook's wake-up two of them never leave and the
 * run is reported hung after the grace period.
 */
Test(workloads, condition_stops_with_every_consumer_asleep, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.grace_ns = 3000000000LL;
	struct lb_outcome out;
	run_ok(&o, lock("pthread"), NULL, "condition", "producers=1,item_ns=20ms", 4, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.verify_failures, 0, "%s", out.message);
	lb_outcome_free(&out);
}

/* The other side: three producers asleep on a full buffer of one. */
Test(workloads, condition_stops_with_every_producer_asleep, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.grace_ns = 3000000000LL;
	struct lb_outcome out;
	run_ok(&o, lock("gil"), NULL, "condition", "producers=3,capacity=1,item_ns=20ms", 4, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.verify_failures, 0, "%s", out.message);
	lb_outcome_free(&out);
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
	struct lb_run_opts o = quick_opts();
	o.grace_ns = 3000000000LL;
	struct lb_outcome out;
	run_ok(&o, lock("pthread"), NULL, "semaphore", "permits=1,cs_ns=20ms", 4, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.verify_failures, 0, "%s", out.message);
	lb_outcome_free(&out);
}

/* I/O threads asleep for 10 s each: the stop hook cuts the sleep short. */
Test(workloads, interp_stops_during_long_io, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.grace_ns = 3000000000LL;
	struct lb_outcome out;
	run_ok(&o, lock("gil"), NULL, "interp", "io_ns=10s", 3, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	lb_outcome_free(&out);
}

/* ---- bad parameters ----------------------------------------------------- */

Test(workloads, condition_needs_a_consumer)
{
	expect_setup_error(lock("pthread"), "condition", "producers=2", 2, "no consumer");
	expect_setup_error(lock("pthread"), "condition", "producers=5", 4, "producers=5");
	expect_setup_error(lock("pthread"), "condition", NULL, 1, "producers < threads");
}

Test(workloads, out_of_range_parameters_are_refused)
{
	expect_param_error("condition", "capacity=0", "capacity");
	expect_param_error("condition", "producers=0", "producers");
	expect_param_error("semaphore", "permits=0", "permits");
	expect_param_error("nest", "depth=0", "depth");
	expect_param_error("interp", "tick_ns=0", "tick_ns");
	expect_param_error("timedlock", "timeout_ns=soon", "timeout_ns");
	expect_param_error("trylock", "timeout_ns=1us", "timeout_ns"); /* only timedlock has one */
}

/* lb_run_config itself refuses a lock without the workload's needs_caps, at setup. */
Test(workloads, setup_refuses_a_lock_without_the_capability)
{
	expect_setup_error(lock("pthread"), "nest", NULL, 2, "not reentrant");
	expect_setup_error(lock("clh"), "timedlock", NULL, 2, "timed");
	expect_setup_error(&trl_ops, "trylock", NULL, 2, "try");
}

/* And `lockbench run` refuses before anything runs (when the binary is there to ask). */
Test(workloads, run_command_refuses_nest_on_a_plain_lock, .timeout = 30)
{
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "run", "-q", "-l", "pthread", "-w", "nest", "-t", "2", "-d", "10ms", "-o", "-", NULL };
	cli_run(r, args);
	if (r->status == -1) {
		free(r);
		cr_skip_test("no lockbench binary ($LOCKBENCH)");
	}
	cr_expect_eq(r->status, 2, "exit %d; stderr: %s", r->status, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "one line: %s", r->err);
	cr_expect(strstr(r->err, "nest") != NULL && strstr(r->err, "pthread") != NULL,
		  "names the workload and the lock: %s", r->err);
	free(r);
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
		run_ok(&o, lock("gil"), intervals[c], "interp", wl, 2, &out);
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

/* ---- timed acquire: native or emulated, said in the result ----------------- */

/*
 * Every lock records how its timed acquire works: a queue lock's is try
 * polled (emulated), a sleeping or spinning lock's own wait with a deadline
 * native; rlock's is its base's, and over a base with neither try nor timed
 * acquire there is none to record.
 */
Test(workloads, results_say_whether_timed_acquire_is_emulated, .timeout = 60)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/t.json", dir);
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "run", "-q", "-l", "ticket,pthread,gil,rlock:base=mcs,rlock:base=futex,rlock:base=clh,clh",
			       "-t", "1", "-d", "10ms", "--warmup", "1ms", "-o", out, NULL };
	cli_run(r, args);
	if (r->status == -1) {
		free(r);
		cr_skip_test("no lockbench binary ($LOCKBENCH)");
	}
	cr_assert_eq(r->status, 0, "%s", r->err);
	static const struct { const char *lock, *timed; } want[] = {
		{ "ticket", "emulated" }, { "pthread", "native" }, { "gil", "native" },
		{ "rlock:base=mcs", "emulated" }, { "rlock:base=futex", "native" }, { "rlock:base=clh", NULL },
		{ "clh", NULL },
	};
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), sizeof want / sizeof want[0]);
	for (size_t i = 0; i < sizeof want / sizeof want[0]; i++) {
		json_t *timed = json_object_get(json_object_get(json_array_get(configs, i), "lock"), "timed");
		if (want[i].timed == NULL)
			cr_expect_null(timed, "%s: a timed acquire recorded", want[i].lock);
		else
			cr_expect(json_is_string(timed) && strcmp(json_string_value(timed), want[i].timed) == 0,
				  "%s: want timed \"%s\"", want[i].lock, want[i].timed);
	}
	json_decref(doc);
	free(r);
	free(dir);
}
