/*
 * cmd/verdict_opts.c — the judging, filtering and output options of
 * `compare`, `ab` and `history`, parsed once, and their outputs written all
 * or none.
 *
 * The output files are all-or-nothing: each is written in full (to its
 * temporary file, or in place for a FIFO or device) and flushed before any
 * is committed, so a failure of one leaves none of the others behind.
 */
#include "cmd/verdict_opts.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "cmd/cli.h"
#include "model/json.h"
#include "model/output.h"
#include "render/compare_table.h"
#include "render/format.h"

/* Messages carry ids and paths from the input: one line each, whatever they hold. */
#define MSG_LEN 2048

void lb_verdict_opts_warn(void *arg, const char *msg)
{
	const struct lb_verdict_opts *o = arg;
	char line[MSG_LEN];

	lb_error("%s: warning: %s", o->cmd, lb_one_line(msg, line, sizeof(line)));
}

void lb_verdict_opts_error(const struct lb_verdict_opts *o, const char *msg)
{
	char line[MSG_LEN];

	lb_error("%s: %s", o->cmd, lb_one_line(msg, line, sizeof(line)));
}

void lb_verdict_opts_init(struct lb_verdict_opts *o, const char *cmd, size_t (*min_n)(double alpha))
{
	memset(o, 0, sizeof(*o));
	o->cmd = cmd;
	o->min_n = min_n;
	lb_compare_defaults(&o->s);
	o->metric_list = LB_COMPARE_METRICS_DEFAULT;
}

void lb_verdict_opts_free(struct lb_verdict_opts *o)
{
	lb_filter_free(&o->filter);
}

int lb_verdict_opts_load(const struct lb_verdict_opts *o, const char *path, struct lb_result **r)
{
	char err[1024];

	*r = NULL;
	if (lb_result_load(path, r, err, sizeof(err)) == 0 &&
	    lb_filter_result(&o->filter, *r, path, err, sizeof(err)) == 0)
		return 0;
	lb_result_free(*r);
	*r = NULL;
	lb_verdict_opts_error(o, err);
	return LB_EXIT_USAGE;
}

/* Every metric and group name, ", "-separated (for an error). */
static void known_names(char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t k = 0; k < LB_M_COUNT; k++)
		snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", k ? ", " : "", lb_metrics[k].name);
	for (size_t g = 0; lb_metric_groups[g].name; g++)
		snprintf(buf + strlen(buf), len - strlen(buf), ", %s", lb_metric_groups[g].name);
}

/* Add one metric, unless it is there already. */
static void add_metric(struct lb_compare_settings *s, const struct lb_metric *m)
{
	for (size_t i = 0; i < s->nmetrics; i++)
		if (s->metrics[i] == m)
			return;
	s->metrics[s->nmetrics++] = m;
}

static int parse_metrics(const struct lb_verdict_opts *o, const char *list, struct lb_compare_settings *s)
{
	char *copy = strdup(list), *next = NULL;
	char known[1024];
	int rc = 0;

	if (!copy) {
		lb_error("%s: out of memory", o->cmd);
		return LB_EXIT_USAGE;
	}
	s->nmetrics = 0;
	/* strtok_r would skip empty items silently; "a,,b" is a typo worth reporting */
	for (char *name = copy; name && rc == 0; name = next) {
		const struct lb_metric *m;
		const char *group;

		next = strchr(name, ',');
		if (next)
			*next++ = '\0';
		if (!*name) {
			lb_error("%s: --metric: empty metric name in \"%s\"", o->cmd, list);
			rc = LB_EXIT_USAGE;
		} else if ((m = lb_metric_find(name))) {
			add_metric(s, m);
		} else if ((group = lb_metric_group(name))) {
			char members[512];

			snprintf(members, sizeof(members), "%s", group);
			for (char *g = members, *gn; g; g = gn) {
				gn = strchr(g, ',');
				if (gn)
					*gn++ = '\0';
				add_metric(s, lb_metric_find(g)); /* the groups name table entries only */
			}
		} else {
			known_names(known, sizeof(known));
			lb_error("%s: --metric: unknown metric \"%s\" (known: %s)", o->cmd, name, known);
			rc = LB_EXIT_USAGE;
		}
	}
	free(copy);
	return rc;
}

/* "5" and "5%" both mean five percent; a fraction like 0.05 would mean 0.05%. */
static int parse_threshold(const struct lb_verdict_opts *o, const char *text, double *pct)
{
	char *end;

	errno = 0;
	*pct = strtod(text, &end);
	if (end != text && *end == '%')
		end++;
	if (end == text || *end != '\0' || errno || !isfinite(*pct) || *pct < 0) {
		lb_error("%s: --threshold: \"%s\" is not a percentage >= 0 (e.g. 5 or 5%%)", o->cmd, text);
		return LB_EXIT_USAGE;
	}
	return 0;
}

