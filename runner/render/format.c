/*
 * render/format.c — numbers and text as the renderers show them.
 */
#include "render/format.h"

#include <math.h>
#include <stdio.h>

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
