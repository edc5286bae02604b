/*
 * test_compare.c — `lockbench compare` end to end on crafted result pairs in
 * tests/fixtures/compare/ (run from the repository root):
 *
 *   base.json         ticket, mcs, pthread; 10 repetitions, ±0.8% noise
 *   regression.json   ticket throughput -30%; pthread gone, clh new
 *   improvement.json  ticket throughput +30%, p99 -20%
 *   small_change.json ticket throughput -2%: significant, under the 5% threshold
 *   two_reps.json     ticket -30% but only 2 repetitions per config
 *   no_latency.json   latency null (timing off) for ticket and mcs
 *   failed.json       ticket with status "failed" and no samples
 *   broken.json       base.json's figures, but ticket "hung" and mcs "failed"
 *   other_host.json   base.json measured on another host and CPU
 *   no_id_*.json      configs without "id": the loader gives them the identity
 *                     compare always built (model/identity.h, lb_identity_legacy)
 *   the rest          inputs that must be refused with exit 2; among them
 *                     samples_not_array.json and status_not_string.json (NEW
 *                     damaged where compare looks)
 *
 * lb_cmd_compare is called directly with stdout and stderr sent to files;
 * tests/test_compare_outputs.c runs the binary for where outputs go,
 * tests/test_compare_cli.c for --help, -q and every bad input.
 */
#include <criterion/criterion.h>
#include <dirent.h>
#include <jansson.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmd/cli.h"

#define FX "tests/fixtures/compare/"

struct run {
	int rc;
	char *out; /* everything written to stdout */
	char *err; /* everything written to stderr */
};

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;
	long size;

	cr_assert(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	size = ftell(f);
	rewind(f);
	buf = calloc(1, (size_t)size + 1);
	cr_assert(buf);
	len = fread(buf, 1, (size_t)size, f);
	buf[len] = '\0';
	fclose(f);
	return buf;
}

static struct run run_argv(int argc, char **argv)
{
	char out_path[] = "/tmp/lb_compare_outXXXXXX";
	char err_path[] = "/tmp/lb_compare_errXXXXXX";
	struct run r;

	close(mkstemp(out_path));
	close(mkstemp(err_path));
	fflush(stdout);
	fflush(stderr);
	cr_assert(freopen(out_path, "w", stdout));
	cr_assert(freopen(err_path, "w", stderr));
	r.rc = lb_cmd_compare(argc, argv);
	fflush(stdout);
	fflush(stderr);
	r.out = slurp(out_path);
	r.err = slurp(err_path);
	unlink(out_path);
	unlink(err_path);
	return r;
}

/*
 * run("base.json", "new.json", "--opt", ..., NULL): argv[0] is "compare".
 * The table is the wide one (a row per config and metric with its whole id),
 * which the row checks below read.
 */
static struct run run_list(const char *first, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "compare";
	argv[argc++] = "--wide";
	va_start(ap, first);
	for (const char *a = first; a; a = va_arg(ap, const char *)) {
		cr_assert(argc < 31);
		argv[argc++] = (char *)a;
	}
	va_end(ap);
	argv[argc] = NULL;
	return run_argv(argc, argv);
}
#define RUN(...) run_list(__VA_ARGS__, (const char *)NULL)

/* The first output line containing both a and b, copied; NULL if none. */
static char *line_with(const char *text, const char *a, const char *b)
{
	for (const char *line = text; line && *line;) {
		const char *end = strchr(line, '\n');
		size_t len = end ? (size_t)(end - line) : strlen(line);
		char *copy = strndup(line, len);

		if (strstr(copy, a) && strstr(copy, b))
			return copy;
		free(copy);
		line = end ? end + 1 : NULL;
	}
	return NULL;
}

/* The verdict column of the table row for config prefix and metric. */
static void expect_row(const struct run *r, const char *config, const char *metric,
		       const char *verdict)
{
	char key[64];
	char *line;

	snprintf(key, sizeof(key), "  %s  ", metric);
	line = line_with(r->out, config, key);
	cr_assert(line, "no row for %s %s in:\n%s", config, metric, r->out);
	cr_expect(strstr(line, verdict), "%s %s: expected %s, got: %s", config, metric, verdict,
		  line);
	free(line);
}

static void free_run(struct run *r)
{
	free(r->out);
	free(r->err);
}

