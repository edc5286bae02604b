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
 * when the eval breaker makes it drop it. Modelled as: take the lock once,
 * then run ticks — tick_ns of busy work, then the eval-breaker check lb_poll
 * — until the stop. Through lb_poll a lock with a poll hook (the GIL) hands
 * itself to a waiter; CPython has nothing else, so by default (slice_ns=0)
 * a CPU thread never lets go of its own accord. A lock without a poll hook
 * (pthread, ticket, mcs) can change hands only if slice_ns is set: then a
 * CPU thread releases and retakes the lock after each slice_ns of work, the
 * way Python 2's GIL did every check interval. Slice length is counted in
 * ticks of calibrated busy work, CPU time, with no clock read.
 *
 * An I/O-bound thread runs burst_ns of work holding the lock (ticks, with
 * polls, like any Python code), then one I/O operation, in which every
 * blocking call releases the lock before it and takes it back after it, as
 * CPython's Py_BEGIN/END_ALLOW_THREADS do around each system call:
 *   io=sleep   io_releases calls (default 1), each a kernel sleep of
 *              io_ns / io_releases (a futex wait with a timeout on the
 *              workload's stop word: time.sleep's system call, which the
 *              stop hook can end early). io_ns=0 makes no system call.
 *   io=socket  a request sent over a socketpair to a peer thread, then the
 *              blocking recv of its answer: two releases. The peer (no lock)
 *              answers after sleeping io_ns, or at once if io_ns is 0 — an
 *              I/O completed by another task, however quickly
 *              (io_channel.h).
 *   io=pipe    the same over two pipes (write, then a blocking read).
 * io_releases is the calls per operation; for socket and pipe it is 2 and
 * may only be left at its default 0 or given as 2.
 *
 * What interp reports, over the measured window only (workload_figures):
 *   io_ops, io_ops_per_s               operations completed
 *   io_op_{p50,p90,p99,mean}_ns        duration of one operation: from the
 *                                      release before its first call to the
 *                                      lock being held again after its last
 *   io_wait_{p50,p99}_ns               lock waits inside one operation (the
 *                                      sum of its re-acquisitions)
 *   io_releases_per_op
 *   handoffs, handoffs_per_s           takes of the lock by a thread other
 *                                      than its last taker (CPython's
 *                                      switch_number), all threads
 *   cpu_share                          share of the window the CPU threads
 *                                      held the lock, together
 *   cpu_work_share                     share of the window spent in CPU
 *                                      threads' ticks of work (per CPU
 *                                      thread and at most 1 when one CPU
 *                                      thread works all the time): work
 *                                      throughput, comparable with and
 *                                      without I/O threads
 *   cpu_ticks_per_s                    the same as a rate
 *   slice_{p50,p90,p99}_ns, slices     a CPU thread's run of holding the
 *                                      lock, from taking it until the poll
 *                                      in which another thread got it
 * A take is seen by its taker, which compares a shared "last taker" word
 * (written under the lock) with itself; a CPU thread reads the clock before
 * each poll, so a slice ends at the last tick it ran. Figures are kept per
 * thread in the thread's own tally and merged after the run.
 *
 * verify(): every tick and every I/O operation counts one on a shared
 * counter while holding the lock (see count_end); it must equal the sum of
 * what every thread counted.
 */
#include <limits.h>
#include <string.h>

#include "cond.h"
#include "engine/workload.h"
#include "figures.h"
#include "io_channel.h"

enum { P_CPU_THREADS, P_TICK_NS, P_SLICE_NS, P_IO, P_IO_NS, P_IO_RELEASES, P_BURST_NS };
enum io_kind { IO_SLEEP, IO_SOCKET, IO_PIPE };

