/*
 * test_workloads_all.c — every workload in the registry, none named here:
 * a workload added with one file and one LB_WORKLOAD line is tested
 * without touching this file.
 *
 * For each workload, with its default parameters at 2 threads:
 *  - clean: under the first lock of the registry that excludes and has the
 *    capabilities the workload needs, the run is ok, with no violation, no
 *    release error and no verify failure, and the threads made progress
 *    (or, for a workload that declares may_deadlock, a deadlock found and
 *    explained: status deadlock with a cycle);
 *  - caught: under `none` (the registry's lock that excludes nothing,
 *    given the capabilities the workload needs — it is trivially
 *    reentrant, and its try and timed acquires succeed at once), the
 *    workload's own verify() reports failures. The harness's canary would
 *    catch `none` in any workload; this checks the workload's check. A
 *    workload that cannot catch it by nature says so in blind_to_none, and
 *    then the reason must be there and the run must still end cleanly.
 *
 * A catch needs both threads inside at the same moment, which a loaded
 * 2-vCPU machine may deny a short window even with the threads pinned to
 * two PUs (as `lockbench run` pins them), so the negative control gets up
 * to eight windows of 200 ms; one catch is enough, and a verify() that
 * checks nothing never catches. Each workload
 * is its own test (a process of its own, run in parallel with the others);
 * the whole file takes a few seconds.
 */
#include <criterion/criterion.h>
#include <criterion/parameterized.h>
#include <string.h>

#include "engine/deadlock.h"
#include "engine/run.h"
#include "engine/topo.h"
#include "locks/registry.h"
#include "workloads/registry.h"
#include "run_util.h"

static size_t count_workloads(void)
{
	size_t n = 0;
	while (lb_workloads[n] != NULL)
		n++;
	return n;
}

static struct lb_run_opts opts(int64_t duration_ns)
{
	struct lb_run_opts o = {
		.duration_ns = duration_ns, .warmup_ns = 10000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 10000000000LL, .sample_every = 1, .order_log_cap = 1u << 16,
	};
	return o;
}

/* The hooks a capability stands for are there too. */
static bool has_caps(const struct lb_lock_ops *ops, uint32_t caps)
{
	return (ops->caps & caps) == caps && (!(caps & LB_CAP_TRY) || ops->try_acquire != NULL) &&
	       (!(caps & LB_CAP_TIMED) || ops->acquire_until != NULL);
}

/* The first lock that excludes and has every capability in caps, or NULL. */
static const struct lb_lock_ops *real_lock_for(uint32_t caps)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (!(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION) && has_caps(lb_locks[i], caps))
			return lb_locks[i];
	return NULL;
}

/*
 * `none` with the capabilities a workload needs. A lock that excludes
 * nothing is reentrant as it is (release never fails), and its try and
 * timed acquires are its acquire, which returns at once.
 */
static const struct lb_lock_ops *none_base;

static bool none_try(void *state, void *node)
{
	none_base->acquire(state, node);
	return true;
}

static bool none_until(void *state, void *node, uint64_t deadline_ns)
{
	(void)deadline_ns;
	none_base->acquire(state, node);
	return true;
}

static struct lb_lock_ops none_with(uint32_t caps)
{
	for (size_t i = 0; lb_locks[i] != NULL && none_base == NULL; i++)
		if (lb_locks[i]->caps & LB_CAP_NO_EXCLUSION)
			none_base = lb_locks[i];
	cr_assert_not_null(none_base, "the registry has a lock that excludes nothing (none)");
	struct lb_lock_ops ops = *none_base;
	ops.caps |= caps;
	if (ops.try_acquire == NULL)
		ops.try_acquire = none_try;
	if (ops.acquire_until == NULL)
		ops.acquire_until = none_until;
	return ops;
}

/*
 * Threads pinned compactly to two PUs, as `lockbench run` pins them by
 * default, so that they truly run in parallel even on a busy machine
 * rather than wherever the scheduler stacks them; unpinned (topo NULL) on
 * a machine with a single PU.
 */
static const struct lb_topo *pin_two(int pus[2])
{
	static struct lb_topo *topo;
	static bool loaded;
	pus[0] = pus[1] = -1;
	char err[256];
	if (!loaded) {
		loaded = true;
		cr_assert_eq(lb_topo_load(&topo, NULL, err, sizeof err), 0, "%s", err);
	}
	struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT };
	bool over = false;
	if (lb_pin_plan(topo, &compact, 2, pus, &over, err, sizeof err) != 0 || over) {
		pus[0] = pus[1] = -1;
		return NULL;
	}
	return topo;
}

