/*
 * test_ab.c — `lockbench ab`, the one-process A/B gate.
 *
 *   ab_stats     the paired verdict (analysis/paired.c) on synthetic window
 *                pairs from a fixed seed: host spells of +-30% shared by the
 *                two windows of a pair, 2% noise of each window. A/A: no
 *                regression, trial after trial; a 10% loss: found, while
 *                the unpaired compare of the same windows cannot see it.
 *   ab_plugin    one plug-in named twice loads twice (two objects)
 *   ab_cli       the command: the example plug-in's delay_iters knob (a
 *                known amount of work added inside the lock) is found, the
 *                plug-in against itself passes, bad inputs are one line
 *                and exit 2
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/compare.h"
#include "analysis/stats.h"
#include "cli_util.h"
#include "engine/plugin.h"
#include "model/model.h"
#include "plugin_util.h"

#define EXAMPLE "examples/plugin/mylock.c"

/* ---- synthetic window pairs ---- */

static uint64_t rng_state;

static double uniform(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return (double)((z ^ (z >> 31)) >> 11) / 9007199254740992.0;
}

/* A standard normal deviate (Box–Muller). */
static double normal(void)
{
	double u = uniform(), v = uniform();

	return sqrt(-2 * log(u > 0 ? u : 1e-300)) * cos(2 * M_PI * v);
}

/* A result of one config with n windows of throughput thr[i]; starved[i] if given. */
static struct lb_result *windows(const double *thr, const bool *starved, size_t n)
{
	struct lb_result *r = lb_result_new();
	struct lb_config *c = lb_result_add_config(r);

	c->id = lb_strdup("tatas@mylock.so:backoff=64|cs:cs_ns=1us|threads=1|pin=compact");
	for (size_t i = 0; i < n; i++) {
		struct lb_sample *s = lb_config_add_sample(c);

		s->repetition = (unsigned)i;
		s->status = LB_RS_OK;
		s->has_figures = true;
		s->throughput_per_s = thr[i];
		s->has_starvation = starved != NULL;
		s->starvation.starved = starved && starved[i];
		s->starvation.max_wait_ns = NAN;
	}
	return r;
}

/* Pairs of windows: a host spell common to both (sd spell, log scale), 2% noise each, new times loss. */
static void make_pairs(double *base, double *nw, size_t n, double spell, double loss)
{
	for (size_t i = 0; i < n; i++) {
		double host = spell * normal();

		base[i] = 1e6 * exp(host + 0.02 * normal());
		nw[i] = 1e6 * (1 - loss) * exp(host + 0.02 * normal());
	}
}

static struct lb_compare_settings paired_settings(void)
{
	struct lb_compare_settings s;

	lb_compare_defaults(&s);
	s.metrics[0] = lb_metric_find("throughput");
	s.nmetrics = 1;
	s.min_repeats = lb_stats_wilcoxon_min_n(s.alpha);
	return s;
}

/* The verdict of one synthetic trial, paired or (paired false) compare's. */
static enum lb_judgement trial(size_t n, double spell, double loss, bool paired, double *change)
{
	double base[64], nw[64];
	struct lb_compare_settings s = paired_settings();
	struct lb_result *b, *x;
	struct lb_verdict *v = NULL;
	char err[256];
	enum lb_judgement j;
	int rc;

	make_pairs(base, nw, n, spell, loss);
	b = windows(base, NULL, n);
	x = windows(nw, NULL, n);
	if (!paired)
		s.min_repeats = lb_stats_mann_whitney_min_n(s.alpha);
	rc = paired ? lb_compare_paired(b, "base", x, "new", &s, NULL, NULL, &v, err, sizeof err)
		    : lb_compare(b, "base", x, "new", &s, NULL, NULL, &v, err, sizeof err);
	cr_assert_eq(rc, 0, "%s", err);
	j = v->rows[0].verdict;
	if (change)
		*change = v->rows[0].change_pct;
	cr_expect_eq(v->settings.paired, paired);
	lb_verdict_free(v);
	lb_result_free(b);
	lb_result_free(x);
	return j;
}

Test(ab_stats, same_lock_twice_is_no_regression)
{
	size_t alarms = 0;

	rng_state = 20261125;
	for (int t = 0; t < 200; t++)
		alarms += trial(20, 0.3, 0, true, NULL) == LB_J_REGRESSION;
	/* a regression needs p < 0.01 and a median pair ratio 5% off: with 2% noise, never */
	cr_expect_eq(alarms, 0, "%zu of 200 A/A trials cried wolf", alarms);
}

