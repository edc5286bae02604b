/*
 * engine/sampler.c — the main thread while the measured window runs.
 *
 * Threads read no clock on an untimed acquisition. Instead each keeps one
 * progress word on its own line (2 x acquisitions since start, + 1 while it
 * is trying to acquire), and the main thread wakes once per tick (a slice
 * by default, 10 ms) and reads every thread's word. From those reads come:
 *
 *   the timeline   the thread's acquisition count at the end of each slice;
 *                  after the run, differences clipped to the thread's own
 *                  window (the counts it snapshot when it saw the window
 *                  open and close), so the slices add up to exactly the
 *                  acquisitions the thread reports;
 *   the gaps       a thread seen trying with the same word at two ticks
 *                  acquired nothing in between: the longest such run is its
 *                  longest time trying without success (resolution one tick,
 *                  an underestimate by less than a tick);
 *   timed floor    under sample:N each tick asks every thread to time its
 *                  next acquisition (its countdown set to 1), so a thread
 *                  that acquires only a few times a second still gets latency
 *                  figures while a fast one pays for one in N.
 *
 * Why: a coarse clock that the main thread advances every millisecond costs
 * every thread two loads per acquisition and wakes a CPU a thousand times a
 * second, which on an oversubscribed machine is a scheduling event that
 * changes what is measured (about one lock hand-off per scheduler tick). The
 * sampler wakes once per slice, and each wake reads each thread's line once.
 */
#define _GNU_SOURCE
#include "engine/sampler.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#define NOT_TRYING UINT32_MAX

/* Bounds on what the timeline costs (see lb_sampler_plan). */
#define MAX_SLICES 100000                /* per thread */
#define MAX_TIMELINE_BYTES (64u << 20)   /* all threads' timelines together */
#define READ_NS_PER_THREAD 10000         /* a slice is at least 10 us per thread read */

void lb_sampler_plan(int64_t duration_ns, int64_t slice_ns, int64_t tick_ns, unsigned n, int64_t *slice_out,
		     int64_t *tick_out, uint32_t *slices_out)
{
	int64_t slice = slice_ns;
	/*
	 * Widen the slice (doubling it) until: at most MAX_SLICES per thread;
	 * all timelines in MAX_TIMELINE_BYTES (16k threads at 10 ms slices
	 * would need 13 MB a second of window); and one read of every thread's
	 * line (a cache miss each, ~100 ns) takes at most 1% of a slice.
	 */
	while (duration_ns / slice > MAX_SLICES ||
	       (uint64_t)(duration_ns / slice + 2) * 8u * n > MAX_TIMELINE_BYTES ||
	       slice < (int64_t)n * READ_NS_PER_THREAD)
		slice *= 2;
	int64_t tick = tick_ns > 0 && tick_ns < slice ? tick_ns : slice;
	slice = (slice + tick - 1) / tick * tick; /* whole ticks */
	*slice_out = slice;
	*tick_out = tick;
	*slices_out = (uint32_t)(duration_ns / slice + 2);
}

/*
 * A thread's progress as one word: its own, or for a thread with views of
 * several locks (engine/multilock.h) the sum of their counts with the
 * trying and read bits of whichever view is trying.
 */
static uint64_t word(const struct lb_thread *t)
{
	uint64_t w = atomic_load_explicit(&t->progress, memory_order_relaxed);
	if (t->nlocks <= 1)
		return w;
	uint64_t count = lb_progress_count(w), bits = w & (LB_PROGRESS_TRYING | LB_PROGRESS_READ);
	for (unsigned k = 1; k < t->nlocks; k++) {
		uint64_t v = atomic_load_explicit(&t->lk[k]->progress, memory_order_relaxed);
		count += lb_progress_count(v);
		if (v & LB_PROGRESS_TRYING)
			bits = v & (LB_PROGRESS_TRYING | LB_PROGRESS_READ);
	}
	return count << LB_PROGRESS_SHIFT | bits;
}

/* The role whose wait a trying word shows: a read, or an exclusive acquisition. */
static unsigned role_of(uint64_t w)
{
	return w & LB_PROGRESS_READ ? LB_ROLE_READ : LB_ROLE_WRITE;
}

int lb_sampler_init(struct lb_sampler *s, struct lb_thread *threads, unsigned n, int64_t tick_ns, int64_t slice_ns,
		    uint32_t slices)
{
	*s = (struct lb_sampler){ .threads = threads, .n = n, .tick_ns = tick_ns, .slices = slices };
	s->ticks_per_slice = (uint32_t)(slice_ns / tick_ns);
	size_t m = n ? n : 1;
	s->last = calloc(m, sizeof *s->last);
	s->run_start = calloc(m, sizeof *s->run_start);
	s->max_gap = calloc(m * (1 + LB_NROLES), sizeof *s->max_gap);
	s->gap_end = calloc(m * (1 + LB_NROLES), sizeof *s->gap_end);
	if (s->last == NULL || s->run_start == NULL || s->max_gap == NULL || s->gap_end == NULL) {
		lb_sampler_free(s);
		return -1;
	}
	return 0;
}

void lb_sampler_free(struct lb_sampler *s)
{
	free(s->last);
	free(s->run_start);
	free(s->max_gap);
	free(s->gap_end);
	s->last = NULL;
	s->run_start = NULL;
	s->max_gap = s->gap_end = NULL;
}

