/*
 * locks/registry.c — the table of built-in locks and the lookup by name.
 *
 * The order here is the order of `lockbench list`: the C library's mutex
 * first as the baseline, then the other sleeping locks, the spinlocks
 * (each queue lock followed by its sleeping variant), the GIL models, the
 * reentrant wrapper, Concurrency Kit's reference locks when its headers
 * are installed, and last the `none` pseudo-lock that only exists to prove
 * the checker works.
 */
#include <string.h>

#include "registry.h"

const struct lb_lock_ops *const lb_locks[] = {
	&lb_lock_pthread,
	&lb_lock_pthread_adaptive,
	&lb_lock_futex,
	&lb_lock_pthread_spin,
	&lb_lock_tas,
	&lb_lock_ttas,
	&lb_lock_ticket,
	&lb_lock_ticket_futex,
	&lb_lock_mcs,
	&lb_lock_mcs_park,
	&lb_lock_clh,
	&lb_lock_anderson,
	&lb_lock_gil,
	&lb_lock_gil_old,
	&lb_lock_rlock,
#ifdef LB_HAVE_CK
	&lb_lock_ck_ticket,
	&lb_lock_ck_mcs,
	&lb_lock_ck_clh,
	&lb_lock_ck_anderson,
	&lb_lock_ck_fas,
	&lb_lock_ck_cas,
#endif
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
