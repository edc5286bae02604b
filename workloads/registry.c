/*
 * registry.c — every workload lockbench knows. Adding one is a file in
 * workloads/ and a line here.
 */
#include <string.h>

#include "registry.h"

extern const struct lb_workload lb_workload_cs;
extern const struct lb_workload lb_workload_bare;
extern const struct lb_workload lb_workload_stress;
extern const struct lb_workload lb_workload_trylock;
extern const struct lb_workload lb_workload_timedlock;
extern const struct lb_workload lb_workload_condition;
extern const struct lb_workload lb_workload_semaphore;
extern const struct lb_workload lb_workload_nest;
extern const struct lb_workload lb_workload_interp;

const struct lb_workload *const lb_workloads[] = {
	&lb_workload_cs,
	&lb_workload_bare,
	&lb_workload_stress,
	&lb_workload_trylock,
	&lb_workload_timedlock,
	&lb_workload_condition,
	&lb_workload_semaphore,
	&lb_workload_nest,
	&lb_workload_interp,
	NULL,
};

const struct lb_workload *lb_workload_find(const char *name)
{
	for (size_t i = 0; lb_workloads[i] != NULL; i++)
		if (strcmp(lb_workloads[i]->name, name) == 0)
			return lb_workloads[i];
	return NULL;
}
