/*
 * cmd/selftest.c — `lockbench selftest overhead`: how much the harness
 * distorts what it measures.
 *
 * For each lock and thread count it runs, interleaved round by round, the
 * bare lock (workloads/bare.c: acquire, bump, release — the reference) and
 * the cs workload under each timing mode (off, sample:N, all), and reports
 * median throughputs, the ratio to the reference and the cost per
 * acquisition on the critical path, 1/T(mode) − 1/T(reference).
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "cmd/options.h"
#include "engine/overhead.h"
#include "engine/params.h"
#include "analysis/stats.h"
#include "engine/topo.h"

static const char selftest_help[] =
	"usage: lockbench selftest overhead [options]\n"
	"  -l, --locks LIST     locks to measure (default ticket,mcs,pthread)\n"
	"  -t, --threads LIST   thread counts (default 1,2)\n"
	"  -w, --workload W     cs parameters for both sides, e.g. cs:cs_ns=200 (default cs)\n"
	"  -d, --duration TIME  window of each measurement (default 300ms)\n"
	"  -r, --repeat N       interleaved rounds, medians reported (default 5)\n"
	"  -s, --sample N       the sample:N mode to measure (default 64)\n"
	"  -p, --pin POLICY     as for run (default compact)\n"
	"  -h, --help           this text\n"
	"The off-mode target is >= 97% of the reference throughput.\n";

enum { MODES = 4 };

/*
 * One row: the bare reference and each timing mode, medians of the rounds.
 * 0; 1 when a mode has no measurement (every run of it failed or hung: its
 * cells say "failed", never nan); -1 out of memory.
 */
static int measure(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		   const struct lb_wl_choice *wl, unsigned n, const int *pus, int64_t repeat, uint32_t sample)
{
	const uint32_t every[MODES] = { 0, 0, sample, 1 };
	double *tp = calloc((size_t)repeat * MODES, sizeof *tp);
	if (tp == NULL)
		return -1;
	size_t k[MODES] = { 0 };
	for (int64_t r = 0; r < repeat; r++)
		for (int m = 0; m < MODES; m++) {
			double v = lb_overhead_throughput(o, topo, lock, wl->params, m == 0, every[m], n, pus);
			if (isfinite(v))
				tp[m * repeat + (int64_t)k[m]++] = v;
		}
	double med[MODES];
	for (int m = 0; m < MODES; m++)
		med[m] = k[m] ? lb_stats_median(tp + m * repeat, k[m]) : NAN;
	free(tp);
	char cells[MODES][48];
	int failed = 0;
	for (int m = 0; m < MODES; m++) {
		if (k[m] == 0 || (m > 0 && k[0] == 0)) {
			snprintf(cells[m], sizeof cells[m], "failed");
			failed = 1;
		} else if (m == 0) {
			snprintf(cells[m], sizeof cells[m], "%.3f", med[0] / 1e6);
		} else {
			snprintf(cells[m], sizeof cells[m], "%.3f, %+.1f", med[m] / med[0], 1e9 / med[m] - 1e9 / med[0]);
		}
	}
	printf("%-10s %7u %12s %18s %18s %18s\n", lock->ops->name, n, cells[0], cells[1], cells[2], cells[3]);
	fflush(stdout);
	return failed;
}

static int parse_own(void *ctx, int c, const char *arg)
{
	char err[256];
	(void)c;
	if (lb_parse_int(arg, 2, 1000000, ctx, err, sizeof err) == 0)
		return 0;
	lb_error("--sample: %s", err);
	return -1;
}

