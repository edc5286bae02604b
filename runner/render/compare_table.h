/*
 * render/compare_table.h — a compare verdict as text: the terminal table with
 * its summary lines, and the Markdown summary for a CI job page.
 */
#ifndef LB_COMPARE_TABLE_H
#define LB_COMPARE_TABLE_H

#include <stdio.h>

#include "model/verdict.h"

/*
 * One aligned row per config and metric (config, metric, base, new, change,
 * 95% CI, p, verdict), then the configs only one side has and the one-line
 * summary ("compare: regression: 1 regression, ... (threshold 5%, ...)").
 */
void lb_compare_table(FILE *f, const struct lb_verdict *v);

/* The same as a Markdown table under a heading; text in cells is escaped. 0, or -1. */
int lb_compare_markdown(FILE *f, const struct lb_verdict *v);

#endif
