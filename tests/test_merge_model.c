/*
 * test_merge_model.c — a merged result in the result model and its codec:
 *
 *   round trips   a merge of two real runs, and of the compare fixtures
 *                 (two machines, a missing list), loads and is written back
 *                 byte for byte: every key merge writes is in the model
 *   fields        machines with their own contexts, configs tagged with
 *                 their machine, samples with their shard, the missing list
 *   loader        one id per machine is a merged result, one id twice on a
 *                 machine is not; a malformed machine, shard or missing
 *                 entry is a one-line error naming the place
 *   lb_merge      on loaded results: samples moved (the inputs keep none),
 *                 inputs of two builds refused
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/merge.h"
#include "cli_util.h"
#include "model/json.h"

#define FX "tests/fixtures/compare/"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	char *buf = NULL;
	size_t len = 0;
	cr_assert(getdelim(&buf, &len, '\0', f) >= 0);
	fclose(f);
	return buf;
}

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static struct lb_result *load_ok(const char *path)
{
	struct lb_result *r = NULL;
	char err[512] = "";
	cr_assert_eq(lb_result_load(path, &r, err, sizeof err), 0, "%s", err);
	return r;
}

/* Load path, write it to dir/again.json: the same bytes. */
static void rewritten_alike(const char *dir, const char *path)
{
	char *again = path_in(dir, "again.json"), err[512] = "";
	struct lb_result *r = load_ok(path);
	cr_assert_eq(lb_result_write(r, again, err, sizeof err), 0, "%s", err);
	lb_result_free(r);
	char *a = slurp(path), *b = slurp(again);
	cr_expect_str_eq(b, a, "%s written again differs", path);
	free(a);
	free(b);
	free(again);
}

static void cli_ok(const char *const *args)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "%s: exit %d: %s", args[0], r->status, r->err);
	free(r);
}

Test(merge_model, merged_real_runs_are_written_back_byte_for_byte, .timeout = 120)
{
	char *dir = cli_tmpdir(), *a = path_in(dir, "a.json"), *b = path_in(dir, "b.json"), *m = path_in(dir, "m.json");
	const char *run_a[] = { "run", "-r", "2", "-d", "10ms", "--warmup", "0ms", "--threads", "1,2", "--locks",
				"ticket", "-o", a, NULL };
	const char *run_b[] = { "run", "-r", "1", "-d", "10ms", "--warmup", "0ms", "--threads", "1,2", "--locks",
				"ticket", "-o", b, NULL };
	cli_ok(run_a);
	cli_ok(run_b);
	const char *merge[] = { "merge", "-o", m, a, b, NULL };
	cli_ok(merge);
	rewritten_alike(dir, m);
	struct lb_result *r = load_ok(m);
	cr_assert_eq(r->nconfigs, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct lb_config *c = &r->configs[i];
		cr_expect_not_null(c->machine);
		cr_assert_eq(c->nsamples, 3);
		for (unsigned k = 0; k < 3; k++) {
			cr_expect_eq(c->samples[k].repetition, k);
			cr_expect(c->samples[k].has_shard && c->samples[k].shard == (k < 2 ? 0u : 1u));
		}
		cr_expect_eq(c->summary.stat[LB_M_THROUGHPUT].n, 3, "summary over both shards");
	}
	cr_expect(r->has_missing && r->nmissing == 0);
	cr_expect_eq(r->context.nmerged_from, 2);
	cr_expect(r->context.merged_by && strstr(r->context.merged_by, "merge -o"));
	cr_expect_eq(r->context.options.repeat, 2, "repeat: the most shards of a machine");
	lb_result_free(r);
	/* a plain run carries none of it */
	r = load_ok(a);
	cr_expect(!r->has_missing && r->context.machines == NULL && r->context.merged_from == NULL);
	cr_expect(r->configs[0].machine == NULL && !r->configs[0].samples[0].has_shard);
	lb_result_free(r);
	free(a);
	free(b);
	free(m);
	free(dir);
}

