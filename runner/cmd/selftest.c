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
	"The off-mode target is >= 97% of the reference throughput.\n";

enum { MODES = 4 };

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
	static const struct option longopts[] = {
		{ "locks", required_argument, NULL, 'l' },    { "threads", required_argument, NULL, 't' },
		{ "duration", required_argument, NULL, 'd' }, { "repeat", required_argument, NULL, 'r' },
		{ "sample", required_argument, NULL, 's' },   { "pin", required_argument, NULL, 'p' },
		{ "workload", required_argument, NULL, 'w' }, { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	struct lb_lock_choice *locks = NULL;
	size_t nlocks = 0, ntc = 0;
	unsigned tcounts[64];
	int64_t duration = 300000000, repeat = 5, sample = 64;
	const char *pin_text = "compact";
	struct lb_wl_choice wl;
	int c, rc = LB_EXIT_USAGE;
	if (lb_parse_workload("cs", &wl, err, sizeof err) != 0) {
		lb_error("%s", err);
		return LB_EXIT_USAGE;
	}
	argc--, argv++;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":l:t:d:r:s:p:w:h", longopts, NULL)) != -1) {
		switch (c) {
		case 'w':
			if (lb_parse_workload(optarg, &wl, err, sizeof err) != 0) {
				lb_error("--workload: %s", err);
				goto out;
			}
			if (strcmp(wl.wl->name, "cs") != 0) {
				lb_error("--workload: selftest overhead measures cs against bare; \"%s\" is not cs", wl.wl->name);
				goto out;
			}
			break;
		case 'l':
			if (lb_parse_lock_list(optarg, &locks, &nlocks, err, sizeof err) != 0) {
				lb_error("--locks: %s", err);
				goto out;
			}
			break;
		case 't':
			if (lb_parse_uint_list(optarg, 1024, tcounts, 64, &ntc, err, sizeof err) != 0) {
				lb_error("--threads: %s", err);
				goto out;
			}
			break;
		case 'd':
			if (lb_time_option("--duration", optarg, 1000000, &duration) != 0)
				goto out;
			break;
		case 'r':
			if (lb_parse_int(optarg, 1, 1000, &repeat, err, sizeof err) != 0) {
				lb_error("--repeat: %s", err);
				goto out;
			}
			break;
		case 's':
			if (lb_parse_int(optarg, 2, 1000000, &sample, err, sizeof err) != 0) {
				lb_error("--sample: %s", err);
				goto out;
			}
			break;
		case 'p':
			pin_text = optarg;
			break;
		case 'h':
			fputs(selftest_help, stdout);
			rc = LB_EXIT_OK;
			goto out;
		default:
			rc = lb_option_error("selftest", c, argv);
			goto out;
		}
	}
	if ((rc = lb_no_operands("selftest", argc, argv)) != 0)
		goto out;
	rc = LB_EXIT_USAGE;
	if (nlocks == 0 && lb_parse_lock_list("ticket,mcs,pthread", &locks, &nlocks, err, sizeof err) != 0)
		goto out;
	if (ntc == 0) {
		tcounts[0] = 1, tcounts[1] = 2;
		ntc = 2;
	}
	struct lb_pin_spec pin;
	if (lb_pin_parse(pin_text, &pin, err, sizeof err) != 0) {
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
	struct lb_run_opts o = {
		.duration_ns = duration, .warmup_ns = duration / 5, .slice_ns = 10000000, .tick_ns = 1000000,
		.grace_ns = 5000000000LL, .order_log_cap = 1u << 20,
	};
	const uint32_t every[MODES] = { 0, 0, (uint32_t)sample, 1 };
	char wp[256];
	lb_params_format(wl.wl->params, wl.params, wp, sizeof wp);
	printf("harness overhead: cs (%s) vs the same loop bare; median of %lld rounds of %.0f ms\n"
	       "ratio = throughput / bare throughput; ns = added time per acquisition on the critical path\n",
	       wp, (long long)repeat, duration / 1e6);
	printf("%-10s %7s %12s %18s %18s %18s\n", "lock", "threads", "bare Mops/s", "off (ratio, ns)",
	       "sample:N (ratio, ns)", "all (ratio, ns)");
	rc = LB_EXIT_OK;
	for (size_t l = 0; l < nlocks; l++) {
		for (size_t ti = 0; ti < ntc; ti++) {
			unsigned n = tcounts[ti];
			int *pus = calloc(n, sizeof *pus);
			bool over;
			if (pus == NULL || lb_pin_plan(topo, &pin, n, pus, &over, err, sizeof err) != 0) {
				lb_error("%s", pus ? err : "out of memory");
				free(pus);
				rc = LB_EXIT_USAGE;
				goto done;
			}
			double tp[MODES][1000];
			size_t k[MODES] = { 0 };
			for (int64_t r = 0; r < repeat; r++)
				for (int m = 0; m < MODES; m++) {
					double v = lb_overhead_throughput(&o, topo, &locks[l], wl.params, m == 0, every[m], n,
									  pus);
					if (isfinite(v))
						tp[m][k[m]++] = v;
				}
			free(pus);
			double med[MODES];
			for (int m = 0; m < MODES; m++)
				med[m] = k[m] ? lb_stats_median(tp[m], k[m]) : NAN;
			char cells[MODES][48];
			for (int m = 1; m < MODES; m++)
				snprintf(cells[m], sizeof cells[m], "%.3f, %+.1f", med[m] / med[0], 1e9 / med[m] - 1e9 / med[0]);
			printf("%-10s %7u %12.3f %18s %18s %18s\n", locks[l].ops->name, n, med[0] / 1e6, cells[1], cells[2],
			       cells[3]);
			fflush(stdout);
		}
	}
done:
	lb_topo_free(topo);
out:
	for (size_t i = 0; i < nlocks; i++)
		lb_params_free(locks[i].ops->params, locks[i].params);
	free(locks);
	return rc;
}
