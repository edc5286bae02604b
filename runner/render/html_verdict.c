/*
 * render/html_verdict.c — a compare (or ab) verdict in the report: what was
 * compared with what and how, a row per config and metric coloured by its
 * verdict, the configs only one side has, the warnings, and the compare chart.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/format.h"
#include "render/html_int.h"
#include "render/id_label.h"

static const char *or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

/* A median in its metric's unit: 2.09M/s, 1.02us, 0.997. */
static void value(char *buf, size_t len, double x, const struct lb_metric *m)
{
	char num[32];
	if (m != NULL && strcmp(m->unit, "per_s") == 0 && isfinite(x)) {
		html_rate(num, sizeof num, x);
		snprintf(buf, len, "%s/s", num);
	} else if (m != NULL && strcmp(m->unit, "ns") == 0) {
		html_ns(buf, len, x);
	} else if (isfinite(x) && fabs(x) >= 1e4) {
		lb_human_value(x, buf, len); /* a count (max_bypass): 12.3k, not 1.23e+04 */
	} else if (isfinite(x)) {
		snprintf(buf, len, "%.3g", x);
	} else {
		snprintf(buf, len, "-");
	}
}

static void pct(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.1f%%", fabs(p) < 0.05 ? 0.0 : p);
}

static void sides(FILE *f, const struct lb_verdict *v)
{
	const struct lb_verdict_side *s[] = { &v->base, &v->new };
	const char *name[] = { "base", "new" };
	fputs("<table class=\"context\">\n", f);
	for (int i = 0; i < 2; i++) {
		fprintf(f, "<tr><th scope=\"row\">%s</th><td>", name[i]);
		html_textf(f, "%s (%s, %s, commit %s)", or(s[i]->file, "?"), or(s[i]->host, "unknown host"),
			   or(s[i]->cpu_model, "unknown CPU"), or(s[i]->git_commit, "?"));
		fputs("</td></tr>\n", f);
	}
	fputs("<tr><th scope=\"row\">settings</th><td>", f);
	/* ab's verdict (paired) was judged on windows of one process, compare's on runs of two */
	html_textf(f, "threshold %g%%, alpha %g (%s), at least %zu %s; metrics:", v->settings.threshold_pct,
		   v->settings.alpha, v->settings.paired ? "Wilcoxon signed-rank" : "Mann-Whitney U",
		   v->settings.min_repeats,
		   v->settings.paired ? "window pairs in one process" : "repetitions per side");
	for (size_t k = 0; k < v->settings.nmetrics; k++)
		html_textf(f, "%s %s", k ? "," : "", v->settings.metrics[k]->name);
	fputs("</td></tr>\n</table>\n", f);
}

static void rows(FILE *f, const struct lb_verdict *v, const char *sec)
{
	struct lb_id_labels labels = { 0 };
	const char **ids = calloc(v->nrows ? v->nrows : 1, sizeof *ids);
	for (size_t i = 0; ids && i < v->nrows; i++)
		ids[i] = v->rows[i].config;
	bool short_names = ids && lb_id_labels_make(ids, v->nrows, &labels) == 0;
	if (short_names && labels.common[0]) {
		fputs("<p>Every config: <code>", f);
		html_text(f, labels.common);
		fputs("</code></p>\n", f);
	}
	fprintf(f, "<table class=\"verdict-rows\" id=\"%s-rows\">\n<thead><tr><th>config</th><th>metric</th>"
		   "<th>base</th><th>new</th><th>change</th><th>95%% CI</th><th>p</th><th>verdict</th></tr></thead>\n"
		   "<tbody>\n",
		sec);
	for (size_t i = 0; i < v->nrows; i++) {
		const struct lb_verdict_row *r = &v->rows[i];
		char a[64], b[64];
		const char *j = lb_judgement_name(r->verdict);
		fprintf(f, "<tr class=\"verdict-%s\">", strcmp(j, "n/a") == 0 ? "na" : j);
		fputs("<td title=\"", f);
		html_text(f, or(r->config, ""));
		fputs("\">", f);
		html_text(f, short_names && labels.label[i][0] ? labels.label[i] : or(r->config, "?"));
		if (r->machine) /* a verdict paired by machine: the machine after the config, as the chart has it */
			html_textf(f, " @ %s", r->machine);
		fputs("</td>", f);
		html_td(f, NULL, "%s", r->metric ? r->metric->name : "?");
		value(a, sizeof a, r->base_median, r->metric);
		value(b, sizeof b, r->new_median, r->metric);
		html_td(f, "num", "%s", a), html_td(f, "num", "%s", b);
		pct(a, sizeof a, r->change_pct);
		html_td(f, "num", "%s", a);
		if (isnan(r->ci95_low) || isnan(r->ci95_high)) {
			html_td(f, "num", "-");
		} else {
			pct(a, sizeof a, (r->ci95_low - 1) * 100);
			pct(b, sizeof b, (r->ci95_high - 1) * 100);
			html_td(f, "num", "[%s, %s]", a, b);
		}
		if (isnan(r->p_value))
			html_td(f, "num", "-");
		else
			html_td(f, "num", "%.3g", r->p_value);
		html_td(f, "judgement", "%s%s%s%s", j, r->reason ? " (" : "", or(r->reason, ""), r->reason ? ")" : "");
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	lb_id_labels_free(&labels);
	free(ids);
}

/* What the comparison said aloud (results measured differently but allowed, another version ...). */
static void warnings(FILE *f, const struct lb_verdict *v)
{
	if (v->nwarnings == 0)
		return;
	fputs("<p>Warnings:</p>\n<ul class=\"warnings\">\n", f);
	for (size_t i = 0; i < v->nwarnings; i++) {
		fputs("<li>", f);
		html_text(f, v->warnings[i]);
		fputs("</li>\n", f);
	}
	fputs("</ul>\n", f);
}

static void unpaired(FILE *f, const char *what, char *const *ids, size_t n)
{
	if (n == 0)
		return;
	fprintf(f, "<p>%s (not compared):</p>\n<ul class=\"ids\">\n", what);
	for (size_t i = 0; i < n; i++) {
		fputs("<li><code>", f);
		html_text(f, ids[i]);
		fputs("</code></li>\n", f);
	}
	fputs("</ul>\n", f);
}

void html_verdict_section(FILE *f, const struct lb_html_input *in, size_t index)
{
	const struct lb_verdict *v = in->verdict;
	char sec[32];
	html_section_id(sec, sizeof sec, index);
	const char *j = lb_judgement_name(v->overall);
	fprintf(f, "<section class=\"verdict\" id=\"%s\">\n<h2>Verdict: ", sec);
	html_text(f, in->path);
	fprintf(f, "</h2>\n<p class=\"overall verdict-%s\" id=\"%s-overall\">", strcmp(j, "n/a") == 0 ? "na" : j, sec);
	html_textf(f, "%s: %zu regression, %zu improvement, %zu ok, %zu inconclusive, %zu n/a", j,
		   v->counts[LB_J_REGRESSION], v->counts[LB_J_IMPROVEMENT], v->counts[LB_J_OK],
		   v->counts[LB_J_INCONCLUSIVE], v->counts[LB_J_NA]);
	fputs("</p>\n", f);
	sides(f, v);
	rows(f, v, sec);
	unpaired(f, "Only in base", v->only_in_base, v->nonly_in_base);
	unpaired(f, "Only in new", v->only_in_new, v->nonly_in_new);
	warnings(f, v);
	if (in->ncharts == 0)
		fputs("<p class=\"note\">No chart: no row has a ratio to draw.</p>\n", f);
	html_charts(f, in, index);
	fputs("</section>\n", f);
}
