/*
 * render/html_charts.c — an input's charts inline, each with a short "what
 * this shows": how to read it, then what it says about this input (the
 * leader, the collapse, the starved), computed from the result's summaries.
 *
 * The charts are gnuplot's SVG (render/plot.c drew them with the same
 * scripts as `lockbench plot`). Every chart of gnuplot's defines the same
 * ids (gpPt0, gnuplot_canvas, ...); in one page they must be unique, so
 * each id and each reference to one (href="#...", url(#...)) gets the
 * figure's own prefix.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/identity.h"
#include "render/html_int.h"
#include "render/plot_int.h"

/* ---- the SVG, ids made unique ---- */

/* Whether s starts with the attribute text a (e.g. "id='"), at a word start. */
static size_t attr_at(const char *s, const char *start, const char *a)
{
	size_t n = strlen(a);
	if (strncmp(s, a, n) != 0 || (s > start && s[-1] != ' ' && s[-1] != '\t' && s[-1] != '\n'))
		return 0;
	return n;
}

/*
 * gnuplot's SVG from its root element on, every id and reference inside a
 * tag prefixed with pfx- (text between tags is left as it is: a lock may be
 * called "id='x'"), and its <title> made the chart's.
 */
static void put_svg(FILE *f, const char *svg, const char *pfx, const char *title)
{
	const char *p = strstr(svg, "<svg");
	if (p == NULL)
		return;
	const char *start = p;
	bool in_tag = false;
	while (*p) {
		size_t n;
		if (!in_tag && strncmp(p, "<title>Gnuplot</title>", 22) == 0) {
			fputs("<title>", f);
			html_text(f, title);
			fputs("</title>", f);
			p += 22;
		} else if (!in_tag) {
			in_tag = *p == '<';
			fputc(*p++, f);
		} else if ((n = attr_at(p, start, "id='")) || (n = attr_at(p, start, "id=\""))) {
			fwrite(p, 1, n, f);
			fprintf(f, "%s-", pfx);
			p += n;
		} else if (strncmp(p, "href='#", 7) == 0 || strncmp(p, "href=\"#", 7) == 0) {
			fprintf(f, "%.7s%s-", p, pfx);
			p += 7;
		} else if (strncmp(p, "url(#", 5) == 0) {
			fprintf(f, "url(#%s-", pfx);
			p += 5;
		} else {
			in_tag = *p != '>';
			fputc(*p++, f);
		}
	}
}

/* ---- what the result says ---- */

/* "lock variant" of a config (and its workload when the result has several), from its id. */
static void name_of(const struct lb_config *c, bool with_wl, char *buf, size_t len)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	static char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX];
	char why[128];
	if (c->id == NULL || lb_identity_parse(c->id, &id, why, sizeof why) != 0) {
		snprintf(buf, len, "%s", html_config_label(c));
		return;
	}
	plot_identity_keys(&id, lock, wl, sizeof lock);
	buf[0] = '\0';
	plot_append(buf, len, "%s%s%s", lock, with_wl ? " / " : "", with_wl ? wl : "");
}

static bool several_workloads(const struct lb_result *r)
{
	for (size_t i = 1; i < r->nconfigs; i++)
		if (strcmp(r->configs[i].workload_name ? r->configs[i].workload_name : "",
			   r->configs[0].workload_name ? r->configs[0].workload_name : "") != 0)
			return true;
	return false;
}

static double median_of(const struct lb_config *c, enum lb_metric_id k)
{
	return c->summary.present && c->summary.stat[k].n > 0 ? c->summary.stat[k].median : NAN;
}

static unsigned max_threads(const struct lb_result *r)
{
	unsigned t = 0;
	for (size_t i = 0; i < r->nconfigs; i++)
		if (isfinite(median_of(&r->configs[i], LB_M_THROUGHPUT)) && r->configs[i].threads > t)
			t = r->configs[i].threads;
	return t;
}

/*
 * Metric k of a config as a chart shows it: the median over repetitions (throughput, tail), or the
 * value of the repetition the per-thread charts show (latency, fairness, timeline: `shown`).
 */
static double value_of(const struct lb_config *c, enum lb_metric_id k, bool shown)
{
	if (!shown)
		return median_of(c, k);
	const struct lb_sample *s = html_median_sample(c);
	return s ? lb_metrics[k].get(s) : NAN;
}

/* The configs at `threads` with the lowest and highest metric k (value_of); NULL when none has it. */
static void extremes(const struct lb_result *r, unsigned threads, enum lb_metric_id k, bool shown,
		     const struct lb_config **lo, const struct lb_config **hi)
{
	*lo = *hi = NULL;
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		double v = value_of(c, k, shown);
		if (c->threads != threads || !isfinite(v))
			continue;
		if (*lo == NULL || v < value_of(*lo, k, shown))
			*lo = c;
		if (*hi == NULL || v > value_of(*hi, k, shown))
			*hi = c;
	}
}

