/*
 * test_regime.c — the regime labels (analysis/regime.h): a steady rate is
 * labelled steady and a rate that changes or stalls is not, on made-up
 * samples and on real runs of locks paced by sleeps (their rate does not
 * depend on how loaded the machine is); hand-offs that each wait for the
 * scheduler are labelled scheduler-bound, a lock re-taken by its holder is
 * not; every result carries the labels and the table shows them.
 */
#include <criterion/criterion.h>
#include <jansson.h>
#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <string.h>
#include <time.h>

#include "analysis/regime.h"
#include "cli_util.h"
#include "engine/run.h"
#include "locks/registry.h"
#include "model/fill.h"
#include "workloads/registry.h"
#include "run_util.h"

/* ---- made-up samples: 2 threads, 1 s window of 10 ms slices ---- */

#define SLICES 101

struct fake {
	struct lb_sample s;
	struct lb_thread_figs th[2];
	uint64_t tl[2][SLICES];
};

static void fake(struct fake *f, uint64_t per_slice_first, uint64_t per_slice_second)
{
	memset(f, 0, sizeof *f);
	f->s.duration_s = 1.0;
	f->s.timing_slice_ns = 10000000;
	f->s.nthreads = 2;
	f->s.threads = f->th;
	for (int i = 0; i < 2; i++) {
		f->th[i].timeline = f->tl[i];
		f->th[i].ntimeline = SLICES;
		f->th[i].cpu_ns = f->th[i].voluntary_ctxsw = f->th[i].involuntary_ctxsw = 0;
		for (int k = 0; k < 100; k++) {
			/* ±5% ripple, so steady is not only "exactly constant" */
			uint64_t base = k < 50 ? per_slice_first : per_slice_second;
			f->tl[i][k] = base + (k % 2 ? base / 20 : 0);
			f->s.acquisitions += f->tl[i][k];
		}
		f->tl[i][100] = 3; /* the cut-short last slice is not compared */
	}
}

Test(regime, a_constant_rate_is_steady)
{
	struct fake f;
	fake(&f, 1000, 1000);
	lb_regime_judge(&f.s);
	cr_assert(f.s.has_regime && f.s.regime.has_steady);
	cr_assert(f.s.regime.steady, "half ratio %g", f.s.regime.half_ratio);
	cr_assert_eq(f.s.regime.slices, 100);
	cr_assert_float_eq(f.s.regime.half_ratio, 1.0, 1e-9);
	cr_assert_float_eq(f.s.regime.first_half_per_s, 2 * 1025 * 100.0, 1e-6);
}

Test(regime, a_rate_that_falls_is_not_steady)
{
	struct fake f;
	fake(&f, 1000, 300);
	lb_regime_judge(&f.s);
	cr_assert(f.s.regime.has_steady);
	cr_assert_not(f.s.regime.steady, "half ratio %g", f.s.regime.half_ratio);
	cr_assert_float_eq(f.s.regime.half_ratio, 0.3, 1e-9);
	/* The edges of the rule: 1.25x either way is still steady, a little more is not. */
	fake(&f, 1000, 1250);
	lb_regime_judge(&f.s);
	cr_assert(f.s.regime.steady);
	fake(&f, 1000, 1300);
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.steady);
	fake(&f, 1000, 780);
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.steady);
}

Test(regime, slices_without_any_acquisition_are_not_steady)
{
	struct fake f;
	fake(&f, 1000, 1000);
	/* 12 of 100 slices in which nobody acquired, spread over both halves. */
	for (int k = 0; k < 100; k += 8)
		f.tl[0][k] = f.tl[1][k] = 0;
	lb_regime_judge(&f.s);
	cr_assert_eq(f.s.regime.stalled_slices, 13);
	cr_assert_not(f.s.regime.steady);
	/* One thread idle is no stall: the other acquired. */
	fake(&f, 1000, 1000);
	for (int k = 0; k < 100; k += 8)
		f.tl[0][k] = 0;
	lb_regime_judge(&f.s);
	cr_assert_eq(f.s.regime.stalled_slices, 0);
	cr_assert(f.s.regime.steady);
}

