/*
 * test_report.c — `lockbench report` and `lockbench export` through the
 * binary, and `run --csv/--markdown`. What a browser makes of the page is
 * tests/report/check-report.py's (make check-report); here: the page holds
 * every chart inline with unique ids and fetches nothing, strings from the
 * input cannot become markup, a failure writes nothing and leaves no
 * scratch directory, and CSV columns parse (Python's csv module) with
 * hostile text in them.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "plot_util.h"

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p += strlen(needle))
		n++;
	return n;
}

/* Run lockbench with TMPDIR set to a fresh directory, which must be empty again afterwards. */
static struct cli_result *run_scratch(const char *const *args, char **tmpdir_out)
{
	char *tmp = cli_tmpdir();
	setenv("TMPDIR", tmp, 1);
	struct cli_result *r = plot(args);
	unsetenv("TMPDIR");
	cr_expect_eq(cli_count_entries(tmp), 0, "a scratch directory was left in %s", tmp);
	if (tmpdir_out)
		*tmpdir_out = tmp;
	else
		free(tmp);
	return r;
}

Test(report, a_result_and_a_verdict_make_one_page, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = cli_tmpdir(), *page = path_in(dir, "report.html");
	const char *args[] = { "report", FX "result.json", FX "verdict.json", "-o", page, NULL };
	struct cli_result *r = run_scratch(args, NULL);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->err, "report: "), "the closing line: %s", r->err);
	char *html = slurp(page);
	cr_assert_not_null(html);
	cr_expect_eq(strncmp(html, "<!DOCTYPE html>", 15), 0);
	/* throughput, tail, latency, fairness, timeline of the result; compare of the verdict */
	cr_expect_eq(count(html, "<figure class=\"chart\""), 6, "charts");
	cr_expect_eq(count(html, "<svg"), 6, "each chart inline as SVG");
	cr_expect_eq(count(html, "<figcaption>"), 6, "each with what it shows");
	cr_expect(strstr(html, "id=\"in1-summary\""), "the summary table");
	cr_expect(strstr(html, "<section class=\"verdict\" id=\"in2\">"), "the verdict");
	cr_expect(strstr(html, ">regression: 1 regression, 0 improvement, 5 ok"), "the verdict's counts");
	cr_expect_eq(count(html, "<details class=\"config\""), 4, "every config in detail");
	/* Self-contained: nothing fetched, nothing run. */
	cr_expect_null(strstr(html, "<script"), "a script");
	cr_expect_null(strstr(html, "<link"), "a link to a style sheet");
	cr_expect_null(strstr(html, " src="), "a fetched source");
	cr_expect_null(strstr(html, "http://www.w3.org/1999/xlink\" href"), "");
	cr_expect_null(strstr(html, "href=\"http"), "a link out");
	cr_expect_null(strstr(html, "@import"), "an imported style");
	/* Every id once: gnuplot gives every chart the same ones. */
	const char *p = html;
	int dups = 0;
	while ((p = strstr(p, " id=")) != NULL) {
		p += 4;
		char q = *p++, id[256];
		size_t n = strcspn(p, q == '"' ? "\"" : "'");
		snprintf(id, sizeof id, " id=%c%.*s%c", q, (int)n, p, q);
		dups += count(html, id) > 1;
	}
	cr_expect_eq(dups, 0, "ids used more than once");
	free(html), free(r), free(page), free(dir);
}

static void html_names(json_t *doc)
{
	json_object_set_new(json_object_get(doc, "context"), "host", json_string("<script>alert(1)</script>"));
	json_t *configs = json_object_get(doc, "configs"), *c;
	size_t i;
	json_array_foreach(configs, i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		if (strncmp(id, "ticket:", 7) == 0) {
			char *nid;
			cr_assert(asprintf(&nid, "<img src=x onerror=alert(2)>:%s", id + 7) > 0);
			json_object_set_new(c, "id", json_string(nid));
			free(nid);
		}
	}
}

