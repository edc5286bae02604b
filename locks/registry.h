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
#endif

/* NULL-terminated, in `list` order. */
extern const struct lb_lock_ops *const lb_locks[];

/* The built-in lock called name, or NULL if there is none. */
const struct lb_lock_ops *lb_lock_find(const char *name);

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
