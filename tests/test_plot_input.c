/*
 * test_plot_input.c — `lockbench plot` on hostile or outsized input, and
 * one chart set per thread count.
 *
 * Each test names the defect it catches; each failed (or hung, caught by
 * its timeout) on the plot before render/plot_*.c:
 *   - a file name or config id with a newline: meta.gp is a gnuplot script,
 *     so the text after the newline ran as a command (`system("...")`); a
 *     .dat comment ended and the text became a row
 *   - control characters (C1 included) and bytes that are not UTF-8 went
 *     raw into meta.gp, the notes and the errors (an escape sequence on
 *     the terminal, an error of two lines)
 *   - threads = 4294967295: `--threads` listed the thread counts by counting
 *     up to the largest, with an unsigned counter that never passed it
 *   - verdicts and results of many rows, configs or long ids: scans per row
 *     made plot quadratic (cubic in the '|'s of one id)
 *   - `--threads N` wrote over the default chart set
 * Times are only ever compared with each other (the machine is shared).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "plot_util.h"

/* ---- helpers ---- */

/* Whether every line of a meta.gp is a comment, an assignment or an array: nothing gnuplot would run. */
static void expect_only_assignments(const char *meta)
{
	cr_assert_not_null(meta);
	for (const char *l = meta; *l; l = strchr(l, '\n') + 1) {
		size_t n = strcspn(l, "\n");
		size_t name = strspn(l, "abcdefghijklmnopqrstuvwxyz_0123456789");
		bool ok = (n >= 1 && l[0] == '#') || (name > 0 && strncmp(l + name, " = ", 3) == 0) ||
			  strncmp(l, "array ", 6) == 0;
		cr_expect(ok, "meta.gp line that is not an assignment: %.*s", (int)n, l);
		if (l[n] == '\0')
			break;
	}
}

/* Copy the file at from to to. */
static void copy_file(const char *from, const char *to)
{
	char *text = slurp(from);
	cr_assert_not_null(text, "%s", from);
	FILE *f = fopen(to, "w");
	cr_assert_not_null(f, "%s", to);
	fputs(text, f);
	fclose(f);
	free(text);
}

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* The shortest of three `plot FILE --data-only` runs, in seconds; each must succeed. */
static double plot_time(const char *input)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", input, "-o", out, "--data-only", "-q", NULL };
	double best = 1e9;
	for (int i = 0; i < 3; i++) {
		double t0 = now_s();
		struct cli_result *r = plot(args);
		double t = now_s() - t0;
		cr_assert_eq(r->status, 0, "%s: %s", input, r->err);
		best = t < best ? t : best;
		free(r);
	}
	free(out), free(dir);
	return best;
}

static char *dump_in_tmp(json_t *doc, const char *name)
{
	char *dir = cli_tmpdir(), *path = path_in(dir, name);
	cr_assert_eq(json_dump_file(doc, path, JSON_COMPACT), 0);
	free(dir);
	return path;
}

/* ---- untrusted text ---- */

/* Relative: a file name holds no '/'. gnuplot runs in lockbench's directory, the test's. */
#define NAME_MARK "lockbench-plot-name-injected"

/* A result whose file name is a gnuplot command between two newlines. */
static char *hostile_name_copy(void)
{
	char *dir = cli_tmpdir(), *name;
	cr_assert(asprintf(&name, "%s/r\nsystem(\"touch " NAME_MARK "\")\nx=1 # .json", dir) > 0);
	copy_file(FX "result.json", name);
	free(dir);
	return name;
}

Test(plot_hostile, a_file_name_cannot_run_commands_through_gnuplot, .init = use_repo_scripts, .timeout = 60)
{
	unlink(NAME_MARK);
	char *input = hostile_name_copy(), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", input, "-o", out, "-f", "png", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_neq(access(NAME_MARK, F_OK), 0, "the file name ran a command in gnuplot");
	char *meta = slurp_in(out, "meta.gp");
	expect_only_assignments(meta);
	cr_expect_not_null(strstr(meta, "source = 'r system(\"touch " NAME_MARK "\") x=1 # .json'\n"), "%s", meta);
	unlink(NAME_MARK);
	free(meta), free(r), free(out), free(dir), free(input);
}

Test(plot_hostile, a_file_name_adds_no_row_to_a_table, .init = use_repo_scripts, .timeout = 30)
{
	char *input = hostile_name_copy(), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", input, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	const char *tables[] = { "throughput.dat", "latency.dat", "fairness.dat", "timeline.dat" };
	for (size_t i = 0; i < 4; i++) {
		char *text = slurp_in(out, tables[i]), *want = slurp_in(FX "expected/result", tables[i]);
		cr_assert_not_null(text, "%s", tables[i]);
		cr_expect_null(line_starting(text, "system("), "%s has a row from the file name:\n%s", tables[i], text);
		cr_expect_eq(data_rows(text), data_rows(want), "%s", tables[i]);
		free(text), free(want);
	}
	free(out), free(dir), free(input);
}

