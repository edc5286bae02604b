/*
 * striped.c — fine-grained locking, measured: a counter array guarded by
 * `stripes` locks (counter i under lock i mod stripes) against the same
 * array under one lock (stripes=1). Each pass picks a counter at random,
 * takes its stripe's lock, bumps the counter (a relaxed load and store),
 * works cs_ns, releases and thinks think_ns. Run it twice to compare:
 *
 *   lockbench run -w striped:stripes=1 -w striped:stripes=16 -t 1,2,4
 *
 * verify(): the counters add up to the acquisitions (each pass bumps one).
 * A lock that lets two holders in loses updates of a counter; so does a
 * striping bug that puts a counter under two locks.
 */
#include <stdio.h>

#include "engine/multilock.h"
#include "engine/workload.h"
#include "workloads/pick.h"

enum { P_STRIPES, P_COUNTERS, P_CS_NS, P_THINK_NS };

static const struct lb_param striped_params[] = {
	[P_STRIPES] = { "stripes", LB_PARAM_INT, "16", "locks over the counters (1: one lock for all)", 1, 4096 },
	[P_COUNTERS] = { "counters", LB_PARAM_INT, "1024", "counters, each on a cache line of its own", 1, 1 << 20 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work inside the critical section", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work outside", 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct striped_state {
	unsigned stripes, ncounters;
	uint64_t cs_iters, think_iters;
	struct lb_line *counters;
};

static unsigned striped_nlocks(const union lb_value *p)
{
	return (unsigned)p[P_STRIPES].i;
}

static int striped_check(const union lb_value *p, unsigned nthreads, char *err, size_t errlen)
{
	(void)nthreads;
	if (p[P_STRIPES].i > p[P_COUNTERS].i) {
		snprintf(err, errlen, "striped: stripes=%" PRId64 " is more than counters=%" PRId64 " (a lock would guard nothing)",
			 p[P_STRIPES].i, p[P_COUNTERS].i);
		return -1;
	}
	return 0;
}

static int striped_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct striped_state *s = run->wl_state;
	s->stripes = (unsigned)lb_param(run, P_STRIPES);
	s->ncounters = (unsigned)lb_param(run, P_COUNTERS);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	s->counters = lb_wl_alloc(run, s->ncounters, sizeof *s->counters);
	return s->counters != NULL ? 0 : lb_setup_fail(run, err, errlen, "out of memory");
}

static void striped_thread(struct lb_thread *t)
{
	const struct striped_state *s = t->run->wl_state;
	uint64_t x = lb_pick_seed(1, t->id);
	while (lb_running(t)) {
		unsigned c = (unsigned)lb_pick(&x, s->ncounters), k = c % s->stripes;
		lb_acquire_k(t, k);
		lb_bump(&s->counters[c].v);
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		lb_release_k(t, k);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned striped_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct striped_state *s = run->wl_state;
	uint64_t sum = 0;
	for (unsigned i = 0; i < s->ncounters; i++)
		sum += lb_relaxed_load(&s->counters[i].v);
	return lb_verify_count(run, sum, lb_total(run), "acquisitions", msg, msglen) != 0;
}

const struct lb_workload lb_workload_striped = {
	.name = "striped",
	.summary = "a counter array under `stripes` locks (counter i under lock i mod stripes) vs one lock",
	.params = striped_params,
	.state_size = sizeof(struct striped_state),
	.setup = striped_setup,
	.thread = striped_thread,
	.verify = striped_verify,
	.nlocks = striped_nlocks,
	.check = striped_check,
};
