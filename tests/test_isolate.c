/*
 * test_isolate.c — hostile plug-ins (tests/fixtures/plugins/hostile.c) and
 * deadlocking workloads cost only their own config, in `run` and in
 * `stress`: the config's status names the signal, the exit or the hang,
 * the other config's results are written, the file passes the schema, and
 * the command exits 1. SIGTERM and SIGINT (once or twice) end a run whose
 * lock's init never returns, with the results kept. compare calls a config
 * ok in BASE and deadlocked in NEW a regression.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <jansson.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "plugin_util.h"

static const char *hostile(void)
{
	static char *so;
	if (so == NULL)
		so = plugin_build("tests/fixtures/plugins/hostile.c", "-g", "hostile");
	cr_assert_not_null(so, "the hostile fixture builds");
	return so;
}

static int validate(const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json '%s' 1>&2", path);
	return system(cmd);
}

struct hostile_case {
	const char *mode;
	const char *status;  /* of the hostile config */
	const char *needle;  /* in its message */
};

static const struct hostile_case cases[] = {
	{ "segv_acquire", "crashed", "killed by SIGSEGV" },
	{ "abort_acquire", "crashed", "killed by SIGABRT" },
	{ "segv_init", "crashed", "SIGSEGV (Segmentation fault) during init" },
	{ "abort_init", "crashed", "SIGABRT (Aborted) during init" },
	{ "segv_release", "crashed", "killed by SIGSEGV" },
	{ "abort_release", "crashed", "killed by SIGABRT" },
	{ "exit_acquire", "crashed", "exited with status 0" },
	{ "hang_init", "hung", "init did not return" },
	{ "hang_acquire", "hung", "threads still inside the lock" },
	{ "overrun", "failed", "wrote past its declared state" },
	/* Beyond the child's own bounds: the parent's, then the main thread's stack, then SIGKILL. */
	{ "hang_destroy", "hung", "did not finish within" },
};

