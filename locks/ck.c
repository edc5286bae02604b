/*
 * locks/ck.c — Concurrency Kit's spinlocks, as reference locks.
 *
 * Source: Concurrency Kit (S. Bahra, concurrencykit.org), Debian's
 * libck-dev: header-only, ck_spinlock.h and spinlock/<name>.h. These are
 * the reference implementations our own locks are measured against, so
 * each wrapper calls the CK primitive through the same function pointers
 * as our locks and adds nothing to the hot path except what the ABI
 * needs (the node pointer, and for CLH the pointer to the qnode a thread
 * owns). One file holds all of them, against the one-lock-one-file rule:
 * they are thin wrappers of one library, share its include guard and
 * its ThreadSanitizer annotations, and each is a dozen lines.
 *
 *	ck-ticket	ck_spinlock_ticket_{lock,unlock,trylock}: FIFO. On x86-64
 *			one 64-bit word, fetch_add on the upper half to take a
 *			ticket, `lock inc` of the lower half to release.
 *	ck-mcs		ck_spinlock_mcs_{lock,unlock,trylock}: FIFO, one
 *			ck_spinlock_mcs_context_t per thread (our node).
 *	ck-clh		ck_spinlock_clh_{lock,unlock}: FIFO. The lock state holds
 *			the tail and the initial unowned qnode; a thread's node
 *			holds a pointer to the qnode it owns (ck_spinlock_clh_unlock
 *			moves it to the predecessor's) and a qnode of its own on a
 *			separate line, used first. No trylock in CK.
 *	ck-anderson	ck_spinlock_anderson_{lock,unlock}: FIFO. CK's slots
 *			are 8 bytes, not padded to cache lines (several waiters
 *			share a line). Slots: the smallest power of two >=
 *			nthreads (CK's fetch_add path; other counts take a CAS
 *			loop), at most 1024 (lockbench's thread limit); the
 *			state holds the 1024 slots. No trylock in CK.
 *	ck-fas		ck_spinlock_fas_{lock,unlock,trylock}: fetch-and-store
 *			(xchg) test-and-test-and-set, no backoff. Not FIFO.
 *	ck-cas		ck_spinlock_cas_{lock,unlock,trylock}: the same with
 *			compare-and-swap. Not FIFO.
 *
 * All spin and never sleep. CK's unlocks cannot tell whether the caller
 * holds the lock, so release always returns 0. CK has no timed lock: ck-fas
 * and ck-cas, whose waiters only try again, get their own spin with a clock
 * check; ck-ticket and ck-mcs, queue locks, get their trylock polled until
 * the deadline (timed_try.h, timed-emulated); ck-clh and ck-anderson have
 * neither a trylock nor a way out of the queue, so no timed acquire.
 *
 * Memory ordering is CK's: on x86-64 (CK_MD_TSO) its atomics are locked
 * instructions, ck_pr_fence_lock/unlock are compiler barriers, and
 * plain stores have release semantics in hardware.
 *
 * ThreadSanitizer cannot see CK's atomics (inline assembly), so under TSan
 * each wrapper describes the lock to it instead: a release on the lock
 * state's address before unlocking, an acquire after locking. CK's own
 * plain accesses (the CLH qnode's `previous`, written by one thread and
 * read by the next owner of the qnode, ordered only by CK's invisible
 * atomics) are hidden from TSan by running the CK calls in an ignore
 * region. Ordinary builds compile all of it to nothing.
 *
 * Built only when <ck_spinlock.h> is there (LB_HAVE_CK in registry.h), so
 * lockbench still builds without libck-dev, minus these locks.
 */
#include "registry.h"

#ifdef LB_HAVE_CK

#include <ck_spinlock.h>
#include <stdalign.h>
#include <stdio.h>

#include "ck_tsan.h"
#include "timed_try.h"

#define CK_MAX_SLOTS 1024u

/* ---- ck-ticket ---- */

struct ck_ticket_state {
	alignas(LB_CACHELINE) ck_spinlock_ticket_t lock;
};

static int ck_ticket_init(void *state, const union lb_value *params, unsigned nthreads,
			  char *err, size_t errlen)
{
	struct ck_ticket_state *s = state;

	ck_spinlock_ticket_init(&s->lock);
	(void)params;
	(void)nthreads;
	(void)err;
	(void)errlen;
	return 0;
}

