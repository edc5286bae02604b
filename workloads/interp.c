/*
 * interp.c — CPU-bound and I/O-bound "interpreter" threads under one lock,
 * as Python threads share the GIL: the setting of David Beazley's convoy
 * effect ("Understanding the Python GIL", PyCon 2010) and of the
 * "new GIL" of CPython 3.2.
 *
 * The first cpu_threads threads are CPU-bound (all of them if there are
 * fewer threads), the rest I/O-bound.
 *
 * A CPU-bound Python thread holds the GIL all the time and loses it only
 * when the eval breaker makes it drop it. Modelled as: take the lock, then
 * run ticks — tick_ns of busy work, then the eval-breaker check lb_poll —
 * for slice_ns worth of ticks, release, take it again at once. Through
 * lb_poll a lock with a poll hook (the GIL) hands itself to a waiter in the
 * middle of a slice; a lock without one (pthread, ticket, mcs) can change
 * hands only at the end of a slice, the way Python 2's GIL did every check
 * interval — so slice_ns should be well above the GIL's switch interval, or
 * the slice ends, not the GIL, decide who runs. (A waiter woken by such a
 * release that finds the GIL taken again starts its interval over, as
 * CPython's take_gil does.) Slice length is counted in ticks of calibrated
 * busy work, CPU time, with no clock read.
 *
 * An I/O-bound thread takes the lock, runs burst_ns of work with it (polling
 * like any Python code), releases it and blocks for io_ns, as a thread
 * does in a blocking read. The sleep is a futex wait with a timeout on the
 * workload's stop word: a real sleep in the kernel, like nanosleep, which
 * the stop hook can end so a long io_ns never delays the end of a run.
 *
 * What to read in the result: the I/O threads' wait latency (threads[i],
 * i >= cpu_threads, latency_ns: how long an I/O thread waits to get the
 * lock back after its I/O) and their acquisitions (I/O operations done; at
 * best one per io_ns + burst_ns). Under `gil` that wait is about the switch
 * interval (the waiter times out, asks for a drop, the holder drops at its
 * next tick); under a convoy-prone lock the I/O thread keeps losing the race
 * for the lock. The CPU threads acquire once per slice by design, so the
 * starvation flag marks them as having too few acquisitions; their work
 * shows in the GIL's counters and their poll_handoffs.
 *
 * verify(): every tick of a CPU thread and every burst of an I/O thread
 * counts one on a shared counter while holding the lock (see count_end);
 * it must equal the sum of what every thread counted.
 */
#include <limits.h>

#include "cond.h"
#include "engine/workload.h"

enum { P_CPU_THREADS, P_TICK_NS, P_SLICE_NS, P_IO_NS, P_BURST_NS };

static const struct lb_param interp_params[] = {
	[P_CPU_THREADS] = { "cpu_threads", LB_PARAM_INT, "1",
			    "how many threads are CPU-bound (the first ones); the rest do I/O", 0, 1023 },
	[P_TICK_NS] = { "tick_ns", LB_PARAM_DURATION, "1us", "CPU work between two eval-breaker checks (lb_poll)",
			1, 10000000 },
	[P_SLICE_NS] = { "slice_ns", LB_PARAM_DURATION, "50ms",
			 "a CPU thread releases and retakes the lock after this much work", 1000, 10000000000LL },
	[P_IO_NS] = { "io_ns", LB_PARAM_DURATION, "1ms", "an I/O thread's blocking sleep, lock released", 0,
		      10000000000LL },
	[P_BURST_NS] = { "burst_ns", LB_PARAM_DURATION, "10us", "an I/O thread's work with the lock after its I/O",
			 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct interp_tally {
	uint64_t bumps;
};

struct interp_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter; /* under the lock */
	_Alignas(LB_CACHELINE) _Atomic uint32_t stopped; /* futex word the I/O threads sleep on */
	_Alignas(LB_CACHELINE) unsigned cpu_threads;
	uint64_t tick_iters, slice_ticks, burst_iters, io_ns;
};

static int interp_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct interp_state *s = run->wl_state;
	int64_t cpu = lb_param(run, P_CPU_THREADS);
	s->cpu_threads = cpu < (int64_t)run->nthreads ? (unsigned)cpu : run->nthreads;
	uint64_t tick_ns = (uint64_t)lb_param(run, P_TICK_NS);
	s->tick_iters = lb_busy_iters(tick_ns);
	s->slice_ticks = (uint64_t)lb_param(run, P_SLICE_NS) / tick_ns;
	if (s->slice_ticks == 0)
		s->slice_ticks = 1;
	s->burst_iters = lb_param_iters(run, P_BURST_NS);
	s->io_ns = (uint64_t)lb_param(run, P_IO_NS);
	return 0;
}

/*
 * The shared counter is a relaxed load and store, not an atomic add, so a
 * lock that lets two holders in loses updates. A tick spans its load and
 * store (the work is in between), so any overlap of two ticks loses one;
 * the store comes before lb_poll, where the GIL may legitimately pass to
 * another thread.
 */
static void count_end(struct interp_state *s, struct interp_tally *me, uint64_t v)
{
	lb_relaxed_store(&s->counter, v + 1);
	me->bumps++;
}

/*
 * lb_running() stays false once the run stopped; the tick loop, inside the
 * lock, is where a CPU thread usually sees it, so it leaves from there.
 */
static void cpu_bound(struct lb_thread *t, struct interp_state *s, struct interp_tally *me)
{
	while (lb_running(t)) {
		lb_acquire(t);
		for (uint64_t k = 0; k < s->slice_ticks; k++) {
			uint64_t v = lb_relaxed_load(&s->counter);
			lb_busy(s->tick_iters);
			count_end(s, me, v);
			lb_poll(t);
			if (!lb_running(t)) {
				lb_release(t);
				return;
			}
		}
		lb_release(t);
	}
}

static void io_bound(struct lb_thread *t, struct interp_state *s, struct interp_tally *me)
{
	while (lb_running(t)) {
		lb_acquire(t);
		count_end(s, me, lb_relaxed_load(&s->counter));
		if (s->burst_iters)
			lb_busy_polling(t, s->burst_iters);
		lb_release(t);
		if (s->io_ns)
			lb_futex_wait(&s->stopped, 0, s->io_ns);
	}
}

static void interp_thread(struct lb_thread *t)
{
	struct interp_state *s = t->run->wl_state;
	if (t->id < s->cpu_threads)
		cpu_bound(t, s, t->tally);
	else
		io_bound(t, s, t->tally);
}

static void interp_stop(struct lb_run *run)
{
	struct interp_state *s = run->wl_state;
	atomic_store(&s->stopped, 1);
	lb_futex_wake(&s->stopped, INT_MAX);
}

static unsigned interp_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct interp_state *s = run->wl_state;
	return lb_verify_count(run, lb_relaxed_load(&s->counter), LB_TALLY_SUM(run, struct interp_tally, bumps),
			       "ticks and bursts done holding the lock", msg, msglen) != 0;
}

const struct lb_workload lb_workload_interp = {
	.name = "interp",
	.summary = "CPU-bound threads hold the lock polling every tick_ns; I/O threads take it, work, sleep io_ns (GIL)",
	.params = interp_params,
	.state_size = sizeof(struct interp_state),
	.tally_size = sizeof(struct interp_tally),
	.setup = interp_setup,
	.thread = interp_thread,
	.verify = interp_verify,
	.stop = interp_stop,
};