/* Run `command` (run or stress) over the hostile lock in `mode` and pthread; check what is left. */
static void hostile_run(const char *command, const struct hostile_case *c)
{
	char *dir = cli_tmpdir(), out[256], lock[512];
	snprintf(out, sizeof out, "%s/r.json", dir);
	/* after=1: the second acquisition misbehaves, however little of the machine the run gets */
	snprintf(lock, sizeof lock, "%s:mode=%s,after=1,pthread", hostile(), c->mode);
	const char *args[] = { command, "-l", lock, "-t", "2", "-d", "100ms", "--warmup", "5ms", "--grace", "1s",
			       "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 1, "%s %s: exit %d, stderr: %s", command, c->mode, r->status, r->err);
	cr_expect_eq(validate(out), 0, "%s %s: the result passes the schema", command, c->mode);
	json_error_t je;
	json_t *doc = json_load_file(out, 0, &je);
	cr_assert_not_null(doc, "%s %s: %s", command, c->mode, je.text);
	json_t *configs = json_object_get(doc, "configs");
	cr_assert_eq(json_array_size(configs), 2, "%s %s", command, c->mode);
	json_t *bad = json_array_get(configs, 0), *good = json_array_get(configs, 1);
	cr_expect_str_eq(json_string_value(json_object_get(bad, "status")), c->status, "%s %s", command, c->mode);
	json_t *s = json_array_get(json_object_get(bad, "samples"), 0);
	const char *msg = json_string_value(json_object_get(s, "message"));
	cr_expect(msg != NULL && strstr(msg, c->needle) != NULL, "%s %s: message \"%s\" names \"%s\"", command, c->mode,
		  msg ? msg : "(none)", c->needle);
	cr_expect(json_is_true(json_object_get(s, "isolated")), "%s %s: a plug-in runs isolated", command, c->mode);
	if (strcmp(c->status, "crashed") == 0) {
		json_t *crash = json_object_get(s, "crash");
		cr_assert_not_null(crash, "%s %s: how it ended", command, c->mode);
		json_t *stack = json_object_get(crash, "stack");
		bool names_culprit = false;
		for (size_t i = 0; i < json_array_size(stack); i++)
			names_culprit |= strstr(json_string_value(json_array_get(stack, i)), "hostile") != NULL ||
					 strstr(json_string_value(json_array_get(stack, i)), "crash") != NULL;
		cr_expect(names_culprit, "%s %s: the stack shows the plug-in", command, c->mode);
	}
	/* The other config ran, and its results are there. */
	cr_expect_str_eq(json_string_value(json_object_get(good, "status")), "ok", "%s %s: pthread", command, c->mode);
	json_t *gs = json_array_get(json_object_get(good, "samples"), 0);
	/* Its figures are there (a loaded machine may deny a 100 ms window any acquisition: no check of > 0). */
	cr_expect(json_is_integer(json_object_get(gs, "acquisitions")) && json_is_array(json_object_get(gs, "threads")),
		  "%s %s: pthread's figures", command, c->mode);
	if (strcmp(command, "stress") == 0)
		cr_expect(strstr(r->err, "FAILED: hostile") != NULL, "stress %s names the lock: %s", c->mode, r->err);
	json_decref(doc);
	free(r);
	free(dir);
}

ParameterizedTestParameters(isolate, hostile_plugin_costs_only_its_config)
{
	size_t n = sizeof cases / sizeof cases[0];
	size_t *idx = cr_calloc(n, sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n, NULL);
}

ParameterizedTest(size_t *i, isolate, hostile_plugin_costs_only_its_config, .timeout = 120)
{
	hostile_run("run", &cases[*i]);
	hostile_run("stress", &cases[*i]);
}

/* The control: without isolation the same plug-in takes lockbench down with it, and nothing is written. */
Test(isolate, without_isolation_a_crash_takes_everything, .timeout = 60)
{
	char *dir = cli_tmpdir(), out[256], lock[512];
	snprintf(out, sizeof out, "%s/r.json", dir);
	/* after=1: two acquisitions suffice, so a run the machine starves still gets there (with after=50 one
	 * run under load ended without either, exit 0) */
	snprintf(lock, sizeof lock, "%s:mode=segv_acquire,after=1,pthread", hostile());
	const char *args[] = { "run", "--no-isolate", "-l", lock, "-t", "2", "-d", "100ms", "-o", out, "-q", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	/* (Under AddressSanitizer its own SEGV handler reports and exits 1.) */
	cr_expect(r->status == 128 + SIGSEGV || (r->status == 1 && strstr(r->err, "AddressSanitizer") != NULL),
		  "exit %d", r->status);
	cr_expect_eq(access(out, F_OK), -1, "no result");
	/* An exit() inside the lock is no success, and says so. */
	snprintf(lock, sizeof lock, "%s:mode=exit_acquire,after=1,pthread", hostile());
	cli_run(r, args);
	cr_expect_eq(r->status, 1, "exit %d: %s", r->status, r->err);
	cr_expect(strstr(r->err, "exit() was called from inside a config's run") != NULL, "%s", r->err);
	free(r);
	free(dir);
}

/* ---- a deadlocking workload: isolated by default, the run goes on ---- */

Test(isolate, a_deadlock_costs_its_config_only, .timeout = 120)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/r.json", dir);
	const char *args[] = { "run", "-l", "pthread", "-w", "lockorder:order=random", "-w", "cs", "-t", "2",
			       "-d", "300ms", "--warmup", "5ms", "-o", out, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 1, "stderr: %s", r->err);
	cr_expect(strstr(r->err, "waits for lock") != NULL, "the deadlock report is printed: %s", r->err);
	cr_expect(strstr(r->err, "lockorder_thread") != NULL, "with the stuck threads' stacks: %s", r->err);
	cr_expect_eq(validate(out), 0);
	json_t *doc = json_load_file(out, 0, NULL);
	cr_assert_not_null(doc);
	json_t *configs = json_object_get(doc, "configs");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(configs, 0), "status")), "deadlock");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(configs, 1), "status")), "ok");
	json_decref(doc);

	/* Without isolation the deadlocked threads stay in the process: the run stops, its result valid. */
	const char *args2[] = { "run", "--no-isolate", "-l", "pthread", "-w", "lockorder:order=random", "-w", "cs",
				"-t", "2", "-d", "300ms", "--warmup", "5ms", "-o", out, "-q", NULL };
	cli_run(r, args2);
	cr_expect_eq(r->status, 1, "stderr: %s", r->err);
	cr_expect_eq(validate(out), 0);
	doc = json_load_file(out, 0, NULL);
	cr_assert_not_null(doc);
	configs = json_object_get(doc, "configs");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(configs, 0), "status")), "deadlock");
	cr_expect_str_eq(json_string_value(json_object_get(json_array_get(configs, 1), "status")), "not_run");
	json_decref(doc);
	free(r);
	free(dir);
}

