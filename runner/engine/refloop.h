/*
 * engine/refloop.h — the same lock inlined in a minimal loop: the reference
 * that tells what `bare` pays for calling a lock through its ops table
 * (see refloop.c).
 */
#ifndef LB_REFLOOP_H
#define LB_REFLOOP_H

#include <stdbool.h>
#include <stdint.h>

/* Whether lock (a built-in lock's name) has a reference loop: ticket, mcs, pthread. */
bool lb_refloop_has(const char *lock);

/*
 * Acquisitions per second of lock in the reference loop at n threads pinned
 * to pus (topo: struct lb_topo, or NULL with pus all -1), after warmup_ns,
 * over duration_ns, each critical section bumping cs_lines shared lines.
 * NAN if the lock has no reference loop or a thread could not start.
 * per_cpu: per second of the threads' CPU time instead (lb_overhead_throughput).
 */
double lb_refloop_throughput(const char *lock, const void *topo, unsigned n, const int *pus, int64_t warmup_ns,
			     int64_t duration_ns, unsigned cs_lines, bool per_cpu);

#endif
