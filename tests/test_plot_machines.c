/*
 * test_plot_machines.c — `lockbench plot` of a merged result of several
 * machines (lockbench merge of the compare fixtures: base.json and
 * regression.json on host h1, other_host.json on h2; h1 has ticket, mcs,
 * pthread and clh, h2 ticket, mcs and pthread):
 *
 *   - one throughput series per lock and machine, titled "lock @ machine",
 *     each made of its own machine's configs (a series per lock alone would
 *     blend h1's ticket with h2's), in the lock's colour with a dash type per
 *     machine; the title names both machines
 *   - a plain result keeps its titles: no machine in them
 *   - the chart of a verdict by machine labels each row with its machine
 */
#define _GNU_SOURCE
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "plot_util.h"

#define CFX "tests/fixtures/compare/"

static char *merged(const char *dir)
{
	char *out = path_in(dir, "two.json");
	const char *args[] = { "merge", "-o", out, CFX "base.json", CFX "regression.json", CFX "other_host.json", NULL };
	cr_assert_eq(plot_status(args), 0);
	return out;
}

/* The summary median throughput of `lock` on `machine` in the merged document. */
static double median_of(json_t *doc, const char *machine, const char *lock)
{
	json_t *c;
	size_t i;
	json_array_foreach(json_object_get(doc, "configs"), i, c) {
		const char *id = json_string_value(json_object_get(c, "id"));
		if (strcmp(json_string_value(json_object_get(c, "machine")), machine) == 0 &&
		    strncmp(id, lock, strlen(lock)) == 0 && id[strlen(lock)] == '|')
			return json_number_value(json_object_get(
				json_object_get(json_object_get(c, "summary"), "throughput_per_s"), "median"));
	}
	cr_assert_fail("no %s on %s", lock, machine);
	return NAN;
}

Test(plot_machines, one_series_per_lock_and_machine, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *two = merged(dir), *out = path_in(dir, "charts");
	const char *args[] = { "plot", two, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *meta = slurp_in(out, "meta.gp"), *dat = slurp_in(out, "throughput.dat");
	cr_assert(meta && dat);
	char *keys = line_starting(meta, "array throughput_key[");
	cr_expect_str_eq(keys, "array throughput_key[7] = ['ticket @ h1', 'mcs @ h1', 'pthread @ h1', 'clh @ h1', "
			       "'ticket @ h2', 'mcs @ h2', 'pthread @ h2']");
	char *dash = line_starting(meta, "array throughput_workload[");
	cr_expect_str_eq(dash, "array throughput_workload[7] = [1, 1, 1, 1, 2, 2, 2]", "a dash type per machine");
	char *machine = line_starting(meta, "machine = ");
	cr_expect_str_eq(machine, "machine = '2 machines: h1, h2'");
	cr_expect_eq(data_rows(dat), 7, "one point (2 threads) per series");

	/* Each block's point is its own machine's config: h1's ticket has regression.json's samples too. */
	json_error_t e;
	json_t *doc = json_load_file(two, 0, &e);
	cr_assert_not_null(doc, "%s", e.text);
	cr_assert(fabs(median_of(doc, "h1", "ticket") / median_of(doc, "h2", "ticket") - 1) > 0.01,
		  "the fixture must tell the machines apart");
	static const char *const blocks[][2] = { { "h1", "ticket" }, { "h1", "mcs" }, { "h1", "pthread" },
						 { "h1", "clh" },    { "h2", "ticket" }, { "h2", "mcs" },
						 { "h2", "pthread" } };
	const char *p = dat;
	for (size_t b = 0; b < 7; b++) {
		char head[64];
		snprintf(head, sizeof head, "# block %zu: %s @ %s ", b, blocks[b][1], blocks[b][0]);
		p = strstr(p, head);
		cr_assert_not_null(p, "no \"%s\" in order in\n%s", head, dat);
		p = strchr(p, '\n') + 1;
		double threads = strtod(p, (char **)&p), med = strtod(p, NULL);
		cr_expect_eq(threads, 2);
		double want = median_of(doc, blocks[b][0], blocks[b][1]);
		cr_expect(fabs(med - want) <= 1e-9 * want, "%s @ %s: %g, want %g", blocks[b][1], blocks[b][0], med, want);
	}
	json_decref(doc);
	free(keys);
	free(dash);
	free(machine);
	free(meta);
	free(dat);
	free(out);
	free(two);
	free(dir);
}

Test(plot_machines, merged_result_draws, .init = use_repo_scripts, .timeout = 60)
{
	char *dir = cli_tmpdir(), *two = merged(dir), *out = path_in(dir, "charts");
	const char *args[] = { "plot", two, "-o", out, "-f", "svg", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *svg = slurp_in(out, "throughput.svg");
	cr_assert_not_null(svg);
	cr_expect(strstr(svg, "ticket @ h2") != NULL, "the key names the machine");
	free(svg);
	free(out);
	free(two);
	free(dir);
}

Test(plot_machines, a_plain_result_has_no_machine_in_its_titles, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *out = path_in(dir, "charts");
	const char *args[] = { "plot", CFX "base.json", "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *meta = slurp_in(out, "meta.gp");
	char *keys = line_starting(meta, "array throughput_key[");
	cr_expect_str_eq(keys, "array throughput_key[3] = ['ticket', 'mcs', 'pthread']");
	char *dash = line_starting(meta, "array throughput_workload[");
	cr_expect_str_eq(dash, "array throughput_workload[3] = [1, 1, 1]");
	free(keys);
	free(dash);
	free(meta);
	free(out);
	free(dir);
}

Test(plot_machines, a_verdict_by_machine_labels_its_rows_with_their_machine, .init = use_repo_scripts, .timeout = 30)
{
	char *dir = cli_tmpdir(), *two = merged(dir), *v = path_in(dir, "v.json"), *out = path_in(dir, "charts");
	const char *cmp[] = { "compare", two, two, "--json", v, "-q", NULL };
	cr_assert_eq(plot_status(cmp), 0);
	const char *args[] = { "plot", v, "-o", out, "--data-only", "-q", NULL };
	cr_assert_eq(plot_status(args), 0);
	char *dat = slurp_in(out, "compare.dat");
	cr_assert_not_null(dat);
	cr_expect(strstr(dat, "\"ticket @ h1 throughput\"") && strstr(dat, "\"ticket @ h2 throughput\""),
		  "one row per machine, told apart: %s", dat);
	cr_expect_eq(data_rows(dat), 21);
	free(dat);
	free(out);
	free(v);
	free(two);
	free(dir);
}
