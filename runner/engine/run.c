/*
 * engine/run.c — one configuration from allocation to verification.
 *
 * The main thread allocates everything (nothing is allocated once threads
 * run), starts the threads, which pin themselves and meet on a barrier,
 * sleeps through the warm-up, opens the window and samples the threads'
 * progress once per tick (engine/sampler.c), then flips the phase to STOP.
 * Threads notice a phase change at their next loop test or acquisition.
 * After STOP, threads leave; when none has left for grace_ns the run is
 * reported hung and its memory is left alone. What the threads left (their
 * counts, timelines, order logs, histograms) becomes the outcome's figures,
 * verified and given a status, in engine/settle.c.
 */
#define _GNU_SOURCE
#include "engine/run.h"

#include <errno.h>
#include <math.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <time.h>
#include <unistd.h>

#include "engine/deadlock.h"
#include "engine/lockset.h"
#include "engine/orderlog.h"
#include "engine/sampler.h"
#include "engine/settle.h"
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
	out->mem_nodes = out->mem_clock = out->mem_hl = NULL;
	memset(out->maps, 0, sizeof out->maps);
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

/*
 * Zeroed memory straight from the kernel: pages nobody touches are never
 * resident, so a thread's histograms and timeline cost memory only for what
 * is recorded into them (16k threads, most of whose histograms stay empty).
 */
static void *zmap(struct lb_map *m, size_t size)
{
	m->len = round_up(size ? size : 1, 4096);
	m->p = mmap(NULL, m->len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (m->p == MAP_FAILED)
		m->p = NULL;
	return m->p;
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
	/* A thread that left early (workload returned) closes its window as it leaves. */
	if (t->window_t1 == 0)
		lb_phase_change(t, LB_PHASE_STOP);
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
				       "threads still inside the lock or workload after stop, none leaving for %.1f s:", grace_s);
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

/*
 * Sleep until abs_ns, waking every 10 ms to see whether the run was
 * interrupted or the deadlock watchdog stopped it; false if either.
 */
static bool sleep_through(const struct lb_clock *c, uint64_t abs_ns)
{
	for (;;) {
		if (lb_interrupted || atomic_load_explicit(&c->phase, memory_order_relaxed) == LB_PHASE_STOP)
			return false;
		uint64_t now = lb_mono_ns();
		if (now >= abs_ns)
			return true;
		sleep_until(abs_ns - now > 10000000 ? now + 10000000 : abs_ns);
	}
}

static int run_config(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		      const struct lb_wl_choice *wl, unsigned n, const int *pus, struct lb_outcome *out);

int lb_run_config(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		  const struct lb_wl_choice *wl, unsigned n, const int *pus, struct lb_outcome *out)
{
	int rc = run_config(o, topo, lock, wl, n, pus, out);
	lb_stage = LB_STAGE_IDLE; /* whichever way it returned (engine/isolate.c's exit guard reads it) */
	return rc;
}

static int run_config(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
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

	int64_t slice, tick;
	uint32_t tl_len;
	lb_sampler_plan(o->duration_ns, o->slice_ns, o->tick_ns, n, &slice, &tick, &tl_len);
	out->slice_ns = slice;
	out->tick_ns = tick;
	r->tick_ns = tick;
	size_t ring = lb_orderlog_ring(o->order_log_cap, n);

	size_t node_stride = round_up(ops->node_size ? ops->node_size : 1, 2 * LB_CACHELINE);
	size_t hist_stride = round_up(sizeof(struct lb_hist), LB_CACHELINE);
	char err[256] = "";
	unsigned nlocks = wl->wl->nlocks ? wl->wl->nlocks(wl->params) : 1;
	r->nlocks = nlocks;
	if ((r->locks = lb_lockset_new(ops, nlocks, n, o->order_log_cap, err, sizeof err)) == NULL) {
		snprintf(out->message, sizeof out->message, "%s", err);
		return -1;
	}
	size_t tl_stride = round_up((tl_len + 1) * sizeof(uint64_t), LB_CACHELINE);
	out->mem_nodes = ops->node_size ? zalloc_aligned(2 * LB_CACHELINE, node_stride * n) : NULL;
	/* Per thread: wait, hold, handoff, read wait, write wait; then the same five merged. */
	char *hists = zmap(&out->maps[LB_MAP_HISTS], hist_stride * (HISTS * (size_t)n + HISTS));
	char *tls = zmap(&out->maps[LB_MAP_TIMELINES], tl_stride * n);
	uint64_t *logs = zmap(&out->maps[LB_MAP_LOGS], ring * sizeof(uint64_t) * n);
	out->mem_clock = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_clock));
	out->mem_hl = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_harness_line));
	r->threads = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_thread) * n);
	if ((ops->node_size && !out->mem_nodes) || !hists || !tls || !logs || !out->mem_clock || !out->mem_hl ||
	    !r->threads) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		lb_outcome_free(out);
		return -1;
	}
	/* The rings are written on every acquisition: fault them in now, not inside the window. */
	memset(logs, 0, ring * sizeof(uint64_t) * n);
	r->lock = lb_lockset_state(r->locks, 0);
	r->clock = out->mem_clock;
	r->clock->tick_ns = tick;
	r->hl = out->mem_hl;
	/* Histograms in zero pages are empty already (hist.h); per-thread ones are never reset. */