static int parse_alpha(const struct lb_verdict_opts *o, const char *text, double *alpha)
{
	char *end;

	errno = 0;
	*alpha = strtod(text, &end);
	if (end == text || *end != '\0' || errno || !(*alpha > 0 && *alpha < 1)) {
		lb_error("%s: --alpha: \"%s\" is not a probability between 0 and 1", o->cmd, text);
		return LB_EXIT_USAGE;
	}
	return 0;
}

static int parse_count(const struct lb_verdict_opts *o, const char *text, size_t *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(text, &end, 10);
	if (text[0] < '0' || text[0] > '9' || *end != '\0' || errno || v == 0 || v > 1000000) {
		lb_error("%s: --min-repeats: \"%s\" is not a positive integer", o->cmd, text);
		return LB_EXIT_USAGE;
	}
	*n = v;
	return 0;
}

int lb_verdict_opts_parse(struct lb_verdict_opts *o, int c, const char *arg)
{
	char err[256];

	switch (c) {
	case LB_VOPT_METRIC:
		o->metric_list = arg;
		return 0;
	case LB_VOPT_THRESHOLD:
		return parse_threshold(o, arg, &o->s.threshold_pct);
	case LB_VOPT_ALPHA:
		return parse_alpha(o, arg, &o->s.alpha);
	case LB_VOPT_MIN_REPEATS:
		o->min_repeats_given = true;
		return parse_count(o, arg, &o->s.min_repeats);
	case LB_VOPT_ALLOW_MISMATCH:
		if (lb_mismatch_parse(arg, &o->s.allow_mismatch, err, sizeof(err)) == 0)
			return 0;
		lb_error("%s: --allow-mismatch: %s", o->cmd, err);
		return LB_EXIT_USAGE;
	case LB_VOPT_JSON:
		o->json_path = arg;
		return 0;
	case LB_VOPT_MARKDOWN:
		o->md_path = arg;
		return 0;
	case LB_VOPT_WIDE:
		o->wide = true;
		return 0;
	case LB_VOPT_FILTER:
		if (lb_filter_parse(&o->filter, arg, err, sizeof(err)) == 0)
			return 0;
		lb_error("%s: --filter: %s", o->cmd, err);
		return LB_EXIT_USAGE;
	}
	return LB_EXIT_USAGE;
}

int lb_verdict_opts_finish(struct lb_verdict_opts *o)
{
	int rc = parse_metrics(o, o->metric_list, &o->s);

	if (rc || o->min_repeats_given)
		return rc;
	o->s.min_repeats = o->min_n(o->s.alpha);
	if (o->s.min_repeats == 0) {
		lb_error("%s: --alpha: %g is too small for any number of repetitions", o->cmd, o->s.alpha);
		return LB_EXIT_USAGE;
	}
	return 0;
}

void lb_verdict_opts_usage(FILE *f, unsigned has, const char *unit)
{
	struct lb_compare_settings d;

	lb_compare_defaults(&d);
	fprintf(f, "  --metric LIST      comma-separated, default " LB_COMPARE_METRICS_DEFAULT "; known:\n");
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
	fprintf(f, "\n%21sgroups:", "");
	for (size_t g = 0; lb_metric_groups[g].name; g++)
		fprintf(f, "%s %s", g ? "," : "", lb_metric_groups[g].name);
	fprintf(f,
		"\n"
		"  --threshold PCT    smallest change that counts, in percent: 5 or 5%%\n"
		"                     mean the same (default %g%%)\n"
		"  --alpha P          significance level, 0 < P < 1 (default %g)\n"
		"  --min-repeats N    %s below which a row is inconclusive\n"
		"                     (default: the fewest with which p < alpha is possible)\n",
		d.threshold_pct, d.alpha, unit);
	if (has & LB_VOPT_HAS_ALLOW)
		fputs("  --allow-mismatch LIST  compare anyway results measured differently in\n"
		      "                     options (duration, warmup, pin, slice, log-cap), timing,\n"
		      "                     busy-rate or machine (host, CPU); all: every one. Refused\n"
		      "                     (exit 2) by default; allowed ones are warned about\n",
		      f);
	if (has & LB_VOPT_HAS_FILTER)
		fputs("  --filter F         only the configs F keeps, e.g. lock=ticket,mcs,threads=2\n"
		      "                     (keys lock, workload, threads, pin, machine; globs;\n"
		      "                     repeatable)\n",
		      f);
	fputs("  --json FILE        write the verdict as JSON (" LB_VERDICT_SCHEMA "); -: stdout\n"
	      "  --markdown FILE    write a Markdown summary table (for a CI job summary);\n"
	      "                     - is stdout\n"
	      "  --wide             the table with whole config ids (default: what tells\n"
	      "                     rows apart, in 80 columns)\n"
	      "  -q, --quiet        print nothing on stdout but a - output (errors and warnings\n"
	      "                     still go to stderr); the table is also left out when an\n"
	      "                     output is -\n",
	      f);
}

