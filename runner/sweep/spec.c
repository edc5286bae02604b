/*
 * sweep/spec.c — reading and checking a sweep spec (see spec.h and
 * docs/sweeps.md). A bad spec must be refused here, in one line, before
 * anything is submitted: a mistake found by every shard on a cluster costs a
 * queue wait and N failed tasks.
 */
#define _GNU_SOURCE
#include "sweep/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/spec.h"
#include "engine/params.h"
#include "engine/topo.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static const char *const top_keys[] = { "description", "locks", "workloads", "threads", "repetitions", "duration",
					"warmup", "pin", "timing", "time_limit", "machines", NULL };
static const char *const machine_keys[] = { "name", "partition", "node", "constraint", "sbatch_args", NULL };
/* Options the sweep sets itself: a spec may not override them. */
static const char *const reserved_sbatch[] = { "--array", "--output", "--error", "--parsable", "--wrap", "--wait",
					       "--nodes", "--exclusive", "--job-name", "--chdir", NULL };

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

/* Every key of obj is one of known; where names the object. */
static int known_keys(json_t *obj, const char *const *known, const char *where, char *err, size_t errlen)
{
	const char *key;
	json_t *v;
	json_object_foreach(obj, key, v)
		if (!in_list(key, known))
			return ERR("%s: unknown key \"%s\"", where, key);
	return 0;
}

/* An optional non-empty string member; *out NULL when absent. */
static int opt_string(json_t *obj, const char *key, const char *where, const char **out, char *err, size_t errlen)
{
	json_t *v = json_object_get(obj, key);
	*out = NULL;
	if (v == NULL)
		return 0;
	if (!json_is_string(v) || json_string_length(v) == 0)
		return ERR("%s%s%s: not a non-empty string", where, *where ? "." : "", key);
	*out = json_string_value(v);
	return 0;
}

/* A required array of 1..cap strings into out. */
static int string_array(json_t *obj, const char *key, const char **out, size_t cap, size_t *n, char *err,
			size_t errlen)
{
	json_t *a = json_object_get(obj, key), *v;
	size_t i;
	if (!json_is_array(a) || json_array_size(a) == 0)
		return ERR("%s: not a non-empty array of strings", key);
	if (json_array_size(a) > cap)
		return ERR("%s: more than %zu entries", key, cap);
	json_array_foreach(a, i, v) {
		if (!json_is_string(v) || json_string_length(v) == 0)
			return ERR("%s[%zu]: not a non-empty string", key, i);
		out[i] = json_string_value(v);
	}
	*n = json_array_size(a);
	return 0;
}

static int check_time(const char *key, const char *text, int64_t min_ns, char *err, size_t errlen)
{
	int64_t ns;
	char e[256];
	if (text == NULL)
		return 0;
	if (lb_parse_duration(text, false, &ns, e, sizeof e) != 0)
		return ERR("%s: %s", key, e);
	if (ns < min_ns)
		return ERR("%s: \"%s\" is too short", key, text);
	if (ns > 86400000000000LL)
		return ERR("%s: \"%s\" is longer than a day", key, text);
	return 0;
}

/* `run --timing`: all | off | sample:N. */
static int check_timing(const char *text, char *err, size_t errlen)
{
	int64_t n;
	char e[256];
	if (text == NULL || strcmp(text, "all") == 0 || strcmp(text, "off") == 0)
		return 0;
	if (strncmp(text, "sample:", 7) == 0 && lb_parse_int(text + 7, 1, 1000000000, &n, e, sizeof e) == 0)
		return 0;
	return ERR("timing: \"%s\" is not all, sample:N or off", text);
}

/*
 * The locks and workloads as `run` parses them, and every workload's needed
 * capabilities present in every lock (run refuses the pair otherwise).
 */
static int check_locks_workloads(const struct lb_sweep_spec *s, char *err, size_t errlen)
{
	struct lb_lock_choice *locks = NULL;
	size_t nlocks = 0;
	char e[512];
	int rc = 0;
	for (size_t i = 0; i < s->nlocks && rc == 0; i++) {
		size_t before = nlocks;
		if (lb_parse_lock_list(s->locks[i], &locks, &nlocks, e, sizeof e) != 0)
			rc = ERR("locks[%zu]: %s", i, e);
		else if (nlocks - before != 1 && strcmp(s->locks[i], "all") != 0)
			rc = ERR("locks[%zu]: \"%s\" is more than one lock: give each its own entry", i, s->locks[i]);
	}
	for (size_t w = 0; w < s->nworkloads && rc == 0; w++) {
		struct lb_wl_choice wl;
		if (lb_parse_workload(s->workloads[w], &wl, e, sizeof e) != 0) {
			rc = ERR("workloads[%zu]: %s", w, e);
			break;
		}
		for (size_t l = 0; l < nlocks && rc == 0; l++)
			if ((wl.wl->needs_caps & locks[l].ops->caps) != wl.wl->needs_caps) {
				char missing[128];
				lb_caps_text(wl.wl->needs_caps & ~locks[l].ops->caps, missing, sizeof missing);
				rc = ERR("workloads[%zu]: %s needs a lock with \"%s\", which %s lacks", w, wl.wl->name,
					 missing, locks[l].ops->name);
			}
		lb_params_free(wl.wl->params, wl.params);
	}
	for (size_t i = 0; i < nlocks; i++)
		lb_params_free(locks[i].ops->params, locks[i].params);
	free(locks);
	return rc;
}

