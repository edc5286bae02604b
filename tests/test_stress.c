/*
 * test_stress.c — the torture mode. The negative control `none` and a
 * deliberately broken lock (tests/fixtures/plugins/broken_tas.c: test, then
 * set, not atomically) are caught on every one of several runs, in process
 * and through `lockbench stress`; real locks pass; and each torture
 * ingredient demonstrably happens: stutter pauses every thread at once,
 * shuffle moves threads between PUs, try/timed acquisitions are mixed in
 * only for locks that offer them, and long holds poll the lock.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>

#include "cli_util.h"
#include "locks/registry.h"
#include "engine/plugin.h"
#include "plugin_util.h"
#include "engine/run.h"
#include "engine/topo.h"
#include "workloads/registry.h"
#include "run_util.h"

static struct lb_run_opts opts(int64_t duration_ns)
{
	struct lb_run_opts o = {
		.duration_ns = duration_ns, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 16, .order_log_cap = 1u << 16,
	};
	return o;
}

/* Run the stress workload (parameters kv) on ops; pus NULL = unbound. */
static void run_stress(const struct lb_lock_ops *ops, const char *kv, unsigned n, int64_t duration_ns,
		       const struct lb_topo *topo, const int *pus, struct lb_outcome *out)
{
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	cr_assert_eq(lb_params_parse(ops->name, ops->params, NULL, lc.params, err, sizeof err), 0, "%s", err);
	struct lb_wl_choice wc = { .wl = lb_workload_find("stress") };
	cr_assert_not_null(wc.wl, "the stress workload is registered");
	cr_assert_eq(lb_params_parse("stress", wc.wl->params, kv, wc.params, err, sizeof err), 0, "%s", err);
	int unbound[64];
	for (unsigned i = 0; i < n; i++)
		unbound[i] = -1;
	lb_timer_init();
	lb_busy_calibrate();
	struct lb_run_opts o = opts(duration_ns);
	cr_assert_eq(run_config_settled(&o, topo, &lc, &wc, n, pus ? pus : unbound, out), 0, "%s", out->message);
}

/*
 * Threads pinned compactly over the machine's PUs, so they truly run in
 * parallel even when the machine is busy, rather than wherever the
 * scheduler stacks them. n = 0: one thread per PU (at least 2), which is
 * what the negative controls use: with no two spinners sharing a PU, their
 * catching does not depend on the kernel preempting a spinner (this class
 * of VM sometimes lets one spin for seconds while a runnable thread pinned
 * to the same PU waits).
 */
static void run_stress_pinned(const struct lb_lock_ops *ops, const char *kv, unsigned n, int64_t duration_ns,
			      struct lb_outcome *out)
{
	struct lb_topo *topo;
	char err[256];
	cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
	if (n == 0) {
		struct lb_topo_summary sum;
		lb_topo_summary(topo, &sum);
		n = sum.pus < 2 ? 2 : sum.pus > 8 ? 8 : sum.pus;
	}
	struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT };
	int pus[64];
	bool over;
	cr_assert_eq(lb_pin_plan(topo, &compact, n, pus, &over, err, sizeof err), 0, "%s", err);
	run_stress(ops, kv, n, duration_ns, topo, pus, out);
	lb_topo_free(topo);
}

Test(stress, none_is_caught_every_time, .timeout = 60)
{
	for (int i = 0; i < 5; i++) {
		struct lb_outcome out;
		run_stress_pinned(lb_lock_find("none"), "seed=7,shuffle_ns=0,stutter_ns=20ms", 0, 150000000, &out);
		cr_expect(out.violations > 0 || out.verify_failures > 0, "run %d: none went unnoticed", i + 1);
		lb_outcome_free(&out);
	}
}

