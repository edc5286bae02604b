/*
 * render/table.h — the terminal table of `run`: a row per finished run and,
 * with repetitions, a summary line per config. Reads the result model.
 */
#ifndef LB_TABLE_H
#define LB_TABLE_H

#include <stdio.h>

#include "model/model.h"

void lb_table_header(FILE *f);
/* One run: c's label (its lock name when it has none) and threads, s's figures. */
void lb_table_row(FILE *f, const struct lb_config *c, const struct lb_sample *s);
/* One line per config: medians with the 95% CI of the median, from c->summary. */
void lb_table_summary(FILE *f, const struct lb_result *r);

#endif
