/*
 * engine/harness.h — what a workload sees: the run, its threads, and the inline
 * acquire/release wrappers that do all measuring.
 *
 * Workloads never time anything. They call lb_acquire()/lb_release() (and
 * lb_try_acquire(), lb_acquire_until(), lb_poll()), and those wrappers keep
 * the owner canary, the shared acquisition sequence, the order log, the
 * per-thread counters, histograms and timeline. One place measures, so every
 * workload is measured alike.
 *
 * Cost model of the hot path (per acquisition), by timing mode:
 *   off       two loads of the coarse clock line (read-mostly), the canary
 *             and sequence updates on the harness line (written inside the
 *             critical section, where the lock already moved it), one store
 *             into the order log, and thread-local counters. No clock read.
 *   sample:N  as off, plus on every N-th acquisition three TSC reads (wait,
 *             hold, handoff) and a read of the sequence before waiting.
 *   all       as sample:1.
 * Starvation figures (longest gap while trying, timeline) come from the
 * coarse clock in every mode, so sampling never hides a starved thread.
 */
#ifndef LB_HARNESS_H
#define LB_HARNESS_H

#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "lockbench/lock.h"
#include "engine/params.h"
#include "engine/hist.h"
#include "engine/timer.h"


enum lb_phase { LB_PHASE_WARMUP, LB_PHASE_MEASURE, LB_PHASE_STOP };

/*
 * The coarse clock: the runner's main thread advances it every tick_ns while
 * the threads run. Reading it costs an L1 hit; it is written a thousand times
 * a second, so its line is shared read-mostly.
 */
struct lb_clock {
	_Alignas(LB_CACHELINE) _Atomic uint32_t phase; /* enum lb_phase */
	/* (slice << 32) | tick: the timeline slice of the measured window and
	 * the ticks since the threads were released, read with one load. */
	_Atomic uint64_t now;
};

static inline uint64_t lb_clock_word(uint32_t tick, uint32_t slice)
{
	return (uint64_t)slice << 32 | tick;
}

/*
 * The harness line: written only by the lock holder, inside the critical
 * section. Relaxed atomics: the lock under test provides the ordering; if it
 * does not, the canary and the sequence see it (lost updates, foreign owner).
 */
struct lb_harness_line {
	_Alignas(LB_CACHELINE) _Atomic uint32_t owner; /* 0 free, else thread id + 1 */
	_Atomic uint64_t seq;                          /* acquisitions so far, all threads */
	_Atomic uint64_t release_tick;                 /* lb_now() at the last timed release */
};

struct lb_run;

/* Per-thread state: read-mostly part, then the part only this thread writes. */
struct lb_thread {
	/* set up before the threads start, then only read */
	unsigned id;
	int pu;
	struct lb_run *run;
	const struct lb_lock_ops *ops;
	void *lock;
	void *node;
	struct lb_clock *clock;
	struct lb_harness_line *hl;
	uint16_t *order_log;
	uint64_t order_mask;
	uint32_t sample_every; /* 1 = all, N = sample:N, 0 = off */
	uint32_t timeline_len;

	/* written by this thread only */
	_Alignas(LB_CACHELINE) uint32_t seen_phase;
	uint32_t countdown;       /* acquisitions until the next timed one */
	bool timing;              /* the lock is held by a timed acquisition */
	uint64_t acquisitions;    /* in the measured window */
	uint64_t total;           /* since start, warm-up included */
	uint64_t timed;           /* timed acquisitions in the window */
	uint64_t violations;      /* canary saw another owner */
	uint64_t release_errors;  /* release() returned -1 */
	uint64_t try_failures;    /* failed try/timed acquisitions in the window */
	uint64_t poll_handoffs;   /* poll() let another thread in */
	uint64_t max_bypass;      /* acquisitions by others during one timed wait */
	uint32_t max_gap_ticks;   /* longest time trying without success (a blocking
				     acquire: its wait), coarse ticks */
	uint32_t max_gap_end;     /* coarse tick at which that gap ended */
	uint32_t trying_since;    /* coarse tick of the first of a run of failed attempts,
				     or LB_NOT_TRYING */
	uint64_t hold_t0;         /* lb_now() at a timed acquisition */
	uint64_t window_t0, window_t1; /* lb_mono_ns() when this thread saw the phases */
	struct lb_hist *wait;     /* acquisition latency, ticks */
	struct lb_hist *hold;     /* hold time, ticks */
	struct lb_hist *handoff;  /* release by another → this acquisition, ticks */
	uint32_t *timeline;       /* acquisitions per slice */

	void *tally;              /* the workload's tally_size bytes for this thread, or NULL */
	int tid;                  /* kernel thread id, for the hung-run diagnosis */
	_Atomic bool finished;    /* left the workload loop */
};

