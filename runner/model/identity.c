/*
 * model/identity.c — the one codec of a config's identity (see identity.h).
 *
 * The escape is chosen so that every id `run` wrote before it existed is
 * still byte-identical (names and parameters are plain printable text), so
 * old results keep pairing with new ones in compare.
 */
#define _GNU_SOURCE /* open_memstream */
#include "model/identity.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/model.h"

static bool needs_escape(unsigned char c, bool in_name)
{
	/* ':' splits a name from its parameters, so it is escaped inside names only. */
	return c == '|' || c == '%' || c < 0x20 || c == 0x7f || (in_name && c == ':');
}

/* Append text to buf[*used..len), escaped; false when it does not fit. */
static bool put_escaped(char *buf, size_t len, size_t *used, const char *text, bool in_name)
{
	static const char hex[] = "0123456789ABCDEF";
	for (const unsigned char *p = (const unsigned char *)text; *p; p++) {
		size_t need = needs_escape(*p, in_name) ? 3 : 1;
		if (*used + need >= len)
			return false;
		if (need == 3) {
			buf[(*used)++] = '%';
			buf[(*used)++] = hex[*p >> 4];
			buf[(*used)++] = hex[*p & 15];
		} else {
			buf[(*used)++] = (char)*p;
		}
	}
	buf[*used] = '\0';
	return true;
}

static bool put_raw(char *buf, size_t len, size_t *used, const char *text)
{
	size_t n = strlen(text);
	if (*used + n >= len)
		return false;
	memcpy(buf + *used, text, n + 1);
	*used += n;
	return true;
}

int lb_identity_format(const struct lb_identity *id, char *buf, size_t len)
{
	size_t used = 0;
	char threads[32];
	snprintf(threads, sizeof threads, "|threads=%u|pin=", id->threads);
	if (len == 0)
		return -1;
	buf[0] = '\0';
	bool ok = put_escaped(buf, len, &used, id->lock, true) && put_raw(buf, len, &used, ":") &&
		  put_escaped(buf, len, &used, id->lock_params, false) && put_raw(buf, len, &used, "|") &&
		  put_escaped(buf, len, &used, id->workload, true) && put_raw(buf, len, &used, ":") &&
		  put_escaped(buf, len, &used, id->workload_params, false) && put_raw(buf, len, &used, threads) &&
		  put_escaped(buf, len, &used, id->pin, false);
	return ok ? 0 : -1;
}

static int hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	return -1;
}

/* Unescape text[0..n) into out (size len). 0, or -1 with err set. */
static int unescape(const char *text, size_t n, char *out, size_t len, const char *what, char *err, size_t errlen)
{
	size_t o = 0;
	for (size_t i = 0; i < n; i++) {
		char c = text[i];
		if (c == '%') {
			int hi = i + 2 < n ? hexval(text[i + 1]) : -1, lo = i + 2 < n ? hexval(text[i + 2]) : -1;
			if (hi < 0 || lo < 0) {
				snprintf(err, errlen, "%s: \"%%\" not followed by two hex digits", what);
				return -1;
			}
			c = (char)(hi * 16 + lo);
			i += 2;
			if (c == '\0') {
				snprintf(err, errlen, "%s: an escaped NUL", what);
				return -1;
			}
		} else if ((unsigned char)c < 0x20 || c == 0x7f) {
			snprintf(err, errlen, "%s: an unescaped control character", what);
			return -1;
		}
		if (o + 1 >= len) {
			snprintf(err, errlen, "%s: too long", what);
			return -1;
		}
		out[o++] = c;
	}
	out[o] = '\0';
	return 0;
}

/* "NAME" or "NAME:PARAMS" from text[0..n). */
static int split_named(const char *text, size_t n, char *name, size_t nlen, char *params, size_t plen,
		       const char *what, char *err, size_t errlen)
{
	const char *colon = memchr(text, ':', n);
	size_t nl = colon ? (size_t)(colon - text) : n;
	if (nl == 0) {
		snprintf(err, errlen, "%s: empty name", what);
		return -1;
	}
	if (unescape(text, nl, name, nlen, what, err, errlen) != 0)
		return -1;
	if (colon == NULL) {
		params[0] = '\0';
		return 0;
	}
	return unescape(colon + 1, n - nl - 1, params, plen, what, err, errlen);
}

