/*
 * tests/test_topo.c — topology loading, pin policies and binding.
 *
 * Planning is tested on synthetic hwloc topologies so the expected PU
 * sequences are the same on every machine. Loading and binding are tested on
 * the real machine, checking the kernel's view of the thread's affinity
 * rather than trusting our own return codes.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>

#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/topo.h"

#define SYN_2x4x2 "pack:2 core:4 pu:2"

static struct lb_topo *load_ok(const char *synthetic)
{
	struct lb_topo *t = NULL;
	char err[256] = "";

	cr_assert_eq(lb_topo_load(&t, synthetic, err, sizeof(err)), 0, "load %s: %s",
		     synthetic ? synthetic : "(machine)", err);
	cr_assert_not_null(t);
	return t;
}

static struct lb_pin_spec parse_ok(const char *text)
{
	struct lb_pin_spec spec;
	char err[256] = "";

	memset(&spec, 0, sizeof(spec));
	cr_assert_eq(lb_pin_parse(text, &spec, err, sizeof(err)), 0, "parse %s: %s", text, err);
	return spec;
}

/* Plan nthreads (≤ 64) threads with policy text on t and compare with want. */
static void expect_plan(struct lb_topo *t, const char *policy, unsigned nthreads,
			const int *want, bool want_over)
{
	struct lb_pin_spec spec = parse_ok(policy);
	int pus[64];
	bool over = !want_over;
	char err[256] = "";

	cr_assert_leq(nthreads, 64);
	cr_assert_eq(lb_pin_plan(t, &spec, nthreads, pus, &over, err, sizeof(err)), 0, "%s: %s",
		     policy, err);
	for (unsigned i = 0; i < nthreads; i++)
		cr_expect_eq(pus[i], want[i], "%s, %u threads: thread %u on PU %d, want %d", policy,
			     nthreads, i, pus[i], want[i]);
	cr_expect_eq(over, want_over, "%s, %u threads: oversubscribed %d, want %d", policy,
		     nthreads, over, want_over);
}

/* The calling thread's affinity as a cpu_set_t. */
static cpu_set_t my_affinity(void)
{
	cpu_set_t set;

	CPU_ZERO(&set);
	cr_assert_eq(pthread_getaffinity_np(pthread_self(), sizeof(set), &set), 0);
	return set;
}

Test(topo_plan, compact_fills_siblings_then_cores)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	static const int want[] = { 0, 1, 2, 3, 4, 5 };

	expect_plan(t, "compact", 6, want, false);
	lb_topo_free(t);
}

Test(topo_plan, scatter_alternates_packages_and_avoids_siblings)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	/* PU p is on package p/8 and core p/2. */
	static const int want6[] = { 0, 8, 2, 10, 4, 12 };
	static const int want16[] = { 0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15 };
	struct lb_pin_spec spec = parse_ok("scatter");
	int pus[16];
	bool over;
	char err[256];

	expect_plan(t, "scatter", 6, want6, false);
	expect_plan(t, "scatter", 16, want16, false);

	/* The properties the exact sequence stands for, stated directly. */
	cr_assert_eq(lb_pin_plan(t, &spec, 8, pus, &over, err, sizeof(err)), 0);
	for (unsigned i = 0; i < 8; i++) {
		cr_expect_eq(pus[i] / 8, (int)(i % 2), "thread %u on package %d", i, pus[i] / 8);
		for (unsigned j = 0; j < i; j++)
			cr_expect_neq(pus[i] / 2, pus[j] / 2, "threads %u and %u share a core", j,
				      i);
	}
	lb_topo_free(t);
}

Test(topo_plan, scatter_without_package_level)
{
	struct lb_topo *t = load_ok("core:4 pu:2");
	static const int want[] = { 0, 2, 4, 6, 1, 3, 5, 7 };

	expect_plan(t, "scatter", 8, want, false);
	lb_topo_free(t);
}

Test(topo_plan, scatter_three_packages)
{
	struct lb_topo *t = load_ok("pack:3 core:2 pu:1");
	static const int want[] = { 0, 2, 4, 1, 3, 5, 0 };

	expect_plan(t, "scatter", 7, want, true);
	lb_topo_free(t);
}

