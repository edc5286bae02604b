/*
 * model/json_manifest.c — a sweep's spec file and DIR/manifest.json
 * ("lockbench-sweep/1") into model/sweep.h's structs and back. The only
 * place that knows their JSON keys.
 *
 * A spec is what a user wrote: every key is known or refused, every value
 * has its shape (a non-empty string, an integer in range, an array of at
 * most N), and the message names the key ("threads[2]: not an integer in
 * [1, 1024]"); sweep/spec.c then checks what the values mean. The manifest
 * is ours: its shards must name a machine, a shard and a state; other keys
 * of the wrong type are errors too, unknown ones are ignored.
 *
 *   { "schema", "created_utc", "dir", "spec_file", "spec": {the spec},
 *     "backend": "local"|"slurm", "lockbench",
 *     "submissions": [{machine, job_id, tasks, sbatch: [arg]}],
 *     "shards": [{machine, shard, repetition, result, exit_file, log,
 *                 argv: [arg]|null, job_id, slurm_id, state, exit_code,
 *                 reason, attempts, rerun?, cancel_requested?, submitting?}] }
 */
#define _GNU_SOURCE
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model/model.h"
#include "model/output.h"
#include "model/sweep.h"

#define DUMP_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* ---- reading a spec ---- */

struct rd {
	char *err;
	size_t errlen;
};

static int bad(struct rd *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int bad(struct rd *r, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->err, r->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

static const char *const top_keys[] = { "description", "locks", "workloads", "threads", "repetitions", "duration",
					"warmup", "pin", "timing", "time_limit", "machines", NULL };
static const char *const machine_keys[] = { "name", "partition", "node", "constraint", "sbatch_args", NULL };

/* Every key of obj is one of known; where names the object. */
static int known_keys(struct rd *r, json_t *obj, const char *const *known, const char *where)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v) {
		size_t i = 0;
		while (known[i] && strcmp(known[i], key) != 0)
			i++;
		if (known[i] == NULL)
			return bad(r, "%s: unknown key \"%s\"", where, key);
	}
	return 0;
}

/* An optional non-empty string member; *out NULL when absent. */
static int opt_string(struct rd *r, json_t *obj, const char *key, const char *where, char **out)
{
	json_t *v = json_object_get(obj, key);
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return bad(r, "%s%s%s: not a non-empty string", where, *where ? "." : "", key);
	*out = lb_strdup(json_string_value(v));
	return 0;
}

/* A required array of 1..cap non-empty strings into out. */
static int string_array(struct rd *r, json_t *obj, const char *key, char **out, size_t cap, size_t *n)
{
	json_t *a = json_object_get(obj, key);
	if (!json_is_array(a) || json_array_size(a) == 0)
		return bad(r, "%s: not a non-empty array of strings", key);
	if (json_array_size(a) > cap)
		return bad(r, "%s: more than %zu entries", key, cap);
	for (*n = 0; *n < json_array_size(a); (*n)++) {
		json_t *v = json_array_get(a, *n);
		if (!json_is_string(v) || json_string_length(v) == 0)
			return bad(r, "%s[%zu]: not a non-empty string", key, *n);
		out[*n] = lb_strdup(json_string_value(v));
	}
	return 0;
}

