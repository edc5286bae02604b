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
 *     ticket: Total: 81234567  Max/Min: 1032/998  Fail: 0
 *
 * per lock — total acquisitions, the most and fewest by one thread, and
 * Fail = mutual-exclusion violations seen by the canary + lost updates of
 * the shared counter + releases by a non-holder. Any Fail, and any lock
 * that hung or could not run, makes the command exit 1 naming the locks.
 * Unlike `run`, the negative control `none` is no exception: asked for by
 * name, it must fail, and the command says so.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "engine/params.h"

#define MAX_THREAD_COUNTS 64
#define MAX_THREADS 1024

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
	"  -o, --output FILE      result file (default results/<UTC stamp>-<host>.json; - for stdout)\n"
	"  -q, --quiet            only the failure line\n"
	"  -h, --help             this text\n"
	"prints per lock: NAME: Total: N  Max/Min: MAX/MIN  Fail: F\n"
	"  (F = mutual-exclusion violations + lost counter updates + bad releases)\n"
	"exit codes: 0 every lock passed, 1 a lock failed (any Fail, hung, error; none included),\n"
	"            2 usage or input error, 130 interrupted\n";

struct verdict {
	bool quiet;
	bool header_done;
	int64_t duration_ns;
	uint64_t seed;
	char failed[1024]; /* "none, broken-tas" */
	size_t nfailed;
};

static void append_failed(struct verdict *v, const char *label)
{
	size_t used = strlen(v->failed);
	snprintf(v->failed + used, sizeof v->failed - used, "%s%s", v->nfailed ? ", " : "", label);
	v->nfailed++;
}

