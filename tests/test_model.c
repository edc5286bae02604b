/*
 * test_model.c — the result model's JSON codec and the config identity codec.
 *
 *   round trips   a stored result and a fresh `run` result load, write and
 *                 load again to the same document; a fresh result is
 *                 written back byte for byte (the codec writes what `run`
 *                 writes); every figure of the stored fixture survives
 *   loader        a key of the wrong type is a one-line error naming the
 *                 file and the JSON path; unknown keys are ignored; a config
 *                 without "id" gets the identity compare always built
 *   identity      '|', '%', control characters and ':' in names round-trip
 *                 through the escape; ordinary ids are unchanged by it
 *   summary       lb_config_summarize gives what `run` wrote
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"
#include "model/identity.h"
#include "model/json.h"

#define FIXTURE "tests/fixtures/plot/result.json"

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	cr_assert_not_null(f, "cannot open %s", path);
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = malloc((size_t)n + 1);
	cr_assert_eq(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static struct lb_result *load_ok(const char *path)
{
	struct lb_result *r = NULL;
	char err[512] = "";
	cr_assert_eq(lb_result_load(path, &r, err, sizeof err), 0, "%s", err);
	return r;
}

static void write_ok(const struct lb_result *r, const char *path)
{
	char err[512] = "";
	cr_assert_eq(lb_result_write(r, path, err, sizeof err), 0, "%s", err);
}

/* Load in, write it to dir/name, return that path. */
static char *rewrite(const char *in, const char *dir, const char *name)
{
	char *out = malloc(512);
	snprintf(out, 512, "%s/%s", dir, name);
	struct lb_result *r = load_ok(in);
	write_ok(r, out);
	lb_result_free(r);
	return out;
}

/*
 * Is every value of `want` in `got` too (numbers equal to 10 significant
 * digits, as results are written)? Keys listed in `ignored` are ones the
 * loader does not know (written by older versions), so they may be gone.
 */
static bool contained(json_t *want, json_t *got, const char *const *ignored, char *where, size_t len)
{
	if (json_is_number(want)) {
		double a = json_number_value(want), b = json_is_number(got) ? json_number_value(got) : NAN;
		return fabs(a - b) <= 1e-9 * fabs(a);
	}
	if (json_is_object(want)) {
		const char *key;
		json_t *v;
		json_object_foreach(want, key, v) {
			bool skip = false;
			for (size_t i = 0; ignored[i]; i++)
				skip |= strcmp(ignored[i], key) == 0;
			if (skip)
				continue;
			if (!contained(v, json_object_get(got, key), ignored, where, len)) {
				size_t used = strlen(where);
				snprintf(where + used, len - used, " <%s", key);
				return false;
			}
		}
		return json_is_object(got);
	}
	if (json_is_array(want)) {
		if (!json_is_array(got) || json_array_size(got) != json_array_size(want))
			return false;
		for (size_t i = 0; i < json_array_size(want); i++)
			if (!contained(json_array_get(want, i), json_array_get(got, i), ignored, where, len))
				return false;
		return true;
	}
	return json_equal(want, got);
}

Test(model_json, stored_result_round_trips)
{
	char *dir = cli_tmpdir();
	char *a = rewrite(FIXTURE, dir, "a.json");
	char *b = rewrite(a, dir, "b.json");
	char *ta = slurp(a), *tb = slurp(b);
	cr_expect_str_eq(ta, tb, "load -> write -> load -> write changed the document");

	/* Nothing the fixture holds was lost on the way (a loader that dropped it all would pass above). */
	static const char *const unknown[] = { "max_wait_coarse_ns", NULL };
	json_error_t je;
	json_t *want = json_load_file(FIXTURE, 0, &je), *got = json_load_file(a, 0, &je);
	cr_assert_not_null(want);
	cr_assert_not_null(got);
	char where[512] = "";
	cr_expect(contained(want, got, unknown, where, sizeof where), "lost or changed:%s", where);
	json_decref(want);
	json_decref(got);
	free(ta), free(tb), free(a), free(b), free(dir);
}