static int read_machine(struct rd *r, json_t *m, size_t i, struct lb_sweep_machine *out)
{
	char where[64];
	snprintf(where, sizeof where, "machines[%zu]", i);
	if (!json_is_object(m))
		return bad(r, "%s: not an object", where);
	if (known_keys(r, m, machine_keys, where) != 0 || opt_string(r, m, "name", where, &out->name) != 0 ||
	    opt_string(r, m, "partition", where, &out->partition) != 0 ||
	    opt_string(r, m, "node", where, &out->node) != 0 ||
	    opt_string(r, m, "constraint", where, &out->constraint) != 0)
		return -1;
	if (out->name == NULL)
		return bad(r, "%s: no \"name\"", where);
	json_t *extra = json_object_get(m, "sbatch_args");
	if ((out->has_extra = extra != NULL) == false)
		return 0;
	if (!json_is_array(extra) || json_array_size(extra) > LB_SWEEP_MAX_SBATCH_ARGS)
		return bad(r, "%s.sbatch_args: not an array of at most %d strings", where, LB_SWEEP_MAX_SBATCH_ARGS);
	for (out->nextra = 0; out->nextra < json_array_size(extra); out->nextra++) {
		json_t *v = json_array_get(extra, out->nextra);
		if (!json_is_string(v))
			return bad(r, "%s.sbatch_args[%zu]: not a long option (\"--name=value\")", where, out->nextra);
		out->extra[out->nextra] = lb_strdup(json_string_value(v));
	}
	return 0;
}

/* The shapes of a spec document (sweep/spec.c checks the values). */
static int read_spec(struct rd *r, json_t *doc, struct lb_sweep_spec *s)
{
	json_t *v;
	memset(s, 0, sizeof *s);
	if (!json_is_object(doc))
		return bad(r, "not a JSON object");
	if (known_keys(r, doc, top_keys, "spec") != 0)
		return -1;
	if ((v = json_object_get(doc, "description")) != NULL) {
		if (!json_is_string(v))
			return bad(r, "description: not a string");
		s->description = lb_strdup(json_string_value(v));
	}
	if (string_array(r, doc, "locks", s->locks, LB_SWEEP_MAX_ITEMS, &s->nlocks) != 0)
		return -1;
	if ((s->workloads_given = json_object_get(doc, "workloads") != NULL) == false) {
		s->workloads[0] = lb_strdup("cs");
		s->nworkloads = 1;
	} else if (string_array(r, doc, "workloads", s->workloads, LB_SWEEP_MAX_WORKLOADS, &s->nworkloads) != 0) {
		return -1;
	}
	json_t *t = json_object_get(doc, "threads");
	if (!json_is_array(t) || json_array_size(t) == 0 || json_array_size(t) > LB_SWEEP_MAX_ITEMS)
		return bad(r, "threads: not an array of 1 to %d thread counts", LB_SWEEP_MAX_ITEMS);
	for (s->nthreads = 0; s->nthreads < json_array_size(t); s->nthreads++) {
		v = json_array_get(t, s->nthreads);
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1024)
			return bad(r, "threads[%zu]: not an integer in [1, 1024]", s->nthreads);
		s->threads[s->nthreads] = (unsigned)json_integer_value(v);
	}
	v = json_object_get(doc, "repetitions");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > LB_SWEEP_MAX_REPS)
		return bad(r, "repetitions: not an integer in [1, %d]", LB_SWEEP_MAX_REPS);
	s->repetitions = (unsigned)json_integer_value(v);
	if (opt_string(r, doc, "duration", "", &s->duration) != 0 || opt_string(r, doc, "warmup", "", &s->warmup) != 0 ||
	    opt_string(r, doc, "pin", "", &s->pin) != 0 || opt_string(r, doc, "timing", "", &s->timing) != 0 ||
	    opt_string(r, doc, "time_limit", "", &s->time_limit) != 0)
		return -1;
	json_t *ms = json_object_get(doc, "machines");
	if ((s->machines_given = ms != NULL) == false) {
		s->machines[0].name = lb_strdup("default");
		s->nmachines = 1;
		return 0;
	}
	if (!json_is_array(ms) || json_array_size(ms) == 0 || json_array_size(ms) > LB_SWEEP_MAX_MACHINES)
		return bad(r, "machines: not an array of 1 to %d machines", LB_SWEEP_MAX_MACHINES);
	/* Counted as they are read, so that a failure frees what was read. */
	while (s->nmachines < json_array_size(ms)) {
		size_t i = s->nmachines++;
		if (read_machine(r, json_array_get(ms, i), i, &s->machines[i]) != 0)
			return -1;
	}
	return 0;
}

