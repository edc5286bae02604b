/*
 * render/compare_table.c — a compare verdict as a terminal table and as
 * Markdown. Both show the same cells, formatted once (row_cells).
 */
#include "render/compare_table.h"

#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "render/format.h"
#include "render/id_label.h"

/* An id as one line of the table: a newline in an id must not forge a row. */
#define ID_LEN 4096

static void fmt_pct(char *buf, size_t len, double pct)
{
	if (fabs(pct) < 0.05)
		pct = 0; /* no "-0.0%" */
	if (isnan(pct))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.1f%%", pct);
}

/* The CI of the ratio, shown as changes in percent like the change column. */
static void fmt_ci(char *buf, size_t len, double lo, double hi)
{
	char a[32], b[32];

	if (isnan(lo) || isnan(hi)) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_pct(a, sizeof(a), (lo - 1) * 100);
	fmt_pct(b, sizeof(b), (hi - 1) * 100);
	snprintf(buf, len, "[%s, %s]", a, b);
}

static void fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3g", p);
}

static void fmt_verdict(char *buf, size_t len, const struct lb_verdict_row *r)
{
	if (r->reason)
		snprintf(buf, len, "%s (%s)", lb_judgement_name(r->verdict), r->reason);
	else
		snprintf(buf, len, "%s", lb_judgement_name(r->verdict));
}

/* COL_MACHINE is shown only for a verdict paired by machine (v->by_machine). */
enum { COL_MACHINE, COL_CONFIG, COL_METRIC, COL_BASE, COL_NEW, COL_CHANGE, COL_CI, COL_P, COL_VERDICT, N_COLS };
#define CELL_LEN 160

/* The cells of one row as text; the config cell is the id itself (r->config), not copied. */
static void row_cells(const struct lb_verdict_row *r, char cells[N_COLS][CELL_LEN])
{
	lb_one_line(r->machine ? r->machine : "", cells[COL_MACHINE], CELL_LEN);
	cells[COL_CONFIG][0] = '\0';
	snprintf(cells[COL_METRIC], CELL_LEN, "%s", r->metric->name);
	lb_human_value(r->base_median, cells[COL_BASE], CELL_LEN);
	lb_human_value(r->new_median, cells[COL_NEW], CELL_LEN);
	fmt_pct(cells[COL_CHANGE], CELL_LEN, r->change_pct);
	fmt_ci(cells[COL_CI], CELL_LEN, r->ci95_low, r->ci95_high);
	fmt_p(cells[COL_P], CELL_LEN, r->p_value);
	fmt_verdict(cells[COL_VERDICT], CELL_LEN, r);
}

static void print_rows(FILE *f, const struct lb_verdict *v)
{
	static const char *const head[N_COLS] = {
		"machine", "config", "metric", "base", "new", "change", "95% CI", "p", "verdict",
	};
	static const bool right[N_COLS] = { false, false, false, true, true, true, true, true, false };
	char cells[N_COLS][CELL_LEN], id[ID_LEN];
	size_t width[N_COLS];
	int first = v->by_machine ? COL_MACHINE : COL_CONFIG;

	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < v->nrows; i++) {
		row_cells(&v->rows[i], cells);
		lb_one_line(v->rows[i].config, id, sizeof(id));
		for (int c = 0; c < N_COLS; c++) {
			size_t w = strlen(c == COL_CONFIG ? id : cells[c]);

			width[c] = w > width[c] ? w : width[c];
		}
	}
	for (size_t i = 0; i <= v->nrows; i++) {
		const char *text[N_COLS];

		if (i == 0) {
			memcpy(text, head, sizeof(text));
		} else {
			row_cells(&v->rows[i - 1], cells);
			for (int c = 0; c < N_COLS; c++)
				text[c] = cells[c];
			text[COL_CONFIG] = lb_one_line(v->rows[i - 1].config, id, sizeof(id));
		}
		for (int c = first; c < N_COLS; c++) {
			if (c == N_COLS - 1)
				fprintf(f, "%s\n", text[c]); /* no trailing blanks */
			else
				fprintf(f, right[c] ? "%*s  " : "%-*s  ", (int)width[c], text[c]);
		}
	}
}

