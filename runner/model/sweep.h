/*
 * model/sweep.h — a sweep (lockbench sweep, docs/sweeps.md) as C structs:
 * its spec (locks x workloads x thread counts x repetitions, on machines)
 * and its manifest (the spec and every shard with its command, Slurm ids,
 * state and attempts).
 *
 * Their storage is JSON — the spec file a user writes and
 * DIR/manifest.json, schema "lockbench-sweep/1" — read and written in
 * model/json_manifest.c and nowhere else. Reading checks shapes (known keys,
 * types, sizes, ranges); what the values mean (a lock that exists, a
 * duration, a Slurm time) is sweep/spec.c's to check.
 *
 * Ownership: a spec and a manifest own every string below them; free them
 * with lb_sweep_spec_free / lb_sweep_manifest_free (model/sweep.c).
 */
#ifndef LB_MODEL_SWEEP_H
#define LB_MODEL_SWEEP_H

#include <stdbool.h>
#include <stddef.h>

#define LB_SWEEP_SCHEMA "lockbench-sweep/1"
#define LB_SWEEP_MAX_REPS 1000
#define LB_SWEEP_MAX_ITEMS 64
#define LB_SWEEP_MAX_WORKLOADS 16
#define LB_SWEEP_MAX_MACHINES 64
#define LB_SWEEP_MAX_SBATCH_ARGS 16

/* Where a machine's shards run; each field NULL when not given. */
struct lb_sweep_machine {
	char *name;       /* [A-Za-z0-9_.-]+, unique: names files and tags configs */
	char *partition;  /* sbatch --partition */
	char *node;       /* sbatch --nodelist: one node */
	char *constraint; /* sbatch --constraint */
	char *extra[LB_SWEEP_MAX_SBATCH_ARGS]; /* more sbatch options, passed as given */
	size_t nextra;
	bool has_extra;   /* "sbatch_args" was given (maybe empty) */
};

struct lb_sweep_spec {
	char *description;                             /* NULL: none */
	char *locks[LB_SWEEP_MAX_ITEMS];               /* as `run --locks` takes one lock */
	size_t nlocks;
	char *workloads[LB_SWEEP_MAX_WORKLOADS];       /* as `run --workload` takes one */
	size_t nworkloads;
	bool workloads_given;                          /* false: ["cs"], the default */
	unsigned threads[LB_SWEEP_MAX_ITEMS];
	size_t nthreads;
	unsigned repetitions;
	char *duration, *warmup, *pin, *timing;        /* NULL: run's default */
	char *time_limit;                              /* sbatch --time per task, NULL: the partition's */
	struct lb_sweep_machine machines[LB_SWEEP_MAX_MACHINES];
	size_t nmachines;
	bool machines_given;                           /* false: one, "default", the default partition */
};

/* One shard: repetition `shard` of every config on `machine`. */
struct lb_sweep_shard {
	char *machine;
	unsigned shard, repetition;
	char *result, *exit_file, *log; /* relative to the sweep directory */
	char **argv;                    /* its lockbench command; NULL until it is first run */
	size_t argc;
	char *job_id, *slurm_id;        /* NULL: not submitted */
	char *state;                    /* NEW, PENDING, RUNNING, ..., COMPLETED, FAILED, VANISHED, ... */
	char *exit_code, *reason;       /* NULL: none known */
	unsigned attempts;
	bool has_rerun, rerun;          /* --resume's mark (absent until it is decided) */
	bool cancel_requested;          /* sweep --cancel asked Slurm to cancel it */
	bool submitting;                /* prepared, its job array not yet accepted */
};

/* One job array that was submitted: for which machine, which tasks, and the sbatch command. */
struct lb_sweep_submission {
	char *machine, *job_id, *tasks;
	char **sbatch;
	size_t nsbatch;
};

struct lb_sweep_manifest {
	char *created_utc, *dir, *spec_file;
	struct lb_sweep_spec spec;
	char *backend;   /* "local" or "slurm" */
	char *lockbench; /* the binary the shards run */
	struct lb_sweep_submission *submissions;
	size_t nsubmissions;
	struct lb_sweep_shard *shards;
	size_t nshards;
};

/* ---- lifecycle (model/sweep.c) ---- */

void lb_sweep_spec_free(struct lb_sweep_spec *spec);
void lb_sweep_manifest_free(struct lb_sweep_manifest *m);
/* A copy of argv[0..n) (NULL-terminated); lb_strv_free frees it. */
char **lb_strv_copy(char *const *argv, size_t n);
void lb_strv_free(char **v, size_t n);
/* Replace *slot's string with a copy of s (NULL allowed). */
void lb_str_set(char **slot, const char *s);

/* ---- storage (model/json_manifest.c) ---- */

/*
 * Read a spec file: its shapes checked, keys it does not know refused.
 * 0, or -1 with one line "PATH: KEY: what" in err.
 */
int lb_sweep_spec_read(const char *path, struct lb_sweep_spec *spec, char *err, size_t errlen);
/* Read DIR/manifest.json (path); err names the file. Shards must name a machine, shard and state. */
int lb_sweep_manifest_read(const char *path, struct lb_sweep_manifest *m, char *err, size_t errlen);
/* Write the manifest to path through the atomic writer. 0, or -1 with a reason. */
int lb_sweep_manifest_write(const struct lb_sweep_manifest *m, const char *path, char *err, size_t errlen);

#endif
