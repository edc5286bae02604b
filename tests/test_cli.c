/*
 * test_cli.c — the command line as a user meets it: every bad input is one
 * line on stderr and exit 2 with no result file left behind; a good run
 * writes a result that parses and carries every documented key.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"

/* Expect exit 2, one line "lockbench: ..." mentioning `needle`, and an empty dir. */
static void expect_usage_error(const char *needle, const char *const *args, const char *dir)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 2, "exit %d for %s; stderr: %s", r->status, args[1] ? args[1] : args[0], r->err);
	cr_expect_eq(cli_lines(r->err), 1, "one line on stderr, got: %s", r->err);
	cr_expect(strncmp(r->err, "lockbench: ", 11) == 0, "prefix: %s", r->err);
	cr_expect(strstr(r->err, needle) != NULL, "\"%s\" not in: %s", needle, r->err);
	if (dir)
		cr_expect_eq(cli_count_entries(dir), 0, "no file left behind in %s", dir);
	free(r);
}

#define BAD_RUN(name, needle, ...)                                                          \
	Test(cli_bad_input, name, .timeout = 30)                                            \
	{                                                                                   \
		char *dir = cli_tmpdir();                                                   \
		char out[256];                                                              \
		snprintf(out, sizeof out, "%s/x.json", dir);                                \
		const char *args[] = { "run", "-d", "10ms", "--warmup", "1ms", "-o", out,   \
				       __VA_ARGS__, NULL };                                 \
		expect_usage_error(needle, args, dir);                                      \
		free(dir);                                                                  \
	}

BAD_RUN(unknown_lock, "unknown lock \"nosuch\"", "-l", "nosuch")
BAD_RUN(unknown_lock_parameter, "unknown parameter \"foo\"", "-l", "gil:foo=1")
BAD_RUN(bad_parameter_value, "interval", "-l", "gil:interval=fast")
BAD_RUN(parameter_out_of_range, "out of range", "-l", "gil:interval=0")
BAD_RUN(parameter_without_value, "missing value", "-l", "gil:interval=")
BAD_RUN(parameter_given_twice, "twice", "-l", "gil:interval=1ms,interval=2ms")
BAD_RUN(stray_parameter, "follows no lock", "-l", "foo=1")
BAD_RUN(zero_threads, "--threads: \"0\" is not a positive integer", "-t", "0")
BAD_RUN(backwards_range, "--threads", "-t", "4-2")
BAD_RUN(threads_not_a_number, "--threads", "-t", "two")
BAD_RUN(duration_bad_unit, "--duration: \"5parsecs\"", "-d", "5parsecs")
BAD_RUN(duration_without_unit, "--duration", "-d", "5")
BAD_RUN(duration_negative, "--duration", "-d", "-1s")
BAD_RUN(warmup_bad, "--warmup", "--warmup", "soon")
BAD_RUN(unknown_workload, "unknown workload", "-w", "nosuch")
BAD_RUN(workload_bad_param, "cs_lines", "-w", "cs:cs_lines=-1")
BAD_RUN(pin_bad, "--pin", "-p", "everywhere")
BAD_RUN(pin_cpu_not_allowed, "--pin", "-p", "cpus:4095")
BAD_RUN(repeat_zero, "--repeat", "-r", "0")
BAD_RUN(timing_bad, "--timing", "--timing", "sometimes")
BAD_RUN(timing_sample_zero, "--timing", "--timing", "sample:0")
BAD_RUN(log_cap_not_power_of_two, "--log-cap", "--log-cap", "1000")
BAD_RUN(unknown_option, "unknown option", "--frobnicate")
BAD_RUN(stray_argument, "unexpected argument", "extra")
BAD_RUN(busy_rate_zero, "--busy-rate", "--busy-rate", "0")
BAD_RUN(busy_rate_not_a_number, "--busy-rate", "--busy-rate", "fast")
/* A parameter only the lock's init can judge is still a usage error, before any result exists. */
BAD_RUN(rlock_base_unknown, "no built-in lock called \"nosuch\"", "-l", "rlock:base=nosuch")

