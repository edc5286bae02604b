/*
 * locks/rw_rpref.c — the simple reader-preference reader-writer lock.
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Scalable Reader-Writer
 * Synchronization for Shared-Memory Multiprocessors", PPoPP 1991, section 2
 * ("a simple reader-writer lock with reader preference", fig. 1 there). One
 * word holds a writer flag and the number of readers:
 *
 *	word = readers * RC_INC | WRITER
 *
 *	free		word == 0
 *	read-held	WRITER clear, readers > 0
 *	write-held	WRITER set; readers counts readers already waiting for it
 *
 * A reader announces itself first (adds RC_INC) and then waits until no
 * writer is inside; a writer gets in only when the whole word is 0, i.e. no
 * reader is inside or waiting. So a stream of overlapping readers keeps
 * the word non-zero for ever and the writers wait for ever.
 *
 * Policy: reader preference (LB_CAP_READER_PREF): writers can starve.
 * Spins on the one word; never sleeps. Not FIFO among writers (whichever
 * CAS wins).
 *
 * try and timed forms on both sides: a reader's try takes the lock only
 * with no writer inside (CAS of the count); a timed reader that gives up
 * takes its announcement back.
 *
 * Memory ordering:
 *
 *  read_acquire: fetch_add(word, RC_INC, acquire)			[RA]
 *	If it returns no WRITER, we are in. The writer's [WR] heads a release
 *	sequence of every later RMW of the word (the readers' adds and subs
 *	are RMWs), so [RA] reading any value of it synchronizes-with [WR]:
 *	the last writer's critical section happens-before ours.
 *
 *  read_acquire: spin until load(word, acquire) has no WRITER	[RS]
 *	Entered when [RA] saw a writer inside. Our RC_INC keeps the word
 *	non-zero, so no writer can get in after this one leaves: the first
 *	value without WRITER is in the release sequence of that writer's
 *	[WR], and [RS] reading it synchronizes-with [WR].
 *
 *  read_release: fetch_sub(word, RC_INC, release)			[RR]
 *	Pairs with a writer's [WA]: the CAS reads the 0 left by the last
 *	reader's [RR]; every earlier reader's [RR] heads a release sequence
 *	that contains that last RMW, so every reader's critical section
 *	happens-before the writer's.
 *
 *  write_acquire: CAS(word, 0 -> WRITER, acquire)			[WA]
 *	Success reads a 0 written by the last [RR] or [WR]: see there.
 *
 *  write_acquire: load(word, relaxed) while it is not 0		[WS]
 *	Only decides when to try [WA] again; nothing is read through it.
 *
 *  write_release: fetch_sub(word, WRITER, release)			[WR]
 *	An RMW, not a store of 0: readers that announced themselves while we
 *	held it are counted in the word and must stay counted. Pairs with
 *	[RA], [RS], [RT], the next [WA] and [WT].
 *
 *  read_try_acquire: CAS(word, v -> v + RC_INC, acquire), v without WRITER	[RT]
 *	Reads a value of [WR]'s release sequence, as [RA] does; v comes from
 *	a relaxed load [RV] that only picks the value to try.
 *
 *  write_try_acquire: CAS(word, 0 -> WRITER, acquire)			[WT]
 *	As [WA], once.
 *
 *  read_acquire_until giving up: fetch_sub(word, RC_INC, relaxed)	[RG]
 *	Takes back an announcement that never became a hold: nothing was
 *	read or written under it, so nothing to publish. It is an RMW, so it
 *	keeps every release sequence it lands in intact.
 *
 *  both releases, validation build only: load(word, relaxed)		[K]
 *	release returns -1 when WRITER is clear, read_release when no reader
 *	is counted (best effort: it cannot tell whose hold it is). A load
 *	before the RMW that Concurrency Kit's rwlock does not make: under
 *	contention it can fetch the line shared right before the RMW needs
 *	it exclusive (tas.c has the numbers for the same choice), so
 *	lockbench's build leaves it out (LB_LOCK_CHECKS, locks/registry.h).
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "deadline.h"
#include "registry.h"

#define RPREF_WRITER 1u
#define RPREF_RC_INC 2u

struct rpref_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t word;
};

/* Wait for the writer inside to leave; false if the deadline came first. */
static bool rpref_wait_writer(struct rpref_lock *l, uint64_t deadline_ns)
{
	unsigned turns = 0;

	while (atomic_load_explicit(&l->word, memory_order_acquire) & RPREF_WRITER) { /* [RS] */
		if (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns))
			return false;
		lb_cpu_relax();
	}
	return true;
}

