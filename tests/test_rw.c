/*
 * tests/test_rw.c — reader-writer locks through the runner: the `rw`
 * workload on every LB_CAP_RW lock at 2, 4 and 8 threads in both roles;
 * the mutex baseline (readers exclusive); the negative controls `none` and
 * tests/fixtures/plugins/broken_rw.c (a writer that does not wait for the
 * readers inside) caught by `run -w rw` and by `stress`, every time; an
 * ABI-1 plug-in runs it; bad `rw` parameters are exit 2 with one line; the
 * per-role judge (fairness, starvation, a wait unfinished at the stop) on
 * made-up runs; the result's `roles` object, its summary, the table's role
 * lines and the schema; compare on the role metrics; --locks all-rw. The lock-level checks (exclusion in both
 * roles without the runner) are tests/test_rw_validate.c's.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "analysis/roles.h"
#include "analysis/starvation.h"
#include "cli_util.h"
#include "engine/plugin.h"
#include "engine/run.h"
#include "engine/topo.h"
#include "locks/registry.h"
#include "plugin_util.h"
#include "workloads/registry.h"
#include "run_util.h"

static struct lb_run_opts quick(int64_t duration_ns)
{
	struct lb_run_opts o = {
		.duration_ns = duration_ns, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 4, .order_log_cap = 1u << 16,
	};
	return o;
}

/* Run workload wl (parameters kv) on ops with n threads, bound to pus (NULL: unbound) of topo. */
static void run_wl_on(const struct lb_lock_ops *ops, const char *wl, const char *kv, unsigned n, int64_t duration_ns,
		      const struct lb_topo *topo, const int *bound, struct lb_outcome *out)
{
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	cr_assert_eq(lb_params_parse(ops->name, ops->params, NULL, lc.params, err, sizeof err), 0, "%s", err);
	struct lb_wl_choice wc = { .wl = lb_workload_find(wl) };
	cr_assert_not_null(wc.wl, "workload %s is registered", wl);
	cr_assert_eq(lb_params_parse(wl, wc.wl->params, kv, wc.params, err, sizeof err), 0, "%s", err);
	int pus[64];
	for (unsigned i = 0; i < n; i++)
		pus[i] = bound ? bound[i] : -1;
	lb_timer_init();
	lb_busy_calibrate();
	struct lb_run_opts o = quick(duration_ns);
	cr_assert_eq(run_config_settled(&o, topo, &lc, &wc, n, pus, out), 0, "%s", out->message);
	/* What model/fill.c does with every outcome: the judges fill the figures the tests read. */
	if (out->status != LB_STATUS_HUNG) {
		lb_outcome_judge(out);
		lb_outcome_judge_roles(out);
	}
}

static void run_wl(const struct lb_lock_ops *ops, const char *wl, const char *kv, unsigned n, int64_t duration_ns,
		   struct lb_outcome *out)
{
	run_wl_on(ops, wl, kv, n, duration_ns, NULL, NULL, out);
}

/*
 * One thread per PU (2..8), pinned compactly: the negative controls must
 * not depend on the kernel preempting a spinner (see test_stress.c).
 */
static void run_wl_pinned(const struct lb_lock_ops *ops, const char *wl, const char *kv, int64_t duration_ns,
			  struct lb_outcome *out)
{
	struct lb_topo *topo;
	char err[256];
	cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
	struct lb_topo_summary sum;
	lb_topo_summary(topo, &sum);
	unsigned n = sum.pus < 2 ? 2 : sum.pus > 8 ? 8 : sum.pus;
	struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT };
	int pus[64];
	bool over;
	cr_assert_eq(lb_pin_plan(topo, &compact, n, pus, &over, err, sizeof err), 0, "%s", err);
	run_wl_on(ops, wl, kv, n, duration_ns, topo, pus, out);
	lb_topo_free(topo);
}

static uint64_t progress(const struct lb_outcome *out)
{
	uint64_t total = 0;
	for (unsigned k = 0; k < out->run.nthreads; k++)
		total += out->run.threads[k].total;
	return total;
}

