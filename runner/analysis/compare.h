/*
 * analysis/compare.h — `lockbench compare BASE NEW`: the regression gate.
 *
 * Pairs the configs of two result documents (schema "lockbench/1") by
 * identity, tests each chosen metric across repetitions and prints a verdict
 * per config and metric; optionally writes a JSON verdict document (schema
 * "lockbench-compare/1") and a Markdown table for a CI job summary.
 *
 * Exit codes: 0 no regression (inconclusive rows are reported on stderr, but
 * do not fail the gate), 1 at least one regression, 2 usage or input error.
 */
#ifndef LOCKBENCH_COMPARE_H
#define LOCKBENCH_COMPARE_H

#define LB_COMPARE_EXIT_OK 0
#define LB_COMPARE_EXIT_REGRESSION 1
#define LB_COMPARE_EXIT_ERROR 2

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
/* Bootstrap of the ratio of medians: resamples and the fixed seed ("lockbenc"). */
#define LB_COMPARE_BOOTSTRAP_ITERS 2000u
#define LB_COMPARE_BOOTSTRAP_SEED 0x6c6f636b62656e63u

/* argv[0] is "compare"; returns the exit code. Messages go to stdout/stderr. */
int lb_compare_main(int argc, char **argv);

#endif
