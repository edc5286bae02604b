/*
 * test_plot.c — `lockbench plot` through the binary, on the fixtures in
 * tests/fixtures/plot/ (run from the repository root):
 *
 *   result.json      a real run: ticket and gil:interval=1ms at 1 and 2 threads,
 *                    3 repetitions, 5 ms slices; trimmed of what plot does not
 *                    read (hold and hand-off latencies, lock counters, short-term
 *                    fairness, per-thread latencies)
 *   timing_off.json  a real run with --timing off: every latency_curve is null
 *   no_samples.json  an interrupted run that finished no config
 *   verdict.json     `lockbench compare --json` of tests/fixtures/compare/base.json
 *                    and regression.json
 *   not_json.json, foreign.json   inputs plot must refuse
 *   expected/        the exact tables and meta.gp that result.json and
 *                    verdict.json give (checked against an independent
 *                    computation from the JSON when they were made)
 *
 * Variants of result.json for single behaviours are made here with jansson.
 * Charts are drawn with the scripts in ./plots (LOCKBENCH_PLOTS_DIR) unless a
 * test says otherwise.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "plot_util.h"

static const char *const result_tables[] = { "meta.gp", "throughput.dat", "latency.dat", "fairness.dat", "timeline.dat" };
static const char *const charts[] = { "throughput", "latency", "fairness", "timeline" };

/* ---- the data export, exactly ---- */

Test(plot_data, result_tables_are_exactly_as_expected, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	cr_expect_eq(cli_count_entries(out), 5, "the tables and meta.gp, no image with --data-only");
	for (size_t i = 0; i < sizeof result_tables / sizeof result_tables[0]; i++) {
		char *want_path = path_in(FX "expected/result", result_tables[i]), *got_path = path_in(out, result_tables[i]);
		char *want = slurp(want_path), *got = slurp(got_path);
		cr_assert_not_null(want, "%s", want_path);
		cr_assert_not_null(got, "%s not written", got_path);
		cr_expect_str_eq(got, want, "%s differs from %s", got_path, want_path);
		free(want), free(got), free(want_path), free(got_path);
	}
	free(r), free(out), free(dir);
}

Test(plot_data, verdict_tables_are_exactly_as_expected, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "verdict.json", "-o", out, "--data-only", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	cr_expect_eq(cli_count_entries(out), 2);
	const char *files[] = { "meta.gp", "compare.dat" };
	for (size_t i = 0; i < 2; i++) {
		char *want_path = path_in(FX "expected/verdict", files[i]), *got_path = path_in(out, files[i]);
		char *want = slurp(want_path), *got = slurp(got_path);
		cr_assert_not_null(got, "%s not written", got_path);
		cr_expect_str_eq(got, want, "%s differs from %s", got_path, want_path);
		free(want), free(got), free(want_path), free(got_path);
	}
	free(r), free(out), free(dir);
}

/*
 * Every .dat has a '#' line naming as many columns as its rows have: the last
 * comment line before the first block (or row). A "quoted string" is one column.
 */
static int count_fields(const char *line)
{
	int n = 0;
	for (const char *p = line; *p && *p != '\n';) {
		while (*p == ' ')
			p++;
		if (*p == '\0' || *p == '\n')
			break;
		n++;
		if (*p == '"') {
			p = strchr(p + 1, '"');
			cr_assert_not_null(p, "unterminated string in: %s", line);
			p++;
		} else {
			p += strcspn(p, " \n");
		}
	}
	return n;
}