static void ck_ticket_acquire(void *state, void *node)
{
	struct ck_ticket_state *s = state;

	(void)node;
	ck_tsan_hide();
	ck_spinlock_ticket_lock(&s->lock);
	ck_tsan_show();
	ck_tsan_acquired(state);
}

static int ck_ticket_release(void *state, void *node)
{
	struct ck_ticket_state *s = state;

	(void)node;
	ck_tsan_releasing(state);
	ck_tsan_hide();
	ck_spinlock_ticket_unlock(&s->lock);
	ck_tsan_show();
	return 0;
}

#ifdef CK_F_SPINLOCK_TICKET_TRYLOCK
static bool ck_ticket_try_acquire(void *state, void *node)
{
	struct ck_ticket_state *s = state;
	bool locked;

	(void)node;
	ck_tsan_hide();
	locked = ck_spinlock_ticket_trylock(&s->lock);
	ck_tsan_show();
	if (!locked)
		return false;
	ck_tsan_acquired(state);
	return true;
}
/* A ticket cannot be given back: try polled until the deadline (timed_try.h, timed-emulated). */
static bool ck_ticket_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(ck_ticket_try_acquire, state, node, deadline_ns);
}
#define CK_TICKET_TRY (LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED)
#else
#define ck_ticket_try_acquire NULL
#define ck_ticket_acquire_until NULL
#define CK_TICKET_TRY 0
#endif

const struct lb_lock_ops lb_lock_ck_ticket = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-ticket",
	.summary = "Concurrency Kit ck_spinlock_ticket (reference): FIFO, spins",
	.state_size = sizeof(struct ck_ticket_state),
	.state_align = _Alignof(struct ck_ticket_state),
	.node_size = 0,
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | CK_TICKET_TRY,
	.init = ck_ticket_init,
	.acquire = ck_ticket_acquire,
	.release = ck_ticket_release,
	.try_acquire = ck_ticket_try_acquire,
	.acquire_until = ck_ticket_acquire_until,
};

/* ---- ck-mcs ---- */

struct ck_mcs_state {
	alignas(LB_CACHELINE) ck_spinlock_mcs_t tail;
};

static int ck_mcs_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct ck_mcs_state *s = state;

	ck_spinlock_mcs_init(&s->tail);
	(void)params;
	(void)nthreads;
	(void)err;
	(void)errlen;
	return 0;
}

static void ck_mcs_acquire(void *state, void *node)
{
	struct ck_mcs_state *s = state;

	ck_tsan_hide();
	ck_spinlock_mcs_lock(&s->tail, node);
	ck_tsan_show();
	ck_tsan_acquired(state);
}

static int ck_mcs_release(void *state, void *node)
{
	struct ck_mcs_state *s = state;

	ck_tsan_releasing(state);
	ck_tsan_hide();
	ck_spinlock_mcs_unlock(&s->tail, node);
	ck_tsan_show();
	return 0;
}

static bool ck_mcs_try_acquire(void *state, void *node)
{
	struct ck_mcs_state *s = state;
	bool locked;

	ck_tsan_hide();
	locked = ck_spinlock_mcs_trylock(&s->tail, node);
	ck_tsan_show();
	if (!locked)
		return false;
	ck_tsan_acquired(state);
	return true;
}

/* A linked context cannot leave the queue: try polled until the deadline (timed_try.h, timed-emulated). */
static bool ck_mcs_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(ck_mcs_try_acquire, state, node, deadline_ns);
}

const struct lb_lock_ops lb_lock_ck_mcs = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-mcs",
	.summary = "Concurrency Kit ck_spinlock_mcs (reference): FIFO, each waiter spins on its own node",
	.state_size = sizeof(struct ck_mcs_state),
	.state_align = _Alignof(struct ck_mcs_state),
	.node_size = sizeof(ck_spinlock_mcs_context_t),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED,
	.init = ck_mcs_init,
	.acquire = ck_mcs_acquire,
	.release = ck_mcs_release,
	.try_acquire = ck_mcs_try_acquire,
	.acquire_until = ck_mcs_acquire_until,
};

/* ---- ck-clh ---- */

struct ck_clh_qnode {
	alignas(LB_CACHELINE) struct ck_spinlock_clh q;
};

