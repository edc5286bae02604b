/*
 * engine/harness.h — what a workload sees: the run, its threads, and the inline
 * acquire/release wrappers that do all measuring.
 *
 * Workloads never time anything. They call lb_acquire()/lb_release() (and
 * lb_try_acquire(), lb_acquire_until(), lb_poll()), and those wrappers keep
 * the owner canary, the acquisition sequence, the per-thread order log,
 * counters and histograms. One place measures, so every workload is
 * measured alike.
 *
 * The rule of the hot path: no cache-line transfer beyond what the lock and
 * the workload move themselves. The only shared line the harness writes is
 * the critical-section line (struct lb_harness_line): canary, sequence and
 * the workload's first shared counter together, so the holder that writes
 * the counter already owns the line when the harness writes its words. Each
 * thread logs the sequence numbers it got in its own ring; the engine merges
 * the rings into one order after the run (engine/orderlog.c). Nobody reads a
 * clock on an untimed acquisition: the main thread samples every thread's
 * progress word once per slice (engine/sampler.c) for the timeline and the
 * longest time spent trying.
 *
 * Cost model of the hot path (per acquisition), by timing mode:
 *   off       a load of the phase word (read-only during the window), the
 *             canary-and-sequence word on the critical-section line (one
 *             store at acquire, one at release), one store into the
 *             thread's own log, and the thread's own progress word (two
 *             stores). No clock, no counter: a violation is a branch taken
 *             only when it happens. Every store before a locked instruction
 *             of the lock waits for it, so stores are what the harness
 *             counts most carefully.
 *   sample:N  as off, plus a countdown (a load and a store), and on every
 *             N-th acquisition — and on the first after each sampler tick,
 *             so a thread that acquires a few times a second is timed too —
 *             three TSC reads (wait, hold, hand-off), a read of the sequence
 *             before waiting, and three histogram records.
 *   all       as sample:1.
 * `lockbench selftest overhead` measures each mode against the bare lock.
 *
 * Reader-writer workloads call the role wrappers instead (engine/harness_rw.h):
 * lb_read_acquire() / lb_read_release() for the shared side,
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
 * The run's clock line: the phase, written twice a run (window opens, stop),
 * and what lb_coarse_tick() needs. Read-only while the window runs, so every
 * thread keeps it in its cache.
 */
struct lb_clock {
	_Alignas(LB_CACHELINE) _Atomic uint32_t phase; /* enum lb_phase */
	uint64_t coarse_origin_ns; /* CLOCK_MONOTONIC_COARSE when the threads were released */
	int64_t tick_ns;           /* unit of lb_coarse_tick() */
};

/*
 * The critical-section line: written only by the lock holder, inside the
 * critical section. Relaxed atomics: the lock under test provides the
 * ordering; if it does not, the canary and the sequence see it (a foreign
 * owner, two acquisitions stamped alike). `counter` is the workload's first
 * shared variable (lb_guarded_counter()): the line the critical section
 * writes anyway, so canary and sequence ride along with no line of their own.
 */
#define LB_OWNER_BITS 16
#define LB_OWNER_MASK 0xffffu
#define LB_OWNER_FREE 0x8000u /* owner field: released by (owner & ~FREE) - 1; the field's sign bit */
struct lb_harness_line {
	/* The canary and the sequence in one word, written with one store:
	 * acquisitions so far (all threads) << 16 | owner, where the owner field
	 * is 0 never held, id + 1 held, FREE | (id + 1) released by id. */
	_Alignas(LB_CACHELINE) _Atomic uint64_t word;
	_Atomic uint64_t release_tick;                 /* lb_now() at the last timed release ... */
	_Atomic uint64_t release_seq;                  /* ... of the acquisition stamped this (+1; 0 none) */
	_Atomic uint64_t counter;                      /* the workload's: see lb_guarded_counter() */
	_Atomic uint32_t readers;                      /* shared readers inside (the reader canary) */
};

/*
 * A thread's progress word, the one thing the sampler reads: acquisitions
 * since start << 2 | READ while the attempt in progress is a shared read |
 * TRYING from the start of an attempt until it succeeds.
 */
#define LB_PROGRESS_TRYING 1u
#define LB_PROGRESS_READ 2u
#define LB_PROGRESS_SHIFT 2
static inline uint64_t lb_progress_count(uint64_t w)
{
	return w >> LB_PROGRESS_SHIFT;
}

