/*
 * test_run.c — the harness end to end: every real lock excludes at 2, 4 and
 * 8 threads (8 oversubscribes this class of machine), the negative control
 * is caught, a lock that never lets go is reported hung, and the GIL hands
 * itself over from inside long critical sections.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "locks/registry.h"
#include "engine/run.h"
#include "analysis/starvation.h"
#include "engine/topo.h"
#include "workloads/registry.h"
#include "run_util.h"

static struct lb_run_opts quick_opts(void)
{
	struct lb_run_opts o = {
		.duration_ns = 150000000, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 1, .order_log_cap = 1u << 16,
	};
	return o;
}

static void choose(const char *lock, const char *lock_kv, const char *wl_kv, struct lb_lock_choice *lc,
		   struct lb_wl_choice *wc)
{
	char err[256];
	memset(lc, 0, sizeof *lc);
	lc->ops = lb_lock_find(lock);
	cr_assert_not_null(lc->ops, "lock %s is registered", lock);
	cr_assert_eq(lb_params_parse(lock, lc->ops->params, lock_kv, lc->params, err, sizeof err), 0, "%s", err);
	memset(wc, 0, sizeof *wc);
	wc->wl = lb_workload_find("cs");
	cr_assert_eq(lb_params_parse("cs", wc->wl->params, wl_kv, wc->params, err, sizeof err), 0, "%s", err);
}

static void run_one(const struct lb_run_opts *o, const char *lock, const char *lock_kv, const char *wl_kv,
		    unsigned n, struct lb_outcome *out)
{
	struct lb_lock_choice lc;
	struct lb_wl_choice wc;
	choose(lock, lock_kv, wl_kv, &lc, &wc);
	int pus[64];
	for (unsigned i = 0; i < n; i++)
		pus[i] = -1;
	lb_timer_init();
	lb_busy_calibrate();
	cr_assert_eq(run_config_settled(o, NULL, &lc, &wc, n, pus, out), 0, "%s", out->message);
}

/* Run a lock table written for the tests (not in the registry) with cs defaults, unpinned. */
static void run_ops(const struct lb_lock_ops *ops, const struct lb_run_opts *o, unsigned n, struct lb_outcome *out)
{
	struct lb_lock_choice lc = { .ops = ops };
	struct lb_wl_choice wc;
	char err[128];
	wc.wl = lb_workload_find("cs");
	cr_assert_eq(lb_params_parse("cs", wc.wl->params, NULL, wc.params, err, sizeof err), 0);
	int pus[64];
	for (unsigned i = 0; i < n; i++)
		pus[i] = -1;
	lb_timer_init();
	cr_assert_eq(run_config_settled(o, NULL, &lc, &wc, n, pus, out), 0, "%s", out->message);
}

static void check_excludes(unsigned n)
{
	struct lb_run_opts o = quick_opts();
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		if (lb_locks[i]->caps & LB_CAP_NO_EXCLUSION)
			continue;
		struct lb_outcome out;
		run_one(&o, lb_locks[i]->name, NULL, NULL, n, &out);
		cr_expect_eq(out.status, LB_STATUS_OK, "%s at %u threads: %s", lb_locks[i]->name, n, out.message);
		cr_expect_eq(out.violations, 0, "%s at %u threads: violations", lb_locks[i]->name, n);
		cr_expect_eq(out.verify_failures, 0, "%s at %u threads: counter", lb_locks[i]->name, n);
		/* Progress over the whole run: an oversubscribed FIFO spinlock may complete
		 * nothing inside a short window on a loaded machine, and that is no bug. */
		uint64_t total = 0;
		for (unsigned k = 0; k < n; k++)
			total += out.run.threads[k].total;
		cr_expect_gt(total, 0, "%s at %u threads made progress", lb_locks[i]->name, n);
		lb_outcome_free(&out);
	}
}

Test(run, every_lock_excludes_at_2_threads, .timeout = 120) { check_excludes(2); }
Test(run, every_lock_excludes_at_4_threads, .timeout = 120) { check_excludes(4); }
Test(run, every_lock_excludes_at_8_threads, .timeout = 180) { check_excludes(8); }

/* The checker must catch a lock that excludes nothing: otherwise 0 proves nothing. */
Test(run, none_lock_is_caught, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_one(&o, "none", NULL, "cs_ns=50", 2, &out);
	cr_assert(out.violations > 0 || out.verify_failures > 0, "the none lock went unnoticed");
	/* It is the negative control, so the run itself is not a failure. */
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	lb_outcome_free(&out);
}

