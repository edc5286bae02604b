/*
 * cmd/compare.c — `lockbench compare BASE NEW [options]`: the regression gate.
 *
 * Parses the options, loads both results (model/json.h), judges them
 * (analysis/compare.h) and writes what was concluded: the table on stdout
 * (render/compare_table.h), the verdict (--json, model/verdict.h) and a
 * Markdown summary (--markdown), every file through the one writer
 * (model/output.h).
 *
 * The output files are all-or-nothing: each is written in full (to its
 * temporary file, or in place for a FIFO or device) and flushed before any
 * is committed, so a failure of one leaves none of the others behind.
 */
#define _GNU_SOURCE /* getopt_long */
#include <errno.h>
#include <getopt.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "analysis/compare.h"
#include "analysis/stats.h"
#include "cmd/cli.h"
#include "model/json.h"
#include "model/output.h"
#include "model/verdict.h"
#include "render/compare_table.h"
#include "render/format.h"

struct options {
	struct lb_compare_settings s;
	const char *json_path;
	const char *md_path;
	bool quiet;
	const char *base_path;
	const char *new_path;
};

static void usage(FILE *f)
{
	struct lb_compare_settings d;

	lb_compare_defaults(&d);
	fprintf(f,
		"usage: lockbench compare BASE.json NEW.json [options]\n"
		"\n"
		"Pair the configs of two `lockbench run` results by their id and tell, per\n"
		"config and metric, whether NEW regressed: significant (Mann-Whitney U,\n"
		"p < alpha) AND worse than the threshold. A config that was ok in BASE and\n"
		"failed, hung, errored or was interrupted in NEW is a regression of every metric.\n"
		"Merged results (lockbench merge) of several machines pair by machine and id.\n"
		"\n"
		"  --metric LIST      comma-separated, default " LB_COMPARE_METRICS_DEFAULT "; known:\n");
	/* the metric table's names, wrapped under the option's text */
	for (size_t k = 0, col = 0; k < LB_M_COUNT; k++) {
		size_t len = strlen(lb_metrics[k].name);

		if (k == 0)
			col = (size_t)fprintf(f, "%21s", "");
		else if (col + 2 + len > 78)
			col = (size_t)fprintf(f, ",\n%21s", "") - 2;
		else
			col += (size_t)fprintf(f, ", ");
		col += (size_t)fprintf(f, "%s", lb_metrics[k].name);
	}
	fputc('\n', f);
	fprintf(f,
		"  --threshold PCT    smallest change that counts, in percent: 5 or 5%%\n"
		"                     mean the same (default %g%%)\n"
		"  --alpha P          significance level, 0 < P < 1 (default %g)\n"
		"  --min-repeats N    repetitions per side below which a row is inconclusive\n"
		"                     (default: the fewest with which p < alpha is possible)\n"
		"  --json FILE        write the verdict as JSON (" LB_VERDICT_SCHEMA "); - is stdout\n"
		"  --markdown FILE    write a Markdown summary table (for a CI job summary); - is stdout\n"
		"  -q, --quiet        print nothing on stdout but a - output (errors and warnings\n"
		"                     still go to stderr); the table is also left out when an\n"
		"                     output is -\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 no regression (inconclusive rows are warned about on stderr\n"
		"but pass), 1 at least one regression, 2 usage or input error, or an output\n"
		"that could not be written (then none of the outputs is written).\n",
		d.threshold_pct, d.alpha);
}

/* Messages carry ids and paths from the input: one line each, whatever they hold. */
#define MSG_LEN 2048

static void print_warning(void *arg, const char *msg)
{
	char line[MSG_LEN];

	(void)arg;
	lb_error("compare: warning: %s", lb_one_line(msg, line, sizeof(line)));
}

static void print_error(const char *err)
{
	char line[MSG_LEN];

	lb_error("compare: %s", lb_one_line(err, line, sizeof(line)));
}

/* ---- options ---- */

static int parse_metrics(const char *list, struct lb_compare_settings *s)
{
	char *copy = strdup(list), *save = NULL, *name;
	int rc = 0;

	if (!copy) {
		lb_error("compare: out of memory");
		return LB_EXIT_USAGE;
	}
	s->nmetrics = 0;
	/* strtok_r would skip empty items silently; "a,,b" is a typo worth reporting */
	for (name = copy; name && rc == 0; name = save) {
		const struct lb_metric *m;
		bool dup = false;

		save = strchr(name, ',');
		if (save)
			*save++ = '\0';
		if (!*name) {
			lb_error("compare: --metric: empty metric name in \"%s\"", list);
			rc = LB_EXIT_USAGE;
			break;
		}
		m = lb_metric_find(name);
		if (!m) {
			char known[512] = "";

			for (size_t k = 0; k < LB_M_COUNT; k++)
				snprintf(known + strlen(known), sizeof(known) - strlen(known), "%s%s", k ? ", " : "",
					 lb_metrics[k].name);
			lb_error("compare: --metric: unknown metric \"%s\" (known: %s)", name, known);
			rc = LB_EXIT_USAGE;
			break;
		}
		for (size_t i = 0; i < s->nmetrics; i++)
			dup |= s->metrics[i] == m;
		if (!dup)
			s->metrics[s->nmetrics++] = m;
	}
	free(copy);
	return rc;
}

