/*
 * render/plot_stage.c — nothing half-written: a render is made in a
 * temporary directory beside its output and moved into place only when
 * every chart rendered.
 *
 * A new output directory is renamed into place as a whole. Into an existing
 * one the files plot makes are moved one by one: other files there are left
 * alone (a user's notes, the threads-N/ sets of other thread counts), and a
 * file of an earlier render that this one did not make is removed, so no
 * stale chart survives.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "render/plot_int.h"

/* Every file plot may write into an output directory. */
static const char *const known_files[] = {
	"meta.gp",        "throughput.dat", "throughput.png", "throughput.svg", "latency.dat",
	"latency.png",    "latency.svg",    "fairness.dat",   "fairness.png",   "fairness.svg",
	"timeline.dat",   "timeline.png",   "timeline.svg",   "compare.dat",    "compare.png",
	"compare.svg",
};
#define N_KNOWN (sizeof known_files / sizeof known_files[0])

/* Remove every file of a flat directory we made, then the directory. */
static void remove_flat_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d != NULL) {
		struct dirent *e;
		char path[LB_PLOT_PATH_MAX];
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
				unlink(path);
		closedir(d);
	}
	rmdir(dir);
}

static void forget_created(struct plot_staging *st)
{
	for (size_t i = 0; i < st->ncreated; i++)
		free(st->created[i]);
	st->ncreated = 0;
	st->tmp[0] = '\0';
}

void plot_stage_abandon(struct plot_staging *st)
{
	if (st->tmp[0] != '\0')
		remove_flat_dir(st->tmp);
	for (size_t i = st->ncreated; i-- > 0;)
		rmdir(st->created[i]);
	forget_created(st);
}

/* mkdir -p parent, remembering what was made so a failure can undo it. */
static int make_parents(struct plot_staging *st, char *parent, char *err, size_t errlen)
{
	struct stat sb;
	for (char *p = parent + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(parent, 0777) == 0) {
			char *made = strdup(parent);
			if (made != NULL && st->ncreated < sizeof st->created / sizeof st->created[0])
				st->created[st->ncreated++] = made;
			else
				free(made);
		} else if (errno != EEXIST || stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "--output: cannot create %s: %s", parent,
				 errno == EEXIST ? "not a directory" : strerror(errno));
			*p = saved;
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			return 0;
	}
}

int plot_stage_begin(struct plot_staging *st, const char *out, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(out, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "--output: %s exists and is not a directory", out);
		return -1;
	}
	char parent[LB_PLOT_PATH_MAX], base[NAME_MAX + 1];
	if (snprintf(parent, sizeof parent, "%s", out) >= (int)sizeof parent) {
		snprintf(err, errlen, "--output: path too long");
		return -1;
	}
	size_t n = strlen(parent);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	char *slash = strrchr(parent, '/');
	const char *last = slash ? slash + 1 : parent;
	if (strlen(last) > NAME_MAX) {
		snprintf(err, errlen, "--output: name too long");
		return -1;
	}
	memcpy(base, last, strlen(last) + 1);
	if (slash == parent)
		parent[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(parent, ".");
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		snprintf(err, errlen, "--output: \"%s\" does not name a directory to create or fill", out);
		return -1;
	}
	if (make_parents(st, parent, err, errlen) != 0) {
		plot_stage_abandon(st);
		return -1;
	}
	if ((size_t)snprintf(st->tmp, sizeof st->tmp, "%s/.%s.plot-XXXXXX", parent, base) >= sizeof st->tmp ||
	    mkdtemp(st->tmp) == NULL) {
		snprintf(err, errlen, "--output: cannot create a directory in %s: %s", parent, strerror(errno));
		st->tmp[0] = '\0';
		plot_stage_abandon(st);
		return -1;
	}
	return 0;
}

int plot_stage_commit(struct plot_staging *st, const char *out, char *err, size_t errlen)
{
	struct stat sb;
	mode_t mask = umask(0);
	umask(mask);
	if (stat(out, &sb) != 0) {
		chmod(st->tmp, 0777 & ~mask); /* mkdtemp made it 0700 */
		if (rename(st->tmp, out) != 0) {
			snprintf(err, errlen, "--output: cannot create %s: %s", out, strerror(errno));
			return -1;
		}
	} else {
		for (size_t i = 0; i < N_KNOWN; i++) {
			char from[LB_PLOT_PATH_MAX], to[LB_PLOT_PATH_MAX];
			if (plot_path_join(from, sizeof from, st->tmp, known_files[i], err, errlen) != 0 ||
			    plot_path_join(to, sizeof to, out, known_files[i], err, errlen) != 0)
				return -1;
			if (access(from, F_OK) == 0) {
				if (rename(from, to) != 0) {
					snprintf(err, errlen, "--output: cannot write %s: %s", to, strerror(errno));
					return -1;
				}
			} else {
				unlink(to);
			}
		}
		remove_flat_dir(st->tmp);
	}
	forget_created(st);
	return 0;
}