/*
 * A workload: one file in workloads/, one LB_WORKLOAD(name) line in
 * workloads/registry.def. The harness allocates what it declares and checks
 * the lock's capabilities before setup (engine/workload.h).
 */
struct lb_workload {
	const char *name;
	const char *summary;
	const struct lb_param *params; /* NULL-name terminated; may be NULL */
	uint32_t needs_caps;           /* lock capabilities it requires (enum lb_cap) */
	size_t state_size;             /* shared state, zeroed: run->wl_state (0: none) */
	size_t tally_size;             /* per-thread tally, zeroed, own cache lines: t->tally (0: none) */
	/*
	 * NULL: under a lock that excludes nothing (`none`) the workload's own
	 * verify() reports failures, which tests/test_workloads_all.c checks.
	 * A workload that cannot tell by nature says why here (the test then
	 * checks only that such a run ends).
	 */
	const char *blind_to_none;
	/* Fill the state from the parameters (optional). 0, or -1 via lb_setup_fail(). */
	int (*setup)(struct lb_run *run, char *err, size_t errlen);
	/* The per-thread loop: `while (lb_running(t)) { ... }`. */
	void (*thread)(struct lb_thread *t);
	/* Check invariants after the threads stopped: 0, or failures with a reason. */
	unsigned (*verify)(struct lb_run *run, char *msg, size_t msglen);
	/* Wake threads the workload itself blocks (condition waits) at stop; optional. */
	void (*stop)(struct lb_run *run);
};

/* One configuration while it runs. */
struct lb_run {
	const struct lb_lock_ops *ops;
	void *lock;
	const struct lb_workload *wl;
	const union lb_value *wl_params; /* in the workload's declared order */
	unsigned nthreads;
	struct lb_thread *threads;
	void *wl_state;                  /* the workload's state_size bytes, or NULL */
	void *wl_mem;                    /* the harness's: lb_wl_alloc blocks, freed after the run */
	struct lb_clock *clock;
	struct lb_harness_line *hl;
	const void *topo;                /* struct lb_topo of the run, or NULL (no re-pinning) */
	int64_t tick_ns;                 /* period of the coarse clock */
};

/* Busy work: `iters` iterations of an empty dependent loop; see busy.c. */
extern double lb_busy_iters_per_ns;
void lb_busy_calibrate(void);
static inline void lb_busy(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("" : "+r"(i));
}
static inline uint64_t lb_busy_iters(uint64_t ns)
{
	return (uint64_t)((double)ns * lb_busy_iters_per_ns + 0.5);
}

/* Out of line: the rare phase change (reset figures on MEASURE, leave on STOP). */
bool lb_phase_change(struct lb_thread *t, uint32_t phase);

/* The loop condition of every workload thread. */
static inline bool lb_running(struct lb_thread *t)
{
	uint32_t ph = atomic_load_explicit(&t->clock->phase, memory_order_relaxed);
	if (__builtin_expect(ph == t->seen_phase, 1))
		return true;
	return lb_phase_change(t, ph);
}

static inline uint32_t lb_coarse_tick(const struct lb_thread *t)
{
	return (uint32_t)atomic_load_explicit(&t->clock->now, memory_order_relaxed);
}

/* trying_since when the thread is not in a run of failed attempts. */
#define LB_NOT_TRYING UINT32_MAX

/*
 * Start of an attempt: when trying began (now, or at the first of a run of
 * failed try/timed attempts), and whether this one is timed; returns the
 * start timestamp if timed, else 0.
 */
static inline uint64_t lb__attempt_begin(struct lb_thread *t, uint32_t *since, uint64_t *seq0)
{
	uint32_t k = t->trying_since;
	*since = k != LB_NOT_TRYING ? k : lb_coarse_tick(t);
	if (t->sample_every != 0 && --t->countdown == 0) {
		t->countdown = t->sample_every;
		*seq0 = atomic_load_explicit(&t->hl->seq, memory_order_relaxed);
		return lb_now();
	}
	return 0;
}

/* A try or timed attempt failed: the thread keeps trying since *since. */
static inline void lb__attempt_failed(struct lb_thread *t, uint32_t since)
{
	t->trying_since = since;
	t->try_failures++;
}