/* Write the counts of slice boundaries up to `upto` (timeline index), each thread's current count. */
static void snapshot(struct lb_sampler *s, uint32_t upto)
{
	if (upto > s->slices)
		upto = s->slices;
	for (uint32_t k = s->written + 1; k <= upto; k++)
		for (unsigned i = 0; i < s->n; i++)
			s->threads[i].timeline[k] = lb_progress_count(s->last[i]);
	if (upto > s->written)
		s->written = upto;
}

/* A gap of thread i seen at tick j: its longest overall ([0]) and in its role ([1 + role]). */
static void gap_seen(struct lb_sampler *s, unsigned i, unsigned role, uint32_t j)
{
	uint32_t gap = j - s->run_start[i];
	size_t at[2] = { (size_t)i * (1 + LB_NROLES), (size_t)i * (1 + LB_NROLES) + 1 + role };
	for (int k = 0; k < 2; k++)
		if (gap > s->max_gap[at[k]]) {
			s->max_gap[at[k]] = gap;
			s->gap_end[at[k]] = j;
		}
}

/* One read of every thread's word at tick j of the window (and a request for a timed acquisition). */
static void sample(struct lb_sampler *s, uint32_t j, bool boundary)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct lb_thread *t = &s->threads[i];
		if (t->sample_every > 1)
			atomic_store_explicit(&t->countdown, 1, memory_order_relaxed);
		uint64_t w = word(t);
		if (!(w & LB_PROGRESS_TRYING))
			s->run_start[i] = NOT_TRYING;
		else if (w == s->last[i] && s->run_start[i] != NOT_TRYING)
			gap_seen(s, i, role_of(w), j);
		else
			s->run_start[i] = j;
		s->last[i] = w;
	}
	if (boundary)
		snapshot(s, j / s->ticks_per_slice);
}

void lb_sampler_open(struct lb_sampler *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct lb_thread *t = &s->threads[i];
		s->last[i] = word(t);
		s->run_start[i] = s->last[i] & LB_PROGRESS_TRYING ? 0 : NOT_TRYING;
		t->timeline[0] = lb_progress_count(s->last[i]);
	}
	memset(s->max_gap, 0, (size_t)s->n * (1 + LB_NROLES) * sizeof *s->max_gap);
	memset(s->gap_end, 0, (size_t)s->n * (1 + LB_NROLES) * sizeof *s->gap_end);
	s->written = 0;
}

static void sleep_until(uint64_t abs_ns)
{
	struct timespec ts = { (time_t)(abs_ns / 1000000000u), (long)(abs_ns % 1000000000u) };
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

bool lb_sampler_window(struct lb_sampler *s, uint64_t m0, int64_t duration_ns, const struct lb_clock *clock,
		       volatile sig_atomic_t *interrupted)
{
	uint64_t end = m0 + (uint64_t)duration_ns, tick = (uint64_t)s->tick_ns;
	uint32_t j = 0;
	for (;;) {
		uint64_t next = m0 + (uint64_t)(j + 1) * tick;
		sleep_until(next < end ? next : end);
		uint64_t now = lb_mono_ns();
		/* Interrupted, or the deadlock watchdog ended the window. */
		if (*interrupted || atomic_load_explicit(&clock->phase, memory_order_relaxed) == LB_PHASE_STOP) {
			sample(s, (uint32_t)((now - m0) / tick), false);
			return false;
		}
		if (now >= end) {
			/* The last tick: gaps only; the last slice closes with the threads' final counts. */
			sample(s, (uint32_t)((end - m0 + tick - 1) / tick), false);
			return true;
		}
		if (now < next)
			continue; /* woken early (a signal that is not ours) */
		/* Late by more than a tick (an overloaded machine): skip the missed ticks. */
		j = (uint32_t)((now - m0) / tick);
		sample(s, j, j / s->ticks_per_slice > s->written);
	}
}

/* Sum of a window bound over a thread's views (the thread alone when it has one lock). */
static uint64_t window_bound(const struct lb_thread *t, bool upper)
{
	uint64_t sum = 0;
	for (unsigned k = 0; k < (t->nlocks ? t->nlocks : 1); k++) {
		const struct lb_thread *v = t->nlocks ? t->lk[k] : t;
		sum += upper ? v->win.total1 : v->win.total0;
	}
	return sum;
}

void lb_sampler_close(struct lb_sampler *s)
{
	for (unsigned i = 0; i < s->n; i++) {
		struct lb_thread *t = &s->threads[i];
		uint64_t *tl = t->timeline, final = lb_progress_count(word(t));
		uint64_t lo = window_bound(t, false), hi = window_bound(t, true);
		size_t at = (size_t)i * (1 + LB_NROLES);
		t->max_gap_ticks = s->max_gap[at];
		t->max_gap_end = s->gap_end[at];
		for (int r = 0; r < LB_NROLES; r++) {
			t->role[r].max_gap_ticks = s->max_gap[at + 1 + r];
			t->role[r].max_gap_end = s->gap_end[at + 1 + r];
		}
		for (uint32_t k = s->written + 1; k <= s->slices; k++)
			tl[k] = final;
		/* Cumulative counts at the slice ends → acquisitions of the window per slice, in place. */
		for (uint32_t k = 0; k < s->slices; k++) {
			uint64_t a = tl[k] > lo ? tl[k] : lo, b = tl[k + 1] < hi ? tl[k + 1] : hi;
			tl[k] = b > a ? b - a : 0;
		}
		tl[s->slices] = 0;
	}
}
