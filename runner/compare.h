/*
 * compare.h — `lockbench compare BASE NEW`: the regression gate.
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

/* Significance level of the Mann–Whitney U test; --alpha overrides it. */
#define LB_COMPARE_ALPHA_DEFAULT 0.05
/* Smallest change of a median, in percent, that counts; --threshold overrides it. */
#define LB_COMPARE_THRESHOLD_PCT_DEFAULT 5.0
/* Bootstrap of the ratio of medians: resamples and the fixed seed ("lockbenc"). */
#define LB_COMPARE_BOOTSTRAP_ITERS 2000u
#define LB_COMPARE_BOOTSTRAP_SEED 0x6c6f636b62656e63u

/* argv[0] is "compare"; returns the exit code. Messages go to stdout/stderr. */
int lb_compare_main(int argc, char **argv);

#endif
