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
 * starts; setup refuses it too, for callers of lb_run_config.
 */
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>

#include "engine/harness.h"

enum { P_DEPTH, P_CS_NS, P_THINK_NS };

static const struct lb_param nest_params[] = {
	[P_DEPTH] = { "depth", LB_PARAM_INT, "3", "how many times the owner holds the lock at once", 1, 64 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work at the innermost level", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work after the outermost release", 0,
			 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

/* Per thread, written only by its thread, read by verify() after the join. */
struct nest_tally {
	_Alignas(LB_CACHELINE) uint64_t inner_release_errors;
};

struct nest_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
	_Alignas(LB_CACHELINE) unsigned depth;
	uint64_t cs_iters, think_iters;
	struct nest_tally *tally;
};

static int nest_setup(struct lb_run *run, char *err, size_t errlen)
{
	if (!(run->ops->caps & LB_CAP_REENTRANT)) {
		snprintf(err, errlen, "nest: lock %s is not reentrant (capability \"reentrant\"); its owner would "
			 "deadlock taking it again", run->ops->name);
		return -1;
	}
	struct nest_state *s = aligned_alloc(LB_CACHELINE, sizeof *s);
	struct nest_tally *tally = aligned_alloc(LB_CACHELINE, run->nthreads * sizeof *tally);
	if (s == NULL || tally == NULL) {
		free(s);
		free(tally);
		snprintf(err, errlen, "nest: out of memory");
		return -1;
	}
	for (unsigned i = 0; i < run->nthreads; i++)
		tally[i] = (struct nest_tally){ 0 };
	atomic_init(&s->counter, 0);
	s->depth = (unsigned)run->wl_params[P_DEPTH].i;
	s->cs_iters = lb_busy_iters((uint64_t)run->wl_params[P_CS_NS].i);
	s->think_iters = lb_busy_iters((uint64_t)run->wl_params[P_THINK_NS].i);
	s->tally = tally;
	run->wl_state = s;
	return 0;
}

static void nest_thread(struct lb_thread *t)
{
	struct nest_state *s = t->run->wl_state;
	struct nest_tally *me = &s->tally[t->id];
	const struct lb_lock_ops *ops = t->ops;
	while (lb_running(t)) {
		lb_acquire(t);
		uint64_t v = atomic_load_explicit(&s->counter, memory_order_relaxed);
		for (unsigned d = 1; d < s->depth; d++)
			ops->acquire(t->lock, t->node);
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		for (unsigned d = 1; d < s->depth; d++)
			if (ops->release(t->lock, t->node) != 0)
				me->inner_release_errors++;
		atomic_store_explicit(&s->counter, v + 1, memory_order_relaxed);
		lb_release(t);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned nest_verify(struct lb_run *run, char *msg, size_t msglen)
{
	const struct nest_state *s = run->wl_state;
	uint64_t passes = 0, errors = 0;
	for (unsigned i = 0; i < run->nthreads; i++) {
		passes += run->threads[i].total;
		errors += s->tally[i].inner_release_errors;
	}
	uint64_t counter = atomic_load(&s->counter);
	unsigned failures = (counter != passes) + (errors != 0);
	if (counter != passes)
		snprintf(msg, msglen, "nest: shared counter %" PRIu64 " != %" PRIu64 " outermost acquisitions",
			 counter, passes);
	else if (errors != 0)
		snprintf(msg, msglen, "nest: %" PRIu64 " inner releases returned -1 (owner not recognised)", errors);
	return failures;
}

static void nest_teardown(struct lb_run *run)
{
	struct nest_state *s = run->wl_state;
	if (s != NULL) {
		free(s->tally);
		free(s);
	}
	run->wl_state = NULL;
}

const struct lb_workload lb_workload_nest = {
	.name = "nest",
	.summary = "take the lock depth times nested, release as often (RLock; needs a reentrant lock)",
	.params = nest_params,
	.needs_caps = LB_CAP_REENTRANT,
	.setup = nest_setup,
	.thread = nest_thread,
	.verify = nest_verify,
	.teardown = nest_teardown,
};
