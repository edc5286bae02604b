/*
 * sweep/slurm.h — what the sweep asks of Slurm, through its ordinary client
 * commands (sbatch, scontrol, sinfo, scancel; SLURM_CONF chooses the
 * cluster, as for any Slurm user). Nothing here needs slurmdbd: a task's
 * state is read from `scontrol show job` while the controller remembers the
 * job (MinJobAge, 300 s by default), and after that from the exit-code file
 * the task's batch script writes beside its result.
 */
#ifndef LB_SWEEP_SLURM_H
#define LB_SWEEP_SLURM_H

#include <stdbool.h>
#include <stddef.h>

#include "sweep/spec.h"

/*
 * Run argv (argv[0] looked up in PATH) to completion; its stdout into out,
 * its stderr's first line into errline (both NUL-terminated, cut to size).
 * Returns the exit status, 128+N if killed by signal N, or -1 if it could not
 * be started (errline says why).
 */
int lb_exec_capture(char *const argv[], char *out, size_t outlen, char *errline, size_t errlen);

/* 0 if the controller answers `scontrol ping`; else -1 with one line in err. */
int lb_slurm_ping(char *err, size_t errlen);

/* 0 if the machine's partition, node and simple constraint exist (sinfo); else -1 and why. */
int lb_slurm_check_machine(const struct lb_sweep_machine *m, char *err, size_t errlen);

/*
 * Submit script as a job array of `tasks` ("0-2" or "1,4") for machine m:
 * one whole node per task (--exclusive, --nodes=1), output to
 * log_pattern (%a: the task id). The sbatch command line is returned in
 * *sbatch_argv (*sbatch_argc strings; lb_strv_free frees it), also when
 * sbatch refused it. 0 with the job id, or -1 and sbatch's reason.
 */
int lb_slurm_submit(const struct lb_sweep_machine *m, const char *time_limit, const char *job_name,
		    const char *tasks, const char *log_pattern, const char *script, char ***sbatch_argv,
		    size_t *sbatch_argc, char *job_id, size_t idlen, char *err, size_t errlen);

/* What `scontrol show job` says of array tasks lo..hi of a job (one line of its output). */
struct lb_slurm_task {
	long lo, hi;
	char state[64];
	char exit_code[32]; /* "": not given */
	char reason[256];   /* "": none ("None") */
};

/* The tasks of one array job the controller still knows (none: it has forgotten the job). */
struct lb_slurm_job {
	char id[64];
	struct lb_slurm_task *tasks;
	size_t ntasks;
};

/* Ask scontrol about job_id into *job (free with lb_slurm_job_free). 0, or -1 with err. */
int lb_slurm_tasks(const char *job_id, struct lb_slurm_job *job, char *err, size_t errlen);
/* The record of array task `task`, or NULL. */
const struct lb_slurm_task *lb_slurm_task_find(const struct lb_slurm_job *job, unsigned task);
void lb_slurm_job_free(struct lb_slurm_job *job);

/* scancel each of ids ("12_0", ...). 0, or -1 with scancel's reason. */
int lb_slurm_cancel(char *const ids[], size_t n, char *err, size_t errlen);

/* Final states: the task will not change any more. */
bool lb_slurm_state_final(const char *state);

#endif