Test(regime, too_short_to_tell)
{
	struct fake f;
	fake(&f, 1000, 1000);
	f.s.duration_s = 0.015; /* one whole slice */
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.has_steady);
	cr_assert(isnan(f.s.regime.half_ratio));
}

/* Hand-offs as the share of owner changes in the order; switches split over the threads. */
static void hand_offs(struct fake *f, uint64_t handoffs, int64_t switches)
{
	f->s.has_short_term = true;
	f->s.short_term.covered = 1000;
	f->s.short_term.handover_ratio = (double)handoffs / (double)f->s.acquisitions;
	for (int i = 0; i < 2; i++) {
		f->th[i].voluntary_ctxsw = switches / 2;
		f->th[i].involuntary_ctxsw = 0;
		f->th[i].cpu_ns = 500000000;
	}
}

Test(regime, hand_offs_that_track_context_switches_are_scheduler_bound)
{
	struct fake f;
	fake(&f, 5, 5); /* ~1000 acquisitions */
	hand_offs(&f, f.s.acquisitions, (int64_t)f.s.acquisitions);
	lb_regime_judge(&f.s);
	cr_assert(f.s.regime.has_scheduler_bound);
	cr_assert(f.s.regime.scheduler_bound);
	cr_assert_float_eq(f.s.regime.cpu_share, 0.5, 1e-9);
	cr_assert_float_eq(f.s.regime.ctxsw_per_s, (double)f.s.acquisitions, 1e-6);
	/* Many hand-offs per switch: the lock hands over on its own. */
	hand_offs(&f, f.s.acquisitions, (int64_t)f.s.acquisitions / 10);
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.scheduler_bound);
	/* Few hand-offs, each a wake-up, but the holder re-takes the lock: its rate is the lock's. */
	hand_offs(&f, f.s.acquisitions / 10, (int64_t)f.s.acquisitions / 10);
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.scheduler_bound);
	/* No kernel figures: not known. */
	hand_offs(&f, f.s.acquisitions, (int64_t)f.s.acquisitions);
	f.th[1].voluntary_ctxsw = -1;
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.has_scheduler_bound);
	cr_assert_eq(f.s.regime.voluntary_ctxsw, -1);
}

/* ---- real runs of paced locks ---- */

/*
 * A mutex whose acquire first sleeps pace_ns (a sleeping waiter, and a rate
 * set by the sleeps, not by how busy the machine is). slow_after_ns > 0:
 * from that long after init, the sleep is ten times longer (an unsteady
 * rate: the second half of the window runs at about a tenth of the first).
 */
struct pacer {
	pthread_mutex_t m;
	int64_t pace_ns, slow_after_ns;
	struct timespec t0;
};

static int64_t since(const struct timespec *t0)
{
	struct timespec now;
	clock_gettime(CLOCK_MONOTONIC, &now);
	return (now.tv_sec - t0->tv_sec) * 1000000000LL + (now.tv_nsec - t0->tv_nsec);
}