/* An order-log entry of a shared read: not an exclusive acquisition, no sequence number. */
#define LB_LOG_SHARED UINT64_MAX

/* The sequence number in the critical-section line's word. */
static inline uint64_t lb_hl_seq(uint64_t word)
{
	return word >> LB_OWNER_BITS;
}

/* Snapshots a thread takes of itself when it sees the window open and close (lb_phase_change). */
struct lb_window {
	uint64_t total0, total1;       /* acquisitions since start */
	int64_t cpu0_ns, cpu1_ns;      /* user + system CPU time, getrusage(RUSAGE_THREAD); -1 unknown */
	int64_t vcsw0, vcsw1;          /* voluntary context switches */
	int64_t icsw0, icsw1;          /* involuntary context switches */
};

/* The two sides of a reader-writer workload, for the per-role figures. */
enum lb_role { LB_ROLE_READ, LB_ROLE_WRITE };
#define LB_NROLES 2
#define LB_ROLE_BIT(r) (1u << (r))

/* One thread's figures in one role; written by that thread only, except the gaps (the sampler's). */
struct lb_role_figures {
	uint64_t acquisitions;  /* in the measured window */
	uint64_t total;         /* since start, warm-up included (for verify) */
	uint64_t timed;         /* timed acquisitions in the window */
	uint32_t max_gap_ticks; /* longest wait in this role, sampler ticks, finished or not at the stop */
	uint32_t max_gap_end;   /* tick (from the window's start) at which it was last seen */
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
	uint64_t *order_log;      /* this thread's own ring: the sequence number of each acquisition */
	uint64_t order_mask;      /* ring size - 1 */
	uint32_t sample_every;    /* 1 = all, N = sample:N, 0 = off */
	uint32_t timeline_len;

	/* written by this thread only; the sampler reads `progress` once per tick */
	_Alignas(LB_CACHELINE) _Atomic uint64_t progress; /* LB_PROGRESS_*: acquisitions, trying, role */
	_Atomic uint64_t countdown; /* acquisitions until the next timed one (sample_every > 0); the
				       sampler sets it to 1 once per tick, so even a slow thread is timed */
	uint32_t seen_phase;
	bool timing;              /* the lock is held by a timed acquisition */
	uint64_t timed;           /* timed acquisitions in the window */
	uint64_t violations;      /* canary saw another owner */
	uint64_t release_errors;  /* release() returned -1 */
	uint64_t try_failures;    /* failed try/timed acquisitions in the window */
	uint64_t poll_handoffs;   /* poll() let another thread in */
	uint64_t max_bypass;      /* acquisitions by others during one timed wait */
	uint64_t hold_t0;         /* lb_now() at a timed acquisition */
	uint64_t hold_seq;        /* its sequence number */
	uint64_t window_t0, window_t1; /* lb_mono_ns() when this thread saw the phases */
	struct lb_window win;
	struct lb_hist *wait;     /* acquisition latency, ticks */
	struct lb_hist *hold;     /* hold time, ticks */
	struct lb_hist *handoff;  /* release by another → this acquisition, ticks */

