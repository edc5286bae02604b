/*
 * trylock.c — taking a lock without committing to wait: Python's
 * lock.acquire(blocking=False) and lock.acquire(timeout=...).
 *
 * `trylock`: each attempt is one try_acquire. On success the thread reads a
 * shared counter, works cs_ns, writes the counter back incremented and
 * releases, then thinks think_ns. On failure it backs off backoff_ns of busy
 * work and tries again. Needs LB_CAP_TRY.
 *
 * `timedlock`: the same, but each attempt waits up to timeout_ns in
 * acquire_until. The deadline is lb_mono_ns() + timeout_ns: one
 * CLOCK_MONOTONIC read per attempt (~20-25 ns through the vDSO). That is
 * the pattern itself — a caller of acquire(timeout=t) computes a deadline —
 * so it stays in: it costs throughput, but not measured wait, because the
 * deadline is computed before the harness starts timing the attempt.
 * Needs LB_CAP_TIMED.
 *
 * Two workloads rather than one with a mode: what a workload needs from a
 * lock is declared statically (needs_caps), so `lockbench run` refuses
 * `timedlock` with a lock that has no timed acquire before any thread
 * starts, instead of failing config by config (and the harness refuses it
 * at setup for every other caller).
 *
 * Failed attempts are counted by the harness (threads[].try_failures); a
 * thread's starvation gap runs from its first failed attempt to its next
 * success. verify() checks the shared counter against the sum of every
 * thread's acquisitions, as cs does: a lock whose try or timed acquire lets
 * two holders in loses increments (see try_critical_section).
 */
#include "engine/workload.h"

enum { P_BACKOFF_NS, P_CS_NS, P_THINK_NS, P_TIMEOUT_NS };

static const struct lb_param trylock_params[] = {
	[P_BACKOFF_NS] = { "backoff_ns", LB_PARAM_DURATION, "1us",
			   "busy work after a failed attempt, before the next", 0, 1000000000 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "1us", "busy work inside the critical section", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work after releasing", 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

/* The same, and the timeout; same order, so the P_ indices serve both. */
static const struct lb_param timedlock_params[] = {
	[P_BACKOFF_NS] = { "backoff_ns", LB_PARAM_DURATION, "1us",
			   "busy work after a timed-out attempt, before the next", 0, 1000000000 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "1us", "busy work inside the critical section", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work after releasing", 0, 1000000000 },
	[P_TIMEOUT_NS] = { "timeout_ns", LB_PARAM_DURATION, "50us",
			   "longest wait of one attempt (deadline = now + timeout_ns)", 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct try_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
	uint64_t backoff_iters, cs_iters, think_iters;
	uint64_t timeout_ns;
};

static int trylock_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct try_state *s = run->wl_state;
	s->backoff_iters = lb_param_iters(run, P_BACKOFF_NS);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	return 0;
}

static int timedlock_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct try_state *s = run->wl_state;
	s->timeout_ns = (uint64_t)lb_param(run, P_TIMEOUT_NS);
	return trylock_setup(run, err, errlen);
}

/*
 * The counter is read on entry and written back, incremented, just before
 * the release, so two holders whose critical sections overlap at all lose
 * an update — not only those that overlap between a load and the store
 * right after it. For the same reason the work in between does not poll: a
 * poll may hand the lock to another thread (the GIL does), which is no
 * violation but would lose an update all the same. Threads here do not
 * queue in a blocking acquire, so there is no one for a hand-over to serve.
 */
static void try_critical_section(struct lb_thread *t, struct try_state *s)
{
	uint64_t v = lb_relaxed_load(&s->counter);
	if (s->cs_iters)
		lb_busy(s->cs_iters);
	lb_relaxed_store(&s->counter, v + 1);
	lb_release(t);
	if (s->think_iters)
		lb_busy(s->think_iters);
}

static void trylock_thread(struct lb_thread *t)
{
	struct try_state *s = t->run->wl_state;
	while (lb_running(t)) {
		if (lb_try_acquire(t))
			try_critical_section(t, s);
		else if (s->backoff_iters)
			lb_busy(s->backoff_iters);
	}
}

static void timedlock_thread(struct lb_thread *t)
{
	struct try_state *s = t->run->wl_state;
	while (lb_running(t)) {
		if (lb_acquire_until(t, lb_mono_ns() + s->timeout_ns))
			try_critical_section(t, s);
		else if (s->backoff_iters)
			lb_busy(s->backoff_iters);
	}
}

static unsigned try_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct try_state *s = run->wl_state;
	return lb_verify_count(run, lb_relaxed_load(&s->counter), lb_total(run), "acquisitions", msg, msglen) != 0;
}

const struct lb_workload lb_workload_trylock = {
	.name = "trylock",
	.summary = "try-acquire; on failure back off backoff_ns and retry; cs_ns inside (needs a lock with try)",
	.params = trylock_params,
	.needs_caps = LB_CAP_TRY,
	.state_size = sizeof(struct try_state),
	.setup = trylock_setup,
	.thread = trylock_thread,
	.verify = try_verify,
};

const struct lb_workload lb_workload_timedlock = {
	.name = "timedlock",
	.summary = "acquire with a timeout_ns deadline; on timeout back off and retry (needs a lock with timed)",
	.params = timedlock_params,
	.needs_caps = LB_CAP_TIMED,
	.state_size = sizeof(struct try_state),
	.setup = timedlock_setup,
	.thread = timedlock_thread,
	.verify = try_verify,
};