static void expect_named_columns(const char *path)
{
	char *text = slurp(path);
	cr_assert_not_null(text, "%s", path);
	cr_expect(strncmp(text, "# ", 2) == 0, "%s does not start with a # line", path);
	const char *header = NULL;
	int columns = -1, rows = 0;
	for (const char *l = text; *l; l = strchr(l, '\n') + 1) {
		if (strncmp(l, "# block", 7) == 0 && columns < 0)
			columns = count_fields(header) - 1;
		else if (*l == '#' && columns < 0)
			header = l;
		else if (*l != '#' && *l != '\n') {
			if (columns < 0)
				columns = count_fields(header) - 1;
			cr_expect_eq(count_fields(l), columns, "%s: row has %d fields, header names %d: %.*s", path,
				     count_fields(l), columns, (int)strcspn(l, "\n"), l);
			rows++;
		}
		if (strchr(l, '\n') == NULL)
			break;
	}
	cr_expect_gt(rows, 0, "%s has no rows", path);
	free(text);
}

Test(plot_data, every_table_names_each_of_its_columns, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "r"), *vout = path_in(dir, "v");
	const char *args[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", NULL };
	const char *vargs[] = { "plot", FX "verdict.json", "-o", vout, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	cr_assert_eq(plot_status(vargs), 0);
	for (size_t i = 1; i < sizeof result_tables / sizeof result_tables[0]; i++) {
		char *p = path_in(out, result_tables[i]);
		expect_named_columns(p);
		free(p);
	}
	char *p = path_in(vout, "compare.dat");
	expect_named_columns(p);
	free(p), free(out), free(vout), free(dir);
}

/* Make gil's repetition 0 the median at 2 threads: 1 is lowest, 0 middle, 2 highest. */
static void reorder_gil_throughputs(json_t *doc)
{
	const double tp[] = { 8e6, 1e6, 9e6 };
	for (size_t rep = 0; rep < 3; rep++)
		json_object_set_new(sample_of(doc, "gil", 2, rep), "throughput_per_s", json_real(tp[rep]));
}

Test(plot_data, per_thread_charts_show_the_median_throughput_repetition, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "a"), *out2 = path_in(dir, "b");
	const char *args[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *meta = slurp_in(out, "meta.gp");
	/* ticket at 2 threads: 5.2M, 2.09M, 0.86M per s -> repetition 1; gil: 4.9M, 12.0M, 10.2M -> 2 */
	cr_expect_not_null(strstr(meta, "array latency_repetition[2] = [1, 2]\n"), "%s", meta);
	cr_expect_not_null(strstr(meta, "array fairness_repetition[2] = [1, 2]\n"), "%s", meta);
	cr_expect_not_null(strstr(meta, "array timeline_repetition[2] = [1, 2]\n"), "%s", meta);

	char *changed = variant(reorder_gil_throughputs);
	const char *args2[] = { "plot", changed, "-o", out2, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args2), 0);
	char *meta2 = slurp_in(out2, "meta.gp");
	cr_expect_not_null(strstr(meta2, "array latency_repetition[2] = [1, 0]\n"), "%s", meta2);
	char *fair = slurp_in(out2, "fairness.dat");
	cr_expect_not_null(strstr(fair, "# block 1: gil, repetition 0 (the median throughput of 3 ok)\n"), "%s", fair);
	free(meta), free(meta2), free(fair), free(changed), free(out), free(out2), free(dir);
}