/* A median in its metric's unit: 2.09M/s, 1.02us, 0.997. */
static void fmt_unit(char *buf, size_t len, double x, const struct lb_metric *m)
{
	char num[32];
	if (!isfinite(x)) {
		snprintf(buf, len, "-");
	} else if (m != NULL && strcmp(m->unit, "per_s") == 0) {
		lb_human_rate(x, num, sizeof(num));
		snprintf(buf, len, "%s/s", num);
	} else if (m != NULL && strcmp(m->unit, "ns") == 0) {
		lb_human_ns(x, buf, len);
	} else if (fabs(x) >= 1e4) {
		lb_human_value(x, buf, len); /* a count (max_bypass): 12.3k, not 1.23e+04 */
	} else {
		snprintf(buf, len, "%.3g", x);
	}
}

/*
 * A change for 80 columns: in percent up to +999.9%, beyond as the factor
 * (x600k): a longest gap or a max wait can grow a million-fold, and
 * "+59999900.0%" would push the table past its width.
 */
static void fmt_pct_narrow(char *buf, size_t len, double pct)
{
	char x[32];

	if (!isfinite(pct) || pct < 1000) {
		fmt_pct(buf, len, pct);
		return;
	}
	lb_human_value(1 + pct / 100, x, sizeof(x));
	snprintf(buf, len, "x%s", x);
}

/* The CI of the ratio as changes, without blanks: [-31.0%,-28.7%], [x540k,x660k]. */
static void fmt_ci_narrow(char *buf, size_t len, double lo, double hi)
{
	char a[32], b[32];

	if (isnan(lo) || isnan(hi)) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_pct_narrow(a, sizeof(a), (lo - 1) * 100);
	fmt_pct_narrow(b, sizeof(b), (hi - 1) * 100);
	snprintf(buf, len, "[%s,%s]", a, b);
}

enum { N_METRIC, N_BASE, N_NEW, N_CHANGE, N_CI, N_P, NN_COLS };
#define NARROW 80

static void narrow_cells(const struct lb_verdict_row *r, char cells[NN_COLS][CELL_LEN])
{
	snprintf(cells[N_METRIC], CELL_LEN, "%s", r->metric->name);
	fmt_unit(cells[N_BASE], CELL_LEN, r->base_median, r->metric);
	fmt_unit(cells[N_NEW], CELL_LEN, r->new_median, r->metric);
	fmt_pct_narrow(cells[N_CHANGE], CELL_LEN, r->change_pct);
	fmt_ci_narrow(cells[N_CI], CELL_LEN, r->ci95_low, r->ci95_high);
	fmt_p(cells[N_P], CELL_LEN, r->p_value);
}

/*
 * For 80 columns: a line per config with what tells it apart, a row per
 * metric under it; a reason that does not fit goes on a line of its own.
 */
