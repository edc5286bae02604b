/*
 * locks/registry.c — the table of built-in locks and the lookup by name.
 *
 * Both come from locks/registry.def, included twice: first each line
 * declares its ops table, then each line becomes one entry of lb_locks, in
 * the file's order (the order of `lockbench list`).
 */
#include <string.h>

#include "registry.h"

#define LB_LOCK(sym) extern const struct lb_lock_ops lb_lock_##sym;
#include "registry.def"
#undef LB_LOCK

const struct lb_lock_ops *const lb_locks[] = {
#define LB_LOCK(sym) &lb_lock_##sym,
#include "registry.def"
#undef LB_LOCK
	NULL,
};

uint32_t lb_lock_caps_as_configured(const struct lb_lock_ops *ops, const union lb_value *params)
{
	return ops == &lb_lock_rlock ? lb_rlock_caps(params) : ops->caps;
}

const struct lb_lock_ops *lb_lock_find(const char *name)
{
	if (name == NULL)
		return NULL;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (strcmp(lb_locks[i]->name, name) == 0)
			return lb_locks[i];
	return NULL;
}
