/*
 * locks/rw_mcs.c — the fair queue-based reader-writer lock.
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Scalable Reader-Writer
 * Synchronization for Shared-Memory Multiprocessors", PPoPP 1991, section
 * 3 ("a fair reader-writer lock", the queue-based one), with one change
 * (below). Every request, read or write, joins one MCS queue in arrival
 * order, with its own node (our per-thread node) to spin on:
 *
 *	node:	class (reading | writing), next, state = blocked | successor class
 *	lock:	tail; readers = reader_count * RC_INC | WW; next_writer
 *
 *	tail -> [W blocked] -> [R blocked] -> [R blocked] -> [W blocked]
 *
 * A writer at the head of an empty queue is in once no reader is inside;
 * otherwise it waits in next_writer and the last reader out wakes it. A
 * writer queued behind a reader is handed to next_writer by that reader
 * when it leaves. A reader is in when its predecessor is a reader that is
 * itself in (it counts itself and goes), or when the predecessor wakes it:
 * a waiting reader that learns (from the successor class in its state)
 * that a reader queued behind it wakes that reader as soon as it gets in,
 * so a run of queued readers enters together; a writer leaving wakes its
 * successor. A thread leaving the queue before its successor has linked in
 * waits for the link, as in the MCS mutex, so a node is never reused while
 * another thread still reads it.
 *
 * The change. In the paper the last reader decrements reader_count and,
 * seeing 1, then exchanges next_writer out and wakes what it finds; the
 * writer stores next_writer and then reads reader_count. Transcribed
 * literally that is a race: a reader that saw 1 but is delayed before its
 * exchange can find a next_writer stored much later, by a reader that
 * handed over a writer queued behind it while other readers were still
 * inside, and wake that writer among them (lockbench's validation caught
 * it: a writer inside with a reader). Here the count and a "writer waiting"
 * bit WW share one word, so "I am the last reader" and "a writer waits" are
 * one atomic fact: the reader whose RMW leaves the word at exactly WW wakes
 * the writer, and no other can. A writer at the head of an empty queue
 * sets WW with one RMW that also tells it whether readers are inside; a
 * reader handing over its writer successor sets WW in the same RMW that
 * takes itself out of the count. While WW is set no reader can come in
 * (every new request queues behind the waiting writer), so the count only
 * falls.
 *
 * Policy: fair (task-fair, LB_CAP_FIFO): requests are granted in arrival
 * order, consecutive readers together; nobody starves. Spins, each waiter
 * on its own node's line; never sleeps. The reader count is one shared
 * line every reader writes twice: the cost Krieger, Stumm, Unrau and Hanna
 * (ICPP 1993) later removed. No try or timed forms (a queued node cannot
 * leave the queue).
 *
 * Memory ordering:
 *
 *  both: node fields initialised with relaxed stores before [Q]	[I]
 *	[Q]'s release publishes them; the predecessor's class is read
 *	(relaxed, [I] too) after our [Q]'s acquire, a successor's after [N].
 *
 *  both: pred = exchange(tail, I, acq_rel)				[Q]
 *	Release publishes our node's fields to the successor that will read
 *	them; acquire makes the predecessor's fields (its class) visible to
 *	us. An empty queue (pred NULL) reads the value of the last leaver's
 *	[E]: its critical section happens-before ours.
 *
 *  both: store(pred->next, I, release)				[L]
 *	Links us in. Pairs with the predecessor's acquire loads of its next
 *	([N]): what we wrote to its node before (the successor class) is
 *	visible once it sees us.
 *
 *  both: load(I->next, acquire)					[N]
 *	Pairs with the successor's [L].
 *
 *  both: CAS(tail, I -> NULL, acq_rel) when no successor is linked	[E]
 *	Leaves an otherwise empty queue; pairs with the next [Q].
 *
 *  wake: fetch_and(node->state, ~BLOCKED, release)			[W]
 *	Hands over: our critical section (or, for a reader waking a reader,
 *	everything that let us in) happens-before the woken thread's [B].
 *
 *  wait: spin until load(I->state, acquire) has no BLOCKED		[B]
 *	Pairs with [W].
 *
 *  writer: fetch_or(pred->state, SUCC_WRITER, relaxed) before [L]	[S]
 *	Made visible to pred by [L]/[N]: pred reads its state (relaxed, [S]
 *	too) only after its [N] saw us linked.
 *
 *  reader: CAS(pred->state, BLOCKED -> BLOCKED|SUCC_READER, acq_rel / acquire)	[C]
 *	Succeeds only while pred is still blocked: pred then sees the mark
 *	after its [B] (both are RMWs of pred->state; the CAS precedes the [W]
 *	that unblocks pred in that word's modification order) and wakes us.
 *	Fails once pred is in: the failed CAS read the value of the [W] that
 *	let pred in, and its acquire makes whatever let pred in (the last
 *	writer's section) happen-before ours; we count ourselves and go.
 *
 *  readers word: every RMW acq_rel					[R]
 *	Increments (a reader counted in) and decrements (a reader leaving)
 *	are release, so every read section happens-before the RMW that finds
 *	the word at WW; that RMW is acquire, so it happens-before the [W]
 *	that wakes the writer. The writer's fetch_or of WW is release, so the
 *	waker's acquire sees the next_writer stored before it, and acquire,
 *	so a writer that finds no reader inside sees every past read section
 *	end.
 *
 *  next_writer: store and load (relaxed)				[NW]
 *	Stored before the release RMW of [R] that sets WW (by the writer
 *	itself, or by the reader handing it over), and read only by the one
 *	reader whose acquire RMW left the word at WW: ordered by [R].
 *
 *  readers word: fetch_and(~WW, relaxed)				[X]
 *	Clears WW by the one thread that owns it at that moment (the writer
 *	that found no reader inside, or the waker): while WW is set no reader
 *	can be counted in, so nobody else writes the word; what the clearing
 *	publishes is published by [W] or by the writer's own section.
 *
 *  write_release, validation build only: load(tail, relaxed)		[K]
 *	returns -1 on an empty queue: a writer inside is in the queue, so no
 *	writer holds the lock (best effort). read_release likewise loads the
 *	readers word [K] and returns -1 when no reader is counted. Left out
 *	of lockbench's build for the reason rw_rpref.c gives.
 */