/* ---- outputs ---- */

struct out_file {
	const char *path; /* NULL: not asked for */
	int (*emit)(FILE *f, const struct lb_verdict_opts *o, const struct lb_verdict *v);
	struct lb_output o;
	bool open;
};

static bool to_stdout(const char *path)
{
	return path && strcmp(path, "-") == 0;
}

int lb_verdict_opts_check_outputs(const struct lb_verdict_opts *o)
{
	const char *paths[] = { o->json_path, o->md_path };
	char err[512];

	if (to_stdout(o->json_path) && to_stdout(o->md_path)) {
		lb_error("%s: --json and --markdown cannot both be standard output (-)", o->cmd);
		return LB_EXIT_USAGE;
	}
	for (size_t i = 0; i < 2; i++)
		if (paths[i] && lb_output_check(paths[i], err, sizeof(err))) {
			lb_verdict_opts_error(o, err);
			return LB_EXIT_USAGE;
		}
	return 0;
}

/* Emit one output and flush it to where it goes (its temporary file, or the FIFO or device). */
static int fill_output(const struct lb_verdict_opts *o, struct out_file *w, const struct lb_verdict *v)
{
	errno = 0;
	if (w->emit(w->o.f, o, v) == 0 && fflush(w->o.f) == 0 && !ferror(w->o.f))
		return 0;
	lb_error("%s: %s: cannot write: %s", o->cmd, to_stdout(w->path) ? "standard output" : w->path,
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
static int write_outputs(const struct lb_verdict_opts *o, struct out_file *outs, size_t n, const struct lb_verdict *v)
{
	char err[512];
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < n; i++) {
		if (!outs[i].path)
			continue;
		if (lb_output_open(&outs[i].o, outs[i].path, err, sizeof(err))) {
			lb_verdict_opts_error(o, err);
			rc = -1;
		} else {
			outs[i].open = true;
		}
	}
	for (int in_place = 0; in_place < 2; in_place++)
		for (size_t i = 0; rc == 0 && i < n; i++)
			if (outs[i].open && (outs[i].o.tmp[0] == '\0') == in_place)
				rc = fill_output(o, &outs[i], v);
	for (size_t i = 0; i < n; i++) {
		if (!outs[i].open)
			continue;
		outs[i].open = false;
		if (rc) {
			lb_output_abort(&outs[i].o);
		} else if (lb_output_commit(&outs[i].o, err, sizeof(err))) {
			lb_verdict_opts_error(o, err);
			rc = -1;
		}
	}
	return rc ? LB_EXIT_USAGE : 0;
}

static int emit_json(FILE *f, const struct lb_verdict_opts *o, const struct lb_verdict *v)
{
	(void)o;
	return lb_verdict_emit(f, v);
}

static int emit_markdown(FILE *f, const struct lb_verdict_opts *o, const struct lb_verdict *v)
{
	if (o->markdown_before && o->markdown_before(f, o->before_arg) != 0)
		return -1;
	return lb_compare_markdown(f, v);
}

/* The table on stdout; a table that did not get out is an error like any output's. */
static int print_table(const struct lb_verdict_opts *o, const struct lb_verdict *v)
{
	errno = 0;
	if (o->table_before)
		o->table_before(stdout, o->before_arg, o->wide);
	lb_compare_table(stdout, v, o->wide);
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	lb_error("%s: standard output: cannot write: %s", o->cmd, strerror(errno ? errno : EIO));
	return LB_EXIT_USAGE;
}

int lb_verdict_opts_write(const struct lb_verdict_opts *o, const struct lb_verdict *v)
{
	struct out_file outs[] = {
		{ .path = o->json_path, .emit = emit_json },
		{ .path = o->md_path, .emit = emit_markdown },
	};
	int rc = 0;

	/* a - output owns stdout: the table would corrupt it */
	if (!o->quiet && !to_stdout(o->json_path) && !to_stdout(o->md_path))
		rc = print_table(o, v);
	if (rc == 0)
		rc = write_outputs(o, outs, sizeof(outs) / sizeof(outs[0]), v);
	if (rc == 0 && v->overall == LB_J_REGRESSION)
		rc = LB_EXIT_CHECK;
	return rc;
}
