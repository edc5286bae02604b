/*
 * render/html_result.c — a result in the report: the context that makes it
 * reproducible, one summary row per config, the charts, then every config
 * in detail (its parameters, pins, every repetition, and per thread the
 * repetition the charts show), folded so the page stays short.
 */
#define _GNU_SOURCE
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/identity.h"
#include "render/format.h"
#include "render/html_int.h"
#include "render/plot_int.h"

/* Beyond this many threads a config's details give the spread of the per-thread figures, not a row each. */
#define HTML_MAX_THREAD_ROWS 64

static void row(FILE *f, const char *key, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void row(FILE *f, const char *key, const char *fmt, ...)
{
	char *text;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	fprintf(f, "<tr><th scope=\"row\">%s</th><td>", key);
	html_text(f, text);
	fputs("</td></tr>\n", f);
	free(text);
}

static const char *or(const char *s, const char *fallback)
{
	return s ? s : fallback;
}

static void context_table(FILE *f, const struct lb_html_input *in)
{
	const struct lb_context *x = &in->result->context;
	const struct lb_run_options *o = &x->options;
	char a[32], b[32], c[32];
	fputs("<table class=\"context\">\n", f);
	row(f, "file", "%s", in->path);
	row(f, "lockbench", "%s (commit %s)", or(x->version, "?"), or(x->git_commit, "?"));
	row(f, "started", "%s", or(x->started_utc, "?"));
	row(f, "host", "%s", or(x->host, "?"));
	row(f, "system", "%s, %s, %s", or(x->os, "?"), or(x->kernel, "?"), or(x->arch, "?"));
	row(f, "CPU", "%s", or(x->cpu_model, "?"));
	if (x->has_topology)
		row(f, "topology", "%u package%s, %u NUMA node%s, %u cores, %u PUs%s", x->topo_packages,
		    x->topo_packages == 1 ? "" : "s", x->topo_numa_nodes, x->topo_numa_nodes == 1 ? "" : "s", x->topo_cores,
		    x->topo_pus, x->has_topo_smt ? (x->topo_smt ? ", SMT" : ", no SMT") : "");
	row(f, "allowed CPUs", "%s", or(x->allowed_cpus, "?"));
	if (o->present) {
		lb_human_ns((double)o->duration_ns, a, sizeof a);
		lb_human_ns((double)o->warmup_ns, b, sizeof b);
		lb_human_ns((double)o->slice_ns, c, sizeof c);
		row(f, "run", "%s window, %s warm-up, %" PRId64 " repetition%s, pin %s, timeline slice %s", a, b, o->repeat,
		    o->repeat == 1 ? "" : "s", or(o->pin, "?"), c);
	}
	if (x->timing_mode) {
		lb_human_ns(x->timing_overhead_ns, a, sizeof a);
		row(f, "timing", "%s; costs %s per acquisition (%s)", x->timing_mode, a, or(x->timing_overhead_method, "?"));
	}
	if (x->timer_source)
		row(f, "timer", "%s, %.1f ns a read", x->timer_source, x->timer_cost_ns);
	row(f, "compiler", "%s, %s", or(x->compiler, "?"), or(x->cflags, "?"));
	row(f, "cpufreq governor, SMT control", "%s, %s", or(x->cpufreq_governor, "-"), or(x->smt_control, "-"));
	if (x->has_loadavg)
		row(f, "load average", "%.2f %.2f %.2f", x->loadavg[0], x->loadavg[1], x->loadavg[2]);
	if (isfinite(x->busy_before_run))
		row(f, "busy before the run", "%.0f%%", x->busy_before_run * 100);
	for (size_t i = 0; i < x->nmachines; i++)
		row(f, "machine", "%s: %zu shard%s", x->machines[i].name, x->machines[i].nshards,
		    x->machines[i].nshards == 1 ? "" : "s");
	row(f, "command", "%s", or(x->command_line, "?"));
	if (x->interrupted)
		row(f, "interrupted", "yes: the configs that did not finish are marked not_run");
	fputs("</table>\n", f);
}

/* The lock variant ("gil:interval=1ms,force_switch=1") and workload of a config, from its id. */
static void keys_of(const struct lb_config *c, char *lock, char *wl, size_t len)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	char why[128];
	if (c->id == NULL || lb_identity_parse(c->id, &id, why, sizeof why) != 0) {
		snprintf(lock, len, "%s", html_config_label(c));
		snprintf(wl, len, "%s", or(c->workload_name, "?"));
		return;
	}
	plot_identity_keys(&id, lock, wl, len);
}

