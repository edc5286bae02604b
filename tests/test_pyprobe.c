/*
 * test_pyprobe.c — tools/pyprobe.py, CPython's own primitives measured into a
 * lockbench/1 result: every workload runs and its result validates against
 * results/schema.json, `plot` and `compare` read it as they read ours, bad
 * input is one line and exit 2 with nothing written, and its fairness and
 * short-term metrics are ours (the C functions and the script agree on fixed
 * inputs chosen to reach every rule: ties, odd counts, zeros, foreign ids,
 * the percentile rank's rounding).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/metrics.h"
#include "engine/hist.h"
#include "cli_util.h"

#define PYTHON "/usr/bin/python3"

static void pyprobe(struct cli_result *r, const char *const *args)
{
	const char *argv[40] = { PYTHON, "tools/pyprobe.py" };
	size_t n = 2;
	for (size_t i = 0; args[i] && n < 39; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	cli_exec(r, argv);
}

static int validate(const char *doc)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, PYTHON " tests/validate_schema.py results/schema.json %s 1>&2", doc);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(pyprobe, every_workload_validates_and_plot_and_compare_read_it, .timeout = 180)
{
	char *dir = cli_tmpdir(), out[256], plots[256];
	snprintf(out, sizeof out, "%s/py.json", dir);
	snprintf(plots, sizeof plots, "%s/plots", dir);
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "-t", "2", "-d", "40ms", "--warmup", "10ms", "-r", "2", "-q", "-o", out,
			       "-w", "cs", "-w", "nest", "-w", "trylock", "-w", "timedlock", "-w", "condition",
			       "-w", "semaphore", "-w", "event", "-w", "barrier", NULL };
	pyprobe(r, args);
	cr_assert_eq(r->status, 0, "pyprobe: %s", r->err);
	cr_assert_eq(validate(out), 0);

	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *configs = json_object_get(doc, "configs");
	const char *locks[] = { "py-lock", "py-rlock", "py-condition", "py-queue", "py-semaphore", "py-bsemaphore",
				"py-event", "py-barrier" };
	for (size_t l = 0; l < sizeof locks / sizeof locks[0]; l++) {
		bool seen = false;
		size_t i;
		json_t *c;
		json_array_foreach(configs, i, c) {
			if (strcmp(json_string_value(json_object_get(json_object_get(c, "lock"), "name")), locks[l]) != 0)
				continue;
			seen = true;
			cr_expect_str_eq(json_string_value(json_object_get(c, "status")), "ok", "%s",
					 json_string_value(json_object_get(c, "id")));
			/* Progress over both repetitions: a loaded machine may starve one short window. */
			json_t *samples = json_object_get(c, "samples"), *s;
			json_int_t acquired = 0;
			size_t k;
			json_array_foreach(samples, k, s)
				acquired += json_integer_value(json_object_get(s, "acquisitions"));
			cr_expect_gt(acquired, 0, "%s made no progress", json_string_value(json_object_get(c, "id")));
		}
		cr_expect(seen, "no config ran on %s", locks[l]);
	}
	/* The identity format of the C runner: lock:params|workload:params|threads=N|pin=P */
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(configs, 0), "id")),
			 "py-lock:|cs:cs_ns=0ns,think_ns=0ns|threads=2|pin=none");
	json_t *py = json_object_get(json_object_get(doc, "context"), "python");
	cr_assert(json_is_string(json_object_get(py, "version")));
	cr_assert(json_is_number(json_object_get(py, "switch_interval_s")));
	cr_assert(json_is_boolean(json_object_get(py, "free_threaded_build")));
	cr_assert(json_is_boolean(json_object_get(py, "gil_enabled")));
	json_decref(doc);

	const char *plot[] = { "plot", out, "--data-only", "-o", plots, "-q", NULL };
	cli_run(r, plot);
	cr_expect_eq(r->status, 0, "plot: %s", r->err);
	cr_expect_gt(cli_count_entries(plots), 0);
	const char *cmp[] = { "compare", out, out, "--min-repeats", "2", "-q", NULL };
	cli_run(r, cmp);
	cr_expect_eq(r->status, 0, "compare: %s", r->err);
	free(r);
	free(dir);
}

