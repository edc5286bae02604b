/*
 * engine/run.c — one configuration from allocation to verification.
 *
 * The main thread allocates everything (nothing is allocated once threads
 * run), starts the threads, which pin themselves and meet on a barrier,
 * sleeps through the warm-up, opens the window and samples the threads'
 * progress once per tick (engine/sampler.c), then flips the phase to STOP.
 * Threads notice a phase change at their next loop test or acquisition.
 * After STOP, threads get grace_ns to leave; one that does not is reported
 * hung and its memory is left alone. The per-thread order logs are merged
 * after the threads left (engine/orderlog.c).
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

#include <sys/mman.h>

#include "engine/orderlog.h"
#include "engine/sampler.h"
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
	out->mem_lock = out->mem_nodes = out->mem_clock = out->mem_hl = NULL;
	memset(out->maps, 0, sizeof out->maps);
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
 * Zeroed memory straight from the kernel: pages nobody writes are never
 * resident, so a thread's histograms, timeline and log cost memory only for
 * what it records (16k threads, most of whose histograms stay empty).
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
				       "threads still inside the lock or workload after stop, none leaving for %.1f s:", grace_s);
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

/* Sleep until abs_ns, through signals that are not an interrupt; false if interrupted. */
static bool sleep_through(uint64_t abs_ns)
{
	while (lb_mono_ns() < abs_ns) {
		if (lb_interrupted)
			return false;
		sleep_until(abs_ns);
	}
	return !lb_interrupted;
}

