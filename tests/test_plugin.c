/*
 * test_plugin.c — user locks from shared objects: the example plug-in
 * builds as its README says and runs (excluding, parameters applied, the
 * result naming its file); every deliberately broken plug-in in
 * tests/fixtures/plugins/ is refused with exit 2 and one line naming its
 * problem, before anything runs; and a plug-in that starves a thread makes
 * `--fail-on-starvation` exit 1.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli_util.h"
#include "plugin_util.h"

#define EXAMPLE "examples/plugin/mylock.c"
#define FIXTURE(f) "tests/fixtures/plugins/" f

static char *build_ok(const char *src, const char *extra, const char *name)
{
	char *so = plugin_build(src, extra, name);
	cr_assert_not_null(so, "cc failed on %s %s", src, extra ? extra : "");
	return so;
}

static struct cli_result *run_cli(const char *const *args)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	return r;
}

/* The one config's sample 0 and lock object of a result on stdout. */
static json_t *load_doc(const char *text)
{
	json_error_t je;
	json_t *doc = json_loads(text, 0, &je);
	cr_assert_not_null(doc, "not JSON: %s", je.text);
	return doc;
}

/* `run -l spec` must exit 2 with one line "lockbench: ..." containing needle. */
static void expect_refused(const char *spec, const char *needle)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/x.json", dir);
	const char *args[] = { "run", "-l", spec, "-t", "2", "-d", "10ms", "--warmup", "1ms", "-o", out, NULL };
	struct cli_result *r = run_cli(args);
	cr_expect_eq(r->status, 2, "%s: exit %d, stderr: %s", spec, r->status, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "one line, got: %s", r->err);
	cr_expect(strncmp(r->err, "lockbench: --locks: ", 20) == 0, "prefix: %s", r->err);
	cr_expect(strstr(r->err, needle) != NULL, "\"%s\" not in: %s", needle, r->err);
	cr_expect_eq(cli_count_entries(dir), 0, "nothing written");
	free(r);
	free(dir);
}

static void expect_fixture_refused(const char *src, const char *extra, const char *needle)
{
	char *so = build_ok(src, extra, "bad");
	expect_refused(so, needle);
	free(so);
}

Test(plugin, example_builds_with_its_makefile_and_runs, .timeout = 60)
{
	int st = system("make -s -B -C examples/plugin >/dev/null");
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 0, "make -C examples/plugin failed");
	const char *args[] = { "run", "-l", "./examples/plugin/mylock.so", "-t", "2", "-w", "cs:cs_ns=100",
			       "-d", "100ms", "--warmup", "5ms", "-o", "-", "-q", NULL };
	struct cli_result *r = run_cli(args);
	unlink("examples/plugin/mylock.so");
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	json_t *doc = load_doc(r->out);
	json_t *cfg = json_array_get(json_object_get(doc, "configs"), 0);
	json_t *lock = json_object_get(cfg, "lock");
	cr_expect_str_eq(json_string_value(json_object_get(lock, "name")), "tatas");
	const char *plugin = json_string_value(json_object_get(lock, "plugin"));
	cr_assert_not_null(plugin, "lock.plugin recorded");
	cr_expect(plugin[0] == '/', "absolute: %s", plugin);
	cr_expect(strstr(plugin, "examples/plugin/mylock.so") != NULL, "%s", plugin);
	cr_expect_eq(json_integer_value(json_object_get(json_object_get(lock, "params"), "backoff")), 64,
		     "the default is written out");
	cr_expect(strstr(json_string_value(json_object_get(cfg, "id")), "tatas@mylock.so") != NULL,
		  "the id names the file: %s", json_string_value(json_object_get(cfg, "id")));
	cr_expect_str_eq(json_string_value(json_object_get(cfg, "status")), "ok");
	json_t *s = json_array_get(json_object_get(cfg, "samples"), 0);
	cr_expect_gt(json_integer_value(json_object_get(s, "acquisitions")), 0);
	cr_expect_eq(json_integer_value(json_object_get(s, "violations")), 0, "tatas excludes");
	cr_expect_eq(json_integer_value(json_object_get(s, "verify_failures")), 0);
	json_decref(doc);
	free(r);
}