/* A fresh result: written back byte for byte, so the codec writes exactly what `run` writes. */
static void fresh_round_trip(const char *const *extra)
{
	char *dir = cli_tmpdir();
	char out[512];
	snprintf(out, sizeof out, "%s/run.json", dir);
	const char *args[32] = { "run", "-d", "40ms", "--warmup", "5ms", "--slice", "5ms", "-q", "-p", "none", "-o", out };
	size_t n = 12;
	for (size_t i = 0; extra[i]; i++)
		args[n++] = extra[i];
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert(r->status == 0 || r->status == 1, "run: %d %s", r->status, r->err);
	char *a = rewrite(out, dir, "a.json");
	char *b = rewrite(a, dir, "b.json");
	char *orig = slurp(out), *ta = slurp(a), *tb = slurp(b);
	cr_expect_str_eq(ta, orig, "the codec does not write what run wrote");
	cr_expect_str_eq(tb, ta);
	free(orig), free(ta), free(tb), free(a), free(b), free(r), free(dir);
}

Test(model_json, fresh_result_is_written_back_byte_for_byte, .timeout = 120)
{
	const char *extra[] = { "-l", "ticket,gil:interval=1ms,none", "-t", "1,2", "-r", "2", NULL };
	fresh_round_trip(extra);
}

Test(model_json, fresh_untimed_result_is_written_back_byte_for_byte, .timeout = 120)
{
	const char *extra[] = { "-l", "mcs", "-t", "2", "--timing", "off", "-w", "cs:cs_ns=100ns", NULL };
	fresh_round_trip(extra);
}

/* A reader-writer result: its roles and role summaries written back as run wrote them. */
Test(model_json, fresh_rw_result_is_written_back_byte_for_byte, .timeout = 120)
{
	const char *extra[] = { "-l", "rw-rpref,pthread", "-t", "2,3", "-r", "2", "-w", "rw:writers=1", NULL };
	fresh_round_trip(extra);
}

/* Workload figures, window-only lock counters and a timed lock's kind go through the codec too. */
Test(model_json, fresh_interp_result_is_written_back_byte_for_byte, .timeout = 120)
{
	const char *extra[] = { "-l", "gil:interval=1ms,futex", "-t", "2", "-w", "interp:io=socket,io_ns=100us", NULL };
	fresh_round_trip(extra);
}