/* A fresh empty directory for output files. */
static char *temp_dir(void)
{
	char tmpl[] = "/tmp/lb_compare_dirXXXXXX";
	char *d = mkdtemp(tmpl);

	cr_assert(d);
	return strdup(d);
}

/* Removes dir, the files in it, and frees its name. */
static void remove_dir(char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	char path[512];

	while (d && (e = readdir(d))) {
		snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			unlink(path);
	}
	if (d)
		closedir(d);
	rmdir(dir);
	free(dir);
}

static json_t *load_json(const char *path)
{
	json_error_t e;
	json_t *j = json_load_file(path, 0, &e);

	cr_assert(j, "%s: %s (line %d)", path, e.text, e.line);
	return j;
}

/* The row object of the verdict document for config prefix and metric. */
static json_t *json_row(json_t *doc, const char *config, const char *metric)
{
	size_t i;
	json_t *row;

	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		const char *c = json_string_value(json_object_get(row, "config"));
		const char *m = json_string_value(json_object_get(row, "metric"));

		if (c && m && strncmp(c, config, strlen(config)) == 0 && strcmp(m, metric) == 0)
			return row;
	}
	cr_assert_fail("no JSON row for %s %s", config, metric);
	return NULL;
}

static const char *jstr(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "(missing)";
}

Test(compare, regression_exits_1)
{
	struct run r = RUN(FX "base.json", FX "regression.json");

	cr_expect_eq(r.rc, LB_EXIT_CHECK, "stderr: %s", r.err);
	expect_row(&r, "ticket|", "throughput", "regression");
	expect_row(&r, "ticket|", "p99", "ok");
	expect_row(&r, "mcs|", "throughput", "ok");
	cr_expect(strstr(r.out, "compare: regression: 1 regression"), "summary: %s", r.out);
	free_run(&r);
}

Test(compare, identical_results_exit_0)
{
	struct run r = RUN(FX "base.json", FX "base.json");

	cr_expect_eq(r.rc, LB_EXIT_OK, "stderr: %s", r.err);
	cr_expect(strstr(r.out, "compare: ok: 0 regression, 0 improvement, 9 ok"), "%s", r.out);
	cr_expect_str_empty(r.err);
	free_run(&r);
}

Test(compare, improvement_is_not_a_regression)
{
	char *dir = temp_dir();
	char path[256];
	json_t *doc;
	struct run r;

	snprintf(path, sizeof(path), "%s/v.json", dir);
	r = RUN(FX "base.json", FX "improvement.json", "--json", path);
	cr_expect_eq(r.rc, LB_EXIT_OK, "stderr: %s", r.err);
	doc = load_json(path);
	cr_expect_str_eq(jstr(doc, "verdict"), "ok");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "improvement")), 2);
	/* higher-is-better and lower-is-better both recognised */
	cr_expect_str_eq(jstr(json_row(doc, "ticket|", "throughput"), "verdict"), "improvement");
	cr_expect_str_eq(jstr(json_row(doc, "ticket|", "p99"), "verdict"), "improvement");
	cr_expect_str_eq(jstr(json_row(doc, "mcs|", "throughput"), "verdict"), "ok");
	json_decref(doc);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, change_under_threshold_is_ok)
{
	/* -2%, fully separated samples: significant, yet below the 5% default */
	struct run r = RUN(FX "base.json", FX "small_change.json");

	cr_expect_eq(r.rc, LB_EXIT_OK);
	expect_row(&r, "ticket|", "throughput", "ok");
	free_run(&r);

	r = RUN(FX "base.json", FX "small_change.json", "--threshold", "1%");
	cr_expect_eq(r.rc, LB_EXIT_CHECK, "--threshold 1%% should catch -2%%");
	expect_row(&r, "ticket|", "throughput", "regression");
	free_run(&r);

	r = RUN(FX "base.json", FX "small_change.json", "--threshold=1");
	cr_expect_eq(r.rc, LB_EXIT_CHECK, "\"1\" must mean 1%%, like \"1%%\"");
	free_run(&r);

	r = RUN(FX "base.json", FX "small_change.json", "--threshold", "2.5");
	cr_expect_eq(r.rc, LB_EXIT_OK);
	free_run(&r);
}

