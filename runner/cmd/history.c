/*
 * cmd/history.c — `lockbench history RESULT... | DIR [options]`: a suite's
 * results over commits, a trend table and a chart per metric, and compare's
 * verdict of the last result against the baseline.
 *
 * Loads the results (files in the order given, or a directory's results by
 * start time) with the configs --filter keeps, refuses any measured differently from the baseline (as
 * compare does, --allow-mismatch), builds the series (analysis/history.h),
 * prints it (render/history_table.h), charts it (--plot, render/plot.h) and
 * writes the verdict as compare does (cmd/verdict_opts.h).
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/compare.h"
#include "analysis/history.h"
#include "analysis/stats.h"
#include "cmd/cli.h"
#include "cmd/verdict_opts.h"
#include "model/json.h"
#include "model/schema.h"
#include "render/history_table.h"
#include "render/plot.h"

#define MAX_RESULTS 4096

static void usage(FILE *f)
{
	fputs("usage: lockbench history RESULT.json... | DIR [options]\n"
	      "\n"
	      "A suite's results over commits: per metric a trend table (every config's median\n"
	      "at every result and its change against the baseline) and, with --plot, a chart;\n"
	      "then the verdict of the last result against the baseline, by compare's rules\n"
	      "(Mann-Whitney U, threshold, alpha; exit 1 on a regression). Results are taken\n"
	      "in the order given; from a directory, every lockbench result in it, oldest\n"
	      "first (context.started_utc). Results measured differently from the baseline\n"
	      "are refused unless --allow-mismatch says so.\n"
	      "\n"
	      "  --baseline FILE    the result the others are measured against (default: the\n"
	      "                     first); one of the series, or another file (then first)\n"
	      "  --plot DIR         charts DIR/history-METRIC.png and .svg with their tables\n",
	      f);
	lb_verdict_opts_usage(f, LB_VOPT_HAS_ALLOW | LB_VOPT_HAS_FILTER, "repetitions per side");
	fputs("  -h, --help         this text\n"
	      "\n"
	      "Exit status: 0 no regression of the last result, 1 a regression, 2 usage or\n"
	      "input error (results measured differently included), or an output or chart\n"
	      "that could not be written.\n",
	      f);
}

struct series {
	struct lb_result **results;
	char **files;
	size_t n;
};

static void series_free(struct series *s)
{
	for (size_t i = 0; i < s->n; i++) {
		lb_result_free(s->results[i]);
		free(s->files[i]);
	}
	free(s->results);
	free(s->files);
}

static int load_one(const struct lb_verdict_opts *o, struct series *s, const char *path)
{
	char err[1024];

	if (s->n == MAX_RESULTS) {
		lb_error("history: more than %d results", MAX_RESULTS);
		return -1;
	}
	if (lb_result_load(path, &s->results[s->n], err, sizeof err) != 0) {
		lb_verdict_opts_error(o, err);
		return -1;
	}
	/* a result may keep no config: one added to the suite later is "-" before it (see has_configs) */
	lb_filter_result(&o->filter, s->results[s->n], path, err, sizeof err);
	if (!(s->files[s->n] = strdup(path))) {
		lb_result_free(s->results[s->n]);
		lb_error("history: out of memory");
		return -1;
	}
	s->n++;
	return 0;
}

struct entry {
	struct lb_result *r;
	char *file;
};

/* Oldest first by the time the run started (ISO 8601 sorts as text), then by file name. */
static int by_start(const void *a, const void *b)
{
	const struct entry *x = a, *y = b;
	const char *sx = x->r->context.started_utc ? x->r->context.started_utc : "";
	const char *sy = y->r->context.started_utc ? y->r->context.started_utc : "";
	int c = strcmp(sx, sy);

	return c ? c : strcmp(x->file, y->file);
}

