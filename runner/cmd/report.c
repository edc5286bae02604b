/*
 * cmd/report.c — `lockbench report FILE... -o report.html`: results and
 * verdicts as one self-contained HTML page (render/html.h).
 *
 * Each input is loaded (and filtered) here for the page, and drawn by the
 * plot pipeline (render/plot.h: the same tables and gnuplot scripts as
 * `lockbench plot`) as SVG into a scratch directory, whose charts are read
 * back and put inline. The page goes through the atomic writer: written
 * whole or not at all; the scratch directory is removed whatever happens.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <ftw.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/filter.h"
#include "cmd/cli.h"
#include "engine/params.h"
#include "model/json.h"
#include "model/output.h"
#include "model/schema.h"
#include "render/html.h"
#include "render/plot.h"

static const char report_help[] =
	"usage: lockbench report FILE... -o PAGE.html [options]\n"
	"  FILE...                results (lockbench run, stress, merge) and verdicts (lockbench compare\n"
	"                         --json), shown in the order given\n"
	"  -o, --output PAGE      the HTML page (- for standard output); written whole or not at all\n"
	"  -t, --threads N        the latency, fairness and timeline charts at N threads (default: at the\n"
	"                         largest thread count of each result)\n"
	"      --filter F         only the configs F keeps, e.g. lock=ticket,mcs,threads=1-8 (as for plot)\n"
	"      --title TEXT       the page's title (default: lockbench report: FIRST FILE)\n"
	"  -q, --quiet            no closing line\n"
	"  -h, --help             this text\n"
	"One file, nothing fetched: the context, summary tables, every chart inline as SVG (drawn by\n"
	"gnuplot with the scripts of lockbench plot) with what it shows, per-config details, and the\n"
	"verdicts of any compare given.\n"
	"exit codes: 0 written, 2 usage or input error (nothing is written), 130 interrupted\n";

enum { O_FILTER = 0x100, O_TITLE };

struct report_options {
	const char *output, *title;
	unsigned threads;
	struct lb_filter filter;
	bool quiet;
	char **inputs;
	size_t ninputs;
};

/* 0 to go on, -1 after --help, else an exit code. */
static int parse_options(int argc, char **argv, struct report_options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "threads", required_argument, NULL, 't' },
		{ "filter", required_argument, NULL, O_FILTER }, { "title", required_argument, NULL, O_TITLE },
		{ "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	int64_t v;
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (optarg[0] == '\0') {
				lb_error("report: --output: an empty file name");
				return LB_EXIT_USAGE;
			}
			o->output = optarg;
			break;
		case 't':
			if (lb_parse_int(optarg, 1, 1 << 20, &v, err, sizeof err) != 0) {
				lb_error("report: --threads: %s", err);
				return LB_EXIT_USAGE;
			}
			o->threads = (unsigned)v;
			break;
		case O_FILTER:
			if (lb_filter_parse(&o->filter, optarg, err, sizeof err) != 0) {
				lb_error("report: --filter: %s", err);
				return LB_EXIT_USAGE;
			}
			break;
		case O_TITLE:
			o->title = optarg;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(report_help, stdout);
			return -1;
		default:
			return lb_option_error("report", c, argv);
		}
	}
	if (optind >= argc) {
		lb_error("report: which files? (usage: lockbench report FILE... -o PAGE.html)");
		return LB_EXIT_USAGE;
	}
	if (o->output == NULL) {
		lb_error("report: -o PAGE.html: where the page goes (- for standard output)");
		return LB_EXIT_USAGE;
	}
	o->inputs = argv + optind;
	o->ninputs = (size_t)(argc - optind);
	return 0;
}

