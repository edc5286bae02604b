/*
 * sweep/manifest.c — creating, reading and writing a sweep directory (see
 * manifest.h), and handing its shards to the merge.
 */
#define _GNU_SOURCE
#include "sweep/manifest.h"

#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/merge.h"
#include "model/output.h"
#include "sweep/slurm.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

static const struct lb_sweep_machine local_machine = { .name = "local" };

/* mkdir -p. */
static int make_dirs(const char *path)
{
	char buf[4300];
	snprintf(buf, sizeof buf, "%s", path);
	for (char *p = buf + 1; *p; p++)
		if (*p == '/') {
			*p = '\0';
			if (mkdir(buf, 0777) != 0 && errno != EEXIST)
				return -1;
			*p = '/';
		}
	return mkdir(buf, 0777) != 0 && errno != EEXIST ? -1 : 0;
}

static bool dir_empty(const char *path)
{
	DIR *d = opendir(path);
	if (d == NULL)
		return false;
	struct dirent *e;
	bool empty = true;
	while (empty && (e = readdir(d)) != NULL)
		empty = strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0;
	closedir(d);
	return empty;
}

const char *lb_sweep_path(const struct lb_sweep *sw, const char *rel, char *buf, size_t len)
{
	snprintf(buf, len, "%s/%s", sw->dir, rel);
	return buf;
}

const char *lb_shard_str(json_t *shard, const char *key)
{
	const char *s = json_string_value(json_object_get(shard, key));
	return s ? s : "";
}

json_t *lb_sweep_shards(const struct lb_sweep *sw)
{
	return json_object_get(sw->manifest, "shards");
}

const struct lb_sweep_machine *lb_sweep_machine(const struct lb_sweep *sw, const char *name)
{
	if (sw->local)
		return &local_machine;
	for (size_t i = 0; i < sw->spec.nmachines; i++)
		if (strcmp(sw->spec.machines[i].name, name) == 0)
			return &sw->spec.machines[i];
	return NULL;
}

static json_t *shard_json(const char *machine, unsigned k)
{
	char rel[512];
	json_t *s = json_object();
	json_object_set_new(s, "machine", json_string(machine));
	json_object_set_new(s, "shard", json_integer(k));
	json_object_set_new(s, "repetition", json_integer(k));
	snprintf(rel, sizeof rel, "shards/%s-%u.json", machine, k);
	json_object_set_new(s, "result", json_string(rel));
	snprintf(rel, sizeof rel, "shards/%s-%u.exit", machine, k);
	json_object_set_new(s, "exit_file", json_string(rel));
	snprintf(rel, sizeof rel, "logs/%s-%u.out", machine, k);
	json_object_set_new(s, "log", json_string(rel));
	json_object_set_new(s, "argv", json_null());
	json_object_set_new(s, "job_id", json_null());
	json_object_set_new(s, "slurm_id", json_null());
	json_object_set_new(s, "state", json_string("NEW"));
	json_object_set_new(s, "exit_code", json_null());
	json_object_set_new(s, "reason", json_null());
	json_object_set_new(s, "attempts", json_integer(0));
	return s;
}

int lb_sweep_create(struct lb_sweep *sw, const char *dir, const char *spec_path, bool local, const char *exe,
		    char *err, size_t errlen)
{
	memset(sw, 0, sizeof *sw);
	if (lb_sweep_spec_load(spec_path, &sw->spec, err, errlen) != 0)
		return -1;
	struct stat st;
	if (stat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || !dir_empty(dir))) {
		lb_sweep_spec_free(&sw->spec);
		return ERR("%s exists and is not an empty directory (lockbench sweep --resume %s goes on with a sweep)",
			   dir, dir);
	}
	char path[4200];
	static const char *const sub[] = { "", "/shards", "/logs", "/slurm" };
	for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		snprintf(path, sizeof path, "%s%s", dir, sub[i]);
		if (make_dirs(path) != 0) {
			lb_sweep_spec_free(&sw->spec);
			return ERR("%s: cannot create: %s", path, strerror(errno));
		}
	}
	if (realpath(dir, sw->dir) == NULL) {
		lb_sweep_spec_free(&sw->spec);
		return ERR("%s: %s", dir, strerror(errno));
	}
	sw->local = local;
	json_t *m = json_object();
	char stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(m, "schema", json_string(LB_SWEEP_SCHEMA));
	json_object_set_new(m, "created_utc", json_string(stamp));
	json_object_set_new(m, "dir", json_string(sw->dir));
	json_object_set_new(m, "spec_file", json_string(spec_path));
	json_object_set_new(m, "spec", json_deep_copy(sw->spec.doc));
	json_object_set_new(m, "backend", json_string(local ? "local" : "slurm"));
	json_object_set_new(m, "lockbench", json_string(exe));
	json_object_set_new(m, "submissions", json_array());
	json_t *shards = json_array();
	size_t nm = local ? 1 : sw->spec.nmachines;
	for (size_t i = 0; i < nm; i++)
		for (unsigned k = 0; k < sw->spec.repetitions; k++)
			json_array_append_new(shards, shard_json(local ? "local" : sw->spec.machines[i].name, k));
	json_object_set_new(m, "shards", shards);
	sw->manifest = m;
	return lb_sweep_save(sw, err, errlen);
}

