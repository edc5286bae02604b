/*
 * test_measure.c — measuring without disturbing (issue 10): the exclusion
 * check that rides on the critical-section line still catches `none` and a
 * lock that lets two threads in once every ~10^5 acquisitions; per-thread
 * order logs merge into one order and report duplicate sequence numbers;
 * cs_lines=0 runs; the timeline from the sampler adds up; repetitions
 * rotate; bad values are one-line errors.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "plugin_util.h"
#include "engine/orderlog.h"
#include "engine/plan.h"
#include "engine/plugin.h"
#include "engine/run.h"
#include "engine/topo.h"
#include "locks/registry.h"
#include "workloads/registry.h"
#include "run_util.h"

static struct lb_run_opts opts(int64_t duration_ns, uint32_t sample_every)
{
	struct lb_run_opts o = {
		.duration_ns = duration_ns, .warmup_ns = 10000000, .slice_ns = 10000000, .grace_ns = 10000000000LL,
		.sample_every = sample_every, .order_log_cap = 1u << 16,
	};
	return o;
}

/* Run ops (with lock parameters lock_kv) under workload wl:wl_kv at n unpinned threads. */
static void run_ops(const struct lb_lock_ops *ops, const char *lock_kv, const char *wl, const char *wl_kv,
		    const struct lb_run_opts *o, unsigned n, struct lb_outcome *out)
{
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	cr_assert_eq(lb_params_parse(ops->name, ops->params, lock_kv, lc.params, err, sizeof err), 0, "%s", err);
	struct lb_wl_choice wc = { .wl = lb_workload_find(wl) };
	cr_assert_not_null(wc.wl);
	cr_assert_eq(lb_params_parse(wl, wc.wl->params, wl_kv, wc.params, err, sizeof err), 0, "%s", err);
	int pus[64];
	for (unsigned i = 0; i < n; i++)
		pus[i] = -1;
	lb_timer_init();
	lb_busy_calibrate();
	cr_assert_eq(run_config_settled(o, NULL, &lc, &wc, n, pus, out), 0, "%s", out->message);
}

static void run_lock(const char *lock, const char *wl, const char *wl_kv, const struct lb_run_opts *o, unsigned n,
		     struct lb_outcome *out)
{
	const struct lb_lock_ops *ops = lb_lock_find(lock);
	cr_assert_not_null(ops, "lock %s", lock);
	run_ops(ops, NULL, wl, wl_kv, o, n, out);
}

/* ---- the exclusion check on the critical-section line ---- */

static void none_is_caught(const char *wl_kv)
{
	struct lb_run_opts o = opts(150000000, 16);
	struct lb_outcome out;
	run_lock("none", "cs", wl_kv, &o, 2, &out);
	cr_assert(out.violations > 0, "none at 2 threads with %s went unnoticed", wl_kv);
	cr_assert_eq(out.status, LB_STATUS_OK, "the negative control is no failure: %s", out.message);
	lb_outcome_free(&out);
}

Test(checker, catches_none_with_the_counter_on_the_line, .timeout = 60) { none_is_caught("cs_lines=1"); }
Test(checker, catches_none_with_no_workload_line, .timeout = 60) { none_is_caught("cs_lines=0"); }

/*
 * The sequence numbers alone catch none: two acquisitions stamped alike.
 * Only what the rings still hold is compared (each thread's newest 8192
 * acquisitions), and only threads that run at once lose updates, so the
 * threads are pinned to two PUs and short windows are repeated until one
 * ends with both running (on a loaded machine about one window in four; on
 * the 2-vCPU AMD EPYC VM some runs needed more than 40 windows of 20 ms;
 * with a third test process beside the suite, 60 windows of 50 ms once
 * found none, so up to 200 are tried: about 11 s when all are needed).
 */
