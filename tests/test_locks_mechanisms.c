/*
 * tests/test_locks_mechanisms.c — each lock's own mechanism, by a test that
 * fails if that mechanism is broken.
 *
 * test_locks_validate.c checks what every lock must do, from the registry
 * and the capability flags; this file checks what only one lock does, by
 * its name: parameters refused at init, waiters that really park or sleep
 * and are woken, FIFO hand-over between sleepers, the GIL's drop requests
 * and forced switches, the old GIL's periodic drops, rlock's own errors and
 * counters. No test asserts how long anything took.
 */
#include <criterion/criterion.h>
#include <string.h>
#include <time.h>

#include "lock_util.h"
#include "locks/cpu.h"

/* ---- the GIL ---- */

struct gil_run {
	struct fixture *f;
	uint64_t end_ns;
	_Atomic unsigned canary;
	_Atomic unsigned long entries; /* times any thread entered its critical section */
	_Atomic long violations;
	_Atomic long handovers;        /* polls during which another thread got in */
	pthread_barrier_t start;
};

struct gil_thread {
	struct gil_run *run;
	unsigned id;
	pthread_t tid;
};

/* One long critical section that polls, like a CPU-bound Python thread. */
static void *gil_thread_run(void *arg)
{
	struct gil_thread *t = arg;
	struct gil_run *run = t->run;
	const struct lb_lock_ops *ops = run->f->ops;
	void *node = fixture_node(run->f, t->id);
	long violations = 0, handovers = 0;

	pthread_barrier_wait(&run->start);
	ops->acquire(run->f->state, node);
	violations += canary_enter(&run->canary, t->id);
	atomic_fetch_add_explicit(&run->entries, 1, memory_order_relaxed);
	while (monotonic_ns() < run->end_ns) {
		unsigned long entries;

		for (int k = 0; k < 100; k++)
			lb_cpu_relax();
		violations += canary_leave(&run->canary, t->id);
		entries = atomic_load_explicit(&run->entries, memory_order_relaxed);
		ops->poll(run->f->state, node);
		violations += canary_enter(&run->canary, t->id);
		handovers += atomic_load_explicit(&run->entries, memory_order_relaxed) != entries;
		atomic_fetch_add_explicit(&run->entries, 1, memory_order_relaxed);
	}
	violations += canary_leave(&run->canary, t->id);
	cr_expect_eq(ops->release(run->f->state, node), 0);
	atomic_fetch_add(&run->violations, violations);
	atomic_fetch_add(&run->handovers, handovers);
	return NULL;
}

/*
 * Two polling threads for about 200 ms with the given parameters; returns
 * how many polls let the other thread in. Without poll the GIL would change
 * hands only when the first thread's critical section ends.
 */
static long gil_two_pollers(struct fixture *f, int64_t interval_ns, int64_t force_switch)
{
	const struct lb_lock_ops *ops = lock_named("gil");
	union lb_value params[MAX_PARAMS];
	struct gil_run run;
	struct gil_thread threads[2];

	default_params(ops, params);
	params[param_index(ops, "interval")].i = interval_ns;
	params[param_index(ops, "force_switch")].i = force_switch;
	fixture_open_with(f, ops, params, 2);

	run.f = f;
	run.end_ns = monotonic_ns() + 200 * 1000000u;
	atomic_init(&run.canary, 0);
	atomic_init(&run.entries, 0);
	atomic_init(&run.violations, 0);
	atomic_init(&run.handovers, 0);
	pthread_barrier_init(&run.start, NULL, 2);
	for (unsigned i = 0; i < 2; i++) {
		threads[i] = (struct gil_thread){ .run = &run, .id = i };
		cr_assert_eq(pthread_create(&threads[i].tid, NULL, gil_thread_run, &threads[i]), 0);
	}
	for (unsigned i = 0; i < 2; i++)
		pthread_join(threads[i].tid, NULL);
	pthread_barrier_destroy(&run.start);
	cr_expect_eq(atomic_load(&run.violations), 0, "canary violations across poll");
	return atomic_load(&run.handovers);
}

