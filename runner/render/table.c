/*
 * render/table.c — the terminal table of `run`: columns a human can scan
 * and a script can split on blanks; labels and messages are made one line
 * (a plug-in's name or a string parameter may hold a newline).
 *
 * By default a table fits 80 columns: the lock column is as wide as the
 * longest label up to 18 characters (a longer one keeps its start and end,
 * which is where the parameters that tell variants apart are), throughput
 * has an adaptive unit (507, 12.3k, 40.9M acquisitions/s), and a status
 * message is cut at the edge. --wide shows every column and whole labels.
 *
 * A reader-writer run adds one line per role under its row: the role's
 * threads, throughput, p99 wait, Jain's index over the role's threads,
 * whether a thread starved in it, and for readers how many were inside
 * together on average and at most:
 *
 *     read   3 thr    1.23M/s  p99  1.2us  Jain 0.998  starved no  readers 3.1/6
 *     write  1 thr    10.4k/s  p99   45ms  Jain 1.000  starved YES(1)
 *
 * so a human scans it and a script greps `starved YES`.
 *
 * The regime (analysis/regime.h) is a column of the wide table: steady or
 * unsteady ("-": too short to tell), ",sched" when hand-offs waited for the
 * scheduler. The narrow table names only what is not a lock's steady
 * figure, after the status: "ok, unsteady", "ok, sched".
 */
#include "render/table.h"

#include <inttypes.h>
#include <math.h>
#include <string.h>

#include "render/format.h"

#define WIDTH 80
#define LABEL_MIN 6
#define LABEL_MAX 18

static const char *label_of(const struct lb_config *c)
{
	return c->label ? c->label : c->lock_name ? c->lock_name : "?";
}

struct regime_cell {
	bool known, steady, sched;
};

static struct regime_cell sample_regime(const struct lb_sample *s)
{
	const struct lb_regime *rg = &s->regime;
	return (struct regime_cell){ .known = s->has_regime && rg->has_steady,
				     .steady = rg->steady,
				     .sched = s->has_regime && rg->has_scheduler_bound && rg->scheduler_bound };
}

/* A config is steady when no repetition was labelled unsteady, and needs one that was labelled. */
static struct regime_cell config_regime(const struct lb_config *c)
{
	struct regime_cell rc = { .steady = !c->summary.unsteady, .sched = c->summary.scheduler_bound };
	for (size_t k = 0; k < c->nsamples; k++)
		rc.known |= c->samples[k].has_regime && c->samples[k].regime.has_steady;
	return rc;
}

/* The wide column: "steady", "unsteady,sched", "-". */
static const char *regime_text(struct regime_cell rc, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", rc.known ? (rc.steady ? "steady" : "unsteady") : "-", rc.sched ? ",sched" : "");
	return buf;
}

/* The narrow table's note after the status: ", unsteady", ", sched", both, or nothing. */
static const char *regime_note(struct regime_cell rc, char *buf, size_t len)
{
	snprintf(buf, len, "%s%s", rc.known && !rc.steady ? ", unsteady" : "", rc.sched ? ", sched" : "");
	return buf;
}

void lb_table_layout(struct lb_table_layout *l, bool wide, const char *const *labels, size_t n)
{
	l->wide = wide;
	l->label_width = LABEL_MIN;
	for (size_t i = 0; i < n; i++) {
		char line[512];
		size_t w = lb_text_width(lb_one_line(labels[i], line, sizeof line));
		l->label_width = w > l->label_width ? w : l->label_width;
	}
	if (!wide && l->label_width > LABEL_MAX)
		l->label_width = LABEL_MAX;
}

/* One role of a reader-writer run, under its row (80 columns). */
static void role_line(FILE *f, const struct lb_sample *s, enum lb_sample_role r)
{
	const struct lb_role_figs *ro = &s->roles[r];
	char p99[32] = "-", starved[16] = "no", tp[32];
	if (ro->latency.present)
		lb_human_ns(ro->latency.p99, p99, sizeof p99);
	if (ro->starved)
		snprintf(starved, sizeof starved, "YES(%zu)", ro->nstarved_threads);
	lb_human_rate(ro->throughput_per_s, tp, sizeof tp);
	fprintf(f, "    %-5s %2u thr %8s/s  p99 %6s  Jain %5.3f  starved %s", lb_sample_role_name(r), ro->threads, tp, p99,
		ro->fairness.jain, starved);
	if (ro->has_concurrency && isfinite(ro->concurrency_mean))
		fprintf(f, "  readers %.1f/%" PRIu64, ro->concurrency_mean, ro->concurrency_max);
	fputc('\n', f);
}