Test(report, strings_from_the_input_cannot_become_markup, .init = use_repo_scripts, .timeout = 120)
{
	char *changed = variant(html_names), *dir = cli_tmpdir(), *page = path_in(dir, "r.html");
	const char *args[] = { "report", changed, "-o", page, "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	char *html = slurp(page);
	cr_expect_null(strstr(html, "<script"), "the host became a script");
	cr_expect_null(strstr(html, "<img"), "a lock name became an image");
	cr_expect(strstr(html, "&lt;script&gt;alert(1)&lt;/script&gt;"), "the host, escaped");
	cr_expect(strstr(html, "&lt;img src=x onerror=alert(2)&gt;"), "the lock, escaped");
	free(html), free(r), free(page), free(changed), free(dir);
}

Test(report, filter_keeps_only_its_configs, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = cli_tmpdir(), *page = path_in(dir, "r.html");
	const char *args[] = { "report", FX "result.json", "--filter", "lock=gil", "-o", page, "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	char *html = slurp(page);
	cr_expect_eq(count(html, "<details class=\"config\""), 2, "gil at 1 and 2 threads only");
	cr_expect(strstr(html, "--filter lock=gil"), "the page says it is filtered");
	free(html), free(r), free(page), free(dir);
}

Test(report, failures_write_nothing_and_leave_nothing, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = cli_tmpdir(), *page = path_in(dir, "r.html");
	FILE *f = fopen(page, "w");
	fputs("the page of an earlier report\n", f);
	fclose(f);
	const char *no_output[] = { "report", FX "result.json", NULL };
	const char *no_file[] = { "report", "-o", page, NULL };
	const char *missing[] = { "report", FX "result.json", "/nonexistent.json", "-o", page, NULL };
	const char *foreign[] = { "report", FX "foreign.json", "-o", page, NULL };
	const char *nothing[] = { "report", FX "result.json", "--filter", "lock=nope", "-o", page, NULL };
	const char *threads[] = { "report", FX "result.json", "-t", "7", "-o", page, NULL };
	const char *bad_dir[] = { "report", FX "result.json", "-o", "/nonexistent/r.html", NULL };
	const char *const *cases[] = { no_output, no_file, missing, foreign, nothing, threads, bad_dir };
	const char *says[] = { "-o PAGE.html", "which files?", "/nonexistent.json", "neither", "no config matches",
			       "no ok sample at 7 threads", "--output" };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct cli_result *r = run_scratch(cases[i], NULL);
		cr_expect_eq(r->status, 2, "case %zu: exit %d: %s", i, r->status, r->err);
		cr_expect(strstr(r->err, says[i]), "case %zu: %s (expected %s)", i, r->err, says[i]);
		cr_expect_eq(cli_lines(r->err), 1, "case %zu: one line: %s", i, r->err);
		free(r);
	}
	/* gnuplot missing: nothing drawn, nothing written. */
	char *path = getenv("PATH") ? strdup(getenv("PATH")) : NULL;
	setenv("PATH", "/nonexistent", 1);
	const char *args[] = { "report", FX "result.json", "-o", page, NULL };
	struct cli_result *r = run_scratch(args, NULL);
	if (path)
		setenv("PATH", path, 1);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect(strstr(r->err, "gnuplot"), "%s", r->err);
	char *kept = slurp(page);
	cr_expect_str_eq(kept, "the page of an earlier report\n", "a failed report replaced the page");
	cr_expect_eq(cli_count_entries(dir), 1, "a temporary file was left beside the page");
	free(kept), free(r), free(path), free(page), free(dir);
}

Test(report, a_page_to_standard_output, .init = use_repo_scripts, .timeout = 120)
{
	const char *args[] = { "report", FX "verdict.json", "-o", "-", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_eq(strncmp(r->out, "<!DOCTYPE html>", 15), 0, "%.200s", r->out);
	cr_expect_eq(r->err[0], '\0', "nothing on stderr: %s", r->err);
	free(r);
}

/* An ab verdict (paired windows) says which test judged it, and a verdict's warnings are shown, escaped. */
Test(report, an_ab_verdict_names_its_test_and_warnings, .init = use_repo_scripts, .timeout = 120)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "verdict.json", 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_object_set_new(json_object_get(doc, "settings"), "test", json_string("wilcoxon-signed-rank"));
	json_object_set_new(doc, "warnings", json_pack("[s]", "base is lockbench 0.1 <b>, new 0.2"));
	char *dir = cli_tmpdir(), *in = path_in(dir, "ab.json"), *page = path_in(dir, "ab.html");
	cr_assert_eq(json_dump_file(doc, in, 0), 0);
	json_decref(doc);
	const char *args[] = { "report", in, "-o", page, NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	char *html = slurp(page);
	cr_assert_not_null(html);
	cr_expect(strstr(html, "(Wilcoxon signed-rank), at least 4 window pairs in one process"), "the test");
	cr_expect_null(strstr(html, "Mann-Whitney"), "not compare's test");
	cr_expect(strstr(html, "<li>base is lockbench 0.1 &lt;b&gt;, new 0.2</li>"), "the warning, escaped");
	free(html), free(r), free(page), free(in), free(dir);
}

/* ---- export and run --csv/--markdown ---- */

/* Check a CSV with Python's csv module: every row as wide as the header; prints "ROWS COLS" on success. */
static char *python_csv(const char *path, const char *extra)
{
	char *cmd, *out = NULL;
	size_t len = 0;
	cr_assert(asprintf(&cmd,
			   "/usr/bin/python3 -c 'import csv, sys\n"
			   "rows = list(csv.reader(open(sys.argv[1], newline=\"\")))\n"
			   "h = rows[0]\n"
			   "assert all(len(r) == len(h) for r in rows), [len(r) for r in rows]\n"
			   "d = [dict(zip(h, r)) for r in rows[1:]]\n"
			   "%s\n"
			   "print(len(rows) - 1, len(h))' %s",
			   extra, path) > 0);
	FILE *p = popen(cmd, "r");
	cr_assert_not_null(p);
	FILE *mem = open_memstream(&out, &len);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		fwrite(buf, 1, n, mem);
	fclose(mem);
	int st = pclose(p);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "python rejected %s: %s", path, out);
	free(cmd);
	return out;
}

Test(export, csv_columns_parse_a_row_per_config_and_repetition, .timeout = 60)
{
	char *dir = cli_tmpdir(), *csv = path_in(dir, "x.csv");
	const char *args[] = { "export", FX "result.json", "--csv", "-o", csv, NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	/* 4 configs x 3 repetitions; values as the JSON has them */
	char *got = python_csv(csv, "t = [x for x in d if x[\"lock\"] == \"ticket\" and x[\"threads\"] == \"2\"]\n"
				    "assert len(t) == 3 and t[0][\"status\"] == \"ok\" and float(t[0][\"throughput_per_s\"]) > 0\n"
				    "assert t[0][\"workload_params\"] == \"cs_ns=0ns,think_ns=0ns,cs_lines=1\", t[0]\n"
				    "assert [x[\"repetition\"] for x in t] == [\"0\", \"1\", \"2\"]");
	cr_expect_str_eq(got, "12 44\n");
	free(got), free(r), free(csv), free(dir);
}

static void hostile_csv(json_t *doc)
{
	json_t *c = json_array_get(json_object_get(doc, "configs"), 0);
	json_object_set_new(c, "id", json_string("ticket:note=a \"b\", c\nd|cs:cs_ns=0ns|threads=1|pin=compact"));
	json_object_set_new(json_array_get(json_object_get(c, "samples"), 0), "message", json_string("line one\r\nline, \"two\""));
}

Test(export, hostile_text_stays_in_its_field, .timeout = 60)
{
	char *changed = variant(hostile_csv), *dir = cli_tmpdir(), *csv = path_in(dir, "x.csv");
	const char *args[] = { "export", changed, "--csv", "-o", csv, NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	char *got = python_csv(csv, "assert d[0][\"config_id\"] == \"ticket:note=a \\\"b\\\", c\\nd|cs:cs_ns=0ns|threads=1|pin=compact\", d[0]\n"
				    "assert d[0][\"message\"] == \"line one\\r\\nline, \\\"two\\\"\", d[0]\n"
				    "assert d[0][\"threads\"] == \"1\" and d[1][\"lock\"] == \"ticket\"");
	cr_expect_str_eq(got, "12 44\n");
	free(got), free(r), free(csv), free(changed), free(dir);
}

Test(export, markdown_is_a_row_per_config_and_repetition, .timeout = 60)
{
	const char *args[] = { "export", FX "result.json", "--markdown", "--filter", "threads=2", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->out, "### lockbench result: result.json\n"), "%s", r->out);
	cr_expect_eq(count(r->out, "\n| ticket | "), 3, "%s", r->out);
	cr_expect_eq(count(r->out, "\n| gil:interval=1ms,force\\_switch=1 | "), 3, "%s", r->out);
	cr_expect_eq(count(r->out, " | 2 | "), 6, "threads=2 only: %s", r->out);
	free(r);
}

Test(export, bad_input_is_refused, .timeout = 30)
{
	const char *none[] = { "export", FX "result.json", NULL };
	const char *both[] = { "export", FX "result.json", "--csv", "--markdown", NULL };
	const char *verdict[] = { "export", FX "verdict.json", "--csv", NULL };
	const char *two[] = { "export", FX "result.json", FX "result.json", "--csv", NULL };
	const char *const *cases[] = { none, both, verdict, two };
	const char *says[] = { "--csv or --markdown?", "not both", "not a lockbench result", "one result at a time" };
	for (size_t i = 0; i < 4; i++) {
		struct cli_result *r = plot(cases[i]);
		cr_expect_eq(r->status, 2, "case %zu: %s", i, r->err);
		cr_expect(strstr(r->err, says[i]), "case %zu: %s", i, r->err);
		free(r);
	}
}

Test(export, run_writes_csv_and_markdown_beside_its_result, .timeout = 120)
{
	char *dir = cli_tmpdir(), *json = path_in(dir, "r.json"), *csv = path_in(dir, "r.csv"), *md = path_in(dir, "r.md");
	const char *args[] = { "run", "-l", "ticket,pthread", "-t", "1,2", "-d", "20ms", "--warmup", "2ms", "-r", "2",
			       "-q", "-o", json, "--csv", csv, "--markdown", md, NULL };
	struct cli_result *r = plot(args);
	cr_assert(r->status == 0 || r->status == 1, "%s", r->err);
	char *got = python_csv(csv, "assert sorted(set(x[\"lock\"] for x in d)) == [\"pthread\", \"ticket\"]");
	cr_expect_str_eq(got, "8 44\n", "2 locks x 2 thread counts x 2 repetitions");
	char *text = slurp(md);
	cr_expect_eq(count(text, "\n| ticket | "), 4, "%s", text);
	/* Checked before anything runs: a bad path costs no run. */
	const char *bad[] = { "run", "-l", "ticket", "-t", "1", "-d", "5s", "-q", "-o", json, "--csv", "/nonexistent/x.csv",
			      NULL };
	free(r);
	r = plot(bad);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect(strstr(r->err, "--csv: "), "%s", r->err);
	const char *two[] = { "run", "-l", "ticket", "-t", "1", "-q", "-o", "-", "--markdown", "-", NULL };
	free(r);
	r = plot(two);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect(strstr(r->err, "cannot both be standard output"), "%s", r->err);
	free(got), free(text), free(r), free(json), free(csv), free(md), free(dir);
}

Test(report, a_result_without_an_ok_sample_still_gets_its_page, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *page = path_in(dir, "r.html");
	const char *args[] = { "report", FX "no_samples.json", "-o", page, "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "an interrupted run is worth a page: %s", r->err);
	char *html = slurp(page);
	cr_expect_eq(count(html, "<figure class=\"chart\""), 0);
	cr_expect(strstr(html, "No chart: no config has an ok sample."), "says why there is no chart");
	cr_expect(strstr(html, "id=\"in1-summary\""), "and still has its summary");
	free(html), free(r), free(page), free(dir);
}