Test(checker, order_logs_see_duplicate_sequence_numbers_under_none, .timeout = 120)
{
	struct lb_topo *topo;
	char err[256];
	cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
	struct lb_pin_spec spec;
	cr_assert_eq(lb_pin_parse("compact", &spec, err, sizeof err), 0);
	int pus[2];
	bool over;
	cr_assert_eq(lb_pin_plan(topo, &spec, 2, pus, &over, err, sizeof err), 0, "%s", err);
	struct lb_lock_choice lc = { .ops = lb_lock_find("none") };
	struct lb_wl_choice wc = { .wl = lb_workload_find("cs") };
	cr_assert_eq(lb_params_parse("none", lc.ops->params, NULL, lc.params, err, sizeof err), 0);
	cr_assert_eq(lb_params_parse("cs", wc.wl->params, "cs_lines=0", wc.params, err, sizeof err), 0);
	struct lb_run_opts o = opts(50000000, 0);
	o.warmup_ns = 1000000;
	lb_timer_init();
	uint64_t conflicts = 0;
	int i = 0;
	for (; i < 200 && conflicts == 0; i++) {
		struct lb_outcome out;
		cr_assert_eq(run_config_settled(&o, topo, &lc, &wc, 2, pus, &out), 0, "%s", out.message);
		cr_assert_geq(out.violations, out.order_conflicts, "conflicts count as violations");
		conflicts += out.order_conflicts;
		lb_outcome_free(&out);
	}
	cr_assert_gt(conflicts, 0, "no duplicate stamps under none in %d windows", i);
	lb_topo_free(topo);
}

Test(checker, a_real_lock_has_no_conflicts_and_a_complete_order, .timeout = 60)
{
	struct lb_run_opts o = opts(150000000, 16);
	struct lb_outcome out;
	run_lock("ticket", "cs", NULL, &o, 2, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.order_conflicts, 0);
	cr_assert_eq(out.violations, 0);
	/* At most the rings' (engine/orderlog.h), or the cap, or the acquisitions. */
	uint64_t window = 2 * lb_orderlog_ring(o.order_log_cap, 2);
	if (window > o.order_log_cap)
		window = o.order_log_cap;
	if (window > out.acquisitions)
		window = out.acquisitions;
	/* The order covers the newest acquisitions; it may reach a little past
	 * the window (threads see the phase change a moment apart). */
	if (out.acquisitions > 1000)
		cr_assert_geq(out.norder + 8, window / 2, "order of %zu for %lu acquisitions", out.norder,
			      (unsigned long)out.acquisitions);
	lb_outcome_free(&out);
}

static const struct lb_lock_ops *rare_double(char **so)
{
	*so = plugin_build("tests/fixtures/plugins/rare_double.c", NULL, "rare_double");
	cr_assert_not_null(*so);
	char err[512];
	const struct lb_lock_ops *ops = lb_plugin_load(*so, err, sizeof err);
	cr_assert_not_null(ops, "%s", err);
	return ops;
}

static uint64_t counter_of(const struct lb_outcome *out, const char *name)
{
	for (size_t i = 0; i < out->ncounters; i++)
		if (strcmp(out->counters[i].name, name) == 0)
			return out->counters[i].value;
	return 0;
}

/*
 * One intruder per ~10^5 acquisitions. An intruder is seen when its critical
 * section overlaps the holder's (canary set, or a sequence number taken
 * twice); one that walks in while the holder is already past its release
 * check overlapped nothing, and nothing could see it. The intruder learns
 * that the lock is held one cache-line transfer late (100-200 ns on a VM),
 * so with a short critical section most intrusions overlap nothing: on the
 * 2-vCPU AMD EPYC VM, with cs's defaults, every one of ten 300 ms windows
 * with intruders failed, yet single intrusions were caught far less often
 * (docs/measuring.md), and a window tends to catch all or none. So each
 * case runs windows until the lock has let someone in at least 30 times in
 * at least 4 windows, and asks that some window failed for it:
 * a checker that sees nothing fails; the control below shows that the
 * failure is the intruder's.
 */
static void rare_double_is_caught(const char *wl_kv)
{
	char *so;
	const struct lb_lock_ops *ops = rare_double(&so);
	struct lb_run_opts o = opts(300000000, 16);
	uint64_t intrusions = 0, violations = 0;
	unsigned windows = 0, with_intrusion = 0, failed = 0;
	for (; windows < 40 && (intrusions < 30 || with_intrusion < 4); windows++) {
		struct lb_outcome out;
		run_ops(ops, NULL, "cs", wl_kv, &o, 2, &out);
		uint64_t in = counter_of(&out, "intrusions");
		intrusions += in;
		violations += out.violations;
		with_intrusion += in > 0;
		failed += in > 0 && out.status == LB_STATUS_FAILED;
		cr_expect(in > 0 || out.status == LB_STATUS_OK, "no intrusion, yet: %s", out.message);
		lb_outcome_free(&out);
	}
	cr_assert_geq(intrusions, 1, "the fixture never let anyone in (%u windows)", windows);
	cr_assert_gt(violations, 0, "%lu intrusions, none caught (%s)", (unsigned long)intrusions, wl_kv);
	cr_assert_gt(failed, 0, "%s: caught in none of %u windows with an intruder", wl_kv, with_intrusion);
	cr_log_info("%s: %lu intrusions in %u windows, %u of %u windows with one failed", wl_kv,
		    (unsigned long)intrusions, windows, failed, with_intrusion);
	free(so);
}