int lb_sweep_spec_read(const char *path, struct lb_sweep_spec *spec, char *err, size_t errlen)
{
	json_error_t je;
	memset(spec, 0, sizeof *spec);
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: %s (line %d)", path, je.text, je.line);
		return -1;
	}
	char e[512];
	struct rd r = { e, sizeof e };
	int rc = read_spec(&r, doc, spec);
	json_decref(doc);
	if (rc != 0) {
		lb_sweep_spec_free(spec);
		snprintf(err, errlen, "%s: %s", path, e);
	}
	return rc;
}

/* ---- writing ---- */

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

static json_t *strings(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_string(v[i]));
	return a;
}

static void set_opt(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		json_object_set_new(o, key, json_string(s));
}

static json_t *spec_json(const struct lb_sweep_spec *s)
{
	json_t *o = json_object(), *t = json_array();
	set_opt(o, "description", s->description);
	json_object_set_new(o, "locks", strings(s->locks, s->nlocks));
	if (s->workloads_given)
		json_object_set_new(o, "workloads", strings(s->workloads, s->nworkloads));
	for (size_t i = 0; i < s->nthreads; i++)
		json_array_append_new(t, json_integer(s->threads[i]));
	json_object_set_new(o, "threads", t);
	json_object_set_new(o, "repetitions", json_integer(s->repetitions));
	set_opt(o, "duration", s->duration);
	set_opt(o, "warmup", s->warmup);
	set_opt(o, "pin", s->pin);
	set_opt(o, "timing", s->timing);
	set_opt(o, "time_limit", s->time_limit);
	if (!s->machines_given)
		return o;
	json_t *ms = json_array();
	for (size_t i = 0; i < s->nmachines; i++) {
		const struct lb_sweep_machine *m = &s->machines[i];
		json_t *j = json_object();
		set_opt(j, "name", m->name);
		set_opt(j, "partition", m->partition);
		set_opt(j, "node", m->node);
		set_opt(j, "constraint", m->constraint);
		if (m->has_extra)
			json_object_set_new(j, "sbatch_args", strings(m->extra, m->nextra));
		json_array_append_new(ms, j);
	}
	json_object_set_new(o, "machines", ms);
	return o;
}

static json_t *shard_json(const struct lb_sweep_shard *s)
{
	json_t *o = json_object();
	json_object_set_new(o, "machine", json_string(s->machine));
	json_object_set_new(o, "shard", json_integer(s->shard));
	json_object_set_new(o, "repetition", json_integer(s->repetition));
	json_object_set_new(o, "result", str_or_null(s->result));
	json_object_set_new(o, "exit_file", str_or_null(s->exit_file));
	json_object_set_new(o, "log", str_or_null(s->log));
	json_object_set_new(o, "argv", s->argv ? strings(s->argv, s->argc) : json_null());
	json_object_set_new(o, "job_id", str_or_null(s->job_id));
	json_object_set_new(o, "slurm_id", str_or_null(s->slurm_id));
	json_object_set_new(o, "state", str_or_null(s->state));
	json_object_set_new(o, "exit_code", str_or_null(s->exit_code));
	json_object_set_new(o, "reason", str_or_null(s->reason));
	json_object_set_new(o, "attempts", json_integer(s->attempts));
	if (s->has_rerun)
		json_object_set_new(o, "rerun", json_boolean(s->rerun));
	if (s->cancel_requested)
		json_object_set_new(o, "cancel_requested", json_true());
	if (s->submitting)
		json_object_set_new(o, "submitting", json_true());
	return o;
}

