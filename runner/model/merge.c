/*
 * model/merge.c — joining shard results into one (see merge.h). Every read
 * of a shard's JSON is in this file, so that it moves as one piece onto the
 * typed result model when that has its loader.
 */
#define _GNU_SOURCE
#include "model/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/result.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

struct shard {
	const struct lb_merge_input *in;
	json_t *doc;        /* NULL if absent */
	json_t *by_id;      /* config id -> config, borrowed from doc */
	const char *machine;
	size_t mi;          /* index in the machine list */
};

static const char *str(json_t *obj, const char *key)
{
	return json_string_value(json_object_get(obj, key));
}

/* Load one result and index its configs by id. */
static int load(struct shard *s, char *err, size_t errlen)
{
	json_error_t je;
	const char *path = s->in->path;
	s->doc = json_load_file(path, 0, &je);
	if (s->doc == NULL)
		return ERR("%s: %s", path, je.text);
	if (!json_is_object(s->doc) || strcmp(str(s->doc, "schema") ?: "", LB_SCHEMA) != 0)
		return ERR("%s: not a lockbench result (schema \"%s\" expected)", path, LB_SCHEMA);
	json_t *configs = json_object_get(s->doc, "configs"), *c;
	if (!json_is_object(json_object_get(s->doc, "context")) || !json_is_array(configs))
		return ERR("%s: no context or no configs", path);
	s->by_id = json_object();
	size_t i;
	json_array_foreach(configs, i, c) {
		const char *id = str(c, "id");
		if (id == NULL || !json_is_array(json_object_get(c, "samples")))
			return ERR("%s: configs[%zu] has no id or no samples", path, i);
		if (json_object_get(s->by_id, id) != NULL)
			return ERR("%s: config id \"%s\" appears twice", path, id);
		json_object_set(s->by_id, id, c);
	}
	return 0;
}

static int by_machine_then_shard(const void *a, const void *b)
{
	const struct shard *x = a, *y = b;
	if (x->mi != y->mi)
		return x->mi < y->mi ? -1 : 1;
	return (x->in->shard > y->in->shard) - (x->in->shard < y->in->shard);
}

static void add_missing(json_t *missing, const struct shard *s, const char *id, const char *reason)
{
	json_t *m = json_object();
	json_object_set_new(m, "machine", json_string(s->machine));
	json_object_set_new(m, "shard", json_integer(s->in->shard));
	json_object_set_new(m, "config", id ? json_string(id) : json_null());
	json_object_set_new(m, "state", s->in->state ? json_string(s->in->state) : json_null());
	json_object_set_new(m, "reason", json_string(reason));
	json_array_append_new(missing, m);
}

/* The merged config `id` of machine mi from shards [lo, hi), or NULL if no shard has it. */
static json_t *merge_config(struct shard *sh, size_t lo, size_t hi, const char *id, json_t *missing)
{
	json_t *out = NULL, *samples = json_array();
	const char *status = NULL;
	for (size_t i = lo; i < hi; i++) {
		json_t *c = sh[i].doc ? json_object_get(sh[i].by_id, id) : NULL;
		if (c == NULL) {
			add_missing(missing, &sh[i], id, sh[i].doc ? "not in the shard's result" : "no result");
			continue;
		}
		if (out == NULL) {
			out = json_deep_copy(c);
			json_object_del(out, "samples");
			json_object_del(out, "summary");
			json_object_set_new(out, "machine", json_string(sh[i].machine));
		}
		const char *st = str(c, "status") ?: "ok";
		json_t *ss = json_object_get(c, "samples"), *s;
		size_t k;
		if (json_array_size(ss) == 0) {
			char reason[128];
			snprintf(reason, sizeof reason, "no sample (config status %s)", st);
			add_missing(missing, &sh[i], id, strcmp(st, "not_run") == 0 ? "not run (the shard stopped early)" : reason);
		}
		/* The first failure of any shard is the config's: one bad repetition is not lost. */
		if (status == NULL && strcmp(st, "ok") != 0 && strcmp(st, "not_run") != 0 && strcmp(st, "interrupted") != 0)
			status = st;
		json_array_foreach(ss, k, s) {
			/* Cut short when the shard was stopped: not a measurement of the config. */
			if (strcmp(str(s, "status") ?: "", "interrupted") == 0) {
				add_missing(missing, &sh[i], id, "interrupted (the shard was stopped during this config)");
				continue;
			}
			json_t *copy = json_deep_copy(s);
			json_object_set_new(copy, "repetition", json_integer((json_int_t)json_array_size(samples)));
			json_object_set_new(copy, "shard", json_integer(sh[i].in->shard));
			json_array_append_new(samples, copy);
		}
	}
	if (out == NULL) {
		json_decref(samples);
		return NULL;
	}
	if (status == NULL)
		status = json_array_size(samples) ? "ok" : "not_run";
	json_object_set_new(out, "status", json_string(status));
	json_object_set_new(out, "samples", samples);
	lb_config_summarize(out);
	return out;
}