static void caption_throughput(FILE *f, const struct lb_result *r, bool wl)
{
	char a[256], b[256], x[32], y[32];
	unsigned t = max_threads(r);
	const struct lb_config *lo, *hi;
	fputs("Acquisitions per second against the thread count, one line per lock: the median of the repetitions "
	      "with its 95% CI. Higher is better; a line that falls as threads grow is a lock that does not scale, "
	      "and right of the dashed line there are more threads than PUs, where a FIFO spinlock can lose orders "
	      "of magnitude. ",
	      f);
	extremes(r, t, LB_M_THROUGHPUT, false, &lo, &hi);
	if (hi == NULL)
		return;
	name_of(hi, wl, a, sizeof a);
	html_rate(x, sizeof x, median_of(hi, LB_M_THROUGHPUT));
	html_textf(f, "Here, at %u threads, %s leads with %s/s", t, a, x);
	if (lo != hi) {
		name_of(lo, wl, b, sizeof b);
		html_rate(y, sizeof y, median_of(lo, LB_M_THROUGHPUT));
		html_textf(f, "; %s is last with %s/s", b, y);
		double ratio = median_of(hi, LB_M_THROUGHPUT) / median_of(lo, LB_M_THROUGHPUT);
		if (isfinite(ratio) && ratio >= 10)
			html_textf(f, ", %.0f times less", ratio);
	}
	fputs(".", f);
}

static void caption_tail(FILE *f, const struct lb_result *r, bool wl)
{
	char a[256], b[256], x[32], y[32];
	unsigned t = max_threads(r);
	const struct lb_config *lo, *hi;
	fputs("The tail of the wait for the lock against threads: the p99 (left) and p99.9 (right) of each run, the "
	      "median over repetitions. Lower is better; this is how long the unlucky waiter waits, and how that grows "
	      "with contention. ",
	      f);
	extremes(r, t, LB_M_P99, false, &lo, &hi);
	if (lo == NULL)
		return;
	name_of(lo, wl, a, sizeof a);
	html_ns(x, sizeof x, median_of(lo, LB_M_P99));
	html_textf(f, "Here, at %u threads, the shortest p99 is %s's (%s)", t, a, x);
	if (hi != lo) {
		name_of(hi, wl, b, sizeof b);
		html_ns(y, sizeof y, median_of(hi, LB_M_P99));
		html_textf(f, ", the longest %s's (%s)", b, y);
	}
	fputs(".", f);
}

static void caption_latency(FILE *f, const struct lb_result *r, unsigned t, bool wl)
{
	char a[256], x[32];
	const struct lb_config *lo, *hi;
	html_textf(f, "The whole distribution of the wait at %u threads, one curve per lock (the repetition with the "
		      "median throughput): x runs through 50%%, 90%%, 99%%, 99.9%%... evenly, so the tail gets most of "
		      "the width. A curve that turns up sharply has rare long waits: a waiter passed over, or "
		      "preempted. ",
		   t);
	extremes(r, t, LB_M_P999, true, &lo, &hi);
	if (hi == NULL)
		return;
	name_of(hi, wl, a, sizeof a);
	html_ns(x, sizeof x, value_of(hi, LB_M_P999, true));
	html_textf(f, "Here the longest p99.9 is %s's: %s.", a, x);
}

static void caption_fairness(FILE *f, const struct lb_result *r, unsigned t, const char *view, bool wl)
{
	char a[256], x[32], list[1024] = "";
	const struct lb_config *lo, *hi;
	if (strcmp(view, "bars") == 0)
		html_textf(f, "How each lock shares its acquisitions among its %u threads: a bar per thread, the dashed "
			      "line the fair share; Jain's index is 1 when fair, 1/threads when one thread takes all. ",
			   t);
	else
		html_textf(f, "How each lock shares its acquisitions among its %u threads, as a Lorenz curve: threads "
			      "sorted from the fewest acquisitions up, the share the first x of them took; the diagonal "
			      "is perfect fairness, and a curve that sags below it means a few threads took most. ",
			   t);
	fputs("Beside it, Jain's index against throughput: a lock can be perfectly fair because it hardly runs, so a "
	      "lock left of the dashed line, under 1% of the best lock's acquisitions, has collapsed however fair it "
	      "looks. ",
	      f);
	/* The repetition the chart shows, as the chart does; a lock that did nothing has no fairness to rank. */
	const struct lb_config *least = NULL;
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		double j = value_of(c, LB_M_JAIN, true);
		if (c->threads == t && isfinite(j) && value_of(c, LB_M_THROUGHPUT, true) > 0 &&
		    (least == NULL || j < value_of(least, LB_M_JAIN, true)))
			least = c;
	}
	if (least != NULL) {
		name_of(least, wl, a, sizeof a);
		html_ratio(x, sizeof x, value_of(least, LB_M_JAIN, true));
		html_textf(f, "Here the least fair is %s (Jain %s)", a, x);
	}
	extremes(r, t, LB_M_THROUGHPUT, true, &lo, &hi);
	size_t n = 0;
	for (size_t i = 0; hi != NULL && i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		if (c->threads == t && value_of(c, LB_M_THROUGHPUT, true) < 0.01 * value_of(hi, LB_M_THROUGHPUT, true)) {
			name_of(c, wl, a, sizeof a);
			if (n++ < 6)
				plot_append(list, sizeof list, "%s%s", n > 1 ? ", " : "", a);
		}
	}
	if (n > 0)
		html_textf(f, "%scollapsed: %s%s", least ? "; " : "Here ", list, n > 6 ? ", ..." : "");
	fputs(".", f);
}

