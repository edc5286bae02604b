/*
 * cmd/sweep.c — `lockbench sweep`: a sweep spec becomes shards, run as
 * Slurm job arrays (or here, --local), followed, cancelled, resumed, and
 * merged into DIR/result.json. docs/sweeps.md is the user's guide.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "model/json.h"
#include "sweep/jobs.h"
#include "sweep/manifest.h"
#include "sweep/slurm.h"

static const char sweep_help[] =
	"usage: lockbench sweep SPEC [-o DIR] [--local] [--wait] [--poll TIME]\n"
	"       lockbench sweep --status DIR | --cancel DIR | --resume DIR [--wait]\n"
	"  SPEC               a sweep spec (JSON: locks, workloads, threads, repetitions, machines, ...;\n"
	"                     see docs/sweeps.md)\n"
	"  -o, --output DIR   the sweep directory, new or empty (default sweeps/<UTC stamp>)\n"
	"      --local        run the shards here, one after another, without Slurm\n"
	"      --wait         wait for every task, then merge (default: print the job ids and return)\n"
	"      --poll TIME    how often --wait asks Slurm (default 2s)\n"
	"      --status DIR   every shard's state; merges into DIR/result.json once none is live\n"
	"      --cancel DIR   scancel every pending or running task\n"
	"      --resume DIR   run again the shards whose configs are missing (failed, cancelled, ...)\n"
	"  -h, --help         this text\n"
	"Shard K of a machine is repetition K of every config, in an order rotated by K: one\n"
	"`lockbench run` on a whole node (sbatch --exclusive). SLURM_CONF chooses the cluster.\n"
	"exit codes: 0 ok (or submitted), 1 a shard failed or configs are missing, 2 usage, input\n"
	"            or Slurm error, 130 interrupted\n";

struct opts {
	const char *spec, *dir, *status, *cancel, *resume;
	bool local, wait;
	int64_t poll_ns;
	int argc;
	char **argv;
};

static void print_table(const struct lb_sweep *sw)
{
	printf("%-16s %5s %-12s %-12s %6s %8s  %s\n", "machine", "shard", "slurm id", "state", "exit", "attempts",
	       "reason");
	for (size_t i = 0; i < sw->m.nshards; i++) {
		const struct lb_sweep_shard *s = &sw->m.shards[i];
		printf("%-16s %5u %-12s %-12s %6s %8u  %s\n", s->machine, s->shard,
		       s->slurm_id && *s->slurm_id ? s->slurm_id : "-", s->state,
		       s->exit_code && *s->exit_code ? s->exit_code : "-", s->attempts, s->reason ? s->reason : "");
	}
	fflush(stdout);
}

/*
 * Merge into DIR/result.json and say what is missing. LB_EXIT_OK if every
 * shard completed and nothing is missing, LB_EXIT_CHECK if not.
 */