/* Load one input as a result or a verdict, filtered. 0, or -1 with a one-line reason. */
static int load(const char *path, const struct lb_filter *filter, struct lb_html_input *in, char *err, size_t errlen)
{
	struct lb_result *r = NULL;
	struct lb_verdict *v = NULL;
	char schema[128], why[1024];
	in->path = path;
	if (lb_result_load(path, &r, why, sizeof why) == 0) {
		in->result = r;
		return lb_filter_result(filter, r, path, err, errlen);
	}
	if (lb_json_schema_of(path, schema, sizeof schema, err, errlen) != 0)
		return -1;
	if (strcmp(schema, LB_VERDICT_SCHEMA) != 0) {
		if (strcmp(schema, LB_SCHEMA) == 0)
			snprintf(err, errlen, "%s", why);
		else if (schema[0] != '\0')
			snprintf(err, errlen, "%s: schema \"%s\" is neither " LB_SCHEMA " nor " LB_VERDICT_SCHEMA, path,
				 schema);
		else
			snprintf(err, errlen, "%s: not a lockbench result or compare verdict (no \"schema\")", path);
		return -1;
	}
	if (lb_verdict_load(path, &v, err, errlen) != 0)
		return -1;
	in->verdict = v;
	return lb_filter_verdict(filter, v, path, err, errlen);
}

static char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t len = 0;
	if (f == NULL)
		return NULL;
	FILE *mem = open_memstream(&buf, &len);
	char chunk[65536];
	size_t n;
	while (mem != NULL && (n = fread(chunk, 1, sizeof chunk, f)) > 0)
		fwrite(chunk, 1, n, mem);
	bool bad = ferror(f);
	fclose(f);
	if (mem == NULL || fclose(mem) != 0 || bad) {
		free(buf);
		return NULL;
	}
	return buf;
}

/*
 * Whether an input has anything to chart: a result an ok sample with figures, a verdict a row with a
 * ratio. One without (every run of `none` failed, every row n/a) still gets its page section, chartless.
 */
static bool drawable(const struct lb_html_input *in)
{
	for (size_t i = 0; in->result && i < in->result->nconfigs; i++)
		for (size_t k = 0; k < in->result->configs[i].nsamples; k++) {
			const struct lb_sample *s = &in->result->configs[i].samples[k];
			if (s->status == LB_RS_OK && s->has_figures && isfinite(s->throughput_per_s))
				return true;
		}
	for (size_t i = 0; in->verdict && i < in->verdict->nrows; i++)
		if (isfinite(in->verdict->rows[i].ratio))
			return true;
	return false;
}

/* Draw one input's charts as SVG into dir, and read them into in. Returns the plot's status. */
static enum lb_plot_status draw(const struct report_options *o, const char *dir, struct lb_html_input *in, char *err,
				size_t errlen)
{
	if (!drawable(in))
		return LB_PLOT_OK;
	struct lb_plot_request req = {
		.input = in->path, .output = dir, .formats = { "svg" }, .nformats = 1,
		.threads = in->result ? o->threads : 0, .filter = &o->filter,
	};
	struct lb_plot_report rep = { 0 };
	enum lb_plot_status st = lb_plot(&req, &rep);
	if (st != LB_PLOT_OK) {
		snprintf(err, errlen, "%s", rep.err);
		lb_plot_report_free(&rep);
		return st;
	}
	in->threads = rep.threads;
	snprintf(in->fairness_view, sizeof in->fairness_view, "%s", rep.fairness_view);
	for (size_t i = 0; i < rep.ncharts; i++) {
		struct lb_html_chart *ch = &in->charts[in->ncharts];
		char path[LB_PLOT_PATH_MAX + 32];
		snprintf(ch->name, sizeof ch->name, "%s", rep.charts[i]);
		snprintf(path, sizeof path, "%s/%s.svg", rep.output, rep.charts[i]);
		if ((ch->svg = slurp(path)) == NULL) {
			snprintf(err, errlen, "%s: cannot read the chart gnuplot drew: %s", path, strerror(errno));
			lb_plot_report_free(&rep);
			return LB_PLOT_FAILED;
		}
		in->ncharts++;
	}
	lb_plot_report_free(&rep);
	return LB_PLOT_OK;
}

static int remove_entry(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	remove(path);
	return 0;
}

static int emit(FILE *f, void *arg)
{
	return lb_html_emit(f, arg);
}

static volatile sig_atomic_t report_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	report_interrupted = 1;
}

