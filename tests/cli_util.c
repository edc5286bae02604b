/*
 * cli_util.c — helpers for tests that run the lockbench binary.
 */
#define _GNU_SOURCE
#include "cli_util.h"

#include <dirent.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

extern char **environ;

static void slurp(int fd, char *buf, size_t cap)
{
	size_t used = 0;
	ssize_t n;
	char sink[4096];
	while ((n = read(fd, used + 1 < cap ? buf + used : sink,
			 used + 1 < cap ? cap - 1 - used : sizeof sink)) > 0)
		if (used + 1 < cap)
			used += (size_t)n;
	buf[used] = '\0';
}

void cli_run(struct cli_result *r, const char *const *args)
{
	const char *bin = getenv("LOCKBENCH");
	if (bin == NULL)
		bin = "./lockbench";
	size_t n = 0;
	while (args[n])
		n++;
	const char **argv = calloc(n + 2, sizeof *argv);
	argv[0] = bin;
	for (size_t i = 0; i < n; i++)
		argv[i + 1] = args[i];
	cli_exec(r, argv);
	free(argv);
}

void cli_exec(struct cli_result *r, const char *const *argv)
{
	const char *bin = argv[0];
	char outp[] = "/tmp/lbcli-out-XXXXXX", errp[] = "/tmp/lbcli-err-XXXXXX";
	int ofd = mkstemp(outp), efd = mkstemp(errp);
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, ofd, 1);
	posix_spawn_file_actions_adddup2(&fa, efd, 2);
	pid_t pid;
	int st = 0;
	if (posix_spawn(&pid, bin, &fa, NULL, (char *const *)argv, environ) != 0) {
		r->status = -1;
	} else {
		waitpid(pid, &st, 0);
		r->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	}
	posix_spawn_file_actions_destroy(&fa);
	lseek(ofd, 0, SEEK_SET);
	lseek(efd, 0, SEEK_SET);
	slurp(ofd, r->out, sizeof r->out);
	slurp(efd, r->err, sizeof r->err);
	close(ofd);
	close(efd);
	unlink(outp);
	unlink(errp);
}

char *cli_tmpdir(void)
{
	char *d = strdup("/tmp/lbtest-XXXXXX");
	return mkdtemp(d);
}

int cli_count_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (d == NULL)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)) != NULL)
		if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0)
			n++;
	closedir(d);
	return n;
}

int cli_lines(const char *s)
{
	int n = 0;
	for (; *s; s++)
		if (*s == '\n')
			n++;
	return n;
}
