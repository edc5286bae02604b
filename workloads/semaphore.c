/*
 * semaphore.c — a counting semaphore built from the lock under test:
 * threading.BoundedSemaphore, the way Python builds it (a Condition over a
 * Lock, and a value).
 *
 *   acquire: lock; while value == 0: wait; value--; unlock
 *   release: lock; if value == permits: error (ValueError in Python),
 *            else value++ and notify one waiter; unlock
 *
 * A thread takes a permit, works cs_ns while holding it — outside the lock,
 * `permits` threads may be there at once — gives it back and thinks
 * think_ns. The lock is taken twice per cycle (plus once per wake-up), so
 * acquisitions are about twice the permits taken; the wait latency is for
 * the lock guarding the semaphore, while the time spent asleep waiting for
 * a permit is not measured (that thread is not trying to take the lock).
 *
 * The checker: every holder of a permit increments an atomic in-use count
 * on entry and decrements it on exit. The semaphore's lock orders one
 * holder's decrement before the next holder's increment (release → lock →
 * value → lock → acquire), so a correct semaphore never shows more than
 * `permits`; each thread records the largest count it saw and how often it
 * saw too many. That atomic is the workload's instrument, not part of the
 * pattern: one shared read-modify-write on entry and one on exit.
 *
 * verify(): nobody saw more than `permits` holders; no release found the
 * semaphore full; and, the threads having stopped, the value is back at
 * `permits` (a thread never leaves holding a permit; one stopped while
 * waiting for a permit took none), so permits taken and given back balance.
 *
 * Stop: the stop hook wakes every thread waiting for a permit; it leaves
 * without one (cond.h).
 */
#include "cond.h"
#include "engine/workload.h"

enum { P_PERMITS, P_CS_NS, P_THINK_NS };

static const struct lb_param sem_params[] = {
	[P_PERMITS] = { "permits", LB_PARAM_INT, "2", "threads that may hold a permit at once", 1, 1 << 20 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "1us", "busy work while holding a permit (outside the lock)", 0,
		      1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work after giving the permit back", 0,
			 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct sem_tally {
	uint64_t taken;         /* permits acquired */
	uint64_t given;         /* permits released */
	uint64_t over;          /* entries that found more than `permits` holders */
	uint64_t full_releases; /* releases that found the semaphore full */
	uint64_t max_in_use;    /* most holders seen on entry */
};

struct sem_state {
	/* Under the lock. */
	_Alignas(LB_CACHELINE) _Atomic uint64_t value;
	struct lb_cond not_zero;
	/* The checker's own line: holders right now. */
	_Alignas(LB_CACHELINE) _Atomic uint64_t in_use;
	/* Read-only once set up. */
	_Alignas(LB_CACHELINE) uint64_t permits;
	uint64_t cs_iters, think_iters;
};

static int sem_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct sem_state *s = run->wl_state;
	s->permits = (uint64_t)lb_param(run, P_PERMITS);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	lb_relaxed_store(&s->value, s->permits);
	return 0;
}

/* Take a permit; false if the run stopped while waiting for one. */
static bool sem_acquire(struct lb_thread *t, struct sem_state *s)
{
	lb_acquire(t);
	while (lb_relaxed_load(&s->value) == 0) {
		if (!lb_cond_wait(t, &s->not_zero)) {
			lb_release(t);
			return false;
		}
	}
	lb_relaxed_store(&s->value, lb_relaxed_load(&s->value) - 1);
	lb_release(t);
	return true;
}

static void sem_release(struct lb_thread *t, struct sem_state *s, struct sem_tally *me)
{
	lb_acquire(t);
	uint64_t v = lb_relaxed_load(&s->value);
	if (v >= s->permits) {
		me->full_releases++;
	} else {
		lb_relaxed_store(&s->value, v + 1);
		lb_cond_notify(&s->not_zero, 1);
	}
	lb_release(t);
}

static void sem_thread(struct lb_thread *t)
{
	struct sem_state *s = t->run->wl_state;
	struct sem_tally *me = t->tally;
	while (lb_running(t)) {
		if (!sem_acquire(t, s))
			return;
		me->taken++;
		uint64_t holders = atomic_fetch_add_explicit(&s->in_use, 1, memory_order_relaxed) + 1;
		if (holders > s->permits)
			me->over++;
		if (holders > me->max_in_use)
			me->max_in_use = holders;
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		atomic_fetch_sub_explicit(&s->in_use, 1, memory_order_relaxed);
		sem_release(t, s, me);
		me->given++;
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static void sem_stop(struct lb_run *run)
{
	struct sem_state *s = run->wl_state;
	lb_cond_stop(&s->not_zero);
}

static unsigned sem_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct sem_state *s = run->wl_state;
	uint64_t over = LB_TALLY_SUM(run, struct sem_tally, over);
	uint64_t full = LB_TALLY_SUM(run, struct sem_tally, full_releases);
	uint64_t value = lb_relaxed_load(&s->value);
	unsigned failures = (over != 0) + (full != 0) + (value != s->permits);
	if (over != 0)
		lb_verify_fail(run, msg, msglen, "%" PRIu64 " holders at once with %" PRIu64 " permits (%" PRIu64
			       " entries too many)", LB_TALLY_MAX(run, struct sem_tally, max_in_use), s->permits, over);
	else if (full != 0)
		lb_verify_fail(run, msg, msglen, "%" PRIu64 " releases found all %" PRIu64 " permits free", full,
			       s->permits);
	else if (value != s->permits)
		lb_verify_fail(run, msg, msglen, "value %" PRIu64 " after the run, not %" PRIu64 " (%" PRIu64
			       " taken, %" PRIu64 " given back)", value, s->permits,
			       LB_TALLY_SUM(run, struct sem_tally, taken), LB_TALLY_SUM(run, struct sem_tally, given));
	return failures;
}

const struct lb_workload lb_workload_semaphore = {
	.name = "semaphore",
	.summary = "a bounded semaphore of `permits` built from the lock and a condition; hold a permit cs_ns",
	.params = sem_params,
	.state_size = sizeof(struct sem_state),
	.tally_size = sizeof(struct sem_tally),
	.setup = sem_setup,
	.thread = sem_thread,
	.verify = sem_verify,
	.stop = sem_stop,
};