static void cell(FILE *f, const char *s, size_t width, bool right)
{
	lb_put_cell(f, s, width, right);
	fputc(' ', f);
}

/* The lock column: the label fitted (narrow) or whole (wide), padded. */
static void label_cell(FILE *f, const struct lb_table_layout *l, const char *label)
{
	char buf[512];
	if (l->wide)
		lb_one_line(label, buf, sizeof buf);
	else
		lb_fit(label, l->label_width, buf, sizeof buf);
	cell(f, buf, l->label_width, false);
}

void lb_table_header(FILE *f, const struct lb_table_layout *l)
{
	cell(f, "lock", l->label_width, false);
	if (l->wide)
		fprintf(f, "%7s %4s %9s %9s %9s %9s %6s %6s %8s %6s %-14s  %s\n", "threads", "rep", "ops/s", "p50 wait",
			"p99 wait", "max wait", "Jain", "FF", "starved", "viol", "regime", "status");
	else
		fprintf(f, "%3s %3s %6s %6s %6s %5s %5s %7s %s\n", "thr", "rep", "ops/s", "p50", "p99", "Jain", "FF",
			"starved", "status");
}

/*
 * text, cut at its end to `room` columns with a ~ (0: not cut). A status is
 * cut at its end: its start says what happened (a label keeps its end).
 */
static void put_cut(FILE *f, const char *text, size_t room)
{
	if (room == 0 || lb_text_width(text) <= room) {
		fputs(text, f);
		return;
	}
	size_t keep = room - 1, i = 0, c = 0;
	for (; text[i] && c <= keep; i++)
		if (((unsigned char)text[i] & 0xc0) != 0x80 && ++c > keep)
			break;
	fprintf(f, "%.*s~", (int)i, text);
}

/* "ok", "ok, 3 viol, sched", "failed: message": cut to `room` columns when room is not 0. */
static void status_text(const struct lb_sample *s, size_t room, FILE *f)
{
	char text[1024], msg[512], note[32];
	snprintf(text, sizeof text, "%s", lb_result_status_name(s->status));
	if (room != 0 && s->violations)
		snprintf(text + strlen(text), sizeof text - strlen(text), ", %" PRIu64 " viol", s->violations);
	if (room != 0)
		snprintf(text + strlen(text), sizeof text - strlen(text), "%s",
			 regime_note(sample_regime(s), note, sizeof note));
	if (s->message)
		snprintf(text + strlen(text), sizeof text - strlen(text), ": %s", lb_one_line(s->message, msg, sizeof msg));
	put_cut(f, text, room);
}

/* The room left for the status after `used` columns of a narrow row (at least 8). */
static size_t status_room(size_t used)
{
	return used < WIDTH - 8 ? WIDTH - used : 8;
}

