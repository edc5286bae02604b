/*
 * test_terminal.c — what the commands print on a terminal: tables within 80
 * columns (wider only with --wide), throughput with an adaptive unit,
 * progress with elapsed time and what is left on a terminal and none in a
 * log, a clean partial summary after Ctrl-C, and stress's locktorture line
 * with its ??? mark and closing verdict.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <fcntl.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"
#include "render/format.h"
#include "render/table.h"

extern char **environ;

static int widest_line(const char *text)
{
	int widest = 0;
	for (const char *p = text; *p;) {
		int n = (int)strcspn(p, "\n");
		/* columns, not bytes */
		int w = 0;
		for (int i = 0; i < n; i++)
			w += ((unsigned char)p[i] & 0xc0) != 0x80;
		widest = w > widest ? w : widest;
		p += n + (p[n] == '\n');
	}
	return widest;
}

Test(terminal, throughput_has_an_adaptive_unit)
{
	static const struct {
		double v;
		const char *want;
	} cases[] = { { 0, "0" }, { 0.5, "0.50" },   { 66, "66.0" },    { 507, "507" },       { 999.6, "1.00k" },
		      { 12345, "12.3k" }, { 4.09e7, "40.9M" }, { 1.2e9, "1.20G" }, { NAN, "-" } };
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		char buf[32];
		lb_human_rate(cases[i].v, buf, sizeof buf);
		cr_expect_str_eq(buf, cases[i].want, "%g", cases[i].v);
	}
}

Test(terminal, run_fits_80_columns_unless_wide, .timeout = 120)
{
	struct cli_result r;
	const char *narrow[] = { "run", "-l", "gil:interval=1ms,force_switch=1,ttas:backoff_min=2,backoff_max=64,ticket",
				 "-t", "1,2", "-d", "20ms", "--warmup", "2ms", "-r", "2", "-o", "/dev/null", NULL };
	cli_run(&r, narrow);
	cr_assert(r.status == 0 || r.status == 1, "%s", r.err);
	cr_expect_leq(widest_line(r.out), 80, "wider than 80 columns:\n%s", r.out);
	cr_expect(strstr(r.out, "\nsummary "), "two repetitions: a summary\n%s", r.out);
	cr_expect(strstr(r.out, "ops/s"), "throughput in ops/s:\n%s", r.out);
	cr_expect_null(strstr(r.out, "Mops/s"), "%s", r.out);
	const char *wide[] = { "run", "-l", "gil:interval=1ms,force_switch=0,ticket", "-t", "2", "-d", "20ms",
			       "--warmup", "2ms", "--wide", "-o", "/dev/null", NULL };
	cli_run(&r, wide);
	cr_assert(r.status == 0 || r.status == 1, "%s", r.err);
	cr_expect(strstr(r.out, "gil:interval=1ms,force_switch=0 "), "--wide keeps the whole label:\n%s", r.out);
	cr_expect(strstr(r.out, "max wait"), "--wide has every column:\n%s", r.out);
}

/* Run `lockbench ARGS` under script(1), so its stdout and stderr are a terminal; what it printed. */
static char *on_a_terminal(const char *args)
{
	const char *bin = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
	char *cmd, *out = NULL;
	size_t len = 0;
	cr_assert(asprintf(&cmd, "script -qec '%s %s' /dev/null </dev/null", bin, args) > 0);
	FILE *p = popen(cmd, "r"), *mem = open_memstream(&out, &len);
	cr_assert_not_null(p);
	char buf[4096];
	size_t n;
	while ((n = fread(buf, 1, sizeof buf, p)) > 0)
		fwrite(buf, 1, n, mem);
	pclose(p);
	fclose(mem);
	free(cmd);
	return out;
}

