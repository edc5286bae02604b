/*
 * selfdeadlock.c — reentrancy misuse: the owner of a lock takes it again,
 * as a method holding a threading.Lock calls another that takes it too.
 *
 * Each pass takes the lock (measured), reads a shared counter, takes the
 * lock again depth - 1 times straight from the lock (engine/multilock.h's
 * lb_reacquire_k, which publishes the wait), works cs_ns, gives the inner
 * levels back, writes the counter back incremented and releases.
 *
 * Under a reentrant lock (rlock) it completes, and verify() checks the
 * counter against the passes and that no inner release failed. Under any
 * other lock the first re-acquire never returns: the deadlock watchdog
 * sees a thread waiting for a lock it holds itself and reports
 *
 *     thread 0 holds lock 0 and waits for it again: a lock that is not
 *     reentrant, taken twice by its owner; stuck behind them: thread 1
 *
 * rather than a silent hang. (workloads/nest.c is the same pass for locks
 * that declare themselves reentrant; this one asks no capability, so the
 * misuse can be run and seen.)
 */
#include "engine/multilock.h"
#include "engine/workload.h"

enum { P_DEPTH, P_CS_NS, P_THINK_NS };

static const struct lb_param selfdeadlock_params[] = {
	[P_DEPTH] = { "depth", LB_PARAM_INT, "2", "how many times the owner takes the lock in a pass", 2, 64 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work at the innermost level", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work between passes", 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct selfdeadlock_tally {
	uint64_t inner_release_errors;
};

struct selfdeadlock_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
	_Alignas(LB_CACHELINE) unsigned depth;
	uint64_t cs_iters, think_iters;
};

static int selfdeadlock_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct selfdeadlock_state *s = run->wl_state;
	s->depth = (unsigned)lb_param(run, P_DEPTH);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	return 0;
}

static void selfdeadlock_thread(struct lb_thread *t)
{
	struct selfdeadlock_state *s = t->run->wl_state;
	struct selfdeadlock_tally *me = t->tally;
	while (lb_running(t)) {
		lb_acquire_k(t, 0);
		uint64_t v = lb_relaxed_load(&s->counter);
		for (unsigned d = 1; d < s->depth; d++)
			lb_reacquire_k(t, 0);
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		for (unsigned d = 1; d < s->depth; d++)
			if (lb_rerelease_k(t, 0) != 0)
				me->inner_release_errors++;
		lb_relaxed_store(&s->counter, v + 1);
		lb_release_k(t, 0);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned selfdeadlock_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct selfdeadlock_state *s = run->wl_state;
	uint64_t errors = LB_TALLY_SUM(run, struct selfdeadlock_tally, inner_release_errors);
	unsigned failures = lb_verify_count(run, lb_relaxed_load(&s->counter), lb_total(run), "passes", msg, msglen) != 0;
	if (errors != 0 && failures++ == 0)
		lb_verify_fail(run, msg, msglen, "%" PRIu64 " inner releases returned -1", errors);
	return failures;
}

const struct lb_workload lb_workload_selfdeadlock = {
	.name = "selfdeadlock",
	.summary = "the owner takes its lock again (depth times): completes under rlock, a reported deadlock otherwise",
	.params = selfdeadlock_params,
	.state_size = sizeof(struct selfdeadlock_state),
	.tally_size = sizeof(struct selfdeadlock_tally),
	.setup = selfdeadlock_setup,
	.thread = selfdeadlock_thread,
	.verify = selfdeadlock_verify,
	.may_deadlock = "a lock that is not reentrant never returns to an owner taking it again",
};
