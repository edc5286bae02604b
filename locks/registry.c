/*
 * locks/registry.c — the table of built-in locks and the lookup by name.
 *
 * The order here is the order of `lockbench list`: the C library's mutex
 * first as the baseline, then the spinlocks, the GIL model, and last the
 * `none` pseudo-lock that only exists to prove the checker works.
 */
#include <string.h>

#include "registry.h"

const struct lb_lock_ops *const lb_locks[] = {
	&lb_lock_pthread,
	&lb_lock_ticket,
	&lb_lock_mcs,
	&lb_lock_gil,
	&lb_lock_none,
	NULL,
};

const struct lb_lock_ops *lb_lock_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (strcmp(lb_locks[i]->name, name) == 0)
			return lb_locks[i];
	return NULL;
}
