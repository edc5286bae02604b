/*
 * lockorder.c — lock ordering: each pass takes k of `locks` locks, bumps a
 * counter under each, works cs_ns and releases them in reverse.
 *
 *   order=global   ascending lock numbers: no cycle of waits can form, so
 *                  it never deadlocks (the remedy of a consistent order)
 *   order=random   the k locks in a random order: thread A holds lock 1
 *                  and waits for lock 0 while B holds 0 and waits for 1 —
 *                  a deadlock, which the watchdog finds and explains
 *   avoid=trylock  the first lock blocking, every later one with a try: on
 *                  a failure give back what is held, back off a random
 *                  0..backoff_ns, start the pass again (needs `try`)
 *   avoid=timeout  the same with timed waits of timeout_ns (needs `timed`)
 *
 * With either remedy order=random finishes: a thread never waits for a
 * lock while holding one, except for at most timeout_ns. verify(): the
 * counters add up to the bumps the threads made (k per completed pass).
 */
#include <stdio.h>
#include <string.h>

#include "engine/multilock.h"
#include "engine/workload.h"
#include "workloads/pick.h"

enum { P_LOCKS, P_K, P_ORDER, P_AVOID, P_TIMEOUT_NS, P_BACKOFF_NS, P_CS_NS, P_THINK_NS, P_SEED };
enum { AVOID_NONE, AVOID_TRYLOCK, AVOID_TIMEOUT };
#define MAX_K 64

static const struct lb_param lockorder_params[] = {
	[P_LOCKS] = { "locks", LB_PARAM_INT, "2", "locks to choose from", 2, 4096 },
	[P_K] = { "k", LB_PARAM_INT, "2", "locks held at once by a pass", 2, MAX_K },
	[P_ORDER] = { "order", LB_PARAM_STRING, "global", "global (ascending) or random", 0, 0 },
	[P_AVOID] = { "avoid", LB_PARAM_STRING, "none", "none, trylock or timeout: give up and retry", 0, 0 },
	[P_TIMEOUT_NS] = { "timeout_ns", LB_PARAM_DURATION, "100us", "avoid=timeout: the longest wait for a lock",
			   1000, 1000000000 },
	[P_BACKOFF_NS] = { "backoff_ns", LB_PARAM_DURATION, "1us", "after giving up, a random pause up to this", 0,
			   1000000000 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work while all k are held", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work between passes", 0, 1000000000 },
	[P_SEED] = { "seed", LB_PARAM_INT, "1", "seed of the per-thread choices", 0, INT64_MAX },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct lockorder_tally {
	uint64_t bumps, give_ups;
};

struct lockorder_state {
	unsigned nlocks, k, avoid;
	bool random_order;
	uint64_t timeout_ns, backoff_iters, cs_iters, think_iters, seed;
	struct lb_line *counters; /* counter l under lock l */
};

static int parse_avoid(const char *s)
{
	return strcmp(s, "none") == 0 ? AVOID_NONE : strcmp(s, "trylock") == 0 ? AVOID_TRYLOCK
					  : strcmp(s, "timeout") == 0 ? AVOID_TIMEOUT : -1;
}

static unsigned lockorder_nlocks(const union lb_value *p)
{
	return (unsigned)p[P_LOCKS].i;
}

static int lockorder_check(const union lb_value *p, unsigned nthreads, char *err, size_t errlen)
{
	(void)nthreads;
	if (strcmp(p[P_ORDER].s, "global") != 0 && strcmp(p[P_ORDER].s, "random") != 0)
		snprintf(err, errlen, "lockorder: order=\"%s\" is not global or random", p[P_ORDER].s);
	else if (parse_avoid(p[P_AVOID].s) < 0)
		snprintf(err, errlen, "lockorder: avoid=\"%s\" is not none, trylock or timeout", p[P_AVOID].s);
	else if (p[P_K].i > p[P_LOCKS].i)
		snprintf(err, errlen, "lockorder: k=%" PRId64 " is more than locks=%" PRId64, p[P_K].i, p[P_LOCKS].i);
	else
		return 0;
	return -1;
}

static int lockorder_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct lockorder_state *s = run->wl_state;
	s->nlocks = (unsigned)lb_param(run, P_LOCKS);
	s->k = (unsigned)lb_param(run, P_K);
	s->random_order = strcmp(run->wl_params[P_ORDER].s, "random") == 0;
	s->avoid = (unsigned)parse_avoid(run->wl_params[P_AVOID].s);
	s->timeout_ns = (uint64_t)lb_param(run, P_TIMEOUT_NS);
	s->backoff_iters = lb_param_iters(run, P_BACKOFF_NS);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	s->seed = (uint64_t)lb_param(run, P_SEED);
	if (s->avoid == AVOID_TRYLOCK && !(run->ops->caps & LB_CAP_TRY))
		return lb_setup_fail(run, err, errlen, "avoid=trylock needs a lock with \"try\", which %s lacks",
				     run->ops->name);
	if (s->avoid == AVOID_TIMEOUT && !(run->ops->caps & LB_CAP_TIMED))
		return lb_setup_fail(run, err, errlen, "avoid=timeout needs a lock with \"timed\", which %s lacks",
				     run->ops->name);
	s->counters = lb_wl_alloc(run, s->nlocks, sizeof *s->counters);
	return s->counters != NULL ? 0 : lb_setup_fail(run, err, errlen, "out of memory");
}