Test(topo_plan, cores_uses_one_pu_per_core)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	static const int want6[] = { 0, 2, 4, 6, 8, 10 };
	static const int want10[] = { 0, 2, 4, 6, 8, 10, 12, 14, 0, 2 };

	expect_plan(t, "cores", 6, want6, false);
	expect_plan(t, "cores", 8, want10, false);
	/* 9 threads on 8 cores: wraps and is oversubscribed although 16 PUs exist. */
	expect_plan(t, "cores", 9, want10, true);
	expect_plan(t, "cores", 10, want10, true);
	lb_topo_free(t);
}

Test(topo_plan, oversubscription_wraps_round_robin)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	int want[18];

	for (int i = 0; i < 18; i++)
		want[i] = i % 16;
	expect_plan(t, "compact", 16, want, false);
	expect_plan(t, "compact", 18, want, true);

	static const int scatter18[] = { 0, 8, 2, 10, 4, 12, 6, 14, 1, 9, 3, 11, 5, 13, 7, 15, 0, 8 };
	expect_plan(t, "scatter", 18, scatter18, true);
	lb_topo_free(t);
}

Test(topo_plan, none_is_unbound)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	int want[17];

	for (int i = 0; i < 17; i++)
		want[i] = -1;
	expect_plan(t, "none", 16, want, false);
	expect_plan(t, "none", 17, want, true);
	lb_topo_free(t);
}

Test(topo_plan, cpus_list_in_given_order_with_wrap)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	static const int want[] = { 9, 0, 2, 4, 5, 6, 7, 9, 0 };

	expect_plan(t, "cpus:9,0,2,4-7", 7, want, false);
	expect_plan(t, "cpus:9,0,2,4-7", 9, want, true);
	lb_topo_free(t);
}

Test(topo_plan, cpus_list_duplicates_count_once)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	static const int want[] = { 3, 3, 5, 3, 3, 5 };

	/* Three entries but two distinct PUs: a third thread must share. */
	expect_plan(t, "cpus:3,3,5", 2, want, false);
	expect_plan(t, "cpus:3,3,5", 3, want, true);
	expect_plan(t, "cpus:3,3,5", 6, want, true);
	lb_topo_free(t);
}

