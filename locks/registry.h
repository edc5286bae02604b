/*
 * locks/registry.h — every built-in lock, in one list.
 *
 * Each file in locks/ defines one ops table (locks/ck.c, thin wrappers of
 * one library, defines several); lb_locks lists them all, in the order
 * `lockbench list` prints them. Adding a lock is one file plus one line,
 * LB_LOCK(x), in locks/registry.def.
 */
#ifndef LB_LOCKS_REGISTRY_H
#define LB_LOCKS_REGISTRY_H

#include "lockbench/lock.h"

/* Concurrency Kit's reference locks are built in when its headers are installed. */
#if defined(__has_include)
#if __has_include(<ck_spinlock.h>)
#define LB_HAVE_CK 1
#endif
#if __has_include(<ck_rwlock.h>) && __has_include(<ck_brlock.h>) && __has_include(<ck_pflock.h>) && \
	__has_include(<ck_tflock.h>)
#define LB_HAVE_CK_RW 1
#endif
#endif

/*
 * The validation build. A check that would cost a lock's hot path work its
 * Concurrency Kit twin does not do (a load before the releasing store, to
 * refuse the release of a free lock) is compiled only when LB_LOCK_CHECKS
 * is defined: the test suite's build of locks/ defines it (make check,
 * make tsan), lockbench's does not. The lock claims the capability such a
 * check gives with LB_IF_CHECKED(cap), so that `lockbench list` never
 * claims what the binary does not do.
 */
#ifdef LB_LOCK_CHECKS
#define LB_CHECKED 1
#else
#define LB_CHECKED 0
#endif
#define LB_IF_CHECKED(caps) (LB_CHECKED ? (uint32_t)(caps) : 0u)

/* NULL-terminated, in `list` order. */
extern const struct lb_lock_ops *const lb_locks[];

/* The built-in lock called name, or NULL if there is none. */
const struct lb_lock_ops *lb_lock_find(const char *name);

/*
 * The capabilities of a lock as configured with params (its declared
 * parameters' values; NULL: defaults unknown, the table's bits): a
 * wrapper's (rlock's) timed acquire is its base's, native or emulated.
 */
uint32_t lb_lock_caps_as_configured(const struct lb_lock_ops *ops, const union lb_value *params);
/* rlock's, with its base= parameter: locks/rlock.c. */
uint32_t lb_rlock_caps(const union lb_value *params);

/*
 * The body of a lock's `counters` hook: copy the first max of the n
 * counters in all[] into out and return how many were copied.
 */
static inline size_t lb_counters_copy(struct lb_counter *out, size_t max, const struct lb_counter *all,
				      size_t n)
{
	if (n > max)
		n = max;
	for (size_t i = 0; i < n; i++)
		out[i] = all[i];
	return n;
}

#endif
