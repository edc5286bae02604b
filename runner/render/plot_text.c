/*
 * render/plot_text.c — the only writers of text into a .dat table or meta.gp.
 *
 * Everything a result or verdict carries (its file name, host, config ids,
 * lock names, reasons) is untrusted: meta.gp is a gnuplot script, so a
 * newline in a string that reached it raw would start a command there
 * (`system("...")`), and a newline in a .dat comment would start a forged
 * row. So every string goes through one of these writers, which make it one
 * line of valid UTF-8 (control characters, C1 controls included, become a
 * space; a byte that is not UTF-8 becomes '?') and quote it for where it goes.
 * gnuplot does no substitution inside single quotes (no `...` nor @macro)
 * and a doubled quote is the only escape there.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/plot_int.h"

/*
 * The length of the UTF-8 character at s (1 to 4), or 0 if s does not start
 * a valid, shortest-form one. *control is set for a C0 or C1 control or DEL.
 */
static size_t utf8_char(const unsigned char *s, bool *control)
{
	*control = false;
	if (s[0] < 0x80) {
		*control = s[0] < 0x20 || s[0] == 0x7f;
		return 1;
	}
	size_t n;
	unsigned cp;
	if (s[0] >= 0xc2 && s[0] <= 0xdf)
		n = 2, cp = s[0] & 0x1f;
	else if (s[0] >= 0xe0 && s[0] <= 0xef)
		n = 3, cp = s[0] & 0x0f;
	else if (s[0] >= 0xf0 && s[0] <= 0xf4)
		n = 4, cp = s[0] & 0x07;
	else
		return 0;
	for (size_t i = 1; i < n; i++) {
		if ((s[i] & 0xc0) != 0x80) /* also stops at the terminating NUL */
			return 0;
		cp = cp << 6 | (s[i] & 0x3f);
	}
	if ((n == 3 && cp < 0x800) || (n == 4 && (cp < 0x10000 || cp > 0x10ffff)) || (cp >= 0xd800 && cp <= 0xdfff))
		return 0;
	*control = cp >= 0x80 && cp <= 0x9f;
	return n;
}

/*
 * Write s cleaned (see the top of the file); `quote` is written twice where
 * it occurs (gnuplot's single quote), or replaced by `subst` when subst is set.
 */
static void put_clean(FILE *f, const char *s, char quote, char subst)
{
	const unsigned char *p = (const unsigned char *)s;
	while (*p) {
		bool control;
		size_t n = utf8_char(p, &control);
		if (n == 0) {
			fputc('?', f);
			p++;
		} else if (control) {
			fputc(' ', f);
			p += n;
		} else if (n == 1 && quote && *p == (unsigned char)quote) {
			fputc(subst ? subst : quote, f);
			if (!subst)
				fputc(quote, f);
			p++;
		} else {
			fwrite(p, 1, n, f);
			p += n;
		}
	}
}

void plot_clean(char *s)
{
	const unsigned char *in = (const unsigned char *)s;
	unsigned char *out = (unsigned char *)s;
	while (*in) {
		bool control;
		size_t n = utf8_char(in, &control);
		if (n == 0 || control) {
			*out++ = n ? ' ' : '?';
			in += n ? n : 1;
		} else {
			memmove(out, in, n);
			out += n, in += n;
		}
	}
	*out = '\0';
}

void plot_gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	put_clean(f, s, '\'', 0);
	fputc('\'', f);
}

void plot_dat_string(FILE *f, const char *s)
{
	fputs(" \"", f);
	put_clean(f, s, '"', '\'');
	fputc('"', f);
}

void plot_gp_assign(FILE *f, const char *name, const char *value)
{
	fprintf(f, "%s = ", name);
	plot_gp_string(f, value);
	fputc('\n', f);
}

void plot_comment(FILE *f, const char *fmt, ...)
{
	char *text;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&text, fmt, ap);
	va_end(ap);
	if (n < 0) {
		fputs("#\n", f);
		return;
	}
	fputs("# ", f);
	put_clean(f, text, 0, 0);
	/* gnuplot joins a line ending in a backslash with the next one, comments included. */
	fputs(n > 0 && text[n - 1] == '\\' ? " \n" : "\n", f);
	free(text);
}

void plot_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);
	else
		fputs(" NaN", f);
}

void plot_append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	int n = vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (n >= 0 && (size_t)n >= len - used) {
		/* Truncated: do not leave half a UTF-8 character at the end. */
		size_t start = strlen(buf);
		while (start > used && ((unsigned char)buf[start - 1] & 0xc0) == 0x80)
			start--;
		bool control;
		if (start > used && (unsigned char)buf[start - 1] >= 0xc0 &&
		    utf8_char((unsigned char *)buf + start - 1, &control) == 0)
			buf[start - 1] = '\0';
	}
}

int plot_path_join(char *buf, size_t len, const char *dir, const char *name, char *err, size_t errlen)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		snprintf(err, errlen, "%s/%s: path too long", dir, name);
		return -1;
	}
	return 0;
}

FILE *plot_open(const char *dir, const char *name, char *err, size_t errlen)
{
	char path[LB_PLOT_PATH_MAX];
	if (plot_path_join(path, sizeof path, dir, name, err, errlen) != 0)
		return NULL;
	FILE *f = fopen(path, "w");
	if (f == NULL)
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	return f;
}

int plot_close(FILE *f, const char *name, char *err, size_t errlen)
{
	if (ferror(f) | fclose(f)) {
		snprintf(err, errlen, "%s: write failed: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}