Test(stress, broken_tas_is_caught_every_time, .timeout = 60)
{
	char *so = plugin_build("tests/fixtures/plugins/broken_tas.c", NULL, "broken_tas");
	cr_assert_not_null(so);
	char err[512];
	const struct lb_lock_ops *ops = lb_plugin_load(so, err, sizeof err);
	cr_assert_not_null(ops, "%s", err);
	for (int i = 0; i < 5; i++) {
		struct lb_outcome out;
		run_stress_pinned(ops, "shuffle_ns=0,stutter_ns=20ms", 0, 150000000, &out);
		cr_expect_eq(out.status, LB_STATUS_FAILED, "run %d: broken-tas passed (%s)", i + 1, out.message);
		cr_expect(out.violations > 0 || out.verify_failures > 0, "run %d", i + 1);
		lb_outcome_free(&out);
	}
	free(so);
}

/* Fail: N of "name: Total: T  Max/Min: a/b[ ???]  Fail: N", or -1 if there is no such line. */
static long long fail_of(const char *out, const char *name)
{
	char key[128];
	snprintf(key, sizeof key, "%s: Total: ", name);
	for (const char *p = strstr(out, key); p != NULL; p = strstr(p + 1, key)) {
		if (p != out && p[-1] != '\n')
			continue;
		unsigned long long total, max, min;
		long long fail;
		int used = 0;
		if (sscanf(p + strlen(key), "%llu  Max/Min: %llu/%llu%n", &total, &max, &min, &used) != 3 || used == 0)
			continue;
		const char *rest = p + strlen(key) + used;
		if (strncmp(rest, " ???", 4) == 0) /* locktorture's imbalance mark */
			rest += 4;
		if (sscanf(rest, "  Fail: %lld", &fail) == 1)
			return fail;
	}
	return -1;
}

Test(stress_cli, none_and_broken_tas_fail_every_time, .timeout = 90)
{
	char *so = plugin_build("tests/fixtures/plugins/broken_tas.c", NULL, "broken_tas");
	cr_assert_not_null(so);
	char locks[512];
	snprintf(locks, sizeof locks, "none,%s", so);
	for (int i = 0; i < 3; i++) {
		const char *args[] = { "stress", "-l", locks, "-t", "2", "--params", "shuffle_ns=0,stutter_ns=20ms", "-d", "150ms",
				       "-o", "/dev/null", NULL };
		struct cli_result *r = calloc(1, sizeof *r);
		cli_run(r, args);
		cr_expect_eq(r->status, 1, "run %d: exit %d; stderr: %s", i + 1, r->status, r->err);
		cr_expect(strstr(r->err, "lockbench: stress: FAILED: none, broken-tas\n") != NULL, "run %d: %s", i + 1,
			  r->err);
		cr_expect_gt(fail_of(r->out, "none"), 0, "run %d: %s", i + 1, r->out);
		cr_expect_gt(fail_of(r->out, "broken-tas"), 0, "run %d: %s", i + 1, r->out);
		free(r);
	}
	free(so);
}

Test(stress_cli, real_locks_pass_and_the_result_is_complete, .timeout = 90)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/s.json", dir);
	/*
	 * Two threads, no shuffle: spinlocks never share a PU (see
	 * run_stress_pinned). Stutter of 20 ms, not the default 100 ms: with it
	 * the 150 ms window ran only 90 ms, and a loaded machine once stalled
	 * both threads through all of that (rw-rpref "untested").
	 */
	const char *args[] = { "stress", "-d", "150ms", "--seed", "42", "-t", "2", "--params", "shuffle_ns=0,stutter_ns=20ms",
			       "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "stdout: %s\nstderr: %s", r->out, r->err);
	cr_expect(strstr(r->out, "seed 42") != NULL, "the seed is shown: %s", r->out);
	size_t nlocks = 0;
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		if (lb_locks[i]->caps & LB_CAP_NO_EXCLUSION) {
			cr_expect_eq(fail_of(r->out, lb_locks[i]->name), -1, "%s is not in `all`", lb_locks[i]->name);
			continue;
		}
		cr_expect_eq(fail_of(r->out, lb_locks[i]->name), 0, "%s: %s", lb_locks[i]->name, r->out);
		nlocks++;
	}
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *configs = json_object_get(doc, "configs");
	cr_expect_eq(json_array_size(configs), nlocks, "one config per lock");
	json_t *cfg = json_array_get(configs, 0);
	json_t *wl = json_object_get(cfg, "workload");
	cr_expect_str_eq(json_string_value(json_object_get(wl, "name")), "stress");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(wl, "params"), "seed")), 42, "seed recorded");
	cr_expect_eq(json_integer_value(json_object_get(cfg, "threads")), 2);
	json_decref(doc);
	char cmd[512];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json %s 1>&2", out);
	int st = system(cmd);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the stress result validates against the schema");
	free(r);
	free(dir);
}

