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
#include <stdlib.h>
#include <stdio.h>
#include <inttypes.h>

#include "engine/harness.h"

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

struct cs_line {
	_Alignas(LB_CACHELINE) _Atomic uint64_t v;
};

struct cs_state {
	uint64_t cs_iters, think_iters;
	unsigned nlines;
	struct cs_line *lines;
};

static int cs_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct cs_state *s = calloc(1, sizeof *s);
	if (s == NULL) {
		snprintf(err, errlen, "cs: out of memory");
		return -1;
	}
	s->cs_iters = lb_busy_iters((uint64_t)run->wl_params[P_CS_NS].i);
	s->think_iters = lb_busy_iters((uint64_t)run->wl_params[P_THINK_NS].i);
	s->nlines = (unsigned)run->wl_params[P_CS_LINES].i;
	s->lines = aligned_alloc(LB_CACHELINE, s->nlines * sizeof *s->lines);
	if (s->lines == NULL) {
		free(s);
		snprintf(err, errlen, "cs: out of memory");
		return -1;
	}
	for (unsigned i = 0; i < s->nlines; i++)
		atomic_init(&s->lines[i].v, 0);
	run->wl_state = s;
	return 0;
}

/* Relaxed load + store, not an atomic add: a broken lock must lose updates. */
static inline void bump(struct cs_line *l)
{
	uint64_t v = atomic_load_explicit(&l->v, memory_order_relaxed);
	atomic_store_explicit(&l->v, v + 1, memory_order_relaxed);
}

static void cs_thread(struct lb_thread *t)
{
	const struct cs_state *s = t->run->wl_state;
	while (lb_running(t)) {
		lb_acquire(t);
		for (unsigned i = 0; i < s->nlines; i++)
			bump(&s->lines[i]);
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
			bump(&s->lines[i]);
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
	const struct cs_state *s = run->wl_state;
	uint64_t sum = 0;
	for (unsigned i = 0; i < run->nthreads; i++)
		sum += run->threads[i].total;
	uint64_t counter = atomic_load(&s->lines[0].v);
	if (counter == sum)
		return 0;
	snprintf(msg, msglen, "cs: shared counter %" PRIu64 " != %" PRIu64 " acquisitions (%" PRIu64 " lost)",
		 counter, sum, sum > counter ? sum - counter : counter - sum);
	return 1;
}

static void cs_teardown(struct lb_run *run)
{
	struct cs_state *s = run->wl_state;
	if (s != NULL) {
		free(s->lines);
		free(s);
	}
	run->wl_state = NULL;
}

const struct lb_workload lb_workload_cs = {
	.name = "cs",
	.summary = "lock, bump a shared counter and cs_lines lines, work cs_ns, unlock, think think_ns",
	.params = cs_params,
	.setup = cs_setup,
	.thread = cs_thread,
	.verify = cs_verify,
	.teardown = cs_teardown,
};

const struct lb_workload lb_workload_bare = {
	.name = "bare",
	.summary = "cs without instrumentation: the lock alone, the reference for `selftest overhead`",
	.params = cs_params,
	.setup = cs_setup,
	.thread = bare_thread,
	.verify = cs_verify,
	.teardown = cs_teardown,
};