Test(plot_data, threads_option_chooses_the_per_thread_charts, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *top = path_in(dir, "charts"), *out = path_in(top, "threads-1");
	const char *args[] = { "plot", FX "result.json", "-o", top, "--data-only", "-q", "--threads", "1", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *meta = slurp_in(out, "meta.gp"), *fair = slurp_in(out, "fairness.dat");
	cr_assert_not_null(meta, "no %s/meta.gp", out);
	cr_expect_not_null(strstr(meta, "\nthreads = 1\n"), "%s", meta);
	cr_expect_eq(data_rows(fair), 2, "one thread per lock:\n%s", fair);
	cr_expect_not_null(strstr(fair, "\n0 100 "), "a lone thread has 100%%:\n%s", fair);
	free(meta), free(fair), free(out), free(top), free(dir);
}

Test(plot_data, timing_off_leaves_out_the_latency_chart_with_a_note, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "timing_off.json", "-o", out, "--data-only", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(!exists(out, "latency.dat"));
	cr_expect(exists(out, "throughput.dat") && exists(out, "fairness.dat") && exists(out, "timeline.dat"));
	char *meta = slurp_in(out, "meta.gp");
	cr_expect_not_null(strstr(meta, "latency_skipped = 'ticket'\nlatency_blocks = 0\n"), "%s", meta);
	cr_expect_not_null(strstr(r->err, "note: latency: ticket at 2 threads: no latency curve (timing off)"), "%s",
			   r->err);
	free(meta), free(r), free(out), free(dir);
}

static void drop_gil_curves(json_t *doc)
{
	for (size_t rep = 0; rep < 3; rep++)
		json_object_set_new(sample_of(doc, "gil", 2, rep), "latency_curve", json_null());
}

Test(plot_data, a_lock_without_latency_curve_is_left_out_of_latency_only, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts"), *changed = variant(drop_gil_curves);
	const char *args[] = { "plot", changed, "-o", out, "--data-only", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	char *meta = slurp_in(out, "meta.gp"), *lat = slurp_in(out, "latency.dat");
	cr_expect_not_null(strstr(meta, "latency_skipped = 'gil'\nlatency_blocks = 1\narray latency_key[1] = ['ticket']\n"),
			   "%s", meta);
	cr_expect_null(strstr(lat, "# block 1"), "only ticket's block:\n%s", lat);
	cr_expect_not_null(strstr(meta, "fairness_blocks = 2\n"), "gil still in the fairness chart:\n%s", meta);
	cr_expect_not_null(strstr(r->err, "note: latency: gil"), "%s", r->err);
	free(meta), free(lat), free(r), free(changed), free(out), free(dir);
}

/* ticket's repetition 1 at 2 threads, timed 150 times: percentiles finer than 1/150 are not resolved. */
static void few_timed_acquisitions(json_t *doc)
{
	json_object_set_new(json_object_get(sample_of(doc, "ticket", 2, 1), "latency_ns"), "count", json_integer(150));
}

Test(plot_data, percentiles_finer_than_one_acquisition_are_left_out, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts"), *changed = variant(few_timed_acquisitions);
	const char *args[] = { "plot", changed, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *lat = slurp_in(out, "latency.dat");
	char *ticket = strndup(lat, (size_t)(strstr(lat, "# block 1") - lat));
	cr_expect_not_null(strstr(ticket, "\n99 100 "), "p99 (1/(1-p) = 100 <= 150) kept:\n%s", ticket);
	cr_expect_null(strstr(ticket, "\n99.5 "), "p99.5 (200 > 150) left out:\n%s", ticket);
	cr_expect_null(strstr(lat, "\n100 "), "p100 never (x infinite):\n%s", lat);
	free(lat), free(ticket), free(changed), free(out), free(dir);
}

static void mostly_inside_last_slice(json_t *doc)
{
	/* The window ran 32.6 ms: the 7th 5 ms slice, [30, 35), is 52% inside. */
	json_object_set_new(sample_of(doc, "ticket", 2, 1), "duration_s", json_real(0.0326));
}

Test(plot_data, last_slice_kept_only_when_mostly_inside_the_window, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "a"), *out2 = path_in(dir, "b");
	const char *args[] = { "plot", FX "result.json", "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *tl = slurp_in(out, "timeline.dat");
	cr_expect_null(strstr(tl, "\n30 35 "), "30.07 ms window: [30, 35) is 1%% inside, left out:\n%s", tl);
	cr_expect_not_null(strstr(tl, "\n25 30 0 "), "%s", tl);

	char *changed = variant(mostly_inside_last_slice);
	const char *args2[] = { "plot", changed, "-o", out2, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args2), 0);
	char *tl2 = slurp_in(out2, "timeline.dat");
	cr_expect_not_null(strstr(tl2, "\n30 35 0 "), "%s", tl2);
	cr_expect_not_null(strstr(tl2, "\n30 35 1 "), "%s", tl2);
	free(tl), free(tl2), free(changed), free(out), free(out2), free(dir);
}

Test(plot_data, undefined_compare_rows_are_nan_with_their_reason, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *verdict = path_in(dir, "v.json"), *out = path_in(dir, "charts");
	const char *cmp[] = { "compare", "tests/fixtures/compare/base.json", "tests/fixtures/compare/no_latency.json",
			      "--json", verdict, "-q", NULL };
	struct cli_result *r = plot(cmp);
	cr_assert_eq(r->status, 0, "compare: %s", r->err);
	const char *args[] = { "plot", verdict, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *dat = slurp_in(out, "compare.dat");
	char *row = line_starting(dat, "1 ");
	cr_assert_not_null(row, "%s", dat);
	cr_expect_str_eq(row, "1 NaN NaN NaN NaN NaN NaN NaN 10 0 10066329 \"ticket p99\" \"n/a\" \"ns\" \"lower\" "
			      "\"no p99 in new\"");
	free(row), free(dat), free(r), free(verdict), free(out), free(dir);
}

/* ---- drawing ---- */

static void expect_png(const char *path)
{
	static const unsigned char magic[] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n' };
	unsigned char head[8] = { 0 };
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "%s not written", path);
	size_t got = fread(head, 1, sizeof head, f);
	fseek(f, 0, SEEK_END);
	long size = ftell(f);
	fclose(f);
	cr_expect(got == 8 && memcmp(head, magic, 8) == 0, "%s is not a PNG", path);
	cr_expect_gt(size, 5000, "%s is suspiciously small (%ld bytes)", path, size);
}

static void expect_svg(const char *path)
{
	char *text = slurp(path);
	cr_assert_not_null(text, "%s not written", path);
	cr_expect(strncmp(text, "<?xml", 5) == 0, "%s: no XML declaration", path);
	char *root = strstr(text, "<svg");
	cr_expect_not_null(root, "%s: no <svg root", path);
	cr_expect_not_null(strstr(text, "</svg>"), "%s: <svg> not closed (truncated?)", path);
	cr_expect_gt(strlen(text), 5000, "%s is suspiciously small", path);
	free(text);
}

Test(plot_render, result_gives_a_png_and_an_svg_of_every_chart, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "result.json", "-o", out, NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	cr_expect_not_null(strstr(r->err, "charts: "), "%s", r->err);
	for (size_t i = 0; i < sizeof charts / sizeof charts[0]; i++) {
		char name[64];
		snprintf(name, sizeof name, "%s/%s.png", out, charts[i]);
		expect_png(name);
		snprintf(name, sizeof name, "%s/%s.svg", out, charts[i]);
		expect_svg(name);
	}
	cr_expect_eq(cli_count_entries(out), 5 + 8, "tables, meta.gp, 4 PNG, 4 SVG, nothing else");
	cr_expect_eq(cli_count_entries(dir), 1, "no temporary directory left beside the output");
	free(r), free(out), free(dir);
}

Test(plot_render, verdict_gives_the_compare_chart, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "verdict.json", "-o", out, NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	char *png = path_in(out, "compare.png"), *svg = path_in(out, "compare.svg");
	expect_png(png);
	expect_svg(svg);
	free(png), free(svg), free(r), free(out), free(dir);
}

Test(plot_render, format_svg_draws_no_png, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "timing_off.json", "-o", out, "--format", "svg", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(exists(out, "throughput.svg") && !exists(out, "throughput.png"));
	cr_expect(!exists(out, "latency.svg"), "no latency chart without latency curves");
	free(r), free(out), free(dir);
}

Test(plot_render, rerender_replaces_its_own_files_and_keeps_others, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts"), *mine = path_in(out, "notes.txt");
	const char *args[] = { "plot", FX "result.json", "-o", out, "-f", "png", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	FILE *f = fopen(mine, "w");
	fputs("a user's file\n", f);
	fclose(f);
	const char *again[] = { "plot", FX "timing_off.json", "-o", out, "-f", "png", "-q", NULL };
	cr_assert_eq(plot_status(again), 0);
	cr_expect(!exists(out, "latency.png") && !exists(out, "latency.dat"), "stale latency chart left behind");
	cr_expect(exists(out, "notes.txt"), "a file plot did not make was removed");
	char *meta = slurp_in(out, "meta.gp");
	cr_expect_not_null(strstr(meta, "source = 'timing_off.json'"), "%s", meta);
	cr_expect_eq(cli_count_entries(dir), 1, "no temporary directory left beside the output");
	free(meta), free(mine), free(out), free(dir);
}

static void hostile_host(json_t *doc)
{
	json_object_set_new(json_object_get(doc, "context"), "host",
			    json_string("x'; system('touch /tmp/lockbench-plot-injected'); y='\n! touch /tmp/lockbench-plot-injected"));
}

Test(plot_render, strings_from_the_result_cannot_run_commands, .init = use_repo_scripts, .timeout = 60)
{
	unlink("/tmp/lockbench-plot-injected");
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts"), *changed = variant(hostile_host);
	const char *args[] = { "plot", changed, "-o", out, "-f", "png", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_neq(access("/tmp/lockbench-plot-injected", F_OK), 0, "a host name ran a command");
	char *meta = slurp_in(out, "meta.gp");
	cr_expect_not_null(strstr(meta, "machine = 'x''; system(''touch /tmp/lockbench-plot-injected''); y='' ! touch"),
			   "%s", meta);
	free(meta), free(r), free(changed), free(out), free(dir);
}

Test(plot_render, default_output_is_plots_out_named_after_the_file, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *input, *out;
	cr_assert(asprintf(&input, "%s/plot-test-%d.json", dir, (int)getpid()) > 0);
	cr_assert(asprintf(&out, "plots/out/plot-test-%d", (int)getpid()) > 0);
	char *text = slurp(FX "timing_off.json");
	FILE *f = fopen(input, "w");
	fputs(text, f);
	fclose(f);
	const char *args[] = { "plot", input, "-f", "png", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 0, "%s", r->err);
	cr_expect(exists(out, "throughput.png"), "%s/throughput.png", out);
	char *cmd;
	cr_assert(asprintf(&cmd, "rm -rf '%s'", out) > 0);
	cr_expect_eq(system(cmd), 0);
	free(cmd), free(text), free(r), free(input), free(out), free(dir);
}

Test(plot_render, scripts_found_beside_the_binary_by_default, .timeout = 60)
{
	const char *bin = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
	char *copy = strdup(bin), *scripts = path_in(dirname(copy), "plots/throughput.gp");
	if (access(scripts, R_OK) != 0)
		cr_skip_test("%s has no plots/ beside it", bin);
	unsetenv("LOCKBENCH_PLOTS_DIR");
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", FX "timing_off.json", "-o", out, "-f", "png", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 0, "%s", r->err);
	cr_expect(exists(out, "throughput.png"));
	free(r), free(out), free(dir), free(scripts), free(copy);
}

/* ---- what is refused: one line, exit 2, nothing left behind ---- */

/* Run plot with -o <fresh dir>/charts/deep; expect the refusal and the fresh dir still empty. */
static void expect_refused(const char *needle, const char *input, const char *const *extra)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts/deep");
	const char *args[16] = { "plot", input, "-o", out };
	size_t n = 4;
	for (size_t i = 0; extra && extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 2, "exit %d for %s; stderr: %s", r->status, input, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "one line on stderr, got: %s", r->err);
	cr_expect(strncmp(r->err, "lockbench: plot: ", 17) == 0, "prefix: %s", r->err);
	cr_expect_not_null(strstr(r->err, needle), "\"%s\" not in: %s", needle, r->err);
	cr_expect_eq(cli_count_entries(dir), 0, "something was left in %s", dir);
	free(r), free(out), free(dir);
}

Test(plot_refused, without_gnuplot_on_path, .init = use_repo_scripts, .timeout = 30)
{
	char *empty = cli_tmpdir();
	setenv("PATH", empty, 1);
	expect_refused("gnuplot not found on PATH", FX "result.json", NULL);
	free(empty);
}

Test(plot_refused, a_file_that_does_not_exist, .init = use_repo_scripts, .timeout = 30)
{
	expect_refused("cannot read", FX "nosuch.json", NULL);
}

Test(plot_refused, a_file_that_is_not_json, .init = use_repo_scripts, .timeout = 30)
{
	expect_refused("not valid JSON", FX "not_json.json", NULL);
}

Test(plot_refused, json_of_another_schema, .init = use_repo_scripts, .timeout = 30)
{
	expect_refused("schema \"benchmark-results/2\" is neither lockbench/1 nor lockbench-compare/1",
		       FX "foreign.json", NULL);
}

Test(plot_refused, json_without_a_schema, .init = use_repo_scripts, .timeout = 30)
{
	expect_refused("no \"schema\"", "tests/fixtures/compare/no_schema.json", NULL);
}

Test(plot_refused, a_result_with_no_samples, .init = use_repo_scripts, .timeout = 30)
{
	expect_refused("no ok samples to plot", FX "no_samples.json", NULL);
}

Test(plot_refused, a_thread_count_the_result_lacks, .init = use_repo_scripts, .timeout = 30)
{
	const char *extra[] = { "--threads", "4", NULL };
	expect_refused("--threads: result.json has no ok sample at 4 threads (it has 1,2)", FX "result.json", extra);
}

Test(plot_refused, threads_for_a_verdict, .init = use_repo_scripts, .timeout = 30)
{
	const char *extra[] = { "--threads", "2", NULL };
	expect_refused("--threads", FX "verdict.json", extra);
}

Test(plot_refused, an_unknown_format, .init = use_repo_scripts, .timeout = 30)
{
	const char *extra[] = { "--format", "gif", NULL };
	expect_refused("--format: \"gif\"", FX "result.json", extra);
}

Test(plot_refused, an_unknown_option, .init = use_repo_scripts, .timeout = 30)
{
	const char *extra[] = { "--colour", NULL };
	expect_refused("unknown option", FX "result.json", extra);
}

Test(plot_refused, a_second_file, .init = use_repo_scripts, .timeout = 30)
{
	const char *extra[] = { FX "verdict.json", NULL };
	expect_refused("unexpected argument", FX "result.json", extra);
}

Test(plot_refused, no_file_at_all, .timeout = 30)
{
	const char *args[] = { "plot", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 2);
	cr_expect_eq(cli_lines(r->err), 1, "%s", r->err);
	free(r);
}

Test(plot_refused, no_scripts_where_they_are_looked_for, .timeout = 30)
{
	setenv("LOCKBENCH_PLOTS_DIR", "/nonexistent/plots", 1);
	expect_refused("no gnuplot scripts in /nonexistent/plots", FX "result.json", NULL);
}

Test(plot_refused, an_output_that_is_a_file, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *file = path_in(dir, "taken");
	FILE *f = fopen(file, "w");
	fclose(f);
	const char *args[] = { "plot", FX "result.json", "-o", file, NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect_not_null(strstr(r->err, "is not a directory"), "%s", r->err);
	cr_expect_eq(cli_count_entries(dir), 1, "only the file that was there");
	free(r), free(file), free(dir);
}

Test(plot_refused, a_script_gnuplot_rejects_leaves_nothing, .timeout = 30)
{
	/* Scripts that fail half-way: the tables were written, some charts may have been. */
	char *scripts = cli_tmpdir(), *bad = path_in(scripts, "throughput.gp");
	FILE *f = fopen(bad, "w");
	fputs("set terminal pngcairo\nset output outdir.'/throughput.png'\nplot no_such_variable\n", f);
	fclose(f);
	setenv("LOCKBENCH_PLOTS_DIR", scripts, 1);
	expect_refused("gnuplot failed on throughput.gp (png): ", FX "result.json", NULL);
	free(bad), free(scripts);
}
