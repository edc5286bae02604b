/*
 * render/format.c — numbers and text as the renderers show them.
 */
#include "render/format.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

void lb_human_ns(double ns, char *buf, size_t len)
{
	if (!isfinite(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
}

/* 3 significant digits with k/M/G/T above 10^4 (12.3M), "%.4g" below, "-" if undefined. */
void lb_human_value(double x, char *buf, size_t len)
{
	static const char suffix[] = " kMGTPE";
	double a = fabs(x);
	int e = 0;

	if (!isfinite(x)) {
		snprintf(buf, len, "-");
		return;
	}
	if (a < 1e4) {
		snprintf(buf, len, "%.4g", x);
		return;
	}
	while (a >= 1000 && e < 6) {
		a /= 1000;
		x /= 1000;
		e++;
	}
	snprintf(buf, len, a >= 100 ? "%.0f%c" : a >= 10 ? "%.1f%c" : "%.2f%c", x, suffix[e]);
}

void lb_human_rate(double per_s, char *buf, size_t len)
{
	static const char suffix[] = " kMGTP";
	double a = fabs(per_s);
	int e = 0;
	if (!isfinite(per_s)) {
		snprintf(buf, len, "-");
		return;
	}
	if (per_s == 0) { /* nothing at all, not a rounded-down 0.00 */
		snprintf(buf, len, "0");
		return;
	}
	/* 999.6 rounds to 1.00k, not "1e+03". */
	while (a >= 999.5 && e < 5) {
		a /= 1000;
		per_s /= 1000;
		e++;
	}
	/* Three significant digits, trailing zeros kept so a column reads evenly: 10.0M, 66.0, 507. */
	const char *fmt = a >= 99.95 ? "%.0f%c" : a >= 9.995 ? "%.1f%c" : "%.2f%c";
	snprintf(buf, len, fmt, per_s, e ? suffix[e] : '\0');
}

const char *lb_one_line(const char *s, char *buf, size_t len)
{
	size_t i = 0;
	if (len == 0)
		return buf;
	for (; s != NULL && s[i] != '\0' && i + 1 < len; i++)
		buf[i] = (unsigned char)s[i] < 0x20 || s[i] == 0x7f ? '?' : s[i];
	buf[i] = '\0';
	return buf;
}

size_t lb_text_width(const char *s)
{
	size_t w = 0;
	for (; *s; s++)
		w += ((unsigned char)*s & 0xc0) != 0x80;
	return w;
}

/* Bytes of the first n characters of s. */
static size_t prefix_bytes(const char *s, size_t n)
{
	size_t i = 0, c = 0;
	for (; s[i]; i++)
		if (((unsigned char)s[i] & 0xc0) != 0x80 && c++ == n)
			break;
	return i;
}

const char *lb_fit(const char *s, size_t width, char *buf, size_t len)
{
	char line[4096];
	lb_one_line(s, line, sizeof line);
	size_t w = lb_text_width(line);
	if (w <= width || width < 3) {
		snprintf(buf, len, "%s", line);
		return buf;
	}
	size_t head = (width - 1) / 2, tail = width - 1 - head;
	size_t hb = prefix_bytes(line, head), tb = prefix_bytes(line, w - tail);
	snprintf(buf, len, "%.*s~%s", (int)hb, line, line + tb);
	return buf;
}

void lb_put_cell(FILE *f, const char *s, size_t width, bool right)
{
	size_t w = lb_text_width(s);
	if (!right)
		fputs(s, f);
	for (; w < width; w++)
		fputc(' ', f);
	if (right)
		fputs(s, f);
}
