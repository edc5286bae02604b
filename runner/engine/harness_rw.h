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
