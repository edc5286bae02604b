/*
 * model/output.c — the one writer every output goes through (see output.h).
 *
 * A regular file is never written in place: a reader (plot, compare, a CI
 * job) must see either the old file or the whole new one, and a failed
 * write (full disk, a signal) must not cost the old one. So it goes to a
 * temporary file in the target's directory (same file system: rename is
 * atomic), is fsync'd, and renamed over the target. Anything that is not a
 * regular file cannot be renamed over without destroying it — a FIFO a
 * reader waits on, /dev/null, a terminal — so those are written in place.
 */
#define _GNU_SOURCE
#include "model/output.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

/* Written in place: a pipe or a device that is a stream (never renamed over). */
static bool in_place(mode_t mode)
{
	return S_ISFIFO(mode) || S_ISCHR(mode);
}

/*
 * Where a regular-file output really goes: the path itself, or the file a
 * symbolic link names (the link is kept and its target replaced). 0, or -1
 * when the link cannot be resolved.
 */
static int target_of(const char *path, char *buf, size_t len)
{
	struct stat st;
	if (lstat(path, &st) == 0 && S_ISLNK(st.st_mode)) {
		char *real = realpath(path, NULL);
		if (real == NULL)
			return -1;
		int fits = snprintf(buf, len, "%s", real) < (int)len;
		free(real);
		return fits ? 0 : -1;
	}
	return snprintf(buf, len, "%s", path) < (int)len ? 0 : -1;
}

/* The directory part of path ("." if none), into buf. */
static void dir_of(const char *path, char *buf, size_t len)
{
	char tmp[PATH_MAX];
	snprintf(tmp, sizeof tmp, "%s", path);
	snprintf(buf, len, "%s", dirname(tmp));
}

int lb_output_check(const char *path, char *err, size_t errlen)
{
	if (strcmp(path, "-") == 0)
		return 0;
	if (path[0] == '\0') {
		snprintf(err, errlen, "empty file name");
		return -1;
	}
	struct stat st;
	if (stat(path, &st) == 0) {
		if (S_ISDIR(st.st_mode)) {
			snprintf(err, errlen, "%s is a directory", path);
			return -1;
		}
		if (in_place(st.st_mode)) {
			if (access(path, W_OK) != 0) {
				snprintf(err, errlen, "%s is not writable: %s", path, strerror(errno));
				return -1;
			}
			return 0;
		}
		if (!S_ISREG(st.st_mode)) {
			snprintf(err, errlen, "%s is not a regular file, a FIFO or a character device", path);
			return -1;
		}
		if (access(path, W_OK) != 0) {
			snprintf(err, errlen, "%s is not writable", path);
			return -1;
		}
	} else if (errno != ENOENT) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	char target[PATH_MAX], dir[PATH_MAX];
	if (target_of(path, target, sizeof target) != 0) {
		snprintf(err, errlen, "%s: cannot resolve the link", path);
		return -1;
	}
	dir_of(target, dir, sizeof dir);
	if (stat(dir, &st) != 0 || !S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: cannot create: directory %s does not exist", path, dir);
		return -1;
	}
	if (access(dir, W_OK | X_OK) != 0) {
		snprintf(err, errlen, "%s: cannot create: directory %s is not writable", path, dir);
		return -1;
	}
	return 0;
}

int lb_output_open(struct lb_output *out, const char *path, char *err, size_t errlen)
{
	memset(out, 0, sizeof *out);
	if (snprintf(out->path, sizeof out->path, "%s", path) >= (int)sizeof out->path) {
		snprintf(err, errlen, "%.64s...: path too long", path);
		return -1;
	}
	if (strcmp(path, "-") == 0) {
		out->f = stdout;
		out->is_stdout = true;
		return 0;
	}
	struct stat st;
	if (stat(path, &st) == 0 && !S_ISREG(st.st_mode)) {
		if (!in_place(st.st_mode)) {
			snprintf(err, errlen, "%s is not a regular file, a FIFO or a character device", path);
			return -1;
		}
		/* No O_CREAT: if it vanished since, nothing is created in its place. */
		int fd = open(path, O_WRONLY | O_NOCTTY | O_CLOEXEC);
		if (fd < 0 || fstat(fd, &st) != 0 || !in_place(st.st_mode)) {
			snprintf(err, errlen, "%s: cannot open: %s", path, fd < 0 ? strerror(errno) : "not a FIFO or device");
			if (fd >= 0)
				close(fd);
			return -1;
		}
		out->f = fdopen(fd, "w");
		if (out->f == NULL) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			close(fd);
			return -1;
		}
		return 0;
	}
	char target[PATH_MAX], dir[PATH_MAX];
	if (target_of(path, target, sizeof target) != 0) {
		snprintf(err, errlen, "%s: cannot resolve the link", path);
		return -1;
	}
	snprintf(out->path, sizeof out->path, "%s", target);
	dir_of(target, dir, sizeof dir);
	snprintf(out->tmp, sizeof out->tmp, "%s/.lockbench-XXXXXX", dir);
	int fd = mkostemp(out->tmp, O_CLOEXEC);
	if (fd < 0) {
		snprintf(err, errlen, "%s: cannot create a file in %s: %s", path, dir, strerror(errno));
		out->tmp[0] = '\0';
		return -1;
	}
	/* mkstemp makes 0600; an output is as readable as any file the user writes. */
	mode_t mask = umask(0);
	umask(mask);
	if (fchmod(fd, 0666 & ~mask) != 0 || (out->f = fdopen(fd, "w")) == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		close(fd);
		unlink(out->tmp);
		out->tmp[0] = '\0';
		return -1;
	}
	return 0;
}