Test(ab_stats, ten_percent_loss_is_found_through_host_spells)
{
	size_t found = 0, found_unpaired = 0;
	double change;

	rng_state = 42;
	for (int t = 0; t < 50; t++) {
		found += trial(20, 0.3, 0.10, true, &change) == LB_J_REGRESSION;
		cr_expect(change < -7 && change > -13, "the median pair ratio measures the loss: %+.1f%%", change);
	}
	rng_state = 42;
	for (int t = 0; t < 50; t++)
		found_unpaired += trial(20, 0.3, 0.10, false, NULL) == LB_J_REGRESSION;
	cr_expect_eq(found, 50, "paired windows: %zu of 50", found);
	/* the same windows unpaired: the 30% spells swamp the 10% (the reason for ab) */
	cr_expect(found_unpaired < 15, "unpaired found %zu of 50", found_unpaired);
}

Test(ab_stats, too_few_pairs_is_inconclusive)
{
	rng_state = 7;
	cr_expect_eq(trial(7, 0.3, 0.5, true, NULL), LB_J_INCONCLUSIVE, "7 pairs cannot reach p < 0.01");
	cr_expect_eq(trial(8, 0.3, 0.5, true, NULL), LB_J_REGRESSION, "8 can");
}

Test(ab_stats, starved_new_windows_are_a_regression)
{
	double base[10], nw[10];
	bool none[10] = { false }, most[10] = { true, true, true, true, true, true, false, false, false, false };
	struct lb_compare_settings s = paired_settings();
	struct lb_verdict *v = NULL;
	char err[256];

	rng_state = 3;
	make_pairs(base, nw, 10, 0.1, 0);
	struct lb_result *b = windows(base, none, 10), *x = windows(nw, most, 10);
	cr_assert_eq(lb_compare_paired(b, "base", x, "new", &s, NULL, NULL, &v, err, sizeof err), 0, "%s", err);
	cr_expect_eq(v->overall, LB_J_REGRESSION);
	cr_expect_str_eq(v->rows[0].reason, "new starved in 6/10 reps, base in 0/10");
	lb_verdict_free(v);
	lb_result_free(x);
	most[5] = false; /* 5 of 10: not most */
	x = windows(nw, most, 10);
	cr_assert_eq(lb_compare_paired(b, "base", x, "new", &s, NULL, NULL, &v, err, sizeof err), 0, "%s", err);
	cr_expect_neq(v->overall, LB_J_REGRESSION, "%s", v->rows[0].reason ? v->rows[0].reason : "");
	lb_verdict_free(v);
	lb_result_free(x);
	lb_result_free(b);
}

Test(ab_stats, stalled_windows_are_left_out)
{
	double base[12], nw[12];
	struct lb_compare_settings s = paired_settings();
	struct lb_verdict *v = NULL;
	char err[256];

	rng_state = 11;
	make_pairs(base, nw, 12, 0.1, 0.2);
	base[3] = 0; /* no acquisition in the window: the machine, not the lock */
	nw[7] = 0;
	struct lb_result *b = windows(base, NULL, 12), *x = windows(nw, NULL, 12);
	cr_assert_eq(lb_compare_paired(b, "base", x, "new", &s, NULL, NULL, &v, err, sizeof err), 0, "%s", err);
	cr_expect_eq(v->rows[0].base_n, 10);
	cr_expect_eq(v->rows[0].verdict, LB_J_REGRESSION);
	cr_expect(fabs(v->rows[0].change_pct + 20) < 3, "%+.1f%%", v->rows[0].change_pct);
	lb_verdict_free(v);
	lb_result_free(b);
	lb_result_free(x);
}

/* ---- one plug-in, two objects ---- */

Test(ab_plugin, the_same_file_loads_twice)
{
	char *so = plugin_build(EXAMPLE, NULL, "mylock"), err[512];
	const struct lb_lock_ops *a, *b;

	cr_assert(so, "cannot build %s", EXAMPLE);
	a = lb_plugin_load(so, err, sizeof err);
	cr_assert(a, "%s", err);
	b = lb_plugin_load_copy(so, err, sizeof err);
	cr_assert(b, "%s", err);
	cr_expect_neq(a, b, "one table for both: the two locks would share one object");
	cr_expect(a->acquire != b->acquire, "one code for both");
	cr_expect_str_eq(a->name, b->name);
	free(so);
}