Test(topo_plan, cpus_outside_topology_rejected)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	struct lb_pin_spec spec = parse_ok("cpus:0,16");
	int pus[4];
	bool over;
	char err[256] = "";

	cr_assert_eq(lb_pin_plan(t, &spec, 4, pus, &over, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "--pin: cpu 16 is not in the allowed set 0-15");
	lb_topo_free(t);

	t = load_ok("pack:1 core:2 pu:1");
	spec = parse_ok("cpus:7");
	cr_assert_eq(lb_pin_plan(t, &spec, 1, pus, &over, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "--pin: cpu 7 is not in the allowed set 0-1");
	lb_topo_free(t);
}

Test(topo_parse, simple_policies)
{
	cr_expect_eq(parse_ok("compact").policy, LB_PIN_COMPACT);
	cr_expect_eq(parse_ok("scatter").policy, LB_PIN_SCATTER);
	cr_expect_eq(parse_ok("cores").policy, LB_PIN_CORES);
	cr_expect_eq(parse_ok("none").policy, LB_PIN_NONE);
	cr_expect_str_eq(lb_pin_policy_name(LB_PIN_COMPACT), "compact");
	cr_expect_str_eq(lb_pin_policy_name(LB_PIN_SCATTER), "scatter");
	cr_expect_str_eq(lb_pin_policy_name(LB_PIN_CORES), "cores");
	cr_expect_str_eq(lb_pin_policy_name(LB_PIN_NONE), "none");
	cr_expect_str_eq(lb_pin_policy_name(LB_PIN_CPUS), "cpus");
}

Test(topo_parse, cpus_list_ranges_and_duplicates)
{
	static const int want[] = { 0, 2, 4, 5, 6, 7, 2, 11 };
	struct lb_pin_spec spec = parse_ok("cpus:0,2,4-7,2,11-11");

	cr_assert_eq(spec.policy, LB_PIN_CPUS);
	cr_assert_eq(spec.ncpus, 8);
	for (unsigned i = 0; i < spec.ncpus; i++)
		cr_expect_eq(spec.cpus[i], want[i], "cpus[%u] = %d, want %d", i, spec.cpus[i],
			     want[i]);

	spec = parse_ok("cpus:0-1023");
	cr_expect_eq(spec.ncpus, LB_PIN_MAX_CPUS);
	cr_expect_eq(spec.cpus[1023], 1023);
}

Test(topo_parse, bad_policy_text)
{
	static const char *const bad[] = {
		"", "foo", "Compact", "compact ", " compact", "scatter,", "cpu:1", "cpus", "all",
	};
	struct lb_pin_spec spec;
	char err[256];
	char want[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(lb_pin_parse(bad[i], &spec, err, sizeof(err)), -1, "\"%s\" accepted",
			     bad[i]);
		snprintf(want, sizeof(want),
			 "--pin: \"%s\" is not compact, scatter, cores, none or cpus:LIST", bad[i]);
		cr_expect_str_eq(err, want);
	}
	cr_expect_eq(lb_pin_parse(NULL, &spec, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "--pin: missing value");
}

Test(topo_parse, bad_cpu_lists)
{
	static const char *const bad[] = {
		"cpus:",    "cpus:a",   "cpus:1,",      "cpus:,1",     "cpus:1,,2",
		"cpus:1-",  "cpus:-1",  "cpus:1-2-3",   "cpus:1 ",     "cpus: 1",
		"cpus:+1",  "cpus:1x",  "cpus:0x10",    "cpus:5-3",    "cpus:0-1024",
		"cpus:99999999999",     "cpus:0-3,0-1020",
	};
	struct lb_pin_spec spec;
	char err[256];

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		cr_expect_eq(lb_pin_parse(bad[i], &spec, err, sizeof(err)), -1, "\"%s\" accepted",
			     bad[i]);
		cr_expect_eq(strncmp(err, "--pin: \"", 8), 0, "\"%s\": error \"%s\"", bad[i], err);
		cr_expect_not_null(strstr(err, bad[i]), "\"%s\": error \"%s\" does not quote it",
				   bad[i], err);
	}
	lb_pin_parse("cpus:5-3", &spec, err, sizeof(err));
	cr_expect_str_eq(err, "--pin: \"cpus:5-3\": range 5-3 is reversed");
	lb_pin_parse("cpus:1,x", &spec, err, sizeof(err));
	cr_expect_str_eq(err, "--pin: \"cpus:1,x\": \"x\" is not a cpu number or range N-M");
	lb_pin_parse("cpus:0-1024", &spec, err, sizeof(err));
	cr_expect_str_eq(err, "--pin: \"cpus:0-1024\" lists more than 1024 cpus");
}

Test(topo_load, invalid_synthetic)
{
	static const char *const bad[] = { "pack:x", "", "foo:3", "pack:0 pu:2", "pack:2 core" };

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct lb_topo *t = (struct lb_topo *)&t; /* must be reset to NULL */
		char err[256] = "";
		char want[256];

		cr_expect_eq(lb_topo_load(&t, bad[i], err, sizeof(err)), -1, "\"%s\" accepted",
			     bad[i]);
		cr_expect_null(t);
		snprintf(want, sizeof(want), "--synthetic: \"%s\"", bad[i]);
		cr_expect_eq(strncmp(err, want, strlen(want)), 0, "%s", err);
		cr_expect_null(strchr(err, '\n'), "one line: %s", err);
	}
}

/*
 * Found by fuzzing: hwloc builds a tree that disagrees with a description
 * whose PU indexes repeat (a heap overflow when planning on it), and takes
 * minutes over a wide flat level. Both are refused before anything is planned.
 */
