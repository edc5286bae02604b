/*
 * engine/params.h — parsing what users type: times with units, counts, lists, and
 * `name:key=value,...` parameters checked against a declared list.
 *
 * Every function reports failure as one line in err, naming what was wrong;
 * the caller prefixes the option (e.g. "--threads: ").
 */
#ifndef LB_PARAMS_H
#define LB_PARAMS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockbench/lock.h"

#define LB_MAX_PARAMS 16

/* "250ns", "10us", "1.5ms", "2s" (decimal digits, an optional fraction); a bare number is ns only if bare_ok. */
int lb_parse_duration(const char *s, bool bare_ok, int64_t *ns, char *err, size_t errlen);
/* A whole number in [min, max]. */
int lb_parse_int(const char *s, int64_t min, int64_t max, int64_t *out, char *err, size_t errlen);
/* "1,2,4", "1-8", "1-4,16": positive integers in [1, max], into out[*n]. */
int lb_parse_uint_list(const char *s, unsigned max, unsigned *out, size_t cap, size_t *n,
		       char *err, size_t errlen);
/* Format a duration in ns the way a user would type it ("5ms", "200ns"). */
void lb_format_duration(int64_t ns, char *buf, size_t len);

/* Number of declared parameters. */
size_t lb_params_count(const struct lb_param *decl);
/*
 * Fill vals with the defaults, then apply "k=v,k=v" (may be NULL or "").
 * `owner` names the lock or workload in errors. String values are
 * duplicated: free them with lb_params_free (on failure nothing is left to
 * free).
 */
int lb_params_parse(const char *owner, const struct lb_param *decl, const char *kv,
		    union lb_value *vals, char *err, size_t errlen);
/* Free the strings lb_params_parse duplicated into vals. */
void lb_params_free(const struct lb_param *decl, union lb_value *vals);
/* Canonical "k=v,k=v" (declared order, all parameters), for identities. 0, or -1 when it does not fit len. */
int lb_params_format(const struct lb_param *decl, const union lb_value *vals, char *buf, size_t len);
/* One value as text. */
void lb_param_value_format(const struct lb_param *p, union lb_value v, char *buf, size_t len);

#endif