/* "5" and "5%" both mean five percent; a fraction like 0.05 would mean 0.05%. */
static int parse_threshold(const char *text, double *pct)
{
	char *end;

	errno = 0;
	*pct = strtod(text, &end);
	if (end != text && *end == '%')
		end++;
	if (end == text || *end != '\0' || errno || !isfinite(*pct) || *pct < 0) {
		lb_error("compare: --threshold: \"%s\" is not a percentage >= 0 (e.g. 5 or 5%%)", text);
		return LB_EXIT_USAGE;
	}
	return 0;
}

static int parse_alpha(const char *text, double *alpha)
{
	char *end;

	errno = 0;
	*alpha = strtod(text, &end);
	if (end == text || *end != '\0' || errno || !(*alpha > 0 && *alpha < 1)) {
		lb_error("compare: --alpha: \"%s\" is not a probability between 0 and 1", text);
		return LB_EXIT_USAGE;
	}
	return 0;
}

static int parse_count(const char *text, size_t *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno || v == 0 || v > 1000000) {
		lb_error("compare: --min-repeats: \"%s\" is not a positive integer", text);
		return LB_EXIT_USAGE;
	}
	*n = v;
	return 0;
}

/* What getopt_long could not take, in one line. */
static int option_error(int c, char **argv)
{
	if (c == ':')
		lb_error("compare: %s: missing value", argv[optind - 1]);
	else if (optopt == 'q' || optopt == 'h')
		lb_error("compare: %s: takes no value", argv[optind - 1]);
	else if (optopt)
		lb_error("compare: unknown option \"-%c\" (see --help)", optopt);
	else
		lb_error("compare: unknown or ambiguous option \"%s\" (see --help)", argv[optind - 1]);
	return LB_EXIT_USAGE;
}

enum { OPT_METRIC = 256, OPT_THRESHOLD, OPT_ALPHA, OPT_MIN_REPEATS, OPT_JSON, OPT_MARKDOWN };

/* Fills opt; returns -1 after --help (exit 0), 0 to go on, or the error exit code. */
static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "min-repeats", required_argument, NULL, OPT_MIN_REPEATS },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "markdown", required_argument, NULL, OPT_MARKDOWN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *metric_list = LB_COMPARE_METRICS_DEFAULT;
	bool min_repeats_given = false;
	int c, rc = 0;

	lb_compare_defaults(&opt->s);
	optind = 0; /* full re-initialisation: we may be called more than once */
	opterr = 0; /* our own one-line messages instead of getopt's */
	while (rc == 0 && (c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_METRIC:
			metric_list = optarg;
			break;
		case OPT_THRESHOLD:
			rc = parse_threshold(optarg, &opt->s.threshold_pct);
			break;
		case OPT_ALPHA:
			rc = parse_alpha(optarg, &opt->s.alpha);
			break;
		case OPT_MIN_REPEATS:
			rc = parse_count(optarg, &opt->s.min_repeats);
			min_repeats_given = true;
			break;
		case OPT_JSON:
			opt->json_path = optarg;
			break;
		case OPT_MARKDOWN:
			opt->md_path = optarg;
			break;
		case 'q':
			opt->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		default:
			rc = option_error(c, argv);
			break;
		}
	}
	if (rc)
		return rc;
	if (argc - optind != 2) {
		lb_error("compare: expected two result files, BASE and NEW, got %d (see --help)", argc - optind);
		return LB_EXIT_USAGE;
	}
	opt->base_path = argv[optind];
	opt->new_path = argv[optind + 1];
	rc = parse_metrics(metric_list, &opt->s);
	if (rc)
		return rc;
	if (!min_repeats_given) {
		opt->s.min_repeats = lb_stats_mann_whitney_min_n(opt->s.alpha);
		if (opt->s.min_repeats == 0) {
			lb_error("compare: --alpha: %g is too small for any number of repetitions", opt->s.alpha);
			return LB_EXIT_USAGE;
		}
	}
	return 0;
}

/* ---- outputs ---- */

struct out_file {
	const char *path; /* NULL: not asked for */
	int (*emit)(FILE *f, const struct lb_verdict *v);
	struct lb_output o;
	bool open;
};