Test(compare, alpha_decides_significance)
{
	/* the -2% change has p = 1.8e-4: significant at 0.05, not at 1e-4 */
	struct run r = RUN(FX "base.json", FX "small_change.json", "--threshold", "1",
			   "--alpha", "0.0001");

	cr_expect_eq(r.rc, LB_EXIT_OK, "%s", r.out);
	expect_row(&r, "ticket|", "throughput", "ok");
	free_run(&r);
}

Test(compare, two_repetitions_are_inconclusive)
{
	struct run r = RUN(FX "base.json", FX "two_reps.json");

	cr_expect_eq(r.rc, LB_EXIT_OK, "inconclusive alone must not fail the gate");
	expect_row(&r, "ticket|", "throughput", "inconclusive (need 5 reps, have 10/2)");
	cr_expect(strstr(r.err, "inconclusive: 9 rows need >= 5 repetitions per side"),
		  "no loud warning: %s", r.err);
	cr_expect(strstr(r.out, "compare: inconclusive:"), "%s", r.out);
	free_run(&r);

	/* 10 vs 2 fully separated gives p = 2/66 < 0.05 once allowed */
	r = RUN(FX "base.json", FX "two_reps.json", "--min-repeats", "2", "--alpha", "0.05");
	cr_expect_eq(r.rc, LB_EXIT_CHECK, "%s", r.out);
	free_run(&r);
}

Test(compare, default_alpha_is_one_percent)
{
	/* p = 2/66 = 0.03: a regression at 0.05, not at the default 0.01 */
	struct run r = RUN(FX "base.json", FX "two_reps.json", "--min-repeats", "2");

	cr_expect_eq(r.rc, LB_EXIT_OK, "%s", r.out);
	expect_row(&r, "ticket|", "throughput", "ok");
	cr_expect(strstr(r.out, "(threshold 5%, alpha 0.01, min 2 reps)"), "%s", r.out);
	free_run(&r);

	r = RUN(FX "base.json", FX "base.json");
	cr_expect(strstr(r.out, "(threshold 5%, alpha 0.01, min 5 reps)"), "%s", r.out);
	free_run(&r);
}

Test(compare, inconclusive_in_json)
{
	char *dir = temp_dir();
	char path[256];
	json_t *doc, *row;
	struct run r;

	snprintf(path, sizeof(path), "%s/v.json", dir);
	r = RUN(FX "base.json", FX "two_reps.json", "--json", path, "-q");
	cr_expect_eq(r.rc, LB_EXIT_OK);
	doc = load_json(path);
	cr_expect_str_eq(jstr(doc, "verdict"), "inconclusive");
	row = json_row(doc, "ticket|", "throughput");
	cr_expect_str_eq(jstr(row, "verdict"), "inconclusive");
	cr_expect_eq(json_integer_value(json_object_get(row, "repeats_needed")), 5);
	cr_expect_eq(json_integer_value(json_object_get(row, "new_n")), 2);
	json_decref(doc);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, missing_metric_is_na)
{
	char *dir = temp_dir();
	char path[256];
	json_t *doc, *row;
	struct run r;

	snprintf(path, sizeof(path), "%s/v.json", dir);
	r = RUN(FX "base.json", FX "no_latency.json", "--json", path);
	cr_expect_eq(r.rc, LB_EXIT_OK, "stderr: %s", r.err);
	expect_row(&r, "ticket|", "p99", "n/a (no p99 in new)");  /* "latency_ns": null */
	expect_row(&r, "mcs|", "p99", "n/a (no p99 in new)");     /* "p99": null */
	expect_row(&r, "pthread|", "p99", "ok");
	expect_row(&r, "ticket|", "throughput", "ok");
	doc = load_json(path);
	row = json_row(doc, "ticket|", "p99");
	cr_expect_str_eq(jstr(row, "verdict"), "n/a");
	cr_expect(json_is_null(json_object_get(row, "p_value")), "undefined p must be null");
	cr_expect(json_is_null(json_object_get(row, "ratio")));
	json_decref(doc);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, failed_in_new_is_a_regression)
{
	struct run r = RUN(FX "base.json", FX "failed.json");

	cr_expect_eq(r.rc, LB_EXIT_CHECK, "a lock that stopped excluding passed: %s",
		     r.out);
	expect_row(&r, "ticket|", "throughput", "regression (new status \"failed\", base ok)");
	expect_row(&r, "ticket|", "p99", "regression (new status \"failed\", base ok)");
	expect_row(&r, "mcs|", "throughput", "ok");
	cr_expect(strstr(r.out, "compare: regression: 3 regression"), "%s", r.out);
	cr_expect(strstr(r.err, "new status \"failed\" (base was ok): counted as a regression"),
		  "%s", r.err);
	free_run(&r);
}

