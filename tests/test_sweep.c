/*
 * test_sweep.c — `lockbench sweep` without Slurm: every bad spec is one line
 * and exit 2 with no sweep directory made; --local runs the shards here,
 * rotated, and merges them; --resume reruns only the shards that are
 * missing. (Through a real Slurm cluster: tests/slurm/test-sweep.sh.)
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cli_util.h"

static void write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");
	cr_assert_not_null(f, "%s", path);
	fputs(text, f);
	fclose(f);
}

static json_t *load(const char *path)
{
	json_error_t e;
	json_t *doc = json_load_file(path, 0, &e);
	cr_assert_not_null(doc, "%s: %s", path, e.text);
	return doc;
}

/* A spec with members `extra` (JSON, may be empty) after a valid base. */
#define BASE "\"locks\": [\"ticket\", \"pthread\"], \"threads\": [1, 2], \"repetitions\": 2, \"duration\": \"20ms\", \"warmup\": \"5ms\""

static void expect_bad_spec(const char *spec_text, const char *needle)
{
	char *dir = cli_tmpdir(), spec[512], out[512];
	snprintf(spec, sizeof spec, "%s/spec.json", dir);
	snprintf(out, sizeof out, "%s/sweep", dir);
	write_file(spec, spec_text);
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "sweep", spec, "--local", "-o", out, NULL };
	cli_run(r, args);
	cr_expect_eq(r->status, 2, "exit %d; stderr: %s", r->status, r->err);
	cr_expect_eq(cli_lines(r->err), 1, "one line on stderr, got: %s", r->err);
	cr_expect(strncmp(r->err, "lockbench: sweep: ", 18) == 0, "prefix: %s", r->err);
	cr_expect(strstr(r->err, needle) != NULL, "\"%s\" not in: %s", needle, r->err);
	cr_expect_neq(access(out, F_OK), 0, "a sweep directory was made for a bad spec");
	free(r);
	free(dir);
}

#define BAD_SPEC(name, needle, text)                           \
	Test(sweep_bad_spec, name, .timeout = 30)              \
	{                                                      \
		expect_bad_spec(text, needle);                 \
	}

