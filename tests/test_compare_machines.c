/*
 * test_compare_machines.c — `lockbench compare` on merged results of several
 * machines (lockbench merge of the compare fixtures, run from the
 * repository root):
 *
 *   two.json     base.json (host h1) + regression.json (h1) + other_host.json
 *                (h2): h1 has ticket, mcs, pthread and clh, h2 ticket, mcs and
 *                pthread; one id on each machine
 *
 *   - compared with itself: no regression, a row per (machine, id) and
 *     metric, every pair once, nothing one-sided; pairing by id alone would
 *     refuse the file (an id twice), pairing across machines would pair
 *     h1's bimodal ticket with h2's and find changes
 *   - a change on one machine is judged on that machine only
 *   - a machine one side lacks is listed as such, its configs are not
 *   - several machines against a plain result: one line, exit 2
 *   - the verdict's JSON loads back to the same document (plot reads it)
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "model/verdict.h"

#define FX "tests/fixtures/compare/"

static struct cli_result res;

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

/* lockbench merge -o DIR/NAME inputs...; the merged file's path. */
static char *merge(const char *dir, const char *name, const char *a, const char *b, const char *c)
{
	char *out = path_in(dir, name);
	const char *args[] = { "merge", "-o", out, a, b, c, NULL };
	cli_run(&res, args);
	cr_assert_eq(res.status, 0, "merge: exit %d: %s", res.status, res.err);
	return out;
}

/* A copy of FX name with context.host set to host and every ok throughput scaled by k, in dir. */
static char *doctored(const char *dir, const char *name, const char *host, double k)
{
	char *out = path_in(dir, name), cmd[2048];
	snprintf(cmd, sizeof cmd,
		 "/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); "
		 "d[\"context\"][\"host\"] = sys.argv[3]\n"
		 "for c in d[\"configs\"]:\n"
		 "  for s in c[\"samples\"]:\n"
		 "    s[\"throughput_per_s\"] = s[\"throughput_per_s\"] * float(sys.argv[4])\n"
		 "json.dump(d, open(sys.argv[2], \"w\"))' %s%s %s %s %g",
		 FX, name, out, host, k);
	cr_assert_eq(system(cmd), 0);
	return out;
}

static json_t *compare_json(const char *base, const char *nw, const char *json_out, int want_status)
{
	const char *args[] = { "compare", base, nw, "--json", json_out, NULL };
	cli_run(&res, args);
	cr_assert_eq(res.status, want_status, "exit %d: %s%s", res.status, res.out, res.err);
	json_error_t e;
	json_t *v = json_load_file(json_out, 0, &e);
	cr_assert_not_null(v, "%s", e.text);
	return v;
}

static const char *str(json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));
	return s ? s : "(missing)";
}

Test(compare_machines, merged_result_against_itself_pairs_every_machine_and_id)
{
	char *dir = cli_tmpdir();
	char *two = merge(dir, "two.json", FX "base.json", FX "regression.json", FX "other_host.json");
	char *vpath = path_in(dir, "v.json");
	json_t *v = compare_json(two, two, vpath, 0);
	cr_expect_str_eq(str(v, "verdict"), "ok");
	json_t *rows = json_object_get(v, "rows"), *r;
	cr_assert_eq(json_array_size(rows), 7 * 3, "7 (machine, id) pairs x 3 metrics");
	/* every (machine, lock) once per metric: h1 x 4 locks, h2 x 3 */
	static const char *const want[] = { "h1 ticket", "h1 mcs", "h1 pthread", "h1 clh",
					    "h2 ticket", "h2 mcs", "h2 pthread" };
	size_t seen[7] = { 0 }, i;
	json_array_foreach(rows, i, r) {
		char key[512];
		snprintf(key, sizeof key, "%s %.*s", str(r, "machine"), (int)strcspn(str(r, "config"), "|"),
			 str(r, "config"));
		size_t k = 0;
		while (k < 7 && strcmp(want[k], key) != 0)
			k++;
		cr_assert_lt(k, 7, "unexpected row %s", key);
		seen[k]++;
		cr_expect_str_eq(str(r, "verdict"), "ok", "%s %s", key, str(r, "metric"));
	}
	for (size_t k = 0; k < 7; k++)
		cr_expect_eq(seen[k], 3, "%s: %zu rows", want[k], seen[k]);
	cr_expect_eq(json_array_size(json_object_get(v, "only_in_base")), 0);
	cr_expect_eq(json_array_size(json_object_get(v, "only_in_new")), 0);
	cr_expect_eq(json_array_size(json_object_get(v, "machines_only_in_base")), 0);
	cr_expect_not_null(json_object_get(v, "machines_only_in_new"), "a verdict by machine says so");
	/* the table names the machine of every row */
	cr_expect(strncmp(res.out, "machine  config", 15) == 0, "%s", res.out);
	json_decref(v);
	free(vpath);
	free(two);
	free(dir);
}