Test(run, counts_add_up, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_one(&o, "ticket", NULL, NULL, 2, &out);
	uint64_t sum = 0, timed = 0;
	for (unsigned i = 0; i < 2; i++) {
		sum += out.run.threads[i].acquisitions;
		timed += out.run.threads[i].timed;
	}
	cr_assert_eq(sum, out.acquisitions);
	cr_assert_eq(out.wait->count, timed, "timing=all times every acquisition");
	cr_assert_eq(timed, sum);
	cr_assert_gt(out.duration_s, 0.1);
	lb_outcome_free(&out);
}

Test(run, timing_off_times_nothing_but_keeps_starvation_figures, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.sample_every = 0;
	struct lb_outcome out;
	run_one(&o, "ticket", NULL, NULL, 2, &out);
	cr_assert_eq(out.wait->count, 0);
	uint64_t in_timeline = 0;
	for (unsigned i = 0; i < 2; i++)
		for (uint32_t s = 0; s < out.run.threads[i].timeline_len; s++)
			in_timeline += out.run.threads[i].timeline[s];
	cr_assert_eq(in_timeline, out.acquisitions, "every acquisition lands in the timeline");
	lb_outcome_free(&out);
}

Test(run, sampling_times_one_in_n, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.sample_every = 16;
	struct lb_outcome out;
	run_one(&o, "pthread", NULL, NULL, 2, &out);
	uint64_t timed = out.wait->count;
	/* Every 16th, and at most one more per thread per sampler tick (the floor for slow threads). */
	uint64_t ticks = (uint64_t)(out.duration_s * 1e9 / (double)out.tick_ns) + 2;
	cr_assert(timed >= out.acquisitions / 16 - 2 && timed <= out.acquisitions / 16 + 2 + 2 * ticks,
		  "timed %lu of %lu in %lu ticks", (unsigned long)timed, (unsigned long)out.acquisitions,
		  (unsigned long)ticks);
	lb_outcome_free(&out);
}

/* A lock that is never given back: the second taker waits forever. */
struct stuck {
	_Atomic int taken;
};
static int stuck_init(void *s, const union lb_value *p, unsigned n, char *e, size_t el)
{
	(void)s, (void)p, (void)n, (void)e, (void)el;
	return 0;
}
static void stuck_acquire(void *s, void *node)
{
	(void)node;
	struct stuck *st = s;
	while (atomic_exchange(&st->taken, 1) != 0) {
		struct timespec ts = { 0, 1000000 };
		nanosleep(&ts, NULL);
	}
}
static int stuck_release(void *s, void *node)
{
	(void)s, (void)node;
	return 0;
}
static const struct lb_lock_ops stuck_ops = {
	.abi_version = LB_LOCK_ABI_VERSION, .name = "stuck", .summary = "never released",
	.state_size = sizeof(struct stuck), .state_align = 64, .init = stuck_init,
	.acquire = stuck_acquire, .release = stuck_release,
};

Test(run, a_lock_that_never_lets_go_is_reported_hung, .timeout = 30)
{
	struct lb_run_opts o = quick_opts();
	o.grace_ns = 300000000;
	struct lb_outcome out;
	run_ops(&stuck_ops, &o, 2, &out);
	cr_assert_eq(out.status, LB_STATUS_HUNG, "status %s", lb_status_name(out.status));
	cr_assert(strstr(out.message, "still inside") != NULL, "%s", out.message);
	cr_assert(strstr(out.message, "ms CPU") != NULL, "the message says how much CPU each stuck thread got: %s", out.message);
}

/*
 * Two threads in 2 ms critical sections with a 1 ms switch interval: the
 * waiter's timed wait expires, it asks for a drop, and the holder hands the
 * GIL over at its next eval-breaker check. Bounds are wide for a loaded
 * machine, yet catch both bugs that matter: never switching (a waiter that
 * never asks, a holder that never drops) and switching on every poll (a
 * drop request that is never cleared), which would be ~1000x more.
 */
