/*
 * test_robustness.c — hostile and unlucky input to `run` and `stress`, one
 * test per defect found (issue 17), each failing without its fix:
 *
 *   a newline in a plug-in's file name or a string parameter reached the
 *   config id and the table row unescaped (a forged row, an id of two lines);
 *   -d 0x10ms was read as 16 ms (strtod takes hex);
 *   a control character in a time value gave a multi-line error;
 *   stress --params longer than 1 KiB was cut (1us recorded as 1ns... or 0);
 *   a string parameter's default copy leaked when a value replaced it;
 *   a non-UTF-8 -o path made command_line vanish (the result failed the schema);
 *   a final write that failed lost every finished config and exited 2.
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"
#include "engine/params.h"
#include "model/identity.h"
#include "model/json.h"
#include "model/output.h"
#include "plugin_util.h"

static struct cli_result *run_cli(const char *const *args)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	return r;
}

static json_t *load(const char *path)
{
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	cr_assert_not_null(doc, "%s: %s", path, je.text);
	return doc;
}

static int validate(const char *path)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json '%s' 1>&2", path);
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

Test(robust, newlines_never_reach_an_id_or_a_table_row, .timeout = 120)
{
	/* A plug-in named like a built-in lock is labelled with its file name, which holds a newline. */
	char *so = plugin_build("tests/fixtures/plugins/knobs.c", "-DNAME='\"ticket\"' -DPARAM_TYPE=LB_PARAM_STRING",
				"knobs");
	cr_assert_not_null(so, "plug-in did not build");
	char weird[512], spec[600], out[512];
	char *dir = cli_tmpdir();
	snprintf(weird, sizeof weird, "%s/we\nird.so", dir);
	cr_assert_eq(rename(so, weird), 0);
	snprintf(spec, sizeof spec, "%s:level=a\nb", weird);
	snprintf(out, sizeof out, "%s/r.json", dir);
	const char *args[] = { "run", "-l", spec, "-t", "1", "-d", "20ms", "--warmup", "2ms", "-p", "none", "-o", out,
			       "--wide", NULL };
	struct cli_result *r = run_cli(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_eq(cli_lines(r->out), 2, "a header and one row, got:\n%s", r->out);
	cr_expect(strstr(r->out, "ticket@we?ird.so:level=a?b") != NULL, "%s", r->out);

	json_t *doc = load(out);
	const char *id = json_string_value(json_object_get(json_array_get(json_object_get(doc, "configs"), 0), "id"));
	cr_assert_not_null(id);
	cr_expect_str_eq(id, "ticket@we%0Aird.so:level=a%0Ab|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=1|pin=none");
	struct lb_identity parsed;
	char err[256];
	cr_assert_eq(lb_identity_parse(id, &parsed, err, sizeof err), 0, "%s", err);
	cr_expect_str_eq(parsed.lock, "ticket@we\nird.so");
	cr_expect_str_eq(parsed.lock_params, "level=a\nb");
	json_decref(doc);
	unlink(weird);
	unlink(out);
	rmdir(dir);
	free(so);
	free(dir);
	free(r);
}

/* Exit 2 and one line on stderr naming the option. */
static void expect_refused(const char *option, const char *value, const char *needle)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/r.json", dir);
	const char *args[] = { "run", "-l", "ticket", "-t", "1", "-o", out, option, value, NULL };
	struct cli_result *r = run_cli(args);
	cr_expect_eq(r->status, 2, "%s %s: exit %d, %s", option, value, r->status, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "not one line: %s", r->err);
	cr_expect(strstr(r->err, needle) != NULL, "\"%s\" not in %s", needle, r->err);
	cr_expect_eq(cli_count_entries(dir), 0);
	free(r);
	free(dir);
}

Test(robust, durations_are_decimal, .timeout = 30)
{
	expect_refused("-d", "0x10ms", "--duration: \"0x10ms\" is not a time");
	expect_refused("-d", "1e2ms", "--duration: \"1e2ms\" is not a time");
	expect_refused("--warmup", "infs", "--warmup");
	expect_refused("-d", " 5ms", "--duration");
	int64_t ns;
	char err[128];
	cr_expect_eq(lb_parse_duration("1.5ms", false, &ns, err, sizeof err), 0, "%s", err);
	cr_expect_eq(ns, 1500000);
	cr_expect_eq(lb_parse_duration(".5us", false, &ns, err, sizeof err), 0, "%s", err);
	cr_expect_eq(ns, 500);
	cr_expect_eq(lb_parse_duration("0x10", true, &ns, err, sizeof err), -1, "hex taken as %lld", (long long)ns);
	cr_expect_eq(lb_parse_duration(".", true, &ns, err, sizeof err), -1);
}