Test(checker, catches_one_intruder_in_1e5_acquisitions, .timeout = 240)
{
	rare_double_is_caught("cs_lines=1,cs_ns=100");
}

/* cs's defaults: the counter bump is the whole critical section. */
Test(checker, catches_one_intruder_in_1e5_with_the_defaults, .timeout = 240)
{
	rare_double_is_caught("cs_lines=1,cs_ns=0");
}
Test(checker, catches_one_intruder_in_1e5_without_a_workload_line, .timeout = 240)
{
	rare_double_is_caught("cs_lines=0,cs_ns=100");
}

/* The control: the same lock that never intrudes passes, so the catch above is the intrusion's. */
Test(checker, rare_double_that_never_intrudes_passes, .timeout = 60)
{
	char *so;
	const struct lb_lock_ops *ops = rare_double(&so);
	struct lb_run_opts o = opts(300000000, 16);
	struct lb_outcome out;
	run_ops(ops, "every=0", "cs", NULL, &o, 2, &out);
	cr_assert_eq(counter_of(&out, "intrusions"), 0);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.violations, 0);
	lb_outcome_free(&out);
	free(so);
}

/* ---- order log merge, on made-up rings ---- */

struct rings {
	struct lb_thread th[3];
	uint64_t log[3][4];
};

/* Thread i logged seqs[i][0..n[i]) in order into a ring of 4. */
static void fill(struct rings *r, unsigned nthreads, const uint64_t seqs[][8], const unsigned *n)
{
	memset(r, 0, sizeof *r);
	for (unsigned i = 0; i < nthreads; i++) {
		r->th[i].id = i;
		r->th[i].order_log = r->log[i];
		r->th[i].order_mask = 3;
		r->th[i].total = n[i];
		for (unsigned k = 0; k < n[i]; k++)
			r->log[i][k & 3] = seqs[i][k];
	}
}

Test(orderlog, rings_merge_into_the_order)
{
	struct rings r;
	const uint64_t seqs[2][8] = { { 0, 2, 3 }, { 1, 4 } };
	const unsigned n[2] = { 3, 2 };
	fill(&r, 2, seqs, n);
	struct lb_order o;
	cr_assert_eq(lb_orderlog_merge(r.th, 2, 0, 5, 1024, &o), 0);
	const uint16_t want[] = { 0, 1, 0, 0, 1 };
	cr_assert_eq(o.n, 5);
	cr_assert_arr_eq(o.order, want, sizeof want);
	cr_assert_eq(o.conflicts, 0);
	cr_assert_eq(o.holes, 0);
	free(o.order);
}

Test(orderlog, a_wrapped_ring_limits_the_order_to_what_is_complete)
{
	struct rings r;
	/* Thread 0 took 0..5 (ring of 4 keeps 2..5), thread 1 took 6, 7. */
	const uint64_t seqs[2][8] = { { 0, 1, 2, 3, 4, 5 }, { 6, 7 } };
	const unsigned n[2] = { 6, 2 };
	fill(&r, 2, seqs, n);
	struct lb_order o;
	cr_assert_eq(lb_orderlog_merge(r.th, 2, 0, 8, 1024, &o), 0);
	const uint16_t want[] = { 0, 0, 0, 0, 1, 1 };
	cr_assert_eq(o.n, 6, "from 2 on every acquisition is in a ring: %zu", o.n);
	cr_assert_eq(o.first_seq, 2);
	cr_assert_arr_eq(o.order, want, sizeof want);
	free(o.order);
}

