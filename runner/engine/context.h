/*
 * engine/context.h — what makes a result reproducible and comparable: this
 * process, this machine and its load, into the result model's context.
 */
#ifndef LB_CONTEXT_H
#define LB_CONTEXT_H

#include "model/model.h"

struct lb_topo;

/*
 * Version, command line, start time, host, kernel, OS, CPU, topology,
 * compiler, timer and busy-loop calibration, cpufreq governor, SMT
 * control and load average. The timer and the busy loop must be set up.
 */
void lb_context_fill(struct lb_context *x, int argc, char **argv, const struct lb_topo *topo);

/*
 * Fraction of CPU time the machine spent busy over `ms`, from /proc/stat;
 * NAN if unreadable. Someone else's load is the most common reason two runs
 * of the same lock disagree.
 */
double lb_machine_busy(unsigned ms);

#endif
