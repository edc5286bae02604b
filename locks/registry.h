/*
 * locks/registry.h — every built-in lock, in one list.
 *
 * Each file in locks/ defines one ops table; lb_locks lists them all, in the
 * order `lockbench list` prints them. Adding a lock is one file plus one
 * line in registry.c.
 */
#ifndef LB_LOCKS_REGISTRY_H
#define LB_LOCKS_REGISTRY_H

#include "lockbench/lock.h"

extern const struct lb_lock_ops lb_lock_pthread;
extern const struct lb_lock_ops lb_lock_ticket;
extern const struct lb_lock_ops lb_lock_mcs;
extern const struct lb_lock_ops lb_lock_gil;
extern const struct lb_lock_ops lb_lock_none;

/* NULL-terminated, in `list` order. */
extern const struct lb_lock_ops *const lb_locks[];

/* The built-in lock called name, or NULL if there is none. */
const struct lb_lock_ops *lb_lock_find(const char *name);

#endif