Test(orderlog, cut_to_the_newest_cap_and_to_the_window)
{
	struct rings r;
	const uint64_t seqs[2][8] = { { 0, 2, 4 }, { 1, 3, 5 } };
	const unsigned n[2] = { 3, 3 };
	fill(&r, 2, seqs, n);
	struct lb_order o;
	/* The newest 2 numbers kept are 4 and 5; the window ends before 5. */
	cr_assert_eq(lb_orderlog_merge(r.th, 2, 1, 5, 2, &o), 0);
	const uint16_t want[] = { 0 };
	cr_assert_eq(o.n, 1);
	cr_assert_eq(o.first_seq, 4);
	cr_assert_arr_eq(o.order, want, sizeof want);
	free(o.order);
}

Test(orderlog, two_threads_with_one_number_are_a_conflict)
{
	struct rings r;
	const uint64_t seqs[2][8] = { { 0, 1, 2 }, { 2, 3 } };
	const unsigned n[2] = { 3, 2 };
	fill(&r, 2, seqs, n);
	struct lb_order o;
	cr_assert_eq(lb_orderlog_merge(r.th, 2, 0, 5, 1024, &o), 0);
	cr_assert_eq(o.conflicts, 1);
	cr_assert_eq(o.holes, 1, "4 was never logged");
	cr_assert_eq(o.n, 4);
	free(o.order);
}

Test(orderlog, ring_sizes)
{
	cr_assert_eq(lb_orderlog_ring(1u << 16, 1), 8192, "64 KiB at most: the ring stays in the cache");
	cr_assert_eq(lb_orderlog_ring(1u << 12, 2), 4096);
	cr_assert_eq(lb_orderlog_ring(1u << 12, 4), 2048);
	cr_assert_eq(lb_orderlog_ring(1u << 20, 16384), 128, "1 KiB a thread at 16k threads");
	cr_assert_eq(lb_orderlog_ring(16, 4), 16, "never more than the cap");
}

/* ---- cs_lines=0 and the sampler's timeline ---- */

