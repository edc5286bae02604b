/*
 * render/format.h — numbers and text as the renderers show them.
 */
#ifndef LB_FORMAT_H
#define LB_FORMAT_H

#include <stddef.h>

/* Human duration of ns: "850ns", "12.3us", "4.56ms", "1.20s"; "-" when not finite. */
void lb_human_ns(double ns, char *buf, size_t len);

/* 3 significant digits with k/M/G/T above 10^4 ("12.3M"), "%.4g" below, "-" when not finite. */
void lb_human_value(double x, char *buf, size_t len);

/*
 * s with every control character (a newline in a plug-in's name or a
 * string parameter) shown as '?', into buf: one table row stays one line.
 * Returns buf.
 */
const char *lb_one_line(const char *s, char *buf, size_t len);

#endif
