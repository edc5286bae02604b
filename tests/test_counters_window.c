/*
 * test_counters_window.c — lock_counters over the measured window only.
 *
 * A test lock counts its acquisitions in one counter. With a warm-up four
 * times as long as the window, a lock that says live-counters must report
 * about the window's acquisitions (the engine read the counter as the
 * window opened), and the same lock without the bit the whole run's: at
 * least twice the window's (the threads' own window counts are the
 * reference, side by side in the same run; no absolute times). The
 * sample the model makes of it says which (lock_counters_scope). A
 * counter that goes down, or a list that changes between the two reads,
 * leaves the whole run's counts, labelled so.
 */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <string.h>

#include "engine/run.h"
#include "model/fill.h"
#include "workloads/registry.h"
#include "run_util.h"

struct counting_lock {
	_Alignas(LB_CACHELINE) _Atomic uint32_t locked;
	_Atomic uint64_t acquisitions;
	_Atomic int mode; /* 0: honest; 1: the count goes down; 2: a second counter appears */
};

static void cl_acquire(void *state, void *node)
{
	struct counting_lock *l = state;
	(void)node;
	uint32_t free_ = 0;
	while (!atomic_compare_exchange_weak(&l->locked, &free_, 1))
		free_ = 0;
	atomic_fetch_add_explicit(&l->acquisitions, 1, memory_order_relaxed);
}

static int cl_release(void *state, void *node)
{
	struct counting_lock *l = state;
	(void)node;
	atomic_store(&l->locked, 0);
	return 0;
}

static _Atomic unsigned calls;
static int mode_wanted;

static size_t cl_counters(void *state, struct lb_counter *out, size_t max)
{
	struct counting_lock *l = state;
	unsigned call = atomic_fetch_add(&calls, 1);
	uint64_t v = atomic_load_explicit(&l->acquisitions, memory_order_relaxed);
	int mode = atomic_load(&l->mode);
	if (mode == 1 && call % 2 == 1)
		v = 0; /* the second read (after the run) is lower than the first */
	out[0] = (struct lb_counter){ "acquisitions", v };
	if (mode == 2 && call % 2 == 1 && max > 1) {
		out[1] = (struct lb_counter){ "extra", 1 };
		return 2;
	}
	return 1;
}

static int cl_init(void *state, const union lb_value *params, unsigned n, char *err, size_t errlen)
{
	(void)params, (void)n, (void)err, (void)errlen;
	struct counting_lock *l = state;
	atomic_store(&l->mode, mode_wanted);
	return 0;
}

static struct lb_lock_ops counting(uint32_t extra_caps)
{
	struct lb_lock_ops ops = {
		.abi_version = LB_LOCK_ABI_VERSION, .name = "counting", .summary = "counts its acquisitions",
		.state_size = sizeof(struct counting_lock), .state_align = _Alignof(struct counting_lock),
		.caps = LB_CAP_SPINS | extra_caps, .init = cl_init, .acquire = cl_acquire, .release = cl_release,
		.counters = cl_counters,
	};
	return ops;
}

/* One thread of cs (think_ns=1us), 200 ms of warm-up, 50 ms window. */
static void run(const struct lb_lock_ops *ops, struct lb_outcome *out)
{
	static bool calibrated;
	if (!calibrated) {
		lb_timer_init();
		lb_busy_calibrate();
		calibrated = true;
	}
	struct lb_run_opts o = {
		.duration_ns = 50000000, .warmup_ns = 200000000, .slice_ns = 10000000, .tick_ns = 1000000,
		.grace_ns = 5000000000LL, .sample_every = 16, .order_log_cap = 1u << 16,
	};
	struct lb_lock_choice lc = { .ops = ops };
	struct lb_wl_choice wc = { .wl = lb_workload_find("cs") };
	char err[256];
	cr_assert_eq(lb_params_parse("cs", wc.wl->params, "think_ns=1us", wc.params, err, sizeof err), 0, "%s", err);
	int pus[1] = { -1 };
	atomic_store(&calls, 0);
	cr_assert_eq(run_config_settled(&o, NULL, &lc, &wc, 1, pus, out), 0, "%s", out->message);
	cr_assert_eq(out->status, LB_STATUS_OK, "%s", out->message);
	cr_assert_gt(out->acquisitions, 0);
}

static enum lb_counters_scope scope_of(struct lb_outcome *out)
{
	struct lb_sample s;
	memset(&s, 0, sizeof s);
	lb_sample_fill(&s, out, 0, 16);
	enum lb_counters_scope scope = s.counters_scope;
	lb_sample_clear(&s);
	return scope;
}

Test(counters_window, live_counters_cover_the_window_only, .timeout = 60)
{
	mode_wanted = 0;
	struct lb_lock_ops live = counting(LB_CAP_LIVE_COUNTERS), plain = counting(0);
	struct lb_outcome out;

	run(&live, &out);
	double window = (double)out.acquisitions, counted = (double)out.counters[0].value;
	cr_expect(out.counters_window, "a live-counters lock's counters are the window's");
	cr_expect(counted >= 0.5 * window && counted <= 1.5 * window,
		  "live: the lock counted %.0f acquisitions, the threads %.0f in the window", counted, window);
	cr_expect_eq(scope_of(&out), LB_COUNTERS_WINDOW);
	lb_outcome_free(&out);

	run(&plain, &out);
	window = (double)out.acquisitions, counted = (double)out.counters[0].value;
	cr_expect_not(out.counters_window);
	cr_expect_geq(counted, 2 * window,
		      "without live-counters the whole run (4x the window of warm-up) is counted: %.0f vs %.0f", counted,
		      window);
	cr_expect_eq(scope_of(&out), LB_COUNTERS_RUN);
	lb_outcome_free(&out);
}

Test(counters_window, a_count_that_drops_or_a_changed_list_keeps_the_run, .timeout = 60)
{
	struct lb_lock_ops live = counting(LB_CAP_LIVE_COUNTERS);
	struct lb_outcome out;
	for (int mode = 1; mode <= 2; mode++) {
		mode_wanted = mode;
		run(&live, &out);
		cr_expect_not(out.counters_window, "mode %d: labelled the window's", mode);
		cr_expect_eq(scope_of(&out), LB_COUNTERS_RUN, "mode %d", mode);
		lb_outcome_free(&out);
	}
	mode_wanted = 0;
}
