/*
 * render/html_text.c — text and numbers for the report (html_int.h).
 *
 * Every string from an input (file names, hosts, lock names, parameters,
 * config ids, messages) is untrusted: it reaches the page only through
 * html_text, which makes it one line of valid UTF-8 (plot_clean) and escapes
 * the five characters that could end an element or an attribute.
 */
#define _GNU_SOURCE
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/format.h"
#include "render/html_int.h"
#include "render/plot_int.h"

void html_text(FILE *f, const char *s)
{
	char *copy = strdup(s ? s : "");
	if (copy == NULL)
		return;
	plot_clean(copy);
	for (const char *p = copy; *p; p++) {
		switch (*p) {
		case '&':
			fputs("&amp;", f);
			break;
		case '<':
			fputs("&lt;", f);
			break;
		case '>':
			fputs("&gt;", f);
			break;
		case '"':
			fputs("&quot;", f);
			break;
		case '\'':
			fputs("&#39;", f);
			break;
		default:
			fputc(*p, f);
		}
	}
	free(copy);
}

static void html_vtextf(FILE *f, const char *fmt, va_list ap)
{
	char *text;
	if (vasprintf(&text, fmt, ap) < 0)
		return;
	html_text(f, text);
	free(text);
}

void html_textf(FILE *f, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	html_vtextf(f, fmt, ap);
	va_end(ap);
}

void html_td(FILE *f, const char *cls, const char *fmt, ...)
{
	va_list ap;
	if (cls != NULL)
		fprintf(f, "<td class=\"%s\">", cls);
	else
		fputs("<td>", f);
	va_start(ap, fmt);
	html_vtextf(f, fmt, ap);
	va_end(ap);
	fputs("</td>", f);
}

void html_rate(char *buf, size_t len, double per_s)
{
	lb_human_rate(per_s, buf, len);
}

void html_ns(char *buf, size_t len, double ns)
{
	lb_human_ns(ns, buf, len);
}

void html_ratio(char *buf, size_t len, double x)
{
	if (x != x)
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3f", x);
}

const char *html_config_label(const struct lb_config *c)
{
	return c->label ? c->label : c->lock_name ? c->lock_name : "?";
}

void html_section_id(char *buf, size_t len, size_t i)
{
	snprintf(buf, len, "in%zu", i + 1);
}

const struct lb_sample *html_median_sample(const struct lb_config *c)
{
	const struct lb_sample **ok = calloc(c->nsamples ? c->nsamples : 1, sizeof *ok), *pick = NULL;
	size_t n = 0;
	for (size_t i = 0; ok && i < c->nsamples; i++)
		if (plot_sample_usable(&c->samples[i]))
			ok[n++] = &c->samples[i];
	/* Insertion sort by throughput, ties in repetition order: repetitions are few. */
	for (size_t i = 1; i < n; i++)
		for (size_t k = i; k > 0 && ok[k]->throughput_per_s < ok[k - 1]->throughput_per_s; k--) {
			const struct lb_sample *t = ok[k];
			ok[k] = ok[k - 1], ok[k - 1] = t;
		}
	pick = n ? ok[(n - 1) / 2] : NULL;
	free(ok);
	return pick;
}