Test(run, gil_hands_over_inside_long_critical_sections, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 500000000;
	struct lb_outcome out;
	run_one(&o, "gil", "interval=1ms", "cs_ns=2ms", 2, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	uint64_t drops = 0, handoffs = 0;
	for (size_t i = 0; i < out.ncounters; i++)
		if (strcmp(out.counters[i].name, "drop_requests") == 0)
			drops = out.counters[i].value;
	for (unsigned i = 0; i < 2; i++)
		handoffs += out.run.threads[i].poll_handoffs;
	/* Ideal: one of each per 1 ms interval, ~500 in the window. */
	cr_assert_geq(drops, 1, "drop requests: %lu", (unsigned long)drops);
	cr_assert_geq(handoffs, 1, "hand-overs inside critical sections: %lu", (unsigned long)handoffs);
	cr_assert_leq(handoffs, 1000, "at most about one hand-over per interval: %lu", (unsigned long)handoffs);
	lb_outcome_free(&out);
}

/* Alone, a thread never times out waiting, so nobody asks it to drop. */
Test(run, gil_counts_nothing_when_uncontended, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_one(&o, "gil", "interval=1ms", "cs_ns=2ms", 1, &out);
	for (size_t i = 0; i < out.ncounters; i++)
		if (strcmp(out.counters[i].name, "drop_requests") == 0)
			cr_assert_eq(out.counters[i].value, 0, "one thread never asks itself to drop");
	lb_outcome_free(&out);
}

Test(run, pinning_puts_each_thread_on_its_pu, .timeout = 60)
{
	struct lb_topo *topo;
	char err[256];
	cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
	struct lb_pin_spec spec;
	cr_assert_eq(lb_pin_parse("compact", &spec, err, sizeof err), 0);
	int pus[4];
	bool over;
	cr_assert_eq(lb_pin_plan(topo, &spec, 4, pus, &over, err, sizeof err), 0, "%s", err);
	struct lb_lock_choice lc;
	struct lb_wl_choice wc;
	choose("pthread", NULL, NULL, &lc, &wc);
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	lb_timer_init();
	cr_assert_eq(run_config_settled(&o, topo, &lc, &wc, 4, pus, &out), 0, "%s", out.message);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	for (unsigned i = 0; i < 4; i++)
		cr_assert_eq(out.run.threads[i].pu, pus[i]);
	lb_outcome_free(&out);
	lb_topo_free(topo);
}

/*
 * A lock that starves by design: the first thread to take it is the
 * favourite; anyone else sleeps 100 ms before every attempt. Deterministic,
 * and still stops promptly at the end of a run.
 */
struct starver {
	pthread_mutex_t m;
	_Atomic(void *) favourite;
};
static int starver_init(void *s, const union lb_value *p, unsigned n, char *e, size_t el)
{
	(void)p, (void)n, (void)e, (void)el;
	struct starver *st = s;
	pthread_mutex_init(&st->m, NULL);
	atomic_init(&st->favourite, NULL);
	return 0;
}
static void starver_acquire(void *s, void *node)
{
	struct starver *st = s;
	void *expected = NULL;
	atomic_compare_exchange_strong(&st->favourite, &expected, node);
	if (atomic_load(&st->favourite) != node) {
		struct timespec ts = { 0, 100000000 };
		nanosleep(&ts, NULL);
	}
	pthread_mutex_lock(&st->m);
}
static int starver_release(void *s, void *node)
{
	(void)node;
	pthread_mutex_unlock(&((struct starver *)s)->m);
	return 0;
}
static const struct lb_lock_ops starver_ops = {
	.abi_version = LB_LOCK_ABI_VERSION, .name = "starver", .summary = "starves all but one thread",
	.state_size = sizeof(struct starver), .state_align = 64, .node_size = 8, .caps = LB_CAP_SLEEPS,
	.init = starver_init, .acquire = starver_acquire, .release = starver_release,
};

Test(run, a_starving_lock_is_flagged, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 400000000;
	struct lb_outcome out;
	run_ops(&starver_ops, &o, 2, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	lb_outcome_judge(&out);
	cr_assert_eq(out.nstarved, 1, "exactly the second thread starves");
	cr_assert(out.starved[0] != out.starved[1]);
	cr_assert(out.fair.starved, "locktorture's flag agrees");
	lb_outcome_free(&out);
}

/*
 * Up to three windows: on a loaded machine one thread can lose most of a
 * window's CPU to other processes, and its share with it; that is the
 * scheduler's doing. A judgement that flags a fair lock flags it every time.
 */
Test(run, a_fair_lock_at_two_threads_is_not_flagged, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 400000000;
	unsigned long a = 0, b = 0;
	double jain = 0;
	bool fair = false;
	for (int i = 0; i < 3 && !fair; i++) {
		struct lb_outcome out;
		run_one(&o, "ticket", NULL, "cs_ns=100", 2, &out);
		cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
		lb_outcome_judge(&out);
		a = (unsigned long)out.run.threads[0].acquisitions;
		b = (unsigned long)out.run.threads[1].acquisitions;
		jain = out.fair.jain;
		fair = out.nstarved == 0 && out.fair.jain > 0.8;
		lb_outcome_free(&out);
	}
	cr_assert(fair, "ticket at 2 threads flagged in 3 windows: shares %lu / %lu, Jain %.3f", a, b, jain);
}

Test(run, order_log_holds_thread_ids_of_the_window, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	run_one(&o, "ticket", NULL, "cs_ns=100", 2, &out);
	/* A loaded machine may stall a short window entirely; then there is nothing to log. */
	if (out.acquisitions > 100)
		cr_assert_gt(out.norder, 0);
	cr_assert_leq(out.norder, o.order_log_cap);
	for (size_t i = 0; i < out.norder; i++)
		cr_assert_lt(out.order[i], 2, "owner ids are thread ids");
	lb_outcome_free(&out);
}

/*
 * The gap rule on made-up runs: 1 s window, 1 ms ticks, 10 ms slices, two
 * threads with equal shares; thread 1 waits 600 ms in the middle. If thread
 * 0 acquired meanwhile, thread 1 starved; if nobody did, the machine stalled.
 */
static void judge_gap(bool others_progress, struct lb_outcome *out, struct lb_thread th[2], uint64_t tl[2][101])
{
	memset(out, 0, sizeof *out);
	memset(th, 0, 2 * sizeof th[0]);
	for (int i = 0; i < 2; i++)
		for (int s = 0; s < 101; s++)
			tl[i][s] = 10;
	for (int s = 20; s < 80; s++) {
		tl[1][s] = 0;
		if (!others_progress)
			tl[0][s] = 0;
	}
	for (int i = 0; i < 2; i++) {
		th[i].id = (unsigned)i;
		th[i].timeline = tl[i];
		th[i].timeline_len = 101;
		th[i].acquisitions = 1000;
	}
	th[1].max_gap_ticks = 600;
	th[1].max_gap_end = 50 + 800; /* measured window starts at tick 50 */
	out->run.nthreads = 2;
	out->run.threads = th;
	out->acquisitions = 2000;
	out->duration_s = 1.0;
	out->tick_ns = 1000000;
	out->slice_ns = 10000000;
	out->measure_tick0 = 50;
	lb_outcome_judge(out);
}

Test(starvation, a_long_wait_while_others_acquire_is_starvation)
{
	struct lb_outcome out;
	struct lb_thread th[2];
	uint64_t tl[2][101];
	judge_gap(true, &out, th, tl);
	cr_assert_eq(out.nstarved, 1);
	cr_assert(out.starved[1] && !out.starved[0]);
	free(out.starved);
}

Test(starvation, a_stall_of_every_thread_is_not_starvation)
{
	struct lb_outcome out;
	struct lb_thread th[2];
	uint64_t tl[2][101];
	judge_gap(false, &out, th, tl);
	cr_assert_eq(out.nstarved, 0);
	free(out.starved);
}

Test(starvation, a_short_wait_is_not_starvation)
{
	struct lb_outcome out;
	struct lb_thread th[2];
	uint64_t tl[2][101];
	judge_gap(true, &out, th, tl);
	free(out.starved);
	th[1].max_gap_ticks = 90; /* under the 100 ms floor and half the window */
	th[1].max_gap_end = 50 + 300;
	out.nstarved = 0;
	lb_outcome_judge(&out);
	cr_assert_eq(out.nstarved, 0);
	free(out.starved);
}

/* A lock whose every acquire takes longer than the whole window. */
static void slow_acquire(void *s, void *node)
{
	(void)s, (void)node;
	struct timespec ts = { 0, 300000000 };
	nanosleep(&ts, NULL);
}
static const struct lb_lock_ops slow_ops = {
	.abi_version = LB_LOCK_ABI_VERSION, .name = "slow", .summary = "300 ms per acquire",
	.state_size = 64, .state_align = 64, .init = stuck_init, .acquire = slow_acquire, .release = stuck_release,
};

Test(run, a_window_without_any_acquisition_says_so, .timeout = 30)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 100000000;
	struct lb_outcome out;
	run_ops(&slow_ops, &o, 1, &out);
	cr_assert_eq(out.acquisitions, 0, "the acquisition that ends after the window is not measured");
	cr_assert(strstr(out.message, "no acquisition in the measured window") != NULL, "%s", out.message);
	lb_outcome_free(&out);
}