	/* filled by the engine after the threads stopped */
	uint64_t acquisitions;    /* in the measured window */
	uint64_t total;           /* since start, warm-up included */
	uint64_t *timeline;       /* acquisitions per slice (the sampler's) */
	uint32_t max_gap_ticks;   /* longest time trying without success, sampler ticks */
	uint32_t max_gap_end;     /* tick (from the window's start) at which it was last seen */

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
/* A given rate (iterations per µs, so cs_ns is the same work in every process), or 0: calibrate. */
void lb_busy_use_rate(int64_t per_us);
static inline void lb_busy(uint64_t iters)
{
	for (uint64_t i = 0; i < iters; i++)
		__asm__ volatile("" : "+r"(i));
}
static inline uint64_t lb_busy_iters(uint64_t ns)
{
	return (uint64_t)((double)ns * lb_busy_iters_per_ns + 0.5);
}

/*
 * Out of line: the rare phase change. On MEASURE, reset the figures and take
 * the window's opening snapshot; on STOP, its closing one. Returns whether
 * the thread keeps running.
 */
bool lb_phase_change(struct lb_thread *t, uint32_t phase);

/* The loop condition of every workload thread. */
static inline bool lb_running(struct lb_thread *t)
{
	uint32_t ph = atomic_load_explicit(&t->clock->phase, memory_order_relaxed);
	if (__builtin_expect(ph == t->seen_phase, 1))
		return true;
	return lb_phase_change(t, ph);
}

/*
 * Coarse time for a workload's own schedule (stress's stutter and shuffle):
 * tick_ns units since the threads were released, read by the calling thread
 * from the vDSO's coarse clock (a few ns, kernel-tick resolution). Nobody
 * advances it, so no thread is woken to keep it; the harness never reads it.
 */
uint32_t lb_coarse_tick(const struct lb_thread *t);
uint64_t lb_coarse_ns(void); /* CLOCK_MONOTONIC_COARSE in ns */

/* The workload's first shared counter, on the critical-section line (see struct lb_harness_line). */
static inline _Atomic uint64_t *lb_guarded_counter(struct lb_run *run);

/*
 * Start of an attempt: the progress word says "trying" (kept across failed
 * try/timed attempts until one succeeds), and whether this one is timed;
 * returns the start timestamp if timed, else 0.
 */
static inline uint64_t lb__attempt_begin(struct lb_thread *t, uint64_t *seq0, uint64_t read)
{
	uint64_t p = atomic_load_explicit(&t->progress, memory_order_relaxed);
	atomic_store_explicit(&t->progress, (p & ~(uint64_t)LB_PROGRESS_READ) | LB_PROGRESS_TRYING | read,
			      memory_order_relaxed);
	if (__builtin_expect(t->sample_every != 0, 0)) {
		/* A load and a store, not an atomic decrement: a request of the sampler's
		 * that lands in between is lost, which costs one sample, not a lock prefix. */
		uint64_t c = atomic_load_explicit(&t->countdown, memory_order_relaxed);
		if (c > 1) {
			atomic_store_explicit(&t->countdown, c - 1, memory_order_relaxed);
			return 0;
		}
		atomic_store_explicit(&t->countdown, t->sample_every, memory_order_relaxed);
		uint64_t w = atomic_load_explicit(&t->hl->word, memory_order_relaxed);
		*seq0 = lb_hl_seq(w);
		/* The owner shares the word just read: contention costs no extra transfer. */
		t->sampled++;
		t->found_held += (int16_t)(w & LB_OWNER_MASK) > 0;
		return lb_now();
	}
	return 0;
}

/* A try or timed attempt failed: the thread is still trying. */
static inline void lb__attempt_failed(struct lb_thread *t)
{
	t->try_failures++;
}

/* Out of line: the phase changed while this (already counted) acquisition waited; it is not measured. */
void lb__phase_in_acquire(struct lb_thread *t, uint32_t phase);

/* Out of line: a timed acquisition's figures (wait, bypass, hand-off). */
void lb__acquired_timed(struct lb_thread *t, uint64_t t0, uint64_t t1, uint64_t seq0, uint64_t s, uint32_t prev);

/* Bookkeeping once the lock is held: canary, sequence, own log, progress. */
static inline void lb__acquired(struct lb_thread *t, uint64_t t0, uint64_t seq0)
{
	uint64_t t1 = t0 ? lb_now() : 0;
	struct lb_harness_line *hl = t->hl;
	uint32_t me = t->id + 1;
	uint32_t ph = atomic_load_explicit(&t->clock->phase, memory_order_relaxed);

	uint64_t w = atomic_load_explicit(&hl->word, memory_order_relaxed);
	uint32_t prev = (uint32_t)(w & LB_OWNER_MASK);
	/* Held by someone: an owner field that is neither 0 nor marked free (FREE is its sign bit). */
	if (__builtin_expect((int16_t)prev > 0, 0))
		t->violations++;
	uint64_t s = lb_hl_seq(w);
	atomic_store_explicit(&hl->word, (s + 1) << LB_OWNER_BITS | me, memory_order_relaxed);

	uint64_t p = atomic_load_explicit(&t->progress, memory_order_relaxed);
	t->order_log[lb_progress_count(p) & t->order_mask] = s;
	atomic_store_explicit(&t->progress, (lb_progress_count(p) + 1) << LB_PROGRESS_SHIFT, memory_order_relaxed);

	/* An acquisition that began before the window opened, or ended after it
	 * closed, is not part of the measurement. */
	if (__builtin_expect(ph != t->seen_phase, 0))
		lb__phase_in_acquire(t, ph);
	else if (__builtin_expect(t1 != 0, 0) && ph == LB_PHASE_MEASURE)
		lb__acquired_timed(t, t0, t1, seq0, s, prev);
}

/*
 * Whether the acquisition just booked is part of the measured window: the
 * thread saw the window open before it began (the opening snapshot came
 * before it) and has not seen it close.
 */
static inline bool lb__measured(const struct lb_thread *t)
{
	return t->seen_phase == LB_PHASE_MEASURE && t->window_t1 == 0 &&
	       lb_progress_count(atomic_load_explicit(&t->progress, memory_order_relaxed)) > t->win.total0;
}

/* For the uninstrumented reference loop (`bare`): count one acquisition, nothing else. */
static inline void lb_count(struct lb_thread *t)
{
	uint64_t p = atomic_load_explicit(&t->progress, memory_order_relaxed);
	atomic_store_explicit(&t->progress, p + (1u << LB_PROGRESS_SHIFT), memory_order_relaxed);
}

/* Acquire the lock under test, measured. */
static inline void lb_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	uint64_t t0 = lb__attempt_begin(t, &seq0, 0);
	t->ops->acquire(t->lock, t->node);
	lb__acquired(t, t0, seq0);
}

