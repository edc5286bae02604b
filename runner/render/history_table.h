/*
 * render/history_table.h — a series of results (analysis/history.h) as trend
 * tables: one per metric, a row per config, a column per result.
 */
#ifndef LB_HISTORY_TABLE_H
#define LB_HISTORY_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "analysis/history.h"

/* The results of the series, one line each: label, start time, file, which is the baseline. */
void lb_history_points(FILE *f, const struct lb_history *h);
/*
 * The points, then per metric the aligned trend table (median, change
 * against the baseline). A row names its config by what tells it apart from
 * the others (at most LB_HISTORY_LABEL_WIDTH columns, what they share on a
 * line above), as compare's 80-column table does; wide: by its whole id.
 */
#define LB_HISTORY_LABEL_WIDTH 32
void lb_history_table(FILE *f, const struct lb_history *h, bool wide);
/* The same in Markdown (a CI job summary). 0, or -1. */
int lb_history_markdown(FILE *f, const struct lb_history *h);

#endif