static bool name_ok(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

static int parse_machine(json_t *m, size_t i, struct lb_sweep_machine *out, char *err, size_t errlen)
{
	char where[64];
	snprintf(where, sizeof where, "machines[%zu]", i);
	if (!json_is_object(m))
		return ERR("%s: not an object", where);
	if (known_keys(m, machine_keys, where, err, errlen) != 0)
		return -1;
	memset(out, 0, sizeof *out);
	if (opt_string(m, "name", where, &out->name, err, errlen) != 0 ||
	    opt_string(m, "partition", where, &out->partition, err, errlen) != 0 ||
	    opt_string(m, "node", where, &out->node, err, errlen) != 0 ||
	    opt_string(m, "constraint", where, &out->constraint, err, errlen) != 0)
		return -1;
	if (out->name == NULL)
		return ERR("%s: no \"name\"", where);
	if (!name_ok(out->name))
		return ERR("%s.name: \"%s\" is not a name of letters, digits, '_', '-' and '.'", where, out->name);
	/* --nodelist takes every node it names: two would make one task span two machines. */
	if (out->node && strpbrk(out->node, ",[ "))
		return ERR("%s.node: \"%s\" is not one node name (a shard runs on one node)", where, out->node);
	json_t *extra = json_object_get(m, "sbatch_args"), *v;
	size_t k;
	if (extra == NULL)
		return 0;
	if (!json_is_array(extra) || json_array_size(extra) > sizeof out->extra / sizeof out->extra[0])
		return ERR("%s.sbatch_args: not an array of at most %zu strings", where,
			   sizeof out->extra / sizeof out->extra[0]);
	json_array_foreach(extra, k, v) {
		const char *a = json_string_value(v);
		if (a == NULL || strncmp(a, "--", 2) != 0 || a[2] == '\0')
			return ERR("%s.sbatch_args[%zu]: not a long option (\"--name=value\")", where, k);
		char opt[64];
		snprintf(opt, sizeof opt, "%.*s", (int)strcspn(a, "="), a);
		if (in_list(opt, reserved_sbatch))
			return ERR("%s.sbatch_args[%zu]: %s is set by the sweep itself", where, k, opt);
		out->extra[out->nextra++] = a;
	}
	return 0;
}

int lb_sweep_spec_parse(json_t *doc, struct lb_sweep_spec *s, char *err, size_t errlen)
{
	memset(s, 0, sizeof *s);
	if (!json_is_object(doc))
		return ERR("not a JSON object");
	if (known_keys(doc, top_keys, "spec", err, errlen) != 0)
		return -1;
	json_t *v;
	if ((v = json_object_get(doc, "description")) != NULL && !json_is_string(v))
		return ERR("description: not a string");
	if (string_array(doc, "locks", s->locks, LB_SWEEP_MAX_ITEMS, &s->nlocks, err, errlen) != 0)
		return -1;
	if (json_object_get(doc, "workloads") == NULL) {
		s->workloads[0] = "cs";
		s->nworkloads = 1;
	} else if (string_array(doc, "workloads", s->workloads, 16, &s->nworkloads, err, errlen) != 0) {
		return -1;
	}
	json_t *t = json_object_get(doc, "threads");
	size_t i;
	if (!json_is_array(t) || json_array_size(t) == 0 || json_array_size(t) > LB_SWEEP_MAX_ITEMS)
		return ERR("threads: not an array of 1 to %d thread counts", LB_SWEEP_MAX_ITEMS);
	json_array_foreach(t, i, v) {
		if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > 1024)
			return ERR("threads[%zu]: not an integer in [1, 1024]", i);
		s->threads[i] = (unsigned)json_integer_value(v);
		for (size_t j = 0; j < i; j++)
			if (s->threads[j] == s->threads[i])
				return ERR("threads[%zu]: %u is already in the list", i, s->threads[i]);
	}
	s->nthreads = json_array_size(t);
	v = json_object_get(doc, "repetitions");
	if (!json_is_integer(v) || json_integer_value(v) < 1 || json_integer_value(v) > LB_SWEEP_MAX_REPS)
		return ERR("repetitions: not an integer in [1, %d]", LB_SWEEP_MAX_REPS);
	s->repetitions = (unsigned)json_integer_value(v);

	if (opt_string(doc, "duration", "", &s->duration, err, errlen) != 0 ||
	    opt_string(doc, "warmup", "", &s->warmup, err, errlen) != 0 ||
	    opt_string(doc, "pin", "", &s->pin, err, errlen) != 0 ||
	    opt_string(doc, "timing", "", &s->timing, err, errlen) != 0 ||
	    opt_string(doc, "time_limit", "", &s->time_limit, err, errlen) != 0)
		return -1;
	if (check_time("duration", s->duration, 1000000, err, errlen) != 0 ||
	    check_time("warmup", s->warmup, 0, err, errlen) != 0 || check_timing(s->timing, err, errlen) != 0)
		return -1;
	struct lb_pin_spec pin;
	char e[256];
	if (s->pin && lb_pin_parse(s->pin, &pin, e, sizeof e) != 0)
		return ERR("pin: %s", e);
	/* Slurm's own syntax (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]); sbatch checks the rest. */
	if (s->time_limit && strspn(s->time_limit, "0123456789:-") != strlen(s->time_limit) &&
	    strcmp(s->time_limit, "UNLIMITED") != 0 && strcmp(s->time_limit, "INFINITE") != 0)
		return ERR("time_limit: \"%s\" is not a Slurm time (MM, MM:SS, HH:MM:SS, D-HH:MM:SS)", s->time_limit);
	if (check_locks_workloads(s, err, errlen) != 0)
		return -1;

	json_t *ms = json_object_get(doc, "machines");
	if (ms == NULL) {
		s->machines[0].name = "default";
		s->nmachines = 1;
	} else {
		if (!json_is_array(ms) || json_array_size(ms) == 0 || json_array_size(ms) > LB_SWEEP_MAX_MACHINES)
			return ERR("machines: not an array of 1 to %d machines", LB_SWEEP_MAX_MACHINES);
		json_array_foreach(ms, i, v) {
			if (parse_machine(v, i, &s->machines[i], err, errlen) != 0)
				return -1;
			for (size_t j = 0; j < i; j++)
				if (strcmp(s->machines[j].name, s->machines[i].name) == 0)
					return ERR("machines[%zu].name: \"%s\" is already used", i,
						   s->machines[i].name);
		}
		s->nmachines = json_array_size(ms);
	}
	s->doc = json_incref(doc);
	return 0;
}

