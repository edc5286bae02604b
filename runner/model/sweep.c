/*
 * model/sweep.c — the lifecycle of a sweep's spec and manifest (see
 * model/sweep.h).
 */
#include "model/sweep.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

char **lb_strv_copy(char *const *argv, size_t n)
{
	char **v = calloc(n + 1, sizeof *v);
	if (v == NULL) {
		fputs("lockbench: out of memory\n", stderr);
		exit(2);
	}
	for (size_t i = 0; i < n; i++)
		v[i] = lb_strdup(argv[i]);
	return v;
}

void lb_strv_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

void lb_str_set(char **slot, const char *s)
{
	char *copy = lb_strdup(s);
	free(*slot);
	*slot = copy;
}

void lb_sweep_spec_free(struct lb_sweep_spec *spec)
{
	free(spec->description);
	for (size_t i = 0; i < spec->nlocks; i++)
		free(spec->locks[i]);
	for (size_t i = 0; i < spec->nworkloads; i++)
		free(spec->workloads[i]);
	char *opts[] = { spec->duration, spec->warmup, spec->pin, spec->timing, spec->time_limit };
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		free(opts[i]);
	for (size_t i = 0; i < spec->nmachines; i++) {
		struct lb_sweep_machine *m = &spec->machines[i];
		free(m->name);
		free(m->partition);
		free(m->node);
		free(m->constraint);
		for (size_t k = 0; k < m->nextra; k++)
			free(m->extra[k]);
	}
	memset(spec, 0, sizeof *spec);
}

void lb_sweep_manifest_free(struct lb_sweep_manifest *m)
{
	free(m->created_utc);
	free(m->dir);
	free(m->spec_file);
	lb_sweep_spec_free(&m->spec);
	free(m->backend);
	free(m->lockbench);
	for (size_t i = 0; i < m->nsubmissions; i++) {
		struct lb_sweep_submission *s = &m->submissions[i];
		free(s->machine);
		free(s->job_id);
		free(s->tasks);
		lb_strv_free(s->sbatch, s->nsbatch);
	}
	free(m->submissions);
	for (size_t i = 0; i < m->nshards; i++) {
		struct lb_sweep_shard *s = &m->shards[i];
		char *strings[] = { s->machine, s->result, s->exit_file, s->log, s->job_id,
				    s->slurm_id, s->state, s->exit_code, s->reason };
		for (size_t k = 0; k < sizeof strings / sizeof strings[0]; k++)
			free(strings[k]);
		lb_strv_free(s->argv, s->argc);
	}
	free(m->shards);
	memset(m, 0, sizeof *m);
}
