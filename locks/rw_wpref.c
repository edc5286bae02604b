/*
 * locks/rw_wpref.c — a writer-preference reader-writer counter lock.
 *
 * Policy: P. J. Courtois, F. Heymans and D. L. Parnas, "Concurrent Control
 * with 'Readers' and 'Writers'", CACM 14(10), 1971, second problem: "once a
 * writer is ready to write, he performs his write as soon as possible" — no
 * new reader may get in while a writer waits. Courtois et al. built it from
 * semaphores; here it is the spinning counter form (as Mellor-Crummey and
 * Scott's PPoPP 1991 writer-preference lock, with one word instead of
 * three). One word:
 *
 *	word = readers * RC_INC | waiting writers * WW_INC | WRITER
 *
 *	bit 0		WRITER: a writer is inside
 *	bits 1..15	writers waiting (announced, not yet inside)
 *	bits 16..31	readers inside
 *
 * A writer announces itself (WW_INC), and from then on no reader gets in;
 * it waits for the readers inside and any writer inside to leave and turns
 * its announcement into WRITER with one CAS. A reader gets in only when no
 * writer is inside or waiting. So a stream of writers that overlap keeps
 * readers out for ever.
 *
 * Policy: writer preference (LB_CAP_WRITER_PREF): readers can starve.
 * Spins on the one word; never sleeps. Among writers not FIFO (whichever
 * CAS wins once the word allows it). try and timed forms on both sides; a
 * timed writer that gives up takes its announcement back.
 *
 * Memory ordering:
 *
 *  read_acquire: CAS(word, v -> v + RC_INC, acquire), v without	[RA]
 *	WRITER or waiting writers. The last writer's [WR] heads a release
 *	sequence of every later RMW on the word (announcements, readers'
 *	CASes and subs are all RMWs), so [RA] synchronizes-with it: that
 *	writer's critical section happens-before ours.
 *
 *  read_acquire: load(word, relaxed) while waiting			[RV]
 *	Only decides when (and with which v) to try [RA].
 *
 *  read_release: fetch_sub(word, RC_INC, release)			[RR]
 *	Pairs with the next writer's [WA]/[WT], which reads a value at or
 *	after the last reader's [RR], in the release sequence of every
 *	reader's [RR].
 *
 *  write_acquire: fetch_add(word, WW_INC, relaxed)			[WN]
 *	Only an announcement: it stops new readers, publishes no data and
 *	reads none we rely on. Being an RMW it also keeps the release
 *	sequences of earlier [RR]/[WR] intact.
 *
 *  write_acquire: CAS(word, v -> v - WW_INC + WRITER, acquire), v without	[WA]
 *	WRITER or readers. Reads a value in the release sequence of the last
 *	[RR] and the last [WR]: every earlier critical section happens-before
 *	ours.
 *
 *  write_acquire: load(word, relaxed) while waiting			[WV]
 *	Only decides when (and with which v) to try [WA].
 *
 *  write_release: fetch_sub(word, WRITER, release)			[WR]
 *	An RMW: announcements made meanwhile stay counted. Pairs with [RA],
 *	[RT], [WA], [WT].
 *
 *  read_try_acquire: [RA] with no waiting				[RT]
 *  write_try_acquire: CAS(word, v -> v + WRITER, acquire), v without	[WT]
 *	WRITER or readers, without announcing (nothing to wait for); v from
 *	a relaxed load [WV].
 *
 *  write_acquire_until giving up: fetch_sub(word, WW_INC, relaxed)	[WG]
 *	Takes an announcement back: readers may come in again; nothing was
 *	done under it.
 *
 *  both releases, validation build only: load(word, relaxed)		[K]
 *	release returns -1 when WRITER is clear, read_release when no reader
 *	is counted (best effort); left out of lockbench's build for the
 *	reason rw_rpref.c gives.
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "deadline.h"
#include "registry.h"

#define WPREF_WRITER 1u
#define WPREF_WW_INC 2u
#define WPREF_WW_MASK 0xfffeu
#define WPREF_RC_INC 0x10000u
#define WPREF_RC_MASK 0xffff0000u

struct wpref_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t word;
};

/* Enter as a reader; false if deadline_ns came first (UINT64_MAX: never), or at once if `once`. */
static bool wpref_read_until(struct wpref_lock *l, uint64_t deadline_ns, bool once)
{
	unsigned turns = 0;
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed); /* [RV] */

	for (;;) {
		if (!(v & (WPREF_WRITER | WPREF_WW_MASK))) {
			if (atomic_compare_exchange_weak_explicit(&l->word, &v, v + WPREF_RC_INC, /* [RA] [RT] */
								  memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (once || (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns)))
			return false;
		lb_cpu_relax();
		v = atomic_load_explicit(&l->word, memory_order_relaxed); /* [RV] */
	}
}

static void wpref_read_acquire(void *state, void *node)
{
	(void)node;
	wpref_read_until(state, UINT64_MAX, false);
}

static bool wpref_read_try_acquire(void *state, void *node)
{
	(void)node;
	return wpref_read_until(state, UINT64_MAX, true);
}

static bool wpref_read_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	(void)node;
	return wpref_read_until(state, deadline_ns, false);
}