Test(plugin, parameters_by_path_and_by_plugin_keyword, .timeout = 60)
{
	char *so = build_ok(EXAMPLE, "-O2", "mylock");
	char locks[1024];
	snprintf(locks, sizeof locks, "%s:backoff=4,plugin:path=%s,backoff=0", so, so);
	const char *args[] = { "run", "-l", locks, "-t", "2", "-d", "50ms", "--warmup", "5ms", "-o", "-", "-q", NULL };
	struct cli_result *r = run_cli(args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	json_t *doc = load_doc(r->out);
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *lock = json_object_get(json_array_get(configs, i), "lock");
		cr_expect_eq(json_integer_value(json_object_get(json_object_get(lock, "params"), "backoff")),
			     i == 0 ? 4 : 0);
		cr_expect_str_eq(json_string_value(json_object_get(lock, "plugin")), so);
	}
	json_decref(doc);
	free(r);
	free(so);
}

Test(plugin, plugin_parameters_are_checked, .timeout = 30)
{
	char *so = build_ok(EXAMPLE, NULL, "mylock");
	char spec[512];
	snprintf(spec, sizeof spec, "%s:backoff=-1", so);
	expect_refused(spec, "backoff");
	snprintf(spec, sizeof spec, "%s:nosuch=1", so);
	expect_refused(spec, "unknown parameter \"nosuch\"");
	free(so);
}

Test(plugin, list_shows_a_plugin, .timeout = 30)
{
	char *so = build_ok(EXAMPLE, NULL, "mylock");
	const char *args[] = { "list", "--plugin", so, NULL };
	struct cli_result *r = run_cli(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->out, "tatas") != NULL && strstr(r->out, "backoff=64") != NULL, "%s", r->out);
	free(r);
	free(so);
}

/* init is optional: a plug-in whose zeroed state is a free lock needs none. */
Test(plugin, a_plugin_without_init_runs, .timeout = 60)
{
	char *so = build_ok(FIXTURE("knobs.c"), "-DNO_INIT", "noinit");
	const char *args[] = { "run", "-l", so, "-t", "2", "-d", "50ms", "--warmup", "5ms", "-o", "-", "-q", NULL };
	struct cli_result *r = run_cli(args);
	cr_expect_eq(r->status, 0, "stderr: %s", r->err);
	free(r);
	free(so);
}

Test(plugin, a_name_taken_by_a_built_in_lock_is_told_apart, .timeout = 60)
{
	char *so = build_ok(FIXTURE("knobs.c"), "-DNAME='\"ticket\"'", "myticket");
	char locks[512];
	snprintf(locks, sizeof locks, "ticket,%s", so);
	const char *args[] = { "run", "-l", locks, "-t", "2", "-d", "50ms", "--warmup", "5ms", "-o", "-", NULL };
	struct cli_result *r = run_cli(args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	cr_expect(strstr(r->err, "ticket@myticket.so") != NULL, "the table says which ticket: %s", r->err);
	json_t *doc = load_doc(r->out);
	json_t *a = json_array_get(json_object_get(doc, "configs"), 0);
	json_t *b = json_array_get(json_object_get(doc, "configs"), 1);
	cr_expect_null(json_object_get(json_object_get(a, "lock"), "plugin"), "the built-in has no plugin key");
	cr_expect_not_null(json_object_get(json_object_get(b, "lock"), "plugin"));
	cr_expect_str_neq(json_string_value(json_object_get(a, "id")), json_string_value(json_object_get(b, "id")),
			  "distinct ids, so compare never pairs them");
	json_decref(doc);
	free(r);
	free(so);
}

/* The fixtures the issue names, one flaw each. */
Test(plugin_refused, abi_mismatch, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("abi_mismatch.c"), NULL, "abi_version is 99, this lockbench loads 1 to 2");
}
Test(plugin_refused, missing_symbol, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("missing_symbol.c"), NULL, "does not export \"lockbench_lock\"");
}
Test(plugin_refused, null_acquire, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("null_acquire.c"), NULL, "acquire is NULL");
}
Test(plugin_refused, try_cap_without_try_acquire, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("try_without_fn.c"), NULL, "LB_CAP_TRY but try_acquire is NULL");
}
Test(plugin_refused, bad_parameter_default, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("bad_default.c"), NULL, "backoff: \"fast\" is not a whole number");
}

