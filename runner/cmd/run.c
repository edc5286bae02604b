/*
 * cmd/run.c — `lockbench run`: parse the options, run the plan (engine/
 * plan.c) with a table row per finished run and, with repetitions, a
 * summary per config (render/table.c).
 */
#include <stdio.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "engine/plan.h"
#include "render/table.h"

static const char run_help[] =
	"usage: lockbench run [options]\n"
	"  -l, --locks LIST       locks to run, e.g. ticket,mcs or gil:interval=1ms,force_switch=0,pthread;\n"
	"                         `all` is every built-in lock except the negative control `none`,\n"
	"                         `all-rw` every built-in reader-writer lock;\n"
	"                         a plug-in: ./mylock.so[:key=value] or plugin:path=FILE[,key=value]\n"
	"                         (default pthread,ticket,mcs,gil; see `lockbench list`)\n"
	"  -w, --workload W       workload and parameters, e.g. cs:cs_ns=200,think_ns=100 (default cs);\n"
	"                         repeat the option to run several\n"
	"  -t, --threads LIST     thread counts: 1,2,4 or 1-8 (default: powers of two up to 2x the PUs, at least 4)\n"
	"  -d, --duration TIME    measured window per run (default 1s); units ns, us, ms, s\n"
	"      --warmup TIME      warm-up before each window (default 100ms)\n"
	"  -p, --pin POLICY       compact | scatter | cores | none | cpus:LIST (default compact)\n"
	"  -r, --repeat N         repetitions of every config, interleaved (default 1)\n"
	"      --timing MODE      all | sample:N | off: which acquisitions get TSC timestamps (default sample:16)\n"
	"      --slice TIME       starvation timeline slice (default 10ms)\n"
	"      --grace TIME       how long stopped threads may take before the run is declared hung (default 5s)\n"
	"      --log-cap N        acquisition-order log entries, a power of two (default 1048576)\n"
	"      --fail-on-starvation  exit 1 if any thread starved (see README: Starvation)\n"
	"      --busy-rate N      busy-loop iterations per us instead of calibrating: cs_ns etc. then mean\n"
	"                         the same work in every process (take it from a result's\n"
	"                         context.busy_iterations_per_us)\n"
	"      --isolate          run each config in a process of its own: a crash, hang or deadlock costs\n"
	"                         only that config (default for plug-in locks and for workloads that may\n"
	"                         deadlock: lockorder, selfdeadlock, condhold)\n"
	"      --no-isolate       run every config in this process (a hung or deadlocked one ends the run)\n"
	"  -o, --output FILE      result file (default results/<UTC stamp>-<host>.json; - for stdout)\n"
	"  -q, --quiet            no progress and no table\n"
	"  -h, --help             this text\n"
	"exit codes: 0 ok, 1 a check failed (violation, hung, deadlock, crashed), 2 usage or input error,\n"
	"            3 the result file could not be written: the results were kept in the recovery\n"
	"            file the error names, 4 as 3 but nowhere to keep them, 130 interrupted\n";

enum { O_FAIL_ON_STARVATION = 0x200 };

struct run_cmd {
	bool quiet, fail_on_starvation, header_done;
	int64_t repeat;
};

static int parse_own(void *ctx, int c, const char *arg)
{
	(void)arg;
	struct run_cmd *r = ctx;
	if (c == O_FAIL_ON_STARVATION)
		r->fail_on_starvation = true;
	return 0;
}

static void report(void *arg, FILE *table, const struct lb_config *c, const struct lb_sample *s, bool kept)
{
	struct run_cmd *r = arg;
	if (r->quiet)
		return;
	if (!r->header_done)
		lb_table_header(table);
	r->header_done = true;
	/* A run that could not start was said on stderr already. */
	if (kept)
		lb_table_row(table, c, s);
}

static void finished(void *arg, FILE *table, const struct lb_result *res)
{
	struct run_cmd *r = arg;
	if (!r->quiet && r->repeat > 1)
		lb_table_summary(table, res);
}

int lb_cmd_run(int argc, char **argv)
{
	static const struct option own[] = {
		{ "fail-on-starvation", no_argument, NULL, O_FAIL_ON_STARVATION },
		{ NULL, 0, NULL, 0 },
	};
	struct run_cmd r = { 0 };
	const struct lb_command cmd = {
		.name = "run",
		.shared = LB_OPT_LOCKS | LB_OPT_WORKLOAD | LB_OPT_THREADS | LB_OPT_DURATION | LB_OPT_WARMUP | LB_OPT_PIN |
			  LB_OPT_REPEAT | LB_OPT_TIMING | LB_OPT_SLICE | LB_OPT_GRACE | LB_OPT_LOG_CAP |
			  LB_OPT_BUSY_RATE | LB_OPT_OUTPUT | LB_OPT_QUIET | LB_OPT_ISOLATE,
		.own = own, .help = run_help, .parse = parse_own, .ctx = &r,
	};
	struct lb_run_args a;
	char err[512];
	int rc = LB_EXIT_USAGE;
	lb_run_args_init(&a);
	int parsed = lb_run_args_parse(argc, argv, &cmd, &a);
	if (parsed != 0) {
		rc = parsed > 0 ? LB_EXIT_OK : LB_EXIT_USAGE;
		goto out;
	}
	/* Everything the user typed is valid; now the defaults and the plan. */
	if (a.nlocks == 0 && lb_parse_lock_list("pthread,ticket,mcs,gil", &a.locks, &a.nlocks, err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}
	if (a.nwls == 0 && lb_parse_workload("cs", &a.wls[a.nwls++], err, sizeof err) != 0) {
		a.nwls--;
		lb_error("%s", err);
		goto out;
	}
	r.quiet = a.quiet;
	r.repeat = a.repeat;
	struct lb_plan plan = {
		.argc = argc, .argv = argv, .locks = a.locks, .nlocks = a.nlocks, .wls = a.wls, .nwls = a.nwls,
		.tcounts = a.tcounts, .ntcounts = a.ntcounts, .opts = a.opts, .repeat = a.repeat,
		.pin_text = a.pin_text, .output = a.output, .quiet = a.quiet,
		.fail_on_starvation = r.fail_on_starvation, .busy_rate = a.busy_rate, .isolate = a.isolate,
		.report = report, .finished = finished, .report_arg = &r,
	};
	rc = lb_execute_plan(&plan);
out:
	lb_run_args_free(&a);
	return rc;
}
