/*
 * engine/params.c — parsing of units, counts, lists and key=value parameters.
 */
#include "engine/params.h"

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

int lb_parse_duration(const char *s, bool bare_ok, int64_t *ns, char *err, size_t errlen)
{
	static const struct { const char *unit; double mul; } units[] = {
		{ "ns", 1 }, { "us", 1e3 }, { "ms", 1e6 }, { "s", 1e9 },
	};
	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty time (expected e.g. 500ms)");
		return -1;
	}
	/* Decimal digits and one optional fraction only: strtod would also take hex (0x10), exponents and inf. */
	size_t digits = strspn(s, "0123456789");
	if (s[digits] == '.')
		digits += 1 + strspn(s + digits + 1, "0123456789");
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (digits == 0 || (size_t)(end - s) != digits || errno != 0 || !isfinite(v) || v < 0) {
		snprintf(err, errlen, "\"%s\" is not a time (expected e.g. 500ms; units ns, us, ms, s)", s);
		return -1;
	}
	double mul = 0;
	if (*end == '\0') {
		if (!bare_ok) {
			snprintf(err, errlen, "\"%s\" has no unit (use ns, us, ms or s)", s);
			return -1;
		}
		mul = 1;
	} else {
		for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
			if (strcmp(end, units[i].unit) == 0)
				mul = units[i].mul;
		if (mul == 0) {
			snprintf(err, errlen, "\"%s\": unknown unit \"%s\" (use ns, us, ms or s)", s, end);
			return -1;
		}
	}
	double r = v * mul;
	if (r > 9.0e18) {
		snprintf(err, errlen, "\"%s\" is too long", s);
		return -1;
	}
	if (r != floor(r)) {
		snprintf(err, errlen, "\"%s\" is not a whole number of nanoseconds", s);
		return -1;
	}
	*ns = (int64_t)r;
	return 0;
}

int lb_parse_int(const char *s, int64_t min, int64_t max, int64_t *out, char *err, size_t errlen)
{
	if (s == NULL || *s == '\0' || !(isdigit((unsigned char)*s) || *s == '-')) {
		snprintf(err, errlen, "\"%s\" is not a whole number", s ? s : "");
		return -1;
	}
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (*end != '\0' || errno != 0) {
		snprintf(err, errlen, "\"%s\" is not a whole number", s);
		return -1;
	}
	if (v < min || v > max) {
		snprintf(err, errlen, "%lld is out of range [%" PRId64 ", %" PRId64 "]", v, min, max);
		return -1;
	}
	*out = v;
	return 0;
}

