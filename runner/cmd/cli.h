/*
 * cmd/cli.h — the lockbench subcommands and what they share.
 *
 * Exit codes, for every subcommand:
 *   0  success
 *   1  a check failed (mutual-exclusion violation on a real lock, a hung
 *      configuration, starvation with --fail-on-starvation, a regression)
 *   2  usage or input error (bad option, value, file or JSON)
 *   130 interrupted (SIGINT/SIGTERM); what had finished is still written
 */
#ifndef LB_CLI_H
#define LB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/run.h"

enum { LB_EXIT_OK = 0, LB_EXIT_CHECK = 1, LB_EXIT_USAGE = 2, LB_EXIT_INTERRUPTED = 130 };

/* Print "lockbench: <message>" as one line on stderr. */
void lb_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/*
 * After getopt_long (with a leading ':' in optstring) returned ':' or '?':
 * say which option lacked a value or was unknown. Returns LB_EXIT_USAGE.
 */
int lb_option_error(const char *cmd, int c, char **argv);
/*
 * A time option (--duration, --warmup, ...): units required, at least
 * min_ns, at most a day. Returns 0 with *out set, or says what is wrong in
 * one line ("lockbench: NAME: ...") and returns -1.
 */
int lb_time_option(const char *name, const char *text, int64_t min_ns, int64_t *out);

/* Capability bits as "fifo,spins,try". */
void lb_caps_text(uint32_t caps, char *buf, size_t len);

/* Refuse operands a command does not take. Returns 0, or LB_EXIT_USAGE after saying so. */
int lb_no_operands(const char *cmd, int argc, char **argv);

int lb_cmd_run(int argc, char **argv);
int lb_cmd_list(int argc, char **argv);
int lb_cmd_topo(int argc, char **argv);
int lb_cmd_selftest(int argc, char **argv);
int lb_cmd_plot(int argc, char **argv);
int lb_cmd_stress(int argc, char **argv);
int lb_cmd_compare(int argc, char **argv);

/*
 * What `run` and `stress` execute: workloads x locks x thread counts, every
 * option already parsed and validated. lb_execute_plan loads the topology,
 * plans the pins, runs every config `repeat` times interleaved, writes the
 * JSON document to `output` and returns the exit code (LB_EXIT_*).
 */
struct lb_plan {
	int argc;                           /* the command line, for the context */
	char **argv;
	const struct lb_lock_choice *locks;
	size_t nlocks;
	const struct lb_wl_choice *wls;
	size_t nwls;
	const unsigned *tcounts;            /* thread counts; none given: see oversubscribe */
	size_t ntcounts;
	bool oversubscribe;                 /* no thread counts: 2 x PUs + 1, else powers of two up to 2 x PUs */
	struct lb_run_opts opts;
	int64_t repeat;
	const char *pin_text;               /* as --pin takes it */
	const char *output;                 /* NULL: results/<stamp>-<host>.json; "-": stdout */
	bool quiet;
	bool fail_on_starvation;
	int64_t busy_rate;                  /* busy-loop iterations per us; 0: calibrate */
	/*
	 * Called after every run, in place of run's table row, also for a run
	 * that could not start (status error); `table` is where rows go.
	 */
	void (*report)(void *arg, FILE *table, const char *label, unsigned threads, unsigned rep,
		       const struct lb_outcome *o);
	void *report_arg;
};
int lb_execute_plan(const struct lb_plan *p);

/*
 * Parse a --locks list: "a,b:k=v,k2=v2,c". A comma-separated item that is
 * key=value continues the previous lock's parameters. Appends to *out.
 */
int lb_parse_lock_list(const char *text, struct lb_lock_choice **out, size_t *n, char *err, size_t errlen);
/* Parse one --workload "name[:k=v,...]". */
int lb_parse_workload(const char *text, struct lb_wl_choice *out, char *err, size_t errlen);
/* Short label: name plus any parameter that differs from its default. */
void lb_lock_label(const struct lb_lock_choice *c, char *buf, size_t len);
/* Human duration of ns: "850ns", "12.3us", "4.56ms", "1.20s". */
void lb_human_ns(double ns, char *buf, size_t len);

#endif
