/*
 * analysis/compare.h — the regression gate's judgement: pair the configs of
 * two results by their id and judge every pair and metric (a verdict,
 * model/verdict.h). `lockbench compare` (cmd/compare.c) parses the options,
 * loads the results and writes what this concludes.
 */
#ifndef LB_COMPARE_H
#define LB_COMPARE_H

#include <stddef.h>

#include "model/model.h"
#include "model/verdict.h"

/*
 * Significance level of the Mann–Whitney U test; --alpha overrides it. 0.01,
 * not the customary 0.05: a gate judges every config and metric and fails on
 * any one, so its false alarms add up over rows. For 6 throughput rows of
 * 10 repetitions each, 5% threshold, the gate meets both its targets (<= 5%
 * false alarms, >= 90% of 10% losses caught) up to +-5% noise per repetition
 * at 0.01, only up to +-4% at 0.05 (scripts/gate-model.py; README, "CI
 * regression gate"). It needs 5 repetitions per side to ever reach p < 0.01.
 */
#define LB_COMPARE_ALPHA_DEFAULT 0.01
/* Smallest change of a median, in percent, that counts; --threshold overrides it. */
#define LB_COMPARE_THRESHOLD_PCT_DEFAULT 5.0
/* The metrics judged when --metric is not given. */
#define LB_COMPARE_METRICS_DEFAULT "throughput,p99,jain"
/* Bootstrap of the ratio of medians: resamples and the fixed seed ("lockbenc"). */
#define LB_COMPARE_BOOTSTRAP_ITERS 2000u
#define LB_COMPARE_BOOTSTRAP_SEED 0x6c6f636b62656e63u

/*
 * Settings with every default: the default metrics, threshold and alpha, the
 * fewest repetitions with which p < alpha is possible, the bootstrap's.
 */
void lb_compare_defaults(struct lb_compare_settings *s);

/*
 * A row's judgement from its figures: inconclusive below s->min_repeats
 * values per side; else regression (improvement) when p_value < alpha and
 * change_pct is beyond the threshold in the metric's bad (good) direction;
 * else ok. The same rule for `compare` and the paired `ab`.
 */
enum lb_judgement lb_compare_judge(const struct lb_verdict_row *r, const struct lb_compare_settings *s);

/*
 * What a pair of configs says before any figure: LB_J_REGRESSION when NEW's
 * status is not ok and BASE's is, or when a flag metric (starved,
 * scheduler_bound) was set in no BASE repetition and in more than half of
 * NEW's (the flag rule); LB_J_NA when BASE's status is not ok; else LB_J_OK
 * (judge the figures). why (len bytes) gets the reason, "" for LB_J_OK.
 */
enum lb_judgement lb_compare_config_rule(const struct lb_config *b, const struct lb_config *n, char *why,
					 size_t len);

/* What a comparison says aloud but is no error (different hosts, a status regression, ...). */
typedef void lb_compare_warn_fn(void *arg, const char *msg);

/* ---- were both sides measured alike? (analysis/compare_inputs.c) ---- */

/* What --allow-mismatch may allow: the kinds of difference refused by default. */
enum {
	LB_MISMATCH_OPTIONS = 1,   /* duration, warm-up, pin, slice, log cap */
	LB_MISMATCH_TIMING = 2,    /* the timing mode */
	LB_MISMATCH_BUSY_RATE = 4, /* busy-loop iterations per us */
	LB_MISMATCH_MACHINE = 8,   /* host or CPU model */
	LB_MISMATCH_ALL = 15
};
/*
 * Busy-loop rates within this relative difference count as one: cs_ns then
 * means the same work within 1%, far below any threshold worth gating on.
 * Two calibrating processes of a shared VM differed by up to 1.9x.
 */
#define LB_BUSY_RATE_TOLERANCE 0.01

/* "options,busy-rate" (or "all") into a mask. 0, or -1 with a reason. */
int lb_mismatch_parse(const char *list, unsigned *mask, char *err, size_t errlen);
/* The mask as such a list. */
void lb_mismatch_text(unsigned mask, char *buf, size_t len);
const char *lb_mismatch_name(unsigned bit);

/*
 * Compare two contexts (of two results, or of one machine of two merged
 * results: prefix is then "machine \"M\": ", else ""). Every difference
 * of a kind not in allow is refused: -1 with one line in err naming each
 * field and both values. Allowed differences, another lockbench version
 * and a build with uncommitted changes go to warn. A field either context
 * lacks is not checked.
 */
int lb_compare_check_context(const struct lb_context *b, const struct lb_context *n, const char *prefix,
			     unsigned allow, lb_compare_warn_fn *warn, void *warn_arg, char *err, size_t errlen);

/*
 * Judge new against base (files name them in the verdict and in errors)
 * with settings s. 0 with *out set, or -1 with a one-line reason: results
 * measured differently (lb_compare_check_context, with s->allow_mismatch),
 * a duplicate id in either result, no config in common, out of memory. warn
 * (may be NULL) hears every warning as it is found; the verdict keeps them
 * (warnings[]).
 *
 * Configs pair by the id each result carries, in O(n log n): a sorted index
 * of new's ids, searched for each of base's. When both results carry
 * machines (lockbench merge), they pair by (machine, id) and a machine only
 * one side has is listed in the verdict (machines_only_in_*), not its
 * configs; a result of several machines against a plain one is refused.
 */
int lb_compare(const struct lb_result *base, const char *base_file, const struct lb_result *nw,
	       const char *new_file, const struct lb_compare_settings *s, lb_compare_warn_fn *warn,
	       void *warn_arg, struct lb_verdict **out, char *err, size_t errlen);

/*
 * The verdict of `lockbench ab` (analysis/paired.c): config k of base pairs
 * with config k of new (the same workload and threads, another lock), and
 * sample i of one with the sample of repetition i of the other (the two
 * windows of pair i). Per metric the Wilcoxon signed-rank test on the pairs'
 * log ratios and a bootstrap CI of their median, judged by the rules of
 * compare with s->min_repeats read as pairs; the verdict's settings say
 * paired. base_name and new_name are what the user typed for the locks.
 * 0 with *out set, or -1 with a one-line reason.
 */
int lb_compare_paired(const struct lb_result *base, const char *base_name, const struct lb_result *nw,
		      const char *new_name, const struct lb_compare_settings *s, lb_compare_warn_fn *warn,
		      void *warn_arg, struct lb_verdict **out, char *err, size_t errlen);

#endif
