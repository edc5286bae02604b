/*
 * cmd/verdict_opts.h — what the commands that reach a verdict share
 * (`compare`, `ab`, `history`): the judging options (--metric, --threshold,
 * --alpha, --min-repeats, --allow-mismatch), which configs (--filter), the
 * outputs (--json, --markdown, -q, --wide) and writing them all or none.
 */
#ifndef LB_VERDICT_OPTS_H
#define LB_VERDICT_OPTS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdio.h>

#include "analysis/filter.h"
#include "model/verdict.h"

/* getopt_long codes of the shared options: above every character and the commands' own codes. */
enum {
	LB_VOPT_METRIC = 0x300,
	LB_VOPT_THRESHOLD,
	LB_VOPT_ALPHA,
	LB_VOPT_MIN_REPEATS,
	LB_VOPT_ALLOW_MISMATCH,
	LB_VOPT_JSON,
	LB_VOPT_MARKDOWN,
	LB_VOPT_WIDE,
	LB_VOPT_FILTER,
	LB_VOPT_LAST = LB_VOPT_FILTER /* codes LB_VOPT_METRIC..LB_VOPT_LAST go to lb_verdict_opts_parse */
};

/* The long options, to copy into a command's table (-q and -h are the command's). */
#define LB_VERDICT_LONGOPTS                                                                   \
	{ "metric", required_argument, NULL, LB_VOPT_METRIC },                               \
	{ "threshold", required_argument, NULL, LB_VOPT_THRESHOLD },                         \
	{ "alpha", required_argument, NULL, LB_VOPT_ALPHA },                                 \
	{ "min-repeats", required_argument, NULL, LB_VOPT_MIN_REPEATS },                     \
	{ "json", required_argument, NULL, LB_VOPT_JSON },                                   \
	{ "markdown", required_argument, NULL, LB_VOPT_MARKDOWN },                           \
	{ "wide", no_argument, NULL, LB_VOPT_WIDE }
/* Only for the commands that compare results measured apart (compare, history). */
#define LB_VERDICT_ALLOW_LONGOPT { "allow-mismatch", required_argument, NULL, LB_VOPT_ALLOW_MISMATCH }
/* Only for the commands that load results (compare, history): ab measures what its options say. */
#define LB_VERDICT_FILTER_LONGOPT { "filter", required_argument, NULL, LB_VOPT_FILTER }

struct lb_verdict_opts {
	const char *cmd; /* "compare": errors say "compare: ..." */
	struct lb_compare_settings s;
	const char *metric_list;
	bool min_repeats_given;
	const char *json_path, *md_path;
	bool quiet;
	bool wide;                /* whole config ids, one row each (default: 80 columns) */
	struct lb_filter filter;  /* --filter: the configs looked at (lb_verdict_opts_load) */
	/* The fewest repetitions (or pairs) with which p < alpha is possible; 0: none up to 1000. */
	size_t (*min_n)(double alpha);
	/* What goes before the verdict on stdout (wide: --wide) and in the Markdown (history's trend); may be NULL. */
	void (*table_before)(FILE *f, void *arg, bool wide);
	int (*markdown_before)(FILE *f, void *arg);
	void *before_arg;
};

/* Defaults for cmd (lb_compare_defaults), judged with min_n. */
void lb_verdict_opts_init(struct lb_verdict_opts *o, const char *cmd, size_t (*min_n)(double alpha));
/* What the options hold (the filter). */
void lb_verdict_opts_free(struct lb_verdict_opts *o);
/* Handle one shared option. 0, or LB_EXIT_USAGE after a one-line error. */
int lb_verdict_opts_parse(struct lb_verdict_opts *o, int c, const char *arg);
/* After the last option: the metric list and the repetitions it needs. 0, or LB_EXIT_USAGE. */
int lb_verdict_opts_finish(struct lb_verdict_opts *o);
/* Which of the optional shared options a command takes (its help lists them). */
enum { LB_VOPT_HAS_ALLOW = 1, LB_VOPT_HAS_FILTER = 2 };
/* The help text of the shared options ("  --metric LIST ..."); has: LB_VOPT_HAS_* or 0. */
void lb_verdict_opts_usage(FILE *f, unsigned has, const char *unit);

/*
 * A result from path with only the configs --filter keeps. 0, or
 * LB_EXIT_USAGE after a one-line error (unreadable, or nothing kept).
 */
int lb_verdict_opts_load(const struct lb_verdict_opts *o, const char *path, struct lb_result **r);

/* Before any work: can every output be written? 0, or LB_EXIT_USAGE after saying why. */
int lb_verdict_opts_check_outputs(const struct lb_verdict_opts *o);
/*
 * The table on stdout (unless -q or an output is "-"), then --json and
 * --markdown, all or none. 0, LB_EXIT_CHECK on a regression, or
 * LB_EXIT_USAGE when an output could not be written.
 */
int lb_verdict_opts_write(const struct lb_verdict_opts *o, const struct lb_verdict *v);

/* "lockbench: CMD: warning: MSG", one line (a lb_compare_warn_fn; arg is the options). */
void lb_verdict_opts_warn(void *arg, const char *msg);
/* "lockbench: CMD: MSG", one line. */
void lb_verdict_opts_error(const struct lb_verdict_opts *o, const char *msg);

#endif
