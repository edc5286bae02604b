/*
 * test_compare_cli.c — `lockbench compare`'s command line through the
 * binary: --help, -q, and every bad input (exit 2, nothing on stdout, one
 * line on stderr naming the problem). The fixtures are those of
 * tests/test_compare.c (tests/fixtures/compare/).
 */
#include <criterion/criterion.h>
#include <stdio.h>
#include <string.h>

#include "cli_util.h"

#define FX "tests/fixtures/compare/"

Test(compare_cli, quiet_prints_nothing_on_stdout)
{
	static struct cli_result r;
	const char *args[] = { "compare", "-q", FX "base.json", FX "regression.json", NULL };

	cli_run(&r, args);
	cr_expect_eq(r.status, 1);
	cr_expect_str_empty(r.out);
}

Test(compare_cli, help)
{
	static struct cli_result r;
	const char *args[] = { "compare", "--help", NULL };

	cli_run(&r, args);
	cr_expect_eq(r.status, 0);
	cr_expect(strstr(r.out, "usage: lockbench compare"), "%s", r.out);
	cr_expect(strstr(r.out, "Exit status"), "%s", r.out);
	/* the options of both sides of the merge: --filter and --wide beside --allow-mismatch and the groups */
	cr_expect(strstr(r.out, "  --filter F "), "%s", r.out);
	cr_expect(strstr(r.out, "  --wide "), "%s", r.out);
	cr_expect(strstr(r.out, "  --allow-mismatch LIST "), "%s", r.out);
	cr_expect(strstr(r.out, "groups: fairness, starvation, tail, hold, all"), "%s", r.out);
}

struct bad_case {
	const char *args[6];
	const char *message;
};

static const struct bad_case bad_cases[] = {
	{ { FX "base.json", FX "missing.json" }, "missing.json: No such file or directory" },
	{ { FX "invalid.json", FX "base.json" }, "invalid.json: invalid JSON at line 3: " },
	{ { FX "base.json", FX "wrong_schema.json" },
	  "wrong_schema.json: not a lockbench result (schema \"lockbench/2\"" },
	{ { FX "no_schema.json", FX "base.json" }, "no_schema.json: not a lockbench result" },
	{ { FX "not_object.json", FX "base.json" }, "not_object.json: not a lockbench result" },
	{ { FX "base.json", FX "disjoint.json" }, "have no config in common" },
	{ { FX "base.json", FX "duplicate_id.json" }, "duplicate id" },
	/* a damaged NEW used to be compared as if nothing were wrong (exit 0) */
	{ { FX "base.json", FX "samples_not_array.json" }, "samples_not_array.json: configs[0].samples" },
	{ { FX "base.json", FX "status_not_string.json" }, "status_not_string.json: configs[1].status" },
	{ { "tests/fixtures/compare", FX "base.json" }, "Is a directory" },
	{ { FX "base.json", FX "base.json", "--threshold", "abc" }, "--threshold: \"abc\"" },
	{ { FX "base.json", FX "base.json", "--threshold", "-5" }, "--threshold: \"-5\"" },
	{ { FX "base.json", FX "base.json", "--threshold", "5%%" }, "--threshold: \"5%%\"" },
	{ { FX "base.json", FX "base.json", "--threshold", "" }, "--threshold: \"\"" },
	{ { FX "base.json", FX "base.json", "--metric", "thruput" }, "unknown metric \"thruput\"" },
	{ { FX "base.json", FX "base.json", "--metric", "p99,,jain" }, "empty metric name" },
	{ { FX "base.json", FX "base.json", "--alpha", "0" }, "--alpha: \"0\"" },
	{ { FX "base.json", FX "base.json", "--alpha", "1.5" }, "--alpha: \"1.5\"" },
	{ { FX "base.json", FX "base.json", "--min-repeats", "0" }, "--min-repeats: \"0\"" },
	{ { FX "base.json", FX "base.json", "--min-repeats", "-2" }, "--min-repeats: \"-2\"" },
	{ { FX "base.json", FX "base.json", "--allow-mismatch", "colour" }, "--allow-mismatch: " },
	{ { FX "base.json", FX "base.json", "--filter", "colour=red" }, "--filter: " },
	{ { FX "base.json", FX "base.json", "--filter", "lock=nosuch" }, "no config matches --filter lock=nosuch" },
	{ { FX "base.json", FX "base.json", "--bogus" }, "unknown or ambiguous option \"--bogus\"" },
	{ { FX "base.json", FX "base.json", "-x" }, "unknown option \"-x\"" },
	{ { FX "base.json", FX "base.json", "--quiet=yes" }, "--quiet=yes: takes no value" },
	/* the shared verdict options' codes are no characters: not "unknown option -?" */
	{ { FX "base.json", FX "base.json", "--wide=yes" }, "--wide=yes: takes no value" },
	{ { FX "base.json", FX "base.json", "--json" }, "--json: missing value" },
	{ { FX "base.json" }, "expected two result files" },
	{ { FX "base.json", FX "base.json", FX "base.json" }, "expected two result files" },
};

Test(compare_cli, bad_input_exits_2)
{
	static struct cli_result r;

	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		const char *args[8] = { "compare" };
		const char *nl;

		for (int k = 0; k < 6 && c->args[k]; k++)
			args[k + 1] = c->args[k];
		cli_run(&r, args);
		cr_expect_eq(r.status, 2, "case %zu (%s): exit %d", i, c->message, r.status);
		cr_expect_str_empty(r.out, "case %zu: stdout: %s", i, r.out);
		cr_expect(strncmp(r.err, "lockbench: compare: ", 20) == 0, "case %zu: %s", i, r.err);
		cr_expect(strstr(r.err, c->message), "case %zu: want \"%s\" in: %s", i, c->message, r.err);
		nl = strchr(r.err, '\n');
		cr_expect(nl && nl[1] == '\0', "case %zu: not one line: %s", i, r.err);
	}
}
