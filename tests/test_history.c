/*
 * test_history.c — `lockbench history`: a series of results, a trend table
 * and a chart per metric, and compare's verdict of the last against the
 * baseline. The series is made of tests/fixtures/compare/ results (base,
 * small_change: ticket -2%, regression: ticket -30%, pthread gone, clh new).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

static char *dir;

static void setup(void)
{
	dir = cli_tmpdir();
	cr_assert(dir);
	setenv("LOCKBENCH_PLOTS_DIR", "plots", 1);
}

static void teardown(void)
{
	char cmd[512];

	snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
	cr_expect_eq(system(cmd), 0);
	free(dir);
}

TestSuite(history, .init = setup, .fini = teardown, .timeout = 60);

/* The line of text holding both a and b; "" if none. */
static const char *line_with(const char *text, const char *a, const char *b)
{
	static char line[2048];

	for (const char *p = text; p && *p;) {
		const char *end = strchr(p, '\n');
		size_t len = end ? (size_t)(end - p) : strlen(p);

		snprintf(line, sizeof line, "%.*s", (int)len, p);
		if (strstr(line, a) && strstr(line, b))
			return line;
		p = end ? end + 1 : NULL;
	}
	return "";
}

/* A copy of fixture src as dir/name, started at `started` and (if not NULL) measured for duration_ns. */
static char *copy(const char *src, const char *name, const char *started, long long duration_ns)
{
	json_error_t je;
	json_t *doc = json_load_file(src, 0, &je), *x;
	char *path = malloc(strlen(dir) + strlen(name) + 2);

	cr_assert(doc, "%s", je.text);
	sprintf(path, "%s/%s", dir, name);
	x = json_object_get(doc, "context");
	json_object_set_new(x, "started_utc", json_string(started));
	if (duration_ns)
		json_object_set_new(x, "options",
				    json_pack("{s:I, s:I, s:i, s:s, s:i, s:I, s:s}", "duration_ns", (json_int_t)duration_ns,
					      "warmup_ns", (json_int_t)100000000, "repeat", 10, "pin", "compact",
					      "timing_sample_every", 16, "slice_ns", (json_int_t)10000000, "busy_rate",
					      "given"));
	cr_assert_eq(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	return path;
}

Test(history, trend_and_verdict_of_the_last)
{
	static struct cli_result r;
	const char *args[] = { "history", FX "base.json", FX "small_change.json", FX "regression.json", "--metric",
			       "throughput,p99", "--wide", NULL };

	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "ticket lost 30%% in the last: %s", r.err);
	cr_expect(strstr(r.out, "history: 3 results, baseline #1 abc123, last #3 abc123"), "%s", r.out);
	cr_expect(strstr(r.out, "throughput (per_s, higher is better)"), "%s", r.out);
	cr_expect(strstr(line_with(r.out, "ticket|", "10.0M"), "9.81M -1.9%  7.01M -29.9%"), "%s", r.out);
	cr_expect(strstr(line_with(r.out, "pthread|", "40.0M"), "40.0M +0.1%"), "gone in #3: %s", r.out);
	cr_expect(strstr(line_with(r.out, "clh|", "-"), "14.0M"), "new in #3: %s", r.out);
	cr_expect(strstr(line_with(r.out, "ticket|", "  throughput  "), "regression"), "the verdict: %s", r.out);
	cr_expect(strstr(line_with(r.out, "mcs|", "  throughput  "), " ok"), "%s", r.out);
}

Test(history, the_baseline_is_chosen)
{
	static struct cli_result r;
	const char *among[] = { "history", FX "base.json", FX "small_change.json", FX "regression.json",
				"--baseline", FX "small_change.json", "--metric", "throughput", "--wide", NULL };
	const char *outside[] = { "history", FX "small_change.json", FX "regression.json", "--baseline",
				  FX "base.json", "--metric", "throughput", NULL };

	cli_run(&r, among);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, "baseline #2 abc123"), "%s", r.out);
	cr_expect(strstr(line_with(r.out, "ticket|", "10.0M +1.9%"), "7.01M -28.6%"), "%s", r.out);
	cli_run(&r, outside);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(line_with(r.out, "#1 abc123", "base.json"), "(baseline)"), "put first: %s", r.out);
}

