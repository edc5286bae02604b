/*
 * model/json_put.h — the builders the result emitter is made of (private
 * to model/json_emit*.c: json_emit.c writes the document, its context and
 * configs; json_emit_sample.c a sample, its threads, roles and faults).
 *
 * Every string and key goes through lbe_str / lbe_set, which write bytes
 * that are not UTF-8 as the text \xNN (JSON must be UTF-8); a figure that
 * is not there is null, never invented.
 */
#ifndef LB_JSON_PUT_H
#define LB_JSON_PUT_H

#include <math.h>
#include <stdint.h>

#include <jansson.h>

#include "model/model.h"

/* A JSON string of any C string (bad UTF-8 as \xNN). */
json_t *lbe_str(const char *s);
/* Set key (cleaned alike) to v, taking v's reference. */
void lbe_set(json_t *o, const char *key, json_t *v);
/* A latency group (count, mean, percentiles, max), or null when absent. */
json_t *lbe_latency(const struct lb_latency *l);
/* An array of strings. */
json_t *lbe_strings(char *const *v, size_t n);
/* One sample (model/json_emit_sample.c). */
json_t *lbe_sample(const struct lb_sample *s);

/* A number, or null when it is not finite (an undefined ratio, say). */
static inline json_t *lbe_num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static inline json_t *lbe_count(uint64_t v)
{
	return json_integer((json_int_t)v);
}

/* A count the kernel may not have given (-1): null then. */
static inline json_t *lbe_known(int64_t v)
{
	return v >= 0 ? json_integer(v) : json_null();
}

/* Set key to the string s; leave the key out when s is NULL. */
static inline void lbe_set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		lbe_set(o, key, lbe_str(s));
}

static inline json_t *lbe_str_or_null(const char *s)
{
	return s ? lbe_str(s) : json_null();
}

#endif
