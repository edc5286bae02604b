/*
 * engine/topo_int.h — what the topology (topo.c) and the pin plans (pin.c)
 * share behind engine/topo.h: the loaded topology and its orders.
 */
#ifndef LB_TOPO_INT_H
#define LB_TOPO_INT_H

#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>

#include <hwloc.h>

struct lb_topo {
	hwloc_topology_t topo;
	bool synthetic;
	char *description;     /* the synthetic description, NULL for this machine */
	hwloc_bitmap_t usable; /* PUs plans may use: topology cpuset ∩ allowed cpuset */
	unsigned npus;         /* entries in compact and scatter */
	int *compact;
	int *scatter;
	unsigned ncores; /* entries in cores */
	int *cores;
};

/* A one-line reason into err (which may be NULL). */
static inline void lb_topo_err(char *err, size_t errlen, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static inline void lb_topo_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

#endif
