/*
 * locks/rw_percpu.c — the big-reader lock: a reader slot per thread, the
 * writer takes them all.
 *
 * Algorithm: W. C. Hsieh and W. E. Weihl, "Scalable Reader-Writer Locks
 * for Parallel Systems", IPPS 1992 (a lock per processor; readers take
 * their own, a writer takes every one), in the form of Linux 2.4's
 * brlock and of the kernel's later percpu-rwsem fast path: each reader
 * owns a slot on a cache line of its own and a single writer flag is
 * shared by all:
 *
 *	writer		0, or 1 while a writer is inside or draining readers
 *	slot[i]		1 while reader i is inside (or checking the flag)
 *
 * A reader raises its own slot, then looks at the writer flag: clear, it
 * is in; set, it lowers its slot again and waits for the flag to clear.
 * A writer takes the flag (an exchange; writers exclude each other through
 * it) and then waits for every slot to be 0. Uncontended by writers, a
 * reader writes only its own line and reads the flag's line, which stays
 * shared in every reader's cache: reads scale with the readers, at the
 * price of writes that touch a line per thread.
 *
 * A thread gets its slot at its first read, by a fetch_add on a counter
 * (once per thread and run, not on the hot path); init allocates one slot
 * per thread the runner declares, and the writer scans all of them.
 *
 * Policy: writer preference (LB_CAP_WRITER_PREF): a writer that has the
 * flag keeps new readers out, and the next writer can take the flag back
 * before a waiting reader sees it clear, so readers can starve under a
 * stream of writers. Not FIFO. Spins; never sleeps. try and timed forms on
 * both sides (a writer that gives up while draining drops the flag).
 *
 * Memory ordering:
 *
 *  read_acquire: store(slot, 1, seq_cst)				[RS]
 *  read_acquire: load(writer, seq_cst) == 0				[RW]
 *  write_acquire: exchange(writer, 1, seq_cst) == 0			[WF]
 *  write_acquire: load(slot[i], seq_cst) == 0 for every i		[WD]
 *	Dekker's pattern: each side writes its own flag and then reads the
 *	other's. With all four seq_cst there is one total order S of them:
 *	if the reader's [RW] read 0 it came before [WF] in S, so [RS] did
 *	too, and the writer's [WD] (after [WF]) sees the slot at 1 and waits
 *	for the reader's [RR]. If [RW] saw the flag, the reader backs off.
 *	So a reader and a writer are never both in. [RW] reading the 0 of
 *	the last writer's [WR] synchronizes-with it (seq_cst load is an
 *	acquire); [WD] reading 0 from a reader's [RR] or [RB] synchronizes
 *	with it.
 *
 *  read_release: store(slot, 0, release)				[RR]
 *	Pairs with [WD]: the read section happens-before the writer's.
 *
 *  read_acquire backing off: store(slot, 0, release)			[RB]
 *	Lowers the slot we raised without entering; the writer's [WD] may
 *	read it.
 *
 *  both sides waiting: load(writer, relaxed)				[FV]
 *	Only decides when to retry [RS]/[RW] (a reader) or [WF] (a writer);
 *	nothing is read through it.
 *
 *  write_release: store(writer, 0, release)				[WR]
 *	Pairs with [RW] and the next [WF]. A writer that gives up while
 *	draining stores it too ([WR]: nothing was written under it).
 *
 *  both releases, validation build only: load(slot or writer, relaxed)	[K]
 *	read_release returns -1 when the thread's slot is not raised,
 *	release when the flag is clear; left out of lockbench's build for
 *	the reason rw_rpref.c gives.
 *
 *  slot assignment: fetch_add(next_slot, 1, relaxed)			[A]
 *	Only hands out distinct indices; the slots were initialised before
 *	the threads started.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpu.h"
#include "deadline.h"
#include "registry.h"

struct percpu_slot {
	alignas(LB_CACHELINE) _Atomic uint32_t reading;
};

struct percpu_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t writer;
	unsigned nslots;
	struct percpu_slot *slots;
	alignas(LB_CACHELINE) _Atomic unsigned next_slot;
};

struct percpu_node {
	struct percpu_slot *slot; /* NULL until the thread's first read */
};

static int percpu_init(void *state, const union lb_value *params, unsigned nthreads, char *err, size_t errlen)
{
	struct percpu_lock *l = state;

	(void)params;
	l->nslots = nthreads ? nthreads : 1;
	l->slots = aligned_alloc(LB_CACHELINE, l->nslots * sizeof *l->slots);
	if (l->slots == NULL) {
		snprintf(err, errlen, "rw-percpu: out of memory for %u reader slots", l->nslots);
		return -1;
	}
	for (unsigned i = 0; i < l->nslots; i++)
		atomic_init(&l->slots[i].reading, 0);
	atomic_init(&l->writer, 0);
	atomic_init(&l->next_slot, 0);
	return 0;
}

