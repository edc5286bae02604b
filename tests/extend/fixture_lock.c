/*
 * tests/extend/fixture_lock.c — a lock that is not built in, to prove that
 * adding one takes one file and one line.
 *
 * `make check-extend-lock` (scripts/check-extend-lock.sh) copies the tree,
 * copies this file to locks/extend_fixture.c, appends LB_LOCK(extend_fixture)
 * to locks/registry.def, builds, and runs the lock validation suite and a
 * short `lockbench run` on it. Nothing else in the copy is edited, so if the
 * suite or the build needed anything more, that check fails.
 *
 * The lock: a compare-and-swap spinlock whose word holds the holder's node
 * (NULL: free), so that release can tell the holder from anybody else.
 *
 *	owner == NULL		free
 *	owner == node		held by the thread whose node that is
 *
 * acquire: CAS owner NULL -> me; while that fails, wait with plain loads
 * (and `pause`) until the word reads NULL, then try again. release: CAS
 * owner me -> NULL; if the word is not me, the caller does not hold the
 * lock and release returns -1, changing nothing. Not FIFO; spins. The
 * zeroed state is a free lock, so there is no init.
 *
 * Memory ordering:
 *
 *  acquire: CAS(owner, NULL -> me, acquire / relaxed)		[A]
 *	the CAS that succeeds reads the NULL of the previous holder's [R], so
 *	that holder's critical section happens-before ours. A failed CAS
 *	grants nothing, hence relaxed.
 *
 *  acquire: load(owner, relaxed) while waiting		[W]
 *	only decides when to try [A] again.
 *
 *  release: CAS(owner, me -> NULL, release / relaxed)		[R]
 *	pairs with the next holder's [A] or [T]. A failed CAS wrote nothing.
 *
 *  try_acquire: CAS(owner, NULL -> me, acquire / relaxed)	[T]
 *	one round of [A].
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "registry.h"

struct extend_fixture_lock {
	alignas(LB_CACHELINE) _Atomic(void *) owner;
};

/* The runner gives every thread a node of its own; its address is the thread's identity. */
struct extend_fixture_node {
	char identity;
};

static bool extend_fixture_try_acquire(void *state, void *node)
{
	struct extend_fixture_lock *lock = state;
	void *expected = NULL;

	return atomic_compare_exchange_strong_explicit(&lock->owner, &expected, node,
						       memory_order_acquire,
						       memory_order_relaxed); /* [T] */
}

static void extend_fixture_acquire(void *state, void *node)
{
	struct extend_fixture_lock *lock = state;
	void *expected = NULL;

	while (!atomic_compare_exchange_weak_explicit(&lock->owner, &expected, node,
						      memory_order_acquire,
						      memory_order_relaxed)) { /* [A] */
		while (atomic_load_explicit(&lock->owner, memory_order_relaxed) != NULL) /* [W] */
			lb_cpu_relax();
		expected = NULL;
	}
}

static int extend_fixture_release(void *state, void *node)
{
	struct extend_fixture_lock *lock = state;
	void *expected = node;

	return atomic_compare_exchange_strong_explicit(&lock->owner, &expected, NULL,
						       memory_order_release,
						       memory_order_relaxed) /* [R] */
		       ? 0
		       : -1;
}

const struct lb_lock_ops lb_lock_extend_fixture = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "extend-fixture",
	.summary = "CAS spinlock holding its owner's node (test fixture: added by one file and one line)",
	.state_size = sizeof(struct extend_fixture_lock),
	.state_align = _Alignof(struct extend_fixture_lock),
	.node_size = sizeof(struct extend_fixture_node),
	.caps = LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_CHECKS_RELEASE | LB_CAP_KNOWS_OWNER,
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = extend_fixture_acquire,
	.release = extend_fixture_release,
	.try_acquire = extend_fixture_try_acquire,
};
