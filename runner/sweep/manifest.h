/*
 * sweep/manifest.h — a sweep directory and its manifest.
 *
 *   DIR/manifest.json    the spec, and every shard: its command, its Slurm
 *                        job and task ids, its last known state, attempts
 *   DIR/shards/M-K.json  shard K of machine M (a `lockbench run` result)
 *   DIR/shards/M-K.exit  its exit status, written by the task when it ends
 *   DIR/logs/M-K.out     its output
 *   DIR/slurm/M.sbatch   the batch script of machine M's job arrays
 *   DIR/result.json      the merged result (lockbench merge DIR)
 *
 * Only the `lockbench sweep` process writes the manifest (atomically);
 * tasks write only their own shard files. Paths in the manifest are relative
 * to DIR; DIR is absolute, for the tasks, which may run elsewhere on a
 * shared file system. The manifest is a struct lb_sweep_manifest
 * (model/sweep.h); its JSON is model/json_manifest.c's.
 */
#ifndef LB_SWEEP_MANIFEST_H
#define LB_SWEEP_MANIFEST_H

#include <stdbool.h>

#include "model/model.h"
#include "model/sweep.h"
#include "sweep/spec.h"

struct lb_sweep {
	char dir[4096];             /* absolute */
	struct lb_sweep_manifest m; /* m.spec: the spec, checked */
	bool local;                 /* backend "local": shards run here, one after another */
};

/*
 * A new sweep directory (it must not exist, or be empty) for the spec file,
 * its manifest written with every shard "NEW". local: one machine, "local",
 * instead of the spec's. exe: the lockbench binary the shards run.
 */
int lb_sweep_create(struct lb_sweep *sw, const char *dir, const char *spec_path, bool local, const char *exe,
		    char *err, size_t errlen);
/* An existing sweep directory. */
int lb_sweep_open(struct lb_sweep *sw, const char *dir, char *err, size_t errlen);
int lb_sweep_save(struct lb_sweep *sw, char *err, size_t errlen);
void lb_sweep_close(struct lb_sweep *sw);

/* The machine a shard names. */
const struct lb_sweep_machine *lb_sweep_machine(const struct lb_sweep *sw, const char *name);
/* DIR/rel into buf. */
const char *lb_sweep_path(const struct lb_sweep *sw, const char *rel, char *buf, size_t len);

/*
 * Merge every shard of the sweep (lockbench merge): absent results become
 * "missing", each with its shard's state. The merged result, or NULL with
 * err (also when no shard has a result yet).
 */
struct lb_result *lb_sweep_merge(const struct lb_sweep *sw, int argc, char **argv, char *err, size_t errlen);

/*
 * Which shards must run again: those that are final (or NEW) and whose
 * result is absent or has configs missing, per `merged` (NULL: no shard has
 * a result). Marks them rerun (and the others not); returns how many.
 */
size_t lb_sweep_mark_reruns(struct lb_sweep *sw, const struct lb_result *merged);

#endif