Test(pyprobe, bad_input_is_one_line_and_exit_2, .timeout = 60)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/never.json", dir);
	const char *bad[][4] = {
		{ "-t", "0" }, { "-d", "5" }, { "-w", "nope" }, { "-l", "py-event" }, { "-w", "cs:cs_ns=abc" },
		{ "-r", "0" }, { "-w", "cs:depth=3" }, { "--bogus" },
	};
	struct cli_result *r = calloc(1, sizeof *r);
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		const char *args[] = { "-o", out, bad[i][0], bad[i][1], NULL };
		pyprobe(r, args);
		cr_expect_eq(r->status, 2, "%s %s: exit %d", bad[i][0], bad[i][1] ? bad[i][1] : "", r->status);
		cr_expect_eq(cli_lines(r->err), 1, "%s: %s", bad[i][0], r->err);
		cr_expect(strncmp(r->err, "pyprobe: ", 9) == 0, "%s", r->err);
	}
	cr_expect_eq(cli_count_entries(dir), 0, "a refused run left a file behind");
	free(r);
	free(dir);
}

/* pyprobe's fairness() and short_term() of the same inputs, as JSON from the script. */
static json_t *python_metrics(void)
{
	static const char code[] =
		"import json, sys; sys.path.insert(0, 'tools'); import pyprobe as p\n"
		"counts = [[5, 0, 17, 17, 3], [10, 10], [0, 0], [7], [1, 2, 3, 4], [9, 9, 9]]\n"
		"logs = [([0, 1, 1, 2, 0, 0, 3, 1, 2, 2, 0, 9], 4), ([0, 0, 0, 1], 2), ([1], 2), ([], 3)]\n"
		"vals = [i % 250 + 1 for i in range(998)] + [254, 255]\n"
		"print(json.dumps([[p.fairness(c) for c in counts], [p.short_term(o, n) for o, n in logs],\n"
		"                  [p.value_at(sorted(vals), q) for q in (50, 90, 99, 99.9, 99.99)]]))\n";
	const char *argv[] = { PYTHON, "-c", code, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_exec(r, argv);
	cr_assert_eq(r->status, 0, "%s", r->err);
	json_error_t je;
	json_t *j = json_loads(r->out, 0, &je);
	cr_assert_not_null(j, "%s: %s", je.text, r->out);
	free(r);
	return j;
}

static double num_or_nan(json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static void expect_same(double c, json_t *py, const char *what, size_t i)
{
	double p = num_or_nan(py);
	if (isinf(c) || isnan(c)) /* the C side's INFINITY and NAN are null in JSON */
		cr_expect(json_is_null(py), "%s[%zu]: C %g, Python not null", what, i, c);
	else
		cr_expect(fabs(c - p) <= 1e-12 * fmax(1, fabs(c)), "%s[%zu]: C %.17g, Python %.17g", what, i, c, p);
}

Test(pyprobe, metrics_match_the_c_definitions, .timeout = 60)
{
	static const uint64_t counts[][5] = { { 5, 0, 17, 17, 3 }, { 10, 10 }, { 0, 0 }, { 7 }, { 1, 2, 3, 4 }, { 9, 9, 9 } };
	static const size_t ncounts[] = { 5, 2, 2, 1, 4, 3 };
	static const uint16_t logs[][12] = { { 0, 1, 1, 2, 0, 0, 3, 1, 2, 2, 0, 9 }, { 0, 0, 0, 1 }, { 1 }, { 0 } };
	static const size_t nlog[] = { 12, 4, 1, 0 };
	static const unsigned nthr[] = { 4, 2, 2, 3 };
	json_t *py = python_metrics();
	json_t *fair = json_array_get(py, 0), *st = json_array_get(py, 1), *pct = json_array_get(py, 2);

	for (size_t i = 0; i < 6; i++) {
		struct lb_fairness f;
		json_t *p = json_array_get(fair, i);
		lb_fairness_compute(counts[i], ncounts[i], &f);
		expect_same(f.jain, json_object_get(p, "jain"), "jain", i);
		expect_same(f.rsd, json_object_get(p, "rsd"), "rsd", i);
		expect_same(f.fairness_factor, json_object_get(p, "fairness_factor"), "fairness_factor", i);
		expect_same(f.max_min_ratio, json_object_get(p, "max_min_ratio"), "max_min_ratio", i);
		expect_same((double)f.min, json_object_get(p, "min"), "min", i);
		expect_same((double)f.max, json_object_get(p, "max"), "max", i);
		cr_expect_eq(f.starved, json_is_true(json_object_get(p, "locktorture_starved")), "starved[%zu]", i);
	}
	for (size_t i = 0; i < 4; i++) {
		struct lb_short_term s;
		json_t *p = json_array_get(st, i);
		void *scratch = malloc(lb_short_term_scratch_size(nthr[i], nlog[i]));
		lb_short_term_compute(logs[i], nlog[i], nthr[i], 0, scratch, &s);
		free(scratch);
		expect_same((double)s.covered, json_object_get(p, "covered"), "covered", i);
		expect_same(s.window, json_object_get(p, "window"), "window", i);
		expect_same(s.lwss, json_object_get(p, "lwss"), "lwss", i);
		expect_same(s.mttr, json_object_get(p, "mttr"), "mttr", i);
		expect_same(s.handover_ratio, json_object_get(p, "handover_ratio"), "handover_ratio", i);
	}
	/*
	 * Values below 256, where the C histogram's buckets are exact: same rank rule, same value; 99.9% of
	 * 1000 is 999.0000000000001 in doubles, and the rank's slack must make it 999 (254), not 1000 (255).
	 */
	struct lb_hist *h = aligned_alloc(LB_HIST_ALIGN, sizeof *h);
	lb_hist_reset(h);
	for (unsigned i = 0; i < 998; i++)
		lb_hist_record(h, i % 250 + 1);
	lb_hist_record(h, 254);
	lb_hist_record(h, 255);
	const double pcts[] = { 50, 90, 99, 99.9, 99.99 };
	for (size_t i = 0; i < 5; i++)
		expect_same((double)lb_hist_value_at(h, pcts[i]), json_array_get(pct, i), "percentile", i);
	free(h);
	json_decref(py);
}

static double wf(json_t *config, const char *name)
{
	json_t *s = json_array_get(json_object_get(config, "samples"), 0);
	json_t *v = json_object_get(json_object_get(s, "workload_figures"), name);
	cr_assert(json_is_number(v), "%s: no workload figure %s", json_string_value(json_object_get(config, "id")),
		  name);
	return json_number_value(v);
}

/* CPython's own Semaphore accepts every extra release, BoundedSemaphore refuses them: the C workload's figures. */
Test(pyprobe, over_release_on_cpython_semaphores, .timeout = 120)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/sem.json", dir);
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "-t", "2", "-d", "60ms", "--warmup", "10ms", "-q", "-o", out, "-w",
			       "semaphore:over_release=3", NULL };
	pyprobe(r, args);
	cr_assert_eq(r->status, 0, "pyprobe: %s", r->err);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), 2);
	json_t *plain = json_array_get(configs, 0), *bounded = json_array_get(configs, 1);
	cr_assert_str_eq(json_string_value(json_object_get(json_object_get(plain, "lock"), "name")), "py-semaphore");
	cr_expect_gt(wf(plain, "over_releases"), 0);
	cr_expect_eq(wf(plain, "over_accepted"), wf(plain, "over_releases"));
	cr_expect_eq(wf(plain, "refused_releases"), 0);
	cr_expect_gt(wf(bounded, "refused_releases"), 0, "BoundedSemaphore raised no ValueError");
	cr_expect_leq(wf(bounded, "value_end"), 2);
	json_decref(doc);

	/* queue.Queue has no notify_all: refused, not ignored. */
	const char *bad[] = { "-o", out, "-l", "py-queue", "-w", "condition:notify_all=1", NULL };
	pyprobe(r, bad);
	cr_expect_eq(r->status, 2);
	cr_expect(strstr(r->err, "notify_all") != NULL && cli_lines(r->err) == 1, "%s", r->err);
	free(r);
	free(dir);
}
