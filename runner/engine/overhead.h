/*
 * engine/overhead.h — what the harness's instrumentation costs, measured against
 * the same lock run bare (workloads/bare.c), through the same run engine.
 */
#ifndef LB_OVERHEAD_H
#define LB_OVERHEAD_H

#include "engine/run.h"

/*
 * Throughput of `lock` at nthreads with the cs workload and parameters
 * cs_params (NULL: the defaults) under timing mode sample_every (0 off,
 * 1 all, N), or of its uninstrumented twin `bare` when bare is true. NAN if
 * the run failed.
 */
double lb_overhead_throughput(const struct lb_run_opts *base, const void *topo,
			      const struct lb_lock_choice *lock, const union lb_value *cs_params, bool bare,
			      uint32_t sample_every, unsigned nthreads, const int *pus);

/*
 * Instrumentation cost per acquisition in ns for timing mode sample_every:
 * one thread, the `none` lock, harness vs bare, `rounds` interleaved pairs
 * of `window_ns` each, medians. Used at the start of every run.
 */
double lb_overhead_ns_per_acquisition(uint32_t sample_every, unsigned rounds, int64_t window_ns);

#endif