/* ---- signals while a plug-in's init never returns ---- */

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Start lockbench on a never-returning init; once it is reached, send sigs (0-terminated) 0.3 s apart. */
static int signalled(const char *isolation, const int *sigs, const char *out, double *took)
{
	char lock[512], mark[300];
	snprintf(lock, sizeof lock, "%s:mode=hang_init,pthread", hostile());
	snprintf(mark, sizeof mark, "%s.mark", out);
	setenv("LB_HOSTILE_MARK", mark, 1);
	pid_t pid = fork();
	cr_assert_geq(pid, 0);
	if (pid == 0) {
		const char *lb = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
		freopen("/dev/null", "w", stderr);
		execl(lb, lb, "run", isolation, "-q", "-l", lock, "-t", "2", "-d", "100ms", "--grace", "60s", "-o", out,
		      (char *)NULL);
		_exit(127);
	}
	/* Signal once the init is stuck (it leaves a mark), however slow the start (a sanitizer, a loaded machine). */
	for (int i = 0; i < 600 && access(mark, F_OK) != 0; i++)
		usleep(100000);
	cr_expect_eq(access(mark, F_OK), 0, "%s: the init was reached", isolation);
	double t0 = now_s();
	for (int i = 0; sigs[i] != 0; i++) {
		usleep(300000);
		t0 = now_s();
		kill(pid, sigs[i]);
	}
	int st;
	waitpid(pid, &st, 0);
	*took = now_s() - t0;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

static void expect_interrupted(const char *isolation, const int *sigs, const char *what)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/r.json", dir);
	double took;
	int rc = signalled(isolation, sigs, out, &took);
	cr_expect_eq(rc, 130, "%s %s: exit %d", isolation, what, rc);
	/* The grace period is a minute: the signal, not a timeout, ended it. */
	cr_expect_lt(took, 30.0, "%s %s: took %.1f s after the signal", isolation, what, took);
	cr_expect_eq(validate(out), 0, "%s %s", isolation, what);
	json_t *doc = json_load_file(out, 0, NULL);
	cr_assert_not_null(doc, "%s %s: a result", isolation, what);
	cr_expect(json_is_true(json_object_get(json_object_get(doc, "context"), "interrupted")));
	json_t *c0 = json_array_get(json_object_get(doc, "configs"), 0);
	cr_expect_str_eq(json_string_value(json_object_get(c0, "status")), "interrupted", "%s %s", isolation, what);
	json_decref(doc);
	free(dir);
}

Test(isolate, sigterm_and_sigint_end_a_stuck_init, .timeout = 240)
{
	static const int term[] = { SIGTERM, 0 }, intr[] = { SIGINT, 0 }, twice[] = { SIGINT, SIGINT, 0 };
	expect_interrupted("--no-isolate", term, "SIGTERM");
	expect_interrupted("--no-isolate", twice, "SIGINT twice");
	expect_interrupted("--isolate", term, "SIGTERM");
	expect_interrupted("--isolate", intr, "SIGINT");
	expect_interrupted("--isolate", twice, "SIGINT twice");
}

/* ---- compare: ok in BASE, deadlocked in NEW ---- */

Test(isolate, compare_calls_a_new_deadlock_a_regression, .timeout = 60)
{
	char *dir = cli_tmpdir(), nw[256];
	snprintf(nw, sizeof nw, "%s/new.json", dir);
	json_t *doc = json_load_file("tests/fixtures/compare/base.json", 0, NULL);
	cr_assert_not_null(doc);
	json_t *c0 = json_array_get(json_object_get(doc, "configs"), 0);
	json_object_set_new(c0, "status", json_string("deadlock"));
	json_t *s0 = json_array_get(json_object_get(c0, "samples"), 0);
	json_object_set_new(s0, "status", json_string("deadlock"));
	cr_assert_eq(json_dump_file(doc, nw, 0), 0);
	json_decref(doc);
	const char *args[] = { "compare", "tests/fixtures/compare/base.json", nw, NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_expect_eq(r->status, 1, "stdout: %s stderr: %s", r->out, r->err);
	cr_expect(strstr(r->err, "deadlock") != NULL || strstr(r->out, "deadlock") != NULL, "says why: %s %s", r->out,
		  r->err);
	free(r);
	free(dir);
}
