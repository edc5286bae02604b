/*
 * model/json_load_merged.c — what `lockbench merge` adds to a lockbench/1
 * document: context.merged_from, merged_by and machines (each with its own
 * full context), and the top-level "missing" list. A config's "machine" and
 * a sample's "shard" are read with the rest of them (json_load.c,
 * json_load_sample.c). The loader's rules are json_load.c's.
 */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json_get.h"

/* An array of strings (absent: *out stays NULL; present, even empty: an allocated array). */
static int load_strings(struct lbj *ld, json_t *o, const char *w, const char *key, char ***out, size_t *n)
{
	json_t *a;
	if (lbj_array(ld, o, w, key, &a) != 0)
		return -1;
	if (a == NULL)
		return 0;
	*out = lbj_alloc(json_array_size(a), sizeof **out);
	for (*n = 0; *n < json_array_size(a); (*n)++) {
		json_t *v = json_array_get(a, *n);
		if (!json_is_string(v))
			return lbj_bad(ld, w, key, "[%zu]: not a string", *n);
		(*out)[*n] = lb_strdup(json_string_value(v));
	}
	return 0;
}

/* A required string (present and a string), for the entries of merge lists. */
static int need_string(struct lbj *ld, json_t *o, const char *w, const char *key, char **out)
{
	if (lbj_get(o, key) == NULL || json_is_null(lbj_get(o, key)))
		return lbj_bad(ld, w, key, "missing");
	return lbj_string(ld, o, w, key, out);
}

static int need_shard(struct lbj *ld, json_t *o, const char *w, unsigned *out)
{
	if (lbj_get(o, "shard") == NULL)
		return lbj_bad(ld, w, "shard", "missing");
	return lbj_unsigned(ld, o, w, "shard", INT32_MAX, out);
}

static int load_machine(struct lbj *ld, json_t *o, const char *w, struct lb_machine *m)
{
	json_t *shards, *ctx;
	if (!json_is_object(o))
		return lbj_bad(ld, w, NULL, "not an object");
	if (need_string(ld, o, w, "name", &m->name) || load_strings(ld, o, w, "hosts", &m->hosts, &m->nhosts) ||
	    lbj_array(ld, o, w, "shards", &shards) || lbj_object(ld, o, w, "context", &ctx))
		return -1;
	m->shards = lbj_alloc(json_array_size(shards), sizeof *m->shards);
	for (m->nshards = 0; m->nshards < json_array_size(shards); m->nshards++) {
		char sw[400];
		struct lb_shard_info *sh = &m->shards[m->nshards];
		json_t *e = json_array_get(shards, m->nshards);
		lbj_path(sw, sizeof sw, w, "shards", (long)m->nshards);
		if (!json_is_object(e))
			return lbj_bad(ld, sw, NULL, "not an object");
		if (need_shard(ld, e, sw, &sh->shard) || lbj_string(ld, e, sw, "result", &sh->result) ||
		    lbj_string(ld, e, sw, "state", &sh->state) || lbj_string(ld, e, sw, "host", &sh->host))
			return -1;
	}
	if (ctx == NULL)
		return 0;
	char cw[400];
	lbj_path(cw, sizeof cw, w, "context", -1);
	m->context = lbj_alloc(1, sizeof *m->context);
	lb_context_init(m->context);
	return lbj_load_context(ld, ctx, cw, m->context);
}

int lbj_load_merged_context(struct lbj *ld, json_t *c, const char *w, struct lb_context *x)
{
	json_t *ms;
	if (load_strings(ld, c, w, "merged_from", &x->merged_from, &x->nmerged_from) ||
	    lbj_string(ld, c, w, "merged_by", &x->merged_by) || lbj_array(ld, c, w, "machines", &ms))
		return -1;
	if (ms == NULL)
		return 0;
	x->machines = lbj_alloc(json_array_size(ms), sizeof *x->machines);
	/* Counted as they are filled, so that a failure frees what was loaded. */
	for (x->nmachines = 0; x->nmachines < json_array_size(ms);) {
		char mw[300];
		size_t i = x->nmachines++;
		lbj_path(mw, sizeof mw, w, "machines", (long)i);
		if (load_machine(ld, json_array_get(ms, i), mw, &x->machines[i]) != 0)
			return -1;
		for (size_t k = 0; k < i; k++)
			if (strcmp(x->machines[k].name, x->machines[i].name) == 0)
				return lbj_bad(ld, mw, "name", "\"%.64s\" is already machines[%zu]", x->machines[i].name, k);
	}
	return 0;
}

int lbj_load_missing(struct lbj *ld, json_t *doc, struct lb_result *r)
{
	json_t *a;
	if (lbj_array(ld, doc, "", "missing", &a) != 0)
		return -1;
	if ((r->has_missing = a != NULL) == false)
		return 0;
	r->missing = lbj_alloc(json_array_size(a), sizeof *r->missing);
	for (r->nmissing = 0; r->nmissing < json_array_size(a);) {
		char w[64];
		size_t i = r->nmissing++;
		struct lb_missing *m = &r->missing[i];
		json_t *e = json_array_get(a, i);
		lbj_path(w, sizeof w, "", "missing", (long)i);
		if (!json_is_object(e))
			return lbj_bad(ld, w, NULL, "not an object");
		if (need_string(ld, e, w, "machine", &m->machine) || need_shard(ld, e, w, &m->shard) ||
		    lbj_string(ld, e, w, "config", &m->config) || lbj_string(ld, e, w, "state", &m->state) ||
		    need_string(ld, e, w, "reason", &m->reason))
			return -1;
	}
	return 0;
}
