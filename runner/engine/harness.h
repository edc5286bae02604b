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
 *
 * Reader-writer workloads call the role wrappers instead (at the end of
 * this file): lb_read_acquire() / lb_read_release() for the shared side,
 * lb_write_acquire() / lb_write_release() for the exclusive side (the same
 * as lb_acquire / lb_release, plus per-role figures). On a lock without a
 * read side (read_acquire NULL: every mutex) a read is an exclusive
 * acquisition and is checked as one, so a mutex runs every RW workload as
 * the baseline.
 *
 * The role-aware canary. A writer checks, on the harness line it writes
 * anyway, that no reader is inside (`readers` == 0) as well as no owner; a
 * shared reader adds itself to `readers` with an atomic increment, checks
 * that no writer owns the line, and takes itself off again before
 * releasing. The increment is a write to a line every reader writes:
 * readers that would otherwise share the lock's lines without writing them
 * (a big-reader lock) now move one line between them per read. That is the
 * price of checking every read, the same for every lock; it is the
 * workload's cost, not the lock's, and it is why read throughput is
 * compared between locks side by side rather than against a reader that
 * takes no lock at all. The count a reader sees on entry is also its sample
 * of read concurrency. Shared reads do not advance the acquisition sequence
 * nor enter the order log (they are not exclusive), so short-term fairness
 * and bypass describe the exclusive acquisitions only.
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
	_Atomic uint32_t readers;                      /* shared readers inside (the reader canary) */
};

/* The two sides of a reader-writer workload, for the per-role figures. */
enum lb_role { LB_ROLE_READ, LB_ROLE_WRITE };
#define LB_NROLES 2
#define LB_ROLE_BIT(r) (1u << (r))

/* One thread's figures in one role; written by that thread only. */
struct lb_role_figures {
	uint64_t acquisitions;  /* in the measured window */
	uint64_t total;         /* since start, warm-up included (for verify) */
	uint64_t timed;         /* timed acquisitions in the window */
	uint32_t max_gap_ticks; /* longest wait for one acquisition in this role, coarse ticks */
	uint32_t max_gap_end;   /* coarse tick at which it ended */
	uint32_t stop_since;    /* a wait in this role unfinished when the window closed began
				   at this tick; LB_NOT_TRYING if none */
	struct lb_hist *wait;   /* acquisition latency in this role, ticks */
};

struct lb_run;
struct lb_lockset;

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

	/* The role wrappers' (reader-writer workloads; zero otherwise). */
	uint32_t roles;           /* LB_ROLE_BIT of every role tried since start */
	uint32_t readers_max;     /* most shared readers inside seen on a read entry (self included) */
	uint64_t readers_seen;    /* sum of those counts over the window's shared reads */
	struct lb_role_figures role[LB_NROLES];

	void *tally;              /* the workload's tally_size bytes for this thread, or NULL */
	int tid;                  /* kernel thread id, for the hung-run diagnosis */
	_Atomic bool finished;    /* left the workload loop */

	/* Contention, from the sampled attempts only: how many found the lock held. */
	uint64_t sampled;
	uint64_t found_held;
	/*
	 * Several locks (engine/multilock.h): lk[k] is this thread's view of
	 * lock k, a struct lb_thread of its own (lock, node, harness line, wait
	 * histogram, counters) sharing the thread's timeline, hold and hand-off
	 * histograms and tally; lk[0] is the thread itself. What the deadlock
	 * watchdog reads (engine/deadlock.c), published outside the harness
	 * line: `waiting` (on the thread) and `held` (on each view).
	 */
	struct lb_thread **lk;
	unsigned nlocks;
	uint64_t wait_episode;
	_Atomic uint64_t waiting;  /* (episode << 16) | kind << 14 | index; kind 0: not waiting */
	_Atomic uint32_t signals;  /* condition this thread signals, + 1; 0: none */
	_Atomic uint8_t held;      /* this view's lock is held by this thread */
};

