/*
 * test_compare_outputs.c — where `lockbench compare` writes (the binary, run
 * from the repository root on tests/fixtures/compare/): every output through
 * the one writer, so a FIFO or a device is written in place and never
 * replaced, `-` is standard output, and the outputs are all-or-nothing: when
 * one cannot be written, none of the others is left behind.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <limits.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

static struct cli_result res;

#define COMPARE(...)                                                                 \
	do {                                                                         \
		const char *args_[] = { "compare", __VA_ARGS__, NULL };               \
		cli_run(&res, args_);                                                \
	} while (0)

static char *path_in(const char *dir, const char *name)
{
	char *p = NULL;

	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "r");
	char *buf = NULL;
	size_t len = 0;

	cr_assert(f, "cannot open %s: %s", path, strerror(errno));
	cr_assert_eq(getdelim(&buf, &len, '\0', f) >= 0 || feof(f), 1);
	fclose(f);
	return buf ? buf : strdup("");
}

static void write_text(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	cr_assert(f);
	fputs(text, f);
	cr_assert_eq(fclose(f), 0);
}

static void remove_tree(char *dir)
{
	char *cmd = NULL;

	cr_assert(asprintf(&cmd, "rm -rf '%s'", dir) > 0);
	cr_expect_eq(system(cmd), 0);
	free(cmd);
	free(dir);
}

static void expect_one_line_error(const char *what)
{
	const char *nl = strchr(res.err, '\n');

	cr_expect_eq(res.status, 2, "%s: exit %d, stderr: %s", what, res.status, res.err);
	cr_expect(strncmp(res.err, "lockbench: compare: ", 20) == 0, "%s: %s", what, res.err);
	cr_expect(nl && nl[1] == '\0', "%s: not one line: %s", what, res.err);
}

/*
 * A node that behaves as /dev/full (writes fail with ENOSPC), made in dir so
 * that a writer which replaced it would do no harm; /dev/full itself when we
 * may not make device nodes (then nobody can replace /dev/full either).
 */
static char *full_device(const char *dir)
{
	char *p = path_in(dir, "full");

	if (mknod(p, S_IFCHR | 0666, makedev(1, 7)) == 0) {
		int fd = open(p, O_WRONLY);

		if (fd >= 0 && write(fd, "x", 1) < 0 && errno == ENOSPC) {
			close(fd);
			return p;
		}
		if (fd >= 0)
			close(fd);
		unlink(p);
	}
	free(p);
	return strdup("/dev/full");
}

Test(compare_outputs, outputs_leave_no_temp_files)
{
	char *dir = cli_tmpdir(), *json = path_in(dir, "v.json"), *md = path_in(dir, "s.md");

	COMPARE(FX "base.json", FX "base.json", "--json", json, "--markdown", md);
	cr_expect_eq(res.status, 0, "%s", res.err);
	cr_expect_eq(cli_count_entries(dir), 2, "a temporary file was left behind");
	free(json);
	free(md);
	remove_tree(dir);
}

Test(compare_outputs, unwritable_output_is_an_error)
{
	char *dir = cli_tmpdir(), *json = path_in(dir, "no/such/dir/v.json");

	COMPARE(FX "base.json", FX "base.json", "--json", json);
	expect_one_line_error("missing directory");
	cr_expect(strstr(res.err, "v.json"), "%s", res.err);
	cr_expect_eq(cli_count_entries(dir), 0);
	free(json);
	remove_tree(dir);
}

Test(compare_outputs, input_error_keeps_old_output)
{
	char *dir = cli_tmpdir(), *json = path_in(dir, "v.json"), *text;
	json_error_t je;
	json_t *doc;

	write_text(json, "old\n");
	COMPARE(FX "base.json", FX "invalid.json", "--json", json);
	expect_one_line_error("invalid NEW");
	text = slurp(json);
	cr_expect_str_eq(text, "old\n", "a failed compare touched its output");
	free(text);

	COMPARE(FX "base.json", FX "base.json", "--json", json);
	cr_expect_eq(res.status, 0, "%s", res.err);
	doc = json_load_file(json, 0, &je);
	cr_expect(doc, "not replaced by a complete document: %s", je.text);
	json_decref(doc);
	cr_expect_eq(cli_count_entries(dir), 1);
	free(json);
	remove_tree(dir);
}

