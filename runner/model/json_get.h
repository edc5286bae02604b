/*
 * model/json_get.h — the typed getters the result loader is made of
 * (private to model/json_load*.c).
 *
 * Every getter treats an absent key as "not there" (leaves *out at its
 * absent value: NAN, 0, NULL, false) and a key of another type as an error
 * "FILE: WHERE.KEY: not a ..." in one line; it returns 0 or -1.
 */
#ifndef LB_JSON_GET_H
#define LB_JSON_GET_H

#include <stdbool.h>
#include <stdint.h>

#include <jansson.h>

#include "model/model.h"

struct lbj {
	const char *file;
	char *err;
	size_t errlen;
};

/* Set the error "FILE: WHERE.KEY: what" (key may be NULL); returns -1. */
int lbj_bad(struct lbj *ld, const char *where, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
/* An object member, or NULL when absent (or when o is not an object). */
json_t *lbj_get(json_t *o, const char *key);
/* A string (null: absent) duplicated into *out. */
int lbj_string(struct lbj *ld, json_t *o, const char *where, const char *key, char **out);
/* A status, absent meaning ok; *out is an enum lb_result_status (a sample is never not_run). */
int lbj_status(struct lbj *ld, json_t *o, const char *where, bool sample, int *out);
/* A number (null or absent: NAN). */
int lbj_number(struct lbj *ld, json_t *o, const char *where, const char *key, double *out);
/* An integer in [min, max]. */
int lbj_int(struct lbj *ld, json_t *o, const char *where, const char *key, int64_t min, int64_t max, int64_t *out);
int lbj_count(struct lbj *ld, json_t *o, const char *where, const char *key, uint64_t *out);
int lbj_unsigned(struct lbj *ld, json_t *o, const char *where, const char *key, unsigned max, unsigned *out);
/* A count that may be null (max_bypass: nothing timed): *has says which. */
int lbj_opt_count(struct lbj *ld, json_t *o, const char *where, const char *key, bool *has, uint64_t *out);
int lbj_bool(struct lbj *ld, json_t *o, const char *where, const char *key, bool *out);
/* *out: the object / array, or NULL when absent or null. */
int lbj_object(struct lbj *ld, json_t *o, const char *where, const char *key, json_t **out);
int lbj_array(struct lbj *ld, json_t *o, const char *where, const char *key, json_t **out);
/* An array of counts no larger than max each, into a malloc'd *out of *n. */
int lbj_counts(struct lbj *ld, json_t *o, const char *where, const char *key, uint64_t max, uint64_t **out,
	       size_t *n);
/* "where.key" (or "where.key[i]" when i >= 0) into buf, for error messages; long paths are cut. */
const char *lbj_path(char *buf, size_t len, const char *where, const char *key, long i);
/* calloc of n elements (at least one), or die trying. */
void *lbj_alloc(size_t n, size_t size);

/* A context object at where (model/json_load.c). */
int lbj_load_context(struct lbj *ld, json_t *c, const char *where, struct lb_context *x);
/* What a merged result adds to a context (merged_from, merged_by, machines) and to the
 * document ("missing"); model/json_load_merged.c. */
int lbj_load_merged_context(struct lbj *ld, json_t *c, const char *where, struct lb_context *x);
int lbj_load_missing(struct lbj *ld, json_t *doc, struct lb_result *r);

/* One sample (model/json_load_sample.c). */
int lbj_load_sample(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out);
/* Its optional groups: isolated, crash, deadlock, stuck_threads, locks (model/json_load_faults.c). */
int lbj_load_faults(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out);

#endif