/* Every reader-writer lock, rw with one writer and with half the threads writing. */
static void every_rw_lock(unsigned n)
{
	char kv[64];
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		if (!(ops->caps & LB_CAP_RW))
			continue;
		const unsigned choices[2] = { 1, n / 2 };
		for (unsigned k = 0; k < (n / 2 > 1 ? 2u : 1u); k++) {
			unsigned writers = choices[k];
			snprintf(kv, sizeof kv, "writers=%u,read_ns=200ns,write_ns=200ns", writers);
			struct lb_outcome out;
			run_wl(ops, "rw", kv, n, 150000000, &out);
			cr_expect_eq(out.status, LB_STATUS_OK, "%s %s at %u threads: %s", ops->name, kv, n, out.message);
			cr_expect_eq(out.violations, 0, "%s %s at %u threads: violations", ops->name, kv, n);
			cr_expect_eq(out.verify_failures, 0, "%s %s at %u threads: %s", ops->name, kv, n, out.message);
			cr_expect_eq(out.release_errors, 0, "%s %s at %u threads: release errors", ops->name, kv, n);
			cr_expect_gt(progress(&out), 0, "%s %s at %u threads made progress", ops->name, kv, n);
			cr_expect(out.has_roles, "%s: the rw workload has roles", ops->name);
			/* A thread is in a role once it tried it: oversubscribed (8 spinning threads on
			 * 2 CPUs, slower still under a sanitizer) one may not have run by the stop. */
			cr_expect_leq(out.role[LB_ROLE_WRITE].nthreads, writers, "%s: writers", ops->name);
			cr_expect_leq(out.role[LB_ROLE_READ].nthreads, n - writers, "%s: readers", ops->name);
			cr_expect_gt(out.role[LB_ROLE_WRITE].nthreads + out.role[LB_ROLE_READ].nthreads, 0, "%s: roles",
				     ops->name);
			lb_outcome_free(&out);
		}
	}
}

Test(rw_run, every_rw_lock_at_2_threads, .timeout = 120) { every_rw_lock(2); }
Test(rw_run, every_rw_lock_at_4_threads, .timeout = 180) { every_rw_lock(4); }
Test(rw_run, every_rw_lock_at_8_threads, .timeout = 240) { every_rw_lock(8); }