/* Try once; on success the caller holds the lock. Needs LB_CAP_TRY. */
static inline bool lb_try_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	uint64_t t0 = lb__attempt_begin(t, &seq0, 0);
	if (!t->ops->try_acquire(t->lock, t->node)) {
		lb__attempt_failed(t);
		return false;
	}
	lb__acquired(t, t0, seq0);
	return true;
}

/* Wait until deadline_ns (CLOCK_MONOTONIC) at most. Needs LB_CAP_TIMED. */
static inline bool lb_acquire_until(struct lb_thread *t, uint64_t deadline_ns)
{
	uint64_t seq0 = 0;
	uint64_t t0 = lb__attempt_begin(t, &seq0, 0);
	if (!t->ops->acquire_until(t->lock, t->node, deadline_ns)) {
		lb__attempt_failed(t);
		return false;
	}
	lb__acquired(t, t0, seq0);
	return true;
}

/* Out of line: a timed release publishes when it let go (hold time, hand-off). */
void lb__released_timed(struct lb_thread *t);

/* Release, checking we still own the canary; the owner word then names us as the last holder. */
static inline void lb_release(struct lb_thread *t)
{
	struct lb_harness_line *hl = t->hl;
	uint64_t me = t->id + 1;
	uint64_t w = atomic_load_explicit(&hl->word, memory_order_relaxed);
	if (__builtin_expect((w & LB_OWNER_MASK) != me, 0))
		t->violations++;
	atomic_store_explicit(&hl->word, (w & ~(uint64_t)LB_OWNER_MASK) | LB_OWNER_FREE | me, memory_order_relaxed);
	if (__builtin_expect(t->timing, 0))
		lb__released_timed(t);
	if (t->ops->release(t->lock, t->node) != 0)
		t->release_errors++;
}

/*
 * The eval breaker: a holder in a long critical section calls this now and
 * then. A lock with a poll hook (the GIL) may hand itself to another thread
 * in there; the canary says "released by us" around the call so that
 * hand-over is not mistaken for a violation, and the sequence tells whether
 * anyone got in.
 */
static inline void lb_poll(struct lb_thread *t)
{
	if (t->ops->poll == NULL)
		return;
	struct lb_harness_line *hl = t->hl;
	uint64_t me = t->id + 1;
	uint64_t w = atomic_load_explicit(&hl->word, memory_order_relaxed);
	atomic_store_explicit(&hl->word, (w & ~(uint64_t)LB_OWNER_MASK) | LB_OWNER_FREE | me, memory_order_relaxed);
	t->ops->poll(t->lock, t->node);
	uint64_t after = atomic_load_explicit(&hl->word, memory_order_relaxed);
	if (!(after & LB_OWNER_FREE))
		t->violations++;
	atomic_store_explicit(&hl->word, (after & ~(uint64_t)LB_OWNER_MASK) | me, memory_order_relaxed);
	if (lb_hl_seq(after) != lb_hl_seq(w))
		t->poll_handoffs++;
}

static inline _Atomic uint64_t *lb_guarded_counter(struct lb_run *run)
{
	return &run->hl->counter;
}

/* Busy work of `iters` iterations in chunks, polling the lock between chunks. */
void lb_busy_polling(struct lb_thread *t, uint64_t iters);

/* The reader-writer wrappers (lb_read_*, lb_write_*) build on the ones above. */
#include "engine/harness_rw.h"

#endif
