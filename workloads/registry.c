/*
 * registry.c — the table of workloads, built from registry.def: adding one
 * is a file in workloads/ and a line there, never an edit here.
 */
#include <string.h>

#include "registry.h"

#define LB_WORKLOAD(id) extern const struct lb_workload lb_workload_##id;
#include "registry.def"
#undef LB_WORKLOAD

const struct lb_workload *const lb_workloads[] = {
#define LB_WORKLOAD(id) &lb_workload_##id,
#include "registry.def"
#undef LB_WORKLOAD
	NULL,
};

const struct lb_workload *lb_workload_find(const char *name)
{
	for (size_t i = 0; lb_workloads[i] != NULL; i++)
		if (strcmp(lb_workloads[i]->name, name) == 0)
			return lb_workloads[i];
	return NULL;
}