int lb_cmd_report(int argc, char **argv)
{
	struct report_options o = { 0 };
	struct lb_html_input *in = NULL;
	char err[3 * LB_PLOT_PATH_MAX], scratch[LB_PLOT_PATH_MAX] = "", title[1024], *cmdline = NULL;
	struct sigaction sa = { 0 }, old_int, old_term;
	int rc = parse_options(argc, argv, &o);
	if (rc != 0) {
		lb_filter_free(&o.filter);
		return rc < 0 ? LB_EXIT_OK : rc;
	}
	rc = LB_EXIT_USAGE;
	if (lb_output_check(o.output, err, sizeof err) != 0) {
		lb_error("report: --output: %s", err);
		goto out_free;
	}
	in = calloc(o.ninputs, sizeof *in);
	if (in == NULL) {
		lb_error("report: out of memory");
		goto out_free;
	}
	for (size_t i = 0; i < o.ninputs; i++)
		if (load(o.inputs[i], &o.filter, &in[i], err, sizeof err) != 0) {
			lb_error("report: %s", err);
			goto out_free;
		}

	/* From here on an interrupt unwinds: the scratch directory goes, no page is written. */
	report_interrupted = 0;
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	const char *tmp = getenv("TMPDIR");
	snprintf(scratch, sizeof scratch, "%s/lockbench-report.XXXXXX", tmp && tmp[0] ? tmp : "/tmp");
	if (mkdtemp(scratch) == NULL) {
		lb_error("report: cannot make a scratch directory in %s: %s", tmp && tmp[0] ? tmp : "/tmp", strerror(errno));
		scratch[0] = '\0';
		goto out;
	}
	size_t ncharts = 0;
	for (size_t i = 0; i < o.ninputs && !report_interrupted; i++) {
		char dir[LB_PLOT_PATH_MAX + 32];
		snprintf(dir, sizeof dir, "%s/%zu", scratch, i + 1);
		enum lb_plot_status st = draw(&o, dir, &in[i], err, sizeof err);
		if (st == LB_PLOT_INTERRUPTED)
			report_interrupted = 1;
		else if (st != LB_PLOT_OK) {
			lb_error("report: %s", err);
			goto out;
		}
		ncharts += in[i].ncharts;
	}
	if (report_interrupted) {
		lb_error("report: interrupted; nothing written");
		rc = LB_EXIT_INTERRUPTED;
		goto out;
	}

	size_t len = 0;
	FILE *mem = open_memstream(&cmdline, &len);
	for (int i = 0; mem != NULL && i < argc; i++)
		fprintf(mem, "%s%s", i ? " " : "lockbench ", argv[i]);
	if (mem != NULL)
		fclose(mem);
	snprintf(title, sizeof title, "%s", o.title ? o.title : "");
	if (o.title == NULL)
		snprintf(title, sizeof title, "lockbench report: %s%s", o.inputs[0], o.ninputs > 1 ? " and more" : "");
	struct lb_html_report page = {
		.title = title, .generated_by = cmdline, .filter = lb_filter_active(&o.filter) ? o.filter.text : NULL,
		.inputs = in, .ninputs = o.ninputs,
	};
	if (lb_output_write(o.output, emit, &page, err, sizeof err) != 0) {
		lb_error("report: --output: %s", err);
		goto out;
	}
	if (!o.quiet && strcmp(o.output, "-") != 0) {
		char shown[LB_PLOT_PATH_MAX];
		fprintf(stderr, "report: %s (%zu input%s, %zu chart%s)\n", lb_one_line(o.output, shown, sizeof shown),
			o.ninputs, o.ninputs == 1 ? "" : "s", ncharts, ncharts == 1 ? "" : "s");
	}
	rc = LB_EXIT_OK;
out:
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (scratch[0] != '\0')
		nftw(scratch, remove_entry, 16, FTW_DEPTH | FTW_PHYS);
out_free:
	for (size_t i = 0; in != NULL && i < o.ninputs; i++) {
		lb_result_free((struct lb_result *)in[i].result);
		lb_verdict_free((struct lb_verdict *)in[i].verdict);
		for (size_t k = 0; k < in[i].ncharts; k++)
			free(in[i].charts[k].svg);
	}
	free(in);
	free(cmdline);
	lb_filter_free(&o.filter);
	return rc;
}