/*
 * Without --wide, as compare's table: a config is named by what tells it
 * apart (the lock here), what every config shares is said once above.
 */
Test(history, rows_named_by_what_tells_them_apart)
{
	static struct cli_result r;
	const char *args[] = { "history", FX "base.json", FX "small_change.json", FX "regression.json", "--metric",
			       "throughput", NULL };

	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, "\nevery config: cs:cs_lines=1,cs_ns=0,think_ns=0 threads=2 pin=compact\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\nticket       10.0M  9.81M -1.9%  7.01M -29.9%\n"), "%s", r.out);
	cr_expect(strstr(r.out, "\nclh              -            -         14.0M\n"), "%s", r.out);
	cr_expect_null(strstr(r.out, "ticket|"), "no whole id: %s", r.out);
	cr_expect(strstr(r.out, "\n  throughput 10.0M/s  7.01M/s  -29.9%"), "the verdict's 80-column table: %s", r.out);
}

/* --filter keeps some configs; one added later is "-" before it, but the baseline must keep one. */
Test(history, filtered)
{
	static struct cli_result r;
	const char *mcs[] = { "history", FX "base.json", FX "small_change.json", FX "regression.json", "--metric",
			      "throughput", "--filter", "lock=mcs,clh", "--wide", NULL };
	const char *clh[] = { "history", FX "base.json", FX "regression.json", "--filter", "lock=clh", NULL };

	cli_run(&r, mcs);
	cr_expect_eq(r.status, 0, "ticket's regression filtered out: %s", r.err);
	cr_expect(strstr(r.out, "\nmcs|"), "%s", r.out);
	cr_expect(strstr(r.out, "\nclh|"), "%s", r.out);
	cr_expect_null(strstr(r.out, "ticket|"), "%s", r.out);
	cr_expect_null(strstr(r.out, "pthread|"), "%s", r.out);
	cli_run(&r, clh);
	cr_expect_eq(r.status, 2, "%s", r.out);
	cr_expect(strstr(r.err, "base.json: no config matches --filter lock=clh"), "%s", r.err);
}

Test(history, a_directory_in_time_order)
{
	static struct cli_result r;
	char v[512];

	/* names in the opposite order of the times: time decides */
	free(copy(FX "regression.json", "a.json", "2026-11-03T00:00:00Z", 0));
	free(copy(FX "small_change.json", "b.json", "2026-11-02T00:00:00Z", 0));
	free(copy(FX "base.json", "c.json", "2026-11-01T00:00:00Z", 0));
	/* a verdict in the directory is no result: passed over */
	snprintf(v, sizeof v, "%s/verdict.json", dir);
	const char *cmp[] = { "compare", "-q", FX "base.json", FX "base.json", "--json", v, NULL };
	cli_run(&r, cmp);
	cr_assert_eq(r.status, 0, "%s", r.err);
	const char *args[] = { "history", dir, "--metric", "throughput", NULL };
	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(line_with(r.out, "#1 ", "c.json"), "(baseline)"), "%s", r.out);
	cr_expect(strstr(line_with(r.out, "#3 ", "2026-11-03"), "a.json"), "%s", r.out);
	cr_expect(strstr(r.out, "history: 3 results"), "%s", r.out);
}

