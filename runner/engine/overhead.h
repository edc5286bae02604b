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
 * the run failed. per_cpu: acquisitions per second of the threads' CPU time
 * (getrusage(RUSAGE_THREAD) over each thread's window) instead of per second
 * of the window: what an acquisition costs, however often a busy machine let
 * the threads run.
 */
double lb_overhead_throughput(const struct lb_run_opts *base, const void *topo,
			      const struct lb_lock_choice *lock, const union lb_value *cs_params, bool bare,
			      uint32_t sample_every, unsigned nthreads, const int *pus, bool per_cpu);

/*
 * Instrumentation cost per acquisition in ns for timing mode sample_every:
 * one thread, the `none` lock, harness vs bare, `rounds` interleaved pairs
 * of `window_ns` each, medians, each side's rate per second of the thread's
 * CPU time (so a loaded machine that runs the thread half the time does not
 * double the figure). Used at the start of every run.
 */
double lb_overhead_ns_per_acquisition(uint32_t sample_every, unsigned rounds, int64_t window_ns);

/* One side of a side-by-side measurement. */
struct lb_variant {
	const struct lb_lock_choice *lock;
	enum { LB_VARIANT_CS, LB_VARIANT_BARE, LB_VARIANT_INLINE } kind; /* harness, bare, engine/refloop.c */
	uint32_t sample_every;                                           /* timing mode of LB_VARIANT_CS */
};

/*
 * Run nv variants `rounds` times each, round by round, every round in an
 * order rotated by the round (A B C, B C A, ...: whatever runs after
 * whatever gains or loses alike), at n threads on pus, with the cs
 * parameters cs_params. tp[r * nv + v] is variant v's throughput in round r
 * (NAN: failed or hung), per CPU-second when per_cpu (lb_overhead_throughput).
 */
void lb_overhead_rounds(const struct lb_run_opts *o, const void *topo, const union lb_value *cs_params,
			const struct lb_variant *v, size_t nv, unsigned n, const int *pus, unsigned rounds, bool per_cpu,
			double *tp);

/* Median over the rounds of tp[v] / tp[ref] taken in the same round; NAN when no round has both. */
double lb_overhead_ratio(const double *tp, size_t nv, unsigned rounds, size_t v, size_t ref);

/* Median of variant v's throughputs; NAN when none. */
double lb_overhead_median(const double *tp, size_t nv, unsigned rounds, size_t v);

#endif
