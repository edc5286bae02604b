/*
 * engine/run.c — one configuration from allocation to verification.
 *
 * The main thread allocates everything (nothing is allocated once threads
 * run), starts the threads, which pin themselves and meet on a barrier, then
 * acts as the coarse clock: it advances tick/slice every tick_ns and flips
 * the phase WARMUP → MEASURE → STOP. Threads notice a phase change at their
 * next loop test. After STOP, threads get grace_ns to leave; one that does
 * not is reported hung and its memory is left alone.
 */
#define _GNU_SOURCE
#include "engine/run.h"

#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/deadlock.h"
#include "engine/lockset.h"
#include "engine/stackdump.h"
#include "engine/topo.h"
#include "engine/workload.h"

volatile sig_atomic_t lb_interrupted;
volatile sig_atomic_t lb_stage;

const char *lb_stage_name(int stage)
{
	static const char *const names[] = {
		[LB_STAGE_IDLE] = "idle", [LB_STAGE_INIT] = "init", [LB_STAGE_SETUP] = "setup",
		[LB_STAGE_WARMUP] = "warm-up", [LB_STAGE_WINDOW] = "window", [LB_STAGE_STOP] = "stop",
		[LB_STAGE_VERIFY] = "verify", [LB_STAGE_DESTROY] = "destroy",
	};
	return stage >= 0 && stage <= LB_STAGE_DESTROY ? names[stage] : "?";
}

const char *lb_status_name(enum lb_status s)
{
	switch (s) {
	case LB_STATUS_OK: return "ok";
	case LB_STATUS_FAILED: return "failed";
	case LB_STATUS_HUNG: return "hung";
	case LB_STATUS_ERROR: return "error";
	case LB_STATUS_INTERRUPTED: return "interrupted";
	case LB_STATUS_DEADLOCK: return "deadlock";
	}
	return "?";
}

/* Histograms per thread (and merged): wait, hold, handoff, then one wait per role. */
#define HISTS (3 + LB_NROLES)

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Drop the outcome's references to its memory (freed, or still in use by hung threads). */
static void forget_memory(struct lb_outcome *out)
{
	out->mem_lock = out->mem_nodes = out->mem_hists = out->mem_timeline = NULL;
	out->mem_log = out->mem_clock = out->mem_hl = NULL;
	out->run.locks = NULL;
}