static void rpref_read_acquire(void *state, void *node)
{
	struct rpref_lock *l = state;

	(void)node;
	if (atomic_fetch_add_explicit(&l->word, RPREF_RC_INC, memory_order_acquire) & RPREF_WRITER) /* [RA] */
		rpref_wait_writer(l, UINT64_MAX);
}

static int rpref_read_release(void *state, void *node)
{
	struct rpref_lock *l = state;

	(void)node;
	if (LB_CHECKED && atomic_load_explicit(&l->word, memory_order_relaxed) < RPREF_RC_INC) /* [K] */
		return -1;
	atomic_fetch_sub_explicit(&l->word, RPREF_RC_INC, memory_order_release); /* [RR] */
	return 0;
}

static bool rpref_read_try_acquire(void *state, void *node)
{
	struct rpref_lock *l = state;
	uint32_t v = atomic_load_explicit(&l->word, memory_order_relaxed); /* [RV] */

	(void)node;
	while (!(v & RPREF_WRITER))
		if (atomic_compare_exchange_weak_explicit(&l->word, &v, v + RPREF_RC_INC, memory_order_acquire, /* [RT] */
							  memory_order_relaxed))
			return true;
	return false;
}

static bool rpref_read_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct rpref_lock *l = state;

	(void)node;
	if (!(atomic_fetch_add_explicit(&l->word, RPREF_RC_INC, memory_order_acquire) & RPREF_WRITER)) /* [RA] */
		return true;
	if (rpref_wait_writer(l, deadline_ns))
		return true;
	atomic_fetch_sub_explicit(&l->word, RPREF_RC_INC, memory_order_relaxed); /* [RG] */
	return false;
}

/* Take the word from 0 to WRITER; false if deadline_ns passed first (UINT64_MAX: never). */
static bool rpref_write_until(struct rpref_lock *l, uint64_t deadline_ns)
{
	unsigned turns = 0;

	for (;;) {
		uint32_t v = 0;
		if (atomic_compare_exchange_weak_explicit(&l->word, &v, RPREF_WRITER, memory_order_acquire, /* [WA] */
							  memory_order_relaxed))
			return true;
		while (atomic_load_explicit(&l->word, memory_order_relaxed) != 0) { /* [WS] */
			if (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns))
				return false;
			lb_cpu_relax();
		}
	}
}

static void rpref_write_acquire(void *state, void *node)
{
	(void)node;
	rpref_write_until(state, UINT64_MAX);
}

static bool rpref_write_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	(void)node;
	return rpref_write_until(state, deadline_ns);
}

static int rpref_write_release(void *state, void *node)
{
	struct rpref_lock *l = state;

	(void)node;
	if (LB_CHECKED && !(atomic_load_explicit(&l->word, memory_order_relaxed) & RPREF_WRITER)) /* [K] */
		return -1;
	atomic_fetch_sub_explicit(&l->word, RPREF_WRITER, memory_order_release); /* [WR] */
	return 0;
}

static bool rpref_write_try_acquire(void *state, void *node)
{
	struct rpref_lock *l = state;
	uint32_t v = 0;

	(void)node;
	return atomic_compare_exchange_strong_explicit(&l->word, &v, RPREF_WRITER, memory_order_acquire, /* [WT] */
						       memory_order_relaxed);
}

const struct lb_lock_ops lb_lock_rw_rpref = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "rw-rpref",
	.summary = "reader-preference RW counter lock (Mellor-Crummey & Scott 1991): writers can starve, spins",
	.state_size = sizeof(struct rpref_lock),
	.state_align = _Alignof(struct rpref_lock),
	.node_size = 0,
	.caps = LB_CAP_RW | LB_CAP_READER_PREF | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED |
		LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = NULL, /* the zeroed word is a free lock */
	.acquire = rpref_write_acquire,
	.release = rpref_write_release,
	.try_acquire = rpref_write_try_acquire,
	.acquire_until = rpref_write_acquire_until,
	.read_acquire = rpref_read_acquire,
	.read_release = rpref_read_release,
	.read_try_acquire = rpref_read_try_acquire,
	.read_acquire_until = rpref_read_acquire_until,
};
