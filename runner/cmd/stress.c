/*
 * cmd/stress.c — `lockbench stress`: torture every requested lock with the
 * stress workload and say, one line per lock, whether it held up.
 *
 * It is `run` with other defaults and another verdict: the workload is
 * always `stress` (workloads/stress.c), the default locks are every
 * built-in lock that excludes (`all`), the default thread count
 * oversubscribes the machine (2 x PUs + 1), and each lock runs once. The
 * plan is executed by the same code as `run` (lb_execute_plan), so the
 * JSON result is the same document. The verdict is locktorture's: a line
 *
 *     ticket: Total: 81234567  Max/Min: 1032/998  Fail: 0  Reads/Writes: 40617001/40617566
 *
 * per lock — total acquisitions, the most and fewest by one thread, and
 * Fail = mutual-exclusion violations seen by the canary (a writer with
 * anyone inside, a reader with a writer inside) + lost updates of the
 * shared counter + reads that saw it change + releases by a non-holder;
 * then the acquisitions of each role (reads are shared on a reader-writer
 * lock, exclusive on a mutex). Any Fail, and any lock
 * that hung or could not run, makes the command exit 1 naming the locks.
 * Unlike `run`, the negative control `none` is no exception: asked for by
 * name, it must fail, and the command says so.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "engine/params.h"
#include "engine/plan.h"

static const char stress_help[] =
	"usage: lockbench stress [options]\n"
	"  -l, --locks LIST       locks to torture (default all: every built-in lock except none);\n"
	"                         plug-ins as ./mylock.so[:key=value]; see `lockbench run --help`\n"
	"  -t, --threads LIST     thread counts (default 2 x PUs + 1: oversubscribed)\n"
	"  -d, --duration TIME    per lock (default 1s); units ns, us, ms, s\n"
	"      --warmup TIME      before each measured window (default 10ms)\n"
	"      --seed N           seed of the per-thread random generators (default: from the clock;\n"
	"                         recorded in the result as the workload's seed)\n"
	"      --params K=V,...   stress workload parameters, e.g. cs_max_ns=5us,stutter_ns=0\n"
	"                         (see `lockbench list`)\n"
	"  -p, --pin POLICY       initial pinning: compact | scatter | cores | none | cpus:LIST (default compact)\n"
	"      --grace TIME       how long stopped threads may take before a lock is declared hung (default 5s)\n"
	"      --isolate, --no-isolate  each lock in a process of its own, or not (default: plug-ins only);\n"
	"                         see `lockbench run --help`\n"
	"  -o, --output FILE      result file (default results/<UTC stamp>-<host>.json; - for stdout)\n"
	"  -q, --quiet            only the failure line\n"
	"  -h, --help             this text\n"
	"prints per lock: NAME: Total: N  Max/Min: MAX/MIN  Fail: F  Reads/Writes: R/W\n"
	"  (F = mutual-exclusion violations + lost counter updates + torn reads + bad releases)\n"
	"exit codes: 0 every lock passed, 1 a lock failed (any Fail, hung, crashed, deadlocked, error;\n"
	"            none included; a lock run with one thread or that made no acquisition is\n"
	"            untested, so it fails),\n"
	"            2 usage or input error, 3 the result file could not be written: the results were\n"
	"            kept in the recovery file the error names, 4 as 3 but nowhere to keep them,\n"
	"            130 interrupted\n";

struct stress_cmd {
	bool quiet;
	bool header_done;
	int64_t duration_ns;
	uint64_t seed;
	int64_t seed_given; /* --seed, -1: none */
	const char *params; /* --params */
	char failed[1024];  /* "none, broken-tas" */
	size_t nfailed;
};

static void append_failed(struct stress_cmd *v, const char *label)
{
	char clean[256];
	size_t used = strlen(v->failed);
	snprintf(v->failed + used, sizeof v->failed - used, "%s%s", v->nfailed ? ", " : "",
		 lb_one_line(label, clean, sizeof clean));
	v->nfailed++;
}

/* One locktorture-style line per lock, and the running verdict. */
static void report(void *arg, FILE *table, const struct lb_config *c, const struct lb_sample *s, bool kept)
{
	(void)kept;
	struct stress_cmd *v = arg;
	if (!v->quiet && !v->header_done) {
		char d[32];
		lb_format_duration(v->duration_ns, d, sizeof d);
		fprintf(table, "stress: %u threads, %s per lock, seed %" PRIu64 "\n", c->threads, d, v->seed);
		v->header_done = true;
	}
	uint64_t max = 0, min = UINT64_MAX;
	for (size_t i = 0; i < s->nthreads; i++) {
		uint64_t a = s->threads[i].acquisitions;
		max = a > max ? a : max;
		min = a < min ? a : min;
	}
	if (min == UINT64_MAX)
		min = 0;
	uint64_t fail = s->violations + s->verify_failures + s->release_errors;
	bool broke = s->status == LB_RS_FAILED || s->status == LB_RS_HUNG || s->status == LB_RS_ERROR ||
		     s->status == LB_RS_DEADLOCK || s->status == LB_RS_CRASHED;
	/*
	 * Fail: 0 is a verdict only when the lock was exercised: one thread can
	 * never show a second holder, and a lock that made no acquisition was not
	 * tested at all. Such a lock fails, saying why, instead of passing.
	 */
	const char *untested = NULL;
	if (s->status == LB_RS_OK && c->threads < 2)
		untested = "untested: one thread cannot show a second holder";
	else if (s->status == LB_RS_OK && s->acquisitions == 0)
		untested = "untested: no acquisition in the window";
	if (fail != 0 || broke || untested != NULL)
		append_failed(v, c->label);
	if (v->quiet)
		return;
	char label[256], msg[512];
	fprintf(table, "%s: Total: %" PRIu64 "  Max/Min: %" PRIu64 "/%" PRIu64 "  Fail: %" PRIu64,
		lb_one_line(c->label, label, sizeof label), s->acquisitions, max, min, fail);
	if (s->has_roles)
		fprintf(table, "  Reads/Writes: %" PRIu64 "/%" PRIu64, s->roles[LB_SR_READ].acquisitions,
			s->roles[LB_SR_WRITE].acquisitions);
	if (s->status != LB_RS_OK && s->status != LB_RS_FAILED)
		fprintf(table, "  (%s: %s)", lb_result_status_name(s->status), lb_one_line(s->message, msg, sizeof msg));
	else if (untested != NULL)
		fprintf(table, "  (%s)", untested);
	fputc('\n', table);
	fflush(table);
}

