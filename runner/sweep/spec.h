/*
 * sweep/spec.h — a sweep specification: locks x workloads x thread counts x
 * repetitions, on one or more machines (Slurm partitions, nodes or
 * constraints). A JSON file (docs/sweeps.md describes it); every value is
 * checked with the parsers `lockbench run` uses, so a spec that parses here
 * gives shards that start.
 *
 * A sweep becomes shards: shard k of a machine is repetition k of every
 * config, one `lockbench run -r 1` on a whole node, its locks, workloads and
 * thread counts rotated by k so that no config always runs first.
 */
#ifndef LB_SWEEP_SPEC_H
#define LB_SWEEP_SPEC_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

#define LB_SWEEP_MAX_REPS 1000
#define LB_SWEEP_MAX_ITEMS 64
#define LB_SWEEP_MAX_MACHINES 64

/* Where a machine's shards run; each field NULL when not given. */
struct lb_sweep_machine {
	const char *name;         /* [A-Za-z0-9_.-]+, unique: names files and tags configs */
	const char *partition;    /* sbatch --partition */
	const char *node;         /* sbatch --nodelist: one node */
	const char *constraint;   /* sbatch --constraint */
	const char *extra[16];    /* more sbatch options, passed as given */
	size_t nextra;
};

struct lb_sweep_spec {
	json_t *doc;                                  /* owns every string below */
	const char *locks[LB_SWEEP_MAX_ITEMS];        /* as `run --locks` takes one lock */
	size_t nlocks;
	const char *workloads[LB_SWEEP_MAX_ITEMS];    /* as `run --workload` takes one */
	size_t nworkloads;
	unsigned threads[LB_SWEEP_MAX_ITEMS];
	size_t nthreads;
	unsigned repetitions;
	const char *duration, *warmup, *pin, *timing; /* NULL: run's default */
	const char *time_limit;                       /* sbatch --time per task, NULL: the partition's */
	struct lb_sweep_machine machines[LB_SWEEP_MAX_MACHINES];
	size_t nmachines;                             /* none given: one, "default", the default partition */
};

/*
 * Parse and check a spec document (the file's JSON). Returns 0, or -1 with
 * one line in err naming the key ("threads[2]: ..."). The spec keeps a
 * reference to doc.
 */
int lb_sweep_spec_parse(json_t *doc, struct lb_sweep_spec *spec, char *err, size_t errlen);
/* Load and parse a spec file; err names the file. */
int lb_sweep_spec_load(const char *path, struct lb_sweep_spec *spec, char *err, size_t errlen);
void lb_sweep_spec_free(struct lb_sweep_spec *spec);

/*
 * The `lockbench` arguments of shard k (repetition k): run with the spec's
 * options, locks, workloads and thread counts rotated by k, result to
 * `result`. Returns a new array of strings (argv[0] is `exe`).
 */
json_t *lb_sweep_shard_argv(const struct lb_sweep_spec *spec, const char *exe, unsigned k, const char *result);

#endif