/* k distinct locks, in the order they are to be taken. */
static void choose(const struct lockorder_state *s, uint64_t *x, unsigned *pick)
{
	for (unsigned j = 0; j < s->k; j++) {
		unsigned l;
		bool again;
		do {
			l = (unsigned)lb_pick(x, s->nlocks);
			again = false;
			for (unsigned i = 0; i < j; i++)
				again |= pick[i] == l;
		} while (again);
		pick[j] = l;
	}
	if (s->random_order)
		return;
	for (unsigned j = 1; j < s->k; j++) /* insertion sort: k is small */
		for (unsigned i = j; i > 0 && pick[i - 1] > pick[i]; i--) {
			unsigned tmp = pick[i];
			pick[i] = pick[i - 1];
			pick[i - 1] = tmp;
		}
}

/* Take lock j of the pass: blocking, or (after the first) by the remedy. */
static bool take(struct lb_thread *t, const struct lockorder_state *s, unsigned j, unsigned l)
{
	if (j == 0 || s->avoid == AVOID_NONE) {
		lb_acquire_k(t, l);
		return true;
	}
	if (s->avoid == AVOID_TRYLOCK)
		return lb_try_acquire_k(t, l);
	return lb_acquire_until_k(t, l, lb_mono_ns() + s->timeout_ns);
}

static void lockorder_thread(struct lb_thread *t)
{
	const struct lockorder_state *s = t->run->wl_state;
	struct lockorder_tally *me = t->tally;
	uint64_t x = lb_pick_seed(s->seed, t->id);
	unsigned pick[MAX_K];
	while (lb_running(t)) {
		choose(s, &x, pick);
		unsigned held = 0;
		while (held < s->k) {
			if (take(t, s, held, pick[held])) {
				held++;
				continue;
			}
			/* Gave up: hand back what is held, pause, start again (unless the run is over). */
			while (held > 0)
				lb_release_k(t, pick[--held]);
			me->give_ups++;
			if (s->backoff_iters)
				lb_busy(lb_pick(&x, s->backoff_iters + 1));
			if (!lb_running(t))
				return;
		}
		for (unsigned j = 0; j < s->k; j++)
			lb_bump(&s->counters[pick[j]].v);
		me->bumps += s->k;
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		while (held > 0)
			lb_release_k(t, pick[--held]);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned lockorder_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct lockorder_state *s = run->wl_state;
	uint64_t sum = 0;
	for (unsigned l = 0; l < s->nlocks; l++)
		sum += lb_relaxed_load(&s->counters[l].v);
	return lb_verify_count(run, sum, LB_TALLY_SUM(run, struct lockorder_tally, bumps), "bumps", msg, msglen) != 0;
}

const struct lb_workload lb_workload_lockorder = {
	.name = "lockorder",
	.summary = "take k of `locks` locks per pass: order=global|random, avoid=none|trylock|timeout",
	.params = lockorder_params,
	.state_size = sizeof(struct lockorder_state),
	.tally_size = sizeof(struct lockorder_tally),
	.setup = lockorder_setup,
	.thread = lockorder_thread,
	.verify = lockorder_verify,
	.nlocks = lockorder_nlocks,
	.check = lockorder_check,
	.may_deadlock = "order=random with avoid=none takes locks in any order: two threads can each hold the lock "
			"the other waits for",
};