/* A figure a workload reports for the measured window (interp's I/O latency, ...); NAN if undefined. */
struct lb_figure {
	const char *name; /* static; with its unit: _ns, _per_s, or none for a count or a ratio */
	double value;
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
	/*
	 * How many locks of the chosen kind the workload takes (each on cache
	 * lines of its own, with its own canary and figures; engine/multilock.h),
	 * from its parameters; NULL: one.
	 */
	unsigned (*nlocks)(const union lb_value *params);
	/*
	 * NULL: the default parameters never deadlock. Else why the workload
	 * can: the deadlock watchdog then runs, each config runs isolated by
	 * default, and the generic workload test accepts a reported deadlock.
	 */
	const char *may_deadlock;
	/*
	 * Check the parameters together and against a thread count (optional):
	 * 0, or -1 with a one-line reason in err. `run` and `stress` call it for
	 * every planned thread count before anything runs, so a bad combination
	 * is a usage error (exit 2); lb_workload_setup calls it again for the
	 * callers of lb_run_config that plan nothing.
	 */
	int (*check)(const union lb_value *params, unsigned nthreads, char *err, size_t errlen);
	/*
	 * Optional, after verify(): up to max figures of its own over the
	 * measured window (window_s long) into out; returns how many. They are
	 * the sample's workload_figures.
	 */
	size_t (*figures)(struct lb_run *run, double window_s, struct lb_figure *out, size_t max);
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
	unsigned nlocks;                 /* locks of the run (engine/multilock.h); lock 0 is `lock` */
	struct lb_lockset *locks;        /* their memory and figures (engine/lockset.h) */
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
		/* The owner shares the line just read: contention costs no extra transfer. */
		t->sampled++;
		t->found_held += atomic_load_explicit(&t->hl->owner, memory_order_relaxed) != 0;
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

/* ---- the roles of a reader-writer workload ------------------------------------ */

/*
 * Built on the wrappers above, which they leave as they are: an exclusive
 * acquisition in a role is lb_acquire's, plus the reader half of the canary
 * and the role's figures; a shared read has its own bookkeeping (no owner,
 * no sequence), the same per-thread figures as any acquisition.
 */

/* Whether reads share the lock (it has a read side) or take it exclusively. */
static inline bool lb_reads_shared(const struct lb_thread *t)
{
	return t->ops->read_acquire != NULL;
}

/* The canary's word says a writer is inside. */
static inline bool lb__writer_inside(const struct lb_harness_line *hl)
{
	return atomic_load_explicit(&hl->owner, memory_order_relaxed) != 0;
}

/*
 * The role's figures of an acquisition lb__acquired (or lb__read_acquired)
 * just booked; a0 is t->acquisitions before it, so the role counts exactly
 * what the thread counts. A wait that ends after the window closed keeps its
 * start: a writer shut out until the end never completes a wait inside the
 * window, and the judge must still see how long it was.
 */
static inline void lb__role_booked(struct lb_thread *t, enum lb_role role, uint64_t a0, uint32_t since, uint64_t t0)
{
	struct lb_role_figures *rf = &t->role[role];
	rf->total++;
	if (__builtin_expect(t->acquisitions == a0, 0)) {
		if (atomic_load_explicit(&t->clock->phase, memory_order_relaxed) == LB_PHASE_STOP &&
		    rf->stop_since == LB_NOT_TRYING)
			rf->stop_since = since;
		return;
	}
	rf->acquisitions++;
	if (role == LB_ROLE_READ && !lb_reads_shared(t)) { /* an exclusive read: alone inside */
		t->readers_seen++;
		t->readers_max |= 1;
	}
	uint32_t k1 = lb_coarse_tick(t), gap = k1 - since;
	if (gap > rf->max_gap_ticks) {
		rf->max_gap_ticks = gap;
		rf->max_gap_end = k1;
	}
	if (t0 != 0) { /* a timed acquisition: its wait ended at hold_t0 */
		rf->timed++;
		lb_hist_record(rf->wait, t->hold_t0 - t0);
	}
}

/* A shared read is held: the reader canary, then the figures every acquisition has. */
static inline void lb__read_acquired(struct lb_thread *t, uint32_t since, uint64_t t0)
{
	struct lb_harness_line *hl = t->hl;
	uint64_t t1 = t0 ? lb_now() : 0;
	uint64_t now = atomic_load_explicit(&t->clock->now, memory_order_relaxed);
	uint32_t k1 = (uint32_t)now, slice = (uint32_t)(now >> 32);

	uint32_t inside = atomic_fetch_add_explicit(&hl->readers, 1, memory_order_relaxed) + 1;
	if (lb__writer_inside(hl))
		t->violations++;
	t->total++;
	t->trying_since = LB_NOT_TRYING;
	if (__builtin_expect(atomic_load_explicit(&t->clock->phase, memory_order_relaxed) != t->seen_phase, 0))
		return; /* outside the window, as in lb__acquired */
	t->acquisitions++;
	uint32_t gap = k1 - since;
	if (gap > t->max_gap_ticks) {
		t->max_gap_ticks = gap;
		t->max_gap_end = k1;
	}
	t->timeline[slice]++;
	t->readers_seen += inside;
	if (inside > t->readers_max)
		t->readers_max = inside;
	if (t0 != 0) {
		t->timing = true;
		t->timed++;
		lb_hist_record(t->wait, t1 - t0);
		t->hold_t0 = t1;
	}
}

/* Take the lock for reading, measured: shared if the lock has a read side, else exclusive. */
static inline void lb_read_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0, a0 = t->acquisitions;
	uint32_t since;
	t->roles |= LB_ROLE_BIT(LB_ROLE_READ);
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (lb_reads_shared(t)) {
		t->ops->read_acquire(t->lock, t->node);
		lb__read_acquired(t, since, t0);
	} else {
		t->ops->acquire(t->lock, t->node);
		lb__acquired(t, since, t0, seq0);
	}
	lb__role_booked(t, LB_ROLE_READ, a0, since, t0);
}