struct ck_clh_state {
	alignas(LB_CACHELINE) struct ck_spinlock_clh *tail;
	struct ck_clh_qnode unowned;
};

struct ck_clh_node {
	struct ck_spinlock_clh *mine; /* the qnode this thread owns; NULL: `own` */
	struct ck_clh_qnode own;
};

static int ck_clh_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct ck_clh_state *s = state;

	ck_spinlock_clh_init(&s->tail, &s->unowned.q);
	(void)params;
	(void)nthreads;
	(void)err;
	(void)errlen;
	return 0;
}

static void ck_clh_acquire(void *state, void *node)
{
	struct ck_clh_state *s = state;
	struct ck_clh_node *n = node;

	if (n->mine == NULL)
		n->mine = &n->own.q;
	ck_tsan_hide();
	ck_spinlock_clh_lock(&s->tail, n->mine);
	ck_tsan_show();
	ck_tsan_acquired(state);
}

static int ck_clh_release(void *state, void *node)
{
	struct ck_clh_node *n = node;

	ck_tsan_releasing(state);
	ck_tsan_hide();
	ck_spinlock_clh_unlock(&n->mine);
	ck_tsan_show();
	return 0;
}

const struct lb_lock_ops lb_lock_ck_clh = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-clh",
	.summary = "Concurrency Kit ck_spinlock_clh (reference): FIFO, spins on the predecessor's node",
	.state_size = sizeof(struct ck_clh_state),
	.state_align = _Alignof(struct ck_clh_state),
	.node_size = sizeof(struct ck_clh_node),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS,
	.init = ck_clh_init,
	.acquire = ck_clh_acquire,
	.release = ck_clh_release,
};

/* ---- ck-anderson ---- */

struct ck_anderson_state {
	alignas(LB_CACHELINE) ck_spinlock_anderson_t lock;
	alignas(LB_CACHELINE) ck_spinlock_anderson_thread_t slots[CK_MAX_SLOTS];
};

struct ck_anderson_node {
	ck_spinlock_anderson_thread_t *slot; /* set by lock, read by unlock */
};

static int ck_anderson_init(void *state, const union lb_value *params, unsigned nthreads,
			    char *err, size_t errlen)
{
	struct ck_anderson_state *s = state;
	unsigned n = 1;

	(void)params;
	if (nthreads > CK_MAX_SLOTS) {
		snprintf(err, errlen, "ck-anderson: %u threads, but the slot array holds at most %u",
			 nthreads, CK_MAX_SLOTS);
		return -1;
	}
	while (n < nthreads)
		n *= 2;
	ck_spinlock_anderson_init(&s->lock, s->slots, n);
	return 0;
}

static void ck_anderson_acquire(void *state, void *node)
{
	struct ck_anderson_state *s = state;
	struct ck_anderson_node *n = node;

	ck_tsan_hide();
	ck_spinlock_anderson_lock(&s->lock, &n->slot);
	ck_tsan_show();
	ck_tsan_acquired(state);
}

static int ck_anderson_release(void *state, void *node)
{
	struct ck_anderson_state *s = state;
	struct ck_anderson_node *n = node;

	ck_tsan_releasing(state);
	ck_tsan_hide();
	ck_spinlock_anderson_unlock(&s->lock, n->slot);
	ck_tsan_show();
	return 0;
}

const struct lb_lock_ops lb_lock_ck_anderson = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-anderson",
	.summary = "Concurrency Kit ck_spinlock_anderson (reference): FIFO, slots not padded",
	.state_size = sizeof(struct ck_anderson_state),
	.state_align = _Alignof(struct ck_anderson_state),
	.node_size = sizeof(struct ck_anderson_node),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS,
	.init = ck_anderson_init,
	.acquire = ck_anderson_acquire,
	.release = ck_anderson_release,
};

/* ---- ck-fas ---- */

struct ck_fas_state {
	alignas(LB_CACHELINE) ck_spinlock_fas_t lock;
};

static int ck_fas_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct ck_fas_state *s = state;

	ck_spinlock_fas_init(&s->lock);
	(void)params;
	(void)nthreads;
	(void)err;
	(void)errlen;
	return 0;
}

static void ck_fas_acquire(void *state, void *node)
{
	struct ck_fas_state *s = state;

	(void)node;
	ck_tsan_hide();
	ck_spinlock_fas_lock(&s->lock);
	ck_tsan_show();
	ck_tsan_acquired(state);
}