int lb_sweep_spec_load(const char *path, struct lb_sweep_spec *spec, char *err, size_t errlen)
{
	json_error_t je;
	json_t *doc = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
	if (doc == NULL)
		return ERR("%s: %s (line %d)", path, je.text, je.line);
	char e[512];
	int rc = lb_sweep_spec_parse(doc, spec, e, sizeof e);
	json_decref(doc);
	if (rc != 0)
		return ERR("%s: %s", path, e);
	return 0;
}

void lb_sweep_spec_free(struct lb_sweep_spec *spec)
{
	json_decref(spec->doc);
	memset(spec, 0, sizeof *spec);
}

json_t *lb_sweep_shard_argv(const struct lb_sweep_spec *s, const char *exe, unsigned k, const char *result)
{
	json_t *a = json_array();
	char buf[64 * 12];
	json_array_append_new(a, json_string(exe));
	json_array_append_new(a, json_string("run"));
	json_array_append_new(a, json_string("-r"));
	json_array_append_new(a, json_string("1"));
	const struct { const char *opt, *value; } opts[] = {
		{ "--duration", s->duration }, { "--warmup", s->warmup },
		{ "--pin", s->pin },           { "--timing", s->timing },
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (opts[i].value) {
			json_array_append_new(a, json_string(opts[i].opt));
			json_array_append_new(a, json_string(opts[i].value));
		}
	/* Rotated by k: shard k starts with the k-th lock, workload and thread count. */
	size_t used = 0;
	for (size_t i = 0; i < s->nthreads; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%u", i ? "," : "",
					 s->threads[(i + k) % s->nthreads]);
	json_array_append_new(a, json_string("--threads"));
	json_array_append_new(a, json_string(buf));
	for (size_t i = 0; i < s->nworkloads; i++) {
		json_array_append_new(a, json_string("--workload"));
		json_array_append_new(a, json_string(s->workloads[(i + k) % s->nworkloads]));
	}
	for (size_t i = 0; i < s->nlocks; i++) {
		json_array_append_new(a, json_string("--locks"));
		json_array_append_new(a, json_string(s->locks[(i + k) % s->nlocks]));
	}
	json_array_append_new(a, json_string("--output"));
	json_array_append_new(a, json_string(result));
	return a;
}