Test(compare_machines, a_change_on_one_machine_is_judged_there)
{
	char *dir = cli_tmpdir();
	char *h2_slow = doctored(dir, "other_host.json", "h2", 0.5);
	char *base = merge(dir, "base.json", FX "base.json", FX "other_host.json", NULL);
	char *nw = merge(dir, "new.json", FX "base.json", h2_slow, NULL);
	char *vpath = path_in(dir, "v.json");
	json_t *v = compare_json(base, nw, vpath, 1);
	json_t *r;
	size_t i, regressions = 0;
	json_array_foreach(json_object_get(v, "rows"), i, r) {
		bool h2 = strcmp(str(r, "machine"), "h2") == 0;
		bool throughput = strcmp(str(r, "metric"), "throughput") == 0;
		cr_expect_str_eq(str(r, "verdict"), h2 && throughput ? "regression" : "ok", "%s %s %s",
				 str(r, "machine"), str(r, "config"), str(r, "metric"));
		regressions += strcmp(str(r, "verdict"), "regression") == 0;
	}
	cr_expect_eq(regressions, 3, "h2's three locks lost half their throughput");
	json_decref(v);
	free(vpath);
	free(nw);
	free(base);
	free(h2_slow);
	free(dir);
}

Test(compare_machines, a_machine_on_one_side_is_reported_like_a_config)
{
	char *dir = cli_tmpdir();
	char *two = merge(dir, "two.json", FX "base.json", FX "other_host.json", NULL);
	char *one = merge(dir, "one.json", FX "base.json", FX "improvement.json", NULL);
	char *vpath = path_in(dir, "v.json");
	json_t *v = compare_json(two, one, vpath, 0);
	json_t *mb = json_object_get(v, "machines_only_in_base");
	cr_assert_eq(json_array_size(mb), 1);
	cr_expect_str_eq(json_string_value(json_array_get(mb, 0)), "h2");
	cr_expect_eq(json_array_size(json_object_get(v, "machines_only_in_new")), 0);
	cr_expect_eq(json_array_size(json_object_get(v, "only_in_base")), 0, "h2's configs are not listed one by one");
	cr_expect_eq(json_array_size(json_object_get(v, "rows")), 3 * 3, "h1's three configs are compared");
	cr_expect(strstr(res.out, "machine only in base: h2\n"), "%s", res.out);
	cr_expect(strstr(res.err, "machine \"h2\" is only in base"), "%s", res.err);
	json_decref(v);

	/* the other way round, and configs of a common machine on one side: {machine, config}, "ID @ MACHINE" */
	char *pt = merge(dir, "pt.json", FX "regression.json", NULL, NULL);
	v = compare_json(pt, two, vpath, 0);
	json_t *ob = json_object_get(v, "only_in_base");
	cr_assert_eq(json_array_size(ob), 1, "clh is on h1 in base only");
	cr_expect_str_eq(str(json_array_get(ob, 0), "machine"), "h1");
	cr_expect(strncmp(str(json_array_get(ob, 0), "config"), "clh|", 4) == 0);
	json_t *on = json_object_get(v, "only_in_new");
	cr_assert_eq(json_array_size(on), 1, "pthread is on h1 in new only");
	cr_expect(strstr(res.out, "only in base: clh|"), "%s", res.out);
	cr_expect(strstr(res.out, " @ h1\n"), "%s", res.out);
	cr_expect_str_eq(json_string_value(json_array_get(json_object_get(v, "machines_only_in_new"), 0)), "h2");
	json_decref(v);
	free(pt);
	free(vpath);
	free(one);
	free(two);
	free(dir);
}

Test(compare_machines, several_machines_against_a_plain_result_is_refused)
{
	char *dir = cli_tmpdir();
	char *two = merge(dir, "two.json", FX "base.json", FX "other_host.json", NULL);
	const char *args[] = { "compare", two, FX "base.json", NULL };
	cli_run(&res, args);
	cr_expect_eq(res.status, 2);
	cr_expect(strstr(res.err, "on several machines") && cli_lines(res.err) == 1, "%s", res.err);
	/* one machine against a plain result pairs by id, as plain results do */
	char *one = merge(dir, "one.json", FX "base.json", FX "improvement.json", NULL);
	const char *args2[] = { "compare", FX "base.json", one, NULL };
	cli_run(&res, args2);
	cr_expect_eq(res.status, 0, "%s", res.err);
	cr_expect(strncmp(res.out, "config ", 7) == 0, "no machine column: %s", res.out);
	free(one);
	free(two);
	free(dir);
}

Test(compare_machines, verdict_by_machine_loads_back_to_the_same_document)
{
	char *dir = cli_tmpdir();
	char *two = merge(dir, "two.json", FX "base.json", FX "other_host.json", NULL);
	char *pt = merge(dir, "pt.json", FX "regression.json", NULL, NULL);
	char *vpath = path_in(dir, "v.json"), *again = path_in(dir, "again.json");
	json_decref(compare_json(pt, two, vpath, 0));
	struct lb_verdict *v = NULL;
	char err[512] = "";
	cr_assert_eq(lb_verdict_load(vpath, &v, err, sizeof err), 0, "%s", err);
	cr_expect(v->by_machine);
	cr_expect_eq(v->nmachines_only_in_new, 1);
	cr_assert_eq(v->nonly_in_base, 1);
	cr_expect_str_eq(v->only_in_base_machine[0], "h1");
	cr_expect_str_eq(v->rows[0].machine, "h1");
	FILE *f = fopen(again, "w");
	cr_assert_eq(lb_verdict_emit(f, v), 0);
	fclose(f);
	lb_verdict_free(v);
	json_error_t e;
	json_t *a = json_load_file(vpath, 0, &e), *b = json_load_file(again, 0, &e);
	cr_expect(json_equal(a, b), "the verdict written again differs");
	json_decref(a);
	json_decref(b);
	free(again);
	free(vpath);
	free(pt);
	free(two);
	free(dir);
}