Test(measure, cs_lines_0_runs_and_checks, .timeout = 60)
{
	struct lb_run_opts o = opts(150000000, 16);
	struct lb_outcome out;
	run_lock("ticket", "cs", "cs_lines=0", &o, 2, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(out.violations, 0);
	cr_assert_gt(out.run.threads[0].total + out.run.threads[1].total, 0);
	lb_outcome_free(&out);
	run_lock("ticket", "bare", "cs_lines=0", &o, 2, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	lb_outcome_free(&out);
}

static void timeline_adds_up(const char *wl, uint32_t sample_every, unsigned n)
{
	struct lb_run_opts o = opts(200000000, sample_every);
	struct lb_outcome out;
	run_lock("pthread", wl, NULL, &o, n, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	for (unsigned i = 0; i < n; i++) {
		const struct lb_thread *t = &out.run.threads[i];
		uint64_t sum = 0;
		for (uint32_t s = 0; s < t->timeline_len; s++)
			sum += t->timeline[s];
		cr_assert_eq(sum, t->acquisitions, "%s thread %u: timeline %lu, acquisitions %lu", wl, i,
			     (unsigned long)sum, (unsigned long)t->acquisitions);
	}
	lb_outcome_free(&out);
}

Test(measure, timeline_adds_up_to_the_acquisitions, .timeout = 60)
{
	timeline_adds_up("cs", 16, 2);
	timeline_adds_up("cs", 1, 3);
	timeline_adds_up("bare", 0, 2);
}

/* A thread kept out of a lock is seen trying by the sampler: its gap grows with the window. */
Test(measure, the_sampler_sees_a_thread_trying, .timeout = 60)
{
	struct lb_run_opts o = opts(400000000, 0);
	struct lb_outcome out;
	/* gil with a 100 ms switch interval and 50 ms critical sections: the waiter waits ~100 ms. */
	const struct lb_lock_ops *ops = lb_lock_find("gil");
	cr_assert_not_null(ops);
	run_ops(ops, "interval=100ms", "cs", "cs_ns=50ms", &o, 2, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	uint32_t gap = 0;
	for (unsigned i = 0; i < 2; i++)
		gap = out.run.threads[i].max_gap_ticks > gap ? out.run.threads[i].max_gap_ticks : gap;
	cr_assert_geq(gap * (uint64_t)out.tick_ns, 30000000, "longest gap %u ticks of %ld ns", gap, (long)out.tick_ns);
	lb_outcome_free(&out);
}

/*
 * sample:N times every N-th acquisition, and the sampler asks each thread for
 * one timed acquisition per tick: a thread doing 1000 a second under
 * sample:100000 still gets latency figures, and a fast one is not timed
 * much more often than one in N.
 */
Test(measure, a_slow_thread_is_timed_every_tick, .timeout = 60)
{
	struct lb_run_opts o = opts(300000000, 100000);
	struct lb_outcome out;
	run_lock("ticket", "cs", "cs_ns=1ms", &o, 1, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	uint64_t ticks = (uint64_t)(out.duration_s * 1e9 / (double)out.tick_ns);
	cr_assert_geq(out.run.threads[0].timed, 3, "%lu timed in %lu ticks", (unsigned long)out.run.threads[0].timed,
		      (unsigned long)ticks);
	cr_assert_leq(out.run.threads[0].timed, ticks + 2);
	lb_outcome_free(&out);
	struct lb_run_opts f = opts(300000000, 1000);
	run_lock("ticket", "cs", NULL, &f, 1, &out);
	uint64_t acq = out.run.threads[0].acquisitions;
	ticks = (uint64_t)(out.duration_s * 1e9 / (double)out.tick_ns) + 2;
	cr_assert_leq(out.run.threads[0].timed, acq / 1000 + 1 + ticks, "%lu timed of %lu",
		      (unsigned long)out.run.threads[0].timed, (unsigned long)acq);
	cr_assert_geq(out.run.threads[0].timed, acq / 1000, "%lu timed of %lu", (unsigned long)out.run.threads[0].timed,
		      (unsigned long)acq);
	lb_outcome_free(&out);
}

/* ---- the plan: rotation, limits ---- */

Test(plan, rounds_rotate_the_order)
{
	const size_t want[3][3] = { { 0, 1, 2 }, { 1, 2, 0 }, { 2, 0, 1 } };
	for (unsigned r = 0; r < 3; r++)
		for (size_t k = 0; k < 3; k++)
			cr_assert_eq(lb_plan_rotated(k, r, 3), want[r][k], "round %u position %zu", r, k);
	cr_assert_eq(lb_plan_rotated(0, 3, 3), 0, "round 3 starts over");
	cr_assert_eq(lb_plan_rotated(0, 5, 1), 0);
}

/* The rows of `run` come in the order configs ran: A B C, B C A, C A B. */
Test(plan, run_rotates_repetitions, .timeout = 60)
{
	const char *args[] = { "run", "-l", "ticket,mcs,pthread", "-t", "1", "-r", "3", "-d", "5ms", "--warmup", "1ms",
			       "-o", "/dev/null", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	const char *want[] = { "ticket", "mcs", "pthread", "mcs", "pthread", "ticket", "pthread", "ticket", "mcs" };
	const char *p = r->out;
	for (size_t i = 0; i < 9; i++) {
		p = strchr(p, '\n');
		cr_assert_not_null(p, "row %zu missing in: %s", i, r->out);
		p++;
		cr_assert(strncmp(p, want[i], strlen(want[i])) == 0 && p[strlen(want[i])] == ' ', "row %zu: %.40s",
			  i, p);
	}
	free(r);
}

static void usage_error(const char *const *args, const char *needle)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 2, "exit %d; stderr: %s", r->status, r->err);
	cr_assert_eq(cli_lines(r->err), 1, "one line: %s", r->err);
	cr_assert(strstr(r->err, needle) != NULL, "\"%s\" not in: %s", needle, r->err);
	free(r);
}

Test(plan, bad_values_are_one_line_errors, .timeout = 30)
{
	const char *threads[] = { "run", "-t", "20000000", "-o", "/dev/null", NULL };
	usage_error(threads, "--threads: 20000000 is more than 16384");
	const char *threads_max[] = { "run", "-t", "16385", "-o", "/dev/null", NULL };
	usage_error(threads_max, "--threads");
	const char *lines[] = { "run", "-w", "cs:cs_lines=-1", "-o", "/dev/null", NULL };
	usage_error(lines, "cs_lines: -1 is out of range [0, 1024]");
	const char *bare_lines[] = { "run", "-w", "bare:cs_lines=-1", "-o", "/dev/null", NULL };
	usage_error(bare_lines, "cs_lines");
}