Test(rw_run, a_mutex_is_the_baseline_readers_take_it_alone, .timeout = 60)
{
	struct lb_outcome out;
	run_wl(lb_lock_find("pthread"), "rw", "writers=1,read_ns=1us", 4, 150000000, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_gt(out.role[LB_ROLE_READ].acquisitions, 0);
	cr_expect_eq(out.readers_max, 1, "a read hold on a mutex is exclusive");
	lb_outcome_free(&out);
	/* and on a reader-writer lock, three readers with long reads overlap */
	run_wl(lb_lock_find("pthread-rw"), "rw", "writers=0,read_ns=20us", 3, 150000000, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_geq(out.readers_max, 2, "readers share a reader-writer lock");
	cr_expect_gt(out.readers_mean, 1.0);
	lb_outcome_free(&out);
}

/* A lock that hands itself over in its poll hook (the GILs) must not tear a section of rw or stress. */
Test(rw_run, poll_hooks_never_split_a_read_or_write_section, .timeout = 90)
{
	const char *locks[] = { "gil", "gil-old" };
	for (size_t i = 0; i < 2; i++) {
		const struct lb_lock_ops *ops = lb_lock_find(locks[i]);
		cr_assert(ops->caps & LB_CAP_POLL);
		struct lb_outcome out;
		run_wl(ops, "rw", "writers=1,read_ns=20us,write_ns=20us", 3, 150000000, &out);
		cr_expect_eq(out.status, LB_STATUS_OK, "%s rw: %s", locks[i], out.message);
		lb_outcome_free(&out);
		run_wl(ops, "stress", "long_hold_every=5,long_hold_ns=20us,stutter_ns=0,shuffle_ns=0", 3, 150000000,
		       &out);
		cr_expect_eq(out.status, LB_STATUS_OK, "%s stress: %s", locks[i], out.message);
		lb_outcome_free(&out);
	}
}

Test(rw_run, mixed_threads_do_both_roles, .timeout = 60)
{
	struct lb_outcome out;
	/* a sleeping mutex: under a reader-preference lock a thread may stick in its first write */
	run_wl(lb_lock_find("pthread"), "rw", "write_pct=20", 3, 150000000, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_eq(out.role[LB_ROLE_READ].nthreads, 3);
	cr_expect_eq(out.role[LB_ROLE_WRITE].nthreads, 3);
	double share = (double)out.role[LB_ROLE_WRITE].acquisitions / (double)out.acquisitions;
	cr_expect(share > 0.05 && share < 0.6, "about 20%% writes, got %.3f", share);
	lb_outcome_free(&out);
}

/* ---- negative controls ---- */

static const struct lb_lock_ops *load_fixture(const char *src, const char *name)
{
	char *so = plugin_build(src, NULL, name);
	cr_assert_not_null(so, "cc %s", src);
	char err[512];
	const struct lb_lock_ops *ops = lb_plugin_load(so, err, sizeof err);
	cr_assert_not_null(ops, "%s", err);
	free(so);
	return ops;
}

Test(rw_caught, none_under_rw_every_time, .timeout = 60)
{
	for (int i = 0; i < 5; i++) {
		struct lb_outcome out;
		run_wl_pinned(lb_lock_find("none"), "rw", "writers=1,read_ns=200ns", 100000000, &out);
		cr_expect(out.violations > 0 || out.verify_failures > 0, "run %d: none went unnoticed", i + 1);
		lb_outcome_free(&out);
	}
}

Test(rw_caught, broken_rw_under_rw_every_time, .timeout = 60)
{
	const struct lb_lock_ops *ops = load_fixture("tests/fixtures/plugins/broken_rw.c", "broken_rw");
	for (int i = 0; i < 5; i++) {
		struct lb_outcome out;
		/*
		 * The writer thinks between writes: without a pause it takes the
		 * lock straight back, and on a loaded machine its reader may not get
		 * in once in the window (0 reads): nothing to overlap, nothing caught.
		 */
		run_wl_pinned(ops, "rw", "writers=1,read_ns=1us,think_ns=2us", 200000000, &out);
		cr_expect_eq(out.status, LB_STATUS_FAILED, "run %d: broken-rw passed (%s; %lu reads, %lu writes)", i + 1,
			     out.message, (unsigned long)out.role[LB_ROLE_READ].acquisitions,
			     (unsigned long)out.role[LB_ROLE_WRITE].acquisitions);
		cr_expect_gt(out.violations, 0, "run %d: the reader/writer canary saw nothing", i + 1);
		lb_outcome_free(&out);
	}
}

/* Stutter every 20 ms: with the default 100 ms a 150 ms window runs only 90 ms, which load can take. */
Test(rw_caught, broken_rw_under_stress_every_time, .timeout = 90)
{
	const struct lb_lock_ops *ops = load_fixture("tests/fixtures/plugins/broken_rw.c", "broken_rw");
	for (int i = 0; i < 5; i++) {
		struct lb_outcome out;
		run_wl_pinned(ops, "stress", "seed=7,shuffle_ns=0,stutter_ns=20ms", 150000000, &out);
		cr_expect_eq(out.status, LB_STATUS_FAILED, "run %d: broken-rw passed stress (%s)", i + 1, out.message);
		lb_outcome_free(&out);
	}
}

Test(rw_caught, stress_cli_fails_none_and_broken_rw_and_passes_rw_locks, .timeout = 120)
{
	char *so = plugin_build("tests/fixtures/plugins/broken_rw.c", NULL, "broken_rw");
	cr_assert_not_null(so);
	char locks[512];
	snprintf(locks, sizeof locks, "none,%s,rw-rpref,rw-phasefair,pthread-rw", so);
	for (int i = 0; i < 3; i++) {
		const char *args[] = { "stress", "-l", locks, "-t", "2", "--params", "shuffle_ns=0,stutter_ns=20ms", "-d", "300ms",
				       "-o", "/dev/null", NULL };
		struct cli_result *r = calloc(1, sizeof *r);
		cli_run(r, args);
		cr_expect_eq(r->status, 1, "run %d: exit %d; stderr: %s", i + 1, r->status, r->err);
		cr_expect(strstr(r->err, "lockbench: stress: FAILED: none, broken-rw\n") != NULL, "run %d: %s", i + 1,
			  r->err);
		cr_expect(strstr(r->out, "Reads/Writes: ") != NULL, "the line counts both roles: %s", r->out);
		free(r);
	}
	free(so);
}

Test(rw_run, an_abi_1_plugin_runs_rw_as_a_mutex, .timeout = 60)
{
	const struct lb_lock_ops *ops = load_fixture("tests/fixtures/plugins/abi1.c", "abi1");
	cr_expect_eq(ops->abi_version, 1);
	cr_expect_null(ops->read_acquire, "the fields ABI 1 never had read as NULL");
	struct lb_outcome out;
	run_wl(ops, "rw", "writers=1,read_ns=200ns", 3, 100000000, &out); /* two readers that may not share */
	cr_expect_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_eq(out.violations, 0);
	/* Never two readers inside (0: the reader got no read into the window on a slow machine). */
	cr_expect_leq(out.readers_max, 1, "no read side: readers are exclusive");
	lb_outcome_free(&out);
}

/* ---- bad parameters: exit 2, one line, nothing written ---- */

static void expect_usage(const char *wl, const char *threads, const char *needle)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/x.json", dir);
	const char *args[] = { "run", "-l", "rw-rpref", "-w", wl, "-t", threads, "-d", "10ms", "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 2, "%s: exit %d: %s", wl, r->status, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "%s: one line: %s", wl, r->err);
	cr_expect(strncmp(r->err, "lockbench: ", 11) == 0 && strstr(r->err, needle) != NULL, "%s: \"%s\" not in %s",
		  wl, needle, r->err);
	cr_expect_eq(cli_count_entries(dir), 0, "%s: nothing written", wl);
	free(r);
	rmdir(dir);
	free(dir);
}

Test(rw_params, bad_parameters_are_usage_errors, .timeout = 60)
{
	expect_usage("rw:readers=3,writers=3", "4", "do not add up to 4 threads");
	expect_usage("rw:writers=1,write_pct=5", "2", "write_pct is for mixed threads");
	expect_usage("rw:writers=5", "2,4", "writers=5 is more than the 2 threads");
	expect_usage("rw:readers=3", "2", "readers=3 is more than the 2 threads");
	expect_usage("rw:write_pct=101", "2", "write_pct");
	expect_usage("rw:words=1", "2", "words");
	expect_usage("rw:read_ns=2s", "2", "read_ns");
	expect_usage("rw:nosuch=1", "2", "unknown parameter \"nosuch\"");
}

/* ---- the per-role judge on made-up runs ---- */

/*
 * A 1 s window (ticks of 1 ms from tick 50, slices of 10 ms), n threads
 * with the given roles and per-role acquisitions; every thread acquires in
 * every slice, so "others acquired" holds for any gap.
 */
struct fake {
	struct lb_outcome out;
	struct lb_thread th[4];
	uint64_t tl[4][101];
};

static void fake_run(struct fake *f, unsigned n, const uint32_t *roles, const uint64_t (*acq)[2])
{
	memset(f, 0, sizeof *f);
	for (unsigned i = 0; i < n; i++) {
		for (int s = 0; s < 101; s++)
			f->tl[i][s] = 1;
		struct lb_thread *t = &f->th[i];
		t->id = i;
		t->timeline = f->tl[i];
		t->timeline_len = 101;
		t->roles = roles[i];
		for (int r = 0; r < LB_NROLES; r++) {
			t->role[r].acquisitions = acq[i][r];
			t->acquisitions += acq[i][r];
		}
		f->out.acquisitions += t->acquisitions;
	}
	f->out.run.nthreads = n;
	f->out.run.threads = f->th;
	f->out.duration_s = 1.0;
	f->out.tick_ns = 1000000;
	f->out.slice_ns = 10000000;
	f->out.measure_tick0 = 50;
}

static void fake_judge(struct fake *f)
{
	lb_outcome_judge(&f->out);
	lb_outcome_judge_roles(&f->out);
}

static void fake_free(struct fake *f)
{
	free(f->out.starved);
	for (int r = 0; r < LB_NROLES; r++)
		free(f->out.role[r].starved);
}

#define R LB_ROLE_BIT(LB_ROLE_READ)
#define W LB_ROLE_BIT(LB_ROLE_WRITE)

Test(rw_judge, a_lone_writer_shut_out_by_readers_starves)
{
	struct fake f;
	const uint32_t roles[] = { W, R, R };
	const uint64_t acq[][2] = { { 0, 0 }, { 50000, 0 }, { 50000, 0 } };
	fake_run(&f, 3, roles, acq);
	/* Waiting from the window's start to its stop: the sampler saw it at its last tick. */
	f.th[0].role[LB_ROLE_WRITE].max_gap_ticks = 1000;
	f.th[0].role[LB_ROLE_WRITE].max_gap_end = 50 + 1000;
	fake_judge(&f);
	cr_expect(f.out.has_roles);
	cr_expect_eq(f.out.role[LB_ROLE_WRITE].nstarved, 1, "the writer starved");
	cr_expect(f.out.role[LB_ROLE_WRITE].starved[0]);
	cr_expect_eq(f.out.role[LB_ROLE_READ].nstarved, 0, "the readers did not");
	cr_expect_geq(f.out.role[LB_ROLE_WRITE].max_gap_ticks, 1000, "the unfinished wait counts to the close");
	fake_free(&f);
}

Test(rw_judge, a_writer_served_once_per_reader_phase_does_not_starve)
{
	struct fake f;
	const uint32_t roles[] = { W, R, R };
	const uint64_t acq[][2] = { { 0, 900 }, { 1000, 0 }, { 1000, 0 } };
	fake_run(&f, 3, roles, acq);
	f.th[0].role[LB_ROLE_WRITE].max_gap_ticks = 5;
	f.th[0].role[LB_ROLE_WRITE].max_gap_end = 500;
	fake_judge(&f);
	cr_expect_eq(f.out.role[LB_ROLE_WRITE].nstarved, 0);
	cr_expect_eq(f.out.role[LB_ROLE_READ].nstarved, 0);
	cr_expect_eq(f.out.role[LB_ROLE_WRITE].acquisitions, 900);
	fake_free(&f);
}

Test(rw_judge, one_of_two_writers_shut_out_starves_by_share)
{
	struct fake f;
	const uint32_t roles[] = { W, W, R, R };
	const uint64_t acq[][2] = { { 0, 5 }, { 0, 1000 }, { 1000, 0 }, { 1000, 0 } };
	fake_run(&f, 4, roles, acq);
	fake_judge(&f);
	cr_expect_eq(f.out.role[LB_ROLE_WRITE].nstarved, 1);
	cr_expect(f.out.role[LB_ROLE_WRITE].starved[0] && !f.out.role[LB_ROLE_WRITE].starved[1]);
	cr_expect(f.out.role[LB_ROLE_WRITE].fair.jain < 0.6, "Jain over the writers: %f",
		  f.out.role[LB_ROLE_WRITE].fair.jain);
	fake_free(&f);
}

Test(rw_judge, mixed_threads_with_few_writes_are_not_starved)
{
	/* write_pct=2: each thread writes about 2% of the time; few writes are no starvation. */
	struct fake f;
	const uint32_t roles[] = { R | W, R | W, R | W };
	const uint64_t acq[][2] = { { 980, 20 }, { 985, 15 }, { 990, 10 } };
	fake_run(&f, 3, roles, acq);
	fake_judge(&f);
	cr_expect_eq(f.out.role[LB_ROLE_WRITE].nstarved, 0);
	cr_expect_eq(f.out.role[LB_ROLE_READ].nstarved, 0);
	fake_free(&f);
}

Test(rw_judge, a_run_without_roles_has_none)
{
	struct fake f;
	const uint32_t roles[] = { 0, 0 };
	const uint64_t acq[][2] = { { 0, 0 }, { 0, 0 } };
	fake_run(&f, 2, roles, acq);
	fake_judge(&f);
	cr_expect_not(f.out.has_roles);
	fake_free(&f);
}

/* ---- the result ---- */

Test(rw_result, roles_summary_and_schema, .timeout = 90)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/rw.json", dir);
	const char *args[] = { "run", "-l", "rw-rpref,pthread", "-w", "rw:writers=1", "-t", "2", "-d", "100ms",
			       "--warmup", "10ms", "-r", "2", "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->out, "    read ") != NULL && strstr(r->out, "    write ") != NULL,
		  "the table shows both roles: %s", r->out);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *cfg = json_array_get(json_object_get(doc, "configs"), 0);
	json_t *roles = json_object_get(json_array_get(json_object_get(cfg, "samples"), 0), "roles");
	cr_assert_not_null(roles, "a reader-writer sample has roles");
	json_t *rd = json_object_get(roles, "read"), *wr = json_object_get(roles, "write");
	cr_expect_eq(json_integer_value(json_object_get(rd, "threads")), 1);
	cr_expect_eq(json_integer_value(json_object_get(wr, "threads")), 1);
	cr_expect_not_null(json_object_get(json_object_get(rd, "concurrency"), "mean"));
	cr_expect_null(json_object_get(wr, "concurrency"), "concurrency is a read figure");
	json_t *sum = json_object_get(cfg, "summary");
	cr_expect(json_is_boolean(json_object_get(sum, "writer_starved")));
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(sum, "read_throughput_per_s"), "n")), 2);
	json_decref(doc);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json %s 1>&2", out);
	int st = system(cmd);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the rw result validates against the schema");
	unlink(out);
	rmdir(dir);
	free(r);
	free(dir);
}

