/*
 * test_merge.c — `lockbench merge` on result files (the compare fixtures):
 * samples joined in input order and renumbered, each keeping its shard; a
 * failure in any input kept; one machine per host; inputs of two builds,
 * duplicate ids and broken files refused in one line. (A sweep directory's
 * merge, with its missing list: test_sweep.c and tests/slurm/.)
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

static json_t *merge_ok(const char *out, const char *a, const char *b)
{
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "merge", "-o", out, a, b, NULL };
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "exit %d: %s", r->status, r->err);
	free(r);
	json_error_t e;
	json_t *doc = json_load_file(out, 0, &e);
	cr_assert_not_null(doc, "%s", e.text);
	return doc;
}

static void merge_fails(const char *needle, const char *a, const char *b)
{
	char *dir = cli_tmpdir(), out[512];
	snprintf(out, sizeof out, "%s/m.json", dir);
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "merge", "-o", out, a, b, NULL };
	cli_run(r, args);
	cr_expect_eq(r->status, 2, "exit %d: %s", r->status, r->err);
	cr_expect(strncmp(r->err, "lockbench: merge: ", 18) == 0 && cli_lines(r->err) == 1, "%s", r->err);
	cr_expect(strstr(r->err, needle), "\"%s\" not in %s", needle, r->err);
	cr_expect_eq(cli_count_entries(dir), 0, "no output left behind");
	free(r);
	free(dir);
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(missing)";
}

Test(merge, joins_samples_in_input_order_and_keeps_failures)
{
	char *dir = cli_tmpdir(), out[512];
	snprintf(out, sizeof out, "%s/m.json", dir);
	json_t *doc = merge_ok(out, FX "base.json", FX "broken.json");
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), 3);
	static const char *const status[] = { "hung", "failed", "ok" };
	for (size_t i = 0; i < 3; i++) {
		json_t *c = json_array_get(configs, i), *samples = json_object_get(c, "samples");
		cr_expect_str_eq(str(c, "status"), status[i], "a failure in one input is the config's");
		cr_expect_str_eq(str(c, "machine"), "h1", "the machine of a plain result is its host");
		cr_expect_eq(json_array_size(samples), 20);
		for (size_t k = 0; k < json_array_size(samples); k++) {
			json_t *s = json_array_get(samples, k);
			cr_expect_eq(json_integer_value(json_object_get(s, "repetition")), (json_int_t)k);
			cr_expect_eq(json_integer_value(json_object_get(s, "shard")), (json_int_t)(k / 10));
		}
		cr_expect_not_null(json_object_get(c, "summary"), "summaries are recomputed");
	}
	json_t *ctx = json_object_get(doc, "context");
	cr_expect_eq(json_array_size(json_object_get(ctx, "machines")), 1);
	cr_expect_eq(json_array_size(json_object_get(ctx, "merged_from")), 2);
	cr_expect_eq(json_array_size(json_object_get(doc, "missing")), 0);
	json_decref(doc);
	free(dir);
}

Test(merge, one_machine_per_host)
{
	char *dir = cli_tmpdir(), out[512];
	snprintf(out, sizeof out, "%s/m.json", dir);
	json_t *doc = merge_ok(out, FX "base.json", FX "other_host.json");
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), 6, "3 configs on each of 2 machines");
	for (size_t i = 0; i < 6; i++) {
		json_t *c = json_array_get(configs, i);
		cr_expect_str_eq(str(c, "machine"), i < 3 ? "h1" : "h2");
		cr_expect_eq(json_array_size(json_object_get(c, "samples")), 10, "samples stay with their machine");
	}
	json_t *machines = json_object_get(json_object_get(doc, "context"), "machines");
	cr_assert_eq(json_array_size(machines), 2);
	cr_expect_str_eq(str(json_object_get(json_array_get(machines, 1), "context"), "host"), "h2",
			 "each machine keeps its own context");
	json_decref(doc);
	free(dir);
}

Test(merge, refuses_bad_inputs)
{
	merge_fails("duplicate id", FX "base.json", FX "duplicate_id.json");
	merge_fails("not a lockbench result", FX "base.json", FX "wrong_schema.json");
	merge_fails("nonexistent.json", FX "base.json", FX "nonexistent.json");
	/* Two builds: joining them would hide the change between them. */
	char *dir = cli_tmpdir(), other[512], cmd[1024];
	snprintf(other, sizeof other, "%s/other_build.json", dir);
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); "
		 "d[\"context\"][\"git_commit\"] = \"def456\"; json.dump(d, open(sys.argv[2], \"w\"))' %s %s",
		 FX "base.json", other);
	cr_assert_eq(system(cmd), 0);
	merge_fails("not one build", FX "base.json", other);
	free(dir);
}

Test(merge, usage_errors)
{
	struct cli_result *r = calloc(1, sizeof *r);
	const char *no_out[] = { "merge", FX "base.json", NULL };
	cli_run(r, no_out);
	cr_expect(r->status == 2 && strstr(r->err, "-o"), "%s", r->err);
	const char *no_in[] = { "merge", "-o", "/tmp/x.json", NULL };
	cli_run(r, no_in);
	cr_expect(r->status == 2 && strstr(r->err, "no result to merge"), "%s", r->err);
	const char *dir_and_file[] = { "merge", "-o", "/tmp/x.json", "/tmp", FX "base.json", NULL };
	cli_run(r, dir_and_file);
	cr_expect(r->status == 2 && strstr(r->err, "merged alone"), "%s", r->err);
	const char *bad_out[] = { "merge", "-o", "/nonexistent/dir/x.json", FX "base.json", NULL };
	cli_run(r, bad_out);
	cr_expect(r->status == 2 && strstr(r->err, "does not exist"), "%s", r->err);
	free(r);
}
