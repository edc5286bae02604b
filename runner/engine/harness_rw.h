/*
 * engine/harness_rw.h — the measuring wrappers of a reader-writer workload:
 * lb_read_* take the lock's read side (or the lock itself when it has none,
 * so every mutex is the baseline) and lb_write_* its exclusive side, with
 * per-role figures and the reader/writer canary. Included by harness.h, on
 * whose wrappers these build; include harness.h, not this file.
 */
#ifndef LB_HARNESS_RW_H
#define LB_HARNESS_RW_H

#include "engine/harness.h"

/* ---- the roles of a reader-writer workload ------------------------------------ */

/*
 * Built on the wrappers above, which they leave as they are: an exclusive
 * acquisition in a role is lb_acquire's, plus the reader half of the canary
 * and the role's figures; a shared read has its own bookkeeping (no owner,
 * no sequence), the same per-thread figures as any acquisition. The attempt
 * says in the progress word whether it is a read (LB_PROGRESS_READ), so the
 * sampler tells a reader's longest wait from a writer's.
 */

/* Whether reads share the lock (it has a read side) or take it exclusively. */
static inline bool lb_reads_shared(const struct lb_thread *t)
{
	return t->ops->read_acquire != NULL;
}

/* The canary's word says a writer is inside (an owner neither 0 nor marked free). */
static inline bool lb__writer_inside(const struct lb_harness_line *hl)
{
	return (int16_t)(atomic_load_explicit(&hl->word, memory_order_relaxed) & LB_OWNER_MASK) > 0;
}

/*
 * The role's figures of an acquisition lb__acquired (or lb__read_acquired)
 * just booked: counted in the role when it is part of the measured window.
 * A role's longest wait, finished or still going at the stop, is the
 * sampler's (engine/sampler.c).
 */
static inline void lb__role_booked(struct lb_thread *t, enum lb_role role, uint64_t t0)
{
	struct lb_role_figures *rf = &t->role[role];
	rf->total++;
	if (!lb__measured(t))
		return;
	rf->acquisitions++;
	if (role == LB_ROLE_READ && !lb_reads_shared(t)) { /* an exclusive read: alone inside */
		t->readers_seen++;
		t->readers_max |= 1;
	}
	if (t0 != 0 && t->timing) { /* a timed acquisition: its wait ended at hold_t0 */
		rf->timed++;
		lb_hist_record(rf->wait, t->hold_t0 - t0);
	}
}

/* A shared read is held: the reader canary, then the figures every acquisition has. */
static inline void lb__read_acquired(struct lb_thread *t, uint64_t t0)
{
	struct lb_harness_line *hl = t->hl;
	uint64_t t1 = t0 ? lb_now() : 0;
	uint32_t inside = atomic_fetch_add_explicit(&hl->readers, 1, memory_order_relaxed) + 1;
	if (lb__writer_inside(hl))
		t->violations++;
	uint64_t p = atomic_load_explicit(&t->progress, memory_order_relaxed);
	t->order_log[lb_progress_count(p) & t->order_mask] = LB_LOG_SHARED; /* not in the order */
	atomic_store_explicit(&t->progress, (lb_progress_count(p) + 1) << LB_PROGRESS_SHIFT, memory_order_relaxed);
	uint32_t ph = atomic_load_explicit(&t->clock->phase, memory_order_relaxed);
	if (__builtin_expect(ph != t->seen_phase, 0)) {
		lb__phase_in_acquire(t, ph); /* outside the window, as in lb__acquired */
		return;
	}
	if (ph != LB_PHASE_MEASURE)
		return;
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
	uint64_t seq0 = 0;
	t->roles |= LB_ROLE_BIT(LB_ROLE_READ);
	uint64_t t0 = lb__attempt_begin(t, &seq0, LB_PROGRESS_READ);
	if (lb_reads_shared(t)) {
		t->ops->read_acquire(t->lock, t->node);
		lb__read_acquired(t, t0);
	} else {
		t->ops->acquire(t->lock, t->node);
		lb__acquired(t, t0, seq0);
	}
	lb__role_booked(t, LB_ROLE_READ, t0);
}

/* Try once to read; on success the caller holds a read hold. Needs LB_CAP_TRY. */
static inline bool lb_read_try_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	bool shared = lb_reads_shared(t);
	t->roles |= LB_ROLE_BIT(LB_ROLE_READ);
	uint64_t t0 = lb__attempt_begin(t, &seq0, LB_PROGRESS_READ);
	if (!(shared ? t->ops->read_try_acquire : t->ops->try_acquire)(t->lock, t->node)) {
		lb__attempt_failed(t);
		return false;
	}
	if (shared)
		lb__read_acquired(t, t0);
	else
		lb__acquired(t, t0, seq0);
	lb__role_booked(t, LB_ROLE_READ, t0);
	return true;
}

/* Wait for a read hold until deadline_ns (CLOCK_MONOTONIC) at most. Needs LB_CAP_TIMED. */
static inline bool lb_read_acquire_until(struct lb_thread *t, uint64_t deadline_ns)
{
	uint64_t seq0 = 0;
	bool shared = lb_reads_shared(t);
	t->roles |= LB_ROLE_BIT(LB_ROLE_READ);
	uint64_t t0 = lb__attempt_begin(t, &seq0, LB_PROGRESS_READ);
	if (!(shared ? t->ops->read_acquire_until : t->ops->acquire_until)(t->lock, t->node, deadline_ns)) {
		lb__attempt_failed(t);
		return false;
	}
	if (shared)
		lb__read_acquired(t, t0);
	else
		lb__acquired(t, t0, seq0);
	lb__role_booked(t, LB_ROLE_READ, t0);
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
static inline void lb__write_acquired(struct lb_thread *t, uint64_t t0)
{
	if (atomic_load_explicit(&t->hl->readers, memory_order_relaxed) != 0)
		t->violations++;
	lb__role_booked(t, LB_ROLE_WRITE, t0);
}

/* The exclusive side of a reader-writer workload: lb_acquire & co. with per-role figures. */
static inline void lb_write_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	t->roles |= LB_ROLE_BIT(LB_ROLE_WRITE);
	uint64_t t0 = lb__attempt_begin(t, &seq0, 0);
	t->ops->acquire(t->lock, t->node);
	lb__acquired(t, t0, seq0);
	lb__write_acquired(t, t0);
}

static inline bool lb_write_try_acquire(struct lb_thread *t)
{
	uint64_t seq0 = 0;
	t->roles |= LB_ROLE_BIT(LB_ROLE_WRITE);
	uint64_t t0 = lb__attempt_begin(t, &seq0, 0);
	if (!t->ops->try_acquire(t->lock, t->node)) {
		lb__attempt_failed(t);
		return false;
	}
	lb__acquired(t, t0, seq0);
	lb__write_acquired(t, t0);
	return true;
}

static inline bool lb_write_acquire_until(struct lb_thread *t, uint64_t deadline_ns)
{
	uint64_t seq0 = 0;
	t->roles |= LB_ROLE_BIT(LB_ROLE_WRITE);
	uint64_t t0 = lb__attempt_begin(t, &seq0, 0);
	if (!t->ops->acquire_until(t->lock, t->node, deadline_ns)) {
		lb__attempt_failed(t);
		return false;
	}
	lb__acquired(t, t0, seq0);
	lb__write_acquired(t, t0);
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