Test(topo_load, refuses_bad_indexes_and_huge_descriptions, .timeout = 20)
{
	static const struct {
		const char *s, *why;
	} bad[] = {
		{ "pack:2 core:2 pu:2(indexes=4,4,4,6,1,3,5,7)", "PU indexes must be 0..7 once each" },
		{ "pack:2 core:2 pu:2(indexes=0,1,2,3,4,5,6,99)", "PU indexes must be 0..7 once each" },
		{ "33334", "more than 1024 children on one level" },
		{ "pack:100 core:100 pu:2", "more than 16384 PUs" },
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lb_topo *t = NULL;
		char err[256] = "";
		cr_expect_eq(lb_topo_load(&t, bad[i].s, err, sizeof err), -1, "\"%s\" accepted", bad[i].s);
		cr_expect_null(t);
		cr_expect_not_null(strstr(err, bad[i].why), "%s: %s", bad[i].s, err);
	}
	struct lb_topo *t = load_ok("pack:2 core:2 pu:2(indexes=7,6,5,4,3,2,1,0)");
	lb_topo_free(t);
}

Test(topo_load, synthetic_summary)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	struct lb_topo_summary s;

	lb_topo_summary(t, &s);
	cr_expect_eq(s.packages, 2);
	cr_expect_eq(s.cores, 8);
	cr_expect_eq(s.pus, 16);
	cr_expect_geq(s.numa_nodes, 1);
	cr_expect(s.smt);
	cr_expect(s.synthetic);
	cr_expect_str_eq(s.allowed_cpus, "0-15");
	lb_topo_free(t);

	t = load_ok("pack:1 core:3 pu:1");
	lb_topo_summary(t, &s);
	cr_expect_eq(s.packages, 1);
	cr_expect_eq(s.cores, 3);
	cr_expect_eq(s.pus, 3);
	cr_expect_not(s.smt);
	cr_expect_str_eq(s.allowed_cpus, "0-2");
	lb_topo_free(t);
}

Test(topo_load, this_machine)
{
	struct lb_topo *t = load_ok(NULL);
	struct lb_topo_summary s;
	cpu_set_t aff = my_affinity();

	lb_topo_summary(t, &s);
	cr_expect_geq(s.pus, 1);
	cr_expect_geq(s.cores, 1);
	cr_expect_not(s.synthetic);
	cr_expect_neq(s.allowed_cpus[0], '\0');
	/* Nothing outside our affinity may be usable. */
	cr_expect_leq(s.pus, (unsigned)CPU_COUNT(&aff));
	lb_topo_free(t);
}

Test(topo_pin, self_binds_to_first_allowed_pu)
{
	struct lb_topo *t = load_ok(NULL);
	struct lb_pin_spec spec = parse_ok("compact");
	int pu;
	bool over;
	char err[256] = "";
	cpu_set_t aff;

	cr_assert_eq(lb_pin_plan(t, &spec, 1, &pu, &over, err, sizeof(err)), 0, "%s", err);
	cr_assert_geq(pu, 0);
	cr_assert_eq(lb_pin_self(t, pu, err, sizeof(err)), 0, "%s", err);
	aff = my_affinity();
	cr_expect_eq(CPU_COUNT(&aff), 1, "bound to %d cpus", CPU_COUNT(&aff));
	cr_expect(CPU_ISSET(pu, &aff), "not bound to cpu %d", pu);
	lb_topo_free(t);
}

Test(topo_pin, self_none_leaves_affinity_alone)
{
	struct lb_topo *t = load_ok(NULL);
	cpu_set_t before = my_affinity(), after;
	char err[256] = "";

	cr_assert_eq(lb_pin_self(t, -1, err, sizeof(err)), 0, "%s", err);
	after = my_affinity();
	cr_expect(CPU_EQUAL(&before, &after));
	lb_topo_free(t);
}

