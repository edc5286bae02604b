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

#include <stdbool.h>
#include <stddef.h>

#include "model/sweep.h"

/*
 * What a spec's values mean, checked with the parsers `run` uses: thread
 * counts distinct, durations, timing, pin policy, a Slurm time, the locks
 * and workloads (and every workload's capabilities in every lock), machine
 * names, one node per machine, sbatch options the sweep does not set
 * itself. 0, or -1 with one line in err naming the key ("threads[2]: ...").
 */
int lb_sweep_spec_check(const struct lb_sweep_spec *spec, char *err, size_t errlen);
/* Read a spec file (model/json_manifest.c) and check it; err names the file. */
int lb_sweep_spec_load(const char *path, struct lb_sweep_spec *spec, char *err, size_t errlen);

/*
 * The `lockbench` arguments of shard k (repetition k): run with the spec's
 * options, locks, workloads and thread counts rotated by k, result to
 * `result`. A NULL-terminated array of *argc strings (argv[0] is `exe`);
 * lb_strv_free frees it.
 */
char **lb_sweep_shard_argv(const struct lb_sweep_spec *spec, const char *exe, unsigned k, const char *result,
			   size_t *argc);

#endif
