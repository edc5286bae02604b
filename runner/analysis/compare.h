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

/* What a comparison says aloud but is no error (different hosts, a status regression, ...). */
typedef void lb_compare_warn_fn(void *arg, const char *msg);

/*
 * Judge new against base (files name them in the verdict and in errors)
 * with settings s. 0 with *out set, or -1 with a one-line reason: a
 * duplicate id in either result, no config in common, out of memory. warn
 * (may be NULL) hears every warning as it is found.
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

#endif