Test(topo_pin, self_refused_for_synthetic_and_disallowed)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	cpu_set_t before = my_affinity(), after;
	char err[256] = "";

	cr_expect_eq(lb_pin_self(t, 0, err, sizeof(err)), -1);
	cr_expect_str_eq(err, "--pin: cannot bind to a synthetic topology (\"" SYN_2x4x2 "\")");
	lb_topo_free(t);

	t = load_ok(NULL);
	cr_expect_eq(lb_pin_self(t, 1 << 20, err, sizeof(err)), -1);
	cr_expect_eq(strncmp(err, "--pin: cpu 1048576 is not in the allowed set ", 45), 0, "%s",
		     err);
	after = my_affinity();
	cr_expect(CPU_EQUAL(&before, &after));
	lb_topo_free(t);
}

/*
 * Restrict the process to cpu `keep`, load, and check that `drop` is in no
 * plan. Runs in a forked child: hwloc reads the process binding as the union
 * of all its threads' bindings, and Criterion's worker has a helper thread
 * we cannot restrict; the child of fork() has only this thread. Returns the
 * number of failed checks, each described on stderr.
 */
static int restricted_child(int keep, int drop)
{
	struct lb_topo *t;
	struct lb_topo_summary s;
	struct lb_pin_spec spec;
	char text[32], want[96], err[256] = "";
	int pus[2], failed = 0;
	bool over;
	cpu_set_t one;

#define CHECK(cond, ...)                                  \
	do {                                              \
		if (!(cond)) {                            \
			fprintf(stderr, __VA_ARGS__);     \
			fputc('\n', stderr);              \
			failed++;                         \
		}                                         \
	} while (0)

	CPU_ZERO(&one);
	CPU_SET(keep, &one);
	if (sched_setaffinity(0, sizeof(one), &one) != 0)
		return 100;
	if (lb_topo_load(&t, NULL, err, sizeof(err)) != 0) {
		fprintf(stderr, "load: %s\n", err);
		return 100;
	}
	lb_topo_summary(t, &s);
	CHECK(s.pus == 1, "restricted topology has %u PUs", s.pus);
	snprintf(want, sizeof(want), "%d", keep);
	CHECK(strcmp(s.allowed_cpus, want) == 0, "allowed cpus \"%s\", want \"%s\"",
	      s.allowed_cpus, want);

	static const char *const policies[] = { "compact", "scatter", "cores" };
	for (size_t i = 0; i < sizeof(policies) / sizeof(policies[0]); i++) {
		lb_pin_parse(policies[i], &spec, err, sizeof(err));
		CHECK(lb_pin_plan(t, &spec, 2, pus, &over, err, sizeof(err)) == 0, "%s: %s",
		      policies[i], err);
		CHECK(pus[0] == keep && pus[1] == keep, "%s: plan %d,%d, want %d,%d",
		      policies[i], pus[0], pus[1], keep, keep);
		CHECK(over, "%s: 2 threads on 1 PU not oversubscribed", policies[i]);
	}

	snprintf(text, sizeof(text), "cpus:%d", drop);
	lb_pin_parse(text, &spec, err, sizeof(err));
	CHECK(lb_pin_plan(t, &spec, 1, pus, &over, err, sizeof(err)) == -1, "%s accepted", text);
	snprintf(want, sizeof(want), "--pin: cpu %d is not in the allowed set %d", drop, keep);
	CHECK(strcmp(err, want) == 0, "error \"%s\", want \"%s\"", err, want);
	CHECK(lb_pin_self(t, drop, err, sizeof(err)) == -1, "bound to disallowed cpu %d", drop);
	lb_topo_free(t);
#undef CHECK
	return failed;
}

/* With the process restricted to one cpu (as by taskset), the others must vanish. */
Test(topo_pin, restricted_affinity_hides_other_cpus)
{
	cpu_set_t aff = my_affinity();
	int first = -1, second = -1, status;
	pid_t pid;

	for (int c = 0; c < CPU_SETSIZE; c++) {
		if (!CPU_ISSET(c, &aff))
			continue;
		if (first < 0)
			first = c;
		else if (second < 0)
			second = c;
	}
	if (second < 0)
		cr_skip_test("needs two allowed cpus");

	/* Keep the second cpu, so "first allowed PU" shortcuts would be caught. */
	fflush(NULL);
	pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0)
		_exit(restricted_child(second, first));
	cr_assert_eq(waitpid(pid, &status, 0), pid);
	cr_assert(WIFEXITED(status), "child died");
	cr_expect_eq(WEXITSTATUS(status), 0, "%d checks failed (see stderr)", WEXITSTATUS(status));
}

