/*
 * test_compare_scale.c — `lockbench compare` grows as n log n in the number of
 * configs, not n²: pairing sorts the ids instead of scanning for each one.
 *
 * Two result pairs, one with 8 times the configs of the other, compared by
 * the binary; what is compared is the CPU time the two runs take, side by
 * side (never an absolute time: the machine is shared). The configs have no
 * samples, so every row is n/a and what is measured is loading and pairing.
 * Their ids share a long prefix, as ids of one lock's variants do, which is
 * what made the old linear search per config cost seconds at 10^4 configs.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

/* A copy of base.json with n configs like its first one, ids distinct by i. */
static char *write_result(const char *dir, const char *name, size_t n, size_t shift)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "base.json", 0, &je), *configs = json_array();
	json_t *proto;
	char prefix[201], *path = NULL;

	cr_assert(doc && configs, "%s", je.text);
	proto = json_array_get(json_object_get(doc, "configs"), 0);
	memset(prefix, 'x', sizeof(prefix) - 1);
	prefix[sizeof(prefix) - 1] = '\0';
	for (size_t i = 0; i < n; i++) {
		json_t *c = json_deep_copy(proto);
		char tag[256], id[512];
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
	const size_t small = 1500, large = 8 * small;
	char *dir = cli_tmpdir(), *cmd = NULL;
	char *bs = write_result(dir, "base-small.json", small, 0), *ns = write_result(dir, "new-small.json", small, 7);
	char *bl = write_result(dir, "base-large.json", large, 0), *nl = write_result(dir, "new-large.json", large, 7);
	double ts = compare_cpu_s(bs, ns), tl = compare_cpu_s(bl, nl);

	/*
	 * 8 times the configs: n log n costs about 9 times as much, n² 64 times.
	 * 24 leaves room for a noisy neighbour and the small run's fixed costs
	 * (start-up, loading the fixture-sized parts), and still fails n².
	 */
	cr_expect(tl < 24 * ts + 0.05, "%zu configs took %.3f s of CPU, %zu took %.3f s: %.1f times for 8 times the configs",
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