static int wpref_read_release(void *state, void *node)
{
	struct wpref_lock *l = state;

	(void)node;
	if (LB_CHECKED && !(atomic_load_explicit(&l->word, memory_order_relaxed) & WPREF_RC_MASK)) /* [K] */
		return -1;
	atomic_fetch_sub_explicit(&l->word, WPREF_RC_INC, memory_order_release); /* [RR] */
	return 0;
}

/* Announce, then turn the announcement into WRITER; false (announcement withdrawn) at the deadline. */
static bool wpref_write_until(struct wpref_lock *l, uint64_t deadline_ns)
{
	unsigned turns = 0;
	uint32_t v = atomic_fetch_add_explicit(&l->word, WPREF_WW_INC, memory_order_relaxed) + WPREF_WW_INC; /* [WN] */

	for (;;) {
		if (!(v & (WPREF_WRITER | WPREF_RC_MASK))) {
			if (atomic_compare_exchange_weak_explicit(&l->word, &v, v - WPREF_WW_INC + WPREF_WRITER, /* [WA] */
								  memory_order_acquire, memory_order_relaxed))
				return true;
			continue;
		}
		if (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns)) {
			atomic_fetch_sub_explicit(&l->word, WPREF_WW_INC, memory_order_relaxed); /* [WG] */
			return false;
		}
		lb_cpu_relax();
		v = atomic_load_explicit(&l->word, memory_order_relaxed); /* [WV] */
	}
}

static void wpref_write_acquire(void *state, void *node)
{
	(void)node;
	wpref_write_until(state, UINT64_MAX);
}

static bool wpref_write_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	(void)node;
	return wpref_write_until(state, deadline_ns);
}

static bool wpref_write_try_acquire(void *state, void *node)
{
	struct wpref_lock *l = state;
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed); /* [WV] */

	(void)node;
	while (!(v & (WPREF_WRITER | WPREF_RC_MASK)))
		if (atomic_compare_exchange_weak_explicit(&l->word, &v, v + WPREF_WRITER, memory_order_acquire, /* [WT] */
							  memory_order_relaxed))
			return true;
	return false;
}

static int wpref_write_release(void *state, void *node)
{
	struct wpref_lock *l = state;

	(void)node;
	if (LB_CHECKED && !(atomic_load_explicit(&l->word, memory_order_relaxed) & WPREF_WRITER)) /* [K] */
		return -1;
	atomic_fetch_sub_explicit(&l->word, WPREF_WRITER, memory_order_release); /* [WR] */
	return 0;
}

const struct lb_lock_ops lb_lock_rw_wpref = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "rw-wpref",
	.summary = "writer-preference RW counter lock (Courtois, Heymans & Parnas 1971): readers can starve, spins",
	.state_size = sizeof(struct wpref_lock),
	.state_align = _Alignof(struct wpref_lock),
	.node_size = 0,
	.caps = LB_CAP_RW | LB_CAP_WRITER_PREF | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED |
		LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = NULL, /* the zeroed word is a free lock */
	.acquire = wpref_write_acquire,
	.release = wpref_write_release,
	.try_acquire = wpref_write_try_acquire,
	.acquire_until = wpref_write_acquire_until,
	.read_acquire = wpref_read_acquire,
	.read_release = wpref_read_release,
	.read_try_acquire = wpref_read_try_acquire,
	.read_acquire_until = wpref_read_acquire_until,
};