Test(merge_model, two_machines_and_a_missing_list_load_and_round_trip)
{
	char *dir = cli_tmpdir(), *m = path_in(dir, "two.json");
	const char *merge[] = { "merge", "-o", m, FX "base.json", FX "regression.json", FX "other_host.json", NULL };
	cli_ok(merge);
	rewritten_alike(dir, m);
	struct lb_result *r = load_ok(m);
	cr_assert_eq(r->context.nmachines, 2);
	const struct lb_machine *h1 = lb_result_machine(r, "h1"), *h2 = lb_result_machine(r, "h2");
	cr_assert(h1 && h2);
	cr_expect_eq(h1->nshards, 2);
	cr_expect_eq(h2->nshards, 1);
	cr_expect_eq(h2->shards[0].shard, 2);
	cr_expect_str_eq(h2->shards[0].result, FX "other_host.json");
	cr_expect_null(h2->shards[0].state, "no sweep: no state");
	cr_assert_not_null(h2->context);
	cr_expect_str_eq(h2->context->host, "h2", "each machine keeps its own context");
	cr_expect_str_eq(r->context.host, "h1", "the first machine's context heads the document");
	const char *ticket = "ticket|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact";
	const struct lb_config *t1 = lb_result_find_on(r, "h1", ticket), *t2 = lb_result_find_on(r, "h2", ticket);
	cr_assert(t1 && t2 && t1 != t2);
	cr_expect_eq(t1->nsamples, 20);
	cr_expect_eq(t2->nsamples, 10);
	cr_expect_eq(t2->samples[0].shard, 2);
	cr_expect_null(lb_result_find_on(r, NULL, ticket), "no untagged config");
	cr_assert_eq(r->nmissing, 3);
	cr_expect_str_eq(r->missing[2].machine, "h2");
	cr_expect_eq(r->missing[2].shard, 2);
	cr_expect(strncmp(r->missing[2].config, "clh|", 4) == 0);
	cr_expect_str_eq(r->missing[2].reason, "not in the shard's result");
	lb_result_free(r);
	free(m);
	free(dir);
}

static char *write_doc(const char *dir, const char *text)
{
	static char path[512];
	snprintf(path, sizeof path, "%s/doc.json", dir);
	FILE *f = fopen(path, "w");
	fputs(text, f);
	fclose(f);
	return path;
}

#define DOC(context, configs, rest) \
	"{\"schema\":\"lockbench/1\",\"context\":{" context "},\"configs\":[" configs "]" rest "}"
#define CFG(machine) "{\"id\":\"x\",\"threads\":2,\"machine\":\"" machine "\"}"

static const struct {
	const char *doc, *want;
} bad_docs[] = {
	{ DOC("", CFG("a") "," CFG("a"), ""), "configs[1]: duplicate id \"x\" on machine \"a\"" },
	{ DOC("\"machines\":{}", "", ""), "context.machines: not an array" },
	{ DOC("\"machines\":[{\"hosts\":[]}]", "", ""), "context.machines[0].name: missing" },
	{ DOC("\"machines\":[{\"name\":\"a\"},{\"name\":\"a\"}]", "", ""), "context.machines[1].name: \"a\" is already" },
	{ DOC("\"machines\":[{\"name\":\"a\",\"hosts\":[1]}]", "", ""), "context.machines[0].hosts: [0]: not a string" },
	{ DOC("\"machines\":[{\"name\":\"a\",\"shards\":[{\"result\":null}]}]", "", ""),
	  "context.machines[0].shards[0].shard: missing" },
	{ DOC("\"machines\":[{\"name\":\"a\",\"shards\":[{\"shard\":-1}]}]", "", ""),
	  "context.machines[0].shards[0].shard: -1 is out of range" },
	{ DOC("\"machines\":[{\"name\":\"a\",\"context\":{\"host\":3}}]", "", ""),
	  "context.machines[0].context.host: not a string" },
	{ DOC("\"machines\":[{\"name\":\"a\",\"context\":{\"timer\":{\"cost_ns\":\"x\"}}}]", "", ""),
	  "context.machines[0].context.timer.cost_ns: not a number" },
	{ DOC("\"merged_from\":\"a.json\"", "", ""), "context.merged_from: not an array" },
	{ DOC("", "{\"id\":\"x\",\"machine\":7}", ""), "configs[0].machine: not a string" },
	{ DOC("", "{\"id\":\"x\",\"samples\":[{\"shard\":\"0\"}]}", ""), "configs[0].samples[0].shard: not an integer" },
	{ DOC("", "", ",\"missing\":{}"), "missing: not an array" },
	{ DOC("", "", ",\"missing\":[{\"machine\":\"a\",\"shard\":0,\"config\":null,\"state\":null}]"),
	  "missing[0].reason: missing" },
	{ DOC("", "", ",\"missing\":[{\"shard\":0,\"reason\":\"r\"}]"), "missing[0].machine: missing" },
	{ DOC("", "", ",\"missing\":[7]"), "missing[0]: not an object" },
};

