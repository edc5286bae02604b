/*
 * engine/pingpong.h — how long one cache line takes to travel between two PUs.
 *
 * On a VM the host may place the two vCPUs on one core's SMT siblings, on
 * two cores, or on two sockets, and may change its mind between runs: the
 * same two-thread lock benchmark then differs by 4x. Measuring the line
 * transfer right before each config, and recording it, explains that noise.
 */
#ifndef LB_PINGPONG_H
#define LB_PINGPONG_H

#include <stdint.h>

struct lb_topo;

/*
 * One-way transfer latency in ns between PUs a and b (OS indexes; -1 for
 * unbound), median of batches, spending about budget_ns. NAN when a == b
 * (>= 0) — a line does not travel between a PU and itself — or on failure.
 */
double lb_pingpong_ns(const struct lb_topo *topo, int a, int b, uint64_t budget_ns);

#endif