/* Index of the declared parameter called name, or -1. */
static int param_index(const struct lb_param *decl, const char *name)
{
	for (int i = 0; decl != NULL && decl[i].name != NULL; i++)
		if (strcmp(decl[i].name, name) == 0)
			return i;
	return -1;
}

/* Whether "k=v,k=v" sets key. */
static bool sets_key(const char *kv, const char *key)
{
	size_t n = strlen(key);
	for (const char *p = kv; p != NULL && *p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
		if (strncmp(p, key, n) == 0 && p[n] == '=')
			return true;
	return false;
}

enum { O_SEED = 0x200, O_PARAMS };

static int parse_own(void *ctx, int c, const char *arg)
{
	struct stress_cmd *v = ctx;
	char err[256];
	if (c == O_PARAMS) {
		v->params = arg;
		return 0;
	}
	if (lb_parse_int(arg, 0, INT64_MAX, &v->seed_given, err, sizeof err) == 0)
		return 0;
	lb_error("--seed: %s", err);
	return -1;
}

/* The stress workload with --params and the seed applied. 0, or -1 after an error. */
static int stress_workload(struct stress_cmd *v, struct lb_wl_choice *wl)
{
	char err[512];
	/* Any length: a cut spec would silently change a value ("cs_max_ns=1us" read as 1ns). */
	char *spec = NULL;
	if (asprintf(&spec, "stress%s%s", v->params ? ":" : "", v->params ? v->params : "") < 0) {
		lb_error("out of memory");
		return -1;
	}
	int rc = lb_parse_workload(spec, wl, err, sizeof err);
	free(spec);
	if (rc != 0) {
		lb_error("--params: %s", err);
		return -1;
	}
	if (v->seed_given >= 0 && v->params != NULL && sets_key(v->params, "seed")) {
		lb_error("--seed: the seed is also given in --params");
		lb_workload_free(wl);
		return -1;
	}
	int si = param_index(wl->wl->params, "seed");
	if (si >= 0 && v->seed_given >= 0) {
		wl->params[si].i = v->seed_given;
	} else if (si >= 0 && (v->params == NULL || !sets_key(v->params, "seed"))) {
		/* A fresh seed each time, short enough to type back in. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		wl->params[si].i = (int64_t)(((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec * 1000003u ^
					      (uint64_t)getpid() << 16) & 0x7fffffff);
	}
	v->seed = si >= 0 ? (uint64_t)wl->params[si].i : 0;
	return 0;
}

int lb_cmd_stress(int argc, char **argv)
{
	static const struct option own[] = {
		{ "seed", required_argument, NULL, O_SEED },
		{ "params", required_argument, NULL, O_PARAMS },
		{ NULL, 0, NULL, 0 },
	};
	struct stress_cmd v = { .seed_given = -1 };
	const struct lb_command cmd = {
		.name = "stress",
		.shared = LB_OPT_LOCKS | LB_OPT_THREADS | LB_OPT_DURATION | LB_OPT_WARMUP | LB_OPT_PIN | LB_OPT_GRACE |
			  LB_OPT_OUTPUT | LB_OPT_QUIET | LB_OPT_ISOLATE,
		.own = own, .help = stress_help, .parse = parse_own, .ctx = &v,
	};
	struct lb_run_args a;
	struct lb_wl_choice wl = { 0 };
	char err[512];
	int rc = LB_EXIT_USAGE;
	lb_run_args_init(&a);
	a.opts.warmup_ns = 10000000; /* torture, not measurement: a short warm-up (see --help) */
	int parsed = lb_run_args_parse(argc, argv, &cmd, &a);
	if (parsed != 0) {
		rc = parsed > 0 ? LB_EXIT_OK : LB_EXIT_USAGE;
		goto out;
	}
	if (stress_workload(&v, &wl) != 0)
		goto out;
	if (a.nlocks == 0 && lb_parse_lock_list("all", &a.locks, &a.nlocks, err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}
	v.quiet = a.quiet;
	v.duration_ns = a.opts.duration_ns;
	struct lb_plan plan = {
		.argc = argc, .argv = argv, .locks = a.locks, .nlocks = a.nlocks, .wls = &wl, .nwls = 1,
		.tcounts = a.tcounts, .ntcounts = a.ntcounts, .oversubscribe = true, .opts = a.opts, .repeat = 1,
		.pin_text = a.pin_text, .output = a.output, .quiet = a.quiet, .report = report, .report_arg = &v,
		.isolate = a.isolate,
	};
	rc = lb_execute_plan(&plan);
	if (v.nfailed != 0) {
		lb_error("stress: FAILED: %s", v.failed);
		if (rc == LB_EXIT_OK)
			rc = LB_EXIT_CHECK;
	}
out:
	lb_workload_free(&wl);
	lb_run_args_free(&a);
	return rc;
}
