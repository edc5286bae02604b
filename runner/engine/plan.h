/*
 * engine/plan.h — what `run` and `stress` execute: workloads x locks x
 * thread counts, every option already parsed and validated.
 *
 * lb_execute_plan loads the topology, plans the pins, fills a result model
 * (context, one config per cell, a sample per run), runs every config
 * `repeat` times interleaved (A B C A B C ...) so drift hits every config
 * alike, and writes the result through the atomic writer. What the user
 * sees while it runs is up to the command (the callbacks).
 */
#ifndef LB_PLAN_H
#define LB_PLAN_H

#include <stdbool.h>
#include <stdio.h>

#include "engine/run.h"
#include "model/model.h"

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
	int isolate;                        /* enum lb_isolate_mode (engine/isolate.h): each config in a child */
	/*
	 * Called after every run with its sample (kept: in c->samples), also for
	 * a run that could not start (kept false: a sample with status error and
	 * no figures that the result does not keep); `table` is where rows go
	 * (stderr when the result goes to stdout).
	 */
	void (*report)(void *arg, FILE *table, const struct lb_config *c, const struct lb_sample *s, bool kept);
	/* Called once after the last run, before the result is written; may be NULL. */
	void (*finished)(void *arg, FILE *table, const struct lb_result *r);
	void *report_arg;
};

/* Returns the exit code (LB_EXIT_*, cmd/cli.h); every error is one line on stderr. */
int lb_execute_plan(const struct lb_plan *p);

#endif