static const struct lb_param interp_params[] = {
	[P_CPU_THREADS] = { "cpu_threads", LB_PARAM_INT, "1",
			    "how many threads are CPU-bound (the first ones); the rest do I/O", 0, 1023 },
	[P_TICK_NS] = { "tick_ns", LB_PARAM_DURATION, "1us", "CPU work between two eval-breaker checks (lb_poll)",
			1, 10000000 },
	[P_SLICE_NS] = { "slice_ns", LB_PARAM_DURATION, "0",
			 "a CPU thread releases and retakes the lock after this much work (0: never, as CPython)", 0,
			 10000000000LL },
	[P_IO] = { "io", LB_PARAM_STRING, "sleep", "an I/O operation: sleep, socket (send + recv to a peer) or pipe",
		   0, 0 },
	[P_IO_NS] = { "io_ns", LB_PARAM_DURATION, "1ms",
		      "time an I/O operation blocks (socket/pipe: the peer answers after it)", 0, 10000000000LL },
	[P_IO_RELEASES] = { "io_releases", LB_PARAM_INT, "0",
			    "blocking calls per operation, each releasing the lock (0: 1 for sleep, 2 for socket/pipe)",
			    0, 1000 },
	[P_BURST_NS] = { "burst_ns", LB_PARAM_DURATION, "10us", "an I/O thread's work with the lock after its I/O",
			 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

#define NOBODY 0u /* the last-taker word before anyone took the lock; else thread id + 1 */

/* Per thread, written only by its thread (the channel: by setup first), read after the join. */
struct interp_tally {
	uint64_t bumps;          /* counter increments, whole run */
	uint64_t ticks;          /* CPU work ticks in the window */
	uint64_t held;           /* clock ticks holding the lock in the window (CPU threads) */
	uint64_t ops, releases;  /* I/O operations and their releases, in the window */
	uint64_t handoffs;       /* takes from another thread, in the window */
	uint64_t tenure0;        /* lb_now() when this thread last took the lock from another */
	uint64_t window0;        /* lb_now() when this thread first worked in the window, or 0 */
	uint64_t last;           /* lb_now() after this CPU thread's last tick in the window */
	struct lb_hist *slice, *op, *wait;
	struct io_channel ch;    /* io=socket/pipe */
};

struct interp_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter; /* under the lock */
	_Atomic uint32_t last_taker;                      /* under the lock: NOBODY or id + 1 */
	_Alignas(LB_CACHELINE) _Atomic uint32_t stopped;  /* futex word sleeps and peers wait on */
	_Alignas(LB_CACHELINE) unsigned cpu_threads;
	enum io_kind io;
	uint64_t tick_iters, slice_ticks, burst_ticks, io_ns;
	unsigned io_releases;
};

static struct interp_tally *tally_of(struct lb_run *run, unsigned i)
{
	return run->threads[i].tally;
}

/* Close the channels of I/O threads [cpu_threads, upto): a failing setup's own cleanup. */
static void close_channels(struct lb_run *run, unsigned upto)
{
	struct interp_state *s = run->wl_state;
	for (unsigned i = s->cpu_threads; i < upto; i++)
		io_channel_close(&tally_of(run, i)->ch);
}

static int interp_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct interp_state *s = run->wl_state;
	unsigned n = run->nthreads;
	const char *io = run->wl_params[P_IO].s;
	if (strcmp(io, "sleep") == 0)
		s->io = IO_SLEEP;
	else if (strcmp(io, "socket") == 0)
		s->io = IO_SOCKET;
	else if (strcmp(io, "pipe") == 0)
		s->io = IO_PIPE;
	else
		return lb_setup_fail(run, err, errlen, "io: \"%s\" is not sleep, socket or pipe", io);
	int64_t releases = lb_param(run, P_IO_RELEASES);
	if (s->io != IO_SLEEP && releases != 0 && releases != 2)
		return lb_setup_fail(run, err, errlen,
				     "io_releases: a %s round trip releases twice (send, receive), not %" PRId64, io,
				     releases);
	s->io_releases = releases ? (unsigned)releases : s->io == IO_SLEEP ? 1 : 2;
	int64_t cpu = lb_param(run, P_CPU_THREADS);
	s->cpu_threads = cpu < (int64_t)n ? (unsigned)cpu : n;
	uint64_t tick_ns = (uint64_t)lb_param(run, P_TICK_NS), slice_ns = (uint64_t)lb_param(run, P_SLICE_NS);
	s->tick_iters = lb_busy_iters(tick_ns);
	s->slice_ticks = slice_ns / tick_ns;
	if (slice_ns != 0 && s->slice_ticks == 0)
		s->slice_ticks = 1;
	s->burst_ticks = ((uint64_t)lb_param(run, P_BURST_NS) + tick_ns - 1) / tick_ns;
	s->io_ns = (uint64_t)lb_param(run, P_IO_NS);

	struct lb_hist *h = lb_wl_alloc(run, 3 * (size_t)n, sizeof *h);
	if (h == NULL)
		return lb_setup_fail(run, err, errlen, "out of memory");
	for (unsigned i = 0; i < n; i++) {
		struct interp_tally *me = tally_of(run, i);
		me->slice = &h[3 * i], me->op = &h[3 * i + 1], me->wait = &h[3 * i + 2];
		lb_hist_reset(me->slice);
		lb_hist_reset(me->op);
		lb_hist_reset(me->wait);
	}
	if (s->io == IO_SLEEP)
		return 0;
	for (unsigned i = s->cpu_threads; i < n; i++) {
		char why[200];
		if (io_channel_open(&tally_of(run, i)->ch, s->io == IO_SOCKET, s->io_ns, &s->stopped, why,
				    sizeof why) != 0) {
			close_channels(run, i);
			return lb_setup_fail(run, err, errlen, "thread %u: %s", i, why);
		}
	}
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

/* In the window: and note when this thread's window began, for the share of the first slice. */
static bool in_window(struct lb_thread *t, struct interp_tally *me)
{
	if (!wl_in_window(t))
		return false;
	if (me->window0 == 0)
		me->window0 = lb_now();
	return true;
}

/* Just took the lock (acquire, or a poll that let others in): was it from another thread? */
static bool took(struct lb_thread *t, struct interp_state *s, struct interp_tally *me)
{
	uint32_t mine = t->id + 1;
	if (lb_relaxed_load(&s->last_taker) == mine)
		return false;
	lb_relaxed_store(&s->last_taker, mine);
	if (in_window(t, me))
		me->handoffs++;
	return true;
}

/* A CPU thread's slice ended at `end` (its last tick before losing the lock). */
static void slice_end(struct lb_thread *t, struct interp_tally *me, uint64_t end)
{
	if (!in_window(t, me) || end <= me->tenure0)
		return;
	uint64_t from = me->tenure0 > me->window0 ? me->tenure0 : me->window0;
	me->held += end - from;
	if (me->tenure0 >= me->window0)
		lb_hist_record(me->slice, end - me->tenure0);
}

/* After a take that may have come from another thread: close the old slice, open a new one. */
static void retaken(struct lb_thread *t, struct interp_state *s, struct interp_tally *me, uint64_t before)
{
	if (took(t, s, me)) {
		slice_end(t, me, before);
		me->tenure0 = lb_now();
	}
}

/*
 * Ticks of work, each followed by the eval-breaker check; n = 0 runs until
 * the stop (CPU threads), else n ticks (an I/O thread's burst). Returns
 * false once the run is over.
 */
static bool run_ticks(struct lb_thread *t, struct interp_state *s, struct interp_tally *me, uint64_t n, bool cpu)
{
	uint64_t k = 0;
	for (uint64_t i = 0; n == 0 || i < n; i++) {
		uint64_t v = lb_relaxed_load(&s->counter);
		lb_busy(s->tick_iters);
		count_end(s, me, v);
		uint64_t before = cpu ? lb_now() : 0;
		if (cpu && in_window(t, me)) {
			me->ticks++;
			me->last = before;
		}
		lb_poll(t);
		if (cpu)
			retaken(t, s, me, before);
		else
			took(t, s, me);
		if (!lb_running(t))
			return false;
		if (cpu && s->slice_ticks && ++k == s->slice_ticks) {
			k = 0;
			before = lb_now();
			lb_release(t);
			lb_acquire(t);
			retaken(t, s, me, before);
		}
	}
	return true;
}

/*
 * The tenure the window's end cut short counts towards the time held, up
 * to the last tick in the window, but is no slice (its end is not a
 * hand-over), as a tenure the window's start cut is none either.
 */
static void cpu_bound(struct lb_thread *t, struct interp_state *s, struct interp_tally *me)
{
	lb_acquire(t);
	took(t, s, me);
	me->tenure0 = lb_now();
	run_ticks(t, s, me, 0, true);
	uint64_t from = me->tenure0 > me->window0 ? me->tenure0 : me->window0;
	if (me->window0 != 0 && me->last > from)
		me->held += me->last - from;
	lb_release(t);
}

/* Blocking call k of an I/O operation, with the lock released. false: the channel broke. */
static bool block(struct interp_state *s, struct interp_tally *me, unsigned k)
{
	if (s->io == IO_SLEEP) {
		if (s->io_ns)
			lb_futex_wait(&s->stopped, 0, s->io_ns / s->io_releases);
		return true;
	}
	return k == 0 ? io_channel_send(&me->ch) : io_channel_recv(&me->ch);
}

static void io_bound(struct lb_thread *t, struct interp_state *s, struct interp_tally *me)
{
	bool ok = true;
	lb_acquire(t);
	took(t, s, me);
	while (ok && lb_running(t)) {
		if (s->burst_ticks && !run_ticks(t, s, me, s->burst_ticks, false))
			break;
		uint64_t t0 = lb_now(), waited = 0;
		for (unsigned k = 0; k < s->io_releases; k++) {
			lb_release(t);
			ok &= block(s, me, k);
			uint64_t a = lb_now();
			lb_acquire(t);
			waited += lb_now() - a;
			took(t, s, me);
		}
		count_end(s, me, lb_relaxed_load(&s->counter));
		if (in_window(t, me)) {
			me->ops++;
			me->releases += s->io_releases;
			lb_hist_record(me->op, lb_now() - t0);
			lb_hist_record(me->wait, waited);
		}
	}
	lb_release(t);
	io_channel_close(&me->ch);
}

static void interp_thread(struct lb_thread *t)
{
	struct interp_state *s = t->run->wl_state;
	if (t->id < s->cpu_threads)
		cpu_bound(t, s, t->tally);
	else
		io_bound(t, s, t->tally);
}

/* End every sleep, the I/O threads' and the peers' (io_channel.h: nothing to write). */
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
			       "ticks and operations done holding the lock", msg, msglen) != 0;
}