int lb_output_commit(struct lb_output *out, char *err, size_t errlen)
{
	const char *shown = out->is_stdout ? "stdout" : out->path;
	int bad = 0, saved = 0;
	if (fflush(out->f) != 0 || ferror(out->f)) {
		bad = 1;
		saved = errno;
	}
	if (out->is_stdout) {
		out->f = NULL;
		if (bad)
			snprintf(err, errlen, "stdout: write failed: %s", strerror(saved ? saved : EIO));
		return bad ? -1 : 0;
	}
	if (!bad && out->tmp[0] != '\0' && fsync(fileno(out->f)) != 0) {
		bad = 1;
		saved = errno;
	}
	if (fclose(out->f) != 0 && !bad) {
		bad = 1;
		saved = errno;
	}
	out->f = NULL;
	if (!bad && out->tmp[0] != '\0' && rename(out->tmp, out->path) != 0) {
		bad = 1;
		saved = errno;
	}
	if (out->tmp[0] != '\0' && bad)
		unlink(out->tmp);
	out->tmp[0] = '\0';
	if (bad)
		snprintf(err, errlen, "%s: write failed: %s", shown, strerror(saved ? saved : EIO));
	return bad ? -1 : 0;
}

void lb_output_abort(struct lb_output *out)
{
	if (out->f != NULL && !out->is_stdout)
		fclose(out->f);
	else if (out->f != NULL)
		fflush(out->f);
	out->f = NULL;
	if (out->tmp[0] != '\0')
		unlink(out->tmp);
	out->tmp[0] = '\0';
}

int lb_output_write(const char *path, int (*emit)(FILE *f, void *arg), void *arg, char *err, size_t errlen)
{
	struct lb_output out;
	if (lb_output_open(&out, path, err, errlen) != 0)
		return -1;
	errno = 0;
	if (emit(out.f, arg) != 0) {
		int saved = errno;
		snprintf(err, errlen, "%s: write failed: %s", out.is_stdout ? "stdout" : path,
			 strerror(saved ? saved : EIO));
		lb_output_abort(&out);
		return -1;
	}
	return lb_output_commit(&out, err, errlen);
}

/* Write emit's output to a new file made from pattern (mkstemp); 0, or -1 with errno kept. */
static int keep_in(char *pattern, int (*emit)(FILE *f, void *arg), void *arg)
{
	int fd = mkostemp(pattern, O_CLOEXEC);
	if (fd < 0)
		return -1;
	mode_t mask = umask(0);
	umask(mask);
	FILE *f = fchmod(fd, 0666 & ~mask) == 0 ? fdopen(fd, "w") : NULL;
	errno = 0;
	int bad = f == NULL || emit(f, arg) != 0 || fflush(f) != 0 || fsync(fileno(f)) != 0;
	int saved = errno;
	if (f != NULL ? fclose(f) != 0 : close(fd) != 0)
		bad = 1;
	if (bad) {
		unlink(pattern);
		errno = saved ? saved : EIO;
		return -1;
	}
	return 0;
}

int lb_output_keep(const char *target, int (*emit)(FILE *f, void *arg), void *arg, char *kept, size_t keptlen,
		   char *err, size_t errlen)
{
	char name[PATH_MAX], pattern[PATH_MAX + 64];
	struct stat st;
	bool regular = strcmp(target, "-") != 0 && (stat(target, &st) != 0 || S_ISREG(st.st_mode));
	snprintf(name, sizeof name, "%s", strcmp(target, "-") == 0 ? "stdout" : target);
	const char *base = basename(name);
	int saved = 0;
	if (regular) {
		snprintf(pattern, sizeof pattern, "%s.recovered-XXXXXX", target);
		if (strlen(pattern) < keptlen && keep_in(pattern, emit, arg) == 0) {
			snprintf(kept, keptlen, "%s", pattern);
			return 0;
		}
		saved = errno;
	}
	const char *tmp = getenv("TMPDIR");
	snprintf(pattern, sizeof pattern, "%s/lockbench-%s.recovered-XXXXXX", tmp && *tmp ? tmp : "/tmp", base);
	if (strlen(pattern) < keptlen && keep_in(pattern, emit, arg) == 0) {
		snprintf(kept, keptlen, "%s", pattern);
		return 0;
	}
	snprintf(err, errlen, "%s%s%s", regular ? strerror(saved) : "", regular ? "; " : "", strerror(errno));
	return -1;
}