Test(merge_model, merged_keys_of_the_wrong_shape_are_one_line_errors)
{
	char *dir = cli_tmpdir();
	for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
		struct lb_result *r = (void *)1;
		char err[512] = "";
		int rc = lb_result_load(write_doc(dir, bad_docs[i].doc), &r, err, sizeof err);
		cr_expect_eq(rc, -1, "case %zu loaded: %s", i, bad_docs[i].doc);
		cr_expect_null(r, "case %zu", i);
		cr_expect(strstr(err, bad_docs[i].want) != NULL, "case %zu: want \"%s\" in \"%s\"", i, bad_docs[i].want,
			  err);
		cr_expect_null(strchr(err, '\n'), "case %zu: not one line: %s", i, err);
	}
	/* one id on two machines is what a merge writes */
	struct lb_result *r = load_ok(write_doc(dir, DOC("", CFG("a") "," CFG("b"), ",\"missing\":[]")));
	cr_expect_eq(r->nconfigs, 2);
	cr_expect(r->has_missing && r->nmissing == 0);
	cr_expect_eq(lb_result_find_on(r, "b", "x"), &r->configs[1]);
	lb_result_free(r);
	free(dir);
}

Test(merge_model, lb_merge_moves_samples_and_refuses_two_builds)
{
	struct lb_result *in[2] = { load_ok(FX "base.json"), load_ok(FX "other_host.json") };
	struct lb_merge_input mi[2] = { { .path = "a.json", .shard = 0 }, { .path = "b.json", .shard = 1 } };
	char *argv[] = { "lockbench", "merge" }, err[512] = "";
	struct lb_result *out = NULL;
	cr_assert_eq(lb_merge(mi, in, 2, 2, argv, &out, err, sizeof err), 0, "%s", err);
	cr_expect_eq(out->nconfigs, 6);
	cr_expect_str_eq(out->configs[3].machine, "h2");
	cr_expect_eq(out->configs[3].samples[0].shard, 1);
	cr_expect_str_eq(out->context.merged_by, "lockbench merge");
	for (size_t i = 0; i < in[0]->nconfigs; i++)
		for (size_t k = 0; k < in[0]->configs[i].nsamples; k++)
			cr_expect(!in[0]->configs[i].samples[k].has_figures, "sample moved, not copied");
	lb_result_free(out);
	lb_result_free(in[0]);
	lb_result_free(in[1]);

	in[0] = load_ok(FX "base.json");
	in[1] = load_ok(FX "other_host.json");
	free(in[1]->context.git_commit);
	in[1]->context.git_commit = strdup("def456");
	cr_expect_eq(lb_merge(mi, in, 2, 2, argv, &out, err, sizeof err), -1);
	cr_expect(strstr(err, "b.json: built from commit def456, a.json from abc123: not one build"), "%s", err);
	cr_expect_null(out);
	mi[0].absent = mi[1].absent = true;
	cr_expect_eq(lb_merge(mi, in, 2, 2, argv, &out, err, sizeof err), -1);
	cr_expect(strstr(err, "a.json: no machine name and no context.host"), "%s", err);
	mi[0].machine = mi[1].machine = "m";
	cr_expect_eq(lb_merge(mi, in, 2, 2, argv, &out, err, sizeof err), -1);
	cr_expect(strstr(err, "no shard left a result"), "%s", err);
	lb_result_free(in[0]);
	lb_result_free(in[1]);
}

Test(merge_model, a_merged_input_gets_this_merges_record)
{
	char *dir = cli_tmpdir(), *m1 = path_in(dir, "m1.json"), *m2 = path_in(dir, "m2.json");
	const char *first[] = { "merge", "-o", m1, FX "base.json", FX "broken.json", NULL };
	const char *again[] = { "merge", "-o", m2, m1, FX "base.json", NULL };
	cli_ok(first);
	cli_ok(again);
	struct lb_result *r = load_ok(m2);
	cr_assert_eq(r->context.nmerged_from, 2);
	cr_expect_str_eq(r->context.merged_from[0], m1);
	cr_expect_eq(r->context.nmachines, 1, "one machine, h1, not the input's list as well");
	cr_expect(strstr(r->context.merged_by, m2) != NULL, "%s", r->context.merged_by);
	cr_expect_eq(r->configs[0].nsamples, 30);
	cr_expect_eq(r->configs[0].samples[29].shard, 1);
	lb_result_free(r);
	free(m1);
	free(m2);
	free(dir);
}