static void percpu_destroy(void *state)
{
	struct percpu_lock *l = state;

	free(l->slots);
	l->slots = NULL;
}

static struct percpu_slot *my_slot(struct percpu_lock *l, struct percpu_node *n)
{
	if (n->slot == NULL) {
		unsigned i = atomic_fetch_add_explicit(&l->next_slot, 1, memory_order_relaxed); /* [A] */
		if (i >= l->nslots)
			abort(); /* more threads than init was told: the runner never does that */
		n->slot = &l->slots[i];
	}
	return n->slot;
}

/*
 * One or more attempts to enter as a reader: `once` gives up at the first
 * writer seen, a deadline (UINT64_MAX: none) when it passes.
 */
static bool percpu_read_until(struct percpu_lock *l, struct percpu_node *n, uint64_t deadline_ns, bool once)
{
	struct percpu_slot *s = my_slot(l, n);
	unsigned turns = 0;

	for (;;) {
		atomic_store_explicit(&s->reading, 1, memory_order_seq_cst); /* [RS] */
		if (atomic_load_explicit(&l->writer, memory_order_seq_cst) == 0) /* [RW] */
			return true;
		atomic_store_explicit(&s->reading, 0, memory_order_release); /* [RB] */
		if (once)
			return false;
		while (atomic_load_explicit(&l->writer, memory_order_relaxed) != 0) { /* [FV] */
			if (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns))
				return false;
			lb_cpu_relax();
		}
	}
}

static void percpu_read_acquire(void *state, void *node)
{
	percpu_read_until(state, node, UINT64_MAX, false);
}

static bool percpu_read_try_acquire(void *state, void *node)
{
	return percpu_read_until(state, node, UINT64_MAX, true);
}

static bool percpu_read_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return percpu_read_until(state, node, deadline_ns, false);
}

static int percpu_read_release(void *state, void *node)
{
	struct percpu_node *n = node;

	(void)state;
	if (LB_CHECKED && (n->slot == NULL || atomic_load_explicit(&n->slot->reading, memory_order_relaxed) == 0)) /* [K] */
		return -1;
	atomic_store_explicit(&n->slot->reading, 0, memory_order_release); /* [RR] */
	return 0;
}

/* Take the flag, then drain the readers; on giving up, drop the flag. */
static bool percpu_write_until(struct percpu_lock *l, uint64_t deadline_ns, bool once)
{
	unsigned turns = 0;

	while (atomic_exchange_explicit(&l->writer, 1, memory_order_seq_cst) != 0) { /* [WF] */
		if (once)
			return false;
		while (atomic_load_explicit(&l->writer, memory_order_relaxed) != 0) { /* [FV] */
			if (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns))
				return false;
			lb_cpu_relax();
		}
	}
	for (unsigned i = 0; i < l->nslots; i++)
		while (atomic_load_explicit(&l->slots[i].reading, memory_order_seq_cst) != 0) { /* [WD] */
			if (once || (deadline_ns != UINT64_MAX && lb_deadline_passed(deadline_ns, &turns))) {
				atomic_store_explicit(&l->writer, 0, memory_order_release); /* [WR] */
				return false;
			}
			lb_cpu_relax();
		}
	return true;
}

static void percpu_write_acquire(void *state, void *node)
{
	(void)node;
	percpu_write_until(state, UINT64_MAX, false);
}

static bool percpu_write_try_acquire(void *state, void *node)
{
	(void)node;
	return percpu_write_until(state, UINT64_MAX, true);
}

static bool percpu_write_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	(void)node;
	return percpu_write_until(state, deadline_ns, false);
}

static int percpu_write_release(void *state, void *node)
{
	struct percpu_lock *l = state;

	(void)node;
	if (LB_CHECKED && atomic_load_explicit(&l->writer, memory_order_relaxed) == 0) /* [K] */
		return -1;
	atomic_store_explicit(&l->writer, 0, memory_order_release); /* [WR] */
	return 0;
}

const struct lb_lock_ops lb_lock_rw_percpu = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "rw-percpu",
	.summary = "big-reader lock (Hsieh & Weihl 1992): a reader slot per thread, writers drain all; spins",
	.state_size = sizeof(struct percpu_lock),
	.state_align = _Alignof(struct percpu_lock),
	.node_size = sizeof(struct percpu_node),
	.caps = LB_CAP_RW | LB_CAP_WRITER_PREF | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED |
		LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = percpu_init,
	.destroy = percpu_destroy,
	.acquire = percpu_write_acquire,
	.release = percpu_write_release,
	.try_acquire = percpu_write_try_acquire,
	.acquire_until = percpu_write_acquire_until,
	.read_acquire = percpu_read_acquire,
	.read_release = percpu_read_release,
	.read_try_acquire = percpu_read_try_acquire,
	.read_acquire_until = percpu_read_acquire_until,
};
