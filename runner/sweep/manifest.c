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
	snprintf(buf, len, "%s/%s", sw->dir, rel ? rel : "");
	return buf;
}

const struct lb_sweep_machine *lb_sweep_machine(const struct lb_sweep *sw, const char *name)
{
	if (sw->local)
		return &local_machine;
	for (size_t i = 0; i < sw->m.spec.nmachines; i++)
		if (strcmp(sw->m.spec.machines[i].name, name) == 0)
			return &sw->m.spec.machines[i];
	return NULL;
}

static struct lb_sweep_shard new_shard(const char *machine, unsigned k)
{
	char rel[512];
	struct lb_sweep_shard s = { .machine = lb_strdup(machine), .shard = k, .repetition = k,
				    .state = lb_strdup("NEW") };
	snprintf(rel, sizeof rel, "shards/%s-%u.json", machine, k);
	s.result = lb_strdup(rel);
	snprintf(rel, sizeof rel, "shards/%s-%u.exit", machine, k);
	s.exit_file = lb_strdup(rel);
	snprintf(rel, sizeof rel, "logs/%s-%u.out", machine, k);
	s.log = lb_strdup(rel);
	return s;
}

int lb_sweep_create(struct lb_sweep *sw, const char *dir, const char *spec_path, bool local, const char *exe,
		    char *err, size_t errlen)
{
	memset(sw, 0, sizeof *sw);
	struct lb_sweep_manifest *m = &sw->m;
	if (lb_sweep_spec_load(spec_path, &m->spec, err, errlen) != 0)
		return -1;
	struct stat st;
	if (stat(dir, &st) == 0 && (!S_ISDIR(st.st_mode) || !dir_empty(dir)))
		return ERR("%s exists and is not an empty directory (lockbench sweep --resume %s goes on with a sweep)",
			   dir, dir);
	char path[4200];
	static const char *const sub[] = { "", "/shards", "/logs", "/slurm" };
	for (size_t i = 0; i < sizeof sub / sizeof sub[0]; i++) {
		snprintf(path, sizeof path, "%s%s", dir, sub[i]);
		if (make_dirs(path) != 0)
			return ERR("%s: cannot create: %s", path, strerror(errno));
	}
	if (realpath(dir, sw->dir) == NULL)
		return ERR("%s: %s", dir, strerror(errno));
	sw->local = local;
	char stamp[64];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", &tm);
	m->created_utc = lb_strdup(stamp);
	m->dir = lb_strdup(sw->dir);
	m->spec_file = lb_strdup(spec_path);
	m->backend = lb_strdup(local ? "local" : "slurm");
	m->lockbench = lb_strdup(exe);
	size_t nm = local ? 1 : m->spec.nmachines;
	m->shards = calloc(nm * m->spec.repetitions + 1, sizeof *m->shards);
	if (m->shards == NULL)
		return ERR("out of memory");
	for (size_t i = 0; i < nm; i++)
		for (unsigned k = 0; k < m->spec.repetitions; k++)
			m->shards[m->nshards++] = new_shard(local ? "local" : m->spec.machines[i].name, k);
	return lb_sweep_save(sw, err, errlen);
}

int lb_sweep_open(struct lb_sweep *sw, const char *dir, char *err, size_t errlen)
{
	memset(sw, 0, sizeof *sw);
	char path[4200];
	if (realpath(dir, sw->dir) == NULL)
		return ERR("%s: %s", dir, strerror(errno));
	lb_sweep_path(sw, "manifest.json", path, sizeof path);
	if (access(path, F_OK) != 0)
		return ERR("%s: no sweep here (no manifest.json)", path);
	if (lb_sweep_manifest_read(path, &sw->m, err, errlen) != 0)
		return -1;
	char e[512];
	if (lb_sweep_spec_check(&sw->m.spec, e, sizeof e) != 0) {
		lb_sweep_close(sw);
		return ERR("%s: spec: %s", path, e);
	}
	sw->local = sw->m.backend && strcmp(sw->m.backend, "local") == 0;
	for (size_t i = 0; i < sw->m.nshards; i++) {
		const struct lb_sweep_shard *s = &sw->m.shards[i];
		if (lb_sweep_machine(sw, s->machine) == NULL || !s->result || !s->exit_file || !s->log) {
			lb_sweep_close(sw);
			return ERR("%s: shards[%zu] is not a shard of this sweep", path, i);
		}
	}
	return 0;
}

int lb_sweep_save(struct lb_sweep *sw, char *err, size_t errlen)
{
	char path[4200];
	return lb_sweep_manifest_write(&sw->m, lb_sweep_path(sw, "manifest.json", path, sizeof path), err, errlen);
}

void lb_sweep_close(struct lb_sweep *sw)
{
	lb_sweep_manifest_free(&sw->m);
}

struct lb_result *lb_sweep_merge(const struct lb_sweep *sw, int argc, char **argv, char *err, size_t errlen)
{
	size_t n = sw->m.nshards;
	struct lb_merge_input *in = calloc(n ? n : 1, sizeof *in);
	char (*paths)[4200] = calloc(n ? n : 1, sizeof *paths);
	struct lb_result *doc = NULL;
	if (in == NULL || paths == NULL) {
		snprintf(err, errlen, "out of memory");
		goto out;
	}
	for (size_t i = 0; i < n; i++) {
		const struct lb_sweep_shard *s = &sw->m.shards[i];
		lb_sweep_path(sw, s->result, paths[i], sizeof paths[i]);
		in[i].path = paths[i];
		in[i].absent = access(paths[i], F_OK) != 0;
		in[i].machine = s->machine;
		in[i].shard = s->shard;
		in[i].state = s->state;
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
	size_t n = 0;
	for (size_t i = 0; i < sw->m.nshards; i++) {
		struct lb_sweep_shard *s = &sw->m.shards[i];
		bool rerun = false;
		if (strcmp(s->state, "NEW") == 0 || lb_slurm_state_final(s->state)) {
			char path[4200];
			rerun = access(lb_sweep_path(sw, s->result, path, sizeof path), F_OK) != 0;
			for (size_t j = 0; merged && j < merged->nmissing; j++)
				rerun |= strcmp(merged->missing[j].machine, s->machine) == 0 &&
					 merged->missing[j].shard == s->shard;
		}
		s->has_rerun = true;
		s->rerun = rerun;
		n += rerun;
	}
	return n;
}