/* The rest of the table's rules, through knobs.c. */
#define KNOB(name, defines, needle)                                                            \
	Test(plugin_refused, name, .timeout = 30)                                              \
	{                                                                                      \
		expect_fixture_refused(FIXTURE("knobs.c"), defines, needle);                   \
	}
KNOB(name_not_lowercase, "-DNAME='\"My_Lock\"'", "name \"My_Lock\" is not [a-z0-9-]+")
KNOB(name_reserved, "-DNAME='\"plugin\"'", "reserved")
KNOB(state_size_zero, "-DSTATE_SIZE=0", "state_size 0")
KNOB(state_size_absurd, "-DSTATE_SIZE=2000000", "state_size 2000000")
KNOB(state_align_not_power_of_two, "-DSTATE_ALIGN=3", "state_align 3")
KNOB(state_align_too_large, "-DSTATE_ALIGN=8192", "state_align 8192")
KNOB(node_size_absurd, "-DNODE_SIZE=2000000", "node_size 2000000")
KNOB(unknown_cap_bits, "-DCAPS=65536", "unknown bits 0x10000")
KNOB(timed_cap_without_acquire_until, "-DCAPS=LB_CAP_TIMED", "LB_CAP_TIMED but acquire_until is NULL")
KNOB(poll_cap_without_poll, "-DCAPS=LB_CAP_POLL", "LB_CAP_POLL but poll is NULL")
KNOB(timed_emulated_without_timed, "-DCAPS=LB_CAP_TIMED_EMULATED", "LB_CAP_TIMED_EMULATED without LB_CAP_TIMED")
KNOB(live_counters_without_counters, "-DCAPS=LB_CAP_LIVE_COUNTERS", "LB_CAP_LIVE_COUNTERS but counters is NULL")
KNOB(unknown_parameter_type, "-DPARAM_TYPE=7", "unknown type 7")
KNOB(symbol_is_a_function, "-DFUNCTION_SYMBOL", "is not a struct lb_lock_ops")
KNOB(rw_cap_without_read_acquire, "-DCAPS=LB_CAP_RW", "LB_CAP_RW but read_acquire is NULL")
KNOB(read_ops_without_rw_cap, "-DREAD_OPS=1", "read_* functions are set but caps lack LB_CAP_RW")
KNOB(rw_try_without_read_try, "-DREAD_OPS=1 -DCAPS='(LB_CAP_RW|LB_CAP_TRY)'",
     "LB_CAP_RW and LB_CAP_TRY but read_try_acquire is NULL")
KNOB(rw_timed_without_read_until, "-DREAD_OPS=2 -DTIMED_FN -DCAPS='(LB_CAP_RW|LB_CAP_TIMED)'",
     "LB_CAP_RW and LB_CAP_TIMED but read_acquire_until is NULL")
KNOB(policy_without_rw, "-DCAPS=LB_CAP_READER_PREF", "policy without LB_CAP_RW")
KNOB(two_policies, "-DREAD_OPS=1 -DCAPS='(LB_CAP_RW|LB_CAP_READER_PREF|LB_CAP_PHASE_FAIR)'",
     "more than one of reader preference")

/* ABI versions (lockbench/lock.h, "Versions"): the previous one loads, as a mutex. */
Test(plugin_abi, an_abi_1_plugin_loads_and_runs_as_a_mutex, .timeout = 60)
{
	char *so = build_ok(FIXTURE("abi1.c"), NULL, "abi1");
	const char *args[] = { "run", "-l", so, "-t", "2", "-d", "50ms", "--warmup", "5ms", "-o", "-", "-q", NULL };
	struct cli_result *r = run_cli(args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	json_t *doc = load_doc(r->out);
	json_t *cfg = json_array_get(json_object_get(doc, "configs"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(cfg, "lock"), "name")), "abi-one");
	json_t *s = json_array_get(json_object_get(cfg, "samples"), 0);
	cr_expect_gt(json_integer_value(json_object_get(s, "acquisitions")), 0);
	cr_expect_eq(json_integer_value(json_object_get(s, "violations")), 0);
	json_decref(doc);
	free(r);
	const char *list[] = { "list", "--plugin", so, NULL };
	r = run_cli(list);
	cr_expect_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->out, "abi-one") != NULL, "%s", r->out);
	free(r);
	free(so);
}