Test(terminal, progress_on_a_terminal_only, .timeout = 120)
{
	char *tty = on_a_terminal("run -l ticket,pthread -t 1,2 -d 20ms --warmup 2ms -o /dev/null");
	cr_expect(strstr(tty, "[1/4] ticket threads=1 rep 1/1  0:0"), "the first step:\n%s", tty);
	cr_expect(strstr(tty, "[4/4] pthread threads=2"), "the last step:\n%s", tty);
	cr_expect(strstr(tty, " elapsed, ~"), "elapsed and what is left:\n%s", tty);
	cr_expect(strstr(tty, "\r\033[K"), "the line is erased before a row is printed:\n%s", tty);
	free(tty);
	tty = on_a_terminal("stress -l pthread -t 2 -d 20ms -o /dev/null");
	cr_expect(strstr(tty, "[1/1] pthread threads=2 rep 1/1"), "stress has it too:\n%s", tty);
	free(tty);
	tty = on_a_terminal("selftest overhead -l ticket -t 1 -d 5ms -r 2");
	cr_expect(strstr(tty, "[1/3] harness ticket threads=1"), "selftest has it too, a step a row:\n%s", tty);
	cr_expect(strstr(tty, "[3/3] ck ticket threads=1"), "selftest's last row:\n%s", tty);
	free(tty);
	/* Not a terminal (a log): no progress at all. */
	struct cli_result r;
	const char *args[] = { "run", "-l", "ticket", "-t", "1", "-d", "20ms", "--warmup", "2ms", "-o", "/dev/null", NULL };
	cli_run(&r, args);
	cr_expect_null(strstr(r.err, "elapsed"), "%s", r.err);
	cr_expect_null(strchr(r.err, '\r'), "%s", r.err);
	cr_expect_null(strchr(r.out, '\r'), "%s", r.out);
}

Test(terminal, ctrl_c_gives_a_clean_partial_summary, .timeout = 120)
{
	const char *bin = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
	char outp[] = "/tmp/lbterm-out-XXXXXX", *dir = cli_tmpdir(), *json;
	cr_assert(asprintf(&json, "%s/r.json", dir) > 0);
	int ofd = mkstemp(outp);
	char *argv[] = { (char *)bin, "run", "-l", "ticket,mcs,pthread", "-t", "1,2", "-d", "400ms", "--warmup", "5ms",
			 "-r", "3", "-o", json, NULL };
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, ofd, 1);
	posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
	pid_t pid;
	cr_assert_eq(posix_spawn(&pid, bin, &fa, NULL, argv, environ), 0);
	posix_spawn_file_actions_destroy(&fa);
	/* A few runs in (each is over 0.4 s), then Ctrl-C. */
	struct timespec ts = { 1, 500000000 };
	nanosleep(&ts, NULL);
	kill(pid, SIGINT);
	int st;
	waitpid(pid, &st, 0);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 130, "exit %d", WIFEXITED(st) ? WEXITSTATUS(st) : -1);
	char text[65536];
	ssize_t n = pread(ofd, text, sizeof text - 1, 0);
	text[n > 0 ? n : 0] = '\0';
	close(ofd);
	unlink(outp);
	cr_expect(strstr(text, "\nstopped after "), "how far it got:\n%s", text);
	cr_expect(strstr(text, " of 18 runs"), "of how many:\n%s", text);
	cr_expect_null(strstr(text, "nan"), "no undefined numbers:\n%s", text);
	cr_expect_null(strstr(text, " not_run\n"), "configs that never ran are counted, not listed:\n%s", text);
	cr_expect_leq(widest_line(text), 80, "%s", text);
	free(json), free(dir);
}

static void torture(struct lb_sample *s, const uint64_t *counts, size_t n)
{
	static struct lb_thread_figs th[8];
	memset(s, 0, sizeof *s);
	memset(th, 0, sizeof th);
	s->status = LB_RS_OK;
	s->has_figures = true;
	for (size_t i = 0; i < n; i++)
		th[i].acquisitions = counts[i], s->acquisitions += counts[i];
	s->threads = th;
	s->nthreads = n;
}

static char *line_of(const struct lb_sample *s, bool *marked)
{
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	*marked = lb_table_torture_line(f, "ticket", s, NULL);
	fclose(f);
	return text;
}