/* ---- the command ---- */

static char *plugin;

static void build_plugin(void)
{
	plugin = plugin_build(EXAMPLE, NULL, "mylock");
	cr_assert(plugin, "cannot build %s", EXAMPLE);
}

static void drop_plugin(void)
{
	free(plugin);
}

TestSuite(ab_cli, .init = build_plugin, .fini = drop_plugin, .timeout = 120);

Test(ab_cli, a_known_slowdown_is_a_regression)
{
	static struct cli_result r;
	char slow[600];

	/* 2000 loop iterations in every acquisition, against ~100 ns of lock and harness: far slower */
	snprintf(slow, sizeof slow, "%s:delay_iters=2000", plugin);
	const char *args[] = { "ab", plugin, slow, "-t", "1", "--pairs", "12", "-d", "50ms", "--warmup", "10ms",
			       "--metric", "throughput", "--alpha", "0.05", NULL };
	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "stdout: %s\nstderr: %s", r.out, r.err);
	/* compare's 80-column table: the config named by its lock (NEW's), its rows under it */
	cr_expect(strstr(r.out, "delay_iters=2000\n  throughput "), "%s", r.out);
	cr_expect(strstr(r.out, "throughput") && strstr(r.out, "regression"), "%s", r.out);
	cr_expect(strstr(r.out, "ab: regression: 1 regression"), "%s", r.out);
	cr_expect(strstr(r.out, "\n    (threshold 5%, alpha 0.05, min 6 pairs, Wilcoxon signed-rank)\n"), "%s", r.out);
}

Test(ab_cli, the_same_plugin_twice_passes)
{
	static struct cli_result r;
	char *dir = cli_tmpdir(), json[512];

	snprintf(json, sizeof json, "%s/v.json", dir);
	/* two objects of one lock: any difference is the machine's, so only a wide threshold is asserted */
	const char *args[] = { "ab", plugin, plugin, "-t", "1", "--pairs", "10", "-d", "30ms", "--warmup", "10ms",
			       "--threshold", "50", "--json", json, "--wide", NULL };
	cli_run(&r, args);
	cr_expect_eq(r.status, 0, "%s", r.err);
	/* --wide: a row per metric with NEW's whole id, as compare --wide has it */
	cr_expect(strstr(r.out, "|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=1|pin=compact  throughput "), "%s", r.out);
	cr_expect(strstr(r.out, "|threads=1|pin=compact  jain "), "%s", r.out);
	json_error_t je;
	json_t *v = json_load_file(json, 0, &je);
	cr_assert(v, "%s", je.text);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(v, "settings"), "test")),
			 "wilcoxon-signed-rank");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(v, "base"), "file")), plugin);
	cr_expect_eq(json_array_size(json_object_get(v, "rows")), 3, "throughput, p99, jain");
	json_decref(v);
	unlink(json);
	rmdir(dir);
	free(dir);
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

Test(ab_cli, bad_inputs_are_one_line)
{
	const char *one[] = { "ab", "ticket", NULL };
	const char *opt_first[] = { "ab", "-t", "1", "ticket", "mcs", NULL };
	const char *two_locks[] = { "ab", "ticket,mcs", "mcs", NULL };
	const char *unknown[] = { "ab", "ticket", "nosuchlock", NULL };
	const char *missing_so[] = { "ab", "ticket", "./nosuch.so", NULL };
	const char *pairs[] = { "ab", "ticket", "mcs", "--pairs", "0", NULL };
	const char *metric[] = { "ab", "ticket", "mcs", "--metric", "speed", NULL };
	const char *operand[] = { "ab", "ticket", "mcs", "extra", NULL };
	const char *threads[] = { "ab", "ticket", "mcs", "-t", "0", NULL };

	expect_bad(one, "expected two lock specs, BASE and NEW");
	expect_bad(opt_first, "expected two lock specs, BASE and NEW");
	expect_bad(two_locks, "ab: BASE: \"ticket,mcs\" names 2 locks; give one");
	expect_bad(unknown, "ab: NEW: unknown lock \"nosuchlock\"");
	expect_bad(missing_so, "ab: NEW: plug-in \"./nosuch.so\"");
	expect_bad(pairs, "--pairs");
	expect_bad(metric, "unknown metric \"speed\"");
	expect_bad(operand, "extra");
	expect_bad(threads, "--threads");
}
