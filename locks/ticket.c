/*
 * locks/ticket.c — the ticket lock.
 *
 * Algorithm: J. M. Mellor-Crummey and M. L. Scott, "Algorithms for Scalable
 * Synchronization on Shared-Memory Multiprocessors", ACM TOCS 9(1), 1991,
 * section 2.2 (after Reed and Kanodia's sequencers). The two counters and
 * what can be done with them are ticket_core.h's, shared with ticket-futex:
 *
 *	next	the next ticket to hand out; a thread takes one with fetch_add
 *	owner	the ticket now allowed in; only the holder writes it (+1 on release)
 *
 * acquire: take a ticket, spin until `owner` reaches it, with `pause` in
 * between. release: add 1 to `owner`. acquire_until: try polled until the
 * deadline (timed_try.h, timed-emulated): a ticket cannot be given back.
 *
 * FIFO: tickets are served in the order fetch_add handed them out, so a
 * waiter is bypassed by at most the threads that were ahead of it.
 * Spins: waiters poll `owner`; they never sleep, which is why the lock
 * collapses when threads outnumber CPUs (the next ticket holder is often
 * preempted and everybody waits for it). Both counters share one line
 * (ticket_core.h says why).
 *
 * Memory ordering: ticket_core.h, with the spinning orders
 * (LB_TICKET_SPIN), where each label stands at its atomic:
 *	[F] fetch_add of `next` (relaxed): a unique ticket, nothing published;
 *	[A] load of `owner` (acquire) until it is our ticket: pairs with [R];
 *	[R] fetch_add of `owner` (release): pairs with the next holder's [A]
 *	    or [T];
 *	[T] try's load of `owner` (acquire), then [U] its CAS of `next`
 *	    (relaxed), which only makes that ticket ours.
 *
 * The release check [K] (owner == next: nobody holds the lock, release
 * returns -1) is in the validation build only (LB_LOCK_CHECKS): it adds two
 * loads and a branch before [R] that Concurrency Kit's ticket lock
 * (ck-ticket, our reference) does not have, and under contention the
 * loads can fetch the line shared right before [R] needs it exclusive;
 * tas.c has the numbers for the same choice. lockbench's ticket always
 * returns 0; the tests hold the validation build to LB_CAP_CHECKS_RELEASE.
 */
#include <stdalign.h>

#include "cpu.h"
#include "registry.h"
#include "timed_try.h"
#include "ticket_core.h"

struct ticket_lock {
	alignas(LB_CACHELINE) struct lb_ticket t;
};

static void ticket_acquire(void *state, void *node)
{
	struct ticket_lock *lock = state;
	uint32_t ticket = lb_ticket_take(&lock->t, LB_TICKET_SPIN); /* [F] */

	(void)node;
	while (!lb_ticket_turn(&lock->t, ticket, LB_TICKET_SPIN)) /* [A] */
		lb_cpu_relax();
}

static int ticket_release(void *state, void *node)
{
	struct ticket_lock *lock = state;

	(void)node;
	if (LB_CHECKED && lb_ticket_is_free(&lock->t)) /* [K] */
		return -1;
	lb_ticket_pass(&lock->t, LB_TICKET_SPIN); /* [R] */
	return 0;
}

static bool ticket_try_acquire(void *state, void *node)
{
	struct ticket_lock *lock = state;

	(void)node;
	return lb_ticket_try_acquire(&lock->t); /* [T] [U] */
}

/* No timed wait in the algorithm: try polled until the deadline (timed_try.h, timed-emulated). */
static bool ticket_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	return lb_timed_by_try(ticket_try_acquire, state, node, deadline_ns);
}

const struct lb_lock_ops lb_lock_ticket = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ticket",
	.summary = "ticket lock (Mellor-Crummey & Scott 1991): FIFO, spins on one shared line",
	.state_size = sizeof(struct ticket_lock),
	.state_align = _Alignof(struct ticket_lock),
	.node_size = 0,
	.caps = LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_TIMED_EMULATED |
		LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.params = NULL,
	.init = NULL, /* the zeroed state is a free lock */
	.destroy = NULL,
	.acquire = ticket_acquire,
	.release = ticket_release,
	.try_acquire = ticket_try_acquire,
	.acquire_until = ticket_acquire_until,
};
