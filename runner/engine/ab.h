/*
 * engine/ab.h — one process, two locks, alternating windows: what
 * `lockbench ab BASE NEW` measures.
 *
 * A gate that runs the base and the new build in separate processes sees
 * every difference between those processes — busy-loop calibration, where
 * the host put the vCPUs, what else ran then — as a difference of the code.
 * Here both locks (two plug-ins, two copies of one, or a built-in and a
 * plug-in) live in one process with one topology, one timer, one busy-loop
 * rate and one pin plan, and take turns in short windows, ABBA (base new,
 * new base, base new, ...): a slow spell of the host hits the two windows of
 * a pair alike, and which lock goes first alternates. The windows of a pair
 * are compared with each other (analysis/paired.c), not with the whole run.
 */
#ifndef LB_AB_H
#define LB_AB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "engine/run.h"
#include "model/model.h"

struct lb_ab_plan {
	int argc;                             /* the command line, for the context */
	char **argv;
	const struct lb_lock_choice *lock[2]; /* [0] base, [1] new */
	const struct lb_wl_choice *wls;
	size_t nwls;
	const unsigned *tcounts;              /* none: 1 and 2 threads */
	size_t ntcounts;
	struct lb_run_opts opts;              /* duration_ns and warmup_ns: one window's */
	size_t pairs;                         /* window pairs per config */
	const char *pin_text;
	int64_t busy_rate;                    /* busy-loop iterations per us; 0: calibrate once */
	/* Called after every pair of every config (done of total windows pairs), may be NULL. */
	void (*progress)(void *arg, size_t done, size_t total);
	void *progress_arg;
};

/*
 * Run the plan: for every pair i (outer) and every config (workload x
 * threads, inner), one window of each lock, base first for even i and new
 * first for odd i. Fills two results, base's and new's, with the same
 * configs in the same order (each with its own lock's id) and sample i of a
 * config from pair i. A window that hangs, fails to start or is interrupted
 * ends the plan; what ran is kept (the other configs are "not_run").
 * Returns LB_EXIT_OK, LB_EXIT_INTERRUPTED, or LB_EXIT_USAGE after a
 * one-line error (nothing then in *out).
 */
int lb_ab_execute(const struct lb_ab_plan *p, struct lb_result *out[2]);

#endif