/* Every lockbench result in dir (other JSON documents, a verdict say, are passed over). */
static int load_dir(const struct lb_verdict_opts *o, struct series *s, const char *dir)
{
	struct dirent **names;
	int n = scandir(dir, &names, NULL, alphasort), rc = 0;
	char path[PATH_MAX], schema[128], err[512];

	if (n < 0) {
		lb_error("history: %s: cannot read the directory", dir);
		return -1;
	}
	for (int i = 0; i < n; i++) {
		size_t len = strlen(names[i]->d_name);

		if (rc == 0 && len > 5 && strcmp(names[i]->d_name + len - 5, ".json") == 0) {
			snprintf(path, sizeof path, "%s/%s", dir, names[i]->d_name);
			if (lb_json_schema_of(path, schema, sizeof schema, err, sizeof err) == 0 &&
			    strcmp(schema, LB_SCHEMA) == 0)
				rc = load_one(o, s, path);
		}
		free(names[i]);
	}
	free(names);
	if (rc == 0 && s->n > 1) {
		/* sort results and files together: an index sort over the results' start times */
		struct entry *e = calloc(s->n, sizeof *e);
		if (!e) {
			lb_error("history: out of memory");
			return -1;
		}
		for (size_t i = 0; i < s->n; i++)
			e[i] = (struct entry){ s->results[i], s->files[i] };
		qsort(e, s->n, sizeof *e, by_start);
		for (size_t i = 0; i < s->n; i++) {
			s->results[i] = e[i].r;
			s->files[i] = e[i].file;
		}
		free(e);
	}
	return rc;
}

/* The same file (not just the same path text)? */
static bool same_file(const char *a, const char *b)
{
	struct stat x, y;

	return stat(a, &x) == 0 && stat(b, &y) == 0 && x.st_dev == y.st_dev && x.st_ino == y.st_ino;
}

/* Where the baseline is in the series, loading it in front when it is not among them. -1 after an error. */
static long find_baseline(const struct lb_verdict_opts *o, struct series *s, const char *path)
{
	if (path == NULL)
		return 0;
	for (size_t i = 0; i < s->n; i++)
		if (same_file(path, s->files[i]))
			return (long)i;
	if (load_one(o, s, path) != 0)
		return -1;
	/* move it to the front: it comes before what is measured against it */
	struct lb_result *r = s->results[s->n - 1];
	char *f = s->files[s->n - 1];
	memmove(s->results + 1, s->results, (s->n - 1) * sizeof *s->results);
	memmove(s->files + 1, s->files, (s->n - 1) * sizeof *s->files);
	s->results[0] = r;
	s->files[0] = f;
	return 0;
}

/* The baseline and the last result, which the verdict compares, keep a config each. 0, or -1 after saying which does not. */
static int has_configs(const struct lb_verdict_opts *o, const struct series *s, size_t base)
{
	size_t ends[2] = { base, s->n - 1 };

	for (size_t i = 0; i < 2; i++)
		if (s->results[ends[i]]->nconfigs == 0) {
			lb_error("history: %s: no config matches --filter %s", s->files[ends[i]], o->filter.text);
			return -1;
		}
	return 0;
}

/* Every result measured as the baseline was. 0, or -1 after a one-line refusal naming the file. */
static int check_alike(struct lb_verdict_opts *o, const struct series *s, size_t base)
{
	char err[2048], prefix[PATH_MAX + 4];

	/* the last is checked by lb_compare, with the verdict */
	for (size_t i = 0; i + 1 < s->n; i++) {
		if (i == base)
			continue;
		snprintf(prefix, sizeof prefix, "%s: ", s->files[i]);
		if (lb_compare_check_context(&s->results[base]->context, &s->results[i]->context, prefix,
					     o->s.allow_mismatch, lb_verdict_opts_warn, o, err, sizeof err) != 0) {
			lb_verdict_opts_error(o, err);
			return -1;
		}
	}
	return 0;
}

static void trend_table(FILE *f, void *arg, bool wide)
{
	lb_history_table(f, arg, wide);
}

static int trend_markdown(FILE *f, void *arg)
{
	return lb_history_markdown(f, arg);
}