Test(terminal, stress_marks_imbalance_as_locktorture_does)
{
	struct lb_sample s;
	bool marked;
	const uint64_t starved[] = { 5495, 39, 3000 }, even[] = { 1032, 998, 1010 }, edge[] = { 2000, 1000 };
	torture(&s, starved, 3);
	char *line = line_of(&s, &marked);
	cr_expect_str_eq(line, "ticket: Total: 8534  Max/Min: 5495/39 ???  Fail: 0\n");
	cr_expect(marked);
	free(line);
	torture(&s, even, 3);
	line = line_of(&s, &marked);
	cr_expect_str_eq(line, "ticket: Total: 3040  Max/Min: 1032/998  Fail: 0\n");
	cr_expect(!marked);
	free(line);
	/* max/2 > min in integers, as locktorture: 2000/2 = 1000 is not more than 1000. */
	torture(&s, edge, 2);
	line = line_of(&s, &marked);
	cr_expect(!marked, "%s", line);
	free(line);
}

Test(terminal, stress_closes_with_pass, .timeout = 120)
{
	struct cli_result r;
	const char *args[] = { "stress", "-l", "pthread,ticket", "-t", "2", "-d", "50ms", "-o", "/dev/null", NULL };
	cli_run(&r, args);
	cr_expect_eq(r.status, 0, "%s%s", r.out, r.err);
	cr_expect(strstr(r.out, "\nstress: PASS: 2 locks, Fail: 0"), "%s", r.out);
	const char *none[] = { "stress", "-l", "none", "-t", "2", "-d", "50ms", "-o", "/dev/null", NULL };
	cli_run(&r, none);
	cr_expect_eq(r.status, 1, "%s%s", r.out, r.err);
	cr_expect_null(strstr(r.out, "PASS"), "%s", r.out);
	cr_expect(strstr(r.err, "lockbench: stress: FAILED: none"), "%s", r.err);
}

Test(terminal, selftest_fits_80_columns, .timeout = 120)
{
	struct cli_result r;
	const char *args[] = { "selftest", "overhead", "-l", "ticket", "-t", "1", "-d", "5ms", "-r", "1", NULL };
	cli_run(&r, args);
	/* 1: a target missed, which 5 ms rounds on a shared machine may well do. */
	cr_expect(r.status == 0 || r.status == 1, "%d: %s", r.status, r.err);
	cr_expect_leq(widest_line(r.out), 80, "%s", r.out);
}

/*
 * The longest status note ("ok, unsteady, sched", 3 violations) beside the
 * widest label and confidence interval still fits 80 columns, in the rows and
 * in the summary (whose note once ran 6 columns over: only a loaded machine
 * labels a run both ways, so the run above seldom showed it).
 */
Test(terminal, the_longest_status_note_fits_80_columns)
{
	struct lb_result *r = lb_result_new();
	cr_assert_not_null(r);
	struct lb_config *c = lb_result_add_config(r);
	cr_assert_not_null(c);
	c->label = strdup("ttas:backoff_min=2,backoff_max=64");
	c->lock_name = strdup("ttas");
	c->threads = 16384;
	c->status = LB_RS_OK;
	c->summary.present = true;
	c->summary.unsteady = c->summary.scheduler_bound = true;
	struct lb_stat *tp = &c->summary.stat[LB_M_THROUGHPUT];
	tp->n = 2;
	tp->median = 4.21e6;
	tp->ci95_low = 999.6;
	tp->ci95_high = 8.42e9;
	struct lb_sample *s = lb_config_add_sample(c);
	cr_assert_not_null(s);
	s->status = LB_RS_OK;
	s->has_figures = true;
	s->throughput_per_s = 4.21e6;
	s->violations = 3;
	s->has_regime = true;
	s->regime.has_steady = s->regime.has_scheduler_bound = s->regime.scheduler_bound = true;
	s->regime.steady = false;
	char *text = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&text, &len);
	cr_assert_not_null(f);
	struct lb_table_layout l;
	const char *labels[] = { c->label };
	lb_table_layout(&l, false, labels, 1);
	lb_table_header(f, &l);
	lb_table_row(f, &l, c, s);
	lb_table_summary(f, &l, r);
	fclose(f);
	cr_expect_leq(widest_line(text), 80, "wider than 80 columns:\n%s", text);
	cr_expect(strstr(text, " ok, 3 vi") != NULL, "the row's note:\n%s", text);
	cr_expect(strstr(text, " ok, unst") != NULL, "the summary's note:\n%s", text);
	free(text);
	lb_result_free(r);
}
