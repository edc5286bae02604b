/*
 * test_multilock.c — several locks per run: per-lock figures, the
 * lock-ordering workloads and their remedies, bank, the deadlock watchdog
 * (its analysis on made-up snapshots, and real deadlocks found and
 * explained), the guard bytes after a lock's state, and the sample's JSON
 * round trip that isolation relies on.
 *
 * Runs are short (100-300 ms windows, 2 threads) and never assert a time:
 * the machine is shared and loaded.
 */
#include <criterion/criterion.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/deadlock.h"
#include "engine/lockset.h"
#include "engine/multilock.h"
#include "engine/run.h"
#include "engine/spec.h"
#include "locks/registry.h"
#include "model/fill.h"
#include "model/json.h"
#include "workloads/registry.h"
#include "run_util.h"

static struct lb_run_opts opts(int64_t duration_ns)
{
	return (struct lb_run_opts){
		.duration_ns = duration_ns, .warmup_ns = 10000000, .slice_ns = 10000000, .tick_ns = 1000000,
		.grace_ns = 10000000000LL, .sample_every = 1, .order_log_cap = 1u << 16,
	};
}

static void calibrate(void)
{
	static bool done;
	if (!done) {
		lb_timer_init();
		lb_busy_calibrate();
		done = true;
	}
}

/* Run `workload` (a --workload spec) under `ops` at n unpinned threads. */
static void run_spec(const char *workload, const struct lb_lock_ops *ops, unsigned n, int64_t duration_ns,
		     struct lb_outcome *out)
{
	calibrate();
	char err[256];
	struct lb_lock_choice lc = { .ops = ops };
	struct lb_wl_choice wc;
	cr_assert_eq(lb_params_parse(ops->name, ops->params, NULL, lc.params, err, sizeof err), 0, "%s", err);
	cr_assert_eq(lb_parse_workload(workload, &wc, err, sizeof err), 0, "%s: %s", workload, err);
	int pus[16];
	for (unsigned i = 0; i < n; i++)
		pus[i] = -1;
	struct lb_run_opts o = opts(duration_ns);
	cr_assert_eq(run_config_settled(&o, NULL, &lc, &wc, n, pus, out), 0, "%s under %s: %s", workload, ops->name,
		     out->message);
}

static const struct lb_lock_ops *lock(const char *name)
{
	const struct lb_lock_ops *ops = lb_lock_find(name);
	cr_assert_not_null(ops, "lock %s", name);
	return ops;
}

/* ---- the watchdog's analysis, on made-up snapshots ---- */

#define W(ep, kind, idx) lb_wait_word(ep, kind, idx)

Test(deadlock_analysis, a_two_lock_cycle_is_found_and_told)
{
	/* thread 0 holds lock 1 and waits for 0; thread 1 holds 0 and waits for 1 */
	uint64_t w[2] = { W(5, LB_WAIT_LOCK, 0), W(9, LB_WAIT_LOCK, 1) };
	uint8_t held[4] = { 0, 1, 1, 0 };
	uint32_t sig[2] = { 0, 0 };
	bool fin[2] = { false, false };
	struct lb_deadlock_found d = { 0 };
	cr_assert_eq(lb_deadlock_analyse(2, 2, w, w, held, held, sig, fin, &d), 2);
	cr_expect_str_eq(d.report, "thread 0 holds lock 1, waits for lock 0 held by thread 1, which waits for lock 1");
	cr_assert_eq(d.ncycle, 2);
	cr_expect_eq(d.cycle[0].thread, 0);
	cr_expect_eq(d.cycle[0].next, 1);
	cr_expect_eq(d.cycle[1].index, 1);
	free(d.threads);
}