/* Run workload w, default parameters, under ops at 2 threads. */
static void run_default(const struct lb_workload *w, const struct lb_lock_ops *ops, int64_t duration_ns,
			struct lb_outcome *out)
{
	static bool calibrated;
	if (!calibrated) {
		lb_timer_init();
		lb_busy_calibrate();
		calibrated = true;
	}
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	struct lb_wl_choice wc = { .wl = w };
	cr_assert_eq(lb_params_parse(ops->name, ops->params, NULL, lc.params, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_params_parse(w->name, w->params, NULL, wc.params, err, sizeof err), 0, "%s: %s", w->name, err);
	struct lb_run_opts o = opts(duration_ns);
	int pus[2];
	const struct lb_topo *topo = pin_two(pus);
	cr_assert_eq(run_config_settled(&o, topo, &lc, &wc, 2, pus, out), 0, "%s under %s: %s", w->name, ops->name,
		     out->message);
}

ParameterizedTestParameters(workloads_all, clean_and_caught)
{
	size_t n = count_workloads();
	size_t *idx = cr_calloc(n, sizeof *idx);
	for (size_t i = 0; i < n; i++)
		idx[i] = i;
	return cr_make_param_array(size_t, idx, n, NULL);
}

ParameterizedTest(size_t *i, workloads_all, clean_and_caught, .timeout = 60)
{
	const struct lb_workload *w = lb_workloads[*i];
	cr_log_info("workload %s", w->name);

	const struct lb_lock_ops *real = real_lock_for(w->needs_caps);
	cr_assert_not_null(real, "%s: no lock in the registry excludes and has the capabilities it needs", w->name);
	struct lb_outcome out;
	run_default(w, real, 100000000, &out);
	if (w->may_deadlock != NULL && out.status == LB_STATUS_DEADLOCK) {
		/* By design (it says why): then the deadlock must be found and explained, not hung. */
		cr_assert_gt(strlen(w->may_deadlock), 0, "%s: may_deadlock gives no reason", w->name);
		cr_assert_not_null(out.deadlock, "%s under %s", w->name, real->name);
		cr_expect_gt(out.deadlock->ncycle, 0, "%s under %s: a cycle", w->name, real->name);
		cr_expect(strncmp(out.deadlock->report, "thread ", 7) == 0, "%s", out.deadlock->report);
		cr_log_info("workload %s deadlocks under %s by design: %s", w->name, real->name, out.deadlock->report);
		lb_outcome_free(&out);
		goto negative_control;
	}
	cr_expect_eq(out.status, LB_STATUS_OK, "%s under %s: %s", w->name, real->name, out.message);
	cr_expect_eq(out.violations, 0, "%s under %s: violations", w->name, real->name);
	cr_expect_eq(out.verify_failures, 0, "%s under %s: %s", w->name, real->name, out.message);
	cr_expect_eq(out.release_errors, 0, "%s under %s: release errors", w->name, real->name);
	/* Progress over the whole run, warm-up included: a loaded machine may
	 * complete nothing inside a short window, and that is no bug. */
	uint64_t total = out.run.threads[0].total + out.run.threads[1].total;
	cr_expect_gt(total, 0, "%s under %s made no progress", w->name, real->name);
	lb_outcome_free(&out);

negative_control:;
	struct lb_lock_ops none = none_with(w->needs_caps);
	if (w->blind_to_none != NULL) {
		cr_assert_gt(strlen(w->blind_to_none), 0, "%s: blind_to_none gives no reason", w->name);
		run_default(w, &none, 100000000, &out);
		cr_expect_neq(out.status, LB_STATUS_HUNG, "%s under none: %s", w->name, out.message);
		lb_outcome_free(&out);
		cr_log_info("workload %s: blind to none: %s", w->name, w->blind_to_none);
		return;
	}
	cr_assert_not_null(w->verify, "%s has no verify(); write one or declare blind_to_none", w->name);
	unsigned caught = 0;
	int attempt = 0;
	for (; attempt < 8 && caught == 0; attempt++) {
		run_default(w, &none, 200000000, &out);
		cr_assert_neq(out.status, LB_STATUS_HUNG, "%s under none: %s", w->name, out.message);
		caught = out.verify_failures;
		lb_outcome_free(&out);
	}
	cr_assert_gt(caught, 0, "%s: verify() did not notice a lock that excludes nothing", w->name);
	cr_log_info("workload %s: clean under %s, caught under none in window %d", w->name, real->name, attempt);
}

/* What the table promises `lockbench list` and `run -w NAME`. */
Test(workloads_all, registry_is_well_formed)
{
	size_t n = count_workloads();
	cr_assert_gt(n, 0);
	for (size_t i = 0; i < n; i++) {
		const struct lb_workload *w = lb_workloads[i];
		cr_expect(w->name != NULL && w->name[0] != '\0', "workload %zu has no name", i);
		cr_expect(w->summary != NULL && w->summary[0] != '\0', "%s has no summary", w->name);
		cr_expect_not_null(w->thread, "%s has no thread loop", w->name);
		cr_expect_eq(lb_workload_find(w->name), w, "%s: another workload has its name", w->name);
		for (const char *c = w->name; *c != '\0'; c++)
			cr_expect((*c >= 'a' && *c <= 'z') || (*c >= '0' && *c <= '9') || *c == '-',
				  "%s: names are [a-z0-9-]", w->name);
	}
	cr_expect_null(lb_workload_find("no-such-workload"));
}