Test(cli_bad_input, missing_value_at_end, .timeout = 30)
{
	const char *args[] = { "run", "-d", NULL };
	expect_usage_error("needs a value", args, NULL);
}

Test(cli_bad_input, unwritable_output_directory, .timeout = 30)
{
	const char *args[] = { "run", "-l", "ticket", "-t", "1", "-d", "10ms", "-o", "/nonexistent/dir/x.json", NULL };
	expect_usage_error("--output", args, NULL);
}

Test(cli_bad_input, output_is_a_directory, .timeout = 30)
{
	char *dir = cli_tmpdir();
	const char *args[] = { "run", "-l", "ticket", "-t", "1", "-d", "10ms", "-o", dir, NULL };
	expect_usage_error("is a directory", args, dir);
	free(dir);
}

Test(cli_bad_input, unknown_command, .timeout = 30)
{
	const char *args[] = { "frobnicate", NULL };
	expect_usage_error("unknown command", args, NULL);
}

Test(cli_bad_input, bad_synthetic_topology, .timeout = 30)
{
	const char *args[] = { "topo", "--synthetic", "pack:x", NULL };
	expect_usage_error("synthetic", args, NULL);
}

Test(cli_bad_input, topo_bad_threads, .timeout = 30)
{
	const char *args[] = { "topo", "-t", "0", NULL };
	expect_usage_error("--threads", args, NULL);
}

/* Every key the issue promised scripts they can rely on. */
static void expect_keys(json_t *obj, const char *where, const char *const *keys)
{
	for (size_t i = 0; keys[i]; i++)
		cr_expect_not_null(json_object_get(obj, keys[i]), "%s lacks \"%s\"", where, keys[i]);
}

Test(cli_run, result_has_every_documented_key, .timeout = 60)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/r.json", dir);
	const char *args[] = { "run", "-l", "ticket,gil:interval=1ms", "-t", "1,2", "-d", "50ms", "--warmup", "5ms",
			       "-p", "none", "-o", out, "-q", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s: %s", out, je.text);
	cr_assert_str_eq(json_string_value(json_object_get(doc, "schema")), "lockbench/1");
	static const char *const ctx_keys[] = { "version", "git_commit", "command_line", "started_utc", "host",
						"kernel", "cpu_model", "topology", "allowed_cpus", "compiler",
						"cflags", "timer", NULL };
	json_t *ctx = json_object_get(doc, "context");
	expect_keys(ctx, "context", ctx_keys);
	static const char *const topo_keys[] = { "packages", "numa_nodes", "cores", "pus", NULL };
	expect_keys(json_object_get(ctx, "topology"), "context.topology", topo_keys);
	static const char *const timer_keys[] = { "source", "cost_ns", NULL };
	expect_keys(json_object_get(ctx, "timer"), "context.timer", timer_keys);
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), 4, "2 locks x 2 thread counts");
	static const char *const cfg_keys[] = { "lock", "workload", "threads", "pin", "status", "samples", NULL };
	static const char *const sample_keys[] = { "duration_s", "acquisitions", "throughput_per_s", "latency_ns",
						   "violations", "threads", NULL };
	static const char *const lat_keys[] = { "mean", "p50", "p90", "p99", "p999", "p9999", "max", NULL };
	static const char *const thr_keys[] = { "id", "pu", "acquisitions", "latency_ns", NULL };
	size_t i;
	json_t *cfg;
	json_array_foreach(configs, i, cfg) {
		expect_keys(cfg, "config", cfg_keys);
		static const char *const pin_keys[] = { "policy", "pus", "oversubscribed", NULL };
		expect_keys(json_object_get(cfg, "pin"), "pin", pin_keys);
		json_t *lock = json_object_get(cfg, "lock");
		cr_expect_not_null(json_object_get(lock, "name"));
		cr_expect(json_is_object(json_object_get(lock, "params")));
		json_t *wl = json_object_get(cfg, "workload");
		/* Defaults are written out, so a result reproduces without guessing. */
		json_t *wp = json_object_get(wl, "params");
		cr_expect_not_null(json_object_get(wp, "cs_ns"));
		cr_expect_not_null(json_object_get(wp, "think_ns"));
		cr_expect_not_null(json_object_get(wp, "cs_lines"));
		json_t *s = json_array_get(json_object_get(cfg, "samples"), 0);
		expect_keys(s, "sample", sample_keys);
		expect_keys(json_object_get(s, "latency_ns"), "latency_ns", lat_keys);
		json_t *t0 = json_array_get(json_object_get(s, "threads"), 0);
		expect_keys(t0, "thread", thr_keys);
		cr_expect_eq(json_integer_value(json_object_get(s, "violations")), 0);
		if (strcmp(json_string_value(json_object_get(lock, "name")), "gil") == 0) {
			json_t *lp = json_object_get(lock, "params");
			cr_expect_eq(json_integer_value(json_object_get(lp, "interval")), 1000000);
			cr_expect(json_is_boolean(json_object_get(lp, "force_switch")), "default written out");
			cr_expect_not_null(json_object_get(json_object_get(s, "lock_counters"), "drop_requests"));
		}
	}
	json_decref(doc);
	cr_expect_eq(cli_count_entries(dir), 1, "only the result, no temp file");
	free(r);
	free(dir);
}