static int emit_manifest(FILE *f, void *arg)
{
	const struct lb_sweep_manifest *m = arg;
	json_t *doc = json_object(), *subs = json_array(), *shards = json_array();
	json_object_set_new(doc, "schema", json_string(LB_SWEEP_SCHEMA));
	set_opt(doc, "created_utc", m->created_utc);
	set_opt(doc, "dir", m->dir);
	set_opt(doc, "spec_file", m->spec_file);
	json_object_set_new(doc, "spec", spec_json(&m->spec));
	set_opt(doc, "backend", m->backend);
	set_opt(doc, "lockbench", m->lockbench);
	for (size_t i = 0; i < m->nsubmissions; i++) {
		const struct lb_sweep_submission *s = &m->submissions[i];
		json_t *o = json_object();
		json_object_set_new(o, "machine", str_or_null(s->machine));
		json_object_set_new(o, "job_id", str_or_null(s->job_id));
		json_object_set_new(o, "tasks", str_or_null(s->tasks));
		json_object_set_new(o, "sbatch", strings(s->sbatch, s->nsbatch));
		json_array_append_new(subs, o);
	}
	json_object_set_new(doc, "submissions", subs);
	for (size_t i = 0; i < m->nshards; i++)
		json_array_append_new(shards, shard_json(&m->shards[i]));
	json_object_set_new(doc, "shards", shards);
	int rc = json_dumpf(doc, f, DUMP_FLAGS) != 0 || fputc('\n', f) == EOF ? -1 : 0;
	json_decref(doc);
	return rc;
}

int lb_sweep_manifest_write(const struct lb_sweep_manifest *m, const char *path, char *err, size_t errlen)
{
	return lb_output_write(path, emit_manifest, (void *)m, err, errlen);
}

/* ---- reading a manifest ---- */

/* An optional string member (absent or null: *out stays NULL). */
static int get_str(struct rd *r, json_t *o, const char *where, const char *key, char **out)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(r, "%s%s%s: not a string", where, *where ? "." : "", key);
	*out = lb_strdup(json_string_value(v));
	return 0;
}

/* An optional array of strings (absent or null: *out stays NULL). */
static int get_strv(struct rd *r, json_t *o, const char *where, const char *key, char ***out, size_t *n)
{
	json_t *a = json_object_get(o, key);
	if (a == NULL || json_is_null(a))
		return 0;
	if (!json_is_array(a))
		return bad(r, "%s.%s: not an array of strings", where, key);
	*out = calloc(json_array_size(a) + 1, sizeof **out);
	if (*out == NULL)
		return bad(r, "out of memory");
	for (*n = 0; *n < json_array_size(a); (*n)++) {
		json_t *v = json_array_get(a, *n);
		if (!json_is_string(v))
			return bad(r, "%s.%s[%zu]: not a string", where, key, *n);
		(*out)[*n] = lb_strdup(json_string_value(v));
	}
	return 0;
}

static int get_uint(struct rd *r, json_t *o, const char *where, const char *key, bool need, unsigned *out)
{
	json_t *v = json_object_get(o, key);
	if (v == NULL && !need)
		return 0;
	if (!json_is_integer(v) || json_integer_value(v) < 0 || json_integer_value(v) > 1000000000)
		return bad(r, "%s.%s: not a count", where, key);
	*out = (unsigned)json_integer_value(v);
	return 0;
}

static int get_bool(struct rd *r, json_t *o, const char *where, const char *key, bool *has, bool *out)
{
	json_t *v = json_object_get(o, key);
	if (has)
		*has = v != NULL;
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return bad(r, "%s.%s: not a boolean", where, key);
	*out = json_is_true(v);
	return 0;
}

