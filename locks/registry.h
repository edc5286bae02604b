/*
 * locks/registry.h — every built-in lock, in one list.
 *
 * Each file in locks/ defines one ops table (locks/ck.c, thin wrappers of
 * one library, defines several); lb_locks lists them all, in the order
 * `lockbench list` prints them. Adding a lock is one file plus one line in
 * registry.c.
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

extern const struct lb_lock_ops lb_lock_pthread;
extern const struct lb_lock_ops lb_lock_pthread_adaptive;
extern const struct lb_lock_ops lb_lock_pthread_spin;
extern const struct lb_lock_ops lb_lock_futex;
extern const struct lb_lock_ops lb_lock_tas;
extern const struct lb_lock_ops lb_lock_ttas;
extern const struct lb_lock_ops lb_lock_ticket;
extern const struct lb_lock_ops lb_lock_ticket_futex;
extern const struct lb_lock_ops lb_lock_mcs;
extern const struct lb_lock_ops lb_lock_mcs_park;
extern const struct lb_lock_ops lb_lock_clh;
extern const struct lb_lock_ops lb_lock_anderson;
extern const struct lb_lock_ops lb_lock_gil;
extern const struct lb_lock_ops lb_lock_gil_old;
extern const struct lb_lock_ops lb_lock_rlock;
#ifdef LB_HAVE_CK
extern const struct lb_lock_ops lb_lock_ck_ticket;
extern const struct lb_lock_ops lb_lock_ck_mcs;
extern const struct lb_lock_ops lb_lock_ck_clh;
extern const struct lb_lock_ops lb_lock_ck_anderson;
extern const struct lb_lock_ops lb_lock_ck_fas;
extern const struct lb_lock_ops lb_lock_ck_cas;
#endif
extern const struct lb_lock_ops lb_lock_none;

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