Test(cli_run, none_lock_run_reports_violations_without_failing, .timeout = 60)
{
	const char *args[] = { "run", "-l", "none", "-w", "cs:cs_ns=50", "-t", "2", "-d", "100ms", "--warmup",
			       "5ms", "-p", "none", "-o", "-", "-q", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	json_error_t je;
	json_t *doc = json_loads(r->out, 0, &je);
	cr_assert_not_null(doc, "stdout is the JSON document: %s", je.text);
	json_t *s = json_array_get(json_object_get(json_array_get(json_object_get(doc, "configs"), 0), "samples"), 0);
	cr_assert(json_integer_value(json_object_get(s, "violations")) > 0 ||
		  json_integer_value(json_object_get(s, "verify_failures")) > 0, "none lock caught");
	json_decref(doc);
	free(r);
}

Test(cli_run, list_shows_locks_workloads_and_parameters, .timeout = 30)
{
	const char *args[] = { "list", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0);
	static const char *const words[] = { "pthread", "ticket", "mcs", "gil", "none", "interval=5ms",
					     "force_switch=1", "cs_ns=0", "think_ns=0", "cs_lines=1", "fifo", NULL };
	for (size_t i = 0; words[i]; i++)
		cr_expect(strstr(r->out, words[i]) != NULL, "list lacks %s", words[i]);
	free(r);
}

Test(cli_run, topo_plans_a_synthetic_machine, .timeout = 30)
{
	const char *args[] = { "topo", "--synthetic", "pack:2 core:4 pu:2", "--pin", "scatter", "-t", "6", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->out, "16") != NULL, "16 PUs shown: %s", r->out);
	free(r);
}

Test(cli_bad_input, selftest_without_subject, .timeout = 30)
{
	const char *args[] = { "selftest", NULL };
	expect_usage_error("overhead", args, NULL);
}

Test(cli_bad_input, selftest_with_other_workload, .timeout = 30)
{
	const char *args[] = { "selftest", "overhead", "-w", "bare", NULL };
	expect_usage_error("not cs", args, NULL);
}

Test(cli_bad_input, selftest_bad_sample, .timeout = 30)
{
	const char *args[] = { "selftest", "overhead", "-s", "1", NULL };
	expect_usage_error("--sample", args, NULL);
}

/*
 * Every comparison with its verdict. A benchmark on a loaded machine may
 * miss targets (exit 1) or lose a window (failed, exit 1): either is a
 * verdict; a usage error (2) or a crash is not.
 */