/* compare reads the role metrics from loaded results (model/metric.c): a result against itself is no change. */
Test(rw_result, compare_pairs_the_role_metrics, .timeout = 60)
{
	const char *fx = "tests/fixtures/plot/rw_result.json";
	const char *args[] = { "compare", fx, fx, "--metric", "read_throughput,write_throughput,read_concurrency",
			       "--json", "-", "-q", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	json_error_t je;
	json_t *v = json_loads(r->out, 0, &je);
	cr_assert_not_null(v, "%s", je.text);
	size_t i, finite = 0, reads = 0;
	json_t *row;
	json_array_foreach(json_object_get(v, "rows"), i, row) {
		const char *m = json_string_value(json_object_get(row, "metric"));
		reads += m != NULL && strcmp(m, "read_throughput") == 0;
		finite += json_is_number(json_object_get(row, "base_median"));
	}
	cr_expect_eq(reads, 6, "one read_throughput row per config");
	cr_expect_gt(finite, 0, "the role medians were read back from the files");
	json_decref(v);
	free(r);
}

/* --locks all-rw: every built-in reader-writer lock and nothing else, in registry order. */
Test(rw_params, all_rw_names_every_rw_lock, .timeout = 120)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/all-rw.json", dir);
	const char *args[] = { "run", "-l", "all-rw", "-w", "rw:writers=1", "-t", "2", "-d", "10ms", "--warmup", "2ms",
			       "-q", "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *configs = json_object_get(doc, "configs");
	size_t k = 0;
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		if (!(lb_locks[i]->caps & LB_CAP_RW))
			continue;
		json_t *c = json_array_get(configs, k++);
		const char *name = json_string_value(json_object_get(json_object_get(c, "lock"), "name"));
		cr_expect(name != NULL && strcmp(name, lb_locks[i]->name) == 0, "config %zu: %s, expected %s", k - 1,
			  name ? name : "(none)", lb_locks[i]->name);
	}
	cr_expect_eq(json_array_size(configs), k, "all-rw ran %zu configs for %zu RW locks", json_array_size(configs), k);
	json_decref(doc);
	unlink(out);
	rmdir(dir);
	free(dir);
	free(r);
}
