/*
 * engine/overhead.c — measuring the harness against the bare lock.
 */
#include "engine/overhead.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "locks/registry.h"
#include "analysis/stats.h"
#include "workloads/registry.h"

double lb_overhead_throughput(const struct lb_run_opts *base, const void *topo,
			      const struct lb_lock_choice *lock, const union lb_value *cs_params, bool bare,
			      uint32_t sample_every, unsigned nthreads, const int *pus)
{
	struct lb_run_opts o = *base;
	o.sample_every = sample_every;
	struct lb_wl_choice wl = { 0 };
	char err[256];
	wl.wl = lb_workload_find(bare ? "bare" : "cs");
	if (wl.wl == NULL || lb_params_parse(wl.wl->name, wl.wl->params, NULL, wl.params, err, sizeof err) != 0)
		return NAN;
	if (cs_params != NULL)
		memcpy(wl.params, cs_params, sizeof wl.params);
	struct lb_outcome out;
	if (lb_run_config(&o, topo, lock, &wl, nthreads, pus, &out) != 0)
		return NAN;
	double tp = out.status == LB_STATUS_OK && out.duration_s > 0 ? (double)out.acquisitions / out.duration_s : NAN;
	if (out.status != LB_STATUS_HUNG)
		lb_outcome_free(&out);
	return tp;
}

double lb_overhead_ns_per_acquisition(uint32_t sample_every, unsigned rounds, int64_t window_ns)
{
	struct lb_lock_choice none = { 0 };
	char err[128];
	none.ops = lb_lock_find("none");
	if (none.ops == NULL || rounds == 0 ||
	    lb_params_parse("none", none.ops->params, NULL, none.params, err, sizeof err) != 0)
		return NAN;
	struct lb_run_opts o = {
		.duration_ns = window_ns, .warmup_ns = window_ns / 5, .slice_ns = 10000000, .tick_ns = 0,
		.grace_ns = 5000000000LL, .order_log_cap = 1u << 16,
	};
	int pu = -1;
	double *diff = calloc(rounds, sizeof *diff);
	if (diff == NULL)
		return NAN;
	size_t n = 0;
	for (unsigned r = 0; r < rounds; r++) {
		double bare = lb_overhead_throughput(&o, NULL, &none, NULL, true, 0, 1, &pu);
		double inst = lb_overhead_throughput(&o, NULL, &none, NULL, false, sample_every, 1, &pu);
		if (isfinite(bare) && isfinite(inst) && bare > 0 && inst > 0)
			diff[n++] = 1e9 / inst - 1e9 / bare;
	}
	double med = n ? lb_stats_median(diff, n) : NAN;
	free(diff);
	return med;
}
