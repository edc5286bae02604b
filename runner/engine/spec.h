/*
 * engine/spec.h — what users type to choose locks and workloads
 * ("ticket,gil:interval=1ms,./my.so:k=v", "cs:cs_ns=200"), and the names
 * the chosen ones go by in ids and tables.
 */
#ifndef LB_SPEC_H
#define LB_SPEC_H

#include <stddef.h>

#include "engine/run.h"

#define LB_MAX_LOCKS 64

/*
 * Parse a --locks list: "a,b:k=v,k2=v2,c". A comma-separated item that is
 * key=value continues the previous lock's parameters; "all" is every
 * built-in lock that excludes, "all-rw" every such reader-writer lock. Appends to *out (free with lb_locks_free).
 */
int lb_parse_lock_list(const char *text, struct lb_lock_choice **out, size_t *n, char *err, size_t errlen);
/* Parse one --workload "name[:k=v,...]". Free with lb_workload_free. */
int lb_parse_workload(const char *text, struct lb_wl_choice *out, char *err, size_t errlen);
void lb_locks_free(struct lb_lock_choice *locks, size_t n);
void lb_workload_free(struct lb_wl_choice *wl);

/*
 * A lock's name in a config id: a plug-in's is name@file.so, so that it can
 * never pair with a built-in of the same name (or another plug-in's) in
 * `compare`, and stays the same on another machine with another path.
 */
void lb_lock_id_name(const struct lb_lock_choice *c, char *buf, size_t len);
/* Short label for tables: name plus any parameter that differs from its default. */
void lb_lock_label(const struct lb_lock_choice *c, char *buf, size_t len);

#endif
