/*
 * test_plot_rw.c — the reader-writer chart (render/plot_rw.c, plots/rw.gp)
 * through the binary, on tests/fixtures/plot/rw_result.json: a real run of
 * `rw:writers=1` on rw-rpref, rw-phasefair and pthread at 2 and 3 threads, 3
 * repetitions (trimmed of hold and hand-off latencies, lock counters and
 * short-term fairness). On that run the reader-preference lock shut its
 * writer out at 3 threads (write rate 0, writer_starved in the summary).
 *
 *  - rw.dat is exactly tests/fixtures/plot/expected/rw/rw.dat, and every row
 *    is what the JSON's summaries say, computed here again with jansson;
 *  - a rate of 0 is drawn on the zero line, a tenth of the least rate above 0;
 *  - a config without a summary gives its median sample's roles;
 *  - a result without roles (result.json) has no rw.dat, no rw lines in
 *    meta.gp and no rw chart;
 *  - the chart renders as PNG and SVG, also when no thread wrote at all.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_util.h"

#define RW_FX FX "rw_result.json"

/* Plot src's data only into a fresh directory; returns the directory (caller frees). */
static char *data_of(const char *src)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", src, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0, "plot %s", src);
	free(dir);
	return out;
}

/* The number in meta.gp assigned to name ("name = v"). */
static double meta_number(const char *meta, const char *name)
{
	char prefix[64];
	snprintf(prefix, sizeof prefix, "%s = ", name);
	char *line = line_starting(meta, prefix);
	cr_assert_not_null(line, "meta.gp has no %s", name);
	double v = strtod(line + strlen(prefix), NULL);
	free(line);
	return v;
}

/* The 12 numbers of the rw.dat row of the block's config at threads, or false. */
static bool rw_row(const char *dat, size_t block, unsigned threads, double *v)
{
	bool in = false;
	for (const char *l = dat; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
		if (strncmp(l, "# block ", 8) == 0) {
			in = strtoul(l + 8, NULL, 10) == block;
			continue;
		}
		if (!in || *l == '#' || *l == '\n')
			continue;
		char *end;
		const char *p = l;
		for (int i = 0; i < 12; i++, p = end) {
			v[i] = strtod(p, &end);
			cr_assert(end != p, "rw.dat: short row: %.*s", (int)strcspn(l, "\n"), l);
		}
		if ((unsigned)v[0] == threads)
			return true;
	}
	return false;
}

static bool same(double want, double got)
{
	if (isnan(want))
		return isnan(got);
	return fabs(want - got) <= 1e-9 * fabs(want) + 1e-9;
}

/* A summary's median, ci95_low, ci95_high of key; NAN for null or absent. */
static void stat_of(json_t *sum, const char *key, double *three)
{
	static const char *const f[] = { "median", "ci95_low", "ci95_high" };
	json_t *o = json_object_get(sum, key);
	for (int i = 0; i < 3; i++) {
		json_t *x = json_object_get(o, f[i]);
		three[i] = json_is_number(x) ? json_number_value(x) : NAN;
	}
}

Test(plot_rw_data, rw_table_is_exactly_as_expected, .init = use_repo_scripts, .timeout = 30)
{
	char *out = data_of(RW_FX);
	char *want = slurp(FX "expected/rw/rw.dat"), *got = slurp_in(out, "rw.dat");
	cr_assert_not_null(want);
	cr_assert_not_null(got, "rw.dat not written");
	cr_expect_str_eq(got, want, "rw.dat differs from " FX "expected/rw/rw.dat");
	char *meta = slurp_in(out, "meta.gp");
	char *key = line_starting(meta, "array rw_key[");
	cr_expect_str_eq(key, "array rw_key[3] = ['rw-rpref', 'rw-phasefair', 'pthread']");
	cr_expect_eq(meta_number(meta, "rw_blocks"), 3);
	cr_expect_eq(meta_number(meta, "rw_reads"), 6);
	cr_expect_eq(meta_number(meta, "rw_writes"), 6);
	free(key), free(meta), free(want), free(got), free(out);
}

