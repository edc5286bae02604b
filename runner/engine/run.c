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

#include "engine/topo.h"
#include "engine/workload.h"

volatile sig_atomic_t lb_interrupted;

const char *lb_status_name(enum lb_status s)
{
	switch (s) {
	case LB_STATUS_OK: return "ok";
	case LB_STATUS_FAILED: return "failed";
	case LB_STATUS_HUNG: return "hung";
	case LB_STATUS_ERROR: return "error";
	case LB_STATUS_INTERRUPTED: return "interrupted";
	}
	return "?";
}

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

/* Drop the outcome's references to its memory (freed, or still in use by hung threads). */
static void forget_memory(struct lb_outcome *out)
{
	out->mem_lock = out->mem_nodes = out->mem_hists = out->mem_timeline = NULL;
	out->mem_log = out->mem_clock = out->mem_hl = NULL;
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
}

bool lb_phase_change(struct lb_thread *t, uint32_t phase)
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
 * CPU time (user + system) a thread of this process has had, in ns, and its
 * scheduler state letter (R running/runnable, S/D asleep); -1 if unknown.
 */
static int64_t thread_cpu_ns(int tid, char *state)
{
	char path[64], buf[1024];
	snprintf(path, sizeof path, "/proc/self/task/%d/stat", tid);
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return -1;
	size_t n = fread(buf, 1, sizeof buf - 1, f);
	fclose(f);
	buf[n] = '\0';
	/* Fields after the command name, which is in parentheses and may hold spaces. */
	char *p = strrchr(buf, ')');
	char st = '?';
	unsigned long long ut, sy;
	if (p == NULL || sscanf(p + 2, "%c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &st, &ut, &sy) != 3)
		return -1;
	if (state != NULL)
		*state = st;
	return (int64_t)((ut + sy) * (1000000000ull / (unsigned long long)sysconf(_SC_CLK_TCK)));
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
		int64_t now = thread_cpu_ns(r->threads[i].tid, &state);
		double got_ms = now >= 0 && cpu_at_stop[i] >= 0 ? (double)(now - cpu_at_stop[i]) / 1e6 : -1;
		starved_by_os |= state == 'R' && got_ms >= 0 && got_ms < 1;
		used += (size_t)snprintf(out->message + used, sizeof out->message - used, " %u (pu %d, %s, %.0f ms CPU)",
					 i, r->threads[i].pu, state == 'R' ? "runnable" : "asleep", got_ms);
	}
	if (starved_by_os && used < sizeof out->message)
		snprintf(out->message + used, sizeof out->message - used,
			 "; a runnable thread that got no CPU was not scheduled by the OS (machine overloaded?)");
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
		if (lb_interrupted)
			return false;
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

	size_t align = ops->state_align > LB_CACHELINE ? ops->state_align : LB_CACHELINE;
	size_t node_stride = round_up(ops->node_size ? ops->node_size : 1, 2 * LB_CACHELINE);
	size_t hist_stride = round_up(sizeof(struct lb_hist), LB_CACHELINE);
	out->mem_lock = zalloc_aligned(align, ops->state_size);
	out->mem_nodes = ops->node_size ? zalloc_aligned(2 * LB_CACHELINE, node_stride * n) : NULL;
	out->mem_hists = zalloc_aligned(LB_CACHELINE, hist_stride * (3 * (size_t)n + 3));
	out->mem_timeline = zalloc_aligned(LB_CACHELINE, round_up(tl_len * sizeof(uint32_t), LB_CACHELINE) * n);
	out->mem_log = zalloc_aligned(LB_CACHELINE, o->order_log_cap * sizeof(uint16_t));
	out->mem_clock = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_clock));
	out->mem_hl = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_harness_line));
	r->threads = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_thread) * n);
	if (!out->mem_lock || (ops->node_size && !out->mem_nodes) || !out->mem_hists ||
	    !out->mem_timeline || !out->mem_log || !out->mem_clock || !out->mem_hl || !r->threads) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		lb_outcome_free(out);
		return -1;
	}
	r->lock = out->mem_lock;
	r->clock = out->mem_clock;
	r->hl = out->mem_hl;
	char *hists = out->mem_hists;
	out->wait = (struct lb_hist *)(hists + hist_stride * 3 * n);
	out->hold = (struct lb_hist *)(hists + hist_stride * (3 * n + 1));
	out->handoff = (struct lb_hist *)(hists + hist_stride * (3 * n + 2));
	lb_hist_reset(out->wait);
	lb_hist_reset(out->hold);
	lb_hist_reset(out->handoff);

	char err[256] = "";
	if (ops->init(r->lock, lock->params, n, err, sizeof err) != 0) {
		snprintf(out->message, sizeof out->message, "%s: init failed: %s", ops->name, err);
		lb_outcome_free(out);
		return -1;
	}
	if (lb_workload_setup(r, err, sizeof err) != 0) {
		snprintf(out->message, sizeof out->message, "%s", err);
		if (ops->destroy)
			ops->destroy(r->lock);
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
		t->wait = (struct lb_hist *)(hists + hist_stride * (3 * i));
		t->hold = (struct lb_hist *)(hists + hist_stride * (3 * i + 1));
		t->handoff = (struct lb_hist *)(hists + hist_stride * (3 * i + 2));
		lb_hist_reset(t->wait);
		lb_hist_reset(t->hold);
		lb_hist_reset(t->handoff);
		t->timeline = (uint32_t *)((char *)out->mem_timeline +
					   round_up(tl_len * sizeof(uint32_t), LB_CACHELINE) * i);
	}

	struct start *st = calloc(1, sizeof *st);
	struct thread_arg *args = calloc(n, sizeof *args);
	pthread_t *tids = calloc(n, sizeof *tids);
	if (st == NULL || args == NULL || tids == NULL) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		free(st), free(args), free(tids);
		lb_workload_teardown(r);
		if (ops->destroy)
			ops->destroy(r->lock);
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

	pthread_barrier_wait(&st->barrier);
	uint64_t origin = lb_mono_ns();
	bool completed = tick_until(r->clock, origin, 0, out->tick_ns, slice, tl_len - 1, origin + (uint64_t)o->warmup_ns);
	uint64_t m0 = lb_mono_ns(), m1 = m0;
	out->measure_tick0 = (uint32_t)((m0 - origin) / (uint64_t)out->tick_ns);
	uint64_t seq_start = atomic_load_explicit(&r->hl->seq, memory_order_relaxed);
	if (completed) {
		atomic_store_explicit(&r->clock->phase, LB_PHASE_MEASURE, memory_order_relaxed);
		completed = tick_until(r->clock, origin, m0, out->tick_ns, slice, tl_len - 1, m0 + (uint64_t)o->duration_ns);
		m1 = lb_mono_ns();
	}
	uint64_t seq_end = atomic_load_explicit(&r->hl->seq, memory_order_relaxed);
	atomic_store_explicit(&r->clock->phase, LB_PHASE_STOP, memory_order_relaxed);
	if (r->wl->stop)
		r->wl->stop(r);
	out->duration_s = (double)(m1 - m0) / 1e9;

	/* Watchdog: threads must leave within the grace period. */
	int64_t *cpu_at_stop = calloc(n, sizeof *cpu_at_stop);
	for (unsigned i = 0; cpu_at_stop != NULL && i < n; i++)
		cpu_at_stop[i] = thread_cpu_ns(r->threads[i].tid, NULL);
	uint64_t deadline = lb_mono_ns() + (uint64_t)o->grace_ns;
	while (atomic_load(&st->done) < n && lb_mono_ns() < deadline) {
		uint64_t now = lb_mono_ns();
		/* Keep the clock going: a thread still waiting must see time pass. */
		uint64_t w = atomic_load_explicit(&r->clock->now, memory_order_relaxed);
		atomic_store_explicit(&r->clock->now,
				      lb_clock_word((uint32_t)((now - origin) / (uint64_t)out->tick_ns), (uint32_t)(w >> 32)),
				      memory_order_relaxed);
		sleep_until(now + 1000000);
	}
	if (atomic_load(&st->done) < n) {
		out->status = LB_STATUS_HUNG;
		if (cpu_at_stop != NULL)
			describe_hung(out, cpu_at_stop, (double)o->grace_ns / 1e9);
		else
			snprintf(out->message, sizeof out->message, "threads still inside the lock or workload after stop");
		free(cpu_at_stop);
		/* The threads still use everything; nothing is freed or verified. */
		r->threads = NULL;
		forget_memory(out);
		return 0;
	}
	free(cpu_at_stop);
	for (unsigned i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&st->barrier);

	merge_figures(out);
	collect_order(out, seq_start, seq_end, o->order_log_cap);
	if (ops->counters)
		out->ncounters = ops->counters(r->lock, out->counters, sizeof out->counters / sizeof out->counters[0]);

	char vmsg[256] = "";
	out->verify_failures = r->wl->verify ? r->wl->verify(r, vmsg, sizeof vmsg) : 0;
	bool excludes = !(ops->caps & LB_CAP_NO_EXCLUSION);
	if (!completed) {
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
	if (ops->destroy)
		ops->destroy(r->lock);
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
	free(out->run.threads);
	free(out->order);
	free(out->starved);
	out->starved = NULL;
	forget_memory(out);
	out->run.threads = NULL;
	out->order = NULL;
}
