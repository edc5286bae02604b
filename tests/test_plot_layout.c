/*
 * test_plot_layout.c — charts that scale: rendered on results of 1 lock, 21
 * locks and 1,024 threads (tests/fixtures/scale/gen.py makes them), every
 * chart keeps a bounded size and every text inside its canvas
 * (tests/svg_text_bounds.py estimates each text's extent), locks keep apart
 * by colour and marker, and the views switch where they must: Lorenz curves
 * for the fairness chart beyond 16 threads, 64 sorted groups for the
 * timeline beyond 64 threads, a collapsed lock marked however fair it is;
 * the history chart (lockbench history --plot) of 84 configs as bounded.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>

#include "plot_util.h"

/* Bounds every chart must keep, whatever the result holds (the compare chart grows with its rows). */
#define MAX_W "1100"
#define MAX_H "2000"

static int sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int sh(const char *fmt, ...)
{
	char *cmd;
	va_list ap;
	va_start(ap, fmt);
	cr_assert(vasprintf(&cmd, fmt, ap) > 0);
	va_end(ap);
	int st = system(cmd);
	free(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

/* The generated fixtures, in a fresh directory; returns it. */
static char *scale_fixtures(void)
{
	char *dir = cli_tmpdir();
	cr_assert_eq(sh("/usr/bin/python3 tests/fixtures/scale/gen.py %s", dir), 0, "gen.py failed");
	return dir;
}

/* Render name.json of dir as SVG into dir/name/; returns that directory. */
static char *render(const char *dir, const char *name)
{
	char *in, *out;
	cr_assert(asprintf(&in, "%s/%s.json", dir, name) > 0 && asprintf(&out, "%s/%s", dir, name) > 0);
	const char *args[] = { "plot", in, "-o", out, "-f", "svg", "-q", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "plot %s: %s", in, r->err);
	free(r), free(in);
	return out;
}

static void expect_within_bounds(const char *out)
{
	cr_expect_eq(sh("/usr/bin/python3 tests/svg_text_bounds.py --max-width " MAX_W " --max-height " MAX_H
			" %s/*.svg 1>&2",
			out),
		     0, "a chart in %s is too big or has text outside its canvas (see stderr)", out);
}

Test(plot_layout, one_lock_stays_inside_its_canvas, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = scale_fixtures(), *out = render(dir, "one_lock");
	expect_within_bounds(out);
	cr_expect(exists(out, "tail.svg") && exists(out, "fairness.svg") && exists(out, "timeline.svg"));
	free(out), free(dir);
}

Test(plot_layout, twenty_one_locks_stay_bounded_and_apart, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = scale_fixtures(), *out = render(dir, "many_locks");
	expect_within_bounds(out);
	char *meta = slurp_in(out, "meta.gp");
	/* Every lock its own colour; markers cycle through 12 shapes, so neighbours never share one. */
	char *rgb = line_starting(meta, "array throughput_rgb[21] = ["), *pt = line_starting(meta, "array throughput_pt[21] = [");
	cr_assert_not_null(rgb, "%s", meta);
	cr_assert_not_null(pt, "%s", meta);
	unsigned c[21];
	int p[21];
	const char *s = strstr(rgb, "= [") + 2, *q = strstr(pt, "= [") + 2;
	for (int i = 0; i < 21; i++) {
		c[i] = (unsigned)strtoul(s + 1, (char **)&s, 10);
		p[i] = (int)strtol(q + 1, (char **)&q, 10);
	}
	for (int i = 0; i < 21; i++)
		for (int k = i + 1; k < 21; k++)
			cr_expect_neq(c[i], c[k], "locks %d and %d share the colour %06x", i, k, c[i]);
	for (int i = 0; i + 1 < 21; i++)
		cr_expect_neq(p[i], p[i + 1], "locks %d and %d share a marker", i, i + 1);
	/* The legend is a grid below the plot, in more than one column. */
	cr_expect_not_null(strstr(meta, "throughput_key_cols = 3\n"), "%s", meta);
	cr_expect_not_null(strstr(meta, "fairness_view = 'bars'\n"), "8 threads: bars\n%s", meta);
	free(rgb), free(pt), free(meta), free(out), free(dir);
}

Test(plot_layout, a_fair_lock_that_collapsed_is_marked, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = scale_fixtures(), *in, *out = path_in(dir, "data");
	cr_assert(asprintf(&in, "%s/many_locks.json", dir) > 0);
	const char *args[] = { "plot", in, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *meta = slurp_in(out, "meta.gp"), *bal = slurp_in(out, "balance.dat");
	/* ticket is the 7th lock of the fixture: 66 acquisitions in the window, perfectly fair. */
	const char *row = bal;
	for (int i = 0; i < 6 + 4; i++) /* 4 comment lines, then one row per lock */
		row = strchr(row, '\n') + 1;
	double tput, jain, ff, acq, of_best;
	int collapsed;
	cr_assert_eq(sscanf(row, "%lf %lf %lf %lf %lf %d", &tput, &jain, &ff, &acq, &of_best, &collapsed), 6, "%s", row);
	cr_expect_gt(jain, 0.99, "ticket is fair: %s", row);
	cr_expect_lt(acq, 100, "and hardly ran: %s", row);
	cr_expect_eq(collapsed, 1, "so it is marked a collapse: %s", row);
	/* pthread, the first row, did not collapse. */
	row = bal;
	for (int i = 0; i < 4; i++)
		row = strchr(row, '\n') + 1;
	cr_assert_eq(sscanf(row, "%lf %lf %lf %lf %lf %d", &tput, &jain, &ff, &acq, &of_best, &collapsed), 6, "%s", row);
	cr_expect_eq(collapsed, 0, "%s", row);
	cr_expect_not_null(strstr(meta, "fairness_collapse = 0.01\n"), "%s", meta);
	free(meta), free(bal), free(in), free(out), free(dir);
}

/* Data rows of block b (0-based) of a table, and the scans (blank-line separated runs) in it. */
static void block_shape(const char *text, int b, int *rows, int *scans)
{
	char tag[32];
	snprintf(tag, sizeof tag, "# block %d:", b);
	const char *p = strstr(text, tag);
	cr_assert_not_null(p, "no %s", tag);
	*rows = 0, *scans = 1;
	p = strchr(p, '\n') + 1;
	for (; *p && strncmp(p, "# block", 7) != 0; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p)) {
		if (*p == '\n') {
			if (p[1] != '\n' && p[1] != '#' && p[1] != '\0')
				(*scans)++;
		} else if (*p != '#') {
			(*rows)++;
		}
	}
}

Test(plot_layout, a_thousand_threads_stay_bounded, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = scale_fixtures(), *out = render(dir, "many_threads");
	expect_within_bounds(out);
	char *meta = slurp_in(out, "meta.gp"), *lorenz = slurp_in(out, "lorenz.dat"), *tl = slurp_in(out, "timeline.dat");
	cr_expect_not_null(strstr(meta, "\nthreads = 1024\n"), "%s", meta);
	cr_expect_not_null(strstr(meta, "fairness_view = 'lorenz'\n"), "%s", meta);
	cr_expect(!exists(out, "fairness.dat"), "no bar per thread beyond 16 threads");
	cr_assert_not_null(lorenz);
	int rows, scans;
	block_shape(lorenz, 2, &rows, &scans);
	cr_expect_eq(rows, 1025, "a Lorenz curve: the origin and one point per thread");
	cr_expect_not_null(strstr(meta, "timeline_rows = 64\ntimeline_grouped = 1\n"), "%s", meta);
	block_shape(tl, 0, &rows, &scans);
	cr_expect_eq(scans, 64, "64 groups of threads, not 1,024 rows");
	cr_expect_not_null(strstr(meta, "timeline_cmax = "), "one colour scale for every panel");
	free(meta), free(lorenz), free(tl), free(out), free(dir);
}

static void long_names(json_t *doc)
{
	char host[400];
	memset(host, 'h', sizeof host - 1);
	host[sizeof host - 1] = '\0';
	memcpy(host, "a-very-long-host-name ", 22);
	json_t *ctx = json_object_get(doc, "context");
	json_object_set_new(ctx, "host", json_string(host));
	json_object_set_new(ctx, "cpu_model", json_string("Some Vendor(R) Processor Model With A Name That Goes On And On @ 2.60GHz"));
}

Test(plot_layout, long_titles_wrap_inside_the_canvas, .init = use_repo_scripts, .timeout = 120)
{
	char *changed = variant(long_names), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", changed, "-o", out, "-f", "svg", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	expect_within_bounds(out);
	char *meta = slurp_in(out, "meta.gp");
	int lines = 0;
	const char *p = strstr(meta, "subtitle_lines = ");
	cr_assert_not_null(p, "%s", meta);
	sscanf(p, "subtitle_lines = %d", &lines);
	cr_expect_geq(lines, 4, "a 400-character host name takes several lines:\n%s", meta);
	free(meta), free(changed), free(out), free(dir);
}

/* The check itself: a text that starts left of the canvas, and a canvas too wide, are caught. */
Test(plot_layout, the_bounds_check_catches_a_clipped_title, .timeout = 30)
{
	char *dir = cli_tmpdir(), *svg = path_in(dir, "clipped.svg"), *wide = path_in(dir, "wide.svg");
	FILE *f = fopen(svg, "w");
	cr_assert_not_null(f);
	fputs("<svg width=\"1000\" height=\"600\">\n<g transform=\"translate(500.00,21.00)\" font-size=\"12.00\" "
	      "text-anchor=\"middle\">\n<text><tspan>A title of two hundred characters, centred on a canvas of "
	      "a thousand pixels, so that both of its ends fall off the edges of the canvas, as the second title lines "
	      "of the charts did before they were wrapped</tspan></text>\n</g>\n</svg>\n",
	      f);
	fclose(f);
	f = fopen(wide, "w");
	cr_assert_not_null(f);
	fputs("<svg width=\"5542\" height=\"600\">\n<g transform=\"translate(10,21)\" font-size=\"12\" text-anchor=\"start\">"
	      "<text>ok</text></g>\n</svg>\n",
	      f);
	fclose(f);
	cr_expect_eq(sh("/usr/bin/python3 tests/svg_text_bounds.py %s >/dev/null", svg), 1);
	cr_expect_eq(sh("/usr/bin/python3 tests/svg_text_bounds.py --max-width " MAX_W " %s >/dev/null", wide), 1);
	free(svg), free(wide), free(dir);
}

/* Every repetition of `lock` at 2 threads acquired nothing: throughput 0, shares undefined. */
static void starve_at_two(json_t *doc, const char *lock)
{
	json_t *c = config_of(doc, lock, 2), *s;
	size_t i;
	json_array_foreach(json_object_get(c, "samples"), i, s) {
		json_object_set_new(s, "acquisitions", json_integer(0));
		json_object_set_new(s, "throughput_per_s", json_real(0));
		json_t *t;
		size_t k;
		json_array_foreach(json_object_get(s, "threads"), k, t) {
			json_object_set_new(t, "acquisitions", json_integer(0));
			json_object_set_new(t, "throughput_per_s", json_real(0));
		}
	}
	json_object_del(json_object_get(c, "summary"), "throughput_per_s");
}

static void ticket_acquired_nothing(json_t *doc)
{
	starve_at_two(doc, "ticket");
}

static void nobody_acquired_anything(json_t *doc)
{
	starve_at_two(doc, "ticket");
	starve_at_two(doc, "gil");
}

/* Found by the docs' own example: an oversubscribed FIFO spinlock that did not acquire once. */
Test(plot_layout, a_lock_that_acquired_nothing_is_drawn, .init = use_repo_scripts, .timeout = 120)
{
	void (*edits[])(json_t *) = { ticket_acquired_nothing, nobody_acquired_anything };
	for (size_t i = 0; i < 2; i++) {
		char *changed = variant(edits[i]), *dir = cli_tmpdir(), *out = path_in(dir, "charts");
		const char *args[] = { "plot", changed, "-o", out, "-f", "svg", NULL };
		struct cli_result *r = plot(args);
		cr_expect_eq(r->status, 0, "case %zu: %s", i, r->err);
		if (r->status == 0)
			expect_within_bounds(out);
		free(r), free(out), free(changed), free(dir);
	}
}

Test(plot_layout, a_verdict_without_confidence_intervals_is_drawn, .init = use_repo_scripts, .timeout = 60)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "verdict.json", 0, &je), *row;
	cr_assert_not_null(doc, "%s", je.text);
	size_t i;
	json_array_foreach(json_object_get(doc, "rows"), i, row)
		json_object_set_new(row, "ratio_ci95", json_pack("[nn]"));
	char *dir = cli_tmpdir(), *in = path_in(dir, "v.json"), *out = path_in(dir, "charts");
	cr_assert_eq(json_dump_file(doc, in, 0), 0);
	json_decref(doc);
	const char *args[] = { "plot", in, "-o", out, "-f", "svg", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 0, "%s", r->err);
	free(r), free(in), free(out), free(dir);
}