Test(stress_cli, none_asked_for_by_name_fails, .timeout = 60)
{
	const char *args[] = { "stress", "-l", "none", "-t", "2", "-d", "100ms", "-q", "-o", "/dev/null", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 1, "%s", r->err);
	cr_expect(strstr(r->err, "FAILED: none") != NULL, "%s", r->err);
	cr_expect_eq(r->out[0], '\0', "-q prints no lines: %s", r->out);
	free(r);
}

Test(stress_cli, run_accepts_the_stress_workload, .timeout = 60)
{
	const char *args[] = { "run", "-l", "ticket", "-w", "stress:stutter_ns=0,try_percent=50", "-t", "2", "-d",
			       "50ms", "--warmup", "5ms", "-q", "-o", "/dev/null", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 0, "%s", r->err);
	free(r);
}

static void expect_stress_usage_error(const char *const *args, const char *needle)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 2, "exit %d: %s", r->status, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "%s", r->err);
	cr_expect(strstr(r->err, needle) != NULL, "\"%s\" not in %s", needle, r->err);
	free(r);
}

Test(stress_cli, bad_input_is_a_usage_error, .timeout = 30)
{
	const char *a[] = { "stress", "-t", "0", NULL };
	expect_stress_usage_error(a, "--threads");
	const char *b[] = { "stress", "--params", "nosuch=1", NULL };
	expect_stress_usage_error(b, "unknown parameter \"nosuch\"");
	const char *c[] = { "stress", "--seed", "x", NULL };
	expect_stress_usage_error(c, "--seed");
	const char *d[] = { "stress", "--seed", "1", "--params", "seed=2", NULL };
	expect_stress_usage_error(d, "--seed");
	const char *e[] = { "stress", "-l", "nosuch", NULL };
	expect_stress_usage_error(e, "unknown lock");
	const char *f[] = { "stress", "-d", "1", NULL };
	expect_stress_usage_error(f, "--duration");
}

/* Slices of the measured window in which no thread acquired anything. */
static unsigned idle_slices(const struct lb_outcome *out, int64_t duration_ns)
{
	unsigned idle = 0;
	uint32_t full = (uint32_t)(duration_ns / out->slice_ns);
	for (uint32_t s = 0; s < full; s++) {
		uint64_t sum = 0;
		for (unsigned i = 0; i < out->run.nthreads; i++)
			sum += out->run.threads[i].timeline[s];
		idle += sum == 0;
	}
	return idle;
}

