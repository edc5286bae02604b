/*
 * engine/harness.c — the out-of-line half of harness.h: what a thread does
 * when it sees the window open or close, and on the rare timed acquisition.
 * Nothing here runs on an untimed acquisition.
 */
#define _GNU_SOURCE
#include "engine/harness.h"

#include "engine/lockset.h"

#include <string.h>
#include <sys/resource.h>
#include <time.h>

/* user + system CPU time and context switches of the calling thread; -1 when unknown. */
static void usage_now(int64_t *cpu_ns, int64_t *vcsw, int64_t *icsw)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0) {
		*cpu_ns = *vcsw = *icsw = -1;
		return;
	}
	*cpu_ns = ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
		  ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
	*vcsw = ru.ru_nvcsw;
	*icsw = ru.ru_nivcsw;
}

/* Zero a thread's measured figures; `total`s keep counting for verify(). */
static void reset_figures(struct lb_thread *t)
{
	t->timed = t->try_failures = t->poll_handoffs = 0;
	t->sampled = t->found_held = 0;
	t->max_bypass = 0;
	t->readers_seen = 0;
	t->readers_max = 0;
	for (int k = 0; k < LB_NROLES; k++)
		t->role[k].acquisitions = t->role[k].timed = 0;
	/* The first acquisition of the window is timed, so even a thread that
	 * gets only one has a latency figure. */
	atomic_store_explicit(&t->countdown, 1, memory_order_relaxed);
	/* The histograms need no reset: only timed acquisitions of the window
	 * record into them, and they start as zero pages (hist.h), which stay
	 * untouched — not even read — for a thread that is never timed. */
}

static uint64_t acquired_so_far(const struct lb_thread *t)
{
	return lb_progress_count(atomic_load_explicit(&t->progress, memory_order_relaxed));
}

/* The thread itself, not its view of another lock (engine/multilock.h): the kernel's figures are its. */
static bool is_self(const struct lb_thread *t)
{
	return t->lk == NULL || t->lk[0] == t;
}

static void open_window(struct lb_thread *t)
{
	struct lb_window *w = &t->win;
	reset_figures(t);
	w->total0 = acquired_so_far(t);
	if (is_self(t))
		usage_now(&w->cpu0_ns, &w->vcsw0, &w->icsw0);
	else
		w->cpu0_ns = w->vcsw0 = w->icsw0 = -1;
}

/* One thread or view; idempotent, so a view that saw the change first is not reset again. */
static bool phase_one(struct lb_thread *t, uint32_t phase)
{
	struct lb_window *w = &t->win;
	if (phase == LB_PHASE_MEASURE) {
		if (t->seen_phase != LB_PHASE_MEASURE) {
			t->seen_phase = phase;
			t->window_t0 = lb_mono_ns();
			open_window(t);
		}
		return true;
	}
	/*
	 * STOP is never recorded as seen: every later lb_running() comes back
	 * here and says false again, so a loop nested in a workload's main loop
	 * can test it too; and an acquisition completing after the stop is not
	 * counted as measured (lb__acquired calls this before counting it).
	 * A thread that never saw the window open (stuck through all of it) has
	 * nothing measured: what it counted was warm-up.
	 */
	if (t->window_t1 == 0) {
		if (t->seen_phase == LB_PHASE_WARMUP)
			open_window(t);
		t->window_t1 = lb_mono_ns();
		w->total1 = acquired_so_far(t);
		if (is_self(t))
			usage_now(&w->cpu1_ns, &w->vcsw1, &w->icsw1);
		else
			w->cpu1_ns = w->vcsw1 = w->icsw1 = -1;
	}
	return false;
}

bool lb_phase_change(struct lb_thread *t, uint32_t phase)
{
	if (is_self(t))
		lb_lockset_phase(t, phase, phase_one); /* the thread's views of locks 1.. */
	return phase_one(t, phase);
}

void lb__phase_in_acquire(struct lb_thread *t, uint32_t phase)
{
	bool open = t->window_t1 == 0;
	/* MEASURE: the window's opening counts include this acquisition, so it is left out.
	 * A view changes alone (its thread and the other views follow at their next test). */
	if (is_self(t))
		lb_phase_change(t, phase);
	else
		phase_one(t, phase);
	/* STOP: the closing counts must not include it. */
	if (phase != LB_PHASE_MEASURE && open && t->win.total1 > t->win.total0)
		t->win.total1--;
}

void lb__acquired_timed(struct lb_thread *t, uint64_t t0, uint64_t t1, uint64_t seq0, uint64_t s, uint32_t prev)
{
	struct lb_harness_line *hl = t->hl;
	t->timing = true;
	t->timed++;
	lb_hist_record(t->wait, t1 - t0);
	/* A lock that excludes nothing loses sequence updates; never let that wrap. */
	uint64_t bypass = s > seq0 ? s - seq0 : 0;
	if (bypass > t->max_bypass)
		t->max_bypass = bypass;
	/*
	 * Hand-off: the acquisition before ours (s - 1) was another thread's,
	 * and its release was timed (release_seq names it), so release_tick is
	 * when it let go.
	 */
	if ((prev & LB_OWNER_FREE) && prev != (LB_OWNER_FREE | (t->id + 1)) &&
	    atomic_load_explicit(&hl->release_seq, memory_order_relaxed) == s) {
		uint64_t rel = atomic_load_explicit(&hl->release_tick, memory_order_relaxed);
		if (t1 > rel)
			lb_hist_record(t->handoff, t1 - rel);
	}
	t->hold_t0 = t1;
	t->hold_seq = s;
}

void lb__released_timed(struct lb_thread *t)
{
	struct lb_harness_line *hl = t->hl;
	t->timing = false;
	uint64_t now = lb_now();
	lb_hist_record(t->hold, now - t->hold_t0);
	atomic_store_explicit(&hl->release_tick, now, memory_order_relaxed);
	atomic_store_explicit(&hl->release_seq, t->hold_seq + 1, memory_order_relaxed);
}

uint64_t lb_coarse_ns(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

uint32_t lb_coarse_tick(const struct lb_thread *t)
{
	uint64_t now = lb_coarse_ns(), o = t->clock->coarse_origin_ns;
	return now > o ? (uint32_t)((now - o) / (uint64_t)t->clock->tick_ns) : 0;
}
