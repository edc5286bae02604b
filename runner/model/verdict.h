/*
 * model/verdict.h — what `lockbench compare` concluded, as C structs, and its
 * storage format "lockbench-compare/1".
 *
 * analysis/compare.c fills it from two results, render/compare_table.c prints
 * it, `plot` charts it. Its JSON is written and loaded in model/json_verdict.c
 * and nowhere else.
 *
 * A row is one paired config and one metric. Ownership: a struct lb_verdict
 * owns every string and array below it; free it with lb_verdict_free().
 * Undefined numbers (a median of nothing, a ratio to zero, a p-value without
 * values) are NAN, written as null.
 */
#ifndef LB_VERDICT_H
#define LB_VERDICT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "model/model.h"

#define LB_VERDICT_SCHEMA "lockbench-compare/1"
/* settings.test: how rows were judged (see struct lb_compare_settings, paired). */
#define LB_VERDICT_TEST_UNPAIRED "mann-whitney-u"
#define LB_VERDICT_TEST_PAIRED "wilcoxon-signed-rank"

/* What a row says, and (for the whole verdict) REGRESSION, INCONCLUSIVE or OK. */
enum lb_judgement { LB_J_REGRESSION, LB_J_IMPROVEMENT, LB_J_OK, LB_J_INCONCLUSIVE, LB_J_NA, LB_J_COUNT };
/* "regression", "improvement", "ok", "inconclusive", "n/a". */
const char *lb_judgement_name(enum lb_judgement j);
/* The judgement called name; -1 if there is none. */
int lb_judgement_parse(const char *name);

/* The options a verdict was reached with (its "settings"). */
struct lb_compare_settings {
	const struct lb_metric *metrics[LB_M_COUNT]; /* entries of lb_metrics, in the order asked */
	size_t nmetrics;
	double threshold_pct; /* smallest change of a median that counts, in percent */
	double alpha;         /* significance level of the Mann–Whitney U test */
	size_t min_repeats;   /* repetitions per side below which a row is inconclusive */
	unsigned bootstrap_iters;
	uint64_t bootstrap_seed;
	unsigned allow_mismatch; /* LB_MISMATCH_* (analysis/compare.h) allowed by --allow-mismatch */
	/*
	 * false: `compare`, unpaired repetitions (Mann–Whitney U, bootstrap of
	 * the ratio of medians, min_repeats per side). true: `ab`, windows paired
	 * in one process (Wilcoxon signed-rank on the pairs' log ratios,
	 * bootstrap of their median, min_repeats pairs); base_n/new_n are then
	 * pairs, and ratio is the median pair ratio.
	 */
	bool paired;
};

/* One of the two results compared. */
struct lb_verdict_side {
	char *file;                         /* the path as it was given */
	char *host, *cpu_model, *git_commit; /* from the result's context; NULL: absent */
};

struct lb_verdict_row {
	char *config;                   /* the id both results carry for this config */
	const struct lb_metric *metric; /* an entry of lb_metrics: name, unit, which way is better */
	size_t base_n, new_n;           /* repetitions with a value on each side */
	double base_median, new_median;
	double ratio;                   /* new_median / base_median */
	double change_pct;              /* (ratio - 1) * 100 */
	double ci95_low, ci95_high;     /* bootstrap 95% CI of the ratio */
	double p_value;                 /* Mann–Whitney U, two-sided */
	enum lb_judgement verdict;
	/*
	 * Why the figures did not decide: set for every n/a and inconclusive
	 * row and for a regression that NEW's status forced ("new status
	 * \"hung\", base ok"); NULL for a row judged on its figures.
	 */
	char *reason;
	size_t repeats_needed; /* inconclusive rows: repetitions per side a judgement needs; else 0 */
	char *machine;         /* by_machine: the machine both configs ran on; else NULL */
};

struct lb_verdict {
	enum lb_judgement overall; /* REGRESSION if any row is, else INCONCLUSIVE if any row is, else OK */
	size_t counts[LB_J_COUNT]; /* rows per judgement */
	struct lb_compare_settings settings;
	struct lb_verdict_side base, new;
	struct lb_verdict_row *rows; /* base's config order, then the metrics' order */
	size_t nrows;
	char **only_in_base, **only_in_new; /* ids of configs that have no partner, in file order */
	size_t nonly_in_base, nonly_in_new;
	/*
	 * Results that both carry machines (lockbench merge) pair configs by
	 * (machine, id): by_machine is set, every row names its machine, each
	 * only_in_* entry has its machine in only_in_*_machine (same index), and
	 * a machine that one side lacks is listed in machines_only_in_* (its
	 * configs are not listed one by one). Without by_machine these are NULL.
	 */
	bool by_machine;
	char **only_in_base_machine, **only_in_new_machine;
	char **machines_only_in_base, **machines_only_in_new;
	size_t nmachines_only_in_base, nmachines_only_in_new;
	/* What was said aloud on the way (other versions, allowed mismatches, status regressions ...). */
	char **warnings;
	size_t nwarnings;
};

/* ---- lifecycle (model/verdict.c) ---- */

/* An empty verdict (overall OK, nothing in it); NULL when out of memory. */
struct lb_verdict *lb_verdict_new(void);
void lb_verdict_free(struct lb_verdict *v);
/* Keep a copy of msg in v->warnings. 0, or -1 when out of memory. */
int lb_verdict_add_warning(struct lb_verdict *v, const char *msg);
/* A side from the name it was given and its result's context (copies). 0, or -1 when out of memory. */
int lb_verdict_side_fill(struct lb_verdict_side *side, const char *name, const struct lb_context *c);

/* ---- storage (model/json_verdict.c) ---- */

/*
 * Load a verdict document. 0 with *out set, or -1 with a one-line reason
 * naming the file and the place ("v.json: rows[3].ratio: not a number or
 * null"). Strict about what a consumer uses, lenient about keys it does not
 * know; "unit" and "better" of a row follow from its metric.
 */
int lb_verdict_load(const char *path, struct lb_verdict **out, char *err, size_t errlen);
/* Write v as a JSON document to f. 0, or -1 (errno says why). */
int lb_verdict_emit(FILE *f, const struct lb_verdict *v);

#endif
