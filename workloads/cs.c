/*
 * cs.c — the critical-section workload: the classic lock microbenchmark.
 *
 * Each iteration takes the lock, increments a shared counter, writes
 * cs_lines shared cache lines (the counter lives in the first), spins for
 * cs_ns of calibrated busy work while calling the lock's poll hook about
 * every microsecond (so the GIL can be asked to switch), releases, and then
 * thinks for think_ns outside the lock. verify() checks the counter against
 * the sum of every thread's acquisitions: a lock that lets two holders in
 * loses increments.
 *
 * `bare` is the same loop with the same parameters, uninstrumented: it calls
 * the lock's acquire and release directly, with no canary, sequence, clock,
 * order log or poll, and only counts. It is the reference against which
 * `lockbench selftest overhead` measures what the harness costs; its
 * latency, starvation and short-term fairness figures stay empty.
 */
#include "engine/workload.h"

enum { P_CS_NS, P_THINK_NS, P_CS_LINES };

static const struct lb_param cs_params[] = {
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0",
		      "busy work inside the critical section (0 = only the counter update)", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0",
			 "busy work outside the critical section", 0, 1000000000 },
	[P_CS_LINES] = { "cs_lines", LB_PARAM_INT, "1",
			 "shared cache lines written inside (the first holds the counter)", 1, 1024 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct cs_state {
	uint64_t cs_iters, think_iters;
	unsigned nlines;
	struct lb_line *lines;
};

static int cs_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct cs_state *s = run->wl_state;
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	s->nlines = (unsigned)lb_param(run, P_CS_LINES);
	s->lines = lb_wl_alloc(run, s->nlines, sizeof *s->lines);
	return s->lines != NULL ? 0 : lb_setup_fail(run, err, errlen, "out of memory");
}

static void cs_thread(struct lb_thread *t)
{
	const struct cs_state *s = t->run->wl_state;
	while (lb_running(t)) {
		lb_acquire(t);
		for (unsigned i = 0; i < s->nlines; i++)
			lb_bump(&s->lines[i].v);
		if (s->cs_iters)
			lb_busy_polling(t, s->cs_iters);
		lb_release(t);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static void bare_thread(struct lb_thread *t)
{
	const struct cs_state *s = t->run->wl_state;
	const struct lb_lock_ops *ops = t->ops;
	void *lock = t->lock, *node = t->node;
	while (lb_running(t)) {
		ops->acquire(lock, node);
		for (unsigned i = 0; i < s->nlines; i++)
			lb_bump(&s->lines[i].v);
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		ops->release(lock, node);
		t->acquisitions++;
		t->total++;
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned cs_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct cs_state *s = run->wl_state;
	return lb_verify_count(run, lb_relaxed_load(&s->lines[0].v), lb_total(run), "acquisitions", msg, msglen) != 0;
}

const struct lb_workload lb_workload_cs = {
	.name = "cs",
	.summary = "lock, bump a shared counter and cs_lines lines, work cs_ns, unlock, think think_ns",
	.params = cs_params,
	.state_size = sizeof(struct cs_state),
	.setup = cs_setup,
	.thread = cs_thread,
	.verify = cs_verify,
};

const struct lb_workload lb_workload_bare = {
	.name = "bare",
	.summary = "cs without instrumentation: the lock alone, the reference for `selftest overhead`",
	.params = cs_params,
	.state_size = sizeof(struct cs_state),
	.setup = cs_setup,
	.thread = bare_thread,
	.verify = cs_verify,
};
