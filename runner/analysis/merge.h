/*
 * analysis/merge.h — join shard results (`lockbench run` documents of one
 * build, maybe from several machines) into one result.
 *
 * Configs are paired by id within a machine; their samples are joined in
 * shard order and renumbered, each keeping its shard; summaries are
 * recomputed with lb_config_summarize, as `run` computes them. Every machine
 * keeps its own context (context.machines) and every config names its
 * machine. What a shard should have measured and did not is listed in the
 * result's "missing": per machine, shard and config id, with the shard's
 * state.
 */
#ifndef LB_MERGE_H
#define LB_MERGE_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"

struct lb_merge_input {
	const char *path;    /* the shard's result file (or where it would be) */
	bool absent;         /* the shard left no result */
	const char *machine; /* NULL: the result's context.host */
	unsigned shard;      /* its index: the order of samples within a machine */
	const char *state;   /* the shard's final state (COMPLETED, CANCELLED, ...), or NULL */
};

/*
 * Merge loaded results: results[i] is in[i]'s (NULL when absent); their
 * samples are moved into the merged result (the rest stays theirs). argc/argv:
 * the merging command, recorded as merged_by. 0 with *out set, or -1 with
 * one line in err: inputs of different builds, an id twice in one input,
 * no machine name, no input with a result.
 */
int lb_merge(const struct lb_merge_input *in, struct lb_result *const *results, size_t n, int argc, char **argv,
	     struct lb_result **out, char *err, size_t errlen);

/* Load every input that is not absent (model/json.h) and merge them; errors as lb_merge's, or the loader's. */
int lb_merge_files(const struct lb_merge_input *in, size_t n, int argc, char **argv, struct lb_result **out,
		   char *err, size_t errlen);

#endif