Test(gil, poll_hands_over_with_force_switch, .timeout = 30)
{
	struct fixture f;

	/*
	 * About 200 hand-overs on a quiet machine; the bounds only say "poll
	 * handed over at all". Ending the two critical sections alone gives
	 * 2 switches and 1 forced switch (the first release sees a request).
	 */
	long handovers = gil_two_pollers(&f, 1000000, 1);

	cr_expect_geq(handovers, 1, "no poll() let the other thread in");
	cr_expect_geq(counter_value(&f, "switches"), 3);
	cr_expect_geq(counter_value(&f, "drop_requests"), 1);
	cr_expect_geq(counter_value(&f, "forced_switches"), 2);
	cr_expect_geq(counter_value(&f, "timeouts"), counter_value(&f, "drop_requests"));
	fixture_close(&f);
}

Test(gil, no_forced_switch_without_force_switch, .timeout = 30)
{
	struct fixture f;

	gil_two_pollers(&f, 1000000, 0);
	cr_expect_geq(counter_value(&f, "drop_requests"), 1);
	cr_expect_eq(counter_value(&f, "forced_switches"), 0);
	fixture_close(&f);
}

/* A timed acquire 3 intervals long: it asks for a drop after the first, then gives up. */
static bool gil_timed_waiter(struct fixture *f)
{
	if (!f->ops->acquire_until(f->state, fixture_node(f, 1), monotonic_ns() + 3000000))
		return false;
	cr_expect_eq(f->ops->release(f->state, fixture_node(f, 1)), 0);
	return true;
}

/*
 * A timed waiter that asked the holder to drop the GIL and then gave up
 * withdraws the request: the holder's next poll must not drop the GIL and
 * wait for a switch to a thread that has left (it would wait for ever; the
 * test's timeout catches that).
 */
Test(gil, a_timed_waiter_that_gives_up_withdraws_its_drop_request, .timeout = 30)
{
	const struct lb_lock_ops *ops = lock_named("gil");
	struct fixture f;

	fixture_open_param(&f, ops, "interval", (union lb_value){ .i = 1000000 }, 2);
	ops->acquire(f.state, fixture_node(&f, 0));
	cr_expect_not(on_other_thread(&f, gil_timed_waiter), "the timed acquire took a held GIL");
	cr_expect_geq(counter_value(&f, "drop_requests"), 1, "the waiter never asked for a drop");
	cr_expect_eq(counter_value(&f, "deadline_misses"), 1);
	ops->poll(f.state, fixture_node(&f, 0)); /* would block for ever on a stale request */
	cr_expect_eq(counter_value(&f, "forced_switches"), 0);
	cr_expect_eq(ops->release(f.state, fixture_node(&f, 0)), 0);
	fixture_close(&f);
}

Test(gil, counters_truncate_to_max, .timeout = 30)
{
	struct fixture f;
	struct lb_counter out[2];

	fixture_open(&f, lock_named("gil"), 2);
	cr_expect_eq(f.ops->counters(f.state, out, 2), 2);
	cr_expect_eq(f.ops->counters(f.state, out, 0), 0);
	fixture_close(&f);
}

Test(gil, init_takes_parsed_values_and_rejects_bad_ones, .timeout = 30)
{
	const struct lb_lock_ops *ops = lock_named("gil");
	const size_t interval = param_index(ops, "interval");
	const size_t force_switch = param_index(ops, "force_switch");
	union lb_value params[MAX_PARAMS];
	struct fixture f;
	char err[256];

	cr_assert_eq(default_params(ops, params), 2);
	cr_expect_eq(params[interval].i, 5000000, "default interval is 5ms");
	cr_expect_eq(params[force_switch].i, 1, "FORCE_SWITCHING is on by default");
	cr_expect_eq(ops->params[interval].min, 1000);
	cr_expect_eq(ops->params[interval].max, 10000000000LL);

	params[interval].i = 1000;
	fixture_open_with(&f, ops, params, 2);
	fixture_close(&f);

	params[interval].i = 999;
	err[0] = '\0';
	cr_expect_eq(fixture_try_open(&f, ops, params, 2, err, sizeof(err)), -1);
	cr_expect_neq(strstr(err, "interval"), NULL, "error names the parameter: %s", err);

	params[interval].i = 10000000001LL;
	cr_expect_eq(fixture_try_open(&f, ops, params, 2, err, sizeof(err)), -1);

	params[interval].i = 1000000;
	params[force_switch].i = 2;
	err[0] = '\0';
	cr_expect_eq(fixture_try_open(&f, ops, params, 2, err, sizeof(err)), -1);
	cr_expect_neq(strstr(err, "force_switch"), NULL, "error names the parameter: %s", err);
}