BAD_SPEC(not_json, "line", "{\"locks\": [\"ticket\",}")
BAD_SPEC(not_object, "not a JSON object", "[1, 2]")
BAD_SPEC(unknown_key, "unknown key \"colour\"", "{" BASE ", \"colour\": \"blue\"}")
BAD_SPEC(duplicate_key, "duplicate", "{" BASE ", \"repetitions\": 3}")
BAD_SPEC(no_locks, "locks: not a non-empty array", "{\"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(empty_locks, "locks: not a non-empty array", "{\"locks\": [], \"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(lock_not_string, "locks[1]: not a non-empty string", "{\"locks\": [\"ticket\", 3], \"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(unknown_lock, "locks[0]: unknown lock \"nosuch\"", "{\"locks\": [\"nosuch\"], \"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(bad_lock_param, "locks[0]", "{\"locks\": [\"gil:interval=fast\"], \"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(two_locks_in_one, "more than one lock", "{\"locks\": [\"ticket,mcs\"], \"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(unknown_workload, "workloads[0]: unknown workload", "{" BASE ", \"workloads\": [\"nosuch\"]}")
BAD_SPEC(workload_needs_caps, "workloads[0]: nest needs a lock with", "{\"locks\": [\"ticket\"], \"workloads\": [\"nest\"], \"threads\": [1], \"repetitions\": 1}")
BAD_SPEC(no_threads, "threads: not an array", "{\"locks\": [\"ticket\"], \"repetitions\": 1}")
BAD_SPEC(zero_threads, "threads[1]: not an integer in [1, 1024]", "{\"locks\": [\"ticket\"], \"threads\": [1, 0], \"repetitions\": 1}")
BAD_SPEC(threads_as_string, "threads: not an array", "{\"locks\": [\"ticket\"], \"threads\": \"1,2\", \"repetitions\": 1}")
BAD_SPEC(duplicate_threads, "threads[1]: 2 is already in the list", "{\"locks\": [\"ticket\"], \"threads\": [2, 2], \"repetitions\": 1}")
BAD_SPEC(no_repetitions, "repetitions: not an integer", "{\"locks\": [\"ticket\"], \"threads\": [1]}")
BAD_SPEC(zero_repetitions, "repetitions: not an integer in [1, 1000]", "{\"locks\": [\"ticket\"], \"threads\": [1], \"repetitions\": 0}")
BAD_SPEC(bad_duration, "duration: ", "{\"locks\": [\"ticket\"], \"threads\": [1], \"repetitions\": 1, \"duration\": \"5\"}")
BAD_SPEC(short_duration, "duration: \"10us\" is too short", "{\"locks\": [\"ticket\"], \"threads\": [1], \"repetitions\": 1, \"duration\": \"10us\"}")
BAD_SPEC(bad_warmup, "warmup: ", "{\"locks\": [\"ticket\"], \"threads\": [1], \"repetitions\": 1, \"warmup\": \"soon\"}")
BAD_SPEC(bad_pin, "pin: ", "{\"locks\": [\"ticket\"], \"threads\": [1], \"repetitions\": 1, \"pin\": \"everywhere\"}")
BAD_SPEC(bad_timing, "timing: \"sometimes\"", "{\"locks\": [\"ticket\"], \"threads\": [1], \"repetitions\": 1, \"timing\": \"sometimes\"}")
BAD_SPEC(bad_time_limit, "time_limit: \"an hour\"", "{" BASE ", \"time_limit\": \"an hour\"}")
BAD_SPEC(machines_empty, "machines: not an array of 1", "{" BASE ", \"machines\": []}")
BAD_SPEC(machine_no_name, "machines[0]: no \"name\"", "{" BASE ", \"machines\": [{\"partition\": \"p\"}]}")
BAD_SPEC(machine_bad_name, "machines[0].name: \"a/b\"", "{" BASE ", \"machines\": [{\"name\": \"a/b\"}]}")
BAD_SPEC(machine_twice, "machines[1].name: \"a\" is already used", "{" BASE ", \"machines\": [{\"name\": \"a\"}, {\"name\": \"a\"}]}")
BAD_SPEC(machine_unknown_key, "machines[0]: unknown key \"nodes\"", "{" BASE ", \"machines\": [{\"name\": \"a\", \"nodes\": \"n1\"}]}")
BAD_SPEC(machine_two_nodes, "machines[0].node: \"n[1-2]\" is not one node", "{" BASE ", \"machines\": [{\"name\": \"a\", \"node\": \"n[1-2]\"}]}")
BAD_SPEC(sbatch_reserved, "--array is set by the sweep itself", "{" BASE ", \"machines\": [{\"name\": \"a\", \"sbatch_args\": [\"--array=0-9\"]}]}")
BAD_SPEC(sbatch_short_option, "not a long option", "{" BASE ", \"machines\": [{\"name\": \"a\", \"sbatch_args\": [\"-A\", \"x\"]}]}")

Test(sweep_bad_spec, missing_file_and_bad_options, .timeout = 30)
{
	struct cli_result *r = calloc(1, sizeof *r);
	const char *nofile[] = { "sweep", "/nonexistent/spec.json", "--local", NULL };
	cli_run(r, nofile);
	cr_expect_eq(r->status, 2, "%s", r->err);
	cr_expect(strstr(r->err, "/nonexistent/spec.json") && cli_lines(r->err) == 1, "%s", r->err);
	const char *nospec[] = { "sweep", "--local", NULL };
	cli_run(r, nospec);
	cr_expect(r->status == 2 && strstr(r->err, "no spec file"), "%s", r->err);
	const char *two[] = { "sweep", "--status", "/tmp", "--cancel", "/tmp", NULL };
	cli_run(r, two);
	cr_expect(r->status == 2 && strstr(r->err, "exclude each other"), "%s", r->err);
	const char *notsweep[] = { "sweep", "--status", "/tmp", NULL };
	cli_run(r, notsweep);
	cr_expect(r->status == 2 && strstr(r->err, "no sweep here") && cli_lines(r->err) == 1, "%s", r->err);
	const char *poll[] = { "sweep", "x.json", "--poll", "1us", NULL };
	cli_run(r, poll);
	cr_expect(r->status == 2 && strstr(r->err, "--poll"), "%s", r->err);
	free(r);
}

/* A small local sweep into dir/sweep; its manifest. */
static json_t *local_sweep(const char *dir, struct cli_result *r)
{
	char spec[512], out[512], path[600];
	snprintf(spec, sizeof spec, "%s/spec.json", dir);
	snprintf(out, sizeof out, "%s/sweep", dir);
	write_file(spec, "{" BASE "}");
	const char *args[] = { "sweep", spec, "--local", "-o", out, NULL };
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "exit %d: %s %s", r->status, r->out, r->err);
	snprintf(path, sizeof path, "%s/manifest.json", out);
	return load(path);
}

static const char *arg_after(json_t *argv, const char *opt, size_t nth)
{
	size_t i, seen = 0;
	json_t *a;
	json_array_foreach(argv, i, a)
		if (strcmp(json_string_value(a), opt) == 0 && seen++ == nth)
			return json_string_value(json_array_get(argv, i + 1));
	return "(none)";
}

Test(sweep_local, runs_rotated_shards_and_merges, .timeout = 120)
{
	char *dir = cli_tmpdir(), path[600];
	struct cli_result *r = calloc(1, sizeof *r);
	json_t *m = local_sweep(dir, r);
	json_t *shards = json_object_get(m, "shards");
	cr_assert_eq(json_array_size(shards), 2);
	for (size_t k = 0; k < 2; k++) {
		json_t *s = json_array_get(shards, k);
		cr_expect_str_eq(json_string_value(json_object_get(s, "state")), "COMPLETED");
		cr_expect_str_eq(json_string_value(json_object_get(s, "machine")), "local");
		json_t *argv = json_object_get(s, "argv");
		cr_expect_str_eq(arg_after(argv, "-r", 0), "1", "one repetition per shard");
		cr_expect_str_eq(arg_after(argv, "--duration", 0), "20ms");
		/* Shard k starts with the k-th lock and thread count: drift hits every config alike. */
		cr_expect_str_eq(arg_after(argv, "--locks", 0), k == 0 ? "ticket" : "pthread");
		cr_expect_str_eq(arg_after(argv, "--locks", 1), k == 0 ? "pthread" : "ticket");
		cr_expect_str_eq(arg_after(argv, "--threads", 0), k == 0 ? "1,2" : "2,1");
	}
	snprintf(path, sizeof path, "%s/sweep/result.json", dir);
	json_t *doc = load(path);
	cr_expect_eq(json_array_size(json_object_get(doc, "missing")), 0);
	json_t *configs = json_object_get(doc, "configs"), *c;
	cr_expect_eq(json_array_size(configs), 4);
	size_t i;
	json_array_foreach(configs, i, c) {
		json_t *samples = json_object_get(c, "samples");
		cr_expect_str_eq(json_string_value(json_object_get(c, "machine")), "local");
		cr_expect_eq(json_array_size(samples), 2, "%s", json_string_value(json_object_get(c, "id")));
		for (size_t k = 0; k < json_array_size(samples); k++) {
			json_t *s = json_array_get(samples, k);
			cr_expect_eq(json_integer_value(json_object_get(s, "repetition")), (json_int_t)k);
			cr_expect_eq(json_integer_value(json_object_get(s, "shard")), (json_int_t)k);
		}
		json_t *n = json_object_get(json_object_get(json_object_get(c, "summary"), "throughput_per_s"), "n");
		cr_expect_eq(json_integer_value(n), 2, "summary recomputed over both shards");
	}
	json_t *machines = json_object_get(json_object_get(doc, "context"), "machines");
	cr_expect_eq(json_array_size(machines), 1);
	cr_expect_not_null(json_object_get(json_object_get(json_array_get(machines, 0), "context"), "host"));
	char cmd[1024];
	snprintf(cmd, sizeof cmd, "/usr/bin/python3 tests/validate_schema.py results/schema.json %s", path);
	cr_expect_eq(system(cmd), 0, "the merged result is valid against the schema");
	json_decref(doc);
	json_decref(m);
	free(r);
	free(dir);
}

Test(sweep_local, resume_reruns_only_missing_shards, .timeout = 120)
{
	char *dir = cli_tmpdir(), path[700], sweep[600];
	struct cli_result *r = calloc(1, sizeof *r);
	json_decref(local_sweep(dir, r));
	snprintf(sweep, sizeof sweep, "%s/sweep", dir);
	const char *resume[] = { "sweep", "--resume", sweep, NULL };
	cli_run(r, resume);
	cr_expect_eq(r->status, 0, "%s", r->err);
	cr_expect(strstr(r->out, "nothing to resume"), "%s", r->out);

	/* Shard 1 loses its result: merged, it is missing; resumed, only it runs again. */
	snprintf(path, sizeof path, "%s/shards/local-1.json", sweep);
	cr_assert_eq(unlink(path), 0);
	char out[700];
	snprintf(out, sizeof out, "%s/partial.json", dir);
	const char *merge[] = { "merge", sweep, "-o", out, NULL };
	cli_run(r, merge);
	cr_expect_eq(r->status, 0, "%s", r->err);
	json_t *doc = load(out), *miss;
	size_t i;
	cr_expect_eq(json_array_size(json_object_get(doc, "missing")), 4, "every config of shard 1");
	json_array_foreach(json_object_get(doc, "missing"), i, miss) {
		cr_expect_eq(json_integer_value(json_object_get(miss, "shard")), 1);
		cr_expect_str_eq(json_string_value(json_object_get(miss, "reason")), "no result");
	}
	json_decref(doc);
	cli_run(r, resume);
	cr_expect_eq(r->status, 0, "%s %s", r->out, r->err);
	cr_expect(strstr(r->out, "resuming 1 shard"), "%s", r->out);
	snprintf(path, sizeof path, "%s/manifest.json", sweep);
	json_t *m = load(path);
	json_t *shards = json_object_get(m, "shards");
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(shards, 0), "attempts")), 1);
	cr_expect_eq(json_integer_value(json_object_get(json_array_get(shards, 1), "attempts")), 2);
	json_decref(m);
	snprintf(path, sizeof path, "%s/result.json", sweep);
	doc = load(path);
	cr_expect_eq(json_array_size(json_object_get(doc, "missing")), 0);
	json_decref(doc);

	const char *cancel[] = { "sweep", "--cancel", sweep, NULL };
	cli_run(r, cancel);
	cr_expect(r->status == 2 && strstr(r->err, "nothing to cancel"), "%s", r->err);
	free(r);
	free(dir);
}

Test(sweep_local, refuses_a_used_directory, .timeout = 60)
{
	char *dir = cli_tmpdir(), spec[512], out[512];
	snprintf(spec, sizeof spec, "%s/spec.json", dir);
	write_file(spec, "{" BASE "}");
	snprintf(out, sizeof out, "%s/used", dir);
	mkdir(out, 0777);
	char junk[600];
	snprintf(junk, sizeof junk, "%s/x", out);
	write_file(junk, "x");
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "sweep", spec, "--local", "-o", out, NULL };
	cli_run(r, args);
	cr_expect(r->status == 2 && strstr(r->err, "is not an empty directory") && cli_lines(r->err) == 1, "%s",
		  r->err);
	free(r);
	free(dir);
}

Test(sweep_bad_spec, no_slurm_configuration, .timeout = 30)
{
	/* Slurm's own tools would retry for a minute; the sweep says so at once. */
	char *dir = cli_tmpdir(), spec[512], out[512];
	snprintf(spec, sizeof spec, "%s/spec.json", dir);
	snprintf(out, sizeof out, "%s/sweep", dir);
	write_file(spec, "{" BASE "}");
	setenv("SLURM_CONF", "/nonexistent/slurm.conf", 1);
	struct cli_result *r = calloc(1, sizeof *r);
	const char *args[] = { "sweep", spec, "-o", out, NULL };
	cli_run(r, args);
	cr_expect(r->status == 2 && strstr(r->err, "SLURM_CONF=/nonexistent/slurm.conf") && cli_lines(r->err) == 1,
		  "exit %d: %s", r->status, r->err);
	cr_expect_neq(access(out, F_OK), 0, "no sweep directory");
	free(r);
	free(dir);
}
