/*
 * test_verdict.c — the verdict document "lockbench-compare/1": what
 * `compare --json` writes is what it wrote before the typed verdict
 * (tests/fixtures/plot/verdict.json, byte for byte), lb_verdict_load reads
 * it back into the same structs, and a damaged verdict is one line naming
 * the place.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli_util.h"
#include "model/verdict.h"

#define FIXTURE "tests/fixtures/plot/verdict.json"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	cr_assert(f, "cannot open %s", path);
	cr_assert(getdelim(&buf, &len, '\0', f) > 0);
	fclose(f);
	return buf;
}

static struct lb_verdict *load_ok(const char *path)
{
	struct lb_verdict *v = NULL;
	char err[512] = "";

	cr_assert_eq(lb_verdict_load(path, &v, err, sizeof(err)), 0, "%s", err);
	cr_assert(v);
	return v;
}

Test(verdict, fixture_loads_into_the_structs)
{
	struct lb_verdict *v = load_ok(FIXTURE);
	const struct lb_verdict_row *r = &v->rows[0];

	cr_expect_eq(v->overall, LB_J_REGRESSION);
	cr_expect_eq(v->counts[LB_J_REGRESSION], 1);
	cr_expect_eq(v->counts[LB_J_OK], 5);
	cr_expect_eq(v->nrows, 6);
	cr_expect_eq(v->settings.nmetrics, 3);
	cr_expect_str_eq(v->settings.metrics[1]->name, "p99");
	cr_expect_float_eq(v->settings.alpha, 0.05, 1e-12);
	cr_expect_eq(v->settings.min_repeats, 4);
	cr_expect_eq(v->settings.bootstrap_seed, 0x6c6f636b62656e63u);
	cr_expect_str_eq(v->base.file, "tests/fixtures/compare/base.json");
	cr_expect_str_eq(v->new.host, "h1");
	cr_expect_str_eq(r->config, "ticket|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact");
	cr_expect_str_eq(r->metric->name, "throughput");
	cr_expect(r->metric->higher_better);
	cr_expect_eq(r->verdict, LB_J_REGRESSION);
	cr_expect_float_eq(r->ratio, 0.7007, 1e-12);
	cr_expect(r->ci95_low < r->ratio && r->ratio < r->ci95_high);
	cr_expect_eq(r->base_n, 10);
	cr_expect_null(r->reason);
	cr_expect_eq(v->nonly_in_base, 1);
	cr_expect(strncmp(v->only_in_base[0], "pthread|", 8) == 0);
	cr_expect_eq(v->nonly_in_new, 1);
	lb_verdict_free(v);
}

Test(verdict, load_then_emit_gives_the_same_bytes)
{
	struct lb_verdict *v = load_ok(FIXTURE);
	char *want = slurp(FIXTURE), *got = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&got, &len);

	cr_assert(f);
	cr_expect_eq(lb_verdict_emit(f, v), 0);
	fclose(f);
	cr_expect_str_eq(got, want);
	free(got);
	free(want);
	lb_verdict_free(v);
}

Test(verdict, compare_writes_the_document_it_wrote_before)
{
	/* the fixture is `compare base.json regression.json --alpha 0.05 --json` of the untyped compare */
	char *dir = cli_tmpdir(), *path = NULL, *want = slurp(FIXTURE), *got;
	const char *args[] = { "compare", "-q", "tests/fixtures/compare/base.json",
			       "tests/fixtures/compare/regression.json", "--alpha", "0.05", "--json", NULL, NULL };
	static struct cli_result r;

	cr_assert(asprintf(&path, "%s/v.json", dir) > 0);
	args[7] = path;
	cli_run(&r, args);
	cr_expect_eq(r.status, 1, "%s", r.err);
	got = slurp(path);
	cr_expect_str_eq(got, want);
	unlink(path);
	rmdir(dir);
	free(got);
	free(want);
	free(path);
	free(dir);
}