int lb_cmd_selftest(int argc, char **argv)
{
	if (argc < 2 || strcmp(argv[1], "overhead") != 0) {
		if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
			fputs(selftest_help, stdout);
			return LB_EXIT_OK;
		}
		lb_error("selftest: expected \"overhead\" (see: lockbench selftest --help)");
		return LB_EXIT_USAGE;
	}
	static const struct option own[] = {
		{ "sample", required_argument, NULL, 's' },
		{ NULL, 0, NULL, 0 },
	};
	int64_t sample = 64;
	const struct lb_command cmd = {
		.name = "selftest",
		.shared = LB_OPT_LOCKS | LB_OPT_WORKLOAD | LB_OPT_THREADS | LB_OPT_DURATION | LB_OPT_REPEAT | LB_OPT_PIN,
		.own = own, .own_short = "s:", .help = selftest_help, .parse = parse_own, .ctx = &sample,
	};
	struct lb_run_args a;
	char err[512];
	int rc = LB_EXIT_USAGE;
	lb_run_args_init(&a);
	/* Many short rounds: medians of interleaved windows (see --help). */
	a.opts.duration_ns = 300000000;
	a.repeat = 5;
	int parsed = lb_run_args_parse(argc - 1, argv + 1, &cmd, &a);
	if (parsed != 0) {
		rc = parsed > 0 ? LB_EXIT_OK : LB_EXIT_USAGE;
		goto out;
	}
	if (a.nwls > 1 || (a.nwls == 1 && strcmp(a.wls[0].wl->name, "cs") != 0)) {
		if (a.nwls > 1)
			lb_error("--workload: selftest overhead measures one cs workload against bare, not %zu", a.nwls);
		else
			lb_error("--workload: selftest overhead measures cs against bare; \"%s\" is not cs",
				 a.wls[0].wl->name);
		goto out;
	}
	if (a.nwls == 0 && lb_parse_workload("cs", &a.wls[a.nwls++], err, sizeof err) != 0) {
		a.nwls--;
		lb_error("%s", err);
		goto out;
	}
	if (a.nlocks == 0 && lb_parse_lock_list("ticket,mcs,pthread", &a.locks, &a.nlocks, err, sizeof err) != 0)
		goto out;
	if (a.ntcounts == 0) {
		a.tcounts[0] = 1, a.tcounts[1] = 2;
		a.ntcounts = 2;
	}
	struct lb_pin_spec pin;
	if (lb_pin_parse(a.pin_text, &pin, err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}
	struct lb_topo *topo;
	if (lb_topo_load(&topo, NULL, err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}
	lb_timer_init();
	lb_busy_calibrate();
	struct lb_run_opts o = a.opts;
	o.warmup_ns = o.duration_ns / 5;
	char wp[1024];
	lb_params_format(a.wls[0].wl->params, a.wls[0].params, wp, sizeof wp);
	printf("harness overhead: cs (%s) vs the same loop bare; median of %lld rounds of %.0f ms\n"
	       "ratio = throughput / bare throughput; ns = added time per acquisition on the critical path\n",
	       wp, (long long)a.repeat, o.duration_ns / 1e6);
	printf("%-10s %7s %12s %18s %18s %18s\n", "lock", "threads", "bare Mops/s", "off (ratio, ns)",
	       "sample:N (ratio, ns)", "all (ratio, ns)");
	rc = LB_EXIT_OK;
	bool failed = false;
	for (size_t l = 0; l < a.nlocks && rc == LB_EXIT_OK; l++) {
		for (size_t ti = 0; ti < a.ntcounts && rc == LB_EXIT_OK; ti++) {
			unsigned n = a.tcounts[ti];
			int *pus = calloc(n, sizeof *pus);
			bool over;
			if (pus == NULL || lb_pin_plan(topo, &pin, n, pus, &over, err, sizeof err) != 0) {
				lb_error("%s", pus ? err : "out of memory");
				rc = LB_EXIT_USAGE;
			} else {
				int m = measure(&o, topo, &a.locks[l], &a.wls[0], n, pus, a.repeat, (uint32_t)sample);
				if (m < 0) {
					lb_error("out of memory");
					rc = LB_EXIT_USAGE;
				} else if (m > 0) {
					/* Go on with the other rows, but say so in the exit status. */
					lb_error("selftest: %s at %u threads: a run failed or hung; nothing measured", a.locks[l].ops->name, n);
					failed = true;
				}
			}
			free(pus);
		}
	}
	lb_topo_free(topo);
	if (rc == LB_EXIT_OK && failed)
		rc = LB_EXIT_CHECK;
out:
	lb_run_args_free(&a);
	return rc;
}