/* gil's configs with a lock parameter that holds a newline and a forged row after it. */
static const char forged[] = "\n1 999 999 999 3 1 0 255\n";

static void set_gil_ids(json_t *doc, const char *nl)
{
	for (int t = 1; t <= 2; t++) {
		char id[512];
		snprintf(id, sizeof id, "gil:interval=1ms,force_switch=1%s|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=%d|pin=compact",
			 nl, t);
		json_object_set_new(config_of(doc, "gil", t), "id", json_string(id));
	}
}

static void raw_newline_in_id(json_t *doc)
{
	set_gil_ids(doc, forged);
}

static void escaped_newline_in_id(json_t *doc)
{
	set_gil_ids(doc, "%0A1 999 999 999 3 1 0 255%0A");
}

/* Exit 0 and no forged row, or refused in one line: never a forged row. */
static void expect_no_forged_row(void (*edit)(json_t *doc), bool must_load)
{
	char *input = variant(edit), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", input, "-o", out, "--data-only", NULL };
	struct cli_result *r = plot(args);
	if (r->status == 2 && !must_load) {
		cr_expect_eq(cli_lines(r->err), 1, "%s", r->err);
		cr_expect_eq(cli_count_entries(dir), 0);
	} else {
		cr_assert_eq(r->status, 0, "%s", r->err);
		char *tp = slurp_in(out, "throughput.dat"), *meta = slurp_in(out, "meta.gp");
		cr_expect_eq(data_rows(tp), 4, "two threads counts for each of two locks:\n%s", tp);
		cr_expect_null(strstr(tp, "\n1 999 "), "a forged row:\n%s", tp);
		expect_only_assignments(meta);
		free(tp), free(meta);
	}
	free(r), free(out), free(dir), free(input);
}

Test(plot_hostile, a_newline_in_a_config_id_adds_no_row, .init = use_repo_scripts, .timeout = 30)
{
	expect_no_forged_row(raw_newline_in_id, false);
}

Test(plot_hostile, an_escaped_newline_in_a_config_id_adds_no_row, .init = use_repo_scripts, .timeout = 30)
{
	expect_no_forged_row(escaped_newline_in_id, true);
}

static void escape_in_lock_name(json_t *doc)
{
	for (int t = 1; t <= 2; t++) {
		char id[512];
		snprintf(id, sizeof id, "gil\x1b[31m:interval=1ms,force_switch=1|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=%d|pin=compact", t);
		json_object_set_new(config_of(doc, "gil", t), "id", json_string(id));
		for (size_t rep = 0; rep < 3; rep++)
			json_object_set_new(sample_of(doc, "gil", t, rep), "latency_curve", json_null());
	}
}

Test(plot_hostile, control_characters_never_reach_the_terminal, .init = use_repo_scripts, .timeout = 30)
{
	char *input = variant(escape_in_lock_name), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", input, "-o", out, "--data-only", NULL };
	struct cli_result *r = plot(args);
	cr_expect(r->status == 0 || r->status == 2, "exit %d: %s", r->status, r->err);
	cr_expect_null(strchr(r->err, '\x1b'), "an escape sequence on stderr: %s", r->err);
	free(r);
	/* A path that does not exist, with a newline: the error is still one line. */
	const char *missing[] = { "plot", "no\nsuch.json", "-o", out, NULL };
	r = plot(missing);
	cr_expect_eq(r->status, 2);
	cr_expect_eq(cli_lines(r->err), 1, "%s", r->err);
	free(r), free(out), free(dir), free(input);
}

