/*
 * engine/overhead.c — measuring the harness against the bare lock.
 */
#include "engine/overhead.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "locks/registry.h"
#include "analysis/stats.h"
#include "engine/plan.h"
#include "engine/refloop.h"
#include "workloads/registry.h"

/* Acquisitions per second of the threads' CPU time (user + system, each over its own window); NAN unknown. */
static double per_cpu_second(const struct lb_outcome *out)
{
	int64_t cpu = 0;
	for (unsigned i = 0; i < out->run.nthreads; i++) {
		const struct lb_window *w = &out->run.threads[i].win;
		if (w->cpu0_ns < 0 || w->cpu1_ns < 0)
			return NAN;
		cpu += w->cpu1_ns - w->cpu0_ns;
	}
	return cpu > 0 ? (double)out->acquisitions / ((double)cpu / 1e9) : NAN;
}

double lb_overhead_throughput(const struct lb_run_opts *base, const void *topo,
			      const struct lb_lock_choice *lock, const union lb_value *cs_params, bool bare,
			      uint32_t sample_every, unsigned nthreads, const int *pus, bool per_cpu)
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
	double tp = out.status != LB_STATUS_OK || !(out.duration_s > 0) ? NAN
		    : per_cpu			      ? per_cpu_second(&out)
						      : (double)out.acquisitions / out.duration_s;
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
		double bare = lb_overhead_throughput(&o, NULL, &none, NULL, true, 0, 1, &pu, true);
		double inst = lb_overhead_throughput(&o, NULL, &none, NULL, false, sample_every, 1, &pu, true);
		if (isfinite(bare) && isfinite(inst) && bare > 0 && inst > 0)
			diff[n++] = 1e9 / inst - 1e9 / bare;
	}
	double med = n ? lb_stats_median(diff, n) : NAN;
	free(diff);
	return med;
}

void lb_overhead_rounds(const struct lb_run_opts *o, const void *topo, const union lb_value *cs_params,
			const struct lb_variant *v, size_t nv, unsigned n, const int *pus, unsigned rounds, bool per_cpu,
			double *tp)
{
	/* cs_lines is the third cs parameter (workloads/cs.c); the reference bumps as many lines. */
	const struct lb_workload *cs = lb_workload_find("cs");
	unsigned lines = 1;
	for (size_t i = 0; cs != NULL && cs_params != NULL && cs->params[i].name != NULL; i++)
		if (strcmp(cs->params[i].name, "cs_lines") == 0)
			lines = (unsigned)cs_params[i].i;
	for (unsigned r = 0; r < rounds; r++)
		for (size_t k = 0; k < nv; k++) {
			size_t i = lb_plan_rotated(k, r, nv);
			const struct lb_variant *x = &v[i];
			double t;
			if (x->kind == LB_VARIANT_INLINE)
				t = lb_refloop_throughput(x->lock->ops->name, topo, n, pus, o->warmup_ns, o->duration_ns, lines,
							  per_cpu);
			else
				t = lb_overhead_throughput(o, topo, x->lock, cs_params, x->kind == LB_VARIANT_BARE,
							   x->sample_every, n, pus, per_cpu);
			tp[r * nv + i] = t;
		}
}

double lb_overhead_ratio(const double *tp, size_t nv, unsigned rounds, size_t v, size_t ref)
{
	double *q = calloc(rounds ? rounds : 1, sizeof *q);
	size_t k = 0;
	for (unsigned r = 0; q != NULL && r < rounds; r++) {
		double a = tp[r * nv + v], b = tp[r * nv + ref];
		if (isfinite(a) && isfinite(b) && b > 0)
			q[k++] = a / b;
	}
	double med = k ? lb_stats_median(q, k) : NAN;
	free(q);
	return med;
}

double lb_overhead_median(const double *tp, size_t nv, unsigned rounds, size_t v)
{
	double *q = calloc(rounds ? rounds : 1, sizeof *q);
	size_t k = 0;
	for (unsigned r = 0; q != NULL && r < rounds; r++)
		if (isfinite(tp[r * nv + v]))
			q[k++] = tp[r * nv + v];
	double med = k ? lb_stats_median(q, k) : NAN;
	free(q);
	return med;
}
