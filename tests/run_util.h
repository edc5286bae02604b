/*
 * run_util.h — lb_run_config for the tests, run again when the window made
 * no acquisition at all.
 *
 * The suite runs several tests per CPU, and on a loaded machine a short
 * window can pass with every thread of a run kept off its CPU (seen here
 * for 50 and 150 ms windows: zero acquisitions, a figure of nothing). Such
 * a window tests nothing, so it is run again, up to three times in all. A
 * run that makes no acquisition every time (a lock slower than its window,
 * a run that hangs or deadlocks) comes back as it was: only an `ok` run with
 * no acquisition is repeated.
 */
#ifndef LB_TEST_RUN_UTIL_H
#define LB_TEST_RUN_UTIL_H

#include "engine/run.h"

int run_config_settled(const struct lb_run_opts *opts, const void *topo, const struct lb_lock_choice *lock,
		       const struct lb_wl_choice *wl, unsigned nthreads, const int *pus, struct lb_outcome *out);

#endif