Test(robust, a_control_character_in_a_value_is_a_one_line_error, .timeout = 30)
{
	expect_refused("-d", "5\nms", "--duration");
	expect_refused("--slice", "1\r\nms", "--slice");
	expect_refused("-p", "cpus:0\n1", "");
}

Test(robust, stress_params_of_any_length_are_read_whole, .timeout = 60)
{
	/* 1us written with 1500 leading zeros: cut at 1 KiB it became 0 (a bare number is ns). */
	size_t zeros = 1500;
	char *params = malloc(zeros + 64);
	strcpy(params, "cs_max_ns=");
	memset(params + strlen(params), '0', zeros);
	strcpy(params + 10 + zeros, "1us");
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/r.json", dir);
	const char *args[] = { "stress", "-l", "ticket", "-t", "2", "-d", "20ms", "-p", "none", "--params", params,
			       "-q", "-o", out, NULL };
	struct cli_result *r = run_cli(args);
	/* What is checked is the parameter; a loaded machine may fail the run's fairness checks (1). */
	cr_assert(r->status == 0 || r->status == 1, "%d: %s", r->status, r->err);
	json_t *doc = load(out);
	json_t *wp = json_object_get(json_object_get(json_array_get(json_object_get(doc, "configs"), 0), "workload"),
				     "params");
	cr_expect_eq(json_integer_value(json_object_get(wp, "cs_max_ns")), 1000);
	json_decref(doc);
	unlink(out);
	rmdir(dir);
	free(dir);
	free(params);
	free(r);
}

