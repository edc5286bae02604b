/*
 * render/export.h — a result as a table for other tools: CSV for a
 * spreadsheet or a script, Markdown for a CI page or a pull request.
 * `lockbench run --csv/--markdown` and `lockbench export` write them.
 *
 * One row per config and repetition (a config no repetition of which ran
 * has one row with its status and the sample's columns empty). The columns
 * are documented in docs/reports.md; CSV follows RFC 4180 (a field with a
 * comma, quote or line break is quoted, quotes doubled; text is exact).
 */
#ifndef LB_RENDER_EXPORT_H
#define LB_RENDER_EXPORT_H

#include <stdio.h>

#include "model/model.h"

/* The CSV header and rows. 0, or -1 when writing failed. */
int lb_export_csv(FILE *f, const struct lb_result *r);
/* A heading naming source, a line of context, and the table. 0, or -1 when writing failed. */
int lb_export_markdown(FILE *f, const struct lb_result *r, const char *source);

#endif
