/*
 * render/format.h — numbers and text as the renderers show them.
 */
#ifndef LB_FORMAT_H
#define LB_FORMAT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

/* Human duration of ns: "850ns", "12.3us", "4.56ms", "1.20s"; "-" when not finite. */
void lb_human_ns(double ns, char *buf, size_t len);

/* 3 significant digits with k/M/G/T above 10^4 ("12.3M"), "%.4g" below, "-" when not finite. */
void lb_human_value(double x, char *buf, size_t len);

/*
 * A rate (acquisitions per second) with an adaptive unit, 3 significant
 * digits: "0.50", "66.0", "507", "12.3k", "40.9M", "1.20G"; "-" when not finite.
 */
void lb_human_rate(double per_s, char *buf, size_t len);

/*
 * s with every control character (a newline in a plug-in's name or a
 * string parameter) shown as '?', into buf: one table row stays one line.
 * Returns buf.
 */
const char *lb_one_line(const char *s, char *buf, size_t len);

/* Columns a one-line UTF-8 text takes on a terminal (one per character). */
size_t lb_text_width(const char *s);

/*
 * s made one line (lb_one_line) and at most `width` columns: a longer text
 * keeps its start and its end with '~' between (the end is where the
 * parameters that tell lock variants apart are). Returns buf.
 */
const char *lb_fit(const char *s, size_t width, char *buf, size_t len);

/* s (one line already) padded with blanks to `width` columns, left- or right-aligned. */
void lb_put_cell(FILE *f, const char *s, size_t width, bool right);

#endif