static int parse_positive(const char *s, size_t len, unsigned max, unsigned *out, char *err,
			  size_t errlen)
{
	char buf[32];
	if (len == 0 || len >= sizeof buf) {
		snprintf(err, errlen, "\"%.*s\" is not a positive integer", (int)len, s);
		return -1;
	}
	memcpy(buf, s, len);
	buf[len] = '\0';
	for (size_t i = 0; i < len; i++)
		if (!isdigit((unsigned char)buf[i])) {
			snprintf(err, errlen, "\"%s\" is not a positive integer", buf);
			return -1;
		}
	unsigned long v = strtoul(buf, NULL, 10);
	if (v == 0 || v > max) {
		if (v == 0)
			snprintf(err, errlen, "\"%s\" is not a positive integer", buf);
		else
			snprintf(err, errlen, "%s is more than %u", buf, max);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

int lb_parse_uint_list(const char *s, unsigned max, unsigned *out, size_t cap, size_t *n,
		       char *err, size_t errlen)
{
	*n = 0;
	if (s == NULL || *s == '\0') {
		snprintf(err, errlen, "empty list");
		return -1;
	}
	const char *p = s;
	for (;;) {
		const char *comma = strchr(p, ',');
		size_t len = comma ? (size_t)(comma - p) : strlen(p);
		const char *dash = memchr(p, '-', len);
		unsigned lo, hi;
		if (dash != NULL) {
			if (parse_positive(p, (size_t)(dash - p), max, &lo, err, errlen) != 0 ||
			    parse_positive(dash + 1, len - (size_t)(dash - p) - 1, max, &hi, err, errlen) != 0)
				return -1;
			if (hi < lo) {
				snprintf(err, errlen, "range \"%.*s\" runs backwards", (int)len, p);
				return -1;
			}
		} else {
			if (parse_positive(p, len, max, &lo, err, errlen) != 0)
				return -1;
			hi = lo;
		}
		for (unsigned v = lo; v <= hi; v++) {
			if (*n == cap) {
				snprintf(err, errlen, "more than %zu values", cap);
				return -1;
			}
			out[(*n)++] = v;
		}
		if (comma == NULL)
			break;
		p = comma + 1;
	}
	return 0;
}

void lb_format_duration(int64_t ns, char *buf, size_t len)
{
	if (ns != 0 && ns % 1000000000 == 0)
		snprintf(buf, len, "%" PRId64 "s", ns / 1000000000);
	else if (ns != 0 && ns % 1000000 == 0)
		snprintf(buf, len, "%" PRId64 "ms", ns / 1000000);
	else if (ns != 0 && ns % 1000 == 0)
		snprintf(buf, len, "%" PRId64 "us", ns / 1000);
	else
		snprintf(buf, len, "%" PRId64 "ns", ns);
}

size_t lb_params_count(const struct lb_param *decl)
{
	size_t n = 0;
	while (decl != NULL && decl[n].name != NULL)
		n++;
	return n;
}

static int parse_bool(const char *s, int64_t *out)
{
	static const char *yes[] = { "1", "true", "yes", "on" };
	static const char *no[] = { "0", "false", "no", "off" };
	for (size_t i = 0; i < 4; i++) {
		if (strcmp(s, yes[i]) == 0) {
			*out = 1;
			return 0;
		}
		if (strcmp(s, no[i]) == 0) {
			*out = 0;
			return 0;
		}
	}
	return -1;
}

/* Parse one value of a declared parameter. */
static int parse_value(const char *owner, const struct lb_param *p, const char *text,
		       union lb_value *v, char *err, size_t errlen)
{
	char why[160];
	switch (p->type) {
	case LB_PARAM_INT:
		if (lb_parse_int(text, p->min, p->max, &v->i, why, sizeof why) != 0)
			goto bad;
		return 0;
	case LB_PARAM_DURATION:
		if (lb_parse_duration(text, true, &v->i, why, sizeof why) != 0)
			goto bad;
		if (v->i < p->min || v->i > p->max) {
			char lo[32], hi[32];
			lb_format_duration(p->min, lo, sizeof lo);
			lb_format_duration(p->max, hi, sizeof hi);
			snprintf(why, sizeof why, "\"%s\" is out of range [%s, %s]", text, lo, hi);
			goto bad;
		}
		return 0;
	case LB_PARAM_BOOL:
		if (parse_bool(text, &v->i) != 0) {
			snprintf(why, sizeof why, "\"%s\" is not a boolean (0/1, true/false, yes/no, on/off)", text);
			goto bad;
		}
		return 0;
	case LB_PARAM_STRING:
		v->s = strdup(text);
		if (v->s == NULL) {
			snprintf(why, sizeof why, "out of memory");
			goto bad;
		}
		return 0;
	}
	snprintf(why, sizeof why, "has an unknown type");
bad:
	snprintf(err, errlen, "%s: %s: %s", owner, p->name, why);
	return -1;
}

static void known_names(const struct lb_param *decl, char *buf, size_t len)
{
	size_t n = lb_params_count(decl), used = 0;
	buf[0] = '\0';
	if (n == 0) {
		snprintf(buf, len, "it takes none");
		return;
	}
	used += (size_t)snprintf(buf, len, "known: ");
	for (size_t i = 0; i < n && used < len; i++)
		used += (size_t)snprintf(buf + used, len - used, "%s%s", i ? ", " : "", decl[i].name);
}

int lb_params_parse(const char *owner, const struct lb_param *decl, const char *kv,
		    union lb_value *vals, char *err, size_t errlen)
{
	size_t n = lb_params_count(decl);
	if (n > LB_MAX_PARAMS) {
		snprintf(err, errlen, "%s: declares more than %d parameters", owner, LB_MAX_PARAMS);
		return -1;
	}
	for (size_t i = 0; i < n; i++)
		vals[i].s = NULL;
	for (size_t i = 0; i < n; i++)
		if (parse_value(owner, &decl[i], decl[i].def, &vals[i], err, errlen) != 0) {
			lb_params_free(decl, vals);
			return -1;
		}
	if (kv == NULL || *kv == '\0')
		return 0;

	char *copy = strdup(kv);
	if (copy == NULL) {
		snprintf(err, errlen, "%s: out of memory", owner);
		lb_params_free(decl, vals);
		return -1;
	}
	bool seen[LB_MAX_PARAMS] = { false };
	int rc = 0;
	char *save = NULL;
	for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		char *eq = strchr(item, '=');
		if (eq == NULL || eq == item) {
			snprintf(err, errlen, "%s: \"%s\" is not key=value", owner, item);
			rc = -1;
			break;
		}
		*eq = '\0';
		size_t i = 0;
		while (i < n && strcmp(decl[i].name, item) != 0)
			i++;
		if (i == n) {
			char known[256];
			known_names(decl, known, sizeof known);
			snprintf(err, errlen, "%s: unknown parameter \"%s\" (%s)", owner, item, known);
			rc = -1;
			break;
		}
		if (seen[i]) {
			snprintf(err, errlen, "%s: parameter \"%s\" given twice", owner, item);
			rc = -1;
			break;
		}
		seen[i] = true;
		if (eq[1] == '\0') {
			snprintf(err, errlen, "%s: %s: missing value", owner, item);
			rc = -1;
			break;
		}
		/* The default's copy goes; the value given replaces it. */
		union lb_value v;
		if (parse_value(owner, &decl[i], eq + 1, &v, err, errlen) != 0) {
			rc = -1;
			break;
		}
		if (decl[i].type == LB_PARAM_STRING)
			free((char *)vals[i].s);
		vals[i] = v;
	}
	free(copy);
	if (rc != 0)
		lb_params_free(decl, vals);
	return rc;
}

void lb_param_value_format(const struct lb_param *p, union lb_value v, char *buf, size_t len)
{
	switch (p->type) {
	case LB_PARAM_DURATION:
		lb_format_duration(v.i, buf, len);
		return;
	case LB_PARAM_INT:
	case LB_PARAM_BOOL:
		snprintf(buf, len, "%" PRId64, v.i);
		return;
	case LB_PARAM_STRING:
		snprintf(buf, len, "%s", v.s ? v.s : "");
		return;
	}
	snprintf(buf, len, "?");
}

int lb_params_format(const struct lb_param *decl, const union lb_value *vals, char *buf, size_t len)
{
	size_t n = lb_params_count(decl), used = 0;
	if (len == 0)
		return -1;
	buf[0] = '\0';
	for (size_t i = 0; i < n && used < len; i++) {
		used += (size_t)snprintf(buf + used, len - used, "%s%s=", i ? "," : "", decl[i].name);
		if (used < len)
			lb_param_value_format(&decl[i], vals[i], buf + used, len - used);
		used += used < len ? strlen(buf + used) : 0;
		/* A value that filled the rest exactly may have been cut: count it as not fitting. */
		if (used + 1 >= len)
			return -1;
	}
	return used < len ? 0 : -1;
}

void lb_params_free(const struct lb_param *decl, union lb_value *vals)
{
	size_t n = lb_params_count(decl);
	for (size_t i = 0; i < n; i++)
		if (decl[i].type == LB_PARAM_STRING) {
			free((char *)vals[i].s);
			vals[i].s = NULL;
		}
}