/* ---- parameters, parking, sleeping, FIFO hand-over ---- */

Test(params, ttas_backoff_bounds, .timeout = 30)
{
	const struct lb_lock_ops *ops = lock_named("ttas");
	union lb_value params[MAX_PARAMS];
	struct fixture f;

	cr_assert_eq(default_params(ops, params), 2);
	cr_expect_leq(params[param_index(ops, "backoff_min")].i,
		      params[param_index(ops, "backoff_max")].i, "defaults: min <= max");
	/* min == max is a constant delay: fine. */
	fixture_open_param(&f, ops, "backoff_max", (union lb_value){ .i = 1 }, 2);
	fixture_close(&f);
	/* The default min is 1: a max below it is refused, naming the parameter. */
	expect_init_fails(ops, "backoff_max", (union lb_value){ .i = 0 }, 2, "backoff_max");
	expect_init_fails(ops, "backoff_min", (union lb_value){ .i = 1000 }, 2, "backoff_max");
	expect_init_fails(ops, "backoff_min", (union lb_value){ .i = 0 }, 2, "backoff_min");
}

Test(params, out_of_range_values_are_refused, .timeout = 30)
{
	expect_init_fails(lock_named("mcs-park"), "spin", (union lb_value){ .i = -1 }, 2, "spin");
	expect_init_fails(lock_named("gil-old"), "check_ticks", (union lb_value){ .i = 0 }, 2,
			  "check_ticks");
}

/*
 * mcs-park with spin=0 parks every waiter that finds the lock held, so the
 * hand-over to a sleeping successor (the exchange, the wake) is what the
 * hammer exercises; parks > 0 proves that path ran.
 */
Test(mcs_park, parking_every_waiter_excludes, .timeout = 60)
{
	const struct lb_lock_ops *ops = lock_named("mcs-park");
	struct hammer_config config = exclusion_config;
	struct fixture f;

	config.nthreads = 4;
	fixture_open_param(&f, ops, "spin", (union lb_value){ .i = 0 }, 4);
	check_exclusion_of(&f, &config);
	cr_expect_gt(counter_value(&f, "parks"), 0, "no waiter ever parked");
	cr_expect_gt(counter_value(&f, "wakes"), 0, "no parked waiter was ever woken");
	cr_expect_leq(counter_value(&f, "wakes"), counter_value(&f, "parks"),
		      "a wake for every park at most");
	fixture_close(&f);
}

/*
 * Hammered at 4 threads (on 2 CPUs), waiters of a sleeping lock must sleep
 * and be woken. A machine loaded by others may run the threads one after
 * the other for a whole window, with nobody ever waiting: up to 5 windows,
 * each of which must exclude; a lock that never sleeps fails all 5.
 */
static void check_sleeps_and_wakes(const char *name)
{
	struct hammer_config config = exclusion_config;
	struct fixture f;
	uint64_t sleeps = 0, wakes = 0;

	config.nthreads = 4;
	fixture_open(&f, lock_named(name), 4);
	for (int window = 0; window < 5 && (sleeps == 0 || wakes == 0); window++) {
		check_exclusion_of(&f, &config);
		sleeps = counter_value(&f, "sleeps");
		wakes = counter_value(&f, "wakes");
	}
	cr_expect_gt(sleeps, 0, "%s: no waiter ever slept", name);
	cr_expect_gt(wakes, 0, "%s: no sleeper was ever woken", name);
	fixture_close(&f);
}

Test(ticket_futex, sleeps_and_wakes, .timeout = 60)
{
	check_sleeps_and_wakes("ticket-futex");
}

Test(futex, sleeps_and_wakes, .timeout = 60)
{
	check_sleeps_and_wakes("futex");
}

struct fifo_run {
	struct fixture *f;
	_Atomic unsigned entered;   /* how many waiters got the lock so far */
	unsigned order[MAX_THREADS]; /* thread ids in the order they got it */
};