static int finish(struct lb_sweep *sw, const struct opts *o)
{
	char err[1024], path[4200];
	print_table(sw);
	struct lb_result *doc = lb_sweep_merge(sw, o->argc, o->argv, err, sizeof err);
	if (doc == NULL) {
		lb_error("sweep: no result merged: %s", err);
		return LB_EXIT_CHECK;
	}
	lb_sweep_path(sw, "result.json", path, sizeof path);
	if (lb_result_write(doc, path, err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		lb_result_free(doc);
		return LB_EXIT_USAGE;
	}
	size_t missing = doc->nmissing, bad = 0;
	/* FAILED: lockbench itself said a check failed (exit 1) or could not run; the data may all be there. */
	for (size_t i = 0; i < sw->m.nshards; i++)
		bad += strcmp(sw->m.shards[i].state, "FAILED") == 0;
	printf("result: %s (%zu configs, %zu missing; %zu of %zu shards failed)\n", path, doc->nconfigs, missing, bad,
	       sw->m.nshards);
	if (missing)
		printf("missing configs are listed in its \"missing\"; lockbench sweep --resume %s runs them again\n",
		       sw->dir);
	lb_result_free(doc);
	return missing || bad ? LB_EXIT_CHECK : LB_EXIT_OK;
}

/* Follow every task until none is live, saving the manifest on each change. */
static int wait_all(struct lb_sweep *sw, const struct opts *o)
{
	char err[1024];
	struct timespec ts = { (time_t)(o->poll_ns / 1000000000), (long)(o->poll_ns % 1000000000) };
	for (;;) {
		int live = lb_sweep_refresh(sw, stdout, err, sizeof err);
		if (live < 0) {
			lb_error("sweep: %s (the tasks go on: lockbench sweep --status %s)", err, sw->dir);
			return LB_EXIT_USAGE;
		}
		if (lb_sweep_save(sw, err, sizeof err) != 0) {
			lb_error("sweep: %s", err);
			return LB_EXIT_USAGE;
		}
		fflush(stdout);
		if (live == 0)
			return finish(sw, o);
		nanosleep(&ts, NULL);
	}
}

/* The controller answers and every machine of the spec exists. */
static int check_slurm(const struct lb_sweep_spec *spec)
{
	char err[1024];
	if (lb_slurm_ping(err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		return LB_EXIT_USAGE;
	}
	for (size_t i = 0; i < spec->nmachines; i++)
		if (lb_slurm_check_machine(&spec->machines[i], err, sizeof err) != 0) {
			lb_error("sweep: %s", err);
			return LB_EXIT_USAGE;
		}
	return 0;
}

/* Submit (or run here) what is NEW or marked rerun; then wait, or say how to follow. */
static int launch(struct lb_sweep *sw, const struct opts *o)
{
	char err[1024];
	if (sw->local) {
		int rc = lb_sweep_run_local(sw, stdout, err, sizeof err);
		if (rc < 0) {
			lb_error("sweep: %s", err);
			return LB_EXIT_USAGE;
		}
		if (rc == 130) {
			lb_error("sweep: interrupted; lockbench sweep --resume %s goes on", sw->dir);
			return LB_EXIT_INTERRUPTED;
		}
		return finish(sw, o);
	}
	if (lb_sweep_submit(sw, stdout, err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		return LB_EXIT_USAGE;
	}
	if (o->wait)
		return wait_all(sw, o);
	printf("sweep: %s (lockbench sweep --status %s)\n", sw->dir, sw->dir);
	return LB_EXIT_OK;
}

static int cmd_new(const struct opts *o)
{
	char err[1024], exe[PATH_MAX], dir[512];
	struct lb_sweep_spec spec;
	if (lb_sweep_spec_load(o->spec, &spec, err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		return LB_EXIT_USAGE;
	}
	int rc = o->local ? 0 : check_slurm(&spec);
	lb_sweep_spec_free(&spec);
	if (rc != 0)
		return rc;
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		lb_error("sweep: cannot tell where this lockbench is (/proc/self/exe)");
		return LB_EXIT_USAGE;
	}
	exe[n] = '\0';
	const char *d = o->dir;
	if (d == NULL) {
		time_t now = time(NULL);
		struct tm tm;
		gmtime_r(&now, &tm);
		strftime(dir, sizeof dir, "sweeps/%Y%m%dT%H%M%SZ", &tm);
		d = dir;
	}
	struct lb_sweep sw;
	if (lb_sweep_create(&sw, d, o->spec, o->local, exe, err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		lb_sweep_close(&sw);
		return LB_EXIT_USAGE;
	}
	rc = launch(&sw, o);
	lb_sweep_close(&sw);
	return rc;
}

/* --status, --cancel, --resume on an existing sweep directory. */
static int cmd_existing(const struct opts *o)
{
	const char *dir = o->status ? o->status : o->cancel ? o->cancel : o->resume;
	char err[1024];
	struct lb_sweep sw;
	if (lb_sweep_open(&sw, dir, err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		return LB_EXIT_USAGE;
	}
	int rc = 0;
	if (o->cancel && sw.local) {
		lb_error("sweep: %s ran here (--local), in the foreground: there is nothing to cancel", dir);
		rc = LB_EXIT_USAGE;
		goto out;
	}
	if (!sw.local && (rc = check_slurm(&sw.m.spec)) != 0)
		goto out;
	int live = lb_sweep_refresh(&sw, NULL, err, sizeof err);
	if (live >= 0 && o->cancel) {
		if (lb_sweep_cancel(&sw, err, sizeof err) != 0)
			live = -1;
		else if (live > 0) {
			/* A running task takes a moment to be told; the record says CANCELLED then. */
			sleep(1);
			live = lb_sweep_refresh(&sw, NULL, err, sizeof err);
		}
	}
	if (live < 0 || lb_sweep_save(&sw, err, sizeof err) != 0) {
		lb_error("sweep: %s", err);
		rc = LB_EXIT_USAGE;
		goto out;
	}
	if (o->status || o->cancel) {
		if (live == 0)
			finish(&sw, o);
		else
			print_table(&sw);
		goto out;
	}
	/* --resume */
	if (live > 0) {
		lb_error("sweep: %d shard(s) of %s still pending or running: wait for them, or --cancel first", live, dir);
		rc = LB_EXIT_USAGE;
		goto out;
	}
	struct lb_result *merged = lb_sweep_merge(&sw, o->argc, o->argv, err, sizeof err);
	size_t n = lb_sweep_mark_reruns(&sw, merged);
	lb_result_free(merged);
	if (n == 0) {
		printf("sweep: nothing to resume in %s\n", sw.dir);
		rc = finish(&sw, o);
		goto out;
	}
	printf("sweep: resuming %zu shard(s)\n", n);
	rc = launch(&sw, o);
out:
	lb_sweep_close(&sw);
	return rc;
}

int lb_cmd_sweep(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "local", no_argument, NULL, 'L' },
		{ "wait", no_argument, NULL, 'w' },         { "poll", required_argument, NULL, 'P' },
		{ "status", required_argument, NULL, 'S' }, { "cancel", required_argument, NULL, 'C' },
		{ "resume", required_argument, NULL, 'R' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct opts o = { .poll_ns = 2000000000LL, .argc = argc, .argv = argv };
	int c, modes = 0;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			o.dir = optarg;
			break;
		case 'L':
			o.local = true;
			break;
		case 'w':
			o.wait = true;
			break;
		case 'P':
			if (lb_time_option("--poll", optarg, 10000000, &o.poll_ns) != 0)
				return LB_EXIT_USAGE;
			break;
		case 'S':
			o.status = optarg;
			modes++;
			break;
		case 'C':
			o.cancel = optarg;
			modes++;
			break;
		case 'R':
			o.resume = optarg;
			modes++;
			break;
		case 'h':
			fputs(sweep_help, stdout);
			return LB_EXIT_OK;
		default:
			return lb_option_error("sweep", c, argv);
		}
	}
	if (modes > 1) {
		lb_error("sweep: --status, --cancel and --resume exclude each other");
		return LB_EXIT_USAGE;
	}
	if (modes == 1) {
		if (lb_no_operands("sweep", argc, argv) != 0)
			return LB_EXIT_USAGE;
		if (o.dir || o.local || (o.wait && !o.resume)) {
			lb_error("sweep: %s with an existing sweep: the directory is its operand",
				 o.dir ? "-o" : o.local ? "--local (the sweep's backend is kept)" : "--wait is for --resume");
			return LB_EXIT_USAGE;
		}
		return cmd_existing(&o);
	}
	if (optind >= argc) {
		lb_error("sweep: no spec file (see: lockbench sweep --help)");
		return LB_EXIT_USAGE;
	}
	o.spec = argv[optind++];
	if (lb_no_operands("sweep", argc, argv) != 0)
		return LB_EXIT_USAGE;
	return cmd_new(&o);
}