static void stat_cells(FILE *f, const struct lb_config *c)
{
	const struct lb_stat *st = c->summary.stat;
	char m[32], lo[32], hi[32];
	bool has = c->summary.present && st[LB_M_THROUGHPUT].n > 0;
	html_rate(m, sizeof m, has ? st[LB_M_THROUGHPUT].median : NAN);
	html_td(f, "num", "%s", m);
	if (has) {
		html_rate(lo, sizeof lo, st[LB_M_THROUGHPUT].ci95_low);
		html_rate(hi, sizeof hi, st[LB_M_THROUGHPUT].ci95_high);
		html_td(f, "num", "%s – %s", lo, hi);
	} else {
		html_td(f, "num", "-");
	}
	static const enum lb_metric_id ns[] = { LB_M_P50, LB_M_P99, LB_M_P999, LB_M_MAX_WAIT };
	for (size_t k = 0; k < sizeof ns / sizeof ns[0]; k++) {
		html_ns(m, sizeof m, has && st[ns[k]].n ? st[ns[k]].median : NAN);
		html_td(f, "num", "%s", m);
	}
	html_ratio(m, sizeof m, has && st[LB_M_JAIN].n ? st[LB_M_JAIN].median : NAN);
	html_td(f, "num", "%s", m);
	html_ratio(m, sizeof m, has && st[LB_M_FAIRNESS_FACTOR].n ? st[LB_M_FAIRNESS_FACTOR].median : NAN);
	html_td(f, "num", "%s", m);
	html_td(f, c->summary.starved ? "bad" : NULL, "%s", c->summary.present ? (c->summary.starved ? "yes" : "no") : "-");
}

static double median_of_throughput(const struct lb_config *c)
{
	return c->summary.present && c->summary.stat[LB_M_THROUGHPUT].n ? c->summary.stat[LB_M_THROUGHPUT].median : NAN;
}

static size_t ok_samples(const struct lb_config *c)
{
	size_t n = 0;
	for (size_t i = 0; i < c->nsamples; i++)
		n += c->samples[i].status == LB_RS_OK;
	return n;
}

/* Whether the configs of r run more than one workload (then the summary has a workload column). */
static bool several_workloads(const struct lb_result *r, char *first, size_t len)
{
	char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX];
	first[0] = '\0';
	for (size_t i = 0; i < r->nconfigs; i++) {
		keys_of(&r->configs[i], lock, wl, sizeof lock);
		if (i == 0)
			snprintf(first, len, "%s", wl);
		else if (strcmp(first, wl) != 0)
			return true;
	}
	return false;
}

static void summary_table(FILE *f, const struct lb_html_input *in, const char *sec)
{
	const struct lb_result *r = in->result;
	char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX], first[PLOT_KEY_MAX];
	bool wls = several_workloads(r, first, sizeof first);
	if (!wls) {
		fputs("<p>Workload <code>", f);
		html_text(f, first);
		fputs("</code>.</p>\n", f);
	}
	fprintf(f, "<table class=\"summary\" id=\"%s-summary\">\n<thead><tr><th>lock</th>%s"
		   "<th>threads</th><th>status</th><th>ok reps</th><th>ops/s</th><th>95%% CI</th><th>p50 wait</th>"
		   "<th>p99 wait</th><th>p99.9 wait</th><th>max wait</th><th>Jain</th><th>FF</th><th>starved</th>"
		   "</tr></thead>\n<tbody>\n",
		sec, wls ? "<th>workload</th>" : "");
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		keys_of(c, lock, wl, sizeof lock);
		fprintf(f, "<tr class=\"status-%s\">", lb_result_status_name(c->status));
		fprintf(f, "<td><a href=\"#%s-c%zu\">", sec, i + 1);
		html_text(f, lock);
		fputs("</a></td>", f);
		if (wls)
			html_td(f, "wl", "%s", wl);
		html_td(f, "num", "%u", c->threads);
		html_td(f, c->status == LB_RS_OK ? NULL : "bad", "%s", lb_result_status_name(c->status));
		html_td(f, "num", "%zu of %zu", ok_samples(c), c->nsamples);
		stat_cells(f, c);
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
	fputs("<p class=\"note\">Medians over the ok repetitions; the 95% CI of the median throughput is [min, max] "
	      "with fewer than 6 repetitions. ops/s: acquisitions per second (k = 10<sup>3</sup>, "
	      "M = 10<sup>6</sup>). Jain's index: 1 fair, 1/threads when one thread takes all; FF (fairness factor): "
	      "the busier half's share, 0.5 fair, 1 starved.</p>\n",
	      f);
}