static void merge_figures(struct lb_outcome *out)
{
	struct lb_run *r = &out->run;
	for (unsigned i = 0; i < r->nthreads; i++) {
		struct lb_thread *t = &r->threads[i];
		out->acquisitions += t->acquisitions;
		out->violations += t->violations;
		out->release_errors += t->release_errors;
		if (t->timed == 0)
			continue; /* its histograms were never touched: leave their pages alone */
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

	int64_t slice, tick;
	uint32_t tl_len;
	lb_sampler_plan(o->duration_ns, o->slice_ns, o->tick_ns, n, &slice, &tick, &tl_len);
	out->slice_ns = slice;
	out->tick_ns = tick;
	r->tick_ns = tick;
	size_t ring = lb_orderlog_ring(o->order_log_cap, n);

	size_t align = ops->state_align > LB_CACHELINE ? ops->state_align : LB_CACHELINE;
	size_t node_stride = round_up(ops->node_size ? ops->node_size : 1, 2 * LB_CACHELINE);
	size_t hist_stride = round_up(sizeof(struct lb_hist), LB_CACHELINE);
	size_t tl_stride = round_up((tl_len + 1) * sizeof(uint64_t), LB_CACHELINE);
	out->mem_lock = zalloc_aligned(align, ops->state_size);
	out->mem_nodes = ops->node_size ? zalloc_aligned(2 * LB_CACHELINE, node_stride * n) : NULL;
	char *hists = zmap(&out->maps[LB_MAP_HISTS], hist_stride * (3 * (size_t)n + 3));
	char *tls = zmap(&out->maps[LB_MAP_TIMELINES], tl_stride * n);
	uint64_t *logs = zmap(&out->maps[LB_MAP_LOGS], ring * sizeof(uint64_t) * n);
	out->mem_clock = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_clock));
	out->mem_hl = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_harness_line));
	r->threads = zalloc_aligned(LB_CACHELINE, sizeof(struct lb_thread) * n);
	if (!out->mem_lock || (ops->node_size && !out->mem_nodes) || !hists || !tls || !logs || !out->mem_clock ||
	    !out->mem_hl || !r->threads) {
		snprintf(out->message, sizeof out->message, "out of memory for %u threads", n);
		lb_outcome_free(out);
		return -1;
	}
	/* The rings are written on every acquisition: fault them in now, not inside the window. */
	memset(logs, 0, ring * sizeof(uint64_t) * n);
	r->lock = out->mem_lock;
	r->clock = out->mem_clock;
	r->clock->tick_ns = tick;
	r->hl = out->mem_hl;
	/* Histograms in zero pages are empty already (hist.h); per-thread ones are never reset. */
	out->wait = (struct lb_hist *)(hists + hist_stride * 3 * n);
	out->hold = (struct lb_hist *)(hists + hist_stride * (3 * n + 1));
	out->handoff = (struct lb_hist *)(hists + hist_stride * (3 * n + 2));

	char err[256] = "";
	if (ops->init != NULL && ops->init(r->lock, lock->params, n, err, sizeof err) != 0) {
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
		t->order_log = logs + ring * i;
		t->order_mask = ring - 1;
		t->sample_every = o->sample_every;
		atomic_init(&t->countdown, o->sample_every);
		t->timeline_len = tl_len;
		t->seen_phase = LB_PHASE_WARMUP;
		t->wait = (struct lb_hist *)(hists + hist_stride * (3 * i));
		t->hold = (struct lb_hist *)(hists + hist_stride * (3 * i + 1));
		t->handoff = (struct lb_hist *)(hists + hist_stride * (3 * i + 2));
		t->timeline = (uint64_t *)(tls + tl_stride * i);
	}

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

	r->clock->coarse_origin_ns = lb_coarse_ns();
	pthread_barrier_wait(&st->barrier);
	uint64_t origin = lb_mono_ns();
	bool completed = sleep_through(origin + (uint64_t)o->warmup_ns);
	uint64_t m0 = lb_mono_ns(), m1 = m0;
	out->measure_tick0 = 0; /* gaps are counted in ticks from the window's start */
	uint64_t seq_start = lb_hl_seq(atomic_load_explicit(&r->hl->word, memory_order_relaxed));
	if (completed) {
		lb_sampler_open(&sampler);
		atomic_store_explicit(&r->clock->phase, LB_PHASE_MEASURE, memory_order_relaxed);
		completed = lb_sampler_window(&sampler, m0, o->duration_ns, &lb_interrupted);
		m1 = lb_mono_ns();
	}
	uint64_t seq_end = lb_hl_seq(atomic_load_explicit(&r->hl->word, memory_order_relaxed));
	atomic_store_explicit(&r->clock->phase, LB_PHASE_STOP, memory_order_relaxed);
	if (r->wl->stop)
		r->wl->stop(r);
	out->duration_s = (double)(m1 - m0) / 1e9;

	/* Watchdog: threads must leave within the grace period. */
	int64_t *cpu_at_stop = calloc(n, sizeof *cpu_at_stop);
	for (unsigned i = 0; cpu_at_stop != NULL && i < n; i++)
		cpu_at_stop[i] = thread_cpu_ns(r->threads[i].tid, NULL);
	/*
	 * Hung means no thread left for a whole grace period: 16k threads
	 * queued on a sleeping lock leave one wake-up at a time, which can take
	 * longer than any fixed grace on a loaded machine, yet they progress.
	 */
	uint64_t deadline = lb_mono_ns() + (uint64_t)o->grace_ns;
	for (unsigned left = 0; atomic_load(&st->done) < n && lb_mono_ns() < deadline;) {
		sleep_until(lb_mono_ns() + 1000000);
		unsigned d = atomic_load(&st->done);
		if (d > left) {
			left = d;
			deadline = lb_mono_ns() + (uint64_t)o->grace_ns;
		}
	}
	if (atomic_load(&st->done) < n) {
		out->status = LB_STATUS_HUNG;
		if (cpu_at_stop != NULL)
			describe_hung(out, cpu_at_stop, (double)o->grace_ns / 1e9);
		else
			snprintf(out->message, sizeof out->message, "threads still inside the lock or workload after stop");
		free(cpu_at_stop);
		lb_sampler_free(&sampler);
		/* The threads still use everything; nothing is freed or verified. */
		r->threads = NULL;
		forget_memory(out);
		return 0;
	}
	free(cpu_at_stop);
	for (unsigned i = 0; i < n; i++)
		pthread_join(tids[i], NULL);
	pthread_barrier_destroy(&st->barrier);

	/* What the threads counted, in the fields the rest of the engine reads. */
	for (unsigned i = 0; i < n; i++) {
		struct lb_thread *t = &r->threads[i];
		t->total = atomic_load_explicit(&t->progress, memory_order_relaxed) >> 1;
		t->acquisitions = t->win.total1 - t->win.total0;
	}
	if (completed)
		lb_sampler_close(&sampler);
	lb_sampler_free(&sampler);
	merge_figures(out);
	/* A workload that never stamps (bare counts with lb_count) logs nothing to merge. */
	struct lb_order ord;
	out->instrumented = lb_hl_seq(atomic_load_explicit(&r->hl->word, memory_order_relaxed)) != 0;
	if (!out->instrumented) {
		out->order = calloc(1, sizeof *out->order);
	} else if (lb_orderlog_merge(r->threads, n, seq_start, seq_end, o->order_log_cap, &ord) == 0) {
		out->order = ord.order;
		out->norder = ord.n;
		out->order_conflicts = ord.conflicts;
		out->violations += ord.conflicts;
	}
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
	for (size_t i = 0; i < LB_MAP_COUNT; i++)
		if (out->maps[i].p != NULL)
			munmap(out->maps[i].p, out->maps[i].len);
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
