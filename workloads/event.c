/*
 * event.c — threading.Event as a gate: one thread opens and closes it,
 * the others work while it is open and sleep while it is closed (the
 * pause/resume switch of a worker pool), over the lock under test.
 *
 * Python builds Event from a Condition over a Lock and a flag:
 *   set():   with cond: flag = True; cond.notify_all()
 *   clear(): with cond: flag = False
 *   wait():  with cond: while not flag: cond.wait()
 * and so does this workload (cond.h: release, sleep on a futex, re-take).
 * Thread 0 sets the event, works open_ns, clears it, works closed_ns, and
 * again. Every other thread calls wait(), does one work item — cs_ns of
 * work holding the lock — then think_ns without it, and again: while the
 * gate is open they take the lock in turn, while it is closed they sleep,
 * and each set() wakes all of them at once, to contend for the lock
 * together. The setter needs the lock too, to close the gate: under an
 * unfair lock busy workers can keep it out (few sets per second).
 *
 * What it shows: set()'s thundering herd (every sleeper wakes and takes
 * the lock in turn) and the cost of a wait() that finds the flag set
 * (one acquisition) against one that sleeps (two, plus the wake-up).
 * Counted over the measured window (workload_figures): sets (the setter's
 * rounds), items and
 * items_per_s (work items done), sleeps (waits that slept), wakeups_futile
 * (a wake-up after which the flag was clear again: the gate had closed
 * before the woken thread got the lock).
 *
 * verify(): every critical section — set, clear, each look at the flag in
 * wait, each work item — bumps a shared counter with a load at its start
 * and a store at its end, so any two that overlap lose one; the counter
 * must equal what the threads counted. The setter never waits for the
 * workers, so a lost wake-up under a broken lock delays a worker by one
 * round at most and the run keeps overlapping sections to catch.
 *
 * Needs 2 threads or more (a setter and a worker). Stop: the stop hook
 * wakes every sleeper; it leaves.
 */
#include "cond.h"
#include "engine/workload.h"
#include "figures.h"

enum { P_OPEN_NS, P_CLOSED_NS, P_CS_NS, P_THINK_NS };

static const struct lb_param event_params[] = {
	[P_OPEN_NS] = { "open_ns", LB_PARAM_DURATION, "20us", "the setter's work between set() and clear()", 0,
			1000000000 },
	[P_CLOSED_NS] = { "closed_ns", LB_PARAM_DURATION, "20us", "the setter's work between clear() and set()", 0,
			  1000000000 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "a worker's work item, holding the lock", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "1us", "a worker's work after each item, without the lock",
			 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct event_tally {
	uint64_t sections; /* critical sections, whole run: what the shared counter must add up to */
	/* In the measured window: */
	uint64_t sets, items, sleeps, futile;
};

struct event_state {
	/* Under the lock. */
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
	_Atomic uint32_t flag;
	struct lb_cond changed;
	/* Read-only once set up. */
	_Alignas(LB_CACHELINE) uint64_t open_iters, closed_iters, cs_iters, think_iters;
};

static int event_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct event_state *s = run->wl_state;
	if (run->nthreads < 2)
		return lb_setup_fail(run, err, errlen, "needs a setter and a worker: 2 threads or more, not %u",
				     run->nthreads);
	s->open_iters = lb_param_iters(run, P_OPEN_NS);
	s->closed_iters = lb_param_iters(run, P_CLOSED_NS);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	return 0;
}

/* A critical section's end: store what its start loaded, plus one (lose it if another overlapped). */
static void section_end(struct event_state *s, struct event_tally *me, uint64_t v)
{
	lb_relaxed_store(&s->counter, v + 1);
	me->sections++;
}

/* set() or clear(). */
static void event_store(struct lb_thread *t, struct event_state *s, struct event_tally *me, uint32_t flag)
{
	lb_acquire(t);
	uint64_t v = lb_relaxed_load(&s->counter);
	lb_relaxed_store(&s->flag, flag);
	if (flag)
		lb_cond_notify(&s->changed, INT_MAX);
	section_end(s, me, v);
	lb_release(t);
}

static void setter(struct lb_thread *t, struct event_state *s, struct event_tally *me)
{
	while (lb_running(t)) {
		event_store(t, s, me, 1);
		me->sets += wl_in_window(t);
		if (s->open_iters)
			lb_busy(s->open_iters);
		event_store(t, s, me, 0);
		if (s->closed_iters)
			lb_busy(s->closed_iters);
	}
}

/* wait(), then one work item; false when the run stopped while waiting. */
static bool worker_round(struct lb_thread *t, struct event_state *s, struct event_tally *me)
{
	lb_acquire(t);
	uint64_t v = lb_relaxed_load(&s->counter);
	bool slept = false;
	while (!lb_relaxed_load(&s->flag)) {
		me->futile += slept && wl_in_window(t); /* woken, and the gate is closed again */
		section_end(s, me, v); /* the look before sleeping is a section of its own */
		if (!lb_cond_wait(t, &s->changed)) {
			lb_release(t);
			return false;
		}
		v = lb_relaxed_load(&s->counter);
		slept = true;
	}
	me->sleeps += slept && wl_in_window(t);
	section_end(s, me, v);
	lb_release(t);

	lb_acquire(t);
	v = lb_relaxed_load(&s->counter);
	if (s->cs_iters)
		lb_busy(s->cs_iters);
	section_end(s, me, v);
	lb_release(t);
	me->items += wl_in_window(t);
	if (s->think_iters)
		lb_busy(s->think_iters);
	return true;
}

static void event_thread(struct lb_thread *t)
{
	struct event_state *s = t->run->wl_state;
	if (t->id == 0) {
		setter(t, s, t->tally);
		return;
	}
	while (lb_running(t) && worker_round(t, s, t->tally))
		;
}

static void event_stop(struct lb_run *run)
{
	struct event_state *s = run->wl_state;
	lb_cond_stop(&s->changed);
}

static unsigned event_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct event_state *s = run->wl_state;
	return lb_verify_count(run, lb_relaxed_load(&s->counter), LB_TALLY_SUM(run, struct event_tally, sections),
			       "critical sections of set, clear, wait and work", msg, msglen) != 0;
}

static size_t event_figures(struct lb_run *run, double window_s, struct lb_figure *out, size_t max)
{
	double items = (double)LB_TALLY_SUM(run, struct event_tally, items);
	const struct lb_figure all[] = {
		{ "sets", (double)LB_TALLY_SUM(run, struct event_tally, sets) },
		{ "items", items },
		{ "items_per_s", wl_per_s(items, window_s) },
		{ "sleeps", (double)LB_TALLY_SUM(run, struct event_tally, sleeps) },
		{ "wakeups_futile", (double)LB_TALLY_SUM(run, struct event_tally, futile) },
	};
	return wl_figures_copy(out, max, all, sizeof all / sizeof all[0]);
}

const struct lb_workload lb_workload_event = {
	.name = "event",
	.summary = "threading.Event as a gate: thread 0 sets and clears it, the others wait() and work while it is open",
	.params = event_params,
	.state_size = sizeof(struct event_state),
	.tally_size = sizeof(struct event_tally),
	.setup = event_setup,
	.thread = event_thread,
	.verify = event_verify,
	.stop = event_stop,
	.figures = event_figures,
};
