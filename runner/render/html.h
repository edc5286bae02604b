/*
 * render/html.h — `lockbench report`: one self-contained HTML page of
 * results and verdicts.
 *
 * cmd/report.c loads the inputs, has render/plot.c draw each one's charts as
 * SVG into a scratch directory, reads them back and hands everything here;
 * the page is written through the atomic writer. Self-contained: the style
 * is in the page, every chart is inline SVG, and nothing is fetched — no
 * script, font, image or link outside the page.
 *
 * render/html_page.c     the page: head, style, contents, sections, foot
 * render/html_result.c   a result: context, summary table, per-config details
 * render/html_verdict.c  a verdict: its rows and what only one side has
 * render/html_charts.c   charts inline, ids made unique, "what this shows"
 * render/html_text.c     escaping and numbers (html_int.h)
 */
#ifndef LB_RENDER_HTML_H
#define LB_RENDER_HTML_H

#include <stdio.h>

#include "model/model.h"
#include "model/verdict.h"
#include "render/plot.h"

/* One chart of an input: its name ("throughput", ...) and its SVG as gnuplot wrote it. */
struct lb_html_chart {
	char name[16];
	char *svg;
};

/* One input of the report: a result or a verdict, with its charts. */
struct lb_html_input {
	const char *path;
	const struct lb_result *result;   /* one of these two */
	const struct lb_verdict *verdict;
	struct lb_html_chart charts[LB_PLOT_MAX_CHARTS];
	size_t ncharts;
	unsigned threads;                 /* a result: the thread count of its per-thread charts */
	char fairness_view[8];            /* a result: "bars" or "lorenz" */
};

struct lb_html_report {
	const char *title;
	const char *generated_by; /* the command line that made the page */
	const char *filter;       /* --filter as given, NULL: none */
	const struct lb_html_input *inputs;
	size_t ninputs;
};

/* Write the page. 0, or -1 when writing failed (errno says why). */
int lb_html_emit(FILE *f, const struct lb_html_report *r);

#endif