static int read_shard(struct rd *r, json_t *o, const char *w, struct lb_sweep_shard *s)
{
	if (!json_is_object(o) || !json_is_string(json_object_get(o, "machine")) ||
	    !json_is_integer(json_object_get(o, "shard")) || !json_is_string(json_object_get(o, "state")))
		return bad(r, "%s is not a shard of this sweep", w);
	return get_str(r, o, w, "machine", &s->machine) || get_uint(r, o, w, "shard", true, &s->shard) ||
			       get_uint(r, o, w, "repetition", false, &s->repetition) ||
			       get_str(r, o, w, "result", &s->result) || get_str(r, o, w, "exit_file", &s->exit_file) ||
			       get_str(r, o, w, "log", &s->log) || get_strv(r, o, w, "argv", &s->argv, &s->argc) ||
			       get_str(r, o, w, "job_id", &s->job_id) || get_str(r, o, w, "slurm_id", &s->slurm_id) ||
			       get_str(r, o, w, "state", &s->state) || get_str(r, o, w, "exit_code", &s->exit_code) ||
			       get_str(r, o, w, "reason", &s->reason) ||
			       get_uint(r, o, w, "attempts", false, &s->attempts) ||
			       get_bool(r, o, w, "rerun", &s->has_rerun, &s->rerun) ||
			       get_bool(r, o, w, "cancel_requested", NULL, &s->cancel_requested) ||
			       get_bool(r, o, w, "submitting", NULL, &s->submitting)
		       ? -1
		       : 0;
}

static int read_manifest(struct rd *r, json_t *doc, struct lb_sweep_manifest *m)
{
	json_t *schema = json_object_get(doc, "schema"), *shards = json_object_get(doc, "shards");
	json_t *subs = json_object_get(doc, "submissions");
	if (!json_is_string(schema) || strcmp(json_string_value(schema), LB_SWEEP_SCHEMA) != 0 || !json_is_array(shards))
		return bad(r, "not a sweep manifest (schema \"%s\" expected)", LB_SWEEP_SCHEMA);
	char e[512];
	struct rd sr = { e, sizeof e };
	if (read_spec(&sr, json_object_get(doc, "spec"), &m->spec) != 0)
		return bad(r, "spec: %s", e);
	if (get_str(r, doc, "", "created_utc", &m->created_utc) || get_str(r, doc, "", "dir", &m->dir) ||
	    get_str(r, doc, "", "spec_file", &m->spec_file) || get_str(r, doc, "", "backend", &m->backend) ||
	    get_str(r, doc, "", "lockbench", &m->lockbench))
		return -1;
	if (subs != NULL && !json_is_array(subs))
		return bad(r, "submissions: not an array");
	m->submissions = calloc(json_array_size(subs) + 1, sizeof *m->submissions);
	m->shards = calloc(json_array_size(shards) + 1, sizeof *m->shards);
	if (m->submissions == NULL || m->shards == NULL)
		return bad(r, "out of memory");
	while (m->nsubmissions < json_array_size(subs)) {
		char w[64];
		size_t i = m->nsubmissions++;
		struct lb_sweep_submission *s = &m->submissions[i];
		json_t *o = json_array_get(subs, i);
		snprintf(w, sizeof w, "submissions[%zu]", i);
		if (!json_is_object(o))
			return bad(r, "%s: not an object", w);
		if (get_str(r, o, w, "machine", &s->machine) || get_str(r, o, w, "job_id", &s->job_id) ||
		    get_str(r, o, w, "tasks", &s->tasks) || get_strv(r, o, w, "sbatch", &s->sbatch, &s->nsbatch))
			return -1;
	}
	while (m->nshards < json_array_size(shards)) {
		char w[64];
		size_t i = m->nshards++;
		snprintf(w, sizeof w, "shards[%zu]", i);
		if (read_shard(r, json_array_get(shards, i), w, &m->shards[i]) != 0)
			return -1;
	}
	return 0;
}

int lb_sweep_manifest_read(const char *path, struct lb_sweep_manifest *m, char *err, size_t errlen)
{
	json_error_t je;
	memset(m, 0, sizeof *m);
	json_t *doc = json_load_file(path, 0, &je);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: %s", path, je.text);
		return -1;
	}
	char e[1024];
	struct rd r = { e, sizeof e };
	int rc = read_manifest(&r, doc, m);
	json_decref(doc);
	if (rc != 0) {
		lb_sweep_manifest_free(m);
		snprintf(err, errlen, "%s: %s", path, e);
	}
	return rc;
}