Test(plot_hostile, text_that_is_not_utf8_or_is_a_c1_control_is_replaced, .init = use_repo_scripts, .timeout = 30)
{
	/* 0xff is no UTF-8; U+009B (0xc2 0x9b) is CSI, a terminal's escape. */
	char *dir = cli_tmpdir(), *input = path_in(dir, "r\xff\xc2\x9b" "31m.json"), *out = path_in(dir, "charts");
	copy_file(FX "result.json", input);
	const char *args[] = { "plot", input, "-o", out, "--data-only", "--threads", "9", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect_not_null(strstr(r->err, "--threads: r? 31m.json has no ok sample at 9 threads"), "%s", r->err);
	free(r);
	const char *ok[] = { "plot", input, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(ok), 0);
	char *meta = slurp_in(out, "meta.gp");
	cr_expect_not_null(strstr(meta, "\nsource = 'r? 31m.json'\n"), "%s", meta);
	cr_expect_null(strstr(meta, "\xc2\x9b"), "%s", meta);
	cr_expect_null(strchr(meta, '\xff'), "%s", meta);
	free(meta), free(out), free(input), free(dir);
}

/* ---- input that drives loops and allocations ---- */

static void huge_thread_count(json_t *doc)
{
	json_t *c = config_of(doc, "gil", 2);
	json_object_set_new(c, "threads", json_integer(4294967295));
	json_object_set_new(c, "id", json_string("gil:interval=1ms,force_switch=1|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|"
						  "threads=4294967295|pin=compact"));
}

Test(plot_hostile, a_thread_count_of_uint_max_ends, .init = use_repo_scripts, .timeout = 30)
{
	char *input = variant(huge_thread_count), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", input, "-o", out, "--data-only", "--threads", "3", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect_eq(cli_lines(r->err), 1, "%s", r->err);
	if (strstr(r->err, "--threads") != NULL)
		cr_expect_not_null(strstr(r->err, "(it has 1,2,4294967295)"), "%s", r->err);
	cr_expect_eq(cli_count_entries(dir), 0);
	free(r);
	const char *largest[] = { "plot", input, "-o", out, "--data-only", "-q", NULL };
	r = plot(largest);
	cr_expect(r->status == 0 || (r->status == 2 && cli_lines(r->err) == 1), "exit %d: %s", r->status, r->err);
	free(r), free(out), free(dir), free(input);
}

/* A verdict of n rows of distinct locks, or of one row whose config is `bars` '|' characters. */
static char *verdict_of(size_t n, size_t bars)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "verdict.json", 0, &je), *rows = json_array();
	cr_assert_not_null(doc, "%s", je.text);
	json_t *row0 = json_array_get(json_object_get(doc, "rows"), 0);
	for (size_t i = 0; i < n; i++) {
		json_t *row = json_deep_copy(row0);
		char id[128];
		snprintf(id, sizeof id, "lock%zu|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact", i);
		json_object_set_new(row, "config", json_string(id));
		json_array_append_new(rows, row);
	}
	if (bars > 0) {
		char *id = malloc(bars + 1);
		memset(id, '|', bars);
		id[bars] = '\0';
		json_t *row = json_deep_copy(row0);
		json_object_set_new(row, "config", json_string(id));
		json_array_append_new(rows, row);
		free(id);
	}
	json_object_set_new(doc, "rows", rows);
	json_object_set_new(json_object_get(doc, "counts"), "regression", json_integer((json_int_t)json_array_size(rows)));
	json_object_set_new(json_object_get(doc, "counts"), "ok", json_integer(0));
	char *path = dump_in_tmp(doc, "verdict.json");
	json_decref(doc);
	return path;
}

Test(plot_scale, a_verdict_costs_about_its_rows, .init = use_repo_scripts, .timeout = 120)
{
	char *small = verdict_of(1000, 0), *big = verdict_of(8000, 0);
	double ts = plot_time(small), tb = plot_time(big);
	/* 8x the rows: about 8x the time when linear (less, with the start-up), 64x when quadratic. */
	cr_expect_lt(tb / ts, 24, "1,000 rows %.3f s, 8,000 rows %.3f s", ts, tb);
	free(small), free(big);
}

Test(plot_scale, a_long_config_id_costs_about_its_length, .init = use_repo_scripts, .timeout = 120)
{
	char *small = verdict_of(1, 4000), *big = verdict_of(1, 32000);
	double ts = plot_time(small), tb = plot_time(big);
	cr_expect_lt(tb / ts, 24, "4,000 '|' %.3f s, 32,000 '|' %.3f s", ts, tb);
	free(small), free(big);
}

/* Keep only these keys of object o. */
static void keep_only(json_t *o, const char *const *keys)
{
	const char *key;
	void *tmp;
	json_t *v;
	json_object_foreach_safe(o, tmp, key, v) {
		bool keep = false;
		for (size_t i = 0; keys[i] && !keep; i++)
			keep = strcmp(key, keys[i]) == 0;
		if (!keep)
			json_object_del(o, key);
	}
}

/*
 * A result of n configs: n/2 lock variants (gil:interval=<i>ns) at 1 and 2
 * threads, one small repetition each, so that reading the file does not
 * hide what plot does with it.
 */
