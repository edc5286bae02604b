/*
 * registry.h — the one table of workloads.
 */
#ifndef LB_WORKLOADS_REGISTRY_H
#define LB_WORKLOADS_REGISTRY_H

#include "engine/harness.h"

/* NULL-terminated, in `lockbench list` order: the order of registry.def. */
extern const struct lb_workload *const lb_workloads[];

/* The workload called name, or NULL. */
const struct lb_workload *lb_workload_find(const char *name);

#endif
