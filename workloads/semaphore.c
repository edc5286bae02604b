/*
 * semaphore.c — a counting semaphore built from the lock under test, the
 * way Python builds threading.Semaphore and threading.BoundedSemaphore (a
 * Condition over a Lock, and a value).
 *
 *   acquire: lock; while value == 0: wait; value--; unlock
 *   release: lock; bounded and value >= permits: refuse (BoundedSemaphore
 *            raises ValueError); else value++ and notify one waiter; unlock
 *
 * A thread takes a permit, works cs_ns while holding it — outside the lock,
 * `permits` threads may be there at once — gives it back and thinks
 * think_ns. The lock is taken twice per cycle (plus once per wake-up), so
 * acquisitions are about twice the permits taken; the wait latency is for
 * the lock guarding the semaphore, while the time spent asleep waiting for
 * a permit is not measured (that thread is not trying to take the lock).
 *
 * over_release=N: every N-th cycle a thread releases once more than it
 * took — the bug BoundedSemaphore exists to catch. A plain Semaphore
 * (bounded=0) accepts every such release: its value, and the number of
 * threads it lets in, grow past `permits`. A bounded one refuses a release
 * that would take the value past `permits`, but only then: an extra
 * release while permits are out is accepted, and a later honest release
 * is refused instead — the error surfaces in another thread, as in Python.
 * Counted over the measured window (workload_figures): over_releases (extra
 * releases made), over_accepted (of those, accepted), refused_releases
 * (any release refused), plus the value at the end and the most holders
 * seen at once.
 *
 * The checker: every holder of a permit increments an atomic in-use count
 * on entry and decrements it on exit. The semaphore's lock orders one
 * holder's decrement before the next holder's increment (release → lock →
 * value → lock → acquire), so a correct semaphore never shows more holders
 * than `permits` plus the extra releases it has accepted so far (an
 * instrument counter, raised under the lock when one is accepted); each
 * thread records the largest count it saw and how often it saw too many.
 * Those atomics are the workload's instrument, not part of the pattern.
 *
 * verify(): nobody saw too many holders; without over_release no release
 * was refused (one would be a release without a take); and the value is
 * what the releases accepted and the permits taken say it must be:
 * permits - taken + accepted (all permits back, permits, without
 * over_release). A lost update of the value under a broken lock breaks it.
 *
 * Stop: the stop hook wakes every thread waiting for a permit; it leaves
 * without one (cond.h).
 */
#include "cond.h"
#include "engine/workload.h"
#include "figures.h"

enum { P_PERMITS, P_CS_NS, P_THINK_NS, P_BOUNDED, P_OVER_RELEASE };