/* Bookkeeping once the lock is held: canary, sequence, log, figures. */
static inline void lb__acquired(struct lb_thread *t, uint32_t since, uint64_t t0, uint64_t seq0)
{
	struct lb_harness_line *hl = t->hl;
	uint64_t t1 = t0 ? lb_now() : 0;
	uint64_t now = atomic_load_explicit(&t->clock->now, memory_order_relaxed);
	uint32_t k1 = (uint32_t)now, slice = (uint32_t)(now >> 32);

	if (atomic_load_explicit(&hl->owner, memory_order_relaxed) != 0)
		t->violations++;
	atomic_store_explicit(&hl->owner, t->id + 1, memory_order_relaxed);
	uint64_t s = atomic_load_explicit(&hl->seq, memory_order_relaxed);
	atomic_store_explicit(&hl->seq, s + 1, memory_order_relaxed);
	t->order_log[s & t->order_mask] = (uint16_t)t->id;

	t->total++;
	t->trying_since = LB_NOT_TRYING;
	/*
	 * A wait that ends after the window closed (the stop flag is set while
	 * threads are queued) is not part of the measurement: counting it would
	 * give every starved thread one acquisition in the last slice.
	 */
	if (__builtin_expect(atomic_load_explicit(&t->clock->phase, memory_order_relaxed) != t->seen_phase, 0))
		return;
	t->acquisitions++;
	uint32_t gap = k1 - since;
	if (gap > t->max_gap_ticks) {
		t->max_gap_ticks = gap;
		t->max_gap_end = k1;
	}
	t->timeline[slice]++; /* the clock never runs past the last slice */

	if (t0 != 0) {
		t->timing = true;
		t->timed++;
		lb_hist_record(t->wait, t1 - t0);
		/* A lock that excludes nothing loses sequence updates; never let that wrap. */
		uint64_t bypass = s > seq0 ? s - seq0 : 0;
		if (bypass > t->max_bypass)
			t->max_bypass = bypass;
		/* Hand-off: the previous acquisition was another thread's, released at release_tick. */
		uint64_t rel = atomic_load_explicit(&hl->release_tick, memory_order_relaxed);
		if (s > 0 && t->order_log[(s - 1) & t->order_mask] != t->id && rel != 0 && t1 > rel)
			lb_hist_record(t->handoff, t1 - rel);
		t->hold_t0 = t1;
	}
}

/* Acquire the lock under test, measured. */
static inline void lb_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	uint32_t since;
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	t->ops->acquire(t->lock, t->node);
	lb__acquired(t, since, t0, seq0);
}

/* Try once; on success the caller holds the lock. Needs LB_CAP_TRY. */
static inline bool lb_try_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	uint32_t since;
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (!t->ops->try_acquire(t->lock, t->node)) {
		lb__attempt_failed(t, since);
		return false;
	}
	lb__acquired(t, since, t0, seq0);
	return true;
}

/* Wait until deadline_ns (CLOCK_MONOTONIC) at most. Needs LB_CAP_TIMED. */
static inline bool lb_acquire_until(struct lb_thread *t, uint64_t deadline_ns)
{
	uint64_t seq0 = 0;
	uint32_t since;
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (!t->ops->acquire_until(t->lock, t->node, deadline_ns)) {
		lb__attempt_failed(t, since);
		return false;
	}
	lb__acquired(t, since, t0, seq0);
	return true;
}

/* Release, checking we still own the canary. */
static inline void lb_release(struct lb_thread *t)
{
	struct lb_harness_line *hl = t->hl;
	if (atomic_load_explicit(&hl->owner, memory_order_relaxed) != t->id + 1)
		t->violations++;
	atomic_store_explicit(&hl->owner, 0, memory_order_relaxed);
	if (t->timing) {
		t->timing = false;
		uint64_t now = lb_now();
		lb_hist_record(t->hold, now - t->hold_t0);
		atomic_store_explicit(&hl->release_tick, now, memory_order_relaxed);
	}
	if (t->ops->release(t->lock, t->node) != 0)
		t->release_errors++;
}

/*
 * The eval breaker: a holder in a long critical section calls this now and
 * then. A lock with a poll hook (the GIL) may hand itself to another thread
 * in there; the canary is cleared around the call so that hand-over is not
 * mistaken for a violation, and the sequence tells whether anyone got in.
 */
static inline void lb_poll(struct lb_thread *t)
{
	if (t->ops->poll == NULL)
		return;
	struct lb_harness_line *hl = t->hl;
	uint64_t s = atomic_load_explicit(&hl->seq, memory_order_relaxed);
	atomic_store_explicit(&hl->owner, 0, memory_order_relaxed);
	t->ops->poll(t->lock, t->node);
	if (atomic_load_explicit(&hl->owner, memory_order_relaxed) != 0)
		t->violations++;
	atomic_store_explicit(&hl->owner, t->id + 1, memory_order_relaxed);
	if (atomic_load_explicit(&hl->seq, memory_order_relaxed) != s)
		t->poll_handoffs++;
}

/* Busy work of `iters` iterations in chunks, polling the lock between chunks. */
void lb_busy_polling(struct lb_thread *t, uint64_t iters);

#endif
