/*
 * render/export.c — a result as CSV and as Markdown (export.h), a row per
 * config and repetition.
 *
 * A config's lock and workload columns come from its id, read with the
 * identity codec, so they say exactly what compare pairs and plot groups
 * by. Numbers are written in full (%.10g) in CSV, for a human in Markdown;
 * an absent figure is an empty CSV field and "-" in Markdown.
 */
#define _GNU_SOURCE
#include "render/export.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "model/identity.h"
#include "render/format.h"

/* ---- CSV ---- */

/* The columns, in order; docs/reports.md says what each is. */
static const char *const csv_columns[] = {
	"config_id", "lock", "lock_params", "workload", "workload_params", "threads", "pin", "oversubscribed",
	"machine", "repetition", "status", "message", "duration_s", "acquisitions", "throughput_per_s",
	"wait_mean_ns", "wait_p50_ns", "wait_p90_ns", "wait_p99_ns", "wait_p999_ns", "wait_p9999_ns", "wait_max_ns",
	"hold_p50_ns", "hold_p99_ns", "handoff_p50_ns", "handoff_p99_ns", "jain", "rsd", "fairness_factor",
	"max_min_ratio", "min_thread_acquisitions", "max_thread_acquisitions", "handover_ratio", "lwss", "mttr",
	"starved", "starved_threads", "longest_gap_ns", "max_wait_ns", "max_bypass", "violations", "release_errors",
	"verify_failures", "pingpong_ns",
};

/* A text field: quoted when it holds a comma, a quote or a line break (RFC 4180). */
static void csv_text(FILE *f, const char *s, bool first)
{
	if (!first)
		fputc(',', f);
	if (s == NULL)
		return;
	if (strpbrk(s, ",\"\r\n") == NULL) {
		fputs(s, f);
		return;
	}
	fputc('"', f);
	for (; *s; s++) {
		if (*s == '"')
			fputc('"', f);
		fputc(*s, f);
	}
	fputc('"', f);
}

static void csv_num(FILE *f, double v)
{
	fputc(',', f);
	if (isfinite(v))
		fprintf(f, "%.10g", v);
}

static void csv_u64(FILE *f, bool has, uint64_t v)
{
	fputc(',', f);
	if (has)
		fprintf(f, "%" PRIu64, v);
}

/* The fields of a config's id; from its names when the id does not parse (a hand-made result). */
static void id_fields(const struct lb_config *c, struct lb_identity *id)
{
	char why[128];
	if (c->id != NULL && lb_identity_parse(c->id, id, why, sizeof why) == 0)
		return;
	memset(id, 0, sizeof *id);
	snprintf(id->lock, sizeof id->lock, "%s", c->lock_name ? c->lock_name : "");
	snprintf(id->workload, sizeof id->workload, "%s", c->workload_name ? c->workload_name : "");
	snprintf(id->pin, sizeof id->pin, "%s", c->pin_policy ? c->pin_policy : "");
	id->threads = c->threads;
}

static void csv_config(FILE *f, const struct lb_config *c, const struct lb_identity *id)
{
	csv_text(f, c->id, true);
	csv_text(f, id->lock, false);
	csv_text(f, id->lock_params, false);
	csv_text(f, id->workload, false);
	csv_text(f, id->workload_params, false);
	fprintf(f, ",%u", c->threads);
	csv_text(f, c->pin_policy ? c->pin_policy : id->pin, false);
	fprintf(f, ",%d", c->oversubscribed);
	csv_text(f, c->machine, false);
}

static void csv_sample(FILE *f, const struct lb_sample *s)
{
	bool fig = s->has_figures, lat = s->latency.present, hold = s->hold.present, ho = s->handoff.present;
	bool fair = s->has_fairness, st = s->has_short_term, sv = s->has_starvation;
	fprintf(f, ",%u", s->repetition);
	csv_text(f, lb_result_status_name(s->status), false);
	csv_text(f, s->message, false);
	csv_num(f, s->duration_s);
	csv_u64(f, fig, s->acquisitions);
	csv_num(f, fig ? s->throughput_per_s : NAN);
	const double lats[] = { s->latency.mean, s->latency.p50, s->latency.p90, s->latency.p99,
				s->latency.p999, s->latency.p9999, s->latency.max };
	for (size_t i = 0; i < sizeof lats / sizeof lats[0]; i++)
		csv_num(f, lat ? lats[i] : NAN);
	csv_num(f, hold ? s->hold.p50 : NAN);
	csv_num(f, hold ? s->hold.p99 : NAN);
	csv_num(f, ho ? s->handoff.p50 : NAN);
	csv_num(f, ho ? s->handoff.p99 : NAN);
	csv_num(f, fair ? s->fairness.jain : NAN);
	csv_num(f, fair ? s->fairness.rsd : NAN);
	csv_num(f, fair ? s->fairness.fairness_factor : NAN);
	csv_num(f, fair ? s->fairness.max_min_ratio : NAN);
	csv_u64(f, fair, s->fairness.min);
	csv_u64(f, fair, s->fairness.max);
	csv_num(f, st ? s->short_term.handover_ratio : NAN);
	csv_num(f, st ? s->short_term.lwss : NAN);
	csv_num(f, st ? s->short_term.mttr : NAN);
	fputc(',', f);
	if (sv)
		fputc(s->starvation.starved ? '1' : '0', f);
	csv_u64(f, sv, sv ? s->starvation.nstarved_threads : 0);
	csv_u64(f, sv, s->starvation.longest_gap_ns);
	csv_num(f, sv ? s->starvation.max_wait_ns : NAN);
	csv_u64(f, sv && s->starvation.has_max_bypass, s->starvation.max_bypass);
	csv_u64(f, fig, s->violations);
	csv_u64(f, fig, s->release_errors);
	csv_u64(f, fig, s->verify_failures);
	csv_num(f, s->pingpong_ns);
}