struct fifo_waiter {
	struct fifo_run *run;
	unsigned id;
	pthread_t tid;
};

static void *fifo_waiter_run(void *arg)
{
	struct fifo_waiter *w = arg;
	const struct lb_lock_ops *ops = w->run->f->ops;
	void *node = fixture_node(w->run->f, w->id);

	ops->acquire(w->run->f->state, node);
	w->run->order[atomic_fetch_add(&w->run->entered, 1)] = w->id;
	cr_expect_eq(ops->release(w->run->f->state, node), 0);
	return NULL;
}

/* Wait until the lock's counter reaches at least want; false after 10 s. */
static bool wait_for_counter(struct fixture *f, const char *name, uint64_t want)
{
	uint64_t deadline = monotonic_ns() + 10ull * 1000000000u;

	while (counter_value(f, name) < want) {
		struct timespec ms = { 0, 1000000 };

		if (monotonic_ns() > deadline)
			return false;
		nanosleep(&ms, NULL);
	}
	return true;
}

/*
 * FIFO hand-over between sleepers: while the main thread holds the lock,
 * waiters 1, 2, 3 queue one after the other (each is started only once the
 * previous one is asleep, which the lock's counter shows: these locks
 * count with atomics, so reading them while threads run is fine). After
 * the release they must get the lock in that order. A release that woke
 * the wrong sleeper, or everybody, would let a later waiter in first.
 */
static void check_fifo_hand_over(struct fixture *f, const char *sleep_counter)
{
	struct fifo_run run = { .f = f };
	struct fifo_waiter w[4];
	void *node = fixture_node(f, 0);

	atomic_init(&run.entered, 0);
	f->ops->acquire(f->state, node);
	for (unsigned id = 1; id <= 3; id++) {
		w[id] = (struct fifo_waiter){ .run = &run, .id = id };
		cr_assert_eq(pthread_create(&w[id].tid, NULL, fifo_waiter_run, &w[id]), 0);
		cr_assert(wait_for_counter(f, sleep_counter, id), "%s: waiter %u never slept",
			  f->ops->name, id);
	}
	cr_expect_eq(atomic_load(&run.entered), 0, "%s: a waiter got in while held",
		     f->ops->name);
	cr_expect_eq(f->ops->release(f->state, node), 0);
	for (unsigned id = 1; id <= 3; id++)
		pthread_join(w[id].tid, NULL);
	cr_assert_eq(atomic_load(&run.entered), 3);
	for (unsigned k = 0; k < 3; k++)
		cr_expect_eq(run.order[k], k + 1, "%s: position %u went to waiter %u",
			     f->ops->name, k, run.order[k]);
}

Test(ticket_futex, wakes_the_next_ticket_only, .timeout = 60)
{
	struct fixture f;

	fixture_open(&f, lock_named("ticket-futex"), 4);
	check_fifo_hand_over(&f, "sleeps");
	fixture_close(&f);
}

Test(mcs_park, hands_over_in_queue_order, .timeout = 60)
{
	struct fixture f;

	fixture_open_param(&f, lock_named("mcs-park"), "spin", (union lb_value){ .i = 0 }, 4);
	check_fifo_hand_over(&f, "parks");
	cr_expect_eq(counter_value(&f, "wakes"), 3, "each parked waiter woken once");
	fixture_close(&f);
}

/* ---- gil-old ---- */

Test(gil_old, a_lone_poller_drops_every_check_ticks_and_never_switches, .timeout = 30)
{
	const struct lb_lock_ops *ops = lock_named("gil-old");
	struct fixture f;
	void *node;

	fixture_open_param(&f, ops, "check_ticks", (union lb_value){ .i = 10 }, 1);
	node = fixture_node(&f, 0);
	ops->acquire(f.state, node);
	for (int i = 0; i < 95; i++)
		ops->poll(f.state, node);
	cr_expect_eq(counter_value(&f, "releases"), 9, "95 polls at check_ticks=10");
	cr_expect_eq(counter_value(&f, "switches"), 0, "nobody else to switch to");
	/* The GIL is still ours after all those drops. */
	cr_expect_not(on_other_thread(&f, try_acquire_and_release),
		      "another thread took the GIL after the polls");
	cr_expect_eq(ops->release(f.state, node), 0);
	cr_expect_eq(counter_value(&f, "releases"), 9, "release is not a poll's drop");
	fixture_close(&f);
}