Test(plugin_abi, an_abi_1_table_may_not_use_abi_2_caps, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("abi1.c"), "-DCAPS='(LB_CAP_SLEEPS|LB_CAP_RW)'",
			       "has unknown bits 0x400 (ABI 2 bits in an ABI-1 table)");
}

Test(plugin_abi, a_version_0_table_is_refused, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("knobs.c"), "-DABI=0", "abi_version is 0, this lockbench loads 1 to 2");
}

Test(plugin_abi, a_newer_version_is_refused, .timeout = 30)
{
	expect_fixture_refused(FIXTURE("knobs.c"), "-DABI=3", "abi_version is 3, this lockbench loads 1 to 2");
}

Test(plugin_refused, nonexistent_file, .timeout = 30)
{
	expect_refused("./no/such/lock.so", "No such file");
}

Test(plugin_refused, not_a_shared_object, .timeout = 30)
{
	char *dir = cli_tmpdir();
	char path[256];
	snprintf(path, sizeof path, "%s/text.so", dir);
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs("this is not an ELF file\n", f);
	fclose(f);
	expect_refused(path, "cannot load");
	unlink(path);
	rmdir(dir);
	free(dir);
}

Test(plugin_refused, plugin_keyword_without_path, .timeout = 30)
{
	expect_refused("plugin:backoff=1", "missing path=FILE");
}

Test(plugin_refused, list_refuses_a_broken_plugin, .timeout = 30)
{
	char *so = build_ok(FIXTURE("null_acquire.c"), NULL, "bad");
	const char *args[] = { "list", "--plugin", so, NULL };
	struct cli_result *r = run_cli(args);
	cr_expect_eq(r->status, 2);
	cr_expect_eq(cli_lines(r->err), 1, "%s", r->err);
	cr_expect(strstr(r->err, "acquire is NULL") != NULL, "%s", r->err);
	free(r);
	free(so);
}

/* The plug-in twin of test_run.c's starver: --fail-on-starvation decides the exit code. */
static int run_starver(const char *so, bool fail_on_starvation)
{
	const char *args[] = { "run", "-l", so, "-t", "2", "-d", "400ms", "--warmup", "5ms", "-o", "-", "-q",
			       fail_on_starvation ? "--fail-on-starvation" : NULL, NULL };
	struct cli_result *r = run_cli(args);
	json_t *doc = load_doc(r->out);
	json_t *cfg = json_array_get(json_object_get(doc, "configs"), 0);
	cr_expect(json_is_true(json_object_get(json_object_get(cfg, "summary"), "starved")),
		  "the starving thread is flagged");
	json_decref(doc);
	int status = r->status;
	free(r);
	return status;
}

Test(plugin, fail_on_starvation_exits_1_for_a_starving_plugin, .timeout = 60)
{
	char *so = build_ok(FIXTURE("starver.c"), NULL, "starver");
	cr_expect_eq(run_starver(so, true), 1, "--fail-on-starvation: exit 1");
	cr_expect_eq(run_starver(so, false), 0, "without the flag starvation is reported, not fatal");
	free(so);
}

/* A lock that cannot run is a failed selftest row ("failed", exit 1), never nan with exit 0. */
Test(plugin, selftest_says_when_a_lock_could_not_run, .timeout = 60)
{
	char *so = build_ok(FIXTURE("knobs.c"), "-DFAIL_INIT", "failinit");
	const char *args[] = { "selftest", "overhead", "-l", so, "-t", "1", "-r", "1", "-d", "20ms", NULL };
	struct cli_result *r = run_cli(args);
	cr_expect_eq(r->status, 1, "exit %d; stderr: %s", r->status, r->err);
	cr_expect_null(strstr(r->out, "nan"), "no nan in: %s", r->out);
	cr_expect_not_null(strstr(r->out, "failed"), "%s", r->out);
	cr_expect_not_null(strstr(r->err, "nothing measured"), "%s", r->err);
	free(r);
	free(so);
}
