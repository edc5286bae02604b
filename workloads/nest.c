/*
 * nest.c — reentrant locking: threading.RLock taken again by its owner, as a
 * method holding it calls another method that takes it too.
 *
 * Each pass takes the lock `depth` times nested and gives it up as many
 * times:
 *
 *   lb_acquire                      outermost: measured, canary set
 *     v = counter                   read on entry
 *     ops->acquire  x (depth - 1)   inner levels: straight to the lock
 *       work cs_ns                  the innermost critical section
 *     ops->release  x (depth - 1)   each must return 0
 *     counter = v + 1               still held, by the outermost level
 *   lb_release                      outermost
 *   think think_ns
 *
 * Only the outermost level goes through the harness, and only it counts as
 * an acquisition: the harness's owner canary would take a second
 * lb_acquire by the owner for a second holder. The inner levels call the
 * lock's acquire and release directly; a release that returns -1 is counted
 * by the workload.
 *
 * verify(): the shared counter, read on entry and written back incremented
 * just before the outermost release (a relaxed load and store, not an
 * atomic add), equals the number of outermost acquisitions. Anyone let in
 * while the owner is still inside — at any level, and in particular after
 * the inner releases, where a lock that took the first release for the
 * last would already have let go — overlaps that read and write, and an
 * update is lost. And no inner release returned -1. The work does not poll:
 * a hand-over inside the pass would lose an update without any fault.
 *
 * Needs LB_CAP_REENTRANT: a lock that is not reentrant deadlocks on the
 * second acquire. `lockbench run` refuses such a lock before any thread
 * starts; the harness refuses it at setup too, for callers of lb_run_config.
 */
#include "engine/workload.h"

enum { P_DEPTH, P_CS_NS, P_THINK_NS };

static const struct lb_param nest_params[] = {
	[P_DEPTH] = { "depth", LB_PARAM_INT, "3", "how many times the owner holds the lock at once", 1, 64 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work at the innermost level", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work after the outermost release", 0,
			 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct nest_tally {
	uint64_t inner_release_errors;
};

struct nest_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
	_Alignas(LB_CACHELINE) unsigned depth;
	uint64_t cs_iters, think_iters;
};

static int nest_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct nest_state *s = run->wl_state;
	s->depth = (unsigned)lb_param(run, P_DEPTH);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	return 0;
}

static void nest_thread(struct lb_thread *t)
{
	struct nest_state *s = t->run->wl_state;
	struct nest_tally *me = t->tally;
	const struct lb_lock_ops *ops = t->ops;
	while (lb_running(t)) {
		lb_acquire(t);
		uint64_t v = lb_relaxed_load(&s->counter);
		for (unsigned d = 1; d < s->depth; d++)
			ops->acquire(t->lock, t->node);
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		for (unsigned d = 1; d < s->depth; d++)
			if (ops->release(t->lock, t->node) != 0)
				me->inner_release_errors++;
		lb_relaxed_store(&s->counter, v + 1);
		lb_release(t);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned nest_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct nest_state *s = run->wl_state;
	uint64_t errors = LB_TALLY_SUM(run, struct nest_tally, inner_release_errors);
	unsigned failures = lb_verify_count(run, lb_relaxed_load(&s->counter), lb_total(run),
					    "outermost acquisitions", msg, msglen) != 0;
	if (errors != 0 && failures++ == 0)
		lb_verify_fail(run, msg, msglen, "%" PRIu64 " inner releases returned -1 (owner not recognised)",
			       errors);
	return failures;
}

const struct lb_workload lb_workload_nest = {
	.name = "nest",
	.summary = "take the lock depth times nested, release as often (RLock; needs a reentrant lock)",
	.params = nest_params,
	.needs_caps = LB_CAP_REENTRANT,
	.state_size = sizeof(struct nest_state),
	.tally_size = sizeof(struct nest_tally),
	.setup = nest_setup,
	.thread = nest_thread,
	.verify = nest_verify,
};