Test(deadlock_analysis, no_deadlock_when_anyone_could_still_move)
{
	uint8_t held[4] = { 0, 1, 1, 0 };
	uint32_t sig[2] = { 0, 0 };
	bool fin[2] = { false, false };
	struct lb_deadlock_found d = { 0 };
	/* The same holds, but thread 1 left its wait between the snapshots (another episode). */
	uint64_t prev[2] = { W(5, LB_WAIT_LOCK, 0), W(9, LB_WAIT_LOCK, 1) };
	uint64_t now[2] = { W(5, LB_WAIT_LOCK, 0), W(10, LB_WAIT_LOCK, 1) };
	cr_expect_eq(lb_deadlock_analyse(2, 2, prev, now, held, held, sig, fin, &d), 0, "a new wait is progress");
	/* Thread 1 waits with a timeout: it gives up by itself. */
	uint64_t timed[2] = { W(5, LB_WAIT_LOCK, 0), W(9, LB_WAIT_TIMED, 1) };
	cr_expect_eq(lb_deadlock_analyse(2, 2, timed, timed, held, held, sig, fin, &d), 0, "a timed wait ends");
	/* Thread 1 is not waiting at all: it will release lock 0. */
	uint64_t busy[2] = { W(5, LB_WAIT_LOCK, 0), W(9, LB_WAIT_NONE, 0) };
	cr_expect_eq(lb_deadlock_analyse(2, 2, busy, busy, held, held, sig, fin, &d), 0, "the holder runs");
	/* Lock 1 was free at one of the snapshots. */
	uint8_t held_then[4] = { 0, 0, 1, 0 };
	uint64_t w[2] = { W(5, LB_WAIT_LOCK, 0), W(9, LB_WAIT_LOCK, 1) };
	cr_expect_eq(lb_deadlock_analyse(2, 2, w, w, held_then, held, sig, fin, &d), 0, "a hold that came and went");
	/* The control: all of it stable is found. */
	cr_expect_eq(lb_deadlock_analyse(2, 2, w, w, held, held, sig, fin, &d), 2);
	free(d.threads);
}

Test(deadlock_analysis, a_condition_wait_deadlocks_only_when_every_signaller_is_stuck)
{
	/* 0 waits on condition 0 holding lock 1; 1 and 3 signal it; 1 waits for lock 1; 3 does not wait. */
	uint64_t w[4] = { W(2, LB_WAIT_COND, 0), W(4, LB_WAIT_LOCK, 1), W(0, LB_WAIT_NONE, 0), W(7, LB_WAIT_NONE, 0) };
	uint8_t held[8] = { 0, 1, 0, 0, 0, 0, 0, 0 };
	uint32_t sig[4] = { 0, 1, 0, 1 };
	bool fin[4] = { false, false, true, false };
	struct lb_deadlock_found d = { 0 };
	cr_expect_eq(lb_deadlock_analyse(4, 2, w, w, held, held, sig, fin, &d), 0, "thread 3 can still signal");
	w[3] = W(7, LB_WAIT_LOCK, 1);
	cr_assert_eq(lb_deadlock_analyse(4, 2, w, w, held, held, sig, fin, &d), 3);
	cr_expect_str_eq(d.report, "thread 0 holds lock 1, waits on condition 0 signalled by thread 1, which waits for "
				   "lock 1; stuck behind them: thread 3");
	free(d.threads);
}

Test(deadlock_analysis, a_lock_taken_twice_by_its_owner)
{
	uint64_t w[2] = { W(3, LB_WAIT_LOCK, 0), W(1, LB_WAIT_LOCK, 0) };
	uint8_t held[2] = { 1, 0 };
	uint32_t sig[2] = { 0, 0 };
	bool fin[2] = { false, false };
	struct lb_deadlock_found d = { 0 };
	cr_assert_eq(lb_deadlock_analyse(2, 1, w, w, held, held, sig, fin, &d), 2);
	cr_expect_str_eq(d.report, "thread 0 holds lock 0 and waits for it again: a lock that is not reentrant, taken "
				   "twice by its owner; stuck behind them: thread 1");
	free(d.threads);
}

/* ---- real deadlocks, found during the run ---- */