Test(history, measured_differently_is_refused_naming_the_file)
{
	static struct cli_result r;
	char *a = copy(FX "base.json", "a.json", "2026-11-01T00:00:00Z", 200000000);
	char *b = copy(FX "small_change.json", "b.json", "2026-11-02T00:00:00Z", 300000000);
	char *c = copy(FX "base.json", "c.json", "2026-11-03T00:00:00Z", 200000000);
	const char *args[] = { "history", a, b, c, NULL, NULL, NULL };
	const char *nl;

	cli_run(&r, args);
	cr_expect_eq(r.status, 2, "%s", r.err);
	cr_expect(strstr(r.err, "b.json: base and new were measured differently: duration (base 200ms, new 300ms)"),
		  "%s", r.err);
	nl = strchr(r.err, '\n');
	cr_expect(nl && nl[1] == '\0', "one line: %s", r.err);
	args[4] = "--allow-mismatch";
	args[5] = "options";
	cli_run(&r, args);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "warning: "), "%s", r.err);
	free(a);
	free(b);
	free(c);
}

Test(history, a_chart_per_metric)
{
	static struct cli_result r;
	char out[512], path[600];
	const char *args[] = { "history", FX "base.json", FX "small_change.json", FX "regression.json", "--metric",
			       "throughput,jain", "--plot", out, "-q", NULL };
	FILE *f;
	char line[4096];
	bool found = false;

	snprintf(out, sizeof out, "%s/charts", dir);
	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "%s", r.err);
	for (const char *const *name = (const char *const[]){ "history-throughput.png", "history-jain.svg",
							      "history-jain.dat", "meta.gp", NULL };
	     *name; name++) {
		snprintf(path, sizeof path, "%s/%s", out, *name);
		cr_expect_eq(access(path, R_OK), 0, "%s missing", path);
	}
	snprintf(path, sizeof path, "%s/history-throughput.dat", out);
	f = fopen(path, "r");
	cr_assert(f);
	/* row of result #3: ticket (config 1) median 7.007M and its CI, mcs 15.0M, pthread absent (NaN), clh 14M */
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "2 \"#3 abc123\"", 13) == 0) {
			found = true;
			cr_expect(strstr(line, " 7007000 6965000 7035000 15015000 "), "%s", line);
			cr_expect(strstr(line, " NaN NaN NaN "), "%s", line);
		}
	fclose(f);
	cr_expect(found, "no row for #3 in %s", path);
}

Test(history, markdown_has_the_trend_and_the_verdict)
{
	static struct cli_result r;
	const char *args[] = { "history", FX "base.json", FX "regression.json", "--metric", "throughput",
			       "--markdown", "-", NULL };

	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "%s", r.err);
	cr_expect(strstr(r.out, "### lockbench history: 2 results, baseline #1 abc123"), "%s", r.out);
	cr_expect(strstr(r.out, "| 7.01M -29.9% |"), "%s", r.out);
	cr_expect(strstr(r.out, "### lockbench compare: regression"), "%s", r.out);
}

static void expect_bad(const char *const *args, const char *needle)
{
	static struct cli_result r;
	const char *nl;

	cli_run(&r, args);
	cr_expect_eq(r.status, 2, "%s: %s", needle, r.err);
	cr_expect(strstr(r.err, needle), "want \"%s\" in: %s", needle, r.err);
	nl = strchr(r.err, '\n');
	cr_expect(nl && nl[1] == '\0', "not one line: %s", r.err);
	cr_expect_str_empty(r.out);
}

Test(history, bad_inputs_are_one_line)
{
	const char *none[] = { "history", NULL };
	const char *one[] = { "history", FX "base.json", NULL };
	const char *last[] = { "history", FX "base.json", FX "regression.json", "--baseline", FX "regression.json",
			       NULL };
	const char *missing[] = { "history", FX "base.json", FX "nosuch.json", NULL };
	const char *broken[] = { "history", FX "base.json", FX "invalid.json", NULL };
	const char *empty_dir[] = { "history", dir, NULL };
	const char *metric[] = { "history", FX "base.json", FX "base.json", "--metric", "speed", NULL };

	expect_bad(none, "expected result files or a directory");
	expect_bad(one, "fewer than two results");
	expect_bad(last, "the baseline is the last result");
	expect_bad(missing, "nosuch.json");
	expect_bad(broken, "invalid.json: invalid JSON");
	expect_bad(empty_dir, "fewer than two results");
	expect_bad(metric, "unknown metric \"speed\"");
}
