/*
 * test_schema.c — results validate against results/schema.json with a real
 * JSON Schema validator, and the validator rejects a result with a key
 * missing (so a pass means something).
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli_util.h"

/* Exit code of the validator; its complaint goes to stderr unless quiet. */
static int validate(const char *doc, bool quiet)
{
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json %s 1>&2%s", doc,
		 quiet ? " 2>/dev/null" : "");
	int st = system(cmd);
	return WIFEXITED(st) ? WEXITSTATUS(st) : -1;
}

static char *make_result(const char *const *extra)
{
	char *dir = cli_tmpdir();
	static char out[256];
	snprintf(out, sizeof out, "%s/r.json", dir);
	const char *args[32] = { "run", "-d", "50ms", "--warmup", "5ms", "-q", "-p", "none", "-o", out };
	size_t n = 10;
	for (size_t i = 0; extra[i]; i++)
		args[n++] = extra[i];
	args[n] = NULL;
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "run failed: %s", r->err);
	free(r);
	free(dir);
	return out;
}

Test(schema, timed_run_with_repetitions_validates, .timeout = 120)
{
	const char *extra[] = { "-l", "ticket,gil:interval=1ms,none", "-t", "1,2", "-r", "2", NULL };
	cr_assert_eq(validate(make_result(extra), false), 0);
}

Test(schema, untimed_run_with_nulls_validates, .timeout = 120)
{
	const char *extra[] = { "-l", "pthread,mcs", "-t", "2", "--timing", "off", NULL };
	cr_assert_eq(validate(make_result(extra), false), 0);
}

Test(schema, validator_rejects_a_result_missing_a_key, .timeout = 120)
{
	const char *extra[] = { "-l", "ticket", "-t", "2", NULL };
	const char *path = make_result(extra);
	json_error_t je;
	json_t *doc = json_load_file(path, 0, &je);
	cr_assert_not_null(doc);
	json_t *s = json_array_get(json_object_get(json_array_get(json_object_get(doc, "configs"), 0), "samples"), 0);
	json_object_del(json_object_get(s, "fairness"), "jain");
	cr_assert_eq(json_dump_file(doc, path, 0), 0);
	json_decref(doc);
	cr_assert_eq(validate(path, true), 1, "a result without fairness.jain must not validate");
}
