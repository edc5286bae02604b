/*
 * render/table.h — the terminal table of `run`: a row per finished run and,
 * with repetitions, a summary line per config. Reads the result model.
 */
#ifndef LB_TABLE_H
#define LB_TABLE_H

#include <stdbool.h>
#include <stdio.h>

#include "model/model.h"

/* How the table is laid out: 80 columns, or wide; the lock column's width. */
struct lb_table_layout {
	bool wide;
	size_t label_width;
};

/* The layout for these lock labels (all the run will show): 80 columns unless wide. */
void lb_table_layout(struct lb_table_layout *l, bool wide, const char *const *labels, size_t n);
void lb_table_header(FILE *f, const struct lb_table_layout *l);
/* One run: c's label (its lock name when it has none) and threads, s's figures. */
void lb_table_row(FILE *f, const struct lb_table_layout *l, const struct lb_config *c, const struct lb_sample *s);
/* One line per config: medians with the 95% CI of the median, from c->summary; "-" for a config that never ran. */
void lb_table_summary(FILE *f, const struct lb_table_layout *l, const struct lb_result *r);
/* "stopped after 8 of 48 runs; 5 of 16 configs did not run (...)": after an interrupt or a hung run. */
void lb_table_stopped(FILE *f, const struct lb_result *r, size_t runs_done, size_t runs_planned);

/*
 * `stress`'s line for one lock, locktorture's:
 *   ticket: Total: 81234567  Max/Min: 1032/998  Fail: 0
 * Total: acquisitions; Max/Min: the most and fewest by one thread, marked
 * ` ???` when max/2 > min (a thread starved: locktorture's imbalance mark);
 * Fail: violations + verify failures + bad releases; then, for a run with
 * roles, `Reads/Writes: R/W`; a run that ended other than ok or failed says
 * how, else `untested` (NULL: none) says why a clean-looking run counts for
 * nothing. Returns whether it was marked ???.
 */
bool lb_table_torture_line(FILE *f, const char *label, const struct lb_sample *s, const char *untested);

#endif
