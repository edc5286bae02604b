/*
 * locks/none.c — a "lock" that excludes nothing.
 *
 * acquire, release, try and timed acquire return at once (the last two
 * succeeding), so two threads are inside the critical section together
 * all the time. It is the negative control of the
 * mutual-exclusion checker: a run with `none` at 2+ threads must report
 * canary violations or a lost counter update, or the checker is broken.
 * Never FIFO, never waits; no memory ordering at all, on purpose.
 */
#include "registry.h"

/* The runner wants state_size > 0; nothing is ever stored here. */
struct none_state {
	char unused;
};

static void none_acquire(void *state, void *node)
{
	(void)state;
	(void)node;
}

static int none_release(void *state, void *node)
{
	(void)state;
	(void)node;
	return 0;
}

static bool none_try_acquire(void *state, void *node)
{
	(void)state;
	(void)node;
	return true;
}

static bool none_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	(void)state;
	(void)node;
	(void)deadline_ns;
	return true;
}

const struct lb_lock_ops lb_lock_none = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "none",
	.summary = "no lock at all: the mutual-exclusion checker's negative control",
	.state_size = sizeof(struct none_state),
	.state_align = _Alignof(struct none_state),
	.node_size = 0,
	.caps = LB_CAP_NO_EXCLUSION | LB_CAP_TRY | LB_CAP_TIMED,
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = none_acquire,
	.release = none_release,
	.try_acquire = none_try_acquire,
	.acquire_until = none_acquire_until,
};