Test(compare, bad_status_wins_over_good_figures)
{
	/* broken.json has base.json's very figures: only the status tells */
	char *dir = temp_dir();
	char jpath[256], mpath[256];
	json_t *doc, *row;
	char *md;
	struct run r;

	snprintf(jpath, sizeof(jpath), "%s/v.json", dir);
	snprintf(mpath, sizeof(mpath), "%s/s.md", dir);
	r = RUN(FX "base.json", FX "broken.json", "--json", jpath, "--markdown", mpath);
	cr_expect_eq(r.rc, LB_EXIT_CHECK, "%s", r.out);
	expect_row(&r, "ticket|", "throughput", "regression (new status \"hung\", base ok)");
	expect_row(&r, "mcs|", "jain", "regression (new status \"failed\", base ok)");
	expect_row(&r, "pthread|", "throughput", "ok");
	doc = load_json(jpath);
	cr_expect_str_eq(jstr(doc, "verdict"), "regression");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "regression")), 6);
	row = json_row(doc, "ticket|", "throughput");
	cr_expect_str_eq(jstr(row, "verdict"), "regression");
	cr_expect_str_eq(jstr(row, "reason"), "new status \"hung\", base ok");
	json_decref(doc);
	md = slurp(mpath);
	cr_expect(strstr(md, "| **regression (new status \"failed\", base ok)** |"), "%s", md);
	free(md);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, failed_in_base_only_is_na)
{
	/* the other way round it may be a fix: nothing to judge, nothing to fail */
	struct run r = RUN(FX "failed.json", FX "base.json");

	cr_expect_eq(r.rc, LB_EXIT_OK, "%s", r.out);
	expect_row(&r, "ticket|", "throughput", "n/a (base status \"failed\")");
	expect_row(&r, "mcs|", "throughput", "ok");
	cr_expect_null(strstr(r.err, "counted as a regression"), "%s", r.err);
	free_run(&r);

	r = RUN(FX "failed.json", FX "broken.json");
	cr_expect_eq(r.rc, LB_EXIT_CHECK, "mcs failed only in new: %s", r.out);
	expect_row(&r, "ticket|", "throughput", "n/a (base status \"failed\")");
	expect_row(&r, "mcs|", "throughput", "regression (new status \"failed\", base ok)");
	free_run(&r);
}

Test(compare, other_machine_refused_unless_allowed)
{
	struct run r = RUN(FX "base.json", FX "other_host.json");
	char *nl;

	cr_expect_eq(r.rc, LB_EXIT_USAGE, "another host and CPU: refused");
	cr_expect(strstr(r.err, "host (base \"h1\", new \"h2\")"), "%s", r.err);
	cr_expect(strstr(r.err, "CPU (base"), "%s", r.err);
	cr_expect(strstr(r.err, "--allow-mismatch machine"), "%s", r.err);
	nl = strchr(r.err, '\n');
	cr_expect(nl && nl[1] == '\0', "not one line: %s", r.err);
	cr_expect_str_empty(r.out);
	free_run(&r);

	r = RUN(FX "base.json", FX "other_host.json", "--allow-mismatch", "machine");
	cr_expect_eq(r.rc, LB_EXIT_OK, "%s", r.err);
	cr_expect(strstr(r.err, "lockbench: compare: warning: measured differently, allowed by --allow-mismatch "
				"machine: host (base \"h1\", new \"h2\")"),
		  "%s", r.err);
	free_run(&r);
}

Test(compare, configs_without_id_pair_by_identity)
{
	/* new lists lock and workload params in another order: identity sorts keys */
	struct run r = RUN(FX "no_id_base.json", FX "no_id_new.json");

	cr_expect_eq(r.rc, LB_EXIT_CHECK, "stderr: %s", r.err);
	expect_row(&r, "backoff:max_ns=1000,min_ns=10|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact",
		   "throughput", "regression");
	expect_row(&r, "mcs|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact", "throughput", "ok");
	cr_expect_null(strstr(r.out, "only in"), "%s", r.out);
	free_run(&r);
}

