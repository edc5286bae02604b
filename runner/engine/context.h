/*
 * engine/context.h — what makes a result reproducible and comparable: this
 * process, this machine and its load, into the result model's context.
 */
#ifndef LB_CONTEXT_H
#define LB_CONTEXT_H

#include "model/model.h"

struct lb_run_opts;

struct lb_topo;

/*
 * Version, command line, start time, host, kernel, OS, CPU, topology,
 * compiler, timer and busy-loop calibration, cpufreq governor, SMT
 * control and load average. The timer and the busy loop must be set up.
 */
void lb_context_fill(struct lb_context *x, int argc, char **argv, const struct lb_topo *topo);

/*
 * The run options (context.options) and the timing mode, as `run` and `ab`
 * record them: repeat is repetitions (run) or window pairs (ab); busy_rate
 * 0 means calibrated. The timing mode's measured cost is the caller's.
 */
void lb_context_options(struct lb_context *x, const struct lb_run_opts *o, int64_t repeat, const char *pin_text,
			int64_t busy_rate);

/*
 * Fraction of CPU time the machine spent busy over `ms`, from /proc/stat;
 * NAN if unreadable. Someone else's load is the most common reason two runs
 * of the same lock disagree.
 */
double lb_machine_busy(unsigned ms);

#endif
