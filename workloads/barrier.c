/*
 * barrier.c — threading.Barrier(parties = threads) over the lock under
 * test: every thread works work_ns, then waits at the barrier, and again.
 *
 * Python's Barrier is a Condition over a Lock, a count and a state
 * (filling, draining), and so is this one (cond.h):
 *   wait(): with cond:
 *             while state == draining: cond.wait()      # the last round empties
 *             index = count; count += 1
 *             if index + 1 == parties: state = draining; generation += 1;
 *                                      cond.notify_all()
 *             else: while state == filling: cond.wait()
 *             count -= 1
 *             if count == 0 and state == draining: state = filling;
 *                                                  cond.notify_all()
 * (Python's _enter, _release, _wait and _exit, without timeouts and
 * breaking.) Each round takes the lock once per thread plus once per
 * wake-up, and the last arrival's notify_all wakes everyone at once.
 *
 * Counted over the measured window (workload_figures): rounds and
 * rounds_per_s (generations completed), wakeups and wakeups_futile (a
 * wake-up after which the thread's condition still did not hold: woken by
 * the other notify_all of the round).
 *
 * verify(): each thread counts the rounds it passed; a round completed is
 * passed by every thread, so the sum is parties × generations, and no two
 * threads are more than one round apart. And every stretch of holding the
 * lock (from taking it, or retaking it after a wait, to letting it go or
 * going to sleep) bumps a shared counter with a load at its start and a
 * store at its end, which must equal the stretches the threads counted:
 * under a lock that lets two in, two threads that arrive together read
 * the same count and the barrier never fills — that alone would stall the
 * run until the stop, so the counter is what catches it (counting only
 * the arrivals caught `none` in a third of 200 ms windows; the waker and
 * the woken overlap far more often).
 *
 * Stop: the stop hook wakes every sleeper. A thread leaving during a round
 * already completed (generation moved past the one it arrived in) counts
 * it as passed: the others do too. A thread arriving after the stop turns
 * back, so that no round completes without a thread the stop sent away
 * (the stop word is seq_cst and read under the lock: a thread that left
 * read it set before its release, so any later arrival reads it set too).
 */
#include "cond.h"
#include "engine/workload.h"
#include "figures.h"

enum { P_WORK_NS };