static const struct lb_param pacer_params[] = {
	{ "pace_ns", LB_PARAM_DURATION, "200us", "sleep before every acquire", 1, 1000000000 },
	{ "slow_after_ns", LB_PARAM_DURATION, "0", "sleep 10x longer from then on (0 = never)", 0, 10000000000LL },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

static int pacer_init(void *s, const union lb_value *p, unsigned n, char *e, size_t el)
{
	(void)n, (void)e, (void)el;
	struct pacer *pc = s;
	pthread_mutex_init(&pc->m, NULL);
	pc->pace_ns = p[0].i;
	pc->slow_after_ns = p[1].i;
	clock_gettime(CLOCK_MONOTONIC, &pc->t0);
	return 0;
}

static void pacer_acquire(void *s, void *node)
{
	(void)node;
	struct pacer *pc = s;
	int64_t ns = pc->pace_ns;
	if (pc->slow_after_ns > 0 && since(&pc->t0) > pc->slow_after_ns)
		ns *= 10;
	struct timespec ts = { 0, (long)ns };
	nanosleep(&ts, NULL);
	pthread_mutex_lock(&pc->m);
}

static int pacer_release(void *s, void *node)
{
	(void)node;
	return pthread_mutex_unlock(&((struct pacer *)s)->m) == 0 ? 0 : -1;
}

static const struct lb_lock_ops pacer_ops = {
	.abi_version = LB_LOCK_ABI_VERSION, .name = "pacer", .summary = "a mutex paced by sleeps",
	.params = pacer_params, .state_size = sizeof(struct pacer), .state_align = 64, .caps = LB_CAP_SLEEPS,
	.init = pacer_init, .acquire = pacer_acquire, .release = pacer_release,
};

/* Run ops at n threads for 400 ms windows of 20 ms slices and fill a sample. */
static void run_sample(const struct lb_lock_ops *ops, const char *lock_kv, unsigned n, struct lb_sample *s)
{
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	cr_assert_eq(lb_params_parse(ops->name, ops->params, lock_kv, lc.params, err, sizeof err), 0, "%s", err);
	struct lb_wl_choice wc = { .wl = lb_workload_find("cs") };
	cr_assert_eq(lb_params_parse("cs", wc.wl->params, NULL, wc.params, err, sizeof err), 0, "%s", err);
	struct lb_run_opts o = {
		.duration_ns = 400000000, .warmup_ns = 20000000, .slice_ns = 20000000, .grace_ns = 10000000000LL,
		.sample_every = 16, .order_log_cap = 1u << 16,
	};
	int pus[8] = { -1, -1, -1, -1, -1, -1, -1, -1 };
	lb_timer_init();
	lb_busy_calibrate();
	struct lb_outcome out;
	cr_assert_eq(run_config_settled(&o, NULL, &lc, &wc, n, pus, &out), 0, "%s", out.message);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	memset(s, 0, sizeof *s);
	lb_sample_fill(s, &out, 0, o.sample_every);
	lb_outcome_free(&out);
	cr_assert(s->has_regime);
}

/*
 * Paced by 200 us sleeps, 2 threads alternate on the mutex: a steady rate of
 * hand-offs, each of which waited for a wake-up: steady and scheduler-bound.
 * A loaded machine may still stall a window; three tries.
 */
Test(regime, a_paced_lock_is_steady_and_scheduler_bound, .timeout = 120)
{
	bool steady = false, sched = false;
	for (int i = 0; i < 3 && !(steady && sched); i++) {
		struct lb_sample s;
		run_sample(&pacer_ops, NULL, 2, &s);
		cr_log_info("paced: half ratio %g, stalled %lu of %lu, hand-offs %lu, switches %ld + %ld",
			    s.regime.half_ratio, (unsigned long)s.regime.stalled_slices, (unsigned long)s.regime.slices,
			    (unsigned long)s.regime.handoffs, (long)s.regime.voluntary_ctxsw, (long)s.regime.involuntary_ctxsw);
		cr_assert(s.regime.has_steady && s.regime.has_scheduler_bound);
		steady |= s.regime.steady;
		sched |= s.regime.scheduler_bound;
		cr_assert_gt(s.threads[0].cpu_ns + s.threads[1].cpu_ns, 0, "CPU time is read");
		cr_assert_gt(s.regime.voluntary_ctxsw, 0, "every sleep is a voluntary switch");
		lb_sample_clear(&s);
	}
	cr_assert(steady, "a paced lock was never labelled steady");
	cr_assert(sched, "hand-offs through sleeps were never labelled scheduler-bound");
}

/* The same lock, ten times slower from 220 ms on (the window is 20..420 ms): not steady, every time. */
Test(regime, a_lock_that_slows_down_is_not_steady, .timeout = 120)
{
	for (int i = 0; i < 2; i++) {
		struct lb_sample s;
		run_sample(&pacer_ops, "slow_after_ns=220ms", 2, &s);
		cr_assert(s.regime.has_steady);
		cr_assert_not(s.regime.steady, "half ratio %g", s.regime.half_ratio);
		cr_assert_lt(s.regime.half_ratio, 0.5, "half ratio %g", s.regime.half_ratio);
		lb_sample_clear(&s);
	}
}

/* One thread never hands over: not scheduler-bound, whatever the machine does. */
Test(regime, one_thread_is_never_scheduler_bound, .timeout = 60)
{
	struct lb_sample s;
	run_sample(lb_lock_find("ticket"), NULL, 1, &s);
	cr_assert(s.regime.has_scheduler_bound);
	cr_assert_not(s.regime.scheduler_bound);
	cr_assert_eq(s.regime.handoffs, 0);
	lb_sample_clear(&s);
}

/* The labels reach the result and the table. */
Test(regime, result_and_table_carry_the_labels, .timeout = 60)
{
	const char *args[] = { "run", "-l", "ticket", "-t", "1", "-d", "50ms", "--warmup", "5ms", "-p", "none",
			       "--wide", "-o", "-", NULL };
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	cr_assert_eq(r->status, 0, "stderr: %s", r->err);
	json_error_t je;
	json_t *doc = json_loads(r->out, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	json_t *c = json_array_get(json_object_get(doc, "configs"), 0);
	json_t *s = json_array_get(json_object_get(c, "samples"), 0);
	json_t *rg = json_object_get(s, "regime");
	cr_assert(json_is_object(rg), "sample has a regime");
	cr_assert(json_is_boolean(json_object_get(rg, "steady")) || json_is_null(json_object_get(rg, "steady")));
	char *why = json_dumps(s, JSON_COMPACT);
	cr_assert(json_is_boolean(json_object_get(rg, "scheduler_bound")), "sample: %s", why);
	free(why);
	json_t *t0 = json_array_get(json_object_get(s, "threads"), 0);
	cr_assert(json_is_integer(json_object_get(t0, "cpu_ns")), "per-thread CPU time");
	cr_assert(json_is_integer(json_object_get(t0, "involuntary_ctxsw")));
	cr_assert(json_is_boolean(json_object_get(json_object_get(c, "summary"), "unsteady")));
	cr_assert(strstr(r->err, " regime ") != NULL, "wide table header: %s", r->err);
	cr_assert(strstr(r->err, "steady") != NULL, "wide table row: %s", r->err);
	json_decref(doc);
	free(r);
}

/* Without an order of acquisitions (bare) hand-offs are unknown, and so is the label. */
Test(regime, bare_has_no_hand_offs_to_judge)
{
	struct fake f;
	fake(&f, 5, 5);
	hand_offs(&f, f.s.acquisitions, (int64_t)f.s.acquisitions);
	f.s.short_term.covered = 0;
	lb_regime_judge(&f.s);
	cr_assert_not(f.s.regime.has_handoffs);
	cr_assert_not(f.s.regime.has_scheduler_bound);
}

/*
 * Without an order there are still no hand-offs to count when one thread ran
 * or nobody acquired (a window the machine stalled through): the label is
 * known, and false. Under CI load such a window once left it null.
 */
Test(regime, no_order_but_nothing_to_hand_over_is_known)
{
	struct fake f;
	fake(&f, 0, 0);
	f.s.acquisitions = 0;
	f.s.has_short_term = true;
	lb_regime_judge(&f.s);
	cr_assert(f.s.regime.has_handoffs, "two threads, no acquisition");
	cr_assert_eq(f.s.regime.handoffs, 0);
	cr_assert(f.s.regime.has_scheduler_bound);
	cr_assert_not(f.s.regime.scheduler_bound);

	fake(&f, 5, 5);
	f.s.nthreads = 1;
	lb_regime_judge(&f.s);
	cr_assert(f.s.regime.has_handoffs, "one thread");
	cr_assert_eq(f.s.regime.handoffs, 0);
	cr_assert(f.s.regime.has_scheduler_bound);
	cr_assert_not(f.s.regime.scheduler_bound);
}