int lb_identity_parse(const char *text, struct lb_identity *out, char *err, size_t errlen)
{
	const char *f[4];
	size_t flen[4];
	const char *p = text;
	memset(out, 0, sizeof *out);
	for (int i = 0; i < 4; i++) {
		const char *bar = strchr(p, '|');
		if ((bar == NULL) != (i == 3)) {
			snprintf(err, errlen, "not a config id (want LOCK|WORKLOAD|threads=N|pin=PIN)");
			return -1;
		}
		f[i] = p;
		flen[i] = bar ? (size_t)(bar - p) : strlen(p);
		p = bar ? bar + 1 : p + flen[i];
	}
	if (split_named(f[0], flen[0], out->lock, sizeof out->lock, out->lock_params, sizeof out->lock_params,
			"lock", err, errlen) != 0 ||
	    split_named(f[1], flen[1], out->workload, sizeof out->workload, out->workload_params,
			sizeof out->workload_params, "workload", err, errlen) != 0)
		return -1;
	char num[16];
	if (flen[2] <= 8 || flen[2] - 8 >= sizeof num || strncmp(f[2], "threads=", 8) != 0) {
		snprintf(err, errlen, "not a config id (no threads=N)");
		return -1;
	}
	memcpy(num, f[2] + 8, flen[2] - 8);
	num[flen[2] - 8] = '\0';
	char *end;
	unsigned long t = strtoul(num, &end, 10);
	if (*end != '\0' || num[0] < '0' || num[0] > '9' || t > UINT32_MAX) {
		snprintf(err, errlen, "threads: \"%s\" is not a count", num);
		return -1;
	}
	out->threads = (unsigned)t;
	if (flen[3] < 4 || strncmp(f[3], "pin=", 4) != 0) {
		snprintf(err, errlen, "not a config id (no pin=POLICY)");
		return -1;
	}
	return unescape(f[3] + 4, flen[3] - 4, out->pin, sizeof out->pin, "pin", err, errlen);
}

void lb_identity_lock_key(const struct lb_identity *id, char *buf, size_t len)
{
	size_t used = 0;
	if (len == 0)
		return;
	buf[0] = '\0';
	if (put_escaped(buf, len, &used, id->lock, true) && put_raw(buf, len, &used, ":"))
		put_escaped(buf, len, &used, id->lock_params, false);
}

static int cmp_kv(const void *a, const void *b)
{
	return strcmp((*(const struct lb_kv *const *)a)->name, (*(const struct lb_kv *const *)b)->name);
}

static void fput_escaped(FILE *f, const char *text, bool in_name)
{
	for (const unsigned char *p = (const unsigned char *)text; *p; p++)
		if (needs_escape(*p, in_name))
			fprintf(f, "%%%02X", *p);
		else
			fputc(*p, f);
}

/* "name" or "name:k=v,k=v" with keys sorted: how results without "id" were paired. */
static void put_named(FILE *f, const char *name, const struct lb_kvs *kv)
{
	fput_escaped(f, name ? name : "?", true);
	if (kv->n == 0)
		return;
	const struct lb_kv **sorted = malloc(kv->n * sizeof *sorted);
	if (sorted == NULL)
		return;
	for (size_t i = 0; i < kv->n; i++)
		sorted[i] = &kv->v[i];
	qsort(sorted, kv->n, sizeof *sorted, cmp_kv);
	for (size_t i = 0; i < kv->n; i++) {
		char val[32];
		const char *text = val;
		if (sorted[i]->type == LB_KV_STRING)
			text = sorted[i]->s ? sorted[i]->s : "";
		else if (sorted[i]->type == LB_KV_BOOL)
			text = sorted[i]->i ? "true" : "false";
		else
			snprintf(val, sizeof val, "%" PRId64, sorted[i]->i);
		fputc(i ? ',' : ':', f);
		fput_escaped(f, sorted[i]->name, false);
		fputc('=', f);
		fput_escaped(f, text, false);
	}
	free(sorted);
}

char *lb_identity_legacy(const struct lb_config *c)
{
	char *buf = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&buf, &len);
	if (f == NULL)
		return NULL;
	put_named(f, c->lock_name, &c->lock_params);
	fputc('|', f);
	put_named(f, c->workload_name, &c->workload_params);
	fprintf(f, "|threads=%u|pin=", c->threads);
	fput_escaped(f, c->pin_policy ? c->pin_policy : "?", false);
	if (fclose(f) != 0) {
		free(buf);
		return NULL;
	}
	return buf;
}
