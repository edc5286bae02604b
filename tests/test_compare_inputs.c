/*
 * test_compare_inputs.c — `compare` refuses results measured differently:
 * run options, timing mode, busy-loop rate and machine are refused (exit 2,
 * one line naming the field and both values) unless --allow-mismatch names
 * their kind; then, and for another lockbench version, a warning that the
 * verdict keeps. Variants of tests/fixtures/compare/base.json (same figures,
 * so any exit 1 would be the gate judging, not refusing) are written with
 * jansson into a temporary directory.
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

TestSuite(compare_inputs, .init = setup, .fini = teardown);

/* What a run records of its options; each test changes one field of one side. */
struct ctx {
	long long duration_ns, warmup_ns, slice_ns, log_cap;
	const char *pin, *timing, *busy_rate_kind, *version, *host;
	double busy_rate;
};

static const struct ctx plain = { 200000000, 100000000, 10000000, 1 << 20, "compact", "sample:16",
				  "given", "0.1.0", "h1", 2000 };

/* base.json with context c, as dir/name; returns the path (caller frees). */
static char *variant(const char *name, const struct ctx *c)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "base.json", 0, &je);
	json_t *x;
	char *path = malloc(strlen(dir) + strlen(name) + 2);

	cr_assert(doc, "%s", je.text);
	sprintf(path, "%s/%s", dir, name);
	x = json_object_get(doc, "context");
	json_object_set_new(x, "version", json_string(c->version));
	json_object_set_new(x, "host", json_string(c->host));
	json_object_set_new(x, "busy_iterations_per_us", json_real(c->busy_rate));
	json_object_set_new(x, "options",
			    json_pack("{s:I, s:I, s:i, s:s, s:i, s:I, s:I, s:I, s:s}", "duration_ns",
				      (json_int_t)c->duration_ns, "warmup_ns", (json_int_t)c->warmup_ns, "repeat", 10,
				      "pin", c->pin, "timing_sample_every", 16, "slice_ns", (json_int_t)c->slice_ns,
				      "grace_ns", (json_int_t)5000000000LL, "order_log_cap", (json_int_t)c->log_cap,
				      "busy_rate", c->busy_rate_kind));
	json_object_set_new(x, "timing", json_pack("{s:s, s:i, s:n, s:s}", "mode", c->timing, "sample_every", 16,
						   "overhead_ns_per_acquisition", "overhead_method", "test"));
	cr_assert_eq(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	return path;
}

static void run3(struct cli_result *r, const char *a, const char *b, const char *extra1, const char *extra2)
{
	const char *args[] = { "compare", a, b, extra1, extra2, NULL };

	cli_run(r, args);
}

static void expect_one_line(const struct cli_result *r)
{
	const char *nl = strchr(r->err, '\n');

	cr_expect(nl && nl[1] == '\0', "not one line: %s", r->err);
	cr_expect_eq(strncmp(r->err, "lockbench: compare: ", 20), 0, "%s", r->err);
}

/* base vs a copy with one field changed: exit 2 naming want; then allowed by kind: exit 0, a warning. */
static void expect_refused(const struct ctx *nw, const char *want, const char *kind)
{
	static struct cli_result r;
	char *a = variant("a.json", &plain), *b = variant("b.json", nw);
	char hint[64];

	run3(&r, a, b, NULL, NULL);
	cr_expect_eq(r.status, 2, "%s: stderr %s", want, r.err);
	cr_expect(strstr(r.err, want), "want \"%s\" in: %s", want, r.err);
	snprintf(hint, sizeof(hint), "--allow-mismatch %s", kind);
	cr_expect(strstr(r.err, hint), "want \"%s\" in: %s", hint, r.err);
	expect_one_line(&r);
	cr_expect_str_empty(r.out, "nothing judged: %s", r.out);

	run3(&r, a, b, "--allow-mismatch", kind);
	cr_expect_eq(r.status, 0, "allowed %s: %s", kind, r.err);
	cr_expect(strstr(r.err, "warning: measured differently, allowed by --allow-mismatch"), "%s", r.err);
	cr_expect(strstr(r.err, want), "the warning names it: %s", r.err);
	free(a);
	free(b);
}