/* context.machines[m]: its name, hosts, shards and the context of its first result. */
static json_t *machine_json(struct shard *sh, size_t lo, size_t hi)
{
	json_t *m = json_object(), *hosts = json_array(), *shards = json_array(), *ctx = NULL;
	json_object_set_new(m, "name", json_string(sh[lo].machine));
	for (size_t i = lo; i < hi; i++) {
		json_t *c = sh[i].doc ? json_object_get(sh[i].doc, "context") : NULL;
		const char *host = c ? str(c, "host") : NULL;
		json_t *e = json_object();
		json_object_set_new(e, "shard", json_integer(sh[i].in->shard));
		json_object_set_new(e, "result", sh[i].doc ? json_string(sh[i].in->path) : json_null());
		json_object_set_new(e, "state", sh[i].in->state ? json_string(sh[i].in->state) : json_null());
		json_object_set_new(e, "host", host ? json_string(host) : json_null());
		json_array_append_new(shards, e);
		if (c && ctx == NULL)
			ctx = json_deep_copy(c);
		bool seen = false;
		size_t k;
		json_t *h;
		json_array_foreach(hosts, k, h)
			seen |= host && strcmp(json_string_value(h), host) == 0;
		if (host && !seen)
			json_array_append_new(hosts, json_string(host));
	}
	json_object_set_new(m, "hosts", hosts);
	json_object_set_new(m, "shards", shards);
	json_object_set_new(m, "context", ctx ? ctx : json_null());
	return m;
}

static json_t *command_line(int argc, char **argv)
{
	size_t need = 1;
	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 1;
	char *cmd = calloc(1, need);
	for (int i = 0; i < argc && cmd; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	json_t *s = json_string(cmd ? cmd : "");
	free(cmd);
	return s;
}

json_t *lb_merge_results(const struct lb_merge_input *in, size_t n, int argc, char **argv, char *err,
			 size_t errlen)
{
	struct shard *sh = calloc(n ? n : 1, sizeof *sh);
	json_t *machines = json_array(), *ids = json_array(), *seen = json_object(), *out = NULL;
	const struct shard *first = NULL;
	int rc = sh ? 0 : ERR("out of memory");
	for (size_t i = 0; i < n && rc == 0; i++) {
		sh[i].in = &in[i];
		if (!in[i].absent && (rc = load(&sh[i], err, errlen)) != 0)
			break;
		const char *host = sh[i].doc ? str(json_object_get(sh[i].doc, "context"), "host") : NULL;
		sh[i].machine = in[i].machine ? in[i].machine : host;
		if (sh[i].machine == NULL) {
			rc = ERR("%s: no machine name and no context.host", in[i].path);
			break;
		}
		if (sh[i].doc && first == NULL)
			first = &sh[i];
		/* One build: a merge of two builds' samples would hide the change between them. */
		const char *want = first ? str(json_object_get(first->doc, "context"), "git_commit") : NULL;
		const char *got = sh[i].doc ? str(json_object_get(sh[i].doc, "context"), "git_commit") : NULL;
		if (got && want && strcmp(got, want) != 0) {
			rc = ERR("%s: built from commit %s, %s from %s: not one build", in[i].path, got, first->in->path,
				 want);
			break;
		}
		size_t m;
		json_t *name;
		json_array_foreach(machines, m, name)
			if (strcmp(json_string_value(name), sh[i].machine) == 0)
				break;
		if (m == json_array_size(machines))
			json_array_append_new(machines, json_string(sh[i].machine));
		sh[i].mi = m;
		const char *id;
		json_t *c;
		if (sh[i].doc)
			json_object_foreach(sh[i].by_id, id, c)
				if (json_object_get(seen, id) == NULL) {
					json_object_set_new(seen, id, json_true());
					json_array_append_new(ids, json_string(id));
				}
	}
	if (rc == 0 && first == NULL)
		rc = ERR("no shard left a result: nothing to merge");
	if (rc != 0)
		goto done;
	/* The first result's context heads the document; its own is in machines[0]. */
	json_t *ctx = json_deep_copy(json_object_get(first->doc, "context"));
	/* Order by machine, then shard, keeping `first` valid: it is only read before the sort. */
	qsort(sh, n, sizeof *sh, by_machine_then_shard);
	json_t *configs = json_array(), *missing = json_array(), *mlist = json_array(), *from = json_array();
	size_t most = 0;
	bool interrupted = false;
	for (size_t lo = 0, hi; lo < n; lo = hi) {
		for (hi = lo; hi < n && sh[hi].mi == sh[lo].mi; hi++)
			;
		most = hi - lo > most ? hi - lo : most;
		json_array_append_new(mlist, machine_json(sh, lo, hi));
		size_t k;
		json_t *id;
		json_array_foreach(ids, k, id) {
			json_t *c = merge_config(sh, lo, hi, json_string_value(id), missing);
			if (c)
				json_array_append_new(configs, c);
		}
		for (size_t i = lo; i < hi; i++) {
			/* With no config known anywhere, say at least which shards are gone. */
			if (json_array_size(ids) == 0)
				add_missing(missing, &sh[i], NULL, "no result");
			if (sh[i].doc) {
				json_array_append_new(from, json_string(sh[i].in->path));
				interrupted |= json_is_true(json_object_get(json_object_get(sh[i].doc, "context"), "interrupted"));
			}
		}
	}
	json_t *opts = json_object_get(ctx, "options");
	if (json_is_object(opts))
		json_object_set_new(opts, "repeat", json_integer((json_int_t)most));
	if (interrupted)
		json_object_set_new(ctx, "interrupted", json_true());
	json_object_set_new(ctx, "merged_from", from);
	json_object_set_new(ctx, "merged_by", command_line(argc, argv));
	json_object_set_new(ctx, "machines", mlist);
	out = json_object();
	json_object_set_new(out, "schema", json_string(LB_SCHEMA));
	json_object_set_new(out, "context", ctx);
	json_object_set_new(out, "configs", configs);
	json_object_set_new(out, "missing", missing);
done:
	for (size_t i = 0; sh && i < n; i++) {
		json_decref(sh[i].by_id);
		json_decref(sh[i].doc);
	}
	free(sh);
	json_decref(machines);
	json_decref(ids);
	json_decref(seen);
	return out;
}