/* The fixture with one change made by damage(doc), written to a temporary file. */
static char *damaged(void (*damage)(json_t *doc))
{
	char tmpl[] = "/tmp/lb_verdictXXXXXX";
	int fd = mkstemp(tmpl);
	json_error_t je;
	json_t *doc = json_load_file(FIXTURE, 0, &je);

	cr_assert(fd >= 0 && doc);
	damage(doc);
	cr_assert_eq(json_dumpfd(doc, fd, 0), 0);
	close(fd);
	json_decref(doc);
	return strdup(tmpl);
}

static json_t *row(json_t *doc, size_t i)
{
	return json_array_get(json_object_get(doc, "rows"), i);
}

static void ratio_is_text(json_t *d) { json_object_set_new(row(d, 2), "ratio", json_string("0.7")); }
static void metric_unknown(json_t *d) { json_object_set_new(row(d, 0), "metric", json_string("speed")); }
static void verdict_unknown(json_t *d) { json_object_set_new(row(d, 1), "verdict", json_string("meh")); }
static void ci_short(json_t *d) { json_object_set_new(row(d, 3), "ratio_ci95", json_pack("[f]", 1.0)); }
static void counts_gone(json_t *d) { json_object_del(d, "counts"); }
static void negative_n(json_t *d) { json_object_set_new(row(d, 4), "new_n", json_integer(-1)); }
static void result_schema(json_t *d) { json_object_set_new(d, "schema", json_string("lockbench/1")); }
static void rows_object(json_t *d) { json_object_set_new(d, "rows", json_object()); }
static void only_number(json_t *d) { json_array_append_new(json_object_get(d, "only_in_new"), json_integer(3)); }
static void side_file_gone(json_t *d) { json_object_del(json_object_get(d, "new"), "file"); }

Test(verdict, damage_is_one_line_naming_the_place)
{
	static const struct {
		void (*damage)(json_t *doc);
		const char *message;
	} cases[] = {
		{ ratio_is_text, "rows[2].ratio: not a number or null" },
		{ metric_unknown, "rows[0].metric: unknown metric \"speed\"" },
		{ verdict_unknown, "rows[1].verdict: unknown verdict \"meh\"" },
		{ ci_short, "rows[3].ratio_ci95: not an array of two" },
		{ counts_gone, "counts: missing" },
		{ negative_n, "rows[4].new_n: not an integer" },
		{ result_schema, "not a compare verdict (schema \"lockbench/1\"" },
		{ rows_object, "rows: not an array" },
		{ only_number, "only_in_new: item 1 is not a string" },
		{ side_file_gone, "new.file: missing" },
	};

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *path = damaged(cases[i].damage), err[512] = "";
		struct lb_verdict *v = (struct lb_verdict *)1;

		cr_expect_eq(lb_verdict_load(path, &v, err, sizeof(err)), -1, "case %zu loaded", i);
		cr_expect_null(v, "case %zu: *out set on failure", i);
		cr_expect(strncmp(err, path, strlen(path)) == 0, "case %zu: file not named: %s", i, err);
		cr_expect(strstr(err, cases[i].message), "case %zu: want \"%s\" in \"%s\"", i, cases[i].message, err);
		cr_expect_null(strchr(err, '\n'), "case %zu: not one line", i);
		unlink(path);
		free(path);
	}
}

Test(verdict, unreadable_or_not_json)
{
	struct lb_verdict *v = NULL;
	char err[512];

	cr_expect_eq(lb_verdict_load("tests/fixtures/plot/no_such.json", &v, err, sizeof(err)), -1);
	cr_expect(strstr(err, "no_such.json: No such file or directory"), "%s", err);
	cr_expect_eq(lb_verdict_load("tests/fixtures/plot/not_json.json", &v, err, sizeof(err)), -1);
	cr_expect(strstr(err, "not_json.json: invalid JSON"), "%s", err);
	cr_expect_eq(lb_verdict_load("tests/fixtures/plot", &v, err, sizeof(err)), -1);
	cr_expect(strstr(err, "Is a directory"), "%s", err);
	cr_expect_null(v);
}
