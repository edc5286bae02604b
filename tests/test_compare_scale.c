/*
 * test_compare_scale.c — `lockbench compare` grows as n log n in the number of
 * configs, not n²: pairing sorts the ids instead of scanning for each one.
 *
 * Two result pairs, one with 16 times the configs of the other, compared by
 * the binary; what is compared is the CPU time the two runs take, side by
 * side (never an absolute time: the machine is shared). The configs have no
 * samples, so every row is n/a and what is measured is loading and pairing.
 * Their ids share a long prefix, as ids of one lock's variants do, which is
 * what made the old linear search per config cost seconds at 10^4 configs.
 * The same is asked of lb_compare alone, on results built in memory, where
 * nothing but pairing grows with the configs.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "analysis/compare.h"
#include "cli_util.h"
#include "model/model.h"

#define FX "tests/fixtures/compare/"

/* A copy of base.json with n configs like its first one, ids distinct by i. */
static char *write_result(const char *dir, const char *name, size_t n, size_t shift)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "base.json", 0, &je), *configs = json_array();
	json_t *proto;
	char prefix[601], *path = NULL;

	cr_assert(doc && configs, "%s", je.text);
	proto = json_array_get(json_object_get(doc, "configs"), 0);
	memset(prefix, 'x', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_deep_copy(proto);
		char tag[700], id[900];
		size_t k = (i + shift) % n; /* new lists them in another order */

		snprintf(tag, sizeof(tag), "%s-%zu", prefix, k);
		snprintf(id, sizeof(id), "ticket:tag=%s|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact", tag);
		cr_assert(c);
		json_object_set_new(c, "id", json_string(id));
		json_object_set_new(json_object_get(c, "lock"), "params", json_pack("{s:s}", "tag", tag));
		json_object_set_new(c, "samples", json_array());
		json_object_del(c, "summary");
		json_array_append_new(configs, c);
	}
	json_object_set_new(doc, "configs", configs);
	cr_assert(asprintf(&path, "%s/%s", dir, name) > 0);
	cr_assert_eq(json_dump_file(doc, path, JSON_COMPACT), 0);
	json_decref(doc);
	return path;
}

static double children_cpu_s(void)
{
	struct rusage ru;

	getrusage(RUSAGE_CHILDREN, &ru);
	return (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6 + (double)ru.ru_stime.tv_sec +
	       (double)ru.ru_stime.tv_usec / 1e6;
}

/* The least CPU time of three `compare base new`, in seconds. */
static double compare_cpu_s(const char *base, const char *nw)
{
	static struct cli_result r;
	double best = 1e9;

	for (int i = 0; i < 3; i++) {
		const char *args[] = { "compare", "-q", base, nw, NULL };
		double t0 = children_cpu_s(), t;

		cli_run(&r, args);
		t = children_cpu_s() - t0;
		/* every row n/a, nothing judged: exit 0 with the "nothing was compared" warning */
		cr_assert_eq(r.status, 0, "%s", r.err);
		cr_assert(strstr(r.err, "nothing was compared"), "%s", r.err);
		best = t < best ? t : best;
	}
	return best;
}

Test(compare_scale, pairing_is_not_quadratic, .timeout = 240)
{
	const size_t small = 1000, large = 16 * small;
	char *dir = cli_tmpdir(), *cmd = NULL;
	char *bs = write_result(dir, "base-small.json", small, 0), *ns = write_result(dir, "new-small.json", small, 7);
	char *bl = write_result(dir, "base-large.json", large, 0), *nl = write_result(dir, "new-large.json", large, 7);
	double ts = compare_cpu_s(bs, ns), tl = compare_cpu_s(bl, nl);

	/*
	 * 16 times the configs: n log n costs about 19 times as much, n² 256
	 * times. 48 leaves room for a noisy neighbour and still fails n² (the
	 * search per config it replaced measured x100 and more here).
	 */
	cr_expect(tl < 48 * ts, "%zu configs took %.3f s of CPU, %zu took %.3f s: %.1f times for 16 times the configs",
		  small, ts, large, tl, tl / ts);
	cr_log_info("compare_scale: %zu configs %.3f s, %zu configs %.3f s (x%.1f)", small, ts, large, tl, tl / ts);
	cr_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
	free(bs);
	free(ns);
	free(bl);
	free(nl);
	free(dir);
}

/* A result of n configs with ids like write_result's, none with samples; new lists them shifted. */
static struct lb_result *result_in_memory(size_t n, size_t shift)
{
	struct lb_result *r = lb_result_new();
	char prefix[101];

	cr_assert(r);
	memset(prefix, 'x', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	for (size_t i = 0; i < n; i++) {
		struct lb_config *c = lb_result_add_config(r);
		char *id = NULL;

		cr_assert(c);
		cr_assert(asprintf(&id, "ticket:tag=%s-%zu|cs:|threads=2|pin=compact", prefix, (i + shift) % n) > 0);
		c->id = id;
		c->status = LB_RS_OK;
	}
	return r;
}

/* The least CPU time of three lb_compare of n configs, in seconds. */
static double pairing_cpu_s(size_t n)
{
	struct lb_result *base = result_in_memory(n, 0), *nw = result_in_memory(n, 3);
	struct lb_compare_settings s;
	double best = 1e9;

	lb_compare_defaults(&s);
	for (int i = 0; i < 3; i++) {
		struct lb_verdict *v = NULL;
		struct timespec t0, t1;
		char err[256];
		double t;

		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t0);
		cr_assert_eq(lb_compare(base, "base", nw, "new", &s, NULL, NULL, &v, err, sizeof(err)), 0, "%s", err);
		clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &t1);
		cr_assert_eq(v->nrows, n * s.nmetrics);
		cr_assert_eq(v->nonly_in_base + v->nonly_in_new, 0);
		lb_verdict_free(v);
		t = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
		best = t < best ? t : best;
	}
	lb_result_free(base);
	lb_result_free(nw);
	return best;
}

Test(compare_scale, lb_compare_pairs_in_n_log_n, .timeout = 120)
{
	const size_t small = 1000, large = 16 * small;
	double ts = pairing_cpu_s(small), tl = pairing_cpu_s(large);

	/* n log n: about 19 times; a search per config: 256 times */
	cr_expect(tl < 64 * ts, "lb_compare: %zu configs %.4f s, %zu configs %.4f s: %.1f times for 16 times the configs",
		  small, ts, large, tl, tl / ts);
	cr_log_info("lb_compare: %zu configs %.4f s, %zu configs %.4f s (x%.1f)", small, ts, large, tl, tl / ts);
}
