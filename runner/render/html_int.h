/*
 * render/html_int.h — what the render/html_*.c files share. Not for use
 * outside render/.
 */
#ifndef LB_RENDER_HTML_INT_H
#define LB_RENDER_HTML_INT_H

#include <stdarg.h>
#include <stdio.h>

#include "render/html.h"

/* ---- html_text.c ---- */

/*
 * Text from an input as HTML: one line of valid UTF-8 (control characters
 * become a space, bytes that are not UTF-8 '?'), with & < > " ' escaped, so
 * it is safe in an element and in a quoted attribute alike.
 */
void html_text(FILE *f, const char *s);
/* printf, then html_text of the result. */
void html_textf(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* A table cell <td class="cls">text</td> (cls NULL: none); printf-style. */
void html_td(FILE *f, const char *cls, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Numbers as the tables show them: "-" when undefined. */
void html_rate(char *buf, size_t len, double per_s); /* 2.09M */
void html_ns(char *buf, size_t len, double ns);      /* 1.02us */
void html_ratio(char *buf, size_t len, double x);    /* 0.997 */
/* A config's label: its table label, else its lock name, else "?". */
const char *html_config_label(const struct lb_config *c);
/*
 * The repetition the per-thread charts show: the usable sample with the median throughput (the lower
 * median), as render/plot_series.c chooses it; NULL when none is usable.
 */
const struct lb_sample *html_median_sample(const struct lb_config *c);
/* The id attribute of input i's section: "in1", "in2", ... */
void html_section_id(char *buf, size_t len, size_t i);

/* ---- html_result.c, html_verdict.c, html_charts.c ---- */

void html_result_section(FILE *f, const struct lb_html_input *in, size_t index);
void html_verdict_section(FILE *f, const struct lb_html_input *in, size_t index);
/* Every chart of an input as a <figure> with its caption. */
void html_charts(FILE *f, const struct lb_html_input *in, size_t index);

#endif