/* One locktorture-style line per lock, and the running verdict. */
static void report(void *arg, FILE *table, const char *label, unsigned threads, unsigned rep,
		   const struct lb_outcome *o)
{
	(void)rep;
	struct verdict *v = arg;
	if (!v->quiet && !v->header_done) {
		char d[32];
		lb_format_duration(v->duration_ns, d, sizeof d);
		fprintf(table, "stress: %u threads, %s per lock, seed %" PRIu64 "\n", threads, d, v->seed);
		v->header_done = true;
	}
	uint64_t max = 0, min = UINT64_MAX;
	for (unsigned i = 0; o->run.threads != NULL && i < o->run.nthreads; i++) {
		uint64_t a = o->run.threads[i].acquisitions;
		max = a > max ? a : max;
		min = a < min ? a : min;
	}
	if (min == UINT64_MAX)
		min = 0;
	uint64_t fail = o->violations + o->verify_failures + o->release_errors;
	bool broke = o->status == LB_STATUS_FAILED || o->status == LB_STATUS_HUNG || o->status == LB_STATUS_ERROR;
	if (fail != 0 || broke)
		append_failed(v, label);
	if (v->quiet)
		return;
	fprintf(table, "%s: Total: %" PRIu64 "  Max/Min: %" PRIu64 "/%" PRIu64 "  Fail: %" PRIu64, label,
		o->acquisitions, max, min, fail);
	if (o->status == LB_STATUS_HUNG || o->status == LB_STATUS_ERROR || o->status == LB_STATUS_INTERRUPTED)
		fprintf(table, "  (%s: %s)", lb_status_name(o->status), o->message);
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

int lb_cmd_stress(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "locks", required_argument, NULL, 'l' },    { "threads", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' }, { "warmup", required_argument, NULL, 'W' },
		{ "seed", required_argument, NULL, 's' },     { "params", required_argument, NULL, 'P' },
		{ "pin", required_argument, NULL, 'p' },      { "grace", required_argument, NULL, 'G' },
		{ "output", required_argument, NULL, 'o' },   { "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },           { NULL, 0, NULL, 0 },
	};
	char err[512];
	struct lb_lock_choice *locks = NULL;
	size_t nlocks = 0;
	unsigned tcounts[MAX_THREAD_COUNTS];
	size_t ntcounts = 0;
	struct lb_run_opts o = {
		.duration_ns = 1000000000, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 5000000000LL, .sample_every = 16, .order_log_cap = 1u << 20,
	};
	int64_t seed = -1;
	const char *pin_text = "compact", *output = NULL, *params = NULL;
	bool quiet = false;
	int c, rc = LB_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":l:t:d:p:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (lb_parse_lock_list(optarg, &locks, &nlocks, err, sizeof err) != 0) {
				lb_error("--locks: %s", err);
				goto out;
			}
			break;
		case 't':
			if (lb_parse_uint_list(optarg, MAX_THREADS, tcounts, MAX_THREAD_COUNTS, &ntcounts, err,
					       sizeof err) != 0) {
				lb_error("--threads: %s", err);
				goto out;
			}
			break;
		case 'd':
			if (lb_time_option("--duration", optarg, 1000000, &o.duration_ns) != 0)
				goto out;
			break;
		case 'W':
			if (lb_time_option("--warmup", optarg, 0, &o.warmup_ns) != 0)
				goto out;
			break;
		case 'G':
			if (lb_time_option("--grace", optarg, 100000000, &o.grace_ns) != 0)
				goto out;
			break;
		case 's':
			if (lb_parse_int(optarg, 0, INT64_MAX, &seed, err, sizeof err) != 0) {
				lb_error("--seed: %s", err);
				goto out;
			}
			break;
		case 'P':
			params = optarg;
			break;
		case 'p':
			pin_text = optarg;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'h':
			fputs(stress_help, stdout);
			rc = LB_EXIT_OK;
			goto out;
		case ':':
			lb_error("stress: option %s needs a value", argv[optind - 1]);
			goto out;
		default:
			lb_error("stress: unknown option \"%s\" (see: lockbench stress --help)", argv[optind - 1]);
			goto out;
		}
	}
	if (optind < argc) {
		lb_error("stress: unexpected argument \"%s\"", argv[optind]);
		goto out;
	}

	struct lb_wl_choice wl;
	char spec[1024];
	snprintf(spec, sizeof spec, "stress%s%s", params ? ":" : "", params ? params : "");
	if (lb_parse_workload(spec, &wl, err, sizeof err) != 0) {
		lb_error("--params: %s", err);
		goto out;
	}
	if (seed >= 0 && params != NULL && sets_key(params, "seed")) {
		lb_error("--seed: the seed is also given in --params");
		goto out;
	}
	int si = param_index(wl.wl->params, "seed");
	if (si >= 0 && seed >= 0) {
		wl.params[si].i = seed;
	} else if (si >= 0 && (params == NULL || !sets_key(params, "seed"))) {
		/* A fresh seed each time, short enough to type back in. */
		struct timespec ts;
		clock_gettime(CLOCK_REALTIME, &ts);
		wl.params[si].i = (int64_t)(((uint64_t)ts.tv_nsec ^ (uint64_t)ts.tv_sec * 1000003u ^
					     (uint64_t)getpid() << 16) & 0x7fffffff);
	}
	if (nlocks == 0 && lb_parse_lock_list("all", &locks, &nlocks, err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}

	struct verdict verdict = { .quiet = quiet, .duration_ns = o.duration_ns,
				   .seed = si >= 0 ? (uint64_t)wl.params[si].i : 0 };
	struct lb_plan plan = {
		.argc = argc, .argv = argv, .locks = locks, .nlocks = nlocks, .wls = &wl, .nwls = 1,
		.tcounts = tcounts, .ntcounts = ntcounts, .oversubscribe = true, .opts = o, .repeat = 1,
		.pin_text = pin_text, .output = output, .quiet = quiet, .report = report, .report_arg = &verdict,
	};
	rc = lb_execute_plan(&plan);
	if (verdict.nfailed != 0) {
		lb_error("stress: FAILED: %s", verdict.failed);
		if (rc == LB_EXIT_OK)
			rc = LB_EXIT_CHECK;
	}
out:
	for (size_t i = 0; i < nlocks; i++)
		lb_params_free(locks[i].ops->params, locks[i].params);
	free(locks);
	return rc;
}