static bool to_stdout(const char *path)
{
	return path && strcmp(path, "-") == 0;
}

/* Before any work: can every output be written? 0, or LB_EXIT_USAGE after saying why. */
static int check_outputs(const struct out_file *outs, size_t n)
{
	char err[512];

	if (to_stdout(outs[0].path) && to_stdout(outs[1].path)) {
		lb_error("compare: --json and --markdown cannot both be standard output (-)");
		return LB_EXIT_USAGE;
	}
	for (size_t i = 0; i < n; i++)
		if (outs[i].path && lb_output_check(outs[i].path, err, sizeof(err))) {
			print_error(err);
			return LB_EXIT_USAGE;
		}
	return 0;
}

/* Emit one output and flush it to where it goes (its temporary file, or the FIFO or device). */
static int fill_output(struct out_file *w, const struct lb_verdict *v)
{
	errno = 0;
	if (w->emit(w->o.f, v) == 0 && fflush(w->o.f) == 0 && !ferror(w->o.f))
		return 0;
	lb_error("compare: %s: cannot write: %s", to_stdout(w->path) ? "standard output" : w->path,
		 strerror(errno ? errno : EIO));
	return -1;
}

/*
 * Every output in full, or none: open all, fill the ones that go to a
 * temporary file first (so a full disk is found before anything reaches a
 * FIFO or device), then those written in place, and commit only when all of
 * them were filled. What cannot be undone is a commit failing after another
 * was committed (a rename refused in between); the flush above leaves only
 * fsync and rename to fail there.
 */
static int write_outputs(struct out_file *outs, size_t n, const struct lb_verdict *v)
{
	char err[512];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!outs[i].path)
			continue;
		if (lb_output_open(&outs[i].o, outs[i].path, err, sizeof(err))) {
			print_error(err);
			rc = -1;
		} else {
			outs[i].open = true;
		}
	}
	for (int in_place = 0; in_place < 2; in_place++)
		for (size_t i = 0; rc == 0 && i < n; i++)
			if (outs[i].open && (outs[i].o.tmp[0] == '\0') == in_place)
				rc = fill_output(&outs[i], v);
	for (size_t i = 0; i < n; i++) {
		if (!outs[i].open)
			continue;
		outs[i].open = false;
		if (rc) {
			lb_output_abort(&outs[i].o);
		} else if (lb_output_commit(&outs[i].o, err, sizeof(err))) {
			print_error(err);
			rc = -1;
		}
	}
	return rc ? LB_EXIT_USAGE : 0;
}

/* ---- entry point ---- */

/* The table on stdout; a table that did not get out is an error like any output's. */
static int print_table(const struct lb_verdict *v)
{
	errno = 0;
	lb_compare_table(stdout, v);
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	lb_error("compare: standard output: cannot write: %s", strerror(errno ? errno : EIO));
	return LB_EXIT_USAGE;
}

static int load(const char *path, struct lb_result **r)
{
	char err[1024];

	if (lb_result_load(path, r, err, sizeof(err)) == 0)
		return 0;
	print_error(err);
	return LB_EXIT_USAGE;
}

int lb_cmd_compare(int argc, char **argv)
{
	struct options opt = { 0 };
	struct lb_result *base = NULL, *nw = NULL;
	struct lb_verdict *v = NULL;
	char err[1024];
	int rc;

	rc = parse_options(argc, argv, &opt);
	if (rc)
		return rc < 0 ? LB_EXIT_OK : rc;
	struct out_file outs[] = {
		{ .path = opt.json_path, .emit = lb_verdict_emit },
		{ .path = opt.md_path, .emit = lb_compare_markdown },
	};
	size_t nouts = sizeof(outs) / sizeof(outs[0]);

	rc = check_outputs(outs, nouts);
	if (rc == 0)
		rc = load(opt.base_path, &base);
	if (rc == 0)
		rc = load(opt.new_path, &nw);
	if (rc == 0 && lb_compare(base, opt.base_path, nw, opt.new_path, &opt.s, print_warning, NULL, &v, err,
				  sizeof(err))) {
		print_error(err);
		rc = LB_EXIT_USAGE;
	}
	if (rc == 0) {
		/* a - output owns stdout: the table would corrupt it */
		if (!opt.quiet && !to_stdout(opt.json_path) && !to_stdout(opt.md_path))
			rc = print_table(v);
		if (rc == 0)
			rc = write_outputs(outs, nouts, v);
		if (rc == 0 && v->overall == LB_J_REGRESSION)
			rc = LB_EXIT_CHECK;
	}
	lb_verdict_free(v);
	lb_result_free(base);
	lb_result_free(nw);
	return rc;
}