struct gil_old_grabber {
	struct fixture *f;
	_Atomic bool stop;
	_Atomic unsigned long takes;
};

/* Spins on try_acquire; it can only win inside one of the holder's polls. */
static void *gil_old_grab(void *arg)
{
	struct gil_old_grabber *g = arg;
	void *node = fixture_node(g->f, 1);

	while (!atomic_load(&g->stop)) {
		if (g->f->ops->try_acquire(g->f->state, node)) {
			atomic_fetch_add(&g->takes, 1);
			cr_expect_eq(g->f->ops->release(g->f->state, node), 0);
		}
		lb_cpu_relax();
	}
	return NULL;
}

/*
 * The holder polls (check_ticks=1: every poll drops and retakes) while
 * another thread hammers try_acquire. The other thread can only get in
 * during a drop, so each of its takes is a switch: switches must move, and
 * can never exceed its takes (two takes in one drop make one switch).
 */
Test(gil_old, a_drop_that_lets_another_thread_in_is_a_switch, .timeout = 60)
{
	const struct lb_lock_ops *ops = lock_named("gil-old");
	struct gil_old_grabber g = { 0 };
	uint64_t deadline = monotonic_ns() + 10ull * 1000000000u;
	struct fixture f;
	void *node;
	pthread_t tid;
	long polls = 0;

	fixture_open_param(&f, ops, "check_ticks", (union lb_value){ .i = 1 }, 2);
	node = fixture_node(&f, 0);
	g.f = &f;
	atomic_init(&g.stop, false);
	atomic_init(&g.takes, 0);
	ops->acquire(f.state, node);
	cr_assert_eq(pthread_create(&tid, NULL, gil_old_grab, &g), 0);
	while (atomic_load(&g.takes) < 3 && monotonic_ns() < deadline) {
		ops->poll(f.state, node);
		polls++;
	}
	atomic_store(&g.stop, true);
	pthread_join(tid, NULL);
	cr_expect_eq(ops->release(f.state, node), 0);

	cr_expect_eq(counter_value(&f, "releases"), (uint64_t)polls, "check_ticks=1 drops every poll");
	cr_expect_geq(atomic_load(&g.takes), 1, "the other thread never got in (machine too busy?)");
	cr_expect_geq(counter_value(&f, "switches"), 1, "takes by another thread, no switch counted");
	cr_expect_leq(counter_value(&f, "switches"), atomic_load(&g.takes),
		      "more switches than the other thread's takes");
	fixture_close(&f);
}

/* ---- rlock ---- */

static void rlock_open(struct fixture *f, const char *base, unsigned nthreads)
{
	fixture_open_param(f, lock_named("rlock"), "base", (union lb_value){ .s = base }, nthreads);
}

Test(rlock, init_refuses_bad_bases, .timeout = 30)
{
	const struct lb_lock_ops *ops = lock_named("rlock");

	expect_init_fails(ops, "base", (union lb_value){ .s = "nosuchlock" }, 2, "nosuchlock");
	expect_init_fails(ops, "base", (union lb_value){ .s = "none" }, 2, "none");
	expect_init_fails(ops, "base", (union lb_value){ .s = "rlock" }, 2, "rlock");
	/* The base's own init errors come through, naming rlock and the base's reason. */
	expect_init_fails(ops, "base", (union lb_value){ .s = "anderson" }, 1025, "1024");
}

/* The base's counters come after rlock's own. */
Test(rlock, passes_the_base_counters_on, .timeout = 30)
{
	struct fixture f;
	struct lb_counter out[1];

	rlock_open(&f, "gil-old", 2);
	cr_expect_eq(counter_value(&f, "releases"), 0);
	cr_expect_eq(counter_value(&f, "switches"), 0);
	cr_expect_eq(f.ops->counters(f.state, out, 1), 1, "truncated to max");
	cr_expect_str_eq(out[0].name, "reentries");
	fixture_close(&f);
}
