/*
 * cmd/plot.c — `lockbench plot FILE`: charts of a result or of a compare
 * verdict. The options; the work is render/plot.h's.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/params.h"
#include "render/plot.h"

#ifdef LB_DATADIR
#define LB_DATADIR_TEXT LB_DATADIR
#else
#define LB_DATADIR_TEXT "/usr/local/share/lockbench"
#endif

static const char plot_help[] =
	"usage: lockbench plot FILE [options]\n"
	"  FILE is a result (lockbench run) or a verdict (lockbench compare --json).\n"
	"  -o, --output DIR       where the charts go (default plots/out/<FILE without .json>)\n"
	"  -f, --format FMT       png | svg | both (default both)\n"
	"  -t, --threads N        the latency, fairness and timeline charts at N threads, with the\n"
	"                         whole chart set, into DIR/threads-N/ (default: at the largest\n"
	"                         thread count in the result, into DIR itself)\n"
	"      --data-only        write the .dat tables and meta.gp, do not run gnuplot\n"
	"  -q, --quiet            no notes, no closing line\n"
	"  -h, --help             this text\n"
	"gnuplot is looked up on PATH; the scripts in $LOCKBENCH_PLOTS_DIR, else in\n"
	"<directory of the lockbench binary>/plots, else <that directory>/../share/lockbench/plots,\n"
	"else " LB_DATADIR_TEXT "/plots.\n"
	"exit codes: 0 ok, 2 usage or input error (nothing is left behind), 130 interrupted\n";

struct plot_options {
	struct lb_plot_request req;
	bool quiet;
};

/* 0 to go on, -1 after --help, else an exit code. */
static int parse_options(int argc, char **argv, struct plot_options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' }, { "data-only", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lb_plot_request *req = &o->req;
	char err[256];
	int64_t v;
	int c;
	req->formats[0] = "png";
	req->formats[1] = "svg";
	req->nformats = 2;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:f:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (optarg[0] == '\0') {
				lb_error("plot: --output: empty directory name");
				return LB_EXIT_USAGE;
			}
			req->output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "png") != 0 && strcmp(optarg, "svg") != 0 && strcmp(optarg, "both") != 0) {
				lb_error("plot: --format: \"%s\" is not png, svg or both", optarg);
				return LB_EXIT_USAGE;
			}
			req->nformats = strcmp(optarg, "both") == 0 ? 2 : 1;
			req->formats[0] = strcmp(optarg, "both") == 0 ? "png" : optarg;
			break;
		case 't':
			if (lb_parse_int(optarg, 1, 1 << 20, &v, err, sizeof err) != 0) {
				lb_error("plot: --threads: %s", err);
				return LB_EXIT_USAGE;
			}
			req->threads = (unsigned)v;
			break;
		case 'D':
			req->data_only = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(plot_help, stdout);
			return -1;
		default:
			return lb_option_error("plot", c, argv);
		}
	}
	if (optind >= argc) {
		lb_error("plot: which file? (usage: lockbench plot FILE [options])");
		return LB_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		lb_error("plot: unexpected argument \"%s\"", argv[optind + 1]);
		return LB_EXIT_USAGE;
	}
	req->input = argv[optind];
	return 0;
}

int lb_cmd_plot(int argc, char **argv)
{
	struct plot_options o = { 0 };
	int rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? LB_EXIT_OK : rc;
	struct lb_plot_report rep = { 0 };
	enum lb_plot_status status = lb_plot(&o.req, &rep);
	if (status == LB_PLOT_OK && !o.quiet) {
		for (size_t i = 0; i < rep.nnotes; i++)
			fprintf(stderr, "lockbench: plot: note: %s\n", rep.notes[i]);
		fprintf(stderr, "charts: %s\n", rep.output_shown);
	}
	if (status != LB_PLOT_OK)
		lb_error("plot: %s", rep.err);
	lb_plot_report_free(&rep);
	if (status == LB_PLOT_OK)
		return LB_EXIT_OK;
	return status == LB_PLOT_INTERRUPTED ? LB_EXIT_INTERRUPTED : LB_EXIT_USAGE;
}
