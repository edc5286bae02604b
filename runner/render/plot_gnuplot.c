/*
 * render/plot_gnuplot.c — finding gnuplot and the scripts, and running one
 * script.
 *
 * gnuplot is started with posix_spawn, never through a shell; its variables
 * (the data directory and the format) are passed as one -e argument, each a
 * single-quoted gnuplot string. The paths are checked for control characters
 * first (plot_check_gp_path); everything the result says reaches gnuplot only
 * through meta.gp and the tables (plot_text.c).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "render/plot_int.h"

extern char **environ;

int plot_find_gnuplot(char *buf, size_t len, char *err, size_t errlen)
{
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		struct stat sb;
		if ((size_t)snprintf(buf, len, "%.*s%sgnuplot", (int)n, p, n ? "/" : "") < len && stat(buf, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
			return 0;
		p += n;
		if (*p == '\0')
			break;
	}
	snprintf(err, errlen, "gnuplot not found on PATH (Debian: apt-get install gnuplot-nox, or make deps)");
	return -1;
}

#ifndef LB_DATADIR
#define LB_DATADIR "/usr/local/share/lockbench"
#endif

/*
 * Where the gnuplot scripts are: $LOCKBENCH_PLOTS_DIR; else beside the binary
 * (plots/ of a source tree), else in the installed tree relative to the binary
 * (bin/../share/lockbench/plots, so a DESTDIR or moved install works), else
 * where `make install` put them (LB_DATADIR/plots). The first that has `need`
 * wins; with none, the error names the first candidate.
 */
int plot_find_scripts(char *buf, size_t len, const char *need, char *err, size_t errlen)
{
	char probe[LB_PLOT_PATH_MAX];
	const char *env = getenv("LOCKBENCH_PLOTS_DIR");
	if (env != NULL && env[0] != '\0') {
		if ((size_t)snprintf(buf, len, "%s", env) >= len) {
			snprintf(err, errlen, "LOCKBENCH_PLOTS_DIR: path too long");
			return -1;
		}
	} else {
		char exe[LB_PLOT_PATH_MAX];
		ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
		if (n <= 0) {
			snprintf(err, errlen, "cannot find the gnuplot scripts: /proc/self/exe unreadable (set LOCKBENCH_PLOTS_DIR)");
			return -1;
		}
		exe[n] = '\0';
		*strrchr(exe, '/') = '\0';
		const char *const fmt[] = { "%s/plots", "%s/../share/lockbench/plots", "%s" };
		for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
			char cand[LB_PLOT_PATH_MAX];
			if ((size_t)snprintf(cand, sizeof cand, fmt[i], i < 2 ? exe : LB_DATADIR "/plots") >= sizeof cand)
				continue;
			bool has = (size_t)snprintf(probe, sizeof probe, "%s/%s", cand, need) < sizeof probe &&
				   access(probe, R_OK) == 0;
			if ((i == 0 || has) && (size_t)snprintf(buf, len, "%s", cand) >= len) {
				snprintf(err, errlen, "cannot find the gnuplot scripts: path too long (set LOCKBENCH_PLOTS_DIR)");
				return -1;
			}
			if (has)
				break;
		}
	}
	if (plot_path_join(probe, sizeof probe, buf, need, err, errlen) != 0)
		return -1;
	if (access(probe, R_OK) != 0) {
		snprintf(err, errlen, "no gnuplot scripts in %s (%s: %s; set LOCKBENCH_PLOTS_DIR)", buf, need,
			 strerror(errno));
		return -1;
	}
	return plot_check_gp_path("LOCKBENCH_PLOTS_DIR", buf, err, errlen);
}

int plot_check_gp_path(const char *what, const char *p, char *err, size_t errlen)
{
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			snprintf(err, errlen, "%s: a path with a control character cannot be passed to gnuplot", what);
			return -1;
		}
	return 0;
}

/* Append s to buf as a gnuplot single-quoted string; -1 when it does not fit. */
static int gp_quote_into(char *buf, size_t len, const char *s)
{
	size_t u = strlen(buf);
	if (u + 1 >= len)
		return -1;
	buf[u++] = '\'';
	for (; *s; s++) {
		if (u + 3 >= len)
			return -1;
		buf[u++] = *s;
		if (*s == '\'')
			buf[u++] = '\'';
	}
	buf[u++] = '\'';
	buf[u] = '\0';
	return 0;
}

/* The -e argument: datadir, outdir and fmt as gnuplot strings. */
static int gnuplot_expr(char *expr, size_t len, const char *dir, const char *fmt)
{
	snprintf(expr, len, "datadir=");
	if (gp_quote_into(expr, len, dir) != 0)
		return -1;
	plot_append(expr, len, "; outdir=");
	if (gp_quote_into(expr, len, dir) != 0)
		return -1;
	plot_append(expr, len, "; fmt=");
	return gp_quote_into(expr, len, fmt);
}

/* Read what the child says until it closes the pipe; keep the tail (its error is the last line). */
static void read_tail(int fd, char *said, size_t len)
{
	size_t used = 0;
	ssize_t n;
	while ((n = read(fd, said + used, len - 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		used += (size_t)n;
		if (used == len - 1) {
			memmove(said, said + used / 2, used - used / 2);
			used -= used / 2;
		}
	}
	said[used] = '\0';
}

int plot_run_gnuplot(const char *gnuplot, const char *script, const char *dir, const char *fmt, char *err,
		     size_t errlen)
{
	char expr[3 * LB_PLOT_PATH_MAX];
	if (gnuplot_expr(expr, sizeof expr, dir, fmt) != 0) {
		snprintf(err, errlen, "%s: path too long for gnuplot", dir);
		return -1;
	}
	char *argv[] = { "gnuplot", "-e", expr, (char *)script, NULL };

	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start gnuplot: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	pid_t pid;
	int rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		snprintf(err, errlen, "cannot start %s: %s", gnuplot, strerror(rc));
		return -1;
	}
	char said[4096];
	read_tail(fds[0], said, sizeof said);
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	size_t used = strlen(said);
	while (used > 0 && (said[used - 1] == '\n' || said[used - 1] == ' '))
		said[--used] = '\0';
	char *last = strrchr(said, '\n');
	last = last ? last + 1 : said;
	const char *name = strrchr(script, '/');
	if (WIFSIGNALED(status))
		snprintf(err, errlen, "gnuplot killed by signal %d on %s", WTERMSIG(status), name ? name + 1 : script);
	else
		snprintf(err, errlen, "gnuplot failed on %s (%s): %s", name ? name + 1 : script, fmt,
			 *last ? last : "no message");
	return -1;
}