Test(compare_outputs, dash_is_standard_output)
{
	/* run where a file named "-" would land, with every path absolute */
	char *dir = cli_tmpdir(), cwd[PATH_MAX], bin[PATH_MAX], *base = NULL;
	const char *env = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
	json_error_t je;
	json_t *doc;

	cr_assert(getcwd(cwd, sizeof(cwd)) && realpath(env, bin));
	cr_assert(asprintf(&base, "%s/" FX "base.json", cwd) > 0);
	setenv("LOCKBENCH", bin, 1);
	cr_assert_eq(chdir(dir), 0);

	COMPARE(base, base, "--json", "-");
	cr_expect_eq(res.status, 0, "%s", res.err);
	cr_expect_eq(cli_count_entries("."), 0, "a file named - was created");
	doc = json_loads(res.out, 0, &je);
	cr_expect(doc, "stdout is not the verdict alone (the table must stay out): %s\n%s", je.text, res.out);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "schema")), "lockbench-compare/1");
	json_decref(doc);

	COMPARE(base, base, "--markdown", "-", "--json", "v.json");
	cr_expect_eq(res.status, 0, "%s", res.err);
	cr_expect(strncmp(res.out, "### lockbench compare: ok\n", 26) == 0, "%s", res.out);
	cr_expect_eq(cli_count_entries("."), 1, "v.json only");

	COMPARE(base, base, "--markdown", "-", "--json", "-");
	expect_one_line_error("two outputs on stdout");
	cr_expect(strstr(res.err, "standard output"), "%s", res.err);

	cr_assert_eq(chdir(cwd), 0);
	free(base);
	remove_tree(dir);
}

struct reader {
	const char *path;
	char *text;
};

static void *read_fifo(void *arg)
{
	struct reader *r = arg;
	FILE *f = fopen(r->path, "r");
	size_t len = 0;

	if (f) {
		if (getdelim(&r->text, &len, '\0', f) < 0 && !r->text)
			r->text = strdup("");
		fclose(f);
	}
	return NULL;
}

Test(compare_outputs, fifo_is_written_in_place, .timeout = 30)
{
	char *dir = cli_tmpdir(), *fifo = path_in(dir, "verdict.fifo");
	struct reader rd = { fifo, NULL };
	struct timespec deadline;
	pthread_t t;
	struct stat st;
	json_error_t je;
	json_t *doc;

	cr_assert_eq(mkfifo(fifo, 0600), 0);
	cr_assert_eq(pthread_create(&t, NULL, read_fifo, &rd), 0);
	COMPARE(FX "base.json", FX "regression.json", "--json", fifo, "-q");
	cr_expect_eq(res.status, 1, "%s", res.err);
	/* a writer that replaced the FIFO leaves the reader waiting in open for ever */
	clock_gettime(CLOCK_REALTIME, &deadline);
	deadline.tv_sec += 10;
	if (pthread_timedjoin_np(t, NULL, &deadline) != 0) {
		pthread_cancel(t);
		pthread_join(t, NULL);
	}
	cr_assert(rd.text, "the reader got nothing: the FIFO was never written");
	doc = json_loads(rd.text, 0, &je);
	cr_expect(doc, "the FIFO did not carry the verdict: %s", je.text);
	cr_expect_str_eq(json_string_value(json_object_get(doc, "verdict")), "regression");
	json_decref(doc);
	cr_assert_eq(lstat(fifo, &st), 0);
	cr_expect(S_ISFIFO(st.st_mode), "the FIFO was replaced (mode %o)", st.st_mode);
	cr_expect_eq(cli_count_entries(dir), 1, "a temporary file was left next to the FIFO");
	free(rd.text);
	free(fifo);
	remove_tree(dir);
}

Test(compare_outputs, full_device_is_one_line_and_stays_a_device)
{
	char *dir = cli_tmpdir(), *full = full_device(dir);
	struct stat before, after;

	cr_assert_eq(stat(full, &before), 0);
	COMPARE(FX "base.json", FX "base.json", "--json", full, "-q");
	expect_one_line_error(full);
	cr_expect(strstr(res.err, full), "%s", res.err);
	cr_assert_eq(lstat(full, &after), 0, "%s is gone", full);
	cr_expect(S_ISCHR(after.st_mode) && after.st_rdev == before.st_rdev && after.st_ino == before.st_ino,
		  "%s was replaced", full);
	free(full);
	remove_tree(dir);
}