/* "thread A holds lock X, waits for lock Y held by thread B, which waits for lock X", A != B, X != Y. */
static void expect_two_lock_cycle(const struct lb_outcome *out)
{
	cr_assert_eq(out->status, LB_STATUS_DEADLOCK, "%s", out->message);
	cr_assert_not_null(out->deadlock);
	const struct lb_deadlock_found *d = out->deadlock;
	cr_assert_eq(d->ncycle, 2, "%s", d->report);
	unsigned a = d->cycle[0].thread, b = d->cycle[1].thread, x = d->cycle[1].index, y = d->cycle[0].index;
	cr_expect_neq(a, b);
	cr_expect_neq(x, y);
	cr_expect_eq(d->cycle[0].next, b);
	cr_expect_eq(d->cycle[1].next, a);
	char want[256];
	snprintf(want, sizeof want, "thread %u holds lock %u, waits for lock %u held by thread %u, which waits for lock %u",
		 a, x, y, b, x);
	cr_expect_str_eq(d->report, want);
	/* Each stuck thread: its stack, what it waits for and who holds that. */
	cr_assert_eq(d->nstuck, 2);
	for (size_t i = 0; i < 2; i++) {
		const struct lb_stuck *s = &d->stuck[i];
		cr_expect_eq(lb_wait_kind_of(s->waiting), LB_WAIT_LOCK);
		cr_expect_eq(s->holder, (int)(s->id == a ? b : a));
		cr_expect_eq(s->nholds, 1);
		cr_expect_gt(s->nstack, 2, "thread %u has a stack", s->id);
		bool in_workload = false;
		for (size_t f = 0; f < s->nstack; f++)
			in_workload |= strstr(s->stack[f], "lockorder_thread") != NULL;
		cr_expect(in_workload, "thread %u's stack names the workload's loop", s->id);
	}
}

Test(deadlock, random_order_deadlocks_and_the_cycle_is_reported, .timeout = 60)
{
	struct lb_outcome out;
	run_spec("lockorder:order=random", lock("pthread"), 2, 2000000000, &out);
	expect_two_lock_cycle(&out);
	/* Found during the window, which it then ended: well before the 2 s were up. */
	cr_expect_lt(out.duration_s, 2.0);
	cr_expect(out.abandoned, "the deadlocked threads are left alone");
	lb_outcome_free(&out);
}

Test(deadlock, a_spinning_lock_deadlocks_too, .timeout = 60)
{
	struct lb_outcome out;
	run_spec("lockorder:order=random", lock("ticket"), 2, 2000000000, &out);
	expect_two_lock_cycle(&out);
	lb_outcome_free(&out);
}

Test(deadlock, condhold_is_found_with_its_condition_edge, .timeout = 60)
{
	struct lb_outcome out;
	run_spec("condhold", lock("pthread"), 2, 2000000000, &out);
	cr_assert_eq(out.status, LB_STATUS_DEADLOCK, "%s", out.message);
	cr_expect_str_eq(out.deadlock->report,
			 "thread 0 holds lock 1, waits on condition 0 signalled by thread 1, which waits for lock 1");
	/* The stop wakes the waiter: everyone left, nothing was abandoned. */
	cr_expect(!out.abandoned);
	lb_outcome_free(&out);
	/* The remedy: the waiter does not hold L2 while it waits. */
	run_spec("condhold:waiter_holds=0", lock("pthread"), 2, 200000000, &out);
	cr_expect_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_gt(out.run.threads[0].total, 0);
	lb_outcome_free(&out);
}

Test(deadlock, selfdeadlock_is_reported_and_rlock_completes, .timeout = 60)
{
	struct lb_outcome out;
	run_spec("selfdeadlock", lock("pthread"), 1, 2000000000, &out);
	cr_assert_eq(out.status, LB_STATUS_DEADLOCK, "%s", out.message);
	cr_expect_str_eq(out.deadlock->report, "thread 0 holds lock 0 and waits for it again: a lock that is not "
					       "reentrant, taken twice by its owner");
	lb_outcome_free(&out);
	run_spec("selfdeadlock", lock("rlock"), 2, 200000000, &out);
	cr_expect_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_expect_eq(out.verify_failures, 0);
	lb_outcome_free(&out);
}

/* ---- remedies finish, and nothing is mistaken for a deadlock ---- */

