/*
 * locks/clh.c — the CLH queue lock.
 *
 * Algorithm: T. S. Craig, "Building FIFO and Priority-Queuing Spin Locks
 * from Atomic Swap", TR 93-02-02, University of Washington, 1993; and
 * P. Magnusson, A. Landin and E. Hagersten, "Queue Locks on Cache Coherent
 * Multiprocessors", IPPS 1994. The lock is the tail of an implicit queue of
 * queue nodes (qnodes), each with one flag, `locked`: 1 while its thread
 * holds the lock or waits for it, 0 once that thread has released. A
 * thread enqueues its qnode with one swap on the tail and spins on the
 * flag of the qnode it displaced, its predecessor's:
 *
 *	tail -> D (locked 0)			free (D: whoever released last)
 *	tail -> A, A spins on nothing		A holds (its predecessor was free)
 *	tail -> C;  C spins on B, B on A	A holds, B then C wait
 *
 * Unlike MCS, a waiter needs no link from its predecessor and release is
 * one store, but a thread cannot reuse its qnode at once: its successor
 * may still be about to read it. Instead, on release the thread takes over
 * its predecessor's qnode, which nobody will read again (its only reader
 * was us). So qnodes migrate between threads: after a run, thread 3 may
 * own the qnode that lives in thread 5's node.
 *
 * How this fits the runner's memory (zeroed lock state, one zeroed node per
 * thread, both alive for the whole run):
 *  - The lock state holds the tail and an initial dummy qnode, `locked` 0,
 *    which the tail points to after init: the first thread to arrive finds
 *    a released predecessor and takes the dummy over on release.
 *  - A thread's node holds `cur`, the qnode the thread owns now (NULL
 *    until the first acquire, which starts with the qnode embedded in the
 *    thread's own node), and `pred`, the predecessor found by the last
 *    acquire, which release makes `cur`. So the thread holds the lock
 *    exactly when pred != cur: both NULL at first; after an acquire pred is
 *    another qnode than ours; after the release cur = pred. Release
 *    returns -1, changing nothing, when they are equal. The embedded qnode sits on a cache line of its own, since
 *    other threads spin on it while this thread, owning some other qnode,
 *    writes cur/pred.
 *  - Release looks only at the thread's private fields before its store.
 *    Reading its own qnode's flag instead (also a valid "do I hold it?"
 *    test) cost 25% of two-thread throughput on the reference VM: the
 *    successor spins on that line, and a load just before the releasing
 *    store meant fetching the line and then upgrading it.
 * All qnodes live in the state or the nodes, so nothing is allocated and
 * a thread's qnode is always valid memory, whoever owns it.
 *
 * FIFO: in the order of the swaps on the tail. Spins: each waiter on its
 * predecessor's qnode (one line per waiter; a release moves one line).
 * Never sleeps, so it collapses when threads outnumber CPUs.
 *
 * No try_acquire: "free" is "the tail's qnode has locked == 0", but a
 * thread can only claim the lock by putting its qnode in the tail, and
 * once in the queue it cannot leave (leaving needs Scott's abortable CLH
 * protocol, PODC 2002). A CAS of the tail from an observed free qnode is
 * not enough either: that qnode can be taken over, re-enqueued by its new
 * owner and be the tail again, held, by the time the CAS runs (ABA); the
 * CAS would succeed and the thread would have to wait after all.
 *
 * Memory ordering:
 *
 *  acquire: store(me->locked, 1, relaxed)
 *	     pred = xchg(tail, me, acq_rel)			[X]
 *	release half: publishes our locked = 1 to the successor, whose [X]
 *	  reads our [X]: it will see 1 (or our later 0), never the 0 that the
 *	  qnode's previous owner left in it.
 *	acquire half: pairs with the predecessor's [X] (or with init for the
 *	  dummy): we see its locked = 1, not an older 0.
 *
 *  acquire: spin until load(pred->locked, acquire) == 0	[S]
 *	pairs with the predecessor's [R]: its critical section
 *	happens-before ours. After [S] nobody else reads pred: it is ours.
 *
 *  release: store(cur->locked, 0, release)			[R]
 *	pairs with the successor's [S]. Afterwards we own pred; our later
 *	writes to it (the next acquire's locked = 1) are ordered after its
 *	old owner's [R] by our [S].
 *
 * cur and pred are read and written only by the node's own thread: one
 * store each per acquire + release, as CK's CLH has.
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "registry.h"

struct clh_qnode {
	alignas(LB_CACHELINE) _Atomic uint32_t locked;
};

/* The runner's per-thread node: private fields, then a qnode on its own line. */
struct clh_node {
	struct clh_qnode *cur;  /* the qnode this thread owns; NULL before the first acquire */
	struct clh_qnode *pred; /* the qnode we take over on release */
	struct clh_qnode own;
};

struct clh_lock {
	alignas(LB_CACHELINE) _Atomic(struct clh_qnode *) tail;
	struct clh_qnode dummy;
};

static int clh_init(void *state, const union lb_value *params, unsigned nthreads,
		    char *err, size_t errlen)
{
	struct clh_lock *lock = state;

	(void)params;
	(void)nthreads;
	(void)err;
	(void)errlen;
	atomic_init(&lock->dummy.locked, 0);
	atomic_init(&lock->tail, &lock->dummy);
	return 0;
}

/* Out of line, as in tas.c: the uncontended acquire runs straight to its return. */
static __attribute__((noinline)) void clh_wait(struct clh_qnode *pred)
{
	do
		lb_cpu_relax();
	while (atomic_load_explicit(&pred->locked, memory_order_acquire) != 0); /* [S] */
}

static void clh_acquire(void *state, void *node)
{
	struct clh_lock *lock = state;
	struct clh_node *n = node;
	struct clh_qnode *me = n->cur;
	struct clh_qnode *pred;

	if (me == NULL) /* the first acquire: start with the qnode in our node */
		me = n->cur = &n->own;
	atomic_store_explicit(&me->locked, 1, memory_order_relaxed); /* published by [X] */
	pred = atomic_exchange_explicit(&lock->tail, me, memory_order_acq_rel); /* [X] */
	if (atomic_load_explicit(&pred->locked, memory_order_acquire) != 0) /* [S] */
		clh_wait(pred);
	n->pred = pred;
}

static int clh_release(void *state, void *node)
{
	struct clh_node *n = node;
	struct clh_qnode *me = n->cur;
	struct clh_qnode *pred = n->pred;

	(void)state;
	if (pred == me)
		return -1;
	n->cur = pred;
	atomic_store_explicit(&me->locked, 0, memory_order_release); /* [R] */
	return 0;
}

const struct lb_lock_ops lb_lock_clh = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "clh",
	.summary = "CLH queue lock (Craig; Magnusson, Landin, Hagersten): FIFO, spins on the predecessor's node",
	.state_size = sizeof(struct clh_lock),
	.state_align = _Alignof(struct clh_lock),
	.node_size = sizeof(struct clh_node),
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_CHECKS_RELEASE | LB_CAP_KNOWS_OWNER,
	.params = NULL,
	.init = clh_init,
	.destroy = NULL,
	.acquire = clh_acquire,
	.release = clh_release,
	.try_acquire = NULL,
};