Test(stress, stutter_pauses_every_thread_at_once, .timeout = 60)
{
	/* 50 ms on, 50 ms off over 500 ms: about half of the 50 slices have no acquisition at all. */
	struct lb_outcome out;
	run_stress(lb_lock_find("pthread"), "stutter_ns=50ms,shuffle_ns=0", 4, 500000000, NULL, NULL, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	unsigned idle = idle_slices(&out, 500000000);
	cr_expect_geq(idle, 10, "only %u slices with every thread paused", idle);
	cr_expect_leq(idle, 40, "%u idle slices: the threads hardly ran", idle);
	lb_outcome_free(&out);
}

/* A pthread mutex that records what the stress workload does to it. */
struct spy {
	pthread_mutex_t m;
	_Atomic uint64_t tries, timed, polls;
};
struct spy_node {
	uint64_t cpus; /* bit c: acquired while running on CPU c (c < 64) */
};

static void spy_seen(void *node)
{
	int cpu = sched_getcpu();
	if (cpu >= 0 && cpu < 64)
		((struct spy_node *)node)->cpus |= 1ull << cpu;
}
static int spy_init(void *s, const union lb_value *p, unsigned n, char *e, size_t el)
{
	(void)p, (void)n, (void)e, (void)el;
	pthread_mutex_init(&((struct spy *)s)->m, NULL);
	return 0;
}
static void spy_acquire(void *s, void *node)
{
	pthread_mutex_lock(&((struct spy *)s)->m);
	spy_seen(node);
}
static int spy_release(void *s, void *node)
{
	(void)node;
	return pthread_mutex_unlock(&((struct spy *)s)->m) == 0 ? 0 : -1;
}
static bool spy_try(void *s, void *node)
{
	struct spy *sp = s;
	atomic_fetch_add(&sp->tries, 1);
	if (pthread_mutex_trylock(&sp->m) != 0)
		return false;
	spy_seen(node);
	return true;
}
static bool spy_until(void *s, void *node, uint64_t deadline_ns)
{
	struct spy *sp = s;
	atomic_fetch_add(&sp->timed, 1);
	do {
		if (pthread_mutex_trylock(&sp->m) == 0) {
			spy_seen(node);
			return true;
		}
	} while (lb_mono_ns() < deadline_ns);
	return false;
}
static void spy_poll(void *s, void *node)
{
	(void)node;
	atomic_fetch_add(&((struct spy *)s)->polls, 1);
}
static size_t spy_counters(void *s, struct lb_counter *out, size_t max)
{
	struct spy *sp = s;
	if (max < 3)
		return 0;
	out[0] = (struct lb_counter){ "tries", atomic_load(&sp->tries) };
	out[1] = (struct lb_counter){ "timed", atomic_load(&sp->timed) };
	out[2] = (struct lb_counter){ "polls", atomic_load(&sp->polls) };
	return 3;
}

#define SPY_FIELDS                                                                                        \
	.abi_version = LB_LOCK_ABI_VERSION, .summary = "records what stress does", .state_size = sizeof(struct spy), \
	.state_align = 64, .node_size = sizeof(struct spy_node), .init = spy_init, .acquire = spy_acquire,  \
	.release = spy_release, .try_acquire = spy_try, .acquire_until = spy_until, .poll = spy_poll,          \
	.counters = spy_counters
static const struct lb_lock_ops spy_ops = { SPY_FIELDS, .name = "spy",
					    .caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_POLL };
/* The same functions, but the caps claim neither try nor timed acquisition. */
static const struct lb_lock_ops spy_plain_ops = { SPY_FIELDS, .name = "spy-plain", .caps = LB_CAP_SLEEPS };

static uint64_t counter(const struct lb_outcome *out, const char *name)
{
	for (size_t i = 0; i < out->ncounters; i++)
		if (strcmp(out->counters[i].name, name) == 0)
			return out->counters[i].value;
	cr_assert_fail("no counter %s", name);
	return 0;
}

Test(stress, try_timed_and_poll_are_mixed_in_only_where_the_lock_has_them, .timeout = 60)
{
	struct lb_outcome out;
	const char *kv = "try_percent=30,timed_percent=30,long_hold_every=20,long_hold_ns=20us,stutter_ns=0";
	run_stress(&spy_ops, kv, 3, 100000000, NULL, NULL, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_gt(counter(&out, "tries"), 0, "try_acquire used");
	cr_expect_gt(counter(&out, "timed"), 0, "acquire_until used");
	cr_expect_gt(counter(&out, "polls"), 0, "long holds poll the lock");
	lb_outcome_free(&out);

	run_stress(&spy_plain_ops, "try_percent=30,timed_percent=30,long_hold_every=0,stutter_ns=0", 3, 100000000,
		   NULL, NULL, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_eq(counter(&out, "tries"), 0, "no LB_CAP_TRY: no try_acquire");
	cr_expect_eq(counter(&out, "timed"), 0, "no LB_CAP_TIMED: no acquire_until");
	cr_expect_eq(counter(&out, "polls"), 0, "no long holds: no polls");
	cr_expect_gt(out.acquisitions, 0);
	lb_outcome_free(&out);
}

/* CPUs each thread acquired on, with shuffle_ns as given, threads pinned compactly. */
static void cpus_seen(const char *kv, unsigned *min_cpus, unsigned *max_cpus)
{
	struct lb_topo *topo;
	char err[256];
	cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
	struct lb_topo_summary ts;
	lb_topo_summary(topo, &ts);
	if (ts.pus < 2) {
		lb_topo_free(topo);
		cr_skip_test("needs two PUs, this process may use %u", ts.pus);
	}
	struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT };
	int pus[2];
	bool over;
	cr_assert_eq(lb_pin_plan(topo, &compact, 2, pus, &over, err, sizeof err), 0, "%s", err);
	struct lb_outcome out;
	run_stress(&spy_ops, kv, 2, 300000000, topo, pus, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	*min_cpus = 64;
	*max_cpus = 0;
	for (unsigned i = 0; i < 2; i++) {
		unsigned n = (unsigned)__builtin_popcountll(((struct spy_node *)out.run.threads[i].node)->cpus);
		*min_cpus = n < *min_cpus ? n : *min_cpus;
		*max_cpus = n > *max_cpus ? n : *max_cpus;
	}
	lb_outcome_free(&out);
	lb_topo_free(topo);
}

Test(stress, shuffle_moves_threads_between_pus, .timeout = 60)
{
	unsigned lo, hi;
	cpus_seen("shuffle_ns=0,stutter_ns=0", &lo, &hi);
	cr_expect_eq(hi, 1, "without shuffle a pinned thread stays on its PU (saw %u)", hi);
	cpus_seen("shuffle_ns=1ms,stutter_ns=0", &lo, &hi);
	cr_expect_geq(lo, 2, "with shuffle every thread ran on two PUs or more (one saw %u)", lo);
}

/* The default oversubscribes: 2 x PUs + 1 threads (checked with a lock whose waiters sleep). */
Test(stress_cli, default_threads_oversubscribe, .timeout = 60)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/d.json", dir);
	const char *args[] = { "stress", "-l", "pthread", "-d", "50ms", "-q", "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *cfg = json_array_get(json_object_get(doc, "configs"), 0);
	json_int_t pus = json_integer_value(json_object_get(json_object_get(json_object_get(doc, "context"), "topology"), "pus"));
	cr_expect_eq(json_integer_value(json_object_get(cfg, "threads")), 2 * pus + 1);
	cr_expect(json_is_true(json_object_get(json_object_get(cfg, "pin"), "oversubscribed")));
	json_decref(doc);
	free(r);
	free(dir);
}

/*
 * Fail: 0 means something only for a lock that was exercised: a run with one
 * thread, or one in which the lock made no acquisition, fails as untested.
 */
Test(stress_cli, an_untested_lock_fails, .timeout = 90)
{
	const char *one[] = { "stress", "-l", "ticket", "-t", "1", "-d", "30ms", "-o", "/dev/null", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, one);
	cr_expect_eq(r->status, 1, "one thread: exit %d: %s", r->status, r->err);
	cr_expect_not_null(strstr(r->out, "untested: one thread"), "%s", r->out);
	free(r);
	char *so = plugin_build("tests/fixtures/plugins/knobs.c", "-DSLOW_ACQUIRE", "slow_acquire");
	cr_assert_not_null(so);
	const char *none_done[] = { "stress", "-l", so, "-t", "2", "-d", "50ms", "--warmup", "1ms", "-o", "/dev/null", NULL };
	r = calloc(1, sizeof *r);
	cli_run(r, none_done);
	cr_expect_eq(r->status, 1, "no acquisition: exit %d: %s", r->status, r->err);
	cr_expect_not_null(strstr(r->out, "untested: no acquisition"), "%s", r->out);
	free(r);
	free(so);
}