void lb_table_row(FILE *f, const struct lb_table_layout *l, const struct lb_config *c, const struct lb_sample *s)
{
	char p50[32] = "-", p99[32] = "-", mx[32] = "-", starved[16], tp[32], jain[16], ff[16];
	if (s->latency.present) {
		lb_human_ns(s->latency.p50, p50, sizeof p50);
		lb_human_ns(s->latency.p99, p99, sizeof p99);
		lb_human_ns(s->latency.max, mx, sizeof mx);
	}
	size_t nstarved = s->has_starvation ? s->starvation.nstarved_threads : 0;
	snprintf(starved, sizeof starved, nstarved ? "YES(%zu)" : "no", nstarved);
	/* A run without figures (hung) shows -, not a made-up 0. */
	lb_human_rate(s->has_figures ? s->throughput_per_s : NAN, tp, sizeof tp);
	bool fair = s->has_figures && s->has_fairness && isfinite(s->throughput_per_s);
	snprintf(jain, sizeof jain, fair ? "%.3f" : "-", s->fairness.jain);
	snprintf(ff, sizeof ff, fair ? "%.3f" : "-", s->fairness.fairness_factor);
	label_cell(f, l, label_of(c));
	if (l->wide) {
		char regime[32];
		fprintf(f, "%7u %4u %9s %9s %9s %9s %6s %6s %8s %6" PRIu64 " %-14s  ", c->threads, s->repetition + 1, tp,
			p50, p99, mx, jain, ff, starved, s->violations, regime_text(sample_regime(s), regime, sizeof regime));
		status_text(s, 0, f);
	} else {
		/* The cells so far, each with its blank (a thread count over 999 widens its own) */
		int used = fprintf(f, "%3u %3u %6s %6s %6s %5.5s %5.5s %7s ", c->threads, s->repetition + 1, tp, p50, p99,
				   jain, ff, starved);
		status_text(s, status_room(l->label_width + 1 + (size_t)(used > 0 ? used : 0)), f);
	}
	fputc('\n', f);
	for (int r = 0; s->has_roles && r < LB_SR_COUNT; r++)
		if (s->roles[r].threads > 0)
			role_line(f, s, (enum lb_sample_role)r);
	fflush(f);
}

/* Under a reader-writer config's summary line: each role's medians and whether it starved. */
static void role_summary(FILE *f, const struct lb_summary *sum)
{
	static const struct {
		enum lb_sample_role role;
		enum lb_metric_id tp, p99, jain;
	} rows[] = {
		{ LB_SR_READ, LB_M_READ_THROUGHPUT, LB_M_READ_P99, LB_M_READ_JAIN },
		{ LB_SR_WRITE, LB_M_WRITE_THROUGHPUT, LB_M_WRITE_P99, LB_M_WRITE_JAIN },
	};
	for (size_t i = 0; i < sizeof rows / sizeof rows[0]; i++) {
		const struct lb_stat *tp = &sum->stat[rows[i].tp];
		char t[32], lo[32], hi[32], p99[32] = "-";
		if (tp->n == 0)
			continue;
		lb_human_rate(tp->median, t, sizeof t);
		lb_human_rate(tp->ci95_low, lo, sizeof lo);
		lb_human_rate(tp->ci95_high, hi, sizeof hi);
		if (sum->stat[rows[i].p99].n > 0)
			lb_human_ns(sum->stat[rows[i].p99].median, p99, sizeof p99);
		bool starved = rows[i].role == LB_SR_READ ? sum->reader_starved : sum->writer_starved;
		fprintf(f, "    %-5s %8s/s %s..%s  p99 %6s  Jain %5.3f  starved %s\n", lb_sample_role_name(rows[i].role), t,
			lo, hi, p99, sum->stat[rows[i].jain].median, starved ? "YES" : "no");
	}
}

/* The median of throughput as "40.9M" and its CI as "38.1M..41.2M" (min..max below 6 repetitions). */
static void throughput_cells(const struct lb_stat *st, char med[32], char ci[80])
{
	char lo[32], hi[32];
	lb_human_rate(st->median, med, 32);
	lb_human_rate(st->ci95_low, lo, sizeof lo);
	lb_human_rate(st->ci95_high, hi, sizeof hi);
	snprintf(ci, 80, "%s..%s", lo, hi);
}

