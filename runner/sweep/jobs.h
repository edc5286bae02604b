/*
 * sweep/jobs.h — running a sweep's shards: as Slurm job arrays (one per
 * machine and submission) or here, one after another (--local), and
 * following their states.
 *
 * A task's state: while Slurm remembers the job, `scontrol show job` says it
 * (PENDING, RUNNING, COMPLETED, FAILED, CANCELLED, TIMEOUT, PREEMPTED,
 * NODE_FAIL, OUT_OF_MEMORY, ...). Once it has forgotten (MinJobAge after the
 * end; there is no accounting database to ask), the last state seen stays
 * in the manifest; a task never seen to end is judged by the exit status
 * its batch script wrote (0 COMPLETED, 130 INTERRUPTED, else FAILED) or, if
 * there is none, VANISHED — or CANCELLED if we cancelled it (a pending
 * array task that is cancelled leaves no record at all).
 */
#ifndef LB_SWEEP_JOBS_H
#define LB_SWEEP_JOBS_H

#include <stdio.h>

#include "sweep/manifest.h"

/*
 * Submit the shards that are NEW or marked "rerun": per machine one job
 * array, one task per shard. Old results of those shards are removed first.
 * Prints "machine M: job J, tasks L" lines to out. 0, or -1 with err
 * (nothing of that machine submitted).
 */
int lb_sweep_submit(struct lb_sweep *sw, FILE *out, char *err, size_t errlen);

/*
 * Ask Slurm for the state of every shard that is not final; print each
 * change to out (may be NULL). Returns how many shards are still live, or
 * -1 with err.
 */
int lb_sweep_refresh(struct lb_sweep *sw, FILE *out, char *err, size_t errlen);

/* scancel every live shard. 0, or -1 with err. */
int lb_sweep_cancel(struct lb_sweep *sw, char *err, size_t errlen);

/*
 * Run the NEW and "rerun" shards here, one after another, each as its own
 * `lockbench run` process, saving the manifest after each. Returns 0, 130
 * if interrupted (SIGINT/SIGTERM), or -1 with err.
 */
int lb_sweep_run_local(struct lb_sweep *sw, FILE *out, char *err, size_t errlen);

#endif