struct pin_arg {
	const struct lb_topo *t;
	int pu;
	int rc;
	int bound_count;
	bool bound_to_pu;
};

static void *pin_thread(void *p)
{
	struct pin_arg *a = p;
	char err[256];
	cpu_set_t set;

	a->rc = lb_pin_self(a->t, a->pu, err, sizeof(err));
	CPU_ZERO(&set);
	pthread_getaffinity_np(pthread_self(), sizeof(set), &set);
	a->bound_count = CPU_COUNT(&set);
	a->bound_to_pu = CPU_ISSET(a->pu, &set);
	return NULL;
}

/* Threads pin themselves concurrently from one shared topology, as the runner does. */
Test(topo_pin, threads_bind_concurrently)
{
	struct lb_topo *t = load_ok(NULL);
	struct lb_pin_spec spec = parse_ok("scatter");
	enum { N = 4 };
	int pus[N];
	struct pin_arg args[N];
	pthread_t tid[N];
	bool over;
	char err[256] = "";
	cpu_set_t before = my_affinity(), after;

	cr_assert_eq(lb_pin_plan(t, &spec, N, pus, &over, err, sizeof(err)), 0, "%s", err);
	for (int i = 0; i < N; i++) {
		args[i] = (struct pin_arg){ .t = t, .pu = pus[i] };
		cr_assert_eq(pthread_create(&tid[i], NULL, pin_thread, &args[i]), 0);
	}
	for (int i = 0; i < N; i++) {
		pthread_join(tid[i], NULL);
		cr_expect_eq(args[i].rc, 0, "thread %d", i);
		cr_expect_eq(args[i].bound_count, 1, "thread %d on %d cpus", i,
			     args[i].bound_count);
		cr_expect(args[i].bound_to_pu, "thread %d not on cpu %d", i, pus[i]);
	}
	/* Binding is per thread: the creating thread is untouched. */
	after = my_affinity();
	cr_expect(CPU_EQUAL(&before, &after));
	lb_topo_free(t);
}

Test(topo_print, plan_table)
{
	struct lb_topo *t = load_ok(SYN_2x4x2);
	struct lb_pin_spec spec = parse_ok("scatter");
	int pus[3];
	bool over;
	char err[256], *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);

	cr_assert_not_null(f);
	cr_assert_eq(lb_pin_plan(t, &spec, 3, pus, &over, err, sizeof(err)), 0);
	lb_topo_print_plan(f, t, &spec, pus, 3, over);
	fclose(f);
	cr_expect_not_null(strstr(buf, "synthetic \"" SYN_2x4x2 "\""), "%s", buf);
	cr_expect_not_null(strstr(buf, "packages 2, NUMA nodes 1, cores 8, PUs 16, SMT yes"), "%s",
			   buf);
	cr_expect_not_null(strstr(buf, "allowed cpus: 0-15"), "%s", buf);
	cr_expect_not_null(strstr(buf, "pin: scatter, 3 threads\n"), "%s", buf);
	/* thread 1 → PU 8, core 4, package 1 */
	cr_expect_not_null(strstr(buf, "       1     8     4        1\n"), "%s", buf);
	free(buf);

	int unbound[17];

	buf = NULL;
	f = open_memstream(&buf, &len);
	cr_assert_not_null(f);
	spec = parse_ok("none");
	cr_assert_eq(lb_pin_plan(t, &spec, 17, unbound, &over, err, sizeof(err)), 0);
	lb_topo_print_plan(f, t, &spec, unbound, 17, over);
	fclose(f);
	cr_expect_not_null(strstr(buf, "pin: none, 17 threads (oversubscribed"), "%s", buf);
	cr_expect_not_null(strstr(buf, "oversubscribed"), "%s", buf);
	cr_expect_not_null(strstr(buf, "       0  none     -        -\n"), "%s", buf);
	free(buf);
	lb_topo_free(t);
}
