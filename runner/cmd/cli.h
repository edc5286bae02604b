/*
 * cmd/cli.h — the lockbench subcommands and what they share.
 *
 * Exit codes, for every subcommand:
 *   0  success
 *   1  a check failed (mutual-exclusion violation on a real lock, a hung
 *      configuration, starvation with --fail-on-starvation, a regression)
 *   2  usage or input error (bad option, value, file or JSON)
 *   3  the result could not be written to its file (full disk, file
 *      system gone read-only) and was kept in a recovery file the error
 *      names (run, stress); wins over 1 and 130
 *   4  as 3, but no place would take the results
 *   130 interrupted (SIGINT/SIGTERM); what had finished is still written
 */
#ifndef LB_CLI_H
#define LB_CLI_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/run.h"
#include "engine/spec.h"
#include "render/format.h" /* lb_human_ns, for the commands that print times */

enum { LB_EXIT_OK = 0, LB_EXIT_CHECK = 1, LB_EXIT_USAGE = 2, LB_EXIT_KEPT = 3, LB_EXIT_LOST = 4, LB_EXIT_INTERRUPTED = 130 };

/* Print "lockbench: <message>" as one line on stderr (control characters in it shown as '?'). */
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
int lb_cmd_sweep(int argc, char **argv);
int lb_cmd_merge(int argc, char **argv);
int lb_cmd_report(int argc, char **argv);
int lb_cmd_export(int argc, char **argv);
int lb_cmd_ab(int argc, char **argv);
int lb_cmd_history(int argc, char **argv);

#endif