int lb_export_csv(FILE *f, const struct lb_result *r)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	size_t ncols = sizeof csv_columns / sizeof csv_columns[0];
	for (size_t i = 0; i < ncols; i++)
		fprintf(f, "%s%s", i ? "," : "", csv_columns[i]);
	fputs("\r\n", f);
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		id_fields(c, &id);
		for (size_t k = 0; k < c->nsamples; k++) {
			csv_config(f, c, &id);
			csv_sample(f, &c->samples[k]);
			fputs("\r\n", f);
		}
		if (c->nsamples == 0) {
			/* No repetition ran: the config's status, and every sample column empty. */
			csv_config(f, c, &id);
			fputc(',', f);
			csv_text(f, lb_result_status_name(c->status), false);
			for (size_t k = 11; k < ncols; k++)
				fputc(',', f);
			fputs("\r\n", f);
		}
	}
	return ferror(f) ? -1 : 0;
}

/* ---- Markdown ---- */

/* Text in a Markdown table cell: '|' would end the cell, '*', '_' etc. format, a line break ends the row. */
static void md_text(FILE *f, const char *s)
{
	for (; s && *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			fputc('?', f);
			continue;
		}
		if (strchr("\\|*_`<>[]", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* " text |": a row starts with "|" and each cell closes itself. */
static void md_cell(FILE *f, const char *s)
{
	fputc(' ', f);
	md_text(f, s);
	fputs(" |", f);
}

static void md_ns(FILE *f, bool has, double ns)
{
	char buf[32];
	lb_human_ns(has ? ns : NAN, buf, sizeof buf);
	md_cell(f, buf);
}

static void md_ratio(FILE *f, bool has, double x)
{
	char buf[32];
	if (has && isfinite(x))
		snprintf(buf, sizeof buf, "%.3f", x);
	else
		snprintf(buf, sizeof buf, "-");
	md_cell(f, buf);
}

int lb_export_markdown(FILE *f, const struct lb_result *r, const char *source)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	const struct lb_context *x = &r->context;
	char buf[64], lock[sizeof id.lock + sizeof id.lock_params + 2], wl[sizeof id.workload + sizeof id.workload_params + 2];
	fputs("### lockbench result: ", f);
	md_text(f, source);
	fputs("\n\n", f);
	md_text(f, x->host ? x->host : "unknown host");
	fputs(", ", f);
	md_text(f, x->cpu_model ? x->cpu_model : "unknown CPU");
	fprintf(f, ", lockbench %s", x->version ? x->version : "?");
	if (x->started_utc) {
		fputs(", ", f);
		md_text(f, x->started_utc);
	}
	fputs(x->interrupted ? "; interrupted\n\n" : "\n\n", f);
	fputs("| lock | workload | threads | rep | status | ops/s | p50 wait | p99 wait | p99.9 wait | max wait | Jain | FF "
	      "| starved | violations |\n",
	      f);
	fputs("|---|---|--:|--:|---|--:|--:|--:|--:|--:|--:|--:|--:|--:|\n", f);
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		id_fields(c, &id);
		snprintf(lock, sizeof lock, "%s%s%s", id.lock, id.lock_params[0] ? ":" : "", id.lock_params);
		snprintf(wl, sizeof wl, "%s%s%s", id.workload, id.workload_params[0] ? ":" : "", id.workload_params);
		for (size_t k = 0; k < c->nsamples || (k == 0 && c->nsamples == 0); k++) {
			const struct lb_sample *s = c->nsamples ? &c->samples[k] : NULL;
			fputs("|", f);
			md_cell(f, lock);
			md_cell(f, wl);
			snprintf(buf, sizeof buf, "%u", c->threads);
			md_cell(f, buf);
			snprintf(buf, sizeof buf, "%u", s ? s->repetition + 1 : 0);
			md_cell(f, s ? buf : "-");
			md_cell(f, lb_result_status_name(s ? s->status : c->status));
			bool fig = s && s->has_figures, lat = s && s->latency.present;
			lb_human_rate(fig ? s->throughput_per_s : NAN, buf, sizeof buf);
			md_cell(f, buf);
			md_ns(f, lat, lat ? s->latency.p50 : 0);
			md_ns(f, lat, lat ? s->latency.p99 : 0);
			md_ns(f, lat, lat ? s->latency.p999 : 0);
			md_ns(f, lat, lat ? s->latency.max : 0);
			md_ratio(f, s && s->has_fairness, s ? s->fairness.jain : 0);
			md_ratio(f, s && s->has_fairness, s ? s->fairness.fairness_factor : 0);
			snprintf(buf, sizeof buf, "%zu", s && s->has_starvation ? s->starvation.nstarved_threads : 0);
			md_cell(f, s && s->has_starvation ? buf : "-");
			snprintf(buf, sizeof buf, "%" PRIu64, fig ? s->violations : 0);
			md_cell(f, fig ? buf : "-");
			fputc('\n', f);
		}
	}
	return ferror(f) ? -1 : 0;
}