/* Every row against the JSON: the role summaries, the starvation flags, n, oversubscribed. */
Test(plot_rw_data, rows_are_the_summaries_of_the_json, .init = use_repo_scripts, .timeout = 30)
{
	char *out = data_of(RW_FX);
	char *dat = slurp_in(out, "rw.dat");
	json_error_t je;
	json_t *doc = json_load_file(RW_FX, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	const char *locks[] = { "rw-rpref", "rw-phasefair", "pthread" };
	const int threads[] = { 2, 3 };
	int rows = 0;
	for (size_t b = 0; b < 3; b++)
		for (size_t t = 0; t < 2; t++) {
			json_t *sum = json_object_get(config_of(doc, locks[b], threads[t]), "summary");
			double v[12], rd[3], wr[3];
			cr_assert(rw_row(dat, b, (unsigned)threads[t], v), "no row for %s at %d threads", locks[b], threads[t]);
			stat_of(sum, "read_throughput_per_s", rd);
			stat_of(sum, "write_throughput_per_s", wr);
			for (int i = 0; i < 3; i++) {
				cr_expect(same(rd[i], v[1 + i]), "%s/%d read column %d: %g vs %g", locks[b], threads[t], i,
					  rd[i], v[1 + i]);
				cr_expect(same(wr[i], v[4 + i]), "%s/%d write column %d: %g vs %g", locks[b], threads[t], i,
					  wr[i], v[4 + i]);
			}
			cr_expect_eq(v[7], json_integer_value(json_object_get(json_object_get(sum, "throughput_per_s"), "n")));
			cr_expect_eq(v[8], json_is_true(json_object_get(sum, "reader_starved")));
			cr_expect_eq(v[9], json_is_true(json_object_get(sum, "writer_starved")));
			json_t *pin = json_object_get(config_of(doc, locks[b], threads[t]), "pin");
			cr_expect_eq(v[10], json_is_true(json_object_get(pin, "oversubscribed")));
			rows++;
		}
	cr_expect_eq(data_rows(dat), rows, "one row per config, nothing else");
	/* The classic outcome this run caught: reader preference shut the writer out at 3 threads. */
	double v[12];
	cr_assert(rw_row(dat, 0, 3, v));
	cr_expect_eq(v[4], 0, "rw-rpref's writer got nothing at 3 threads");
	cr_expect_eq(v[9], 1, "and is marked starved");
	json_decref(doc);
	free(dat), free(out);
}

Test(plot_rw_data, a_rate_of_zero_sits_on_the_zero_line, .init = use_repo_scripts, .timeout = 30)
{
	char *out = data_of(RW_FX);
	char *dat = slurp_in(out, "rw.dat"), *meta = slurp_in(out, "meta.gp");
	double least = INFINITY, most = 0, v[12];
	for (size_t b = 0; b < 3; b++)
		for (unsigned t = 2; t <= 3; t++) {
			cr_assert(rw_row(dat, b, t, v));
			for (int i = 1; i <= 6; i++) {
				if (v[i] > 0 && v[i] < least)
					least = v[i];
				if (v[i] > most)
					most = v[i];
			}
		}
	cr_expect(same(least / 10, meta_number(meta, "rw_zero")), "rw_zero: a tenth of %g", least);
	cr_expect(same(most, meta_number(meta, "rw_max")), "rw_max: %g", most);
	free(dat), free(meta), free(out);
}

/* No summaries: each config's median-throughput sample speaks for it (n 1, its own CI). */
static void drop_summaries(json_t *doc)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "configs"), i, c)
		json_object_del(c, "summary");
}