static double pct_ns(const struct lb_hist *h, double pct)
{
	return h->count ? lb_ticks_to_ns(lb_hist_value_at(h, pct)) : NAN;
}

static size_t interp_figures(struct lb_run *run, double window_s, struct lb_figure *out, size_t max)
{
	struct interp_state *s = run->wl_state;
	uint64_t ticks = 0, held = 0, ops = 0, releases = 0, handoffs = 0;
	/* Merged into the first thread's histograms: nothing reads them per thread. */
	struct interp_tally *first = tally_of(run, 0);
	for (unsigned i = 0; i < run->nthreads; i++) {
		struct interp_tally *me = tally_of(run, i);
		ticks += me->ticks, held += me->held, ops += me->ops;
		releases += me->releases, handoffs += me->handoffs;
		if (i == 0)
			continue;
		lb_hist_merge(first->slice, me->slice);
		lb_hist_merge(first->op, me->op);
		lb_hist_merge(first->wait, me->wait);
	}
	const struct lb_hist *slice = first->slice, *op = first->op, *wait = first->wait;
	double w = window_s > 0 ? window_s : NAN, tick_s = (double)lb_param(run, P_TICK_NS) / 1e9;
	bool cpu = s->cpu_threads > 0;
	const struct lb_figure all[] = {
		{ "cpu_threads", s->cpu_threads },
		{ "io_threads", run->nthreads - s->cpu_threads },
		{ "io_ops", (double)ops },
		{ "io_ops_per_s", wl_per_s((double)ops, window_s) },
		{ "io_op_p50_ns", pct_ns(op, 50) },
		{ "io_op_p90_ns", pct_ns(op, 90) },
		{ "io_op_p99_ns", pct_ns(op, 99) },
		{ "io_op_mean_ns", op->count ? lb_timer.ns_per_tick * lb_hist_mean(op) : NAN },
		{ "io_wait_p50_ns", pct_ns(wait, 50) },
		{ "io_wait_p99_ns", pct_ns(wait, 99) },
		{ "io_releases_per_op", ops ? (double)releases / (double)ops : NAN },
		{ "handoffs", (double)handoffs },
		{ "handoffs_per_s", wl_per_s((double)handoffs, window_s) },
		{ "cpu_share", cpu ? lb_ticks_to_ns(held) / 1e9 / w : NAN },
		{ "cpu_work_share", cpu ? (double)ticks * tick_s / w : NAN },
		{ "cpu_ticks_per_s", cpu ? (double)ticks / w : NAN },
		{ "slices", (double)slice->count },
		{ "slice_p50_ns", pct_ns(slice, 50) },
		{ "slice_p90_ns", pct_ns(slice, 90) },
		{ "slice_p99_ns", pct_ns(slice, 99) },
	};
	return wl_figures_copy(out, max, all, sizeof all / sizeof all[0]);
}

const struct lb_workload lb_workload_interp = {
	.name = "interp",
	.summary = "CPU-bound threads hold the lock polling every tick_ns; I/O threads release it around each "
		   "blocking call (GIL)",
	.params = interp_params,
	.state_size = sizeof(struct interp_state),
	.tally_size = sizeof(struct interp_tally),
	.setup = interp_setup,
	.thread = interp_thread,
	.verify = interp_verify,
	.stop = interp_stop,
	.figures = interp_figures,
};