static void caption_timeline(FILE *f, const struct lb_result *r, unsigned t, bool wl)
{
	char a[256], list[1024] = "";
	html_textf(f, "Acquisitions of each thread in each time slice of the window at %u threads, one panel per lock, "
		      "one colour scale for all: a white cell is a slice in which that thread acquired nothing, so a "
		      "white run is starvation, and when it happened.%s ",
		   t,
		   t > 64 ? " With this many threads a row is one of 64 groups of threads sorted by acquisitions, fewest "
			    "at the bottom."
			  : "");
	size_t n = 0;
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		const struct lb_sample *shown = html_median_sample(c);
		if (c->threads == t && shown != NULL && shown->has_starvation && shown->starvation.starved) {
			name_of(c, wl, a, sizeof a);
			if (n++ < 6)
				plot_append(list, sizeof list, "%s%s", n > 1 ? ", " : "", a);
		}
	}
	if (n > 0)
		html_textf(f, "Here the repetition shown flagged starved threads under %s%s.", list, n > 6 ? ", ..." : "");
	else
		html_textf(f, "Here no thread was flagged starved at %u threads.", t);
}

static void caption_compare(FILE *f, const struct lb_verdict *v)
{
	fputs("New against base for every config and metric: the ratio of the medians with its bootstrap 95% CI. The "
	      "grey band is the threshold within which a change never counts; a change counts as a regression only "
	      "outside it and when significant. Whether right of 1 is good depends on the metric (its label says). ",
	      f);
	html_textf(f, "Here the verdict is %s: %zu regression%s, %zu improvement%s.", lb_judgement_name(v->overall),
		   v->counts[LB_J_REGRESSION], v->counts[LB_J_REGRESSION] == 1 ? "" : "s", v->counts[LB_J_IMPROVEMENT],
		   v->counts[LB_J_IMPROVEMENT] == 1 ? "" : "s");
}

static const struct {
	const char *name, *title;
} chart_titles[] = {
	{ "throughput", "Throughput against threads" },
	{ "tail", "Tail of the wait against threads (p99, p99.9)" },
	{ "latency", "Wait percentiles" },
	{ "fairness", "Fairness, beside throughput" },
	{ "timeline", "Starvation timeline" },
	{ "rw", "Reads and writes against threads" },
	{ "compare", "New against base" },
};

static const char *title_of(const char *name)
{
	for (size_t i = 0; i < sizeof chart_titles / sizeof chart_titles[0]; i++)
		if (strcmp(chart_titles[i].name, name) == 0)
			return chart_titles[i].title;
	return name;
}

void html_charts(FILE *f, const struct lb_html_input *in, size_t index)
{
	char sec[32];
	html_section_id(sec, sizeof sec, index);
	bool wl = in->result != NULL && several_workloads(in->result);
	for (size_t i = 0; i < in->ncharts; i++) {
		const struct lb_html_chart *ch = &in->charts[i];
		char pfx[64];
		snprintf(pfx, sizeof pfx, "%s-%s", sec, ch->name);
		fprintf(f, "<figure class=\"chart\" id=\"%s\">\n", pfx);
		put_svg(f, ch->svg, pfx, title_of(ch->name));
		fprintf(f, "\n<figcaption><strong>%s.</strong> <span class=\"what\">", title_of(ch->name));
		if (strcmp(ch->name, "compare") == 0 && in->verdict)
			caption_compare(f, in->verdict);
		else if (in->result == NULL)
			;
		else if (strcmp(ch->name, "throughput") == 0)
			caption_throughput(f, in->result, wl);
		else if (strcmp(ch->name, "tail") == 0)
			caption_tail(f, in->result, wl);
		else if (strcmp(ch->name, "latency") == 0)
			caption_latency(f, in->result, in->threads, wl);
		else if (strcmp(ch->name, "fairness") == 0)
			caption_fairness(f, in->result, in->threads, in->fairness_view, wl);
		else if (strcmp(ch->name, "timeline") == 0)
			caption_timeline(f, in->result, in->threads, wl);
		else if (strcmp(ch->name, "rw") == 0)
			fputs("Read and write acquisitions per second of each reader-writer lock against threads, side by "
			      "side on the same axes, so a lock that scales its readers and one that keeps its writers going "
			      "can be told apart. A role that got nothing sits on the line marked 0; a red ring marks a role "
			      "that starved a thread: a reader-preference lock's writers, a writer-preference lock's readers.",
			      f);
		fputs("</span></figcaption>\n</figure>\n", f);
	}
}