Test(compare_outputs, a_failed_output_leaves_no_other)
{
	char *dir = cli_tmpdir(), *json = path_in(dir, "v.json"), *full = full_device(dir);
	char *missing = path_in(dir, "no/such/dir/s.md"), *text;
	int entries;

	/* the Markdown fails while it is written: the verdict must not be committed */
	COMPARE(FX "base.json", FX "regression.json", "--json", json, "--markdown", full);
	expect_one_line_error("markdown on a full device");
	cr_expect_eq(access(json, F_OK), -1, "--json was left behind when --markdown failed");

	/* ... nor replace what was there */
	write_text(json, "old\n");
	entries = cli_count_entries(dir);
	COMPARE(FX "base.json", FX "regression.json", "--json", json, "--markdown", full);
	expect_one_line_error("markdown on a full device, old verdict");
	text = slurp(json);
	cr_expect_str_eq(text, "old\n", "--json was replaced although --markdown failed");
	free(text);
	cr_expect_eq(cli_count_entries(dir), entries, "a temporary file was left behind");

	/* an output that cannot even be created is found before anything is written */
	COMPARE(FX "base.json", FX "regression.json", "--json", json, "--markdown", missing);
	expect_one_line_error("markdown in a missing directory");
	text = slurp(json);
	cr_expect_str_eq(text, "old\n");
	free(text);
	free(json);
	free(full);
	free(missing);
	remove_tree(dir);
}

/* base.json with a newline in the ids of ticket and pthread; in new, ticket hung and pthread gone. */
static char *newline_ids(const char *dir, const char *name, bool is_new)
{
	json_error_t je;
	json_t *doc = json_load_file(FX "base.json", 0, &je), *configs;
	char *path = path_in(dir, name);

	cr_assert(doc, "%s", je.text);
	configs = json_object_get(doc, "configs");
	json_object_set_new(json_array_get(configs, 0), "id", json_string("ticket\nforged row|cs:|threads=2|pin=compact"));
	json_object_set_new(json_array_get(configs, 2), "id", json_string("pthread\nforged only|cs:|threads=2|pin=compact"));
	if (is_new) {
		json_object_set_new(json_array_get(configs, 0), "status", json_string("hung"));
		json_array_remove(configs, 2);
	}
	cr_assert_eq(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	return path;
}

Test(compare_outputs, a_newline_in_an_id_forges_no_line)
{
	char *dir = cli_tmpdir(), *base = newline_ids(dir, "base.json", false), *nw = newline_ids(dir, "new.json", true);
	char *md = path_in(dir, "s.md"), *text;

	COMPARE(base, nw, "--markdown", md);
	cr_expect_eq(res.status, 1, "%s", res.err);
	/* header, 2 pairs x 3 metrics, "only in base", the summary */
	cr_expect_eq(cli_lines(res.out), 9, "%s", res.out);
	cr_expect(strstr(res.out, "ticket?forged row|cs:"), "%s", res.out);
	cr_expect(strstr(res.out, "only in base: pthread?forged only|"), "%s", res.out);
	for (const char *line = res.err; *line; line = strchr(line, '\n') + 1)
		cr_expect(strncmp(line, "lockbench: compare: ", 20) == 0, "a warning spans lines: %s", res.err);
	cr_expect(strstr(res.err, "ticket?forged row|"), "%s", res.err);
	text = slurp(md);
	for (const char *line = text; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL)
		cr_expect(strncmp(line, "forged", 6) != 0, "a row of the Markdown was split: %s", text);
	cr_expect(strstr(text, "| ticket?forged row\\|cs:"), "%s", text);
	free(text);
	free(md);
	free(base);
	free(nw);
	remove_tree(dir);
}

Test(compare_outputs, a_table_that_cannot_get_out_is_an_error)
{
	char *dir = cli_tmpdir(), *full = full_device(dir), *json = path_in(dir, "v.json"), *err = path_in(dir, "err");
	const char *bin = getenv("LOCKBENCH") ? getenv("LOCKBENCH") : "./lockbench";
	char *cmd = NULL, *text;
	int st;

	/* stdout on a full device: the table is lost, so is the run, and the verdict file is not written */
	cr_assert(asprintf(&cmd, "%s compare " FX "base.json " FX "regression.json --json '%s' >'%s' 2>'%s'", bin, json,
			   full, err) > 0);
	st = system(cmd);
	cr_expect(WIFEXITED(st) && WEXITSTATUS(st) == 2, "exit status %d", st);
	text = slurp(err);
	cr_expect_str_eq(text, "lockbench: compare: standard output: cannot write: No space left on device\n");
	cr_expect_eq(access(json, F_OK), -1, "the verdict was written although the table failed");
	free(text);
	free(cmd);
	free(err);
	free(json);
	free(full);
	remove_tree(dir);
}