Test(compare_inputs, same_settings_pass_silently)
{
	static struct cli_result r;
	char *a = variant("a.json", &plain), *b = variant("b.json", &plain);

	run3(&r, a, b, NULL, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect_null(strstr(r.err, "measured differently"), "%s", r.err);
	free(a);
	free(b);
}

Test(compare_inputs, run_options_differ)
{
	struct ctx c = plain;

	c.duration_ns = 300000000;
	expect_refused(&c, "duration (base 200ms, new 300ms)", "options");
	c = plain;
	c.warmup_ns = 0;
	expect_refused(&c, "warmup (base 100ms, new 0ns)", "options");
	c = plain;
	c.pin = "scatter";
	expect_refused(&c, "pin (base \"compact\", new \"scatter\")", "options");
	c = plain;
	c.slice_ns = 1000000;
	expect_refused(&c, "slice (base 10ms, new 1ms)", "options");
	c = plain;
	c.log_cap = 1024;
	expect_refused(&c, "log-cap (base 1048576, new 1024)", "options");
}

Test(compare_inputs, timing_mode_differs)
{
	struct ctx c = plain;

	c.timing = "off";
	expect_refused(&c, "timing (base sample:16, new off)", "timing");
}

Test(compare_inputs, busy_rate_differs)
{
	struct ctx c = plain;

	/* the processes: 1448 against 2793 iterations/us */
	c.busy_rate = 2793;
	c.busy_rate_kind = "calibrated";
	expect_refused(&c, "busy-loop rate (base 2000 iterations/us given, new 2793 calibrated", "busy-rate");
}

Test(compare_inputs, busy_rate_within_tolerance_passes)
{
	static struct cli_result r;
	struct ctx c = plain;
	char *a, *b;

	c.busy_rate = 2010; /* 0.5%: the same work for cs_ns within the tolerance */
	a = variant("a.json", &plain);
	b = variant("b.json", &c);
	run3(&r, a, b, NULL, NULL);
	cr_expect_eq(r.status, 0, "%s", r.err);
	free(a);
	free(b);
}

Test(compare_inputs, machine_differs)
{
	struct ctx c = plain;

	c.host = "h2";
	expect_refused(&c, "host (base \"h1\", new \"h2\")", "machine");
}

Test(compare_inputs, several_fields_named_in_one_line)
{
	static struct cli_result r;
	struct ctx c = plain;
	char *a, *b;

	c.duration_ns = 300000000;
	c.timing = "all";
	a = variant("a.json", &plain);
	b = variant("b.json", &c);
	run3(&r, a, b, "--allow-mismatch", "timing");
	cr_expect_eq(r.status, 2, "only timing allowed, duration still refused: %s", r.err);
	cr_expect(strstr(r.err, "duration (base 200ms, new 300ms)"), "%s", r.err);
	cr_expect(strstr(r.err, "--allow-mismatch options"), "%s", r.err);
	cr_expect(strstr(r.err, "warning: measured differently, allowed by --allow-mismatch timing"), "%s", r.err);
	run3(&r, a, b, "--allow-mismatch", "all");
	cr_expect_eq(r.status, 0, "%s", r.err);
	free(a);
	free(b);
}

Test(compare_inputs, version_differs_is_a_warning_kept_in_the_verdict)
{
	static struct cli_result r;
	struct ctx c = plain;
	char *a, *b, json[512];
	json_error_t je;
	json_t *v;

	c.version = "0.2.0";
	a = variant("a.json", &plain);
	b = variant("b.json", &c);
	snprintf(json, sizeof(json), "%s/v.json", dir);
	const char *args[] = { "compare", a, b, "--json", json, "--allow-mismatch", "options,busy-rate", NULL };
	cli_run(&r, args);
	cr_expect_eq(r.status, 0, "%s", r.err);
	cr_expect(strstr(r.err, "warning: results come from different lockbench versions (base 0.1.0, new 0.2.0)"),
		  "%s", r.err);
	v = json_load_file(json, 0, &je);
	cr_assert(v, "%s", je.text);
	cr_expect(strstr(json_string_value(json_array_get(json_object_get(v, "warnings"), 0)), "0.2.0"));
	cr_expect_str_eq(json_string_value(json_array_get(
				 json_object_get(json_object_get(v, "settings"), "allow_mismatch"), 1)),
			 "busy-rate");
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(v, "settings"), "test")),
			 "mann-whitney-u");
	json_decref(v);
	free(a);
	free(b);
}

Test(compare_inputs, bad_allow_mismatch_is_one_line)
{
	static struct cli_result r;

	run3(&r, FX "base.json", FX "base.json", "--allow-mismatch", "duration");
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "--allow-mismatch: \"duration\" is none of options, timing, busy-rate, machine, all"),
		  "%s", r.err);
	expect_one_line(&r);
}
