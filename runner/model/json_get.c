/*
 * model/json_get.c — the loader's typed getters (see json_get.h).
 */
#include "model/json_get.h"

#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The error "FILE: WHERE.KEY: what"; returns -1. */
int lbj_bad(struct lbj *ld, const char *where, const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	char at[512];
	snprintf(at, sizeof at, "%s%s%s", where, *where && key ? "." : "", key ? key : "");
	snprintf(ld->err, ld->errlen, "%s: %s%s%s", ld->file, at, *at ? ": " : "", what);
	/* The message is one line whatever the file holds. */
	for (char *p = ld->err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return -1;
}

/* An object member, or NULL when absent (or when o is not an object). */
json_t *lbj_get(json_t *o, const char *key)
{
	return json_object_get(o, key);
}

int lbj_string(struct lbj *ld, json_t *o, const char *where, const char *key, char **out)
{
	json_t *v = lbj_get(o, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return lbj_bad(ld, where, key, "not a string");
	*out = lb_strdup(json_string_value(v));
	return 0;
}

/* A status, absent meaning ok; *out is an enum lb_result_status. */
int lbj_status(struct lbj *ld, json_t *o, const char *where, bool sample, int *out)
{
	json_t *v = lbj_get(o, "status");
	*out = LB_RS_OK;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return lbj_bad(ld, where, "status", "not a string");
	*out = lb_result_status_parse(json_string_value(v));
	if (*out < 0 || (sample && *out == LB_RS_NOT_RUN))
		return lbj_bad(ld, where, "status", "\"%.64s\" is not a %s status", json_string_value(v),
			   sample ? "sample" : "config");
	return 0;
}

int lbj_number(struct lbj *ld, json_t *o, const char *where, const char *key, double *out)
{
	json_t *v = lbj_get(o, key);
	*out = NAN;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return lbj_bad(ld, where, key, "not a number");
	*out = json_number_value(v);
	return 0;
}

int lbj_int(struct lbj *ld, json_t *o, const char *where, const char *key, int64_t min, int64_t max,
		    int64_t *out)
{
	json_t *v = lbj_get(o, key);
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return lbj_bad(ld, where, key, "not an integer");
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return lbj_bad(ld, where, key, "%lld is out of range", (long long)i);
	*out = i;
	return 0;
}

int lbj_count(struct lbj *ld, json_t *o, const char *where, const char *key, uint64_t *out)
{
	int64_t v = 0;
	if (lbj_int(ld, o, where, key, 0, INT64_MAX, &v) != 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

int lbj_unsigned(struct lbj *ld, json_t *o, const char *where, const char *key, unsigned max,
			 unsigned *out)
{
	int64_t v = *out;
	if (lbj_int(ld, o, where, key, 0, max, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A count that may be null (max_bypass: nothing timed). */
int lbj_opt_count(struct lbj *ld, json_t *o, const char *where, const char *key, bool *has, uint64_t *out)
{
	json_t *v = lbj_get(o, key);
	*has = v != NULL && !json_is_null(v);
	return *has ? lbj_count(ld, o, where, key, out) : 0;
}

int lbj_bool(struct lbj *ld, json_t *o, const char *where, const char *key, bool *out)
{
	json_t *v = lbj_get(o, key);
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return lbj_bad(ld, where, key, "not a boolean");
	*out = json_is_true(v);
	return 0;
}

/* *out: the object, or NULL when absent or null. */
int lbj_object(struct lbj *ld, json_t *o, const char *where, const char *key, json_t **out)
{
	json_t *v = lbj_get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return lbj_bad(ld, where, key, "not an object");
	*out = v;
	return 0;
}

int lbj_array(struct lbj *ld, json_t *o, const char *where, const char *key, json_t **out)
{
	json_t *v = lbj_get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return lbj_bad(ld, where, key, "not an array");
	*out = v;
	return 0;
}

/* "where.key" (or "where.key[i]" when i >= 0) into buf, for error messages; long paths are cut. */
const char *lbj_path(char *buf, size_t len, const char *where, const char *key, long i)
{
	char index[24] = "";
	if (i >= 0)
		snprintf(index, sizeof index, "[%ld]", i);
	const char *parts[] = { where, *where ? "." : "", key, index };
	size_t used = 0;
	for (size_t p = 0; p < 4; p++)
		for (const char *c = parts[p]; *c && used + 1 < len; c++)
			buf[used++] = *c;
	buf[used] = '\0';
	return buf;
}

/* calloc of n elements (at least one), or die trying. */
void *lbj_alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL) {
		fputs("lockbench: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

/* An array of counts (a timeline, starved thread ids) no larger than max each. */
int lbj_counts(struct lbj *ld, json_t *o, const char *where, const char *key, uint64_t max,
		       uint64_t **out, size_t *n)
{
	json_t *a;
	if (lbj_array(ld, o, where, key, &a) != 0)
		return -1;
	*n = json_array_size(a);
	*out = *n ? lbj_alloc(*n, sizeof **out) : NULL;
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
			return lbj_bad(ld, where, key, "[%zu]: not a count", i);
		(*out)[i] = (uint64_t)json_integer_value(v);
	}
	return 0;
}