Test(plot_rw_data, a_config_without_summary_gives_its_median_sample, .init = use_repo_scripts, .timeout = 30)
{
	char *src = variant_of(RW_FX, drop_summaries);
	char *out = data_of(src);
	char *dat = slurp_in(out, "rw.dat");
	json_error_t je;
	json_t *doc = json_load_file(RW_FX, 0, &je);
	cr_assert_not_null(doc);
	/* pthread at 2 threads: the sample with the median total throughput. */
	json_t *samples = json_object_get(config_of(doc, "pthread", 2), "samples");
	double tp[3];
	for (size_t k = 0; k < 3; k++)
		tp[k] = json_number_value(json_object_get(json_array_get(samples, k), "throughput_per_s"));
	size_t med = 0;
	for (size_t k = 0; k < 3; k++) {
		int below = 0;
		for (size_t j = 0; j < 3; j++)
			below += tp[j] < tp[k];
		if (below == 1)
			med = k;
	}
	json_t *roles = json_object_get(json_array_get(samples, med), "roles");
	double rd = json_number_value(json_object_get(json_object_get(roles, "read"), "throughput_per_s"));
	double wr = json_number_value(json_object_get(json_object_get(roles, "write"), "throughput_per_s"));
	double v[12];
	cr_assert(rw_row(dat, 2, 2, v));
	cr_expect(same(rd, v[1]) && same(rd, v[2]) && same(rd, v[3]), "read %g: %g [%g, %g]", rd, v[1], v[2], v[3]);
	cr_expect(same(wr, v[4]) && same(wr, v[5]) && same(wr, v[6]), "write %g: %g [%g, %g]", wr, v[4], v[5], v[6]);
	cr_expect_eq(v[7], 1, "one sample");
	json_decref(doc);
	free(dat), free(out), free(src);
}

Test(plot_rw_data, a_result_without_roles_has_no_rw_chart, .init = use_repo_scripts, .timeout = 30)
{
	char *out = data_of(FX "result.json");
	char *meta = slurp_in(out, "meta.gp");
	cr_expect_not(exists(out, "rw.dat"), "rw.dat for a run without roles");
	cr_expect_null(strstr(meta, "\nrw_"), "rw lines in meta.gp of a run without roles");
	cr_expect_null(strstr(meta, "array rw_"));
	free(meta), free(out);
}

static void expect_image(const char *dir, const char *name)
{
	char *text = slurp_in(dir, name);
	cr_assert_not_null(text, "%s/%s not written", dir, name);
	free(text);
	char *p = path_in(dir, name);
	FILE *f = fopen(p, "rb");
	cr_assert_not_null(f);
	fseek(f, 0, SEEK_END);
	cr_expect_gt(ftell(f), 5000, "%s is suspiciously small", p);
	fclose(f);
	free(p);
}

Test(plot_rw_render, the_rw_chart_as_png_and_svg_beside_the_others, .init = use_repo_scripts, .timeout = 90)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", RW_FX, "-o", out, NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	expect_image(out, "rw.png");
	expect_image(out, "rw.svg");
	char *svg = slurp_in(out, "rw.svg");
	cr_expect_not_null(strstr(svg, "</svg>"), "rw.svg not closed");
	cr_expect_not_null(strstr(svg, "starved"), "the key names the starvation ring");
	free(svg);
	cr_expect_eq(cli_count_entries(out), 6 + 10, "5 tables, meta.gp, 5 PNG, 5 SVG, nothing else");
	free(r), free(out), free(dir);
}

/* Nobody wrote: every write role empty. The panel says so; gnuplot must not fail on it. */
static void no_writers(json_t *doc)
{
	size_t i, k;
	json_t *c, *s;
	json_array_foreach(json_object_get(doc, "configs"), i, c) {
		json_t *sum = json_object_get(c, "summary");
		json_object_set_new(sum, "write_throughput_per_s", json_pack("{s:i}", "n", 0));
		json_array_foreach(json_object_get(c, "samples"), k, s) {
			json_t *w = json_object_get(json_object_get(s, "roles"), "write");
			json_object_set_new(w, "threads", json_integer(0));
			json_object_set_new(w, "throughput_per_s", json_null());
		}
	}
}

Test(plot_rw_render, a_panel_without_points_still_renders, .init = use_repo_scripts, .timeout = 90)
{
	char *src = variant_of(RW_FX, no_writers);
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", src, "-o", out, "--format", "png", NULL };
	struct cli_result *r = plot(args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	expect_image(out, "rw.png");
	char *meta = slurp_in(out, "meta.gp");
	cr_expect_eq(meta_number(meta, "rw_writes"), 0);
	free(meta), free(r), free(out), free(dir), free(src);
}