/* Try once to read; on success the caller holds a read hold. Needs LB_CAP_TRY. */
static inline bool lb_read_try_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0, a0 = t->acquisitions;
	uint32_t since;
	bool shared = lb_reads_shared(t);
	t->roles |= LB_ROLE_BIT(LB_ROLE_READ);
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (!(shared ? t->ops->read_try_acquire : t->ops->try_acquire)(t->lock, t->node)) {
		lb__attempt_failed(t, since);
		return false;
	}
	if (shared)
		lb__read_acquired(t, since, t0);
	else
		lb__acquired(t, since, t0, seq0);
	lb__role_booked(t, LB_ROLE_READ, a0, since, t0);
	return true;
}

/* Wait for a read hold until deadline_ns (CLOCK_MONOTONIC) at most. Needs LB_CAP_TIMED. */
static inline bool lb_read_acquire_until(struct lb_thread *t, uint64_t deadline_ns)
{
	uint64_t seq0 = 0, a0 = t->acquisitions;
	uint32_t since;
	bool shared = lb_reads_shared(t);
	t->roles |= LB_ROLE_BIT(LB_ROLE_READ);
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (!(shared ? t->ops->read_acquire_until : t->ops->acquire_until)(t->lock, t->node, deadline_ns)) {
		lb__attempt_failed(t, since);
		return false;
	}
	if (shared)
		lb__read_acquired(t, since, t0);
	else
		lb__acquired(t, since, t0, seq0);
	lb__role_booked(t, LB_ROLE_READ, a0, since, t0);
	return true;
}

/* Give a read hold up, checking that no writer came in meanwhile. */
static inline void lb_read_release(struct lb_thread *t)
{
	if (!lb_reads_shared(t)) {
		lb_release(t);
		return;
	}
	struct lb_harness_line *hl = t->hl;
	if (lb__writer_inside(hl))
		t->violations++;
	atomic_fetch_sub_explicit(&hl->readers, 1, memory_order_relaxed);
	if (t->timing) {
		t->timing = false;
		lb_hist_record(t->hold, lb_now() - t->hold_t0);
	}
	if (t->ops->read_release(t->lock, t->node) != 0)
		t->release_errors++;
}

/* A writer is held: the reader half of the canary (lb__acquired checked the owner). */
static inline void lb__write_acquired(struct lb_thread *t, uint64_t a0, uint32_t since, uint64_t t0)
{
	if (atomic_load_explicit(&t->hl->readers, memory_order_relaxed) != 0)
		t->violations++;
	lb__role_booked(t, LB_ROLE_WRITE, a0, since, t0);
}

/* The exclusive side of a reader-writer workload: lb_acquire & co. with per-role figures. */
static inline void lb_write_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0, a0 = t->acquisitions;
	uint32_t since;
	t->roles |= LB_ROLE_BIT(LB_ROLE_WRITE);
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	t->ops->acquire(t->lock, t->node);
	lb__acquired(t, since, t0, seq0);
	lb__write_acquired(t, a0, since, t0);
}

static inline bool lb_write_try_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0, a0 = t->acquisitions;
	uint32_t since;
	t->roles |= LB_ROLE_BIT(LB_ROLE_WRITE);
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (!t->ops->try_acquire(t->lock, t->node)) {
		lb__attempt_failed(t, since);
		return false;
	}
	lb__acquired(t, since, t0, seq0);
	lb__write_acquired(t, a0, since, t0);
	return true;
}

static inline bool lb_write_acquire_until(struct lb_thread *t, uint64_t deadline_ns)
{
	uint64_t seq0 = 0, a0 = t->acquisitions;
	uint32_t since;
	t->roles |= LB_ROLE_BIT(LB_ROLE_WRITE);
	uint64_t t0 = lb__attempt_begin(t, &since, &seq0);
	if (!t->ops->acquire_until(t->lock, t->node, deadline_ns)) {
		lb__attempt_failed(t, since);
		return false;
	}
	lb__acquired(t, since, t0, seq0);
	lb__write_acquired(t, a0, since, t0);
	return true;
}

/* Release a write hold, checking that no reader came in while it was held. */
static inline void lb_write_release(struct lb_thread *t)
{
	if (atomic_load_explicit(&t->hl->readers, memory_order_relaxed) != 0)
		t->violations++;
	lb_release(t);
}

#endif