static void expect_clean(const char *workload, const char *lockname)
{
	struct lb_outcome out;
	run_spec(workload, lock(lockname), 2, 300000000, &out);
	cr_expect_eq(out.status, LB_STATUS_OK, "%s under %s: %s", workload, lockname, out.message);
	cr_expect_eq(out.violations, 0, "%s under %s", workload, lockname);
	cr_expect_eq(out.verify_failures, 0, "%s under %s: %s", workload, lockname, out.message);
	cr_expect_null(out.deadlock, "%s under %s", workload, lockname);
	cr_expect_gt(out.run.threads[0].total + out.run.threads[1].total, 0, "%s under %s made progress", workload,
		     lockname);
	lb_outcome_free(&out);
}

Test(lockorder, global_order_and_both_remedies_finish, .timeout = 120)
{
	expect_clean("lockorder:order=global", "pthread");
	expect_clean("lockorder:order=global,locks=8,k=4", "ticket");
	expect_clean("lockorder:order=random,avoid=trylock", "pthread");
	expect_clean("lockorder:order=random,avoid=trylock,locks=8,k=3", "tas");
	expect_clean("lockorder:order=random,avoid=timeout", "pthread");
	expect_clean("lockorder:order=random,avoid=timeout,locks=4,k=3", "futex");
}

/* What `run` and `stress` ask before anything runs (a usage error, exit 2). */
static int check(const char *spec, char *err, size_t errlen)
{
	struct lb_wl_choice wc;
	cr_assert_eq(lb_parse_workload(spec, &wc, err, errlen), 0, "%s: %s", spec, err);
	int rc = wc.wl->check != NULL ? wc.wl->check(wc.params, 2, err, errlen) : 0;
	lb_workload_free(&wc);
	return rc;
}

Test(lockorder, bad_values_are_refused_before_running)
{
	char err[256];
	cr_expect_neq(check("lockorder:order=sideways", err, sizeof err), 0);
	cr_expect(strstr(err, "order=\"sideways\"") != NULL, "%s", err);
	cr_expect_neq(check("lockorder:avoid=prayer", err, sizeof err), 0);
	cr_expect_neq(check("lockorder:locks=2,k=3", err, sizeof err), 0);
	cr_expect_neq(check("striped:stripes=8,counters=4", err, sizeof err), 0);
	cr_expect_eq(check("lockorder:order=random,avoid=timeout,locks=3,k=3", err, sizeof err), 0, "%s", err);
}

/* ---- bank ---- */

Test(bank, every_real_lock_keeps_the_total, .timeout = 240)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		if (ops->caps & LB_CAP_NO_EXCLUSION)
			continue;
		struct lb_outcome out;
		run_spec("bank:accounts=8,audit_every=50", ops, 2, 100000000, &out);
		cr_expect_eq(out.status, LB_STATUS_OK, "bank under %s: %s", ops->name, out.message);
		cr_expect_eq(out.verify_failures, 0, "bank under %s: %s", ops->name, out.message);
		lb_outcome_free(&out);
	}
}

Test(bank, none_is_caught, .timeout = 60)
{
	unsigned caught = 0;
	for (int attempt = 0; attempt < 8 && caught == 0; attempt++) {
		struct lb_outcome out;
		/* Two accounts: every transfer of one thread collides with the other's. */
		run_spec("bank:accounts=2,audit_every=20", lock("none"), 2, 200000000, &out);
		caught = out.verify_failures;
		lb_outcome_free(&out);
	}
	cr_expect_gt(caught, 0, "bank's verify() did not notice a lock that excludes nothing");
}

/* ---- per-lock figures ---- */

