/*
 * test_compare_flags.c — a config that becomes starved in NEW is a
 * regression (the flag rule of analysis/compare.h): never starved in BASE,
 * starved in more than half of NEW's repetitions. Variants of
 * tests/fixtures/compare/base.json whose figures are all the same, so that
 * only the starvation flag can make a difference, are written with jansson.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

static char *dir;

static void setup(void)
{
	dir = cli_tmpdir();
	cr_assert(dir);
}

static void teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	free(dir);
}

TestSuite(compare_flags, .init = setup, .fini = teardown);

/* base.json where the first `starved` samples of ticket (config 0) starved; every sample has the group. */
static char *variant(const char *name, int starved)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "base.json", 0, &je), *configs;
	char *path = malloc(strlen(dir) + strlen(name) + 2);

	cr_assert(doc, "%s", je.text);
	sprintf(path, "%s/%s", dir, name);
	configs = json_object_get(doc, "configs");
	for (size_t c = 0; c < json_array_size(configs); c++) {
		json_t *samples = json_object_get(json_array_get(configs, c), "samples");

		for (size_t i = 0; i < json_array_size(samples); i++) {
			bool yes = c == 0 && (int)i < starved;
			json_t *g = json_pack("{s:b, s:[], s:f, s:I, s:I, s:f, s:f}", "starved", yes, "starved_threads",
					      "max_wait_ns", 80240.0, "longest_gap_ns", (json_int_t)(yes ? 600000000 : 1000),
					      "coarse_resolution_ns", (json_int_t)1000000, "share_threshold", 0.1,
					      "gap_threshold", 0.5);

			if (yes)
				json_array_append_new(json_object_get(g, "starved_threads"), json_integer(1));
			json_object_set_new(json_array_get(samples, i), "starvation", g);
		}
	}
	cr_assert_eq(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	return path;
}

/* The line of the table for config prefix and metric. */
static const char *row(const char *out, const char *config, const char *metric)
{
	static char line[1024];

	for (const char *p = out; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		snprintf(line, sizeof(line), "%.*s", (int)len, p);
		if (strncmp(line, config, strlen(config)) == 0 && strstr(line, metric))
			return line;
		p = end ? end + 1 : NULL;
	}
	return "";
}

/* compare with the row per config (--wide): row() finds a config's rows by their id. */
static void compare(struct cli_result *r, int base_starved, int new_starved, const char *metric)
{
	char *a = variant("a.json", base_starved), *b = variant("b.json", new_starved);
	const char *args[] = { "compare", a, b, "--wide", metric ? "--metric" : NULL, metric, NULL };

	cli_run(r, args);
	free(a);
	free(b);
}

Test(compare_flags, starved_new_is_a_regression)
{
	static struct cli_result r;

	compare(&r, 0, 10, NULL);
	cr_expect_eq(r.status, 1, "starved in every new repetition: %s", r.err);
	cr_expect(strstr(row(r.out, "ticket|", "throughput"), "regression (new starved in 10/10 reps, base in 0/10)"),
		  "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "jain"), "regression (new starved"), "%s", r.out);
	cr_expect(strstr(row(r.out, "mcs|", "throughput"), " ok"), "mcs did not starve: %s", r.out);
	cr_expect(strstr(r.err, "new starved in 10/10 reps, base in 0/10: counted as a regression"), "%s", r.err);
}

Test(compare_flags, most_but_not_half_of_the_runs)
{
	static struct cli_result r;

	compare(&r, 0, 6, NULL);
	cr_expect_eq(r.status, 1, "6 of 10: %s", r.out);
	compare(&r, 0, 5, NULL);
	cr_expect_eq(r.status, 0, "5 of 10 is not most: %s", r.out);
	cr_expect_null(strstr(r.out, "starved"), "%s", r.out);
}

Test(compare_flags, starved_in_base_too_is_left_to_the_figures)
{
	static struct cli_result r;

	compare(&r, 1, 10, NULL);
	cr_expect_eq(r.status, 0, "base starved once: the rule does not apply, throughput is the same: %s", r.out);
	/* ...but asked for, the starved metric is judged like any other: median 0 -> 1, U test */
	compare(&r, 1, 10, "throughput,starved");
	cr_expect_eq(r.status, 1, "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "starved"), "regression"), "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "throughput"), " ok"), "%s", r.out);
}

Test(compare_flags, starved_base_only_is_no_regression)
{
	static struct cli_result r;

	compare(&r, 10, 0, "starvation");
	cr_expect_eq(r.status, 0, "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "starved"), "improvement"), "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "longest_gap"), "improvement"), "%s", r.out);
}

Test(compare_flags, metric_groups_expand)
{
	static struct cli_result r;

	compare(&r, 0, 0, "fairness,tail,hold");
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(row(r.out, "ticket|", "fairness_factor"), "ok"), "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "p999"), "ok"), "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "hold_p99"), "n/a (no hold_p99 in either)"), "%s", r.out);
	cr_expect(strstr(row(r.out, "ticket|", "handoff_p50"), "n/a"), "%s", r.out);
}

/*
 * The default table fits 80 columns with the gate's metrics too: a longest
 * gap a million-fold longer is a factor (x600k), not "+59999900.0%", and
 * the flag rule's reason goes under its row when the row is full.
 */
Test(compare_flags, the_80_column_table_holds_the_starvation_group)
{
	static struct cli_result r;
	char *a = variant("a.json", 0), *b = variant("b.json", 10);
	const char *args[] = { "compare", a, b, "--metric", "throughput,starvation", NULL };
	const char *line, *next;

	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "%s", r.err);
	for (line = r.out; line && *line; line = next ? next + 1 : NULL) {
		next = strchr(line, '\n');
		cr_expect_leq(next ? (size_t)(next - line) : strlen(line), 80, "a line over 80 columns: %s", r.out);
	}
	cr_expect(strstr(r.out, "\nticket\n"), "ticket's line: %s", r.out);
	cr_expect(strstr(row(r.out, "  longest_gap", "1us"), "600ms   x600k  [x600k,x600k]"), "%s", r.out);
	cr_expect(strstr(row(r.out, "  starved", "regression"), " 0        1 "), "%s", r.out);
	cr_expect(strstr(r.out, "regression\n    (new starved in 10/10 reps, base in 0/10)\n"), "%s", r.out);
	free(a);
	free(b);
}