static char *result_of(size_t n)
{
	static const char *const sample_keys[] = { "repetition", "status", "duration_s", "acquisitions",
						   "throughput_per_s", "timing", "threads", NULL };
	static const char *const thread_keys[] = { "id", "acquisitions", "timeline", NULL };
	json_error_t je;
	json_t *doc = json_load_file(FX "result.json", 0, &je), *configs = json_array();
	cr_assert_not_null(doc, "%s", je.text);
	for (size_t i = 0; i < n; i++) {
		int t = 1 + (int)(i % 2);
		json_t *c = json_deep_copy(config_of(doc, "gil", t)), *samples = json_object_get(c, "samples"), *th;
		while (json_array_size(samples) > 1)
			json_array_remove(samples, 1);
		keep_only(json_array_get(samples, 0), sample_keys);
		size_t k;
		json_array_foreach(json_object_get(json_array_get(samples, 0), "threads"), k, th) {
			keep_only(th, thread_keys);
			json_t *tl = json_object_get(th, "timeline");
			while (json_array_size(tl) > 2)
				json_array_remove(tl, 2);
		}
		json_object_del(c, "summary");
		char id[256];
		snprintf(id, sizeof id, "gil:interval=%zuns,force_switch=1|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=%d|pin=compact",
			 i / 2 + 1, t);
		json_object_set_new(c, "id", json_string(id));
		json_object_set_new(json_object_get(json_object_get(c, "lock"), "params"), "interval",
				    json_integer((json_int_t)(i / 2 + 1)));
		json_array_append_new(configs, c);
	}
	json_object_set_new(doc, "configs", configs);
	char *path = dump_in_tmp(doc, "result.json");
	json_decref(doc);
	return path;
}

Test(plot_scale, a_result_costs_about_its_configs, .init = use_repo_scripts, .timeout = 120)
{
	char *small = result_of(1000), *big = result_of(8000);
	double ts = plot_time(small), tb = plot_time(big);
	cr_expect_lt(tb / ts, 24, "1,000 configs %.3f s, 8,000 configs %.3f s", ts, tb);
	free(small), free(big);
}

/* ---- one chart set per thread count ---- */

Test(plot_threads, each_thread_count_has_its_own_set, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts"), *t1 = path_in(out, "threads-1"),
	     *t2 = path_in(out, "threads-2");
	const char *all[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", NULL };
	const char *one[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", "--threads", "1", NULL };
	const char *two[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", "-t", "2", NULL };
	cr_assert_eq(plot_status(all), 0);
	char *fair_before = slurp_in(out, "fairness.dat");
	cr_assert_eq(plot_status(one), 0);
	cr_assert_eq(plot_status(two), 0);
	char *fair_after = slurp_in(out, "fairness.dat"), *meta = slurp_in(out, "meta.gp");
	cr_expect_str_eq(fair_after, fair_before, "--threads wrote over the default set");
	cr_expect_not_null(strstr(meta, "\nthreads = 2\n"), "%s", meta);
	char *m1 = slurp_in(t1, "meta.gp"), *m2 = slurp_in(t2, "meta.gp");
	cr_assert_not_null(m1, "no %s/meta.gp", t1);
	cr_assert_not_null(m2, "no %s/meta.gp", t2);
	cr_expect_not_null(strstr(m1, "\nthreads = 1\n"), "%s", m1);
	cr_expect_not_null(strstr(m2, "\nthreads = 2\n"), "%s", m2);
	cr_expect(exists(t1, "throughput.dat") && exists(t1, "fairness.dat"), "a whole set in %s", t1);
	/* A later default render leaves the sets of chosen thread counts alone. */
	cr_assert_eq(plot_status(all), 0);
	cr_expect(exists(t1, "meta.gp") && exists(t2, "fairness.dat"));
	free(fair_before), free(fair_after), free(meta), free(m1), free(m2), free(t1), free(t2), free(out), free(dir);
}

Test(plot_threads, a_chosen_thread_count_is_drawn_into_its_directory, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts"), *t1 = path_in(out, "threads-1");
	const char *args[] = { "plot", FX "result.json", "-o", out, "-f", "svg", "-t", "1", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_not_null(strstr(r->err, "charts: "), "%s", r->err);
	cr_expect_not_null(strstr(r->err, "/threads-1\n"), "the closing line names the directory: %s", r->err);
	cr_expect(exists(t1, "fairness.svg") && exists(t1, "throughput.svg"));
	cr_expect_eq(cli_count_entries(out), 1, "only threads-1/ in %s", out);
	free(r), free(t1), free(out), free(dir);
}

/* ---- what is said ---- */

Test(plot_notes, a_timing_off_run_says_it_has_no_latency_chart, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "timing_off.json", "-o", out, "--data-only", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_not_null(strstr(r->err, "lockbench: plot: note: latency: ticket at 2 threads: no latency curve "
					  "(timing off); no latency chart\n"),
			   "%s", r->err);
	free(r), free(out), free(dir);
}
