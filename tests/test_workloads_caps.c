/*
 * test_workloads_caps.c — the workloads that need a capability of the
 * lock (trylock: a try acquire, timedlock: a timed acquire, nest: a
 * reentrant one) end to end through lb_run_config: each runs clean under
 * real locks at 2 and 4 threads, counts its failed tries and timeouts,
 * each one's verify() catches a lock that does not exclude (nest also a
 * reentrant lock that lets go too early or fails an inner release), a lock
 * without the capability is refused at setup and by `lockbench run`, bad
 * parameters are refused with a message that says what is wrong, and a
 * result says whether a lock's timed acquire is native or emulated.
 * (The blocking workloads are test_workloads_blocking.c's; both are suite
 * `workloads`.)
 *
 * Timing: runs are 10-200 ms; the whole file takes about 9 s on a 2-core
 * machine. Nothing asserts an absolute time.
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
#include "lock_util.h"
#include "locks/registry.h"
#include "engine/run.h"
#include "workload_util.h"

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
		run_ok(&o, lock_named("ticket"), NULL, "trylock", "cs_ns=20us,backoff_ns=0", 2, &out);
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
	run_ok(&o, lock_named("pthread"), NULL, "timedlock", "cs_ns=200us,timeout_ns=1us,backoff_ns=0", 2, &out);
	expect_clean(&out, "timedlock", "pthread", 2);
	cr_expect_gt(out.run.threads[0].try_failures + out.run.threads[1].try_failures, 0, "no attempt timed out");
	lb_outcome_free(&out);
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

/* ---- verify() catches what it is for ------------------------------------ */

Test(workloads, trylock_verify_catches_none, .timeout = 60)
{
	expect_verify_catches(lock_named("none"), "trylock", "cs_ns=50,backoff_ns=0", 2);
}

Test(workloads, timedlock_verify_catches_a_timed_lock_that_excludes_nothing, .timeout = 60)
{
	expect_verify_catches(&none_timed_ops, "timedlock", "cs_ns=50,backoff_ns=0", 2);
}

/* A "reentrant" lock that lets go at the first release lets others in while the owner is inside. */
Test(workloads, nest_catches_a_lock_that_lets_go_too_early, .timeout = 60)
{
	struct lb_run_opts o = quick_opts();
	unsigned caught = 0;
	for (int attempt = 0; attempt < 5 && caught == 0; attempt++) {
		struct lb_outcome out;
		run_ok(&o, &trl_ops, "bug=1", "nest", NULL, 2, &out);
		/* A window whose two threads never overlapped (a loaded machine) has nothing to catch: try again. */
		cr_assert(out.status == LB_STATUS_FAILED || (out.status == LB_STATUS_OK && out.verify_failures == 0), "%s",
			  out.message);
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

/* ---- bad parameters ----------------------------------------------------- */

Test(workloads, out_of_range_or_foreign_parameters_are_refused)
{
	expect_param_error("nest", "depth=0", "depth");
	expect_param_error("timedlock", "timeout_ns=soon", "timeout_ns");
	expect_param_error("trylock", "timeout_ns=1us", "timeout_ns"); /* only timedlock has one */
}

/* lb_run_config itself refuses a lock without the workload's needs_caps, at setup. */
Test(workloads, setup_refuses_a_lock_without_the_capability)
{
	expect_setup_error(lock_named("pthread"), "nest", NULL, 2, "not reentrant");
	expect_setup_error(lock_named("clh"), "timedlock", NULL, 2, "timed");
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