static void *zalloc_aligned(size_t align, size_t size)
{
	size = round_up(size ? size : 1, align);
	void *p = aligned_alloc(align, size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

struct start {
	pthread_barrier_t barrier;
	const struct lb_topo *topo;
	_Atomic int pin_failed;
	char pin_err[256];
	_Atomic unsigned done;
};

struct thread_arg {
	struct lb_thread *t;
	struct start *start;
};

/* Zero a thread's measured figures; `total` keeps counting for verify(). */
static void reset_figures(struct lb_thread *t)
{
	t->acquisitions = t->timed = t->try_failures = t->poll_handoffs = 0;
	t->sampled = t->found_held = 0;
	/* The first acquisition of the window is timed, so even a thread that
	 * gets only one has a latency figure. */
	t->countdown = 1;
	t->max_bypass = 0;
	t->max_gap_ticks = t->max_gap_end = 0;
	t->trying_since = LB_NOT_TRYING;
	lb_hist_reset(t->wait);
	lb_hist_reset(t->hold);
	lb_hist_reset(t->handoff);
	memset(t->timeline, 0, t->timeline_len * sizeof t->timeline[0]);
	/* Per role: `total` keeps counting for verify(), stop_since is set only after the window. */
	t->readers_seen = 0;
	t->readers_max = 0;
	for (int k = 0; k < LB_NROLES; k++) {
		struct lb_role_figures *rf = &t->role[k];
		rf->acquisitions = rf->timed = 0;
		rf->max_gap_ticks = rf->max_gap_end = 0;
		lb_hist_reset(rf->wait);
	}
}

static bool phase_change_one(struct lb_thread *t, uint32_t phase);

bool lb_phase_change(struct lb_thread *t, uint32_t phase)
{
	lb_lockset_phase(t, phase, phase_change_one); /* the thread's views of locks 1.. */
	return phase_change_one(t, phase);
}

static bool phase_change_one(struct lb_thread *t, uint32_t phase)
{
	if (phase == LB_PHASE_MEASURE) {
		t->seen_phase = phase;
		t->window_t0 = lb_mono_ns();
		reset_figures(t);
		return true;
	}
	/*
	 * STOP is never recorded as seen: every later lb_running() comes back
	 * here and says false again, so a loop nested in a workload's main loop
	 * can test it too; and an acquisition completing after the stop is not
	 * counted as measured (lb__acquired compares the phase with seen_phase).
	 * A thread that never saw the window open (stuck through all of it) has
	 * nothing measured: what it counted was warm-up.
	 */
	if (t->window_t1 == 0) {
		if (t->seen_phase == LB_PHASE_WARMUP)
			reset_figures(t);
		t->window_t1 = lb_mono_ns();
	}
	return false;
}

static void *thread_main(void *p)
{
	struct thread_arg *a = p;
	struct lb_thread *t = a->t;
	char err[256];
	if (t->pu >= 0 && lb_pin_self(a->start->topo, t->pu, err, sizeof err) != 0) {
		if (atomic_exchange(&a->start->pin_failed, 1) == 0)
			snprintf(a->start->pin_err, sizeof a->start->pin_err, "%s", err);
	}
	t->tid = (int)gettid();
	pthread_barrier_wait(&a->start->barrier);
	t->run->wl->thread(t);
	/* A thread that left early (workload returned) still counts as done. */
	if (t->window_t1 == 0)
		t->window_t1 = lb_mono_ns();
	atomic_store(&t->finished, true);
	atomic_fetch_add(&a->start->done, 1);
	return NULL;
}

/*
 * Why a run hung: which threads are still in, on which PU, whether they are
 * runnable or asleep, and how much CPU each got during the grace period. A
 * runnable thread that got no CPU was not run by the OS (an overloaded or
 * oversubscribed machine) — not the same as a lock that never lets it in.
 */
static void describe_hung(struct lb_outcome *out, const int64_t *cpu_at_stop, double grace_s)
{
	struct lb_run *r = &out->run;
	size_t used = (size_t)snprintf(out->message, sizeof out->message,
				       "threads still inside the lock or workload %.1f s after stop:", grace_s);
	bool starved_by_os = false;
	for (unsigned i = 0; i < r->nthreads && used < sizeof out->message; i++) {
		if (atomic_load(&r->threads[i].finished))
			continue;
		char state = '?';
		int64_t now = lb_thread_cpu_ns(r->threads[i].tid, &state);
		double got_ms = now >= 0 && cpu_at_stop[i] >= 0 ? (double)(now - cpu_at_stop[i]) / 1e6 : -1;
		starved_by_os |= state == 'R' && got_ms >= 0 && got_ms < 1;
		used += (size_t)snprintf(out->message + used, sizeof out->message - used, " %u (pu %d, %s, %.0f ms CPU)",
					 i, r->threads[i].pu, state == 'R' ? "runnable" : "asleep", got_ms);
	}
	if (starved_by_os && used < sizeof out->message)
		snprintf(out->message + used, sizeof out->message - used,
			 "; a runnable thread that got no CPU was not scheduled by the OS (machine overloaded?)");
}

/* Stacks and states of the threads that did not finish. */
static void describe_stuck(struct lb_outcome *out)
{
	struct lb_run *r = &out->run;
	unsigned *ids = calloc(r->nthreads ? r->nthreads : 1, sizeof *ids), k = 0;
	for (unsigned i = 0; ids != NULL && i < r->nthreads; i++)
		if (!atomic_load(&r->threads[i].finished))
			ids[k++] = i;
	if (ids != NULL && (out->stuck = lb_stuck_describe(r, ids, k)) != NULL)
		out->nstuck = k;
	lb_stuck_symbolise(out->stuck, out->nstuck);
	free(ids);
}

/* Sleep until abs_ns on CLOCK_MONOTONIC, waking early on a signal. */
static void sleep_until(uint64_t abs_ns)
{
	struct timespec ts = { (time_t)(abs_ns / 1000000000u), (long)(abs_ns % 1000000000u) };
	clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, NULL);
}

/* Be the coarse clock until `until`; returns false if interrupted. */
static bool tick_until(struct lb_clock *c, uint64_t origin, uint64_t measure0, int64_t tick_ns,
		       int64_t slice_ns, uint32_t last_slice, uint64_t until)
{
	for (;;) {
		uint64_t now = lb_mono_ns();
		if (lb_interrupted || atomic_load_explicit(&c->phase, memory_order_relaxed) == LB_PHASE_STOP)
			return false; /* interrupted, or the deadlock watchdog ended the window */
		if (now >= until)
			return true;
		uint64_t slice = measure0 ? (now - measure0) / (uint64_t)slice_ns : 0;
		if (slice > last_slice)
			slice = last_slice; /* threads index the timeline with it unchecked */
		atomic_store_explicit(&c->now, lb_clock_word((uint32_t)((now - origin) / (uint64_t)tick_ns), (uint32_t)slice),
				      memory_order_relaxed);
		uint64_t next = now + (uint64_t)tick_ns - (now - origin) % (uint64_t)tick_ns;
		sleep_until(next < until ? next : until);
	}
}

static void collect_order(struct lb_outcome *out, uint64_t seq_start, uint64_t seq_end, size_t cap)
{
	uint16_t *log = out->mem_log;
	uint64_t n = seq_end - seq_start;
	if (seq_end < seq_start)
		n = 0;
	if (n > cap)
		n = cap;
	out->order = malloc((n ? n : 1) * sizeof *out->order);
	if (out->order == NULL) {
		out->norder = 0;
		return;
	}
	for (uint64_t i = 0; i < n; i++)
		out->order[i] = log[(seq_end - n + i) & (cap - 1)];
	out->norder = n;
}

/*
 * The counters of the measured window: the final values less those read
 * when it opened (LB_CAP_LIVE_COUNTERS), matched by position and name.
 * False, changing nothing, if the two lists do not match or a count went
 * down: then the counters stay those of the whole run.
 */
static bool counters_since(struct lb_counter *now, size_t n, const struct lb_counter *start, size_t nstart)
{
	if (n != nstart)
		return false;
	for (size_t i = 0; i < n; i++)
		if (now[i].name == NULL || start[i].name == NULL || strcmp(now[i].name, start[i].name) != 0 ||
		    now[i].value < start[i].value)
			return false;
	for (size_t i = 0; i < n; i++)
		now[i].value -= start[i].value;
	return true;
}

static void merge_figures(struct lb_outcome *out)
{
	struct lb_run *r = &out->run;
	for (unsigned i = 0; i < r->nthreads; i++) {
		struct lb_thread *t = &r->threads[i];
		out->acquisitions += t->acquisitions;
		out->violations += t->violations;
		out->release_errors += t->release_errors;
		lb_hist_merge(out->wait, t->wait);
		lb_hist_merge(out->hold, t->hold);
		lb_hist_merge(out->handoff, t->handoff);
		for (int k = 0; k < LB_NROLES; k++)
			lb_hist_merge(out->role[k].wait, t->role[k].wait);
	}
}

int lb_run_config(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		  const struct lb_wl_choice *wl, unsigned n, const int *pus, struct lb_outcome *out)
{
	memset(out, 0, sizeof *out);
	out->pingpong_ns = NAN;
	const struct lb_lock_ops *ops = lock->ops;
	struct lb_run *r = &out->run;
	r->ops = ops;
	r->wl = wl->wl;
	r->wl_params = wl->params;
	r->nthreads = n;
	r->topo = topo;

	/* Timeline slices: at most 100000 per thread; widen the slice if needed. */
	int64_t slice = o->slice_ns;
	while (o->duration_ns / slice > 100000)
		slice *= 2;
	out->slice_ns = slice;
	out->tick_ns = o->tick_ns < slice ? o->tick_ns : slice;
	r->tick_ns = out->tick_ns;
	uint32_t tl_len = (uint32_t)(o->duration_ns / slice + 2);

	size_t node_stride = round_up(ops->node_size ? ops->node_size : 1, 2 * LB_CACHELINE);
	size_t hist_stride = round_up(sizeof(struct lb_hist), LB_CACHELINE);
	char err[256] = "";
	unsigned nlocks = wl->wl->nlocks ? wl->wl->nlocks(wl->params) : 1;
	r->nlocks = nlocks;
	if ((r->locks = lb_lockset_new(ops, nlocks, n, o->order_log_cap, err, sizeof err)) == NULL) {
		snprintf(out->message, sizeof out->message, "%s", err);
		return -1;
	}
	out->mem_nodes = ops->node_size ? zalloc_aligned(2 * LB_CACHELINE, node_stride * n) : NULL;
	/* Per thread: wait, hold, handoff, read wait, write wait; then the same five merged. */
	out->mem_hists = zalloc_aligned(LB_CACHELINE, hist_stride * (HISTS * (size_t)n + HISTS));
	out->mem_timeline = zalloc_aligned(LB_CACHELINE, round_up(tl_len * sizeof(uint32_t), LB_CACHELINE) * n);
	out->mem_log = zalloc_aligned(LB_CACHELINE, o->order_log_cap * sizeof(uint16_t));
	out->mem_clock = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_clock));
	out->mem_hl = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_harness_line));
	r->threads = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_thread) * n);
	if ((ops->node_size && !out->mem_nodes) || !out->mem_hists ||
	    !out->mem_timeline || !out->mem_log || !out->mem_clock || !out->mem_hl || !r->threads) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		lb_outcome_free(out);
		return -1;
	}
	r->lock = lb_lockset_state(r->locks, 0);
	r->clock = out->mem_clock;
	r->hl = out->mem_hl;
	char *hists = out->mem_hists;
