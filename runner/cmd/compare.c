/*
 * cmd/compare.c — `lockbench compare BASE NEW [options]`: the regression gate.
 *
 * Parses the options (the judging, filtering and output ones are
 * cmd/verdict_opts.c's), loads both results (model/json.h) with the configs
 * --filter keeps (analysis/filter.h), judges them (analysis/compare.h) and
 * writes what was concluded: the table on stdout (render/compare_table.h),
 * the verdict (--json, model/verdict.h) and a Markdown summary (--markdown),
 * all or none.
 */
#define _GNU_SOURCE /* getopt_long */
#include <getopt.h>
#include <stdio.h>

#include "analysis/compare.h"
#include "analysis/stats.h"
#include "cmd/cli.h"
#include "cmd/verdict_opts.h"
#include "model/json.h"

static void usage(FILE *f)
{
	fputs("usage: lockbench compare BASE.json NEW.json [options]\n"
	      "\n"
	      "Pair the configs of two `lockbench run` results by their id and tell, per\n"
	      "config and metric, whether NEW regressed: significant (Mann-Whitney U,\n"
	      "p < alpha) AND worse than the threshold. A config that was ok in BASE and\n"
	      "failed, hung, errored or was interrupted in NEW is a regression of every metric;\n"
	      "so is one that never starved in BASE and starved in most runs of NEW.\n"
	      "Results measured differently (run options, timing mode, busy-loop rate,\n"
	      "machine) are refused unless --allow-mismatch says so.\n"
	      "Merged results (lockbench merge) of several machines pair by machine and id.\n"
	      "\n",
	      f);
	lb_verdict_opts_usage(f, LB_VOPT_HAS_ALLOW | LB_VOPT_HAS_FILTER, "repetitions per side");
	fputs("  -h, --help         this text\n"
	      "\n"
	      "Exit status: 0 no regression (inconclusive rows are warned about on stderr\n"
	      "but pass), 1 at least one regression, 2 usage or input error (results measured\n"
	      "differently included), or an output that could not be written (then none of\n"
	      "the outputs is written).\n",
	      f);
}

/* What getopt_long could not take, in one line. */
static int option_error(int c, char **argv)
{
	if (c == ':')
		lb_error("compare: %s: missing value", argv[optind - 1]);
	else if (optopt == 'q' || optopt == 'h' || optopt == LB_VOPT_WIDE)
		lb_error("compare: %s: takes no value", argv[optind - 1]);
	else if (optopt)
		lb_error("compare: unknown option \"-%c\" (see --help)", optopt);
	else
		lb_error("compare: unknown or ambiguous option \"%s\" (see --help)", argv[optind - 1]);
	return LB_EXIT_USAGE;
}

/* Fills o and the two paths; returns -1 after --help (exit 0), 0 to go on, or the error exit code. */
static int parse_options(int argc, char **argv, struct lb_verdict_opts *o, const char **paths)
{
	static const struct option longopts[] = {
		LB_VERDICT_LONGOPTS,
		LB_VERDICT_ALLOW_LONGOPT,
		LB_VERDICT_FILTER_LONGOPT,
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	int c, rc = 0;

	lb_verdict_opts_init(o, "compare", lb_stats_mann_whitney_min_n);
	optind = 0; /* full re-initialisation: we may be called more than once */
	opterr = 0; /* our own one-line messages instead of getopt's */
	while (rc == 0 && (c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		if (c == 'q') {
			o->quiet = true;
		} else if (c == 'h') {
			usage(stdout);
			return -1;
		} else if (c >= LB_VOPT_METRIC && c <= LB_VOPT_LAST) {
			rc = lb_verdict_opts_parse(o, c, optarg);
		} else {
			rc = option_error(c, argv);
		}
	}
	if (rc)
		return rc;
	if (argc - optind != 2) {
		lb_error("compare: expected two result files, BASE and NEW, got %d (see --help)", argc - optind);
		return LB_EXIT_USAGE;
	}
	paths[0] = argv[optind];
	paths[1] = argv[optind + 1];
	return lb_verdict_opts_finish(o);
}

int lb_cmd_compare(int argc, char **argv)
{
	struct lb_verdict_opts o;
	const char *paths[2];
	struct lb_result *base = NULL, *nw = NULL;
	struct lb_verdict *v = NULL;
	char err[2048];
	int rc;

	rc = parse_options(argc, argv, &o, paths);
	if (rc) {
		lb_verdict_opts_free(&o);
		return rc < 0 ? LB_EXIT_OK : rc;
	}
	rc = lb_verdict_opts_check_outputs(&o);
	if (rc == 0)
		rc = lb_verdict_opts_load(&o, paths[0], &base);
	if (rc == 0)
		rc = lb_verdict_opts_load(&o, paths[1], &nw);
	if (rc == 0 && lb_compare(base, paths[0], nw, paths[1], &o.s, lb_verdict_opts_warn, &o, &v, err, sizeof(err))) {
		lb_verdict_opts_error(&o, err);
		rc = LB_EXIT_USAGE;
	}
	if (rc == 0)
		rc = lb_verdict_opts_write(&o, v);
	lb_verdict_free(v);
	lb_result_free(base);
	lb_result_free(nw);
	lb_verdict_opts_free(&o);
	return rc;
}
