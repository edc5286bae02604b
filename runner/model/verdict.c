/*
 * model/verdict.c — the verdict's lifecycle and the names of its judgements.
 */
#include "model/verdict.h"

#include <stdlib.h>
#include <string.h>

static const char *const judgement_names[LB_J_COUNT] = {
	[LB_J_REGRESSION] = "regression",
	[LB_J_IMPROVEMENT] = "improvement",
	[LB_J_OK] = "ok",
	[LB_J_INCONCLUSIVE] = "inconclusive",
	[LB_J_NA] = "n/a",
};

const char *lb_judgement_name(enum lb_judgement j)
{
	return (unsigned)j < LB_J_COUNT ? judgement_names[j] : "?";
}

int lb_judgement_parse(const char *name)
{
	for (int j = 0; j < LB_J_COUNT; j++)
		if (strcmp(name, judgement_names[j]) == 0)
			return j;
	return -1;
}

struct lb_verdict *lb_verdict_new(void)
{
	struct lb_verdict *v = calloc(1, sizeof(*v));

	if (v)
		v->overall = LB_J_OK;
	return v;
}

static void free_side(struct lb_verdict_side *s)
{
	free(s->file);
	free(s->host);
	free(s->cpu_model);
	free(s->git_commit);
}

static void free_strings(char **s, size_t n)
{
	for (size_t i = 0; s && i < n; i++)
		free(s[i]);
	free(s);
}

void lb_verdict_free(struct lb_verdict *v)
{
	if (!v)
		return;
	free_side(&v->base);
	free_side(&v->new);
	for (size_t i = 0; i < v->nrows; i++) {
		free(v->rows[i].config);
		free(v->rows[i].reason);
		free(v->rows[i].machine);
	}
	free(v->rows);
	free_strings(v->only_in_base, v->nonly_in_base);
	free_strings(v->only_in_new, v->nonly_in_new);
	free_strings(v->only_in_base_machine, v->nonly_in_base);
	free_strings(v->only_in_new_machine, v->nonly_in_new);
	free_strings(v->machines_only_in_base, v->nmachines_only_in_base);
	free_strings(v->machines_only_in_new, v->nmachines_only_in_new);
	free_strings(v->warnings, v->nwarnings);
	free(v);
}

int lb_verdict_add_warning(struct lb_verdict *v, const char *msg)
{
	char **grown = realloc(v->warnings, (v->nwarnings + 1) * sizeof(*grown));

	if (!grown)
		return -1;
	v->warnings = grown;
	if (!(grown[v->nwarnings] = strdup(msg)))
		return -1;
	v->nwarnings++;
	return 0;
}

int lb_verdict_side_fill(struct lb_verdict_side *side, const char *name, const struct lb_context *c)
{
	side->file = strdup(name);
	side->host = c->host ? strdup(c->host) : NULL;
	side->cpu_model = c->cpu_model ? strdup(c->cpu_model) : NULL;
	side->git_commit = c->git_commit ? strdup(c->git_commit) : NULL;
	return !side->file || (c->host && !side->host) || (c->cpu_model && !side->cpu_model) ||
			       (c->git_commit && !side->git_commit)
		       ? -1
		       : 0;
}
