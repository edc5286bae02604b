/*
 * model/identity.h — the one codec of a config's identity.
 *
 * A config is known everywhere (compare's pairing, plot's series, merge,
 * scripts) by one string, written by the engine when it plans the config and
 * carried in the result as "id":
 *
 *     LOCK:LOCKPARAMS|WORKLOAD:WLPARAMS|threads=N|pin=PIN
 *
 * LOCK is the lock's name, or name@file.so for a plug-in (so it never pairs
 * with a built-in of the same name); the PARAMS are every declared parameter
 * in declared order as key=value joined by ',', values in their canonical
 * text (durations with units: "cs_ns=1us"). Inside a field, the characters
 * '|', '%', DEL and every byte below 0x20 (and ':' inside the LOCK and
 * WORKLOAD names) are written as %XX, so an id is always one line and
 * always splits back into the same fields; ordinary ids, made of printable
 * names and values, are unchanged by the escape. Nothing rebuilds an
 * id from parts of a loaded result: consumers parse the id they were given.
 */
#ifndef LB_IDENTITY_H
#define LB_IDENTITY_H

#include <stdbool.h>
#include <stddef.h>

struct lb_identity {
	char lock[512];          /* name, or name@file.so; unescaped */
	char lock_params[2048];  /* "k=v,k=v"; unescaped */
	char workload[256];
	char workload_params[2048];
	unsigned threads;
	char pin[512];
};

/* The id of fields, escaped, into buf. 0, or -1 when it does not fit len. */
int lb_identity_format(const struct lb_identity *id, char *buf, size_t len);
/* Split an id back into its fields. 0, or -1 when text is not an id (err says why). */
int lb_identity_parse(const char *text, struct lb_identity *out, char *err, size_t errlen);
/* "LOCK:LOCKPARAMS", the part that names a lock variant (a chart's series), escaped as in an
 * id (field 0 of an id lb_identity_format wrote), into buf. */
void lb_identity_lock_key(const struct lb_identity *id, char *buf, size_t len);

/*
 * The identity of a config from a result that carries no "id" (hand-made
 * results, results older than ids): "lock[:k=v,...]|workload[:k=v,...]|
 * threads=N|pin=POLICY", parameters sorted by name, escaped as above. Only
 * the loader calls it. A malloc'd string; NULL when out of memory.
 */
struct lb_config;
char *lb_identity_legacy(const struct lb_config *c);

#endif