Test(model_json, loaded_figures_are_the_files)
{
	struct lb_result *r = load_ok(FIXTURE);
	cr_assert_eq(r->nconfigs, 4);
	const struct lb_config *c = lb_result_find(r, "ticket:|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=2|pin=compact");
	cr_assert_not_null(c);
	cr_expect_eq(c->threads, 2);
	cr_expect_eq(c->nsamples, 3);
	cr_expect_str_eq(c->workload_params.v[0].name, "cs_ns");
	cr_expect_eq(c->workload_params.v[0].type, LB_KV_INT);
	cr_expect_str_eq(c->workload_params.v[2].name, "cs_lines");
	cr_expect_eq(c->workload_params.v[2].i, 1);
	cr_expect(c->samples[0].has_figures && c->samples[0].latency.present);
	cr_expect_eq(c->samples[0].nthreads, 2);
	cr_expect_str_eq(r->context.host, "vm");
	cr_expect_eq(r->context.argc, 16);
	cr_expect_null(lb_result_find(r, "nosuch"));
	lb_result_free(r);
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

#define DOC(configs) "{\"schema\":\"lockbench/1\",\"context\":{},\"configs\":[" configs "]}"
#define CFG(extra) "{\"id\":\"x\",\"threads\":2" extra "}"

static const struct {
	const char *doc, *want;
} bad_docs[] = {
	{ DOC(CFG(",\"samples\":[{\"status\":5}]")), "doc.json: configs[0].samples[0].status: not a string" },
	{ DOC(CFG(",\"samples\":[{\"status\":\"done\"}]")), "configs[0].samples[0].status: \"done\" is not a sample status" },
	{ DOC(CFG(",\"status\":\"nope\"")), "configs[0].status: \"nope\" is not a config status" },
	{ DOC("{\"id\":\"x\",\"threads\":\"2\"}"), "configs[0].threads: not an integer" },
	{ DOC("{\"id\":\"x\",\"threads\":4294967295}"), "configs[0].threads: 4294967295 is out of range" },
	{ DOC("{\"id\":7}"), "configs[0].id: not a string" },
	{ DOC(CFG(",\"samples\":{}")), "configs[0].samples: not an array" },
	{ DOC(CFG(",\"samples\":[3]")), "configs[0].samples[0]: not an object" },
	{ DOC(CFG(",\"samples\":[{\"throughput_per_s\":\"fast\"}]")), "configs[0].samples[0].throughput_per_s: not a number" },
	{ DOC(CFG(",\"samples\":[{\"acquisitions\":-1}]")), "configs[0].samples[0].acquisitions: -1 is out of range" },
	{ DOC(CFG(",\"samples\":[{\"latency_ns\":[]}]")), "configs[0].samples[0].latency_ns: not an object" },
	{ DOC(CFG(",\"samples\":[{\"threads\":[{\"timeline\":[1,\"2\"]}]}]")), "configs[0].samples[0].threads[0].timeline: [1]: not a count" },
	{ DOC(CFG(",\"samples\":[{\"fairness\":{\"jain\":true}}]")), "configs[0].samples[0].fairness.jain: not a number" },
	{ DOC(CFG(",\"samples\":[{\"acquisitions\":1,\"lock_counters\":{\"a\\nb\":\"x\"}}]")), "lock_counters.a?b: not an integer" },
	{ DOC(CFG(",\"lock\":{\"name\":\"t\",\"params\":{\"k\":1.5}}")), "configs[0].lock.params.k: not an integer, boolean or string" },
	{ DOC(CFG(",\"lock\":{\"name\":\"t\",\"params\":{},\"timed\":\"sometimes\"}")), "configs[0].lock.timed: \"sometimes\" is not native or emulated" },
	{ DOC(CFG(",\"samples\":[{\"acquisitions\":1,\"workload_figures\":{\"io_ops\":\"x\"}}]")), "samples[0].workload_figures.io_ops: not a number" },
	{ DOC(CFG(",\"samples\":[{\"acquisitions\":1,\"workload_figures\":[1]}]")), "samples[0].workload_figures: not an object" },
	{ DOC(CFG(",\"samples\":[{\"acquisitions\":1,\"lock_counters_scope\":\"warmup\"}]")), "samples[0].lock_counters_scope: \"warmup\" is not window or run" },
	{ DOC(CFG(",\"samples\":[{\"acquisitions\":1,\"lock_counters_scope\":1}]")), "samples[0].lock_counters_scope: not a string" },
	{ DOC(CFG(",\"pin\":{\"pus\":[0,\"1\"]}")), "configs[0].pin.pus: [1]: not a PU number or null" },
	{ DOC(CFG(",\"summary\":{\"jain\":{\"n\":\"3\"}}")), "configs[0].summary.jain.n: not an integer" },
	{ DOC(CFG("") "," CFG("")), "configs[1]: duplicate id \"x\"" },
	{ DOC("[]"), "configs[0]: not an object" },
	{ "{\"schema\":\"lockbench/1\",\"context\":[],\"configs\":[]}", "doc.json: context: not an object" },
	{ "{\"schema\":\"lockbench/1\",\"context\":{\"argv\":[\"a\",1]},\"configs\":[]}", "context.argv: [1]: not a string" },
	{ "{\"schema\":\"lockbench/1\",\"configs\":{}}", "doc.json: \"configs\" is missing or not an array" },
	{ "{\"schema\":\"lockbench/2\",\"configs\":[]}", "doc.json: not a lockbench result (schema \"lockbench/2\", expected \"lockbench/1\")" },
	{ "{\"configs\":[]}", "doc.json: not a lockbench result (no \"schema\")" },
	{ "[1]", "doc.json: not a lockbench result (no \"schema\")" },
	{ "{\"schema\":\"lockbench/1\",\n\"configs\":[}", "doc.json: invalid JSON at line 2: " },
};

Test(model_json, wrong_types_are_one_line_errors_naming_the_place)
{
	char *dir = cli_tmpdir();
	for (size_t i = 0; i < sizeof bad_docs / sizeof bad_docs[0]; i++) {
		const char *want = bad_docs[i].want;
		struct lb_result *r = (void *)1;
		char err[512] = "";
		int rc = lb_result_load(write_doc(dir, bad_docs[i].doc), &r, err, sizeof err);
		cr_expect_eq(rc, -1, "case %zu loaded: %s", i, bad_docs[i].doc);
		cr_expect_null(r, "case %zu", i);
		cr_expect(strstr(err, want) != NULL, "case %zu: want \"%s\" in \"%s\"", i, want, err);
		cr_expect(strncmp(err, dir, strlen(dir)) == 0, "case %zu does not name the file: %s", i, err);
		cr_expect_null(strchr(err, '\n'), "case %zu: not one line: %s", i, err);
	}
	char err[512];
	struct lb_result *r;
	cr_expect_eq(lb_result_load("tests/fixtures/plot/nosuch.json", &r, err, sizeof err), -1);
	cr_expect(strstr(err, "nosuch.json: No such file or directory"), "%s", err);
	cr_expect_eq(lb_result_load("tests", &r, err, sizeof err), -1);
	cr_expect(strstr(err, "tests: Is a directory"), "%s", err);
	free(dir);
}

Test(model_json, unknown_keys_are_ignored_and_absent_groups_stay_absent)
{
	char *dir = cli_tmpdir();
	const char *doc = "{\"schema\":\"lockbench/1\",\"future\":{\"x\":[1]},\"context\":{\"new\":true,\"host\":\"h\"},"
			  "\"configs\":[{\"id\":\"a\",\"threads\":1,\"what\":null,\"samples\":[{\"status\":\"ok\","
			  "\"throughput_per_s\":5,\"novel\":\"x\",\"fairness\":{\"jain\":0.5,\"extra\":1}}]}]}";
	struct lb_result *r = load_ok(write_doc(dir, doc));
	cr_assert_eq(r->nconfigs, 1);
	const struct lb_sample *s = &r->configs[0].samples[0];
	cr_expect(s->has_figures && s->has_fairness && !s->has_short_term && !s->has_starvation && !s->latency.present);
	cr_expect_eq(s->throughput_per_s, 5);
	cr_expect_eq(s->fairness.jain, 0.5);
	cr_expect(isnan(lb_metrics[LB_M_P99].get(s)), "no latency must read as no value");
	cr_expect(isnan(lb_metrics[LB_M_HANDOVER_RATIO].get(s)));
	cr_expect_eq(lb_metrics[LB_M_JAIN].get(s), 0.5);
	lb_result_free(r);
	free(dir);
}

Test(model_json, a_config_without_id_gets_the_identity_compare_built)
{
	struct lb_result *r = load_ok("tests/fixtures/compare/no_id_base.json");
	cr_assert_eq(r->nconfigs, 2);
	cr_expect_str_eq(r->configs[0].id, "mcs|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact");
	cr_expect_str_eq(r->configs[1].id, "backoff:max_ns=1000,min_ns=10|cs:cs_lines=1,cs_ns=0,think_ns=0|threads=2|pin=compact");
	cr_expect(r->configs[0].id_built);
	/* Samples without a status are taken as ok, as compare always did. */
	cr_expect_eq(r->configs[0].samples[0].status, LB_RS_OK);
	lb_result_free(r);
}

/* Run locks under workload wl and check that lb_config_summarize recomputes every stored summary. */
static void recomputed_summary(const char *locks, const char *wl, bool roles)
{
	char *dir = cli_tmpdir();
	char out[512];
	snprintf(out, sizeof out, "%s/run.json", dir);
	const char *args[] = { "run", "-l", locks, "-w", wl, "-t", "1,2", "-r", "3", "-d", "30ms",
			       "--warmup", "5ms", "-q", "-p", "none", "-o", out, NULL };
	struct cli_result *cr = calloc(1, sizeof *cr);
	cli_run(cr, args);
	cr_assert_eq(cr->status, 0, "%s", cr->err);
	struct lb_result *r = load_ok(out);
	for (size_t i = 0; i < r->nconfigs; i++) {
		struct lb_config *c = &r->configs[i];
		struct lb_summary stored = c->summary;
		cr_assert(stored.present);
		lb_config_summarize(c);
		for (size_t m = 0; m < LB_M_COUNT; m++) {
			if (lb_metrics[m].summary_key == NULL)
				continue;
			const struct lb_stat *a = &stored.stat[m], *b = &c->summary.stat[m];
			cr_expect_eq(a->n, b->n, "%s n", lb_metrics[m].name);
			double pa[] = { a->median, a->min, a->max, a->ci95_low, a->ci95_high };
			double pb[] = { b->median, b->min, b->max, b->ci95_low, b->ci95_high };
			for (int k = 0; k < 5 && a->n > 0; k++)
				cr_expect(fabs(pa[k] - pb[k]) <= 1e-9 * fabs(pa[k]), "%s[%d] %g vs %g", lb_metrics[m].name, k,
					  pa[k], pb[k]);
			cr_expect_eq(a->ci95_reached, b->ci95_reached);
		}
		cr_expect_eq(stored.starved, c->summary.starved);
		cr_expect_eq(stored.has_roles, roles, "%s: role summaries %s", c->id, roles ? "missing" : "present");
		cr_expect_eq(c->summary.has_roles, roles);
		cr_expect_eq(stored.reader_starved, c->summary.reader_starved);
		cr_expect_eq(stored.writer_starved, c->summary.writer_starved);
	}
	lb_result_free(r);
	free(cr);
	free(dir);
}

Test(model_summary, recomputed_summary_is_the_one_run_wrote, .timeout = 120)
{
	recomputed_summary("ticket,gil:interval=1ms", "cs", false);
}

Test(model_summary, recomputed_rw_summary_is_the_one_run_wrote, .timeout = 120)
{
	recomputed_summary("rw-phasefair,pthread", "rw:write_pct=20", true);
}

Test(model_metrics, one_table_names_every_metric)
{
	for (size_t m = 0; m < LB_M_COUNT; m++) {
		cr_expect_eq(lb_metrics[m].id, (enum lb_metric_id)m, "table out of enum order at %zu", m);
		cr_expect_eq(lb_metric_find(lb_metrics[m].name), &lb_metrics[m]);
	}
	cr_expect_str_eq(lb_metric_find("p99")->summary_key, "p99_ns");
	cr_expect_str_eq(lb_metric_find("max")->summary_key, "max_wait_ns");
	cr_expect(lb_metric_find("throughput")->higher_better);
	cr_expect(!lb_metric_find("p99")->higher_better);
	cr_expect_null(lb_metric_find("thruput"));
	cr_expect_eq(lb_result_status_parse("not_run"), LB_RS_NOT_RUN);
	cr_expect_eq(lb_result_status_parse("fine"), -1);
}

/* ---- identity ---- */

static void round_trip(const struct lb_identity *in, const char *want)
{
	char buf[4096], err[256] = "";
	cr_assert_eq(lb_identity_format(in, buf, sizeof buf), 0);
	if (want != NULL)
		cr_expect_str_eq(buf, want);
	for (const char *p = buf; *p; p++)
		cr_expect((unsigned char)*p >= 0x20 && *p != 0x7f, "control character in id %s", buf);
	struct lb_identity out;
	cr_assert_eq(lb_identity_parse(buf, &out, err, sizeof err), 0, "%s: %s", buf, err);
	cr_expect_str_eq(out.lock, in->lock);
	cr_expect_str_eq(out.lock_params, in->lock_params);
	cr_expect_str_eq(out.workload, in->workload);
	cr_expect_str_eq(out.workload_params, in->workload_params);
	cr_expect_eq(out.threads, in->threads);
	cr_expect_str_eq(out.pin, in->pin);
}

Test(identity, ordinary_ids_are_unchanged)
{
	struct lb_identity id = { "ticket", "", "cs", "cs_ns=0ns,think_ns=0ns,cs_lines=1", 2, "compact" };
	round_trip(&id, "ticket:|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=2|pin=compact");
	struct lb_identity p = { "tas@my-lock.so", "spins=100", "cs", "cs_ns=1us", 8, "cpus:0-3,8" };
	round_trip(&p, "tas@my-lock.so:spins=100|cs:cs_ns=1us|threads=8|pin=cpus:0-3,8");
	char key[512];
	lb_identity_lock_key(&p, key, sizeof key);
	cr_expect_str_eq(key, "tas@my-lock.so:spins=100");
}

Test(identity, separators_percent_and_control_characters_round_trip)
{
	struct lb_identity id = { "we|ird:name%", "path=a|b,pct=100%", "w\nl", "s=line1\nline2\r\t\x7f", 3,
				  "cpus:0|1%\n" };
	round_trip(&id, "we%7Cird%3Aname%25:path=a%7Cb,pct=100%25|w%0Al:s=line1%0Aline2%0D%09%7F|threads=3|pin=cpus:0%7C1%25%0A");
	char key[512];
	lb_identity_lock_key(&id, key, sizeof key);
	cr_expect_str_eq(key, "we%7Cird%3Aname%25:path=a%7Cb,pct=100%25");
}

Test(identity, what_is_not_an_id_is_refused)
{
	static const char *const bad[] = {
		"ticket:|cs:|threads=2",	  "ticket:|cs:|threads=2|pin=a|b", "ticket:|cs:|threads=x|pin=a",
		"ticket:|cs:|threads=|pin=a",	  "ticket:|cs:|thread=2|pin=a",	   "ticket:|cs:|threads=2|policy=a",
		"ti%2|cs:|threads=2|pin=a",	  "ti%zzck:|cs:|threads=2|pin=a",  "t\n:|cs:|threads=2|pin=a",
		":x|cs:|threads=2|pin=a",	  "t:%00|cs:|threads=2|pin=a",	   "ticket:|cs:|threads=-1|pin=a",
		"ticket:|cs:|threads=99999999999|pin=a", "",
	};
	for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
		struct lb_identity out;
		char err[256] = "";
		cr_expect_eq(lb_identity_parse(bad[i], &out, err, sizeof err), -1, "accepted \"%s\"", bad[i]);
		cr_expect(err[0] != '\0' && strchr(err, '\n') == NULL, "case %zu: %s", i, err);
	}
	/* Ids written before the codec, without ':' after a name, still parse. */
	struct lb_identity out;
	char err[256];
	cr_assert_eq(lb_identity_parse("mcs|cs:cs_lines=1|threads=2|pin=compact", &out, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(out.lock, "mcs");
	cr_expect_str_eq(out.lock_params, "");
	cr_expect_str_eq(out.workload_params, "cs_lines=1");
}

Test(identity, too_long_is_an_error_not_a_cut_id)
{
	struct lb_identity id = { "ticket", "", "cs", "", 1, "compact" };
	memset(id.lock_params, '|', sizeof id.lock_params - 1);
	char buf[2048];
	cr_expect_eq(lb_identity_format(&id, buf, sizeof buf), -1);
}