int lb_sweep_open(struct lb_sweep *sw, const char *dir, char *err, size_t errlen)
{
	memset(sw, 0, sizeof *sw);
	char path[4200];
	if (realpath(dir, sw->dir) == NULL)
		return ERR("%s: %s", dir, strerror(errno));
	lb_sweep_path(sw, "manifest.json", path, sizeof path);
	json_error_t je;
	json_t *m = json_load_file(path, 0, &je);
	if (m == NULL)
		return ERR("%s: %s", path, access(path, F_OK) == 0 ? je.text : "no sweep here (no manifest.json)");
	const char *schema = json_string_value(json_object_get(m, "schema"));
	json_t *shards = json_object_get(m, "shards"), *s;
	if (schema == NULL || strcmp(schema, LB_SWEEP_SCHEMA) != 0 || !json_is_array(shards)) {
		json_decref(m);
		return ERR("%s: not a sweep manifest (schema \"%s\" expected)", path, LB_SWEEP_SCHEMA);
	}
	char e[512];
	if (lb_sweep_spec_parse(json_object_get(m, "spec"), &sw->spec, e, sizeof e) != 0) {
		json_decref(m);
		return ERR("%s: spec: %s", path, e);
	}
	sw->manifest = m;
	sw->local = strcmp(json_string_value(json_object_get(m, "backend")) ?: "", "local") == 0;
	size_t i;
	json_array_foreach(shards, i, s) {
		const char *name = json_string_value(json_object_get(s, "machine"));
		if (name == NULL || lb_sweep_machine(sw, name) == NULL || !json_is_integer(json_object_get(s, "shard")) ||
		    !json_is_string(json_object_get(s, "state"))) {
			lb_sweep_close(sw);
			return ERR("%s: shards[%zu] is not a shard of this sweep", path, i);
		}
	}
	return 0;
}

static int emit_manifest(FILE *f, void *doc)
{
	return json_dumpf(doc, f, JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10)) != 0 ||
			       fputc('\n', f) == EOF
		       ? -1
		       : 0;
}

int lb_sweep_save(struct lb_sweep *sw, char *err, size_t errlen)
{
	char path[4200];
	return lb_output_write(lb_sweep_path(sw, "manifest.json", path, sizeof path), emit_manifest, sw->manifest, err,
			       errlen);
}

void lb_sweep_close(struct lb_sweep *sw)
{
	json_decref(sw->manifest);
	lb_sweep_spec_free(&sw->spec);
	sw->manifest = NULL;
}

struct lb_result *lb_sweep_merge(const struct lb_sweep *sw, int argc, char **argv, char *err, size_t errlen)
{
	json_t *shards = lb_sweep_shards(sw), *s;
	size_t n = json_array_size(shards), i;
	struct lb_merge_input *in = calloc(n ? n : 1, sizeof *in);
	char (*paths)[4200] = calloc(n ? n : 1, sizeof *paths);
	struct lb_result *doc = NULL;
	if (in == NULL || paths == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	json_array_foreach(shards, i, s) {
		lb_sweep_path(sw, lb_shard_str(s, "result"), paths[i], sizeof paths[i]);
		in[i].path = paths[i];
		in[i].absent = access(paths[i], F_OK) != 0;
		in[i].machine = lb_shard_str(s, "machine");
		in[i].shard = (unsigned)json_integer_value(json_object_get(s, "shard"));
		in[i].state = lb_shard_str(s, "state");
	}
	if (lb_merge_files(in, n, argc, argv, &doc, err, errlen) != 0)
		doc = NULL;
out:
	free(in);
	free(paths);
	return doc;
}

size_t lb_sweep_mark_reruns(struct lb_sweep *sw, const struct lb_result *merged)
{
	json_t *shards = lb_sweep_shards(sw), *s;
	size_t i, n = 0;
	json_array_foreach(shards, i, s) {
		const char *state = lb_shard_str(s, "state");
		bool rerun = false;
		if (strcmp(state, "NEW") == 0 || lb_slurm_state_final(state)) {
			char path[4200];
			rerun = access(lb_sweep_path(sw, lb_shard_str(s, "result"), path, sizeof path), F_OK) != 0;
			for (size_t j = 0; merged && j < merged->nmissing; j++)
				rerun |= strcmp(merged->missing[j].machine, lb_shard_str(s, "machine")) == 0 &&
					 merged->missing[j].shard == json_integer_value(json_object_get(s, "shard"));
		}
		json_object_set_new(s, "rerun", json_boolean(rerun));
		n += rerun;
	}
	return n;
}