void lb_table_summary(FILE *f, const struct lb_table_layout *l, const struct lb_result *r)
{
	fprintf(f, "\nsummary (median of the ok repetitions; 95%% CI of the median, min..max below 6)\n");
	cell(f, "lock", l->label_width, false);
	if (l->wide)
		fprintf(f, "%7s %9s %19s %9s %9s %6s %6s %8s %-14s  %s\n", "threads", "ops/s", "95% CI", "p99 wait",
			"max wait", "Jain", "FF", "starved", "regime", "status");
	else
		fprintf(f, "%3s %6s %13s %6s %5s %5s %3s %s\n", "thr", "ops/s", "95% CI", "p99", "Jain", "FF", "stv",
			"status");
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		const struct lb_stat *st = c->summary.stat;
		/* A config that never ran is counted by lb_table_stopped, not listed with nothing to show. */
		if (c->status == LB_RS_NOT_RUN)
			continue;
		bool has = c->summary.present && st[LB_M_THROUGHPUT].n > 0;
		char tp[32] = "-", ci[80] = "-", p99[32] = "-", mx[32] = "-", jain[16] = "-", ff[16] = "-";
		if (has) {
			throughput_cells(&st[LB_M_THROUGHPUT], tp, ci);
			lb_human_ns(st[LB_M_P99].n ? st[LB_M_P99].median : NAN, p99, sizeof p99);
			lb_human_ns(st[LB_M_MAX_WAIT].n ? st[LB_M_MAX_WAIT].median : NAN, mx, sizeof mx);
			if (st[LB_M_JAIN].n)
				snprintf(jain, sizeof jain, "%.3f", st[LB_M_JAIN].median);
			if (st[LB_M_FAIRNESS_FACTOR].n)
				snprintf(ff, sizeof ff, "%.3f", st[LB_M_FAIRNESS_FACTOR].median);
		}
		const char *starved = has ? (c->summary.starved ? "YES" : "no") : "-";
		label_cell(f, l, label_of(c));
		char regime[32];
		if (l->wide)
			fprintf(f, "%7u %9s %19s %9s %9s %6s %6s %8s %-14s  %s\n", c->threads, tp, ci, p99, mx, jain, ff,
				starved, regime_text(config_regime(c), regime, sizeof regime), lb_result_status_name(c->status));
		else {
			char status[64];
			int used = fprintf(f, "%3u %6s %13s %6s %5.5s %5.5s %3s ", c->threads, tp, ci, p99, jain, ff, starved);
			snprintf(status, sizeof status, "%s%s", lb_result_status_name(c->status),
				 regime_note(config_regime(c), regime, sizeof regime));
			put_cut(f, status, status_room(l->label_width + 1 + (size_t)(used > 0 ? used : 0)));
			fputc('\n', f);
		}
		if (c->summary.has_roles)
			role_summary(f, &c->summary);
	}
}

void lb_table_stopped(FILE *f, const struct lb_result *r, size_t runs_done, size_t runs_planned)
{
	size_t never = 0;
	for (size_t i = 0; i < r->nconfigs; i++)
		never += r->configs[i].status == LB_RS_NOT_RUN;
	fprintf(f, "stopped after %zu of %zu runs", runs_done, runs_planned);
	if (never)
		fprintf(f, "; %zu of %zu configs did not run (not_run in the result)", never, r->nconfigs);
	fputc('\n', f);
}

bool lb_table_torture_line(FILE *f, const char *label, const struct lb_sample *s, const char *untested)
{
	uint64_t max = 0, min = UINT64_MAX;
	for (size_t i = 0; i < s->nthreads; i++) {
		uint64_t a = s->threads[i].acquisitions;
		max = a > max ? a : max;
		min = a < min ? a : min;
	}
	if (min == UINT64_MAX)
		min = 0;
	uint64_t fail = s->violations + s->verify_failures + s->release_errors;
	bool imbalanced = s->nthreads >= 2 && max / 2 > min;
	char name[256], msg[512];
	fprintf(f, "%s: Total: %" PRIu64 "  Max/Min: %" PRIu64 "/%" PRIu64 "%s  Fail: %" PRIu64,
		lb_one_line(label, name, sizeof name), s->acquisitions, max, min, imbalanced ? " ???" : "", fail);
	if (s->has_roles)
		fprintf(f, "  Reads/Writes: %" PRIu64 "/%" PRIu64, s->roles[LB_SR_READ].acquisitions,
			s->roles[LB_SR_WRITE].acquisitions);
	if (s->status != LB_RS_OK && s->status != LB_RS_FAILED)
		fprintf(f, "  (%s: %s)", lb_result_status_name(s->status), lb_one_line(s->message, msg, sizeof msg));
	else if (untested != NULL)
		fprintf(f, "  (%s)", untested);
	fputc('\n', f);
	return imbalanced;
}
