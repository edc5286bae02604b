/*
 * test_filter.c — `--filter`: its parser and matcher (analysis/filter.c),
 * and the commands that take it (compare, plot; report and export in their
 * own tests).
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/filter.h"
#include "cli_util.h"

#define GIL1 "gil:interval=1ms,force_switch=1|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=2|pin=compact"
#define GIL5 "gil:interval=5ms,force_switch=1|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=8|pin=compact"
#define TICKET "ticket:|cs:cs_ns=0ns,think_ns=0ns,cs_lines=1|threads=4|pin=scatter"
#define PLUGIN "tatas@./mylock.so:|rw:readers=3|threads=16|pin=cpus:0-3"

static struct lb_filter parse(const char *a, const char *b)
{
	struct lb_filter f = { 0 };
	char err[256];
	cr_assert_eq(lb_filter_parse(&f, a, err, sizeof err), 0, "%s: %s", a, err);
	if (b != NULL)
		cr_assert_eq(lb_filter_parse(&f, b, err, sizeof err), 0, "%s: %s", b, err);
	return f;
}

static void expect(const char *a, const char *b, const char *id, bool want)
{
	struct lb_filter f = parse(a, b);
	cr_expect_eq(lb_filter_match(&f, id, NULL), want, "--filter %s%s%s on %s: expected %s", a, b ? " --filter " : "",
		     b ? b : "", id, want ? "a match" : "none");
	lb_filter_free(&f);
}

Test(filter, values_of_one_key_are_alternatives)
{
	expect("lock=ticket,mcs", NULL, TICKET, true);
	expect("lock=mcs,ticket", NULL, TICKET, true);
	expect("lock=mcs,clh", NULL, TICKET, false);
	expect("threads=1,2,4", NULL, TICKET, true);
	expect("threads=1,2", NULL, TICKET, false);
}

Test(filter, keys_must_all_match)
{
	expect("lock=ticket,threads=4", NULL, TICKET, true);
	expect("lock=ticket,threads=2", NULL, TICKET, false);
	expect("lock=ticket,mcs,threads=1-8,pin=scatter", NULL, TICKET, true);
	expect("lock=ticket", "threads=8", TICKET, false);
	expect("lock=ticket", "threads=2-4", TICKET, true);
}

Test(filter, a_lock_matches_by_name_or_with_its_parameters)
{
	expect("lock=gil", NULL, GIL1, true);
	expect("lock=gil:interval=1ms*", NULL, GIL1, true);
	expect("lock=gil:interval=1ms*", NULL, GIL5, false);
	expect("lock=g*", NULL, GIL5, true);
	expect("lock=gi", NULL, GIL5, false);
	expect("lock=tatas@*", NULL, PLUGIN, true);
	expect("workload=rw", NULL, PLUGIN, true);
	expect("workload=rw:readers=3", NULL, PLUGIN, true);
	expect("workload=cs", NULL, PLUGIN, false);
	expect("pin=cpus:*", NULL, PLUGIN, true);
	expect("threads=10-20", NULL, PLUGIN, true);
}

Test(filter, a_machine_matches_only_a_merged_config)
{
	struct lb_filter f = parse("machine=node-*", NULL);
	cr_expect(lb_filter_match(&f, TICKET, "node-3"));
	cr_expect(!lb_filter_match(&f, TICKET, "login"));
	cr_expect(!lb_filter_match(&f, TICKET, NULL));
	lb_filter_free(&f);
}

Test(filter, an_empty_filter_keeps_all_and_a_bad_id_nothing)
{
	struct lb_filter none = { 0 }, f = parse("threads=2", NULL);
	cr_expect(lb_filter_match(&none, "not an id", NULL));
	cr_expect(!lb_filter_match(&f, "not an id", NULL));
	cr_expect(!lb_filter_match(&f, NULL, NULL));
	lb_filter_free(&f);
}

static void refused(const char *text, const char *needle)
{
	struct lb_filter f = { 0 };
	char err[256] = "";
	cr_expect_eq(lb_filter_parse(&f, text, err, sizeof err), -1, "%s was taken", text);
	cr_expect(strstr(err, needle), "%s: %s (expected \"%s\")", text, err, needle);
	cr_expect_null(strchr(err, '\n'), "one line: %s", err);
	lb_filter_free(&f);
}

Test(filter, bad_text_is_refused_in_one_line)
{
	refused("", "empty filter");
	refused("ticket", "KEY=VALUE");
	refused("colour=red", "\"colour\": not lock");
	refused("threads=x", "threads=x: not a thread count");
	refused("threads=8-2", "threads=8-2");
	refused("threads=-1", "threads=-1");
	refused("lock=", "lock=: an empty value");
	refused("lock=a,,b", "an empty value");
}

/* ---- through the commands ---- */

static int count(const char *text, const char *needle)
{
	int n = 0;
	for (const char *p = text; (p = strstr(p, needle)) != NULL; p++)
		n++;
	return n;
}

Test(filter_cli, compare_judges_only_the_configs_kept, .timeout = 30)
{
	struct cli_result r;
	const char *args[] = { "compare", "tests/fixtures/compare/base.json", "tests/fixtures/compare/regression.json",
			       "--filter", "lock=mcs", "--wide", NULL };
	cli_run(&r, args);
	cr_expect_eq(r.status, 0, "the regression is ticket's, and ticket is filtered out: %s %s", r.out, r.err);
	cr_expect_eq(count(r.out, "ticket|"), 0, "%s", r.out);
	cr_expect_eq(count(r.out, "mcs|"), 3, "%s", r.out);
	const char *none[] = { "compare", "tests/fixtures/compare/base.json", "tests/fixtures/compare/regression.json",
			       "--filter", "lock=nothing*", NULL };
	cli_run(&r, none);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "no config matches --filter lock=nothing*"), "%s", r.err);
	const char *bad[] = { "compare", "tests/fixtures/compare/base.json", "tests/fixtures/compare/regression.json",
			      "--filter", "speed=fast", NULL };
	cli_run(&r, bad);
	cr_expect_eq(r.status, 2);
	cr_expect(strstr(r.err, "lockbench: compare: --filter: \"speed\""), "%s", r.err);
}

Test(filter_cli, plot_draws_only_the_configs_kept, .timeout = 30)
{
	struct cli_result r;
	char *dir = cli_tmpdir(), *meta;
	cr_assert(asprintf(&meta, "%s/meta.gp", dir) > 0);
	const char *args[] = { "plot", "tests/fixtures/plot/result.json", "-o", dir, "--data-only", "-q",
			       "--filter", "lock=gil", NULL };
	cli_run(&r, args);
	cr_assert_eq(r.status, 0, "%s", r.err);
	FILE *f = fopen(meta, "r");
	cr_assert_not_null(f);
	char line[4096];
	bool seen = false;
	while (fgets(line, sizeof line, f))
		if (strncmp(line, "array throughput_name[", 22) == 0) {
			seen = true;
			cr_expect_str_eq(line, "array throughput_name[1] = ['gil']\n");
		}
	fclose(f);
	cr_expect(seen);
	/* A verdict's rows too. */
	const char *v[] = { "plot", "tests/fixtures/plot/verdict.json", "-o", dir, "--data-only", "-q", "--filter",
			    "lock=ticket", NULL };
	cli_run(&r, v);
	cr_assert_eq(r.status, 0, "%s", r.err);
	free(meta), free(dir);
}
