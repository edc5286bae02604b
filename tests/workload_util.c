/*
 * workload_util.c — run one workload under one lock through lb_run_config
 * and check what came out, for the workload tests
 * (test_workloads_caps.c, test_workloads_blocking.c): see workload_util.h.
 */
#define _GNU_SOURCE
#include "workload_util.h"

#include <criterion/criterion.h>
#include <string.h>

#include "engine/topo.h"
#include "lock_util.h"
#include "workloads/registry.h"
#include "run_util.h"

const char *const spin_and_sleep_locks[] = { "pthread", "ticket", "mcs", "gil", NULL };

struct lb_run_opts quick_opts(void)
{
	struct lb_run_opts o = {
		.duration_ns = 120000000, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 1, .order_log_cap = 1u << 16,
	};
	return o;
}

static void calibrate_once(void)
{
	static bool done;
	if (!done) {
		lb_timer_init();
		lb_busy_calibrate();
		done = true;
	}
}

/*
 * Run wl:wl_kv under ops:lock_kv at n threads, unbound or pinned compactly
 * (as `lockbench run` pins by default); returns lb_run_config's result.
 */
int try_run_pinned(const struct lb_run_opts *o, bool pinned, const struct lb_lock_ops *ops, const char *lock_kv,
		   const char *wl, const char *wl_kv, unsigned n, struct lb_outcome *out)
{
	static struct lb_topo *topo;
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	struct lb_wl_choice wc = { .wl = lb_workload_find(wl) };
	cr_assert_not_null(wc.wl, "workload %s is registered", wl);
	cr_assert_eq(lb_params_parse(ops->name, ops->params, lock_kv, lc.params, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_params_parse(wl, wc.wl->params, wl_kv, wc.params, err, sizeof err), 0, "%s", err);
	int pus[16];
	cr_assert_leq(n, 16);
	for (unsigned i = 0; i < n; i++)
		pus[i] = -1;
	if (pinned) {
		if (topo == NULL)
			cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
		struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT };
		bool over;
		cr_assert_eq(lb_pin_plan(topo, &compact, n, pus, &over, err, sizeof err), 0, "%s", err);
	}
	calibrate_once();
	return run_config_settled(o, pinned ? topo : NULL, &lc, &wc, n, pus, out);
}

int try_run(const struct lb_run_opts *o, const struct lb_lock_ops *ops, const char *lock_kv, const char *wl,
	    const char *wl_kv, unsigned n, struct lb_outcome *out)
{
	return try_run_pinned(o, false, ops, lock_kv, wl, wl_kv, n, out);
}

void run_ok(const struct lb_run_opts *o, const struct lb_lock_ops *ops, const char *lock_kv, const char *wl,
	    const char *wl_kv, unsigned n, struct lb_outcome *out)
{
	cr_assert_eq(try_run(o, ops, lock_kv, wl, wl_kv, n, out), 0, "%s under %s: %s", wl, ops->name, out->message);
}

/* Correct lock: ok, no violation, verify passes, both counts make sense. */
void expect_clean(const struct lb_outcome *out, const char *wl, const char *lk, unsigned n)
{
	cr_expect_eq(out->status, LB_STATUS_OK, "%s under %s at %u threads: %s", wl, lk, n, out->message);
	cr_expect_eq(out->violations, 0, "%s under %s at %u threads: violations", wl, lk, n);
	cr_expect_eq(out->verify_failures, 0, "%s under %s at %u threads: %s", wl, lk, n, out->message);
	cr_expect_eq(out->release_errors, 0, "%s under %s at %u threads: release errors", wl, lk, n);
	/* Progress over the whole run, warm-up included: a slow (sanitized, loaded)
	 * machine may complete nothing inside a short window, and that is no bug. */
	uint64_t total = 0;
	for (unsigned i = 0; i < out->run.nthreads; i++)
		total += out->run.threads[i].total;
	cr_expect_gt(total, 0, "%s under %s at %u threads made progress", wl, lk, n);
}

void check_clean(const char *wl, const char *wl_kv, const char *const *locks)
{
	struct lb_run_opts o = quick_opts();
	for (size_t l = 0; locks[l] != NULL; l++)
		for (unsigned n = 2; n <= 4; n += 2) {
			struct lb_outcome out;
			run_ok(&o, lock_named(locks[l]), NULL, wl, wl_kv, n, &out);
			expect_clean(&out, wl, locks[l], n);
			lb_outcome_free(&out);
		}
}

/*
 * A lock that excludes nothing must be caught by the workload's own
 * verify(), not only by the harness's canary. A catch needs two threads
 * inside at the same moment, which a loaded 2-core machine may deny a
 * short run: unpinned, it can run them one after the other on one core
 * (under ASan on a host at load 15, condition's check missed `none` in
 * all 5 runs of 200 ms in 3 tries of 8). So the threads are pinned
 * compactly, as `lockbench run` pins them, and get up to eight runs; one
 * catch is enough, and a verify() that checks nothing never catches.
 */
void expect_verify_catches(const struct lb_lock_ops *ops, const char *wl, const char *wl_kv, unsigned n)
{
	struct lb_run_opts o = quick_opts();
	o.duration_ns = 200000000;
	unsigned caught = 0;
	for (int attempt = 0; attempt < 8 && caught == 0; attempt++) {
		struct lb_outcome out;
		cr_assert_eq(try_run_pinned(&o, true, ops, NULL, wl, wl_kv, n, &out), 0, "%s under %s: %s", wl,
			     ops->name, out.message);
		cr_assert_neq(out.status, LB_STATUS_HUNG, "%s under %s: %s", wl, ops->name, out.message);
		caught = out.verify_failures;
		lb_outcome_free(&out);
	}
	cr_assert_gt(caught, 0, "%s's verify() did not notice the %s lock", wl, ops->name);
}

void expect_setup_error(const struct lb_lock_ops *ops, const char *wl, const char *wl_kv, unsigned n,
			const char *needle)
{
	struct lb_run_opts o = quick_opts();
	struct lb_outcome out;
	cr_assert_eq(try_run(&o, ops, NULL, wl, wl_kv, n, &out), -1, "%s:%s at %u threads must not run", wl,
		     wl_kv ? wl_kv : "", n);
	cr_assert(strstr(out.message, needle) != NULL, "\"%s\" not in: %s", needle, out.message);
	cr_assert(strncmp(out.message, wl, strlen(wl)) == 0, "the message names the workload: %s", out.message);
}

void expect_param_error(const char *wl, const char *kv, const char *needle)
{
	char err[256] = "";
	union lb_value vals[LB_MAX_PARAMS];
	const struct lb_workload *w = lb_workload_find(wl);
	cr_assert_not_null(w);
	cr_assert_neq(lb_params_parse(wl, w->params, kv, vals, err, sizeof err), 0, "%s:%s accepted", wl, kv);
	cr_assert(strstr(err, needle) != NULL, "\"%s\" not in: %s", needle, err);
}
