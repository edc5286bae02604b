/*
 * test_output.c — the one atomic writer (model/output.h).
 *
 * What each test catches: a FIFO or a character device replaced by a
 * regular file (a temp+rename writer that does not look at the target); a
 * file named "-"; an old file lost or a temporary file left behind when a
 * write fails; directories, sockets and missing directories accepted; a
 * symbolic link replaced by a regular file.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/un.h>
#include <unistd.h>

#include "cli_util.h"
#include "model/output.h"

static int emit_text(FILE *f, void *arg)
{
	return fputs(arg, f) < 0 ? -1 : 0;
}

/* Writes half, then fails: what a full disk or a broken encoder looks like to the writer. */
static int emit_half_then_fail(FILE *f, void *arg)
{
	fputs(arg, f);
	fflush(f);
	errno = ENOSPC;
	return -1;
}

static char *slurp(const char *path)
{
	static char buf[4096];
	FILE *f = fopen(path, "r");
	cr_assert_not_null(f, "%s: %s", path, strerror(errno));
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void put(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f);
	fputs(text, f);
	fclose(f);
}

Test(output, regular_file_is_replaced_whole)
{
	char *dir = cli_tmpdir(), path[256], err[256] = "";
	snprintf(path, sizeof path, "%s/r.json", dir);
	put(path, "old\n");
	cr_assert_eq(lb_output_check(path, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_output_write(path, emit_text, "new\n", err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(slurp(path), "new\n");
	cr_expect_eq(cli_count_entries(dir), 1, "a temporary file was left behind");
	struct stat st;
	mode_t mask = umask(0);
	umask(mask);
	cr_assert_eq(stat(path, &st), 0);
	cr_expect_eq(st.st_mode & 0777, 0666 & ~mask, "mode %o", st.st_mode & 0777);
	free(dir);
}

Test(output, failed_write_keeps_the_old_file_and_leaves_no_temp_file)
{
	char *dir = cli_tmpdir(), path[256], err[256] = "";
	snprintf(path, sizeof path, "%s/r.json", dir);
	put(path, "old\n");
	cr_assert_eq(lb_output_write(path, emit_half_then_fail, "half", err, sizeof err), -1);
	cr_expect_str_eq(slurp(path), "old\n");
	cr_expect_eq(cli_count_entries(dir), 1, "a temporary file was left behind");
	cr_expect(strstr(err, "r.json: write failed: No space left on device"), "%s", err);

	/* Opened and given up: the same. */
	struct lb_output out;
	cr_assert_eq(lb_output_open(&out, path, err, sizeof err), 0, "%s", err);
	fputs("partial", out.f);
	lb_output_abort(&out);
	cr_expect_str_eq(slurp(path), "old\n");
	cr_expect_eq(cli_count_entries(dir), 1);
	free(dir);
}

struct reader {
	const char *path;
	char got[256];
};

static void *read_fifo(void *p)
{
	struct reader *r = p;
	int fd = open(r->path, O_RDONLY);
	size_t used = 0;
	ssize_t n;
	while (fd >= 0 && (n = read(fd, r->got + used, sizeof r->got - 1 - used)) > 0)
		used += (size_t)n;
	r->got[used] = '\0';
	if (fd >= 0)
		close(fd);
	return NULL;
}

Test(output, fifo_is_written_in_place_and_not_replaced, .timeout = 20)
{
	char *dir = cli_tmpdir(), path[256], err[256] = "";
	snprintf(path, sizeof path, "%s/fifo", dir);
	cr_assert_eq(mkfifo(path, 0600), 0);
	cr_assert_eq(lb_output_check(path, err, sizeof err), 0, "%s", err);
	struct reader r = { .path = path };
	pthread_t t;
	pthread_create(&t, NULL, read_fifo, &r);
	cr_assert_eq(lb_output_write(path, emit_text, "through the pipe\n", err, sizeof err), 0, "%s", err);
	pthread_join(t, NULL);
	cr_expect_str_eq(r.got, "through the pipe\n");
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0);
	cr_expect(S_ISFIFO(st.st_mode), "the FIFO was replaced");
	cr_expect_eq(cli_count_entries(dir), 1);
	unlink(path);
	free(dir);
}

Test(output, dash_is_stdout_and_creates_no_file)
{
	char *dir = cli_tmpdir(), cap[256], err[256] = "";
	snprintf(cap, sizeof cap, "%s/captured", dir);
	cr_assert_eq(chdir(dir), 0);
	fflush(stdout);
	int saved = dup(1), fd = open(cap, O_WRONLY | O_CREAT | O_TRUNC, 0600);
	dup2(fd, 1);
	close(fd);
	cr_assert_eq(lb_output_check("-", err, sizeof err), 0);
	int rc = lb_output_write("-", emit_text, "on stdout\n", err, sizeof err);
	fflush(stdout);
	dup2(saved, 1);
	close(saved);
	cr_expect_eq(rc, 0, "%s", err);
	cr_expect_str_eq(slurp(cap), "on stdout\n");
	cr_expect_eq(access("-", F_OK), -1, "a file named - was created");
	cr_expect_eq(cli_count_entries(dir), 1);
	free(dir);
}

/*
 * A character device stays one. As root a writer that renamed over the
 * target would replace the device node, so root tests on a node of its own
 * (a /dev/null twin in a temporary directory), never on /dev/null itself.
 */
Test(output, character_device_is_written_in_place)
{
	char *dir = cli_tmpdir(), path[256], err[256] = "";
	if (geteuid() == 0) {
		snprintf(path, sizeof path, "%s/null", dir);
		cr_assert_eq(mknod(path, S_IFCHR | 0666, makedev(1, 3)), 0, "%s", strerror(errno));
	} else {
		snprintf(path, sizeof path, "/dev/null");
	}
	cr_assert_eq(lb_output_check(path, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_output_write(path, emit_text, "gone\n", err, sizeof err), 0, "%s", err);
	struct stat st;
	cr_assert_eq(lstat(path, &st), 0);
	cr_expect(S_ISCHR(st.st_mode), "the device was replaced by a regular file");
	cr_expect_eq(st.st_rdev, makedev(1, 3));
	if (geteuid() == 0)
		unlink(path);
	cr_expect_eq(cli_count_entries(dir), 0, "something was left in the directory");
	free(dir);
}

Test(output, what_cannot_be_written_is_refused_up_front)
{
	char *dir = cli_tmpdir(), path[256], err[256];
	cr_expect_eq(lb_output_check(dir, err, sizeof err), -1);
	cr_expect(strstr(err, "is a directory"), "%s", err);
	struct lb_output out;
	cr_expect_eq(lb_output_open(&out, dir, err, sizeof err), -1);

	snprintf(path, sizeof path, "%s/no/such/r.json", dir);
	cr_expect_eq(lb_output_check(path, err, sizeof err), -1);
	cr_expect(strstr(err, "r.json: cannot create: directory"), "%s", err);
	cr_expect_eq(lb_output_write(path, emit_text, "x", err, sizeof err), -1);

	snprintf(path, sizeof path, "%s/sock", dir);
	int s = socket(AF_UNIX, SOCK_STREAM, 0);
	struct sockaddr_un a = { .sun_family = AF_UNIX };
	cr_assert_lt(strlen(path), sizeof a.sun_path);
	memcpy(a.sun_path, path, strlen(path) + 1);
	cr_assert_eq(bind(s, (struct sockaddr *)&a, sizeof a), 0);
	cr_expect_eq(lb_output_check(path, err, sizeof err), -1);
	cr_expect(strstr(err, "not a regular file, a FIFO or a character device"), "%s", err);
	cr_expect_eq(lb_output_write(path, emit_text, "x", err, sizeof err), -1);
	struct stat st;
	cr_expect(stat(path, &st) == 0 && S_ISSOCK(st.st_mode), "the socket was replaced");
	close(s);
	unlink(path);

	cr_expect_eq(lb_output_check("", err, sizeof err), -1);
	cr_expect_eq(cli_count_entries(dir), 0);
	free(dir);
}

Test(output, a_link_keeps_pointing_at_the_new_file)
{
	char *dir = cli_tmpdir(), file[256], link[256], err[256] = "";
	snprintf(file, sizeof file, "%s/real.json", dir);
	snprintf(link, sizeof link, "%s/latest.json", dir);
	put(file, "old\n");
	cr_assert_eq(symlink("real.json", link), 0);
	cr_assert_eq(lb_output_write(link, emit_text, "new\n", err, sizeof err), 0, "%s", err);
	struct stat st;
	cr_assert_eq(lstat(link, &st), 0);
	cr_expect(S_ISLNK(st.st_mode), "the link was replaced by a file");
	cr_expect_str_eq(slurp(file), "new\n");
	cr_expect_eq(cli_count_entries(dir), 2);
	free(dir);
}