static const struct lb_param barrier_params[] = {
	[P_WORK_NS] = { "work_ns", LB_PARAM_DURATION, "1us", "busy work before each wait at the barrier", 0,
			1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

enum { FILLING, DRAINING };

struct barrier_tally {
	uint64_t passed;   /* rounds passed, whole run */
	uint64_t sections; /* stretches of holding the lock, whole run */
	/* In the measured window: */
	uint64_t rounds, wakeups, futile;
};

struct barrier_state {
	/* Under the lock. */
	_Alignas(LB_CACHELINE) _Atomic uint32_t count, state;
	_Atomic uint64_t generation, sections;
	struct lb_cond cond;
	/* Read-only once set up. */
	_Alignas(LB_CACHELINE) uint64_t work_iters;
	unsigned parties;
};

static int barrier_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct barrier_state *s = run->wl_state;
	s->work_iters = lb_param_iters(run, P_WORK_NS);
	s->parties = run->nthreads;
	return 0;
}

/*
 * Every stretch of holding the lock — from taking it, or retaking it in a
 * wait, to letting it go, or going to sleep — bumps `sections`: loaded at
 * its start, stored plus one at its end.
 */
static uint64_t hold_begin(struct barrier_state *s)
{
	return lb_relaxed_load(&s->sections);
}

static void hold_end(struct barrier_state *s, struct barrier_tally *me, uint64_t v)
{
	lb_relaxed_store(&s->sections, v + 1);
	me->sections++;
}

/* cond.wait() until state != avoid; false when the run stops. Counts the wake-ups. */
static bool wait_while(struct lb_thread *t, struct barrier_state *s, struct barrier_tally *me, uint32_t avoid,
		       uint64_t *v)
{
	bool woken = false;
	while (lb_relaxed_load(&s->state) == avoid) {
		me->futile += woken && wl_in_window(t);
		hold_end(s, me, *v);
		bool going_on = lb_cond_wait(t, &s->cond);
		*v = hold_begin(s);
		if (!going_on)
			return false;
		me->wakeups += wl_in_window(t);
		woken = true;
	}
	return true;
}

/* Barrier.wait(); false when the run stopped. Called and returns without the lock. */
static bool barrier_wait(struct lb_thread *t, struct barrier_state *s, struct barrier_tally *me)
{
	lb_acquire(t);
	uint64_t v = hold_begin(s);
	bool ok = !atomic_load(&s->cond.stopped); /* no round may complete once the stop sent a waiter away */
	if (ok && lb_relaxed_load(&s->state) == DRAINING)
		ok = wait_while(t, s, me, DRAINING, &v);
	if (!ok) {
		hold_end(s, me, v);
		lb_release(t);
		return false;
	}
	uint64_t gen = lb_relaxed_load(&s->generation);
	uint32_t index = lb_relaxed_load(&s->count);
	lb_relaxed_store(&s->count, index + 1);
	if (index + 1 >= s->parties) {
		lb_relaxed_store(&s->state, DRAINING);
		lb_relaxed_store(&s->generation, gen + 1);
		lb_cond_notify(&s->cond, INT_MAX);
	} else {
		ok = wait_while(t, s, me, FILLING, &v);
	}
	if (lb_relaxed_load(&s->generation) != gen) { /* the round completed, stop or not */
		me->passed++;
		me->rounds += wl_in_window(t);
	}
	if (ok) {
		uint32_t left = lb_relaxed_load(&s->count) - 1;
		lb_relaxed_store(&s->count, left);
		if (left == 0 && lb_relaxed_load(&s->state) == DRAINING) {
			lb_relaxed_store(&s->state, FILLING);
			lb_cond_notify(&s->cond, INT_MAX);
		}
	}
	hold_end(s, me, v);
	lb_release(t);
	return ok;
}

static void barrier_thread(struct lb_thread *t)
{
	struct barrier_state *s = t->run->wl_state;
	while (lb_running(t)) {
		if (s->work_iters)
			lb_busy(s->work_iters);
		if (!barrier_wait(t, s, t->tally))
			return;
	}
}

static void barrier_stop(struct lb_run *run)
{
	struct barrier_state *s = run->wl_state;
	lb_cond_stop(&s->cond);
}

static unsigned barrier_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct barrier_state *s = run->wl_state;
	if (lb_verify_count(run, lb_relaxed_load(&s->sections), LB_TALLY_SUM(run, struct barrier_tally, sections),
			    "stretches of holding the lock", msg, msglen) != 0)
		return 1;
	uint64_t passed = LB_TALLY_SUM(run, struct barrier_tally, passed), gen = lb_relaxed_load(&s->generation);
	uint64_t most = LB_TALLY_MAX(run, struct barrier_tally, passed), least = most;
	for (unsigned i = 0; i < run->nthreads; i++) {
		const struct barrier_tally *me = run->threads[i].tally;
		least = me->passed < least ? me->passed : least;
	}
	if (passed != (uint64_t)s->parties * gen)
		return lb_verify_fail(run, msg, msglen, "%" PRIu64 " rounds passed in all, not %u parties x %" PRIu64
				      " generations", passed, s->parties, gen);
	if (most - least > 1)
		return lb_verify_fail(run, msg, msglen, "threads passed %" PRIu64 " to %" PRIu64 " rounds", least, most);
	return 0;
}

static size_t barrier_figures(struct lb_run *run, double window_s, struct lb_figure *out, size_t max)
{
	double rounds = (double)LB_TALLY_MAX(run, struct barrier_tally, rounds);
	const struct lb_figure all[] = {
		{ "rounds", rounds },
		{ "rounds_per_s", wl_per_s(rounds, window_s) },
		{ "wakeups", (double)LB_TALLY_SUM(run, struct barrier_tally, wakeups) },
		{ "wakeups_futile", (double)LB_TALLY_SUM(run, struct barrier_tally, futile) },
	};
	return wl_figures_copy(out, max, all, sizeof all / sizeof all[0]);
}

const struct lb_workload lb_workload_barrier = {
	.name = "barrier",
	.summary = "threading.Barrier(threads) from a condition over the lock: work work_ns, wait for all, again",
	.params = barrier_params,
	.state_size = sizeof(struct barrier_state),
	.tally_size = sizeof(struct barrier_tally),
	.setup = barrier_setup,
	.thread = barrier_thread,
	.verify = barrier_verify,
	.stop = barrier_stop,
	.figures = barrier_figures,
};