#include <stdalign.h>
#include <stdatomic.h>
#include <stddef.h>

#include "cpu.h"
#include "registry.h"

enum { MCSRW_READING, MCSRW_WRITING };

#define RC_INC 2u /* one reader in the readers word */
#define WW 1u     /* a writer waits in next_writer for the readers inside to leave */

#define ST_BLOCKED 1u
#define ST_SUCC_READER 2u
#define ST_SUCC_WRITER 4u

struct mcsrw_node {
	_Atomic(struct mcsrw_node *) next;
	_Atomic uint32_t state; /* ST_BLOCKED | successor class */
	_Atomic uint32_t cls;   /* MCSRW_READING or MCSRW_WRITING */
};

struct mcsrw_lock {
	alignas(LB_CACHELINE) _Atomic(struct mcsrw_node *) tail;
	alignas(LB_CACHELINE) _Atomic uint32_t readers; /* readers inside * RC_INC | WW */
	_Atomic(struct mcsrw_node *) next_writer;
};

static void node_reset(struct mcsrw_node *n, uint32_t cls)
{
	atomic_store_explicit(&n->cls, cls, memory_order_relaxed);           /* [I] */
	atomic_store_explicit(&n->next, NULL, memory_order_relaxed);         /* [I] */
	atomic_store_explicit(&n->state, ST_BLOCKED, memory_order_relaxed); /* [I] */
}

static void wake(struct mcsrw_node *n)
{
	atomic_fetch_and_explicit(&n->state, ~ST_BLOCKED, memory_order_release); /* [W] */
}

static void wait_unblocked(struct mcsrw_node *n)
{
	while (atomic_load_explicit(&n->state, memory_order_acquire) & ST_BLOCKED) /* [B] */
		lb_cpu_relax();
}

/* The successor, once it has linked itself in. */
static struct mcsrw_node *wait_next(struct mcsrw_node *n)
{
	struct mcsrw_node *next;

	while ((next = atomic_load_explicit(&n->next, memory_order_acquire)) == NULL) /* [N] */
		lb_cpu_relax();
	return next;
}

/* Whether the queue holds more than us: false after leaving it empty. */
static bool has_successor(struct mcsrw_lock *l, struct mcsrw_node *me)
{
	struct mcsrw_node *expected = me;

	if (atomic_load_explicit(&me->next, memory_order_acquire) != NULL) /* [N] */
		return true;
	return !atomic_compare_exchange_strong_explicit(&l->tail, &expected, NULL, memory_order_acq_rel, /* [E] */
							memory_order_relaxed);
}

static void mcsrw_write_acquire(void *state, void *node)
{
	struct mcsrw_lock *l = state;
	struct mcsrw_node *me = node;

	node_reset(me, MCSRW_WRITING);
	struct mcsrw_node *pred = atomic_exchange_explicit(&l->tail, me, memory_order_acq_rel); /* [Q] */
	if (pred == NULL) {
		atomic_store_explicit(&l->next_writer, me, memory_order_relaxed); /* [NW] */
		if (atomic_fetch_or_explicit(&l->readers, WW, memory_order_acq_rel) < RC_INC) { /* [R] */
			/* No reader inside, and none can come in before us: in. */
			atomic_fetch_and_explicit(&l->readers, ~WW, memory_order_relaxed); /* [X] */
			return;
		}
	} else {
		atomic_fetch_or_explicit(&pred->state, ST_SUCC_WRITER, memory_order_relaxed); /* [S] */
		atomic_store_explicit(&pred->next, me, memory_order_release);                 /* [L] */
	}
	wait_unblocked(me);
}

