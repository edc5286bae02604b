/*
 * model/merge.h — join shard results (`lockbench run` documents of one
 * build, maybe from several machines) into one result.
 *
 * Configs are paired by id within a machine; their samples are concatenated
 * in shard order and renumbered, each keeping its "shard"; summaries are
 * recomputed with lb_config_summarize, as `run` computes them. Every machine
 * keeps its own context (context.machines[]) and every config names its
 * "machine". What a shard should have measured and did not is listed in the
 * result's "missing": per machine, shard and config id, with the shard's
 * state.
 */
#ifndef LB_MERGE_H
#define LB_MERGE_H

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>

struct lb_merge_input {
	const char *path;     /* the shard's result file */
	bool absent;          /* the shard left no result (path says where it would be) */
	const char *machine;  /* NULL: the result's context.host */
	int shard;            /* its index: the order of samples within a machine */
	const char *state;    /* the shard's final state (COMPLETED, CANCELLED, ...), or NULL */
};

/*
 * The merged document, or NULL with one line in err (an unreadable input,
 * inputs of different builds, duplicate config ids, no input with a
 * result). argc/argv: the merging command, recorded as merged_by.
 */
json_t *lb_merge_results(const struct lb_merge_input *in, size_t n, int argc, char **argv, char *err,
			 size_t errlen);

#endif