Test(locks, per_lock_figures_add_up_to_the_totals, .timeout = 60)
{
	struct lb_outcome out;
	run_spec("striped:stripes=4,counters=64", lock("ticket"), 2, 200000000, &out);
	cr_assert_eq(out.status, LB_STATUS_OK, "%s", out.message);
	cr_assert_eq(lb_lockset_count(out.run.locks), 4);
	uint64_t sum = 0, timed = 0;
	for (unsigned k = 0; k < 4; k++) {
		const struct lb_lock_figures *f = lb_lockset_figures(out.run.locks, k);
		cr_expect_gt(f->acquisitions, 0, "lock %u was taken", k);
		cr_expect_eq(f->violations, 0);
		cr_expect_eq(f->wait->count, f->timed, "lock %u: one wait per timed acquisition", k);
		cr_expect_leq(f->found_held, f->sampled);
		sum += f->acquisitions;
		timed += f->timed;
	}
	cr_expect_eq(sum, out.acquisitions, "per-lock acquisitions add up to the total");
	cr_expect_eq(timed, out.wait->count, "per-lock waits add up to the merged histogram");

	struct lb_sample s = { 0 };
	lb_sample_fill(&s, &out, 0, 1);
	cr_assert_eq(s.nlocks, 4);
	cr_expect_eq(s.locks[2].acquisitions, lb_lockset_figures(out.run.locks, 2)->acquisitions);
	cr_expect(s.locks[0].wait.present);
	cr_expect(isfinite(s.locks[0].contention) && s.locks[0].contention >= 0 && s.locks[0].contention <= 1);
	lb_sample_clear(&s);
	lb_outcome_free(&out);
}

Test(locks, each_lock_has_its_own_canary, .timeout = 60)
{
	/* Under none, the canaries of both stripes see intruders: each lock is checked on its own. */
	unsigned seen[2] = { 0, 0 };
	for (int attempt = 0; attempt < 8 && (seen[0] == 0 || seen[1] == 0); attempt++) {
		struct lb_outcome out;
		run_spec("striped:stripes=2,counters=2", lock("none"), 2, 200000000, &out);
		for (unsigned k = 0; k < 2; k++)
			seen[k] += lb_lockset_figures(out.run.locks, k)->violations != 0;
		lb_outcome_free(&out);
	}
	cr_expect(seen[0] && seen[1], "violations on lock 0: %u runs, on lock 1: %u runs", seen[0], seen[1]);
}

/* ---- a lock that writes past its declared state ---- */

static void overrun_acquire(void *state, void *node)
{
	(void)node;
	((volatile char *)state)[8] = 1; /* one byte past the 8 it declares */
}

static int overrun_release(void *state, void *node)
{
	(void)state, (void)node;
	return 0;
}

Test(locks, writing_past_the_state_fails_the_run, .timeout = 60)
{
	struct lb_lock_ops ops = { .abi_version = LB_LOCK_ABI_VERSION, .name = "overrun", .summary = "test",
				   .state_size = 8, .state_align = 8, .acquire = overrun_acquire,
				   .release = overrun_release };
	struct lb_outcome out;
	run_spec("cs", &ops, 1, 50000000, &out);
	cr_expect_eq(out.status, LB_STATUS_FAILED);
	cr_expect(strstr(out.message, "wrote past its declared state of 8 bytes: lock 0's bytes 8..8") != NULL, "%s",
		  out.message);
	lb_outcome_free(&out);
	/* The control: the same lock writing inside its state passes. */
	ops.state_size = 16;
	run_spec("cs", &ops, 1, 50000000, &out);
	cr_expect_eq(out.status, LB_STATUS_OK, "%s", out.message);
	lb_outcome_free(&out);
}

/* ---- the sample's JSON, as an isolated run hands it back ---- */

Test(locks, a_sample_with_faults_survives_its_json, .timeout = 60)
{
	struct lb_outcome out;
	run_spec("lockorder:order=random,locks=3", lock("pthread"), 2, 1000000000, &out);
	cr_assert_eq(out.status, LB_STATUS_DEADLOCK, "%s", out.message);
	struct lb_sample s = { 0 }, back;
	lb_sample_fill(&s, &out, 3, 1);
	s.crash = (struct lb_crash){ .present = true, .signal = strdup("SIGSEGV"), .exit_status = -1,
				     .stage = strdup("window") };
	char *text = lb_sample_to_json(&s), err[256];
	cr_assert_not_null(text);
	cr_assert_eq(lb_sample_from_json(text, strlen(text), &back, err, sizeof err), 0, "%s", err);
	char *again = lb_sample_to_json(&back);
	cr_expect_str_eq(again, text, "the sample comes back as it went");
	cr_expect(back.deadlock.present);
	cr_expect_eq(back.nlocks, 3);
	cr_expect_eq(back.nstuck, 2);
	free(text);
	free(again);
	lb_sample_clear(&s);
	lb_sample_clear(&back);
	lb_outcome_free(&out);
}