static int mcsrw_write_release(void *state, void *node)
{
	struct mcsrw_lock *l = state;
	struct mcsrw_node *me = node;

	/* A writer inside is in the queue: an empty queue means no writer holds it (best effort). */
	if (LB_CHECKED && atomic_load_explicit(&l->tail, memory_order_relaxed) == NULL) /* [K] */
		return -1;
	if (has_successor(l, me)) {
		struct mcsrw_node *next = wait_next(me);
		if (atomic_load_explicit(&next->cls, memory_order_relaxed) == MCSRW_READING) /* [I] */
			atomic_fetch_add_explicit(&l->readers, RC_INC, memory_order_acq_rel); /* [R] */
		wake(next);
	}
	return 0;
}

static void mcsrw_read_acquire(void *state, void *node)
{
	struct mcsrw_lock *l = state;
	struct mcsrw_node *me = node;

	node_reset(me, MCSRW_READING);
	struct mcsrw_node *pred = atomic_exchange_explicit(&l->tail, me, memory_order_acq_rel); /* [Q] */
	if (pred == NULL) {
		atomic_fetch_add_explicit(&l->readers, RC_INC, memory_order_acq_rel); /* [R] */
		wake(me); /* for a successor's [C]: we are in */
	} else {
		uint32_t blocked = ST_BLOCKED;
		if (atomic_load_explicit(&pred->cls, memory_order_relaxed) == MCSRW_WRITING || /* [I] */
		    atomic_compare_exchange_strong_explicit(&pred->state, &blocked, ST_BLOCKED | ST_SUCC_READER, /* [C] */
							    memory_order_acq_rel, memory_order_acquire)) {
			/* pred is a writer or a waiting reader: it will count us and wake us. */
			atomic_store_explicit(&pred->next, me, memory_order_release); /* [L] */
			wait_unblocked(me);
		} else {
			/* pred is a reader inside: count ourselves and go. */
			atomic_fetch_add_explicit(&l->readers, RC_INC, memory_order_acq_rel); /* [R] */
			atomic_store_explicit(&pred->next, me, memory_order_release);      /* [L] */
			wake(me);
		}
	}
	/* A reader queued behind us while we waited: it comes in with us. */
	if (atomic_load_explicit(&me->state, memory_order_acquire) & ST_SUCC_READER) { /* [B] */
		struct mcsrw_node *next = wait_next(me);
		atomic_fetch_add_explicit(&l->readers, RC_INC, memory_order_acq_rel); /* [R] */
		wake(next);
	}
}

static int mcsrw_read_release(void *state, void *node)
{
	struct mcsrw_lock *l = state;
	struct mcsrw_node *me = node;
	uint32_t delta = RC_INC;

	if (LB_CHECKED && atomic_load_explicit(&l->readers, memory_order_relaxed) < RC_INC) /* [K] */
		return -1;
	if (has_successor(l, me)) {
		struct mcsrw_node *next = wait_next(me);
		if (atomic_load_explicit(&me->state, memory_order_relaxed) & ST_SUCC_WRITER) { /* [S] */
			/* Hand the writer behind us to the last reader: WW set as we leave. */
			atomic_store_explicit(&l->next_writer, next, memory_order_relaxed); /* [NW] */
			delta = RC_INC - WW;
		}
	}
	uint32_t left = atomic_fetch_sub_explicit(&l->readers, delta, memory_order_acq_rel) - delta; /* [R] */
	if (left == WW) {
		/* The last reader out, with a writer waiting: only we see this word. */
		struct mcsrw_node *w = atomic_load_explicit(&l->next_writer, memory_order_relaxed); /* [NW] */
		atomic_fetch_and_explicit(&l->readers, ~WW, memory_order_relaxed);                  /* [X] */
		wake(w);
	}
	return 0;
}

const struct lb_lock_ops lb_lock_rw_mcs = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "rw-mcs",
	.summary = "fair queue-based RW lock (Mellor-Crummey & Scott 1991): arrival order, readers together, spins",
	.state_size = sizeof(struct mcsrw_lock),
	.state_align = _Alignof(struct mcsrw_lock),
	.node_size = sizeof(struct mcsrw_node),
	.caps = LB_CAP_RW | LB_CAP_FIFO | LB_CAP_SPINS | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = NULL, /* an empty queue, no reader: the zeroed state */
	.acquire = mcsrw_write_acquire,
	.release = mcsrw_write_release,
	.read_acquire = mcsrw_read_acquire,
	.read_release = mcsrw_read_release,
};