#define HIST_AT(k) ((struct lb_hist *)(hists + hist_stride * (k)))
	out->wait = HIST_AT(HISTS * n);
	out->hold = HIST_AT(HISTS * n + 1);
	out->handoff = HIST_AT(HISTS * n + 2);
	for (int k = 0; k < LB_NROLES; k++)
		out->role[k].wait = HIST_AT(HISTS * n + 3 + k);

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
		if ((out->stuck = lb_stuck_describe_tid(init_tid)) != NULL)
			out->nstuck = 1;
		out->stuck_in_init = out->nstuck == 1;
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
		t->order_log = logs + ring * i;
		t->order_mask = ring - 1;
		t->sample_every = o->sample_every;
		atomic_init(&t->countdown, o->sample_every);
		t->timeline_len = tl_len;
		t->seen_phase = LB_PHASE_WARMUP;
		t->wait = HIST_AT(HISTS * i);
		t->hold = HIST_AT(HISTS * i + 1);
		t->handoff = HIST_AT(HISTS * i + 2);
		for (int k = 0; k < LB_NROLES; k++)
			t->role[k].wait = HIST_AT(HISTS * i + 3 + k);
		t->timeline = (uint64_t *)(tls + tl_stride * i);
	}

	lb_lockset_bind(r->locks, r);

	struct start *st = calloc(1, sizeof *st);
	struct thread_arg *args = calloc(n, sizeof *args);
	pthread_t *tids = calloc(n, sizeof *tids);
	struct lb_sampler sampler;
	bool sampler_ok = lb_sampler_init(&sampler, r->threads, n, tick, slice, tl_len) == 0;
	if (st == NULL || args == NULL || tids == NULL || !sampler_ok) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		free(st), free(args), free(tids);
		if (sampler_ok)
			lb_sampler_free(&sampler);
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
	r->clock->coarse_origin_ns = lb_coarse_ns();
	pthread_barrier_wait(&st->barrier);
	uint64_t origin = lb_mono_ns();
	bool completed = sleep_through(r->clock, origin + (uint64_t)o->warmup_ns);
	uint64_t m0 = lb_mono_ns(), m1 = m0;
	out->measure_tick0 = 0; /* gaps are counted in ticks from the window's start */
	uint64_t seq_start = lb_hl_seq(atomic_load_explicit(&r->hl->word, memory_order_relaxed));
	bool sampled = false;
	/* A lock whose counters may be read while threads run is read as the window opens. */
	struct lb_counter at_start[sizeof out->counters / sizeof out->counters[0]];
	size_t nstart = 0;
	bool live = (ops->caps & LB_CAP_LIVE_COUNTERS) && ops->counters != NULL;
	if (completed) {
		lb_stage = LB_STAGE_WINDOW;
		lb_sampler_open(&sampler);
		sampled = true;
		/* Not over a STOP the deadlock watchdog set as the warm-up ended. */
		uint32_t warm = LB_PHASE_WARMUP;
		completed = atomic_compare_exchange_strong_explicit(&r->clock->phase, &warm, LB_PHASE_MEASURE,
								    memory_order_relaxed, memory_order_relaxed);
	}
	if (completed) {
		if (live)
			nstart = ops->counters(r->lock, at_start, sizeof at_start / sizeof at_start[0]);
		completed = lb_sampler_window(&sampler, m0, o->duration_ns, r->clock, &lb_interrupted);
		m1 = lb_mono_ns();
	}
	/*
	 * STOP before the order's end is read: the other way round, a main
	 * thread preempted between the two let a fast lock run a whole ring of
	 * acquisitions past the end it had read, and the window's order was
	 * overwritten (one thread of ticket fills its 8,192 entries in ~0.1 ms). This
	 * way the end is at most one acquisition per thread late.
	 */
	atomic_store_explicit(&r->clock->phase, LB_PHASE_STOP, memory_order_relaxed);
	uint64_t seq_end = lb_hl_seq(atomic_load_explicit(&r->hl->word, memory_order_relaxed));
	lb_stage = LB_STAGE_STOP;
	if (r->wl->stop)
		r->wl->stop(r);
	out->duration_s = (double)(m1 - m0) / 1e9;

	/* Watchdog: threads must leave within the grace period. */
	int64_t *cpu_at_stop = calloc(n, sizeof *cpu_at_stop);
	for (unsigned i = 0; cpu_at_stop != NULL && i < n; i++)
		cpu_at_stop[i] = lb_thread_cpu_ns(r->threads[i].tid, NULL);
	/*
	 * Hung means no thread left for a whole grace period: 16k threads
	 * queued on a sleeping lock leave one wake-up at a time, which can take
	 * longer than any fixed grace on a loaded machine, yet they progress.
	 * Threads in a deadlock never leave, unless the stop freed them (a
	 * condition wait): give them two watchdog periods, then wait for the
	 * others only.
	 */
	uint64_t deadline = lb_mono_ns() + (uint64_t)o->grace_ns;
	uint64_t stopped_at = lb_mono_ns();
	for (unsigned left = 0; atomic_load(&st->done) < n && lb_mono_ns() < deadline &&
				!(atomic_load(&st->done) >= n - lb_deadlock_watch_stuck(watch) &&
				  lb_mono_ns() > stopped_at + 2 * LB_DEADLOCK_PERIOD_NS);) {
		sleep_until(lb_mono_ns() + 1000000);
		unsigned d = atomic_load(&st->done);
		if (d > left) {
			left = d;
			deadline = lb_mono_ns() + (uint64_t)o->grace_ns;
		}
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
		lb_settle(out, &sampler, sampled, seq_start, seq_end, o->order_log_cap);
		lb_sampler_free(&sampler);
		lb_lockset_collect(r->locks, r);
		lb_settle_figures(out);
		if (m1 == m0) {
			/* Found in the warm-up: the window never opened, and what was counted is warm-up. */
			out->duration_s = 0;
			out->acquisitions = 0;
		}
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
		lb_sampler_free(&sampler);
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

	lb_settle(out, &sampler, sampled, seq_start, seq_end, o->order_log_cap);
	lb_sampler_free(&sampler);
	lb_lockset_collect(r->locks, r);
	lb_settle_figures(out);
	lb_stage = LB_STAGE_VERIFY;
	lb_settle_verify(out, completed, live && completed ? at_start : NULL, nstart,
			 st->pin_failed ? st->pin_err : NULL);

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
	if (out->abandoned) {
		/* Threads stuck in a deadlock still use the run's memory. */
		forget_memory(out);
		out->run.threads = NULL;
	}
	free(out->mem_nodes);
	for (size_t i = 0; i < LB_MAP_COUNT; i++)
		if (out->maps[i].p != NULL)
			munmap(out->maps[i].p, out->maps[i].len);
	free(out->mem_clock);
	free(out->mem_hl);
	lb_deadlock_found_free(out->deadlock);
	lb_stuck_free(out->stuck, out->nstuck);
	out->deadlock = NULL;
	out->stuck = NULL;
	out->nstuck = 0;
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