static int plot(const char *dir, const struct lb_history *h)
{
	struct lb_plot_request req = { .input = "history", .output = dir, .formats = { "png", "svg" }, .nformats = 2 };
	struct lb_plot_report rep = { 0 };
	enum lb_plot_status st = lb_plot_history(&req, h, &rep);

	if (st == LB_PLOT_OK)
		fprintf(stderr, "charts: %s\n", rep.output_shown);
	else
		lb_error("history: --plot: %s", rep.err);
	lb_plot_report_free(&rep);
	return st == LB_PLOT_OK ? 0 : st == LB_PLOT_INTERRUPTED ? LB_EXIT_INTERRUPTED : LB_EXIT_USAGE;
}

enum { O_BASELINE = 0x280, O_PLOT };

int lb_cmd_history(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "baseline", required_argument, NULL, O_BASELINE },
		{ "plot", required_argument, NULL, O_PLOT },
		LB_VERDICT_LONGOPTS,
		LB_VERDICT_ALLOW_LONGOPT,
		LB_VERDICT_FILTER_LONGOPT,
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	struct lb_verdict_opts o;
	struct series s = { 0 };
	struct lb_history h = { 0 };
	struct lb_verdict *v = NULL;
	const char *baseline_path = NULL, *plot_dir = NULL;
	char err[2048];
	struct stat st;
	long base;
	int c, rc = 0;

	lb_verdict_opts_init(&o, "history", lb_stats_mann_whitney_min_n);
	optind = 0;
	opterr = 0;
	while (rc == 0 && (c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		if (c == 'q')
			o.quiet = true;
		else if (c == 'h') {
			usage(stdout);
			lb_verdict_opts_free(&o);
			return LB_EXIT_OK;
		} else if (c == O_BASELINE)
			baseline_path = optarg;
		else if (c == O_PLOT)
			plot_dir = optarg;
		else if (c >= LB_VOPT_METRIC && c <= LB_VOPT_LAST)
			rc = lb_verdict_opts_parse(&o, c, optarg);
		else
			rc = lb_option_error("history", c, argv);
	}
	if (rc)
		goto out;
	if (optind == argc) {
		lb_error("history: expected result files or a directory of results (see --help)");
		rc = LB_EXIT_USAGE;
		goto out;
	}
	if ((rc = lb_verdict_opts_finish(&o)) != 0 || (rc = lb_verdict_opts_check_outputs(&o)) != 0)
		goto out;
	rc = LB_EXIT_USAGE;
	s.results = calloc(MAX_RESULTS + 1, sizeof *s.results);
	s.files = calloc(MAX_RESULTS + 1, sizeof *s.files);
	if (!s.results || !s.files) {
		lb_error("history: out of memory");
		goto out;
	}
	if (argc - optind == 1 && stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (load_dir(&o, &s, argv[optind]) != 0)
			goto out;
	} else {
		for (int i = optind; i < argc; i++)
			if (load_one(&o, &s, argv[i]) != 0)
				goto out;
	}
	if ((base = find_baseline(&o, &s, baseline_path)) < 0)
		goto out;
	if (s.n < 2 || (size_t)base == s.n - 1) {
		lb_error("history: %s", s.n < 2 ? "fewer than two results: nothing to follow"
					       : "the baseline is the last result: nothing to judge against it");
		goto out;
	}
	if (has_configs(&o, &s, (size_t)base) != 0 || check_alike(&o, &s, (size_t)base) != 0)
		goto out;
	if (lb_history_build(&h, s.results, (const char *const *)s.files, s.n, (size_t)base, o.s.metrics,
			     o.s.nmetrics, err, sizeof err) != 0 ||
	    lb_compare(s.results[base], s.files[base], s.results[s.n - 1], s.files[s.n - 1], &o.s, lb_verdict_opts_warn,
		       &o, &v, err, sizeof err) != 0) {
		lb_verdict_opts_error(&o, err);
		goto out;
	}
	o.table_before = trend_table;
	o.markdown_before = trend_markdown;
	o.before_arg = &h;
	if (plot_dir && (rc = plot(plot_dir, &h)) != 0)
		goto out;
	rc = lb_verdict_opts_write(&o, v);
out:
	lb_verdict_free(v);
	lb_history_free(&h);
	series_free(&s);
	lb_verdict_opts_free(&o);
	return rc;
}
