/*
 * condhold.c — waiting on a condition while holding a lock the notifier
 * needs: the third deadlock of the threading hazards.
 *
 * Lock 0 (L1) guards a count of items and condition 0 over it (workloads/
 * cond.h's futex condition); lock 1 (L2) guards a second counter. Even
 * threads are waiters, odd ones notifiers:
 *
 *   waiter                            notifier
 *   take L2 (waiter_holds=1)          take L2
 *   take L1                           take L1
 *   while no item: wait on cond       if no item: items++, notify cond
 *     (gives L1 back while asleep,    give L1 back
 *      keeps L2)                      bump L2's counter, give L2 back
 *   items--; give L1 back
 *   bump L2's counter, give L2 back
 *
 * With waiter_holds=1 the waiter sleeps holding L2 and the notifier can
 * never reach the notify: the watchdog reports "thread 0 holds lock 1,
 * waits on condition 0 signalled by thread 1, which waits for lock 1".
 * The stop then wakes the waiter (lb_cond_stop) and every thread leaves.
 * With waiter_holds=0 the waiter takes L2 only after its item (the
 * remedy: never wait holding a lock the notifier needs) and it runs.
 *
 * verify(): items made - items taken = items left, and both counters equal
 * the passes that bumped them (lost updates under a lock that lets two in).
 */
#include <stdatomic.h>

#include "engine/multilock.h"
#include "engine/workload.h"
#include "workloads/cond.h"

enum { P_WAITER_HOLDS, P_THINK_NS };

static const struct lb_param condhold_params[] = {
	[P_WAITER_HOLDS] = { "waiter_holds", LB_PARAM_BOOL, "1",
			     "the waiter holds L2 while it waits on L1's condition (1: the deadlock)", 0, 1 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work between a notifier's passes", 0,
			 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct condhold_tally {
	uint64_t made, taken, l1_passes, l2_passes;
};

struct condhold_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t items;   /* under L1 */
	_Atomic uint64_t l1_count;                        /* under L1 */
	_Alignas(LB_CACHELINE) _Atomic uint64_t l2_count; /* under L2 */
	_Alignas(LB_CACHELINE) struct lb_cond cv;         /* over L1 */
	bool waiter_holds;
	uint64_t think_iters;
};

static unsigned condhold_nlocks(const union lb_value *p)
{
	(void)p;
	return 2;
}

static int condhold_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct condhold_state *s = run->wl_state;
	s->waiter_holds = lb_param(run, P_WAITER_HOLDS) != 0;
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	return 0;
}

/* cond.h's wait over lock 0, publishing the wait on condition 0 for the watchdog. */
static bool wait_items(struct lb_thread *t, struct condhold_state *s)
{
	uint32_t seq = atomic_load(&s->cv.seq);
	if (atomic_load(&s->cv.stopped))
		return false;
	atomic_fetch_add_explicit(&s->cv.sleepers, 1, memory_order_relaxed);
	lb_release_k(t, 0);
	lb_wait_begin(t, LB_WAIT_COND, 0);
	lb_futex_wait(&s->cv.seq, seq, 0);
	lb_wait_end(t);
	lb_acquire_k(t, 0);
	atomic_fetch_sub_explicit(&s->cv.sleepers, 1, memory_order_relaxed);
	return !atomic_load(&s->cv.stopped);
}

static void l2_pass(struct lb_thread *t, struct condhold_state *s, struct condhold_tally *me, bool take)
{
	if (take)
		lb_acquire_k(t, 1);
	lb_bump(&s->l2_count);
	me->l2_passes++;
	lb_release_k(t, 1);
}

static void waiter(struct lb_thread *t, struct condhold_state *s, struct condhold_tally *me)
{
	while (lb_running(t)) {
		if (s->waiter_holds)
			lb_acquire_k(t, 1);
		lb_acquire_k(t, 0);
		bool go_on = true;
		while (go_on && lb_relaxed_load(&s->items) == 0)
			go_on = wait_items(t, s);
		if (go_on) {
			lb_relaxed_store(&s->items, lb_relaxed_load(&s->items) - 1);
			me->taken++;
			lb_bump(&s->l1_count);
			me->l1_passes++;
		}
		lb_release_k(t, 0);
		if (!go_on) {
			if (s->waiter_holds)
				lb_release_k(t, 1);
			return;
		}
		l2_pass(t, s, me, !s->waiter_holds);
	}
}

static void notifier(struct lb_thread *t, struct condhold_state *s, struct condhold_tally *me)
{
	lb_signals_cond(t, 0);
	while (lb_running(t)) {
		lb_acquire_k(t, 1);
		lb_acquire_k(t, 0);
		if (lb_relaxed_load(&s->items) != 0) {
			/* One item at a time: the waiter soon finds none and waits (holding L2, by default). */
			lb_release_k(t, 0);
			lb_release_k(t, 1);
			continue;
		}
		lb_relaxed_store(&s->items, lb_relaxed_load(&s->items) + 1);
		me->made++;
		lb_bump(&s->l1_count);
		me->l1_passes++;
		lb_cond_notify(&s->cv, 1);
		lb_release_k(t, 0);
		l2_pass(t, s, me, false);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static void condhold_thread(struct lb_thread *t)
{
	if (t->id % 2 == 0)
		waiter(t, t->run->wl_state, t->tally);
	else
		notifier(t, t->run->wl_state, t->tally);
}

static void condhold_stop(struct lb_run *run)
{
	struct condhold_state *s = run->wl_state;
	lb_cond_stop(&s->cv);
}

static unsigned condhold_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct condhold_state *s = run->wl_state;
	uint64_t made = LB_TALLY_SUM(run, struct condhold_tally, made);
	uint64_t taken = LB_TALLY_SUM(run, struct condhold_tally, taken);
	uint64_t items = lb_relaxed_load(&s->items);
	if (made - taken != items)
		return lb_verify_fail(run, msg, msglen, "%" PRIu64 " items made, %" PRIu64 " taken, but %" PRIu64 " left",
				      made, taken, items);
	if (lb_verify_count(run, lb_relaxed_load(&s->l1_count), LB_TALLY_SUM(run, struct condhold_tally, l1_passes),
			    "passes under L1", msg, msglen) != 0)
		return 1;
	return lb_verify_count(run, lb_relaxed_load(&s->l2_count), LB_TALLY_SUM(run, struct condhold_tally, l2_passes),
			       "passes under L2", msg, msglen) != 0;
}

const struct lb_workload lb_workload_condhold = {
	.name = "condhold",
	.summary = "a waiter holds L2 while it waits on L1's condition; the notifier needs L2 first (waiter_holds=0: fixed)",
	.params = condhold_params,
	.state_size = sizeof(struct condhold_state),
	.tally_size = sizeof(struct condhold_tally),
	.setup = condhold_setup,
	.thread = condhold_thread,
	.verify = condhold_verify,
	.stop = condhold_stop,
	.nlocks = condhold_nlocks,
	.may_deadlock = "waiter_holds=1 (the default) sleeps on a condition holding the lock its notifier needs first",
};