/*
 * history --plot on the common layout too: 84 configs (21 locks at 4 thread
 * counts) over 3 results keep a bounded chart with every text inside, each
 * config its own colour in the legend below; a metric no result has
 * (scheduler_bound) gets its chart, empty, where gnuplot's autoscale would
 * stop on "all points y value undefined".
 */
Test(plot_layout, a_history_of_many_configs_stays_bounded, .init = use_repo_scripts, .timeout = 120)
{
	char *dir = scale_fixtures(), *in = path_in(dir, "many_locks.json"), *out = path_in(dir, "history");
	const char *args[] = { "history", in, in, in, "--metric", "throughput,jain,scheduler_bound", "--plot", out,
			       "-q", NULL };
	struct cli_result *r = plot(args);
	cr_expect_eq(r->status, 0, "%s", r->err);
	if (r->status == 0)
		expect_within_bounds(out);
	cr_expect(exists(out, "history-throughput.svg") && exists(out, "history-scheduler_bound.svg"));
	char *meta = slurp_in(out, "meta.gp");
	cr_assert_not_null(meta);
	cr_expect_not_null(strstr(meta, "history_blocks = 84\n"), "%s", meta);
	cr_expect_not_null(strstr(meta, "array metric_min[3] = ["), "%s", meta);
	cr_expect_not_null(strstr(meta, ", NaN]\n"), "scheduler_bound has no range: %s", meta);
	free(meta), free(r), free(in), free(out), free(dir);
}