static const struct lb_param string_decl[] = {
	{ "name", LB_PARAM_STRING, "a-default-of-some-length", "", 0, 0 },
	{ "n", LB_PARAM_INT, "1", "", 0, 10 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

/* Bytes in use by malloc (0 under a sanitizer's allocator: LeakSanitizer then catches the leak). */
static size_t in_use(void)
{
	return mallinfo2().uordblks;
}

Test(robust, a_replaced_string_default_is_freed)
{
	union lb_value v[LB_MAX_PARAMS];
	char err[256];
	/* Warm up malloc's caches, then count. */
	cr_assert_eq(lb_params_parse("t", string_decl, "name=x", v, err, sizeof err), 0, "%s", err);
	lb_params_free(string_decl, v);
	size_t before = in_use();
	for (int i = 0; i < 2000; i++) {
		cr_assert_eq(lb_params_parse("t", string_decl, "name=given", v, err, sizeof err), 0);
		cr_assert_str_eq(v[0].s, "given");
		lb_params_free(string_decl, v);
		/* A failure leaves nothing to free either. */
		cr_assert_eq(lb_params_parse("t", string_decl, "name=given,n=99", v, err, sizeof err), -1);
	}
	size_t after = in_use();
	cr_expect_lt(after > before ? after - before : 0, 2000 * 16, "%zu bytes more in use after 2000 parses",
		     after - before);
}

Test(robust, a_path_that_is_not_utf8_gives_a_valid_result, .timeout = 60)
{
	char *dir = cli_tmpdir(), out[256];
	snprintf(out, sizeof out, "%s/r\xff\xfe.json", dir);
	const char *args[] = { "run", "-l", "ticket", "-t", "1", "-d", "20ms", "--warmup", "2ms", "-q", "-o", out, NULL };
	struct cli_result *r = run_cli(args);
	cr_assert_eq(r->status, 0, "%s", r->err);
	cr_expect_eq(validate(out), 0, "the result fails the schema");
	json_t *doc = load(out);
	json_t *ctx = json_object_get(doc, "context");
	const char *cmd = json_string_value(json_object_get(ctx, "command_line"));
	cr_assert_not_null(cmd, "command_line is missing");
	cr_expect(strstr(cmd, "r\\xFF\\xFE.json") != NULL, "%s", cmd);
	json_t *argv = json_object_get(ctx, "argv");
	cr_expect(strstr(json_string_value(json_array_get(argv, json_array_size(argv) - 1)), "\\xFF\\xFE"));
	json_decref(doc);
	unlink(out);
	rmdir(dir);
	free(dir);
	free(r);
}

/* The file the error says the results were kept in. */
static char *kept_file(const char *err)
{
	const char *p = strstr(err, "the results are kept in ");
	cr_assert_not_null(p, "no recovery file named: %s", err);
	p += strlen("the results are kept in ");
	return strndup(p, strcspn(p, "\n"));
}

/* Lines on stderr other than the warning about a busy machine. */
static int error_lines(const char *err)
{
	int n = 0;
	for (const char *p = err; *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : p + strlen(p))
		n += strncmp(p, "lockbench: warning: ", 20) != 0;
	return n;
}

static void expect_kept(struct cli_result *r, int configs)
{
	cr_expect_eq(r->status, 3, "exit %d: %s", r->status, r->err);
	cr_expect_eq(error_lines(r->err), 1, "not one line: %s", r->err);
	char *kept = kept_file(r->err);
	struct lb_result *res;
	char err[512];
	cr_assert_eq(lb_result_load(kept, &res, err, sizeof err), 0, "%s", err);
	cr_expect_eq(res->nconfigs, (size_t)configs);
	cr_expect_eq(res->configs[0].nsamples, 1, "the finished run is not in the recovery file");
	cr_expect_eq(validate(kept), 0);
	lb_result_free(res);
	unlink(kept);
	free(kept);
}

Test(robust, a_failed_write_to_a_device_keeps_the_results, .timeout = 60)
{
	char *tmp = cli_tmpdir();
	setenv("TMPDIR", tmp, 1);
	const char *args[] = { "run", "-l", "ticket,mcs", "-t", "1", "-d", "20ms", "--warmup", "2ms", "-q", "-o", "/dev/full", NULL };
	struct cli_result *r = run_cli(args);
	cr_expect(strstr(r->err, "/dev/full: write failed") != NULL, "%s", r->err);
	cr_expect(strstr(r->err, tmp) != NULL, "not kept in $TMPDIR: %s", r->err);
	expect_kept(r, 2);
	struct stat st;
	cr_expect(stat("/dev/full", &st) == 0 && S_ISCHR(st.st_mode));
	cr_expect_eq(cli_count_entries(tmp), 0);
	rmdir(tmp);
	free(tmp);
	free(r);
}

/* As root, a file system that fills up mid-write: a tmpfs of 8 KiB (the old file takes a page of it). */
Test(robust, a_full_disk_keeps_the_old_file_and_the_results, .timeout = 60)
{
	if (geteuid() != 0)
		cr_skip_test("needs root to mount a small tmpfs");
	char *mnt = cli_tmpdir(), *tmp = cli_tmpdir(), out[256];
	if (mount("tmpfs", mnt, "tmpfs", 0, "size=8k") != 0)
		cr_skip_test("cannot mount a tmpfs here");
	snprintf(out, sizeof out, "%s/r.json", mnt);
	FILE *f = fopen(out, "w");
	fputs("old\n", f);
	fclose(f);
	setenv("TMPDIR", tmp, 1);
	/* About 35 KB of result. */
	const char *args[] = { "run", "-l", "ticket,mcs", "-t", "1,2,3", "-d", "20ms", "--warmup", "2ms", "-q", "-o", out, NULL };
	struct cli_result *r = run_cli(args);
	char buf[16] = "";
	f = fopen(out, "r");
	if (f != NULL && fgets(buf, sizeof buf, f) == NULL)
		buf[0] = '\0';
	if (f != NULL)
		fclose(f);
	int left = cli_count_entries(mnt);
	/* Unmounted before anything can end the test early. */
	umount(mnt);
	rmdir(mnt);
	cr_expect_str_eq(buf, "old\n", "the old file changed");
	cr_expect_eq(left, 1, "a temporary or partial file was left on the full disk");
	cr_expect(strstr(r->err, "No space left on device") != NULL, "%s", r->err);
	expect_kept(r, 6);
	rmdir(tmp);
	free(mnt);
	free(tmp);
	free(r);
}

static int emit_text(FILE *f, void *arg)
{
	return fputs(arg, f) < 0 ? -1 : 0;
}

Test(robust, kept_results_go_next_to_a_regular_target_first)
{
	char *dir = cli_tmpdir(), target[256], kept[512], err[256];
	snprintf(target, sizeof target, "%s/r.json", dir);
	cr_assert_eq(lb_output_keep(target, emit_text, "kept\n", kept, sizeof kept, err, sizeof err), 0, "%s", err);
	cr_expect(strncmp(kept, target, strlen(target)) == 0 && strstr(kept, ".recovered-"), "%s", kept);
	cr_expect_eq(access(target, F_OK), -1, "the target itself was written");
	FILE *f = fopen(kept, "r");
	char buf[16] = "";
	cr_assert_not_null(f);
	cr_expect(fgets(buf, sizeof buf, f) && strcmp(buf, "kept\n") == 0);
	fclose(f);
	unlink(kept);
	rmdir(dir);
	free(dir);
}
