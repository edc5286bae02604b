/*
 * test_merge_results.c — scripts/merge-results.py, which joins the chunks
 * of one side of the regression gate (see examples/ci/gate.sh). Run from
 * the repository root, on the compare fixtures:
 *
 *   base.json + broken.json   same build, host and plan; ticket hung and mcs
 *                             failed in the second: the merge must keep that
 *   other_host.json           another host: not one side of a comparison
 *   longer_cs.json            base.json's locks with cs_ns=125: relabelled
 *                             like base.json it must pair with it
 *   regression.json           clh where base.json has pthread: no relabel
 *
 * and on two real runs, whose merge must still validate against the schema.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

static char last_err[1024];

/* Runs merge-results.py with args (a shell fragment); its exit code. Its
 * stderr goes through a per-process file (tests run in parallel) into last_err. */
static int merge(const char *args)
{
	char cmd[2048], path[64];
	snprintf(path, sizeof path, "/tmp/lb_merge_err.%d", (int)getpid());
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 scripts/merge-results.py %s 2>%s", args, path);
	int st = system(cmd);
	FILE *f = fopen(path, "r");
	size_t n = f ? fread(last_err, 1, sizeof last_err - 1, f) : 0;
	last_err[n] = '\0';
	if (f)
		fclose(f);
	unlink(path);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	cr_assert_not_null(doc, "%s: %s", path, e.text);
	return doc;
}

static json_t *config(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "configs"), i);
}

static const char *str(json_t *obj, const char *key)
{
	const char *s = json_string_value(json_object_get(obj, key));
	return s ? s : "(missing)";
}

Test(merge_results, joins_samples_and_keeps_failures)
{
	char *dir = cli_tmpdir(), args[512], out[256];
	snprintf(out, sizeof out, "%s/m.json", dir);
	snprintf(args, sizeof args, "-o %s " FX "base.json " FX "broken.json", out);
	cr_assert_eq(merge(args), 0, "%s", last_err);
	json_t *doc = load(out);
	cr_expect_eq(json_array_size(json_object_get(doc, "configs")), 3);
	for (size_t i = 0; i < 3; i++) {
		json_t *samples = json_object_get(config(doc, i), "samples");
		cr_expect_eq(json_array_size(samples), 20, "config %zu: 10 + 10 samples", i);
		for (size_t k = 0; k < json_array_size(samples); k++) {
			json_t *s = json_array_get(samples, k);
			cr_expect_eq(json_integer_value(json_object_get(s, "repetition")), (json_int_t)k);
			cr_expect_eq(json_integer_value(json_object_get(s, "chunk")), (json_int_t)(k / 10));
		}
		cr_expect_null(json_object_get(config(doc, i), "summary"), "a one-chunk summary survived");
	}
	cr_expect_str_eq(str(config(doc, 0), "status"), "hung", "a hang in one chunk was lost");
	cr_expect_str_eq(str(config(doc, 1), "status"), "failed");
	cr_expect_str_eq(str(config(doc, 2), "status"), "ok");
	cr_expect_eq(json_array_size(json_object_get(json_object_get(doc, "context"), "merged_from")), 2);
	json_decref(doc);
	unlink(out);
	rmdir(dir);
	free(dir);
}

Test(merge_results, refuses_results_of_another_host)
{
	char *dir = cli_tmpdir(), args[512], out[256];
	snprintf(out, sizeof out, "%s/m.json", dir);
	snprintf(args, sizeof args, "-o %s " FX "base.json " FX "other_host.json", out);
	cr_expect_eq(merge(args), 2);
	cr_expect(strstr(last_err, "merge-results: ") && strstr(last_err, "host"), "%s", last_err);
	cr_expect_eq(access(out, F_OK), -1, "an output was written");
	cr_expect_eq(cli_count_entries(dir), 0, "a temporary file was left behind");
	rmdir(dir);
	free(dir);
}

Test(merge_results, relabel_pairs_a_slower_run_with_the_base)
{
	char *dir = cli_tmpdir(), args[512], out[256];
	snprintf(out, sizeof out, "%s/m.json", dir);
	snprintf(args, sizeof args, "-o %s --relabel-like " FX "base.json " FX "longer_cs.json", out);
	cr_assert_eq(merge(args), 0, "%s", last_err);
	json_t *doc = load(out), *base = load(FX "base.json");
	for (size_t i = 0; i < 3; i++) {
		cr_expect_str_eq(str(config(doc, i), "id"), str(config(base, i), "id"));
		cr_expect(strstr(str(config(doc, i), "measured_as"), "cs_ns=125"), "%s",
			  str(config(doc, i), "measured_as"));
		cr_expect(json_equal(json_object_get(config(doc, i), "workload"),
				     json_object_get(config(base, i), "workload")));
	}
	json_decref(doc);
	json_decref(base);
	unlink(out);

	/* clh is not pthread, whatever the position says */
	snprintf(args, sizeof args, "-o %s --relabel-like " FX "base.json " FX "regression.json", out);
	cr_expect_eq(merge(args), 2);
	cr_expect(strstr(last_err, "lock, threads or pin differ"), "%s", last_err);
	cr_expect_eq(access(out, F_OK), -1);
	rmdir(dir);
	free(dir);
}

Test(merge_results, merged_runs_validate_against_the_schema, .timeout = 60)
{
	char *dir = cli_tmpdir(), path[2][256], args[1024], out[256], cmd[1024];
	for (int i = 0; i < 2; i++) {
		snprintf(path[i], sizeof path[i], "%s/r%d.json", dir, i);
		const char *run[] = { "run", "-q", "-l", "ticket", "-t", "1,2", "-d", "20ms", "--warmup", "5ms",
				      "-o", path[i], NULL };
		struct cli_result *r = calloc(1, sizeof *r);
		cli_run(r, run);
		cr_assert_eq(r->status, 0, "run failed: %s", r->err);
		free(r);
	}
	snprintf(out, sizeof out, "%s/m.json", dir);
	snprintf(args, sizeof args, "-o %s %s %s", out, path[0], path[1]);
	cr_assert_eq(merge(args), 0, "%s", last_err);
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json %s 1>&2", out);
	int st = system(cmd);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 0, "the merged result does not validate");
	json_t *doc = load(out);
	cr_expect_eq(json_integer_value(json_object_get(
			     json_object_get(json_object_get(doc, "context"), "options"), "repeat")), 2);
	json_decref(doc);
	for (int i = 0; i < 2; i++)
		unlink(path[i]);
	unlink(out);
	rmdir(dir);
	free(dir);
}