static int ck_fas_release(void *state, void *node)
{
	struct ck_fas_state *s = state;

	(void)node;
	ck_tsan_releasing(state);
	ck_tsan_hide();
	ck_spinlock_fas_unlock(&s->lock);
	ck_tsan_show();
	return 0;
}

static bool ck_fas_try_acquire(void *state, void *node)
{
	struct ck_fas_state *s = state;
	bool locked;

	(void)node;
	ck_tsan_hide();
	locked = ck_spinlock_fas_trylock(&s->lock);
	ck_tsan_show();
	if (!locked)
		return false;
	ck_tsan_acquired(state);
	return true;
}

/* CK's own wait with a clock check: try, then spin reading until it looks free, until the deadline. */
static bool ck_fas_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct ck_fas_state *s = state;
	bool locked;

	while (!ck_fas_try_acquire(state, node)) {
		do {
			if (lb_lock_now_ns() >= deadline_ns)
				return false;
			ck_pr_stall();
			ck_tsan_hide();
			locked = ck_spinlock_fas_locked(&s->lock);
			ck_tsan_show();
		} while (locked);
	}
	return true;
}

const struct lb_lock_ops lb_lock_ck_fas = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-fas",
	.summary = "Concurrency Kit ck_spinlock_fas (reference): xchg test-and-test-and-set, not FIFO",
	.state_size = sizeof(struct ck_fas_state),
	.state_align = _Alignof(struct ck_fas_state),
	.node_size = 0,
	.caps = LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED,
	.init = ck_fas_init,
	.acquire = ck_fas_acquire,
	.release = ck_fas_release,
	.try_acquire = ck_fas_try_acquire,
	.acquire_until = ck_fas_acquire_until,
};

/* ---- ck-cas ---- */

struct ck_cas_state {
	alignas(LB_CACHELINE) ck_spinlock_cas_t lock;
};

static int ck_cas_init(void *state, const union lb_value *params, unsigned nthreads,
		       char *err, size_t errlen)
{
	struct ck_cas_state *s = state;

	ck_spinlock_cas_init(&s->lock);
	(void)params;
	(void)nthreads;
	(void)err;
	(void)errlen;
	return 0;
}

static void ck_cas_acquire(void *state, void *node)
{
	struct ck_cas_state *s = state;

	(void)node;
	ck_tsan_hide();
	ck_spinlock_cas_lock(&s->lock);
	ck_tsan_show();
	ck_tsan_acquired(state);
}

static int ck_cas_release(void *state, void *node)
{
	struct ck_cas_state *s = state;

	(void)node;
	ck_tsan_releasing(state);
	ck_tsan_hide();
	ck_spinlock_cas_unlock(&s->lock);
	ck_tsan_show();
	return 0;
}

static bool ck_cas_try_acquire(void *state, void *node)
{
	struct ck_cas_state *s = state;
	bool locked;

	(void)node;
	ck_tsan_hide();
	locked = ck_spinlock_cas_trylock(&s->lock);
	ck_tsan_show();
	if (!locked)
		return false;
	ck_tsan_acquired(state);
	return true;
}

/* CK's own wait with a clock check: try, then spin reading until it looks free, until the deadline. */
static bool ck_cas_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct ck_cas_state *s = state;
	bool locked;

	while (!ck_cas_try_acquire(state, node)) {
		do {
			if (lb_lock_now_ns() >= deadline_ns)
				return false;
			ck_pr_stall();
			ck_tsan_hide();
			locked = ck_spinlock_cas_locked(&s->lock);
			ck_tsan_show();
		} while (locked);
	}
	return true;
}

const struct lb_lock_ops lb_lock_ck_cas = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-cas",
	.summary = "Concurrency Kit ck_spinlock_cas (reference): CAS test-and-test-and-set, not FIFO",
	.state_size = sizeof(struct ck_cas_state),
	.state_align = _Alignof(struct ck_cas_state),
	.node_size = 0,
	.caps = LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED,
	.init = ck_cas_init,
	.acquire = ck_cas_acquire,
	.release = ck_cas_release,
	.try_acquire = ck_cas_try_acquire,
	.acquire_until = ck_cas_acquire_until,
};

#endif /* LB_HAVE_CK */