Test(compare, one_sided_configs_are_listed)
{
	char *dir = temp_dir();
	char path[256];
	json_t *doc, *only;
	struct run r;

	snprintf(path, sizeof(path), "%s/v.json", dir);
	r = RUN(FX "base.json", FX "regression.json", "--json", path);
	cr_expect(strstr(r.out, "only in base: pthread|"), "%s", r.out);
	cr_expect(strstr(r.out, "only in new: clh|"), "%s", r.out);
	doc = load_json(path);
	only = json_object_get(doc, "only_in_base");
	cr_expect_eq(json_array_size(only), 1);
	cr_expect(strncmp(json_string_value(json_array_get(only, 0)), "pthread|", 8) == 0);
	only = json_object_get(doc, "only_in_new");
	cr_expect_eq(json_array_size(only), 1);
	cr_expect(strncmp(json_string_value(json_array_get(only, 0)), "clh|", 4) == 0);
	json_decref(doc);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, metric_list_selects_rows)
{
	char *dir = temp_dir();
	char path[256];
	json_t *doc, *row;
	size_t i;
	struct run r;

	snprintf(path, sizeof(path), "%s/v.json", dir);
	r = RUN(FX "base.json", FX "regression.json", "--metric", "fairness_factor,max,max", "--json",
		path);
	cr_expect_eq(r.rc, LB_EXIT_OK, "throughput was not asked for: %s", r.out);
	doc = load_json(path);
	cr_expect_eq(json_array_size(json_object_get(doc, "rows")), 4, "2 pairs x 2 metrics");
	json_array_foreach(json_object_get(doc, "rows"), i, row) {
		const char *m = jstr(row, "metric");

		cr_expect(strcmp(m, "fairness_factor") == 0 || strcmp(m, "max") == 0, "%s", m);
	}
	cr_expect_str_eq(jstr(json_row(doc, "mcs|", "fairness_factor"), "better"), "lower");
	json_decref(doc);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, json_verdict_document)
{
	char *dir = temp_dir();
	char path[256];
	json_t *doc, *row, *ci;
	struct run r;

	snprintf(path, sizeof(path), "%s/v.json", dir);
	r = RUN(FX "base.json", FX "regression.json", "--json", path);
	cr_expect_eq(r.rc, LB_EXIT_CHECK);
	doc = load_json(path);
	cr_expect_str_eq(jstr(doc, "schema"), "lockbench-compare/1");
	cr_expect_str_eq(jstr(doc, "verdict"), "regression");
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "regression")), 1);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(doc, "counts"), "ok")), 5);
	row = json_row(doc, "ticket|", "throughput");
	cr_expect_str_eq(jstr(row, "verdict"), "regression");
	cr_expect_str_eq(jstr(row, "better"), "higher");
	cr_expect_float_eq(json_real_value(json_object_get(row, "ratio")), 0.7007, 1e-9);
	cr_expect_lt(json_real_value(json_object_get(row, "p_value")), 0.05);
	ci = json_object_get(row, "ratio_ci95");
	cr_expect(json_real_value(json_array_get(ci, 0)) < 0.7007 &&
		  0.7007 < json_real_value(json_array_get(ci, 1)), "CI misses the ratio");
	cr_expect_eq(json_integer_value(json_object_get(row, "base_n")), 10);
	json_decref(doc);
	free_run(&r);
	remove_dir(dir);
}

Test(compare, markdown_summary)
{
	char *dir = temp_dir();
	char path[256];
	char *md;
	struct run r;

	snprintf(path, sizeof(path), "%s/s.md", dir);
	r = RUN(FX "base.json", FX "regression.json", "--markdown", path);
	cr_expect_eq(r.rc, LB_EXIT_CHECK);
	md = slurp(path);
	cr_expect(strstr(md, "### lockbench compare: regression\n"), "%s", md);
	cr_expect(strstr(md, "| config | metric | base | new | change | 95% CI | p | verdict |"));
	/* the '|' inside an id must not split the table cell */
	cr_expect(strstr(md, "| ticket\\|cs:cs\\_lines=1"), "%s", md);
	cr_expect(strstr(md, "| **regression** |"), "%s", md);
	free(md);
	free_run(&r);
	remove_dir(dir);
}
