/*
 * cs.c — the critical-section workload: the classic lock microbenchmark.
 *
 * Each iteration takes the lock, writes cs_lines shared cache lines (the
 * first one holds the shared counter and is the harness's critical-section
 * line, lb_guarded_counter(), so the canary and the sequence cost no line of
 * their own), spins for cs_ns of calibrated busy work while calling the
 * lock's poll hook about every microsecond (so the GIL can be asked to
 * switch), releases, and then thinks for think_ns outside the lock.
 * verify() checks the counter against the sum of every thread's
 * acquisitions: a lock that lets two holders in loses increments.
 *
 * cs_lines=0 touches no shared line of the workload's (lockhammer's default
 * critical section). The harness still writes its critical-section line
 * (canary and sequence), which is then the one shared line inside besides
 * the lock's own; exclusion is checked by the canary and by the sequence
 * numbers alone (no counter to compare).
 *
 * `bare` is the same loop with the same parameters, uninstrumented: it calls
 * the lock's acquire and release directly, with no canary, sequence, order
 * log or poll, and only counts. It is the reference against which
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
			 "shared cache lines written inside (the first holds the counter; 0 = none)", 0, 1024 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct cs_state {
	uint64_t cs_iters, think_iters;
	unsigned nlines;         /* lines beyond the counter's */
	_Atomic uint64_t *counter; /* on the critical-section line; NULL with cs_lines=0 */
	struct lb_line *lines;
};

static int cs_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct cs_state *s = run->wl_state;
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	unsigned lines = (unsigned)lb_param(run, P_CS_LINES);
	if (lines == 0)
		return 0;
	s->counter = lb_guarded_counter(run);
	s->nlines = lines - 1;
	s->lines = lb_wl_alloc(run, s->nlines, sizeof *s->lines);
	return s->lines != NULL ? 0 : lb_setup_fail(run, err, errlen, "out of memory");
}

/* The critical section's writes: the counter, then the other lines. */
static inline void cs_write(const struct cs_state *s)
{
	if (s->counter == NULL)
		return;
	lb_bump(s->counter);
	for (unsigned i = 0; i < s->nlines; i++)
		lb_bump(&s->lines[i].v);
}

static void cs_thread(struct lb_thread *t)
{
	const struct cs_state *s = t->run->wl_state;
	while (lb_running(t)) {
		lb_acquire(t);
		cs_write(s);
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
		cs_write(s);
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		ops->release(lock, node);
		lb_count(t);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned cs_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct cs_state *s = run->wl_state;
	if (s->counter == NULL)
		return 0; /* cs_lines=0: the canary and the sequence check exclusion */
	return lb_verify_count(run, lb_relaxed_load(s->counter), lb_total(run), "acquisitions", msg, msglen) != 0;
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