static void print_narrow(FILE *f, const struct lb_verdict *v)
{
	static const char *const head[NN_COLS] = { "metric", "base", "new", "change", "95% CI", "p" };
	struct lb_id_labels labels = { 0 };
	const char **ids = calloc(v->nrows ? v->nrows : 1, sizeof(*ids));
	char cells[NN_COLS][CELL_LEN], line[ID_LEN];
	size_t width[NN_COLS];

	for (size_t i = 0; ids && i < v->nrows; i++)
		ids[i] = v->rows[i].config;
	if (!ids || lb_id_labels_make(ids, v->nrows, &labels)) {
		free(ids);
		print_rows(f, v); /* out of memory: the wide table needs nothing more */
		return;
	}
	for (int c = 0; c < NN_COLS; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < v->nrows; i++) {
		narrow_cells(&v->rows[i], cells);
		for (int c = 0; c < NN_COLS; c++)
			width[c] = lb_text_width(cells[c]) > width[c] ? lb_text_width(cells[c]) : width[c];
	}
	if (labels.common[0]) {
		char all[ID_LEN];

		snprintf(all, sizeof(all), "every config: %s", labels.common);
		fprintf(f, "%s\n", lb_fit(all, NARROW, line, sizeof(line)));
	}
	fputs("  ", f);
	for (int c = 0; c < NN_COLS; c++) {
		lb_put_cell(f, head[c], width[c], c != N_METRIC);
		fputs(c == N_METRIC ? " " : "  ", f);
	}
	fputs("verdict\n", f);
	for (size_t i = 0; i < v->nrows; i++) {
		const struct lb_verdict_row *r = &v->rows[i];
		size_t used = 2;

		const struct lb_verdict_row *prev = i ? &v->rows[i - 1] : NULL;
		if (prev == NULL || strcmp(r->config ? r->config : "", prev->config ? prev->config : "") != 0 ||
		    strcmp(r->machine ? r->machine : "", prev->machine ? prev->machine : "") != 0) {
			char head_line[ID_LEN];

			/* A verdict paired by machine: the machine after the config, as the chart has it. */
			snprintf(head_line, sizeof(head_line), "%s%s%s", labels.label[i][0] ? labels.label[i] : r->config,
				 r->machine ? " @ " : "", r->machine ? r->machine : "");
			fprintf(f, "%s\n", lb_fit(head_line, NARROW, line, sizeof(line)));
		}
		narrow_cells(r, cells);
		fputs("  ", f);
		for (int c = 0; c < NN_COLS; c++) {
			lb_put_cell(f, cells[c], width[c], c != N_METRIC);
			fputs(c == N_METRIC ? " " : "  ", f);
			used += width[c] + (c == N_METRIC ? 1 : 2);
		}
		fputs(lb_judgement_name(r->verdict), f);
		used += strlen(lb_judgement_name(r->verdict));
		if (r->reason) {
			char why[CELL_LEN + 8];

			snprintf(why, sizeof(why), "(%s)", r->reason);
			lb_one_line(why, line, sizeof(line));
			if (used + 1 + lb_text_width(line) <= NARROW)
				fprintf(f, " %s\n", line);
			else
				fprintf(f, "\n    %s\n", lb_fit(why, NARROW - 4, line, sizeof(line)));
		} else {
			fputc('\n', f);
		}
	}
	lb_id_labels_free(&labels);
	free(ids);
}

/*
 * "only in SIDE: ID" per one-sided config ("ID @ MACHINE" when paired by machine), then per machine;
 * in 80 columns an id keeps its start and end.
 */
static void only_lines(FILE *f, const char *side, char *const *ids, char *const *machines, size_t n,
		       char *const *only_machines, size_t nmachines, bool wide)
{
	char id[ID_LEN], m[CELL_LEN];

	for (size_t i = 0; i < n; i++) {
		fprintf(f, "only in %s: %s", side,
			wide ? lb_one_line(ids[i], id, sizeof(id)) : lb_fit(ids[i], NARROW - 10 - strlen(side), id, sizeof(id)));
		if (machines)
			fprintf(f, " @ %s", lb_one_line(machines[i], m, sizeof(m)));
		fputc('\n', f);
	}
	for (size_t i = 0; i < nmachines; i++)
		fprintf(f, "machine only in %s: %s\n", side, lb_one_line(only_machines[i], m, sizeof(m)));
}

void lb_compare_table(FILE *f, const struct lb_verdict *v, bool wide)
{
	const struct lb_compare_settings *s = &v->settings;
	const char *cmd = s->paired ? "ab" : "compare";

	if (wide)
		print_rows(f, v);
	else
		print_narrow(f, v);
	only_lines(f, "base", v->only_in_base, v->only_in_base_machine, v->nonly_in_base,
		   v->machines_only_in_base, v->nmachines_only_in_base, wide);
	only_lines(f, "new", v->only_in_new, v->only_in_new_machine, v->nonly_in_new, v->machines_only_in_new,
		   v->nmachines_only_in_new, wide);
	/* The counts stay on one line for a script to grep; in 80 columns the settings go below. */
	fprintf(f,
		"%s: %s: %zu regression, %zu improvement, %zu ok, %zu inconclusive, %zu n/a%s%*s"
		"(threshold %g%%, alpha %g, min %zu %s)\n",
		cmd, lb_judgement_name(v->overall), v->counts[LB_J_REGRESSION], v->counts[LB_J_IMPROVEMENT],
		v->counts[LB_J_OK], v->counts[LB_J_INCONCLUSIVE], v->counts[LB_J_NA], wide ? " " : "\n",
		wide ? 0 : (int)strlen(cmd) + 2, "", s->threshold_pct, s->alpha, s->min_repeats,
		s->paired ? "pairs, Wilcoxon signed-rank" : "reps");
}