static const struct lb_param sem_params[] = {
	[P_PERMITS] = { "permits", LB_PARAM_INT, "2", "threads that may hold a permit at once", 1, 1 << 20 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "1us", "busy work while holding a permit (outside the lock)", 0,
		      1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work after giving the permit back", 0,
			 1000000000 },
	[P_BOUNDED] = { "bounded", LB_PARAM_BOOL, "1",
			"BoundedSemaphore: refuse a release past `permits` (0: Semaphore, accept it)", 0, 1 },
	[P_OVER_RELEASE] = { "over_release", LB_PARAM_INT, "0",
			     "every N-th cycle release once more than taken (0: never)", 0, 1 << 30 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct sem_tally {
	uint64_t taken;        /* permits acquired */
	uint64_t accepted;     /* releases that raised the value */
	uint64_t refused;      /* releases refused (bounded, value at permits) */
	uint64_t over;         /* entries that found too many holders */
	uint64_t max_in_use;   /* most holders seen on entry */
	uint64_t cycles;
	/* In the measured window: */
	uint64_t w_over_releases, w_over_accepted, w_refused;
};

struct sem_state {
	/* Under the lock. */
	_Alignas(LB_CACHELINE) _Atomic uint64_t value;
	struct lb_cond not_zero;
	/* The checker's own line: holders right now, extra releases accepted so far. */
	_Alignas(LB_CACHELINE) _Atomic uint64_t in_use;
	_Atomic uint64_t extra;
	/* Read-only once set up. */
	_Alignas(LB_CACHELINE) uint64_t permits;
	uint64_t cs_iters, think_iters, over_every;
	bool bounded;
};

static int sem_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct sem_state *s = run->wl_state;
	s->permits = (uint64_t)lb_param(run, P_PERMITS);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	s->bounded = lb_param(run, P_BOUNDED) != 0;
	s->over_every = (uint64_t)lb_param(run, P_OVER_RELEASE);
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

/* Give a permit back; `extra`: one that was never taken. */
static void sem_release(struct lb_thread *t, struct sem_state *s, struct sem_tally *me, bool extra)
{
	bool counted = wl_in_window(t);
	lb_acquire(t);
	uint64_t v = lb_relaxed_load(&s->value);
	if (s->bounded && v >= s->permits) {
		me->refused++;
		me->w_refused += counted;
	} else {
		lb_relaxed_store(&s->value, v + 1);
		lb_cond_notify(&s->not_zero, 1);
		me->accepted++;
		if (extra) {
			atomic_fetch_add_explicit(&s->extra, 1, memory_order_relaxed);
			me->w_over_accepted += counted;
		}
	}
	lb_release(t);
	me->w_over_releases += extra && counted;
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
		if (holders > s->permits + atomic_load_explicit(&s->extra, memory_order_relaxed))
			me->over++;
		if (holders > me->max_in_use)
			me->max_in_use = holders;
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		atomic_fetch_sub_explicit(&s->in_use, 1, memory_order_relaxed);
		sem_release(t, s, me, false);
		if (s->over_every != 0 && ++me->cycles % s->over_every == 0)
			sem_release(t, s, me, true);
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
	uint64_t refused = LB_TALLY_SUM(run, struct sem_tally, refused);
	uint64_t taken = LB_TALLY_SUM(run, struct sem_tally, taken);
	uint64_t accepted = LB_TALLY_SUM(run, struct sem_tally, accepted);
	uint64_t value = lb_relaxed_load(&s->value), want = s->permits + accepted - taken;
	bool stray = s->over_every == 0 && refused != 0;
	unsigned failures = (over != 0) + stray + (value != want);
	if (over != 0)
		lb_verify_fail(run, msg, msglen, "%" PRIu64 " holders at once with %" PRIu64 " permits and %" PRIu64
			       " extra releases (%" PRIu64 " entries too many)", LB_TALLY_MAX(run, struct sem_tally, max_in_use),
			       s->permits, atomic_load(&s->extra), over);
	else if (stray)
		lb_verify_fail(run, msg, msglen, "%" PRIu64 " releases found all %" PRIu64 " permits free", refused,
			       s->permits);
	else if (value != want)
		lb_verify_fail(run, msg, msglen, "value %" PRIu64 " after the run, not %" PRIu64 " (%" PRIu64
			       " permits, %" PRIu64 " taken, %" PRIu64 " releases accepted)", value, want, s->permits, taken,
			       accepted);
	return failures;
}

static size_t sem_figures(struct lb_run *run, double window_s, struct lb_figure *out, size_t max)
{
	(void)window_s;
	struct sem_state *s = run->wl_state;
	const struct lb_figure all[] = {
		{ "over_releases", (double)LB_TALLY_SUM(run, struct sem_tally, w_over_releases) },
		{ "over_accepted", (double)LB_TALLY_SUM(run, struct sem_tally, w_over_accepted) },
		{ "refused_releases", (double)LB_TALLY_SUM(run, struct sem_tally, w_refused) },
		{ "value_end", (double)lb_relaxed_load(&s->value) },
		{ "max_holders", (double)LB_TALLY_MAX(run, struct sem_tally, max_in_use) },
	};
	return wl_figures_copy(out, max, all, sizeof all / sizeof all[0]);
}

const struct lb_workload lb_workload_semaphore = {
	.name = "semaphore",
	.summary = "a semaphore of `permits` (bounded or not) built from the lock and a condition; hold a permit cs_ns",
	.params = sem_params,
	.state_size = sizeof(struct sem_state),
	.tally_size = sizeof(struct sem_tally),
	.setup = sem_setup,
	.thread = sem_thread,
	.verify = sem_verify,
	.stop = sem_stop,
	.figures = sem_figures,
};
