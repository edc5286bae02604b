/*
 * render/compare_table.h — a compare verdict as text: the terminal table with
 * its summary lines, and the Markdown summary for a CI job page.
 */
#ifndef LB_COMPARE_TABLE_H
#define LB_COMPARE_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "model/verdict.h"

/*
 * The verdict, then the configs only one side has and the one-line summary
 * ("compare: regression: 1 regression, ... (threshold 5%, ...)"; "ab: ..."
 * and its test for a paired verdict). Default (wide false): for 80 columns —
 * a line per config naming what tells it from the others (the fields all
 * configs share said once above), under it a row per metric with base and
 * new in the metric's unit (2.09M/s, 1.02us), the change (a factor, x600k,
 * beyond +999.9%), its 95% CI, p and the verdict. wide: one aligned row per
 * config and metric with the whole config id.
 */
void lb_compare_table(FILE *f, const struct lb_verdict *v, bool wide);

/* The same as a Markdown table under a heading; text in cells is escaped. 0, or -1. */
int lb_compare_markdown(FILE *f, const struct lb_verdict *v);

#endif