#define HIST_AT(k) ((struct lb_hist *)(hists + hist_stride * (k)))
	out->wait = HIST_AT(HISTS * n);
	out->hold = HIST_AT(HISTS * n + 1);
	out->handoff = HIST_AT(HISTS * n + 2);
	lb_hist_reset(out->wait);
	lb_hist_reset(out->hold);
	lb_hist_reset(out->handoff);
	for (int k = 0; k < LB_NROLES; k++) {
		out->role[k].wait = HIST_AT(HISTS * n + 3 + k);
		lb_hist_reset(out->role[k].wait);
	}

	int init_tid;
	lb_stage = LB_STAGE_INIT;
	enum lb_init_result ir = lb_lockset_init(r->locks, lock->params, n, o->grace_ns, &init_tid, err, sizeof err);
	if (ir == LB_INIT_FAILED) {
		snprintf(out->message, sizeof out->message, "%s", err);
		lb_outcome_free(out);
		return -1;
	}
	if (ir != LB_INIT_OK) {
		/* The init thread still uses the locks: they are left to it; the rest is freed, no thread starts. */
		r->locks = NULL;
		lb_outcome_free(out);
		out->status = ir == LB_INIT_STUCK ? LB_STATUS_HUNG : LB_STATUS_INTERRUPTED;
		snprintf(out->message, sizeof out->message, "%s", err);
		out->stuck = calloc(1, sizeof *out->stuck);
		if (out->stuck != NULL && init_tid > 0) {
			void *frames[LB_STACK_MAX];
			int nf = lb_stack_capture(init_tid, frames, LB_STACK_MAX, 1000000000);
			out->stuck->tid = init_tid;
			out->stuck->pu = -1;
			out->stuck->holder = -1;
			out->stuck->cpu_ns = lb_thread_cpu_ns(init_tid, &out->stuck->state);
			out->stuck->stack = lb_stack_symbolise(frames, nf, &out->stuck->nstack);
			out->nstuck = 1;
			out->stuck_in_init = true;
		}
		lb_stage = LB_STAGE_IDLE;
		return 0;
	}
	lb_stage = LB_STAGE_SETUP;
	if (lb_workload_setup(r, err, sizeof err) != 0) {
		snprintf(out->message, sizeof out->message, "%s", err);
		lb_lockset_destroy(r->locks);
		lb_outcome_free(out);
		return -1;
	}

	for (unsigned i = 0; i < n; i++) {
		struct lb_thread *t = &r->threads[i];
		t->id = i;
		t->pu = pus[i];
		t->run = r;
		t->ops = ops;
		t->lock = r->lock;
		t->node = ops->node_size ? (char *)out->mem_nodes + node_stride * i : NULL;
		t->clock = r->clock;
		t->hl = r->hl;
		t->order_log = out->mem_log;
		t->order_mask = o->order_log_cap - 1;
		t->sample_every = o->sample_every;
		t->countdown = o->sample_every ? o->sample_every : 1;
		t->timeline_len = tl_len;
		t->seen_phase = LB_PHASE_WARMUP;
		t->trying_since = LB_NOT_TRYING;
		t->wait = HIST_AT(HISTS * i);
		t->hold = HIST_AT(HISTS * i + 1);
		t->handoff = HIST_AT(HISTS * i + 2);
		lb_hist_reset(t->wait);
		lb_hist_reset(t->hold);
		lb_hist_reset(t->handoff);
		for (int k = 0; k < LB_NROLES; k++) {
			t->role[k].wait = HIST_AT(HISTS * i + 3 + k);
			t->role[k].stop_since = LB_NOT_TRYING;
			lb_hist_reset(t->role[k].wait);
		}
		t->timeline = (uint32_t *)((char *)out->mem_timeline +
					   round_up(tl_len * sizeof(uint32_t), LB_CACHELINE) * i);
	}

	lb_lockset_bind(r->locks, r);

	struct start *st = calloc(1, sizeof *st);
	struct thread_arg *args = calloc(n, sizeof *args);
	pthread_t *tids = calloc(n, sizeof *tids);
	if (st == NULL || args == NULL || tids == NULL) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		free(st), free(args), free(tids);
		lb_workload_teardown(r);
		lb_lockset_destroy(r->locks);
		lb_outcome_free(out);
		return -1;
	}
	st->topo = topo;
	pthread_barrier_init(&st->barrier, NULL, n + 1);
	unsigned started = 0;
	for (; started < n; started++) {
		args[started].t = &r->threads[started];
		args[started].start = st;
		if (pthread_create(&tids[started], NULL, thread_main, &args[started]) != 0)
			break;
	}
	if (started < n) {
		/* Cannot release a barrier sized for n+1: tell the caller, leak the rest. */
		snprintf(out->message, sizeof out->message, "could not create thread %u of %u: %s", started + 1,
			 n, strerror(errno));
		out->status = LB_STATUS_ERROR;
		return -1;
	}

	/* Workloads that can deadlock, or take several locks, publish their waits: watch them. */
	struct lb_deadlock_watch *watch = NULL;
	if (r->wl->may_deadlock != NULL || r->nlocks > 1)
		watch = lb_deadlock_watch_start(r, LB_DEADLOCK_PERIOD_NS);
	lb_stage = LB_STAGE_WARMUP;
	pthread_barrier_wait(&st->barrier);
	uint64_t origin = lb_mono_ns();
	bool completed = tick_until(r->clock, origin, 0, out->tick_ns, slice, tl_len - 1, origin + (uint64_t)o->warmup_ns);
	uint64_t m0 = lb_mono_ns(), m1 = m0;
	out->measure_tick0 = (uint32_t)((m0 - origin) / (uint64_t)out->tick_ns);
	uint64_t seq_start = atomic_load_explicit(&r->hl->seq, memory_order_relaxed);
	/* A lock whose counters may be read while threads run is read as the window opens. */
	struct lb_counter at_start[sizeof out->counters / sizeof out->counters[0]];
	size_t nstart = 0;
	bool live = (ops->caps & LB_CAP_LIVE_COUNTERS) && ops->counters != NULL;
	if (completed) {
		lb_stage = LB_STAGE_WINDOW;
		/* Not over a STOP the deadlock watchdog set as the warm-up ended. */
		uint32_t warm = LB_PHASE_WARMUP;
		completed = atomic_compare_exchange_strong_explicit(&r->clock->phase, &warm, LB_PHASE_MEASURE,
								    memory_order_relaxed, memory_order_relaxed);
	}
	if (completed) {
		if (live)
			nstart = ops->counters(r->lock, at_start, sizeof at_start / sizeof at_start[0]);
		completed = tick_until(r->clock, origin, m0, out->tick_ns, slice, tl_len - 1, m0 + (uint64_t)o->duration_ns);
		m1 = lb_mono_ns();
	}
	uint64_t seq_end = atomic_load_explicit(&r->hl->seq, memory_order_relaxed);
	atomic_store_explicit(&r->clock->phase, LB_PHASE_STOP, memory_order_relaxed);
	lb_stage = LB_STAGE_STOP;
	if (r->wl->stop)
		r->wl->stop(r);
	out->duration_s = (double)(m1 - m0) / 1e9;

	/* Watchdog: threads must leave within the grace period. */
	int64_t *cpu_at_stop = calloc(n, sizeof *cpu_at_stop);
	for (unsigned i = 0; cpu_at_stop != NULL && i < n; i++)
		cpu_at_stop[i] = lb_thread_cpu_ns(r->threads[i].tid, NULL);
	uint64_t deadline = lb_mono_ns() + (uint64_t)o->grace_ns;
	/*
	 * Threads in a deadlock never leave, unless the stop freed them (a
	 * condition wait): give them two watchdog periods, then wait for the
	 * others only.
	 */
	uint64_t stopped_at = lb_mono_ns();
	while (atomic_load(&st->done) < n && lb_mono_ns() < deadline &&
	       !(atomic_load(&st->done) >= n - lb_deadlock_watch_stuck(watch) &&
		 lb_mono_ns() > stopped_at + 2 * LB_DEADLOCK_PERIOD_NS)) {
		uint64_t now = lb_mono_ns();
		/* Keep the clock going: a thread still waiting must see time pass. */
		uint64_t w = atomic_load_explicit(&r->clock->now, memory_order_relaxed);
		atomic_store_explicit(&r->clock->now,
				      lb_clock_word((uint32_t)((now - origin) / (uint64_t)out->tick_ns), (uint32_t)(w >> 32)),
				      memory_order_relaxed);
		sleep_until(now + 1000000);
	}
	struct lb_deadlock_found *dead = lb_deadlock_watch_stop(watch);
	out->deadlock = dead;
	if (dead != NULL) {
		out->status = LB_STATUS_DEADLOCK;
		snprintf(out->message, sizeof out->message, "%.500s", dead->report);
		out->deadlock_after_s = (double)(dead->at_ns - origin) / 1e9;
		if (m1 > dead->at_ns && dead->at_ns > m0)
			out->duration_s = (double)(dead->at_ns - m0) / 1e9;
	}
	if (atomic_load(&st->done) < n && dead != NULL && atomic_load(&st->done) + dead->nthreads >= n) {
		/*
		 * Only the deadlocked threads are left, stuck for good: their figures
		 * are final and visible (the watchdog read their waits with acquire).
		 * Nothing is verified, destroyed or freed: they still use it all.
		 */
		free(cpu_at_stop);
		lb_lockset_collect(r->locks, r);
		merge_figures(out);
		if (m1 == m0) {
			/* Found in the warm-up: the window never opened, and what was counted is warm-up. */
			out->duration_s = 0;
			out->acquisitions = 0;
		}
		collect_order(out, seq_start, seq_end, o->order_log_cap);
		out->abandoned = true;
		lb_stage = LB_STAGE_IDLE;
		return 0;
	}
	if (atomic_load(&st->done) < n) {
		out->status = LB_STATUS_HUNG;
		if (cpu_at_stop != NULL)
			describe_hung(out, cpu_at_stop, (double)o->grace_ns / 1e9);
		else
			snprintf(out->message, sizeof out->message, "threads still inside the lock or workload after stop");
		free(cpu_at_stop);
		describe_stuck(out);
		/* The threads still use everything; nothing is freed or verified. */
		r->threads = NULL;
		forget_memory(out);
		return 0;
	}
	free(cpu_at_stop);
	for (unsigned i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&st->barrier);

	lb_lockset_collect(r->locks, r);
	merge_figures(out);
	collect_order(out, seq_start, seq_end, o->order_log_cap);
	lb_stage = LB_STAGE_VERIFY;
	if (ops->counters)
		out->ncounters = ops->counters(r->lock, out->counters, sizeof out->counters / sizeof out->counters[0]);
	out->counters_window = live && completed && counters_since(out->counters, out->ncounters, at_start, nstart);

	char vmsg[256] = "";
	out->verify_failures = r->wl->verify ? r->wl->verify(r, vmsg, sizeof vmsg) : 0;
	if (r->wl->figures)
		out->nfigures = r->wl->figures(r, out->duration_s, out->figures,
					       sizeof out->figures / sizeof out->figures[0]);
	bool excludes = !(ops->caps & LB_CAP_NO_EXCLUSION);
	if (dead != NULL) {
		/* Its threads all left (a stop ended the waits): still a deadlock, whatever verify said. */
		out->status = LB_STATUS_DEADLOCK;
		snprintf(out->message, sizeof out->message, "%.500s", dead->report);
	} else if (!completed) {
		out->status = LB_STATUS_INTERRUPTED;
		snprintf(out->message, sizeof out->message, "interrupted");
	} else if (st->pin_failed) {
		out->status = LB_STATUS_ERROR;
		snprintf(out->message, sizeof out->message, "pinning failed: %s", st->pin_err);
	} else if (excludes && (out->violations || out->verify_failures)) {
		out->status = LB_STATUS_FAILED;
		if (out->violations)
			snprintf(out->message, sizeof out->message, "%" PRIu64 " mutual-exclusion violations%s%s",
				 out->violations, vmsg[0] ? "; " : "", vmsg);
		else
			snprintf(out->message, sizeof out->message, "%s", vmsg);
	} else if (out->release_errors) {
		out->status = LB_STATUS_FAILED;
		snprintf(out->message, sizeof out->message, "%" PRIu64 " releases by a thread not holding the lock",
			 out->release_errors);
	} else if (out->acquisitions == 0 && n > 0) {
		/* Not a correctness failure, but no figure of this run means anything. */
		snprintf(out->message, sizeof out->message,
			 "no acquisition in the measured window: the lock or the machine stalled every thread");
	} else if (!excludes && (out->violations || out->verify_failures)) {
		/* The negative control did what it is for: say so, but it is no failure. */
		snprintf(out->message, sizeof out->message, "expected: %" PRIu64 " violations caught%s%s",
			 out->violations, vmsg[0] ? "; " : "", vmsg);
	}

	lb_workload_teardown(r);
	lb_stage = LB_STAGE_DESTROY;
	lb_lockset_destroy(r->locks);
	lb_stage = LB_STAGE_IDLE;

	char gmsg[256];
	if (!lb_lockset_guards_ok(r->locks, gmsg, sizeof gmsg) && out->status != LB_STATUS_INTERRUPTED &&
	    dead == NULL) {
		out->status = LB_STATUS_FAILED;
		snprintf(out->message, sizeof out->message, "%s", gmsg);
	}
	free(st);
	free(args);
	free(tids);
	return 0;
}

void lb_outcome_free(struct lb_outcome *out)
{
	free(out->mem_lock);
	free(out->mem_nodes);
	free(out->mem_hists);
	free(out->mem_timeline);
	free(out->mem_log);
	free(out->mem_clock);
	free(out->mem_hl);
	lb_deadlock_found_free(out->deadlock);
	lb_stuck_free(out->stuck, out->nstuck);
	out->deadlock = NULL;
	out->stuck = NULL;
	out->nstuck = 0;
	if (out->abandoned) {
		/* Threads stuck in a deadlock still use the run's memory. */
		forget_memory(out);
		out->run.threads = NULL;
	}
	free(out->run.threads);
	lb_lockset_free(out->run.locks);
	free(out->order);
	free(out->starved);
	out->starved = NULL;
	for (int k = 0; k < LB_NROLES; k++) {
		free(out->role[k].starved);
		out->role[k].starved = NULL;
	}
	forget_memory(out);
	out->run.threads = NULL;
	out->order = NULL;
}