static void params_text(char *buf, size_t len, const struct lb_kvs *p)
{
	buf[0] = '\0';
	for (size_t i = 0; i < p->n; i++) {
		const struct lb_kv *kv = &p->v[i];
		if (kv->type == LB_KV_STRING)
			plot_append(buf, len, "%s%s=%s", i ? ", " : "", kv->name, or(kv->s, ""));
		else
			plot_append(buf, len, "%s%s=%" PRId64, i ? ", " : "", kv->name, kv->i);
	}
	if (buf[0] == '\0')
		snprintf(buf, len, "(none)");
}

static void samples_table(FILE *f, const struct lb_config *c)
{
	char a[32], b[32], d[32], e[32], g[32], h[32];
	fputs("<table class=\"samples\">\n<thead><tr><th>rep</th><th>status</th><th>window</th><th>acquisitions</th>"
	      "<th>ops/s</th><th>p50</th><th>p99</th><th>p99.9</th><th>max wait</th><th>Jain</th><th>FF</th>"
	      "<th>hand-over</th><th>longest gap</th><th>starved threads</th><th>violations</th><th>ping-pong</th>"
	      "<th>message</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < c->nsamples; i++) {
		const struct lb_sample *s = &c->samples[i];
		fputs("<tr>", f);
		html_td(f, "num", "%u", s->repetition + 1);
		html_td(f, s->status == LB_RS_OK ? NULL : "bad", "%s", lb_result_status_name(s->status));
		lb_human_ns(s->duration_s * 1e9, a, sizeof a);
		html_td(f, "num", "%s", a);
		if (s->has_figures)
			html_td(f, "num", "%" PRIu64, s->acquisitions);
		else
			html_td(f, "num", "-");
		html_rate(a, sizeof a, s->has_figures ? s->throughput_per_s : NAN);
		html_td(f, "num", "%s", a);
		bool lat = s->latency.present;
		html_ns(a, sizeof a, lat ? s->latency.p50 : NAN);
		html_ns(b, sizeof b, lat ? s->latency.p99 : NAN);
		html_ns(d, sizeof d, lat ? s->latency.p999 : NAN);
		html_ns(e, sizeof e, lat ? s->latency.max : NAN);
		html_td(f, "num", "%s", a), html_td(f, "num", "%s", b), html_td(f, "num", "%s", d), html_td(f, "num", "%s", e);
		html_ratio(a, sizeof a, s->has_fairness ? s->fairness.jain : NAN);
		html_ratio(b, sizeof b, s->has_fairness ? s->fairness.fairness_factor : NAN);
		html_ratio(d, sizeof d, s->has_short_term ? s->short_term.handover_ratio : NAN);
		html_td(f, "num", "%s", a), html_td(f, "num", "%s", b), html_td(f, "num", "%s", d);
		html_ns(g, sizeof g, s->has_starvation ? (double)s->starvation.longest_gap_ns : NAN);
		html_td(f, "num", "%s", g);
		size_t ns = s->has_starvation ? s->starvation.nstarved_threads : 0;
		html_td(f, ns ? "num bad" : "num", "%zu", ns);
		html_td(f, s->violations ? "num bad" : "num", "%" PRIu64, s->violations);
		html_ns(h, sizeof h, s->pingpong_ns);
		html_td(f, "num", "%s", h);
		html_td(f, NULL, "%s", or(s->message, ""));
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static int by_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
	return (x > y) - (x < y);
}

/* Per thread of the repetition the charts show (the median throughput); its spread beyond 64 threads. */
static void threads_table(FILE *f, const struct lb_config *c)
{
	const struct lb_sample *pick = html_median_sample(c);
	char a[32], b[32];
	if (pick == NULL || pick->nthreads == 0)
		return;
	double total = (double)pick->acquisitions;
	fprintf(f, "<p>Per thread, repetition %u (the median throughput):</p>\n", pick->repetition + 1);
	if (pick->nthreads > HTML_MAX_THREAD_ROWS) {
		uint64_t *v = calloc(pick->nthreads, sizeof *v);
		size_t starved = 0;
		for (size_t i = 0; v && i < pick->nthreads; i++)
			v[i] = pick->threads[i].acquisitions, starved += pick->threads[i].starved;
		if (v != NULL) {
			qsort(v, pick->nthreads, sizeof *v, by_u64);
			fprintf(f,
				"<p class=\"note\">%zu threads: acquisitions from %" PRIu64 " to %" PRIu64 " (median %" PRIu64
				", 10th percentile %" PRIu64 ", 90th %" PRIu64 "); %zu flagged starved. Every thread's "
				"figures are in the JSON.</p>\n",
				pick->nthreads, v[0], v[pick->nthreads - 1], v[(pick->nthreads - 1) / 2],
				v[pick->nthreads / 10], v[pick->nthreads * 9 / 10], starved);
			free(v);
		}
		return;
	}
	fputs("<table class=\"threads\">\n<thead><tr><th>thread</th><th>PU</th><th>acquisitions</th><th>share</th>"
	      "<th>p99 wait</th><th>longest gap</th><th>max bypass</th><th>starved</th></tr></thead>\n<tbody>\n",
	      f);
	for (size_t i = 0; i < pick->nthreads; i++) {
		const struct lb_thread_figs *t = &pick->threads[i];
		fputs("<tr>", f);
		html_td(f, "num", "%u", t->id);
		if (t->pu >= 0)
			html_td(f, "num", "%d", t->pu);
		else
			html_td(f, "num", "-");
		html_td(f, "num", "%" PRIu64, t->acquisitions);
		html_td(f, "num", "%.1f%%", total > 0 ? 100.0 * (double)t->acquisitions / total : 0);
		html_ns(a, sizeof a, t->latency.present ? t->latency.p99 : NAN);
		html_ns(b, sizeof b, (double)t->longest_gap_ns);
		html_td(f, "num", "%s", a), html_td(f, "num", "%s", b);
		if (t->has_max_bypass)
			html_td(f, "num", "%" PRIu64, t->max_bypass);
		else
			html_td(f, "num", "-");
		html_td(f, t->starved ? "bad" : NULL, "%s", t->starved ? "yes" : "no");
		fputs("</tr>\n", f);
	}
	fputs("</tbody>\n</table>\n", f);
}

static void config_details(FILE *f, const struct lb_config *c, const char *sec, size_t i)
{
	char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX], text[4096], m[32];
	keys_of(c, lock, wl, sizeof lock);
	html_rate(m, sizeof m, median_of_throughput(c));
	fprintf(f, "<details class=\"config\" id=\"%s-c%zu\"><summary>", sec, i + 1);
	html_textf(f, "%s, %s, %u threads: %s, %s ops/s", lock, wl, c->threads, lb_result_status_name(c->status), m);
	fputs("</summary>\n<table class=\"context\">\n", f);
	row(f, "id", "%s", or(c->id, "?"));
	params_text(text, sizeof text, &c->lock_params);
	row(f, "lock", "%s%s%s: %s", or(c->lock_name, "?"), c->lock_plugin ? " from " : "", or(c->lock_plugin, ""), text);
	params_text(text, sizeof text, &c->workload_params);
	row(f, "workload", "%s: %s", or(c->workload_name, "?"), text);
	text[0] = '\0';
	for (size_t k = 0; k < c->npus && k < 64; k++)
		plot_append(text, sizeof text, "%s%d", k ? " " : "", c->pus[k]);
	if (c->npus > 64)
		plot_append(text, sizeof text, " ... (%zu in all)", c->npus);
	row(f, "pinning", "%s%s; PU per thread: %s", or(c->pin_policy, "?"), c->oversubscribed ? ", oversubscribed" : "",
	    c->npus ? text : "-");
	if (c->machine)
		row(f, "machine", "%s", c->machine);
	fputs("</table>\n", f);
	if (c->nsamples > 0) {
		samples_table(f, c);
		threads_table(f, c);
	} else {
		fputs("<p class=\"note\">No repetition ran.</p>\n", f);
	}
	fputs("</details>\n", f);
}

void html_result_section(FILE *f, const struct lb_html_input *in, size_t index)
{
	char sec[32];
	html_section_id(sec, sizeof sec, index);
	fprintf(f, "<section class=\"result\" id=\"%s\">\n<h2>Result: ", sec);
	html_text(f, in->path);
	fprintf(f, "</h2>\n<h3 id=\"%s-context\">Context</h3>\n", sec);
	context_table(f, in);
	fprintf(f, "<h3 id=\"%s-summary-h\">Summary</h3>\n", sec);
	summary_table(f, in, sec);
	fprintf(f, "<h3 id=\"%s-charts\">Charts</h3>\n", sec);
	if (in->ncharts == 0)
		fputs("<p class=\"note\">No chart: no config has an ok sample.</p>\n", f);
	html_charts(f, in, index);
	fprintf(f, "<h3 id=\"%s-details\">Per-config details</h3>\n", sec);
	for (size_t i = 0; i < in->result->nconfigs; i++)
		config_details(f, &in->result->configs[i], sec, i);
	fputs("</section>\n", f);
}