Test(cli_run, selftest_overhead_reports_every_mode, .timeout = 120)
{
	const char *args[] = { "selftest", "overhead", "-l", "ticket", "-t", "1", "-d", "50ms", "-r", "2", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert(r->status == 0 || r->status == 1, "exit %d: %s", r->status, r->err);
	cr_expect(strstr(r->out, "ticket") != NULL, "%s", r->out);
	cr_expect(strstr(r->out, "bare") != NULL && strstr(r->out, "off") != NULL && strstr(r->out, "all") != NULL,
		  "%s", r->out);
	cr_expect(strstr(r->out, "inline:") != NULL && strstr(r->out, "ck-ticket") != NULL, "%s", r->out);
	cr_expect(strstr(r->out, ">=0.97") != NULL && strstr(r->out, ">=0.90") != NULL && strstr(r->out, ">=0.95") != NULL &&
		  strstr(r->out, ">=1.00") != NULL, "each target printed: %s", r->out);
	cr_expect(strstr(r->out, "targets: ") != NULL, "%s", r->out);
	cr_expect_null(strstr(r->out, "nan"), "%s", r->out);
	/* The exit status follows the verdicts. */
	bool missed = strstr(r->out, "MISSED") != NULL || strstr(r->out, "failed") != NULL;
	cr_expect_eq(r->status, missed ? 1 : 0, "exit %d with%s a miss: %s", r->status, missed ? "" : "out", r->out);
	free(r);
}

/*
 * Targets are judged, not just printed: a ratio that cannot reach its target
 * (-s 2: three clock reads on every other acquisition) is MISSED and
 * exits 1. Per CPU-second, so a loaded machine that kept the thread off its
 * CPU in bare's windows cannot lift the ratio (per second, at -s 2, it once
 * passed at four test jobs).
 */
Test(cli_run, selftest_overhead_exits_1_on_a_missed_target, .timeout = 120)
{
	const char *args[] = { "selftest", "overhead", "-l", "ticket", "-t", "1", "-d", "50ms", "-r", "2", "-s", "2",
			       "--per-cpu", "--only", "harness", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 1, "exit %d: %s", r->status, r->err);
	cr_expect(strstr(r->out, "MISSED") != NULL, "%s", r->out);
	free(r);
}

/* Ctrl-C in the middle: exit 130, a complete result file, nothing half-written. */
Test(cli_run, interrupt_writes_what_finished_and_exits_130, .timeout = 60)
{
	char *dir = cli_tmpdir();
	char out[256];
	snprintf(out, sizeof out, "%s/int.json", dir);
	const char *bin = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
	pid_t pid = fork();
	cr_assert_neq(pid, -1);
	if (pid == 0) {
		freopen("/dev/null", "w", stdout);
		freopen("/dev/null", "w", stderr);
		execl(bin, bin, "run", "-l", "ticket,pthread", "-t", "1,2", "-d", "2s", "-p", "none", "-q", "-o", out,
		      (char *)NULL);
		_exit(127);
	}
	/* Let the first config start, then interrupt it. */
	struct timespec ts = { 1, 200000000 };
	nanosleep(&ts, NULL);
	kill(pid, SIGINT);
	int st;
	waitpid(pid, &st, 0);
	cr_assert(WIFEXITED(st) && WEXITSTATUS(st) == 130, "exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "the result is complete JSON: %s", je.text);
	cr_assert(json_is_true(json_object_get(json_object_get(doc, "context"), "interrupted")));
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(configs, 0), "status")), "interrupted");
	cr_assert_str_eq(json_string_value(json_object_get(json_array_get(configs, 3), "status")), "not_run");
	json_decref(doc);
	cr_assert_eq(cli_count_entries(dir), 1, "no temp file left behind");
	free(dir);
}

/* --busy-rate replaces the calibration, and the result says so. */
Test(cli_run, busy_rate_is_used_and_recorded, .timeout = 30)
{
	const char *args[] = { "run", "-l", "none", "-t", "1", "-d", "10ms", "--warmup", "1ms", "--busy-rate", "1234",
			       "-q", "-o", "-", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	json_error_t je;
	json_t *doc = json_loads(r->out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *ctx = json_object_get(doc, "context");
	cr_expect(json_number_value(json_object_get(ctx, "busy_iterations_per_us")) == 1234.0);
	cr_expect_str_eq(json_string_value(json_object_get(json_object_get(ctx, "options"), "busy_rate")), "given");
	json_decref(doc);
	free(r);
}