/*
 * Text in a Markdown table cell: '|' would end the cell; '*', '_' etc. would
 * format; a line break would end the row (shown as '?', as in the table).
 */
static void md_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if ((unsigned char)*s < 0x20 || *s == 0x7f) {
			fputc('?', f);
			continue;
		}
		if (strchr("\\|*_`<>[]", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

/* ", "-separated ids (each "ID @ MACHINE" when machines is not NULL) after a label, on one line. */
static void md_ids(FILE *f, const char *label, char *const *ids, char *const *machines, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		fputs(i ? ", " : label, f);
		md_escaped(f, ids[i]);
		if (machines) {
			fputs(" @ ", f);
			md_escaped(f, machines[i]);
		}
	}
}

int lb_compare_markdown(FILE *f, const struct lb_verdict *v)
{
	const struct lb_compare_settings *s = &v->settings;
	char cells[N_COLS][CELL_LEN];

	fprintf(f, "### lockbench %s: %s\n\n", s->paired ? "ab" : "compare", lb_judgement_name(v->overall));
	fprintf(f,
		"%zu regression, %zu improvement, %zu ok, %zu inconclusive, %zu n/a "
		"(threshold %g%%, alpha %g, at least %zu %s).\n\n",
		v->counts[LB_J_REGRESSION], v->counts[LB_J_IMPROVEMENT], v->counts[LB_J_OK],
		v->counts[LB_J_INCONCLUSIVE], v->counts[LB_J_NA], s->threshold_pct, s->alpha, s->min_repeats,
		s->paired ? "window pairs in one process, Wilcoxon signed-rank" : "repetitions per side");
	fputs(v->by_machine ? "| machine | config | metric | base | new | change | 95% CI | p | verdict |\n"
			    : "| config | metric | base | new | change | 95% CI | p | verdict |\n",
	      f);
	fputs(v->by_machine ? "|---|---|---|--:|--:|--:|--:|--:|---|\n" : "|---|---|--:|--:|--:|--:|--:|---|\n", f);
	for (size_t i = 0; i < v->nrows; i++) {
		const struct lb_verdict_row *r = &v->rows[i];
		bool strong = r->verdict == LB_J_REGRESSION;

		row_cells(r, cells);
		fputs("| ", f);
		if (v->by_machine) {
			md_escaped(f, r->machine ? r->machine : "");
			fputs(" | ", f);
		}
		md_escaped(f, r->config);
		for (int c = COL_METRIC; c < N_COLS; c++) {
			fputs(" | ", f);
			if (c == COL_VERDICT && strong)
				fputs("**", f);
			md_escaped(f, cells[c]);
			if (c == COL_VERDICT && strong)
				fputs("**", f);
		}
		fputs(" |\n", f);
	}
	md_ids(f, "\nOnly in base: ", v->only_in_base, v->only_in_base_machine, v->nonly_in_base);
	md_ids(f, "\nOnly in new: ", v->only_in_new, v->only_in_new_machine, v->nonly_in_new);
	md_ids(f, "\nMachines only in base: ", v->machines_only_in_base, NULL, v->nmachines_only_in_base);
	md_ids(f, "\nMachines only in new: ", v->machines_only_in_new, NULL, v->nmachines_only_in_new);
	if (v->nonly_in_base || v->nonly_in_new || v->nmachines_only_in_base || v->nmachines_only_in_new)
		fputc('\n', f);
	for (size_t i = 0; i < v->nwarnings; i++) {
		fputs(i ? "\n- " : "\nWarnings:\n\n- ", f);
		md_escaped(f, v->warnings[i]);
	}
	if (v->nwarnings)
		fputc('\n', f);
	return ferror(f) ? -1 : 0;
}
