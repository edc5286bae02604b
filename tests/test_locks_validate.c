/*
 * tests/test_locks_validate.c — what every built-in lock must do.
 *
 * The "validate" half of the lock tests (Concurrency Kit's split). Every
 * test loops over the registry and asks each lock's capability flags what
 * to expect, so a lock added to locks/registry.def is validated without a
 * line here; LB_TEST_LOCKS narrows the loops (lock_util.h).
 *
 *  - The table: well formed, its flags consistent with its functions, its
 *    line in registry.def naming it; defaults within bounds; init at the
 *    thread limit, refusing more only with a message and never writing past
 *    state_size.
 *  - Mutual exclusion at 2, 3, 4 and 8 threads (lock_util.c's hammer),
 *    with try_acquire alone and mixed with acquire (LB_CAP_TRY); a lock that
 *    claims LB_CAP_NO_EXCLUSION must be caught by the same checks.
 *  - try_acquire (LB_CAP_TRY) and acquire_until (LB_CAP_TIMED) on a free
 *    and a held lock.
 *  - Release of a free lock (LB_CAP_CHECKS_RELEASE) and by a thread that
 *    does not hold it (LB_CAP_KNOWS_OWNER) fails and changes nothing.
 *  - rlock over every lock it takes as a base: reentrancy and misuse, and
 *    exclusion over the bases that have a node.
 * No test asserts how long anything took.
 */
#include <criterion/criterion.h>
#include <string.h>

#include "lock_util.h"

/* The suites are called validate_<what>: a --filter on that prefix runs this file alone. */

/* The symbols of locks/registry.def, read the way registry.c reads them. */
static const char *const registry_symbols[] = {
#define LB_LOCK(sym) #sym,
#include "locks/registry.def"
#undef LB_LOCK
};

#define NSYMBOLS (sizeof(registry_symbols) / sizeof(registry_symbols[0]))

/* Whether ops is one rlock accepts as its base (see locks/rlock.c). */
static bool rlock_base_ok(const struct lb_lock_ops *ops)
{
	return strcmp(ops->name, "rlock") != 0 && !(ops->caps & LB_CAP_NO_EXCLUSION);
}

Test(validate_registry, tables_are_well_formed, .timeout = 30)
{
	size_t n = 0;

	for (size_t i = 0; lb_locks[i] != NULL; i++, n++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		uint32_t caps = ops->caps;

		for (size_t j = 0; j < i; j++)
			cr_expect(strcmp(ops->name, lb_locks[j]->name) != 0, "two locks called %s",
				  ops->name);
		if (!lock_selected(ops))
			continue;
		cr_expect_eq(ops->abi_version, LB_LOCK_ABI_VERSION, "%s: abi_version", ops->name);
		cr_expect_gt(ops->state_size, 0, "%s: state_size", ops->name);
		cr_expect_not_null(ops->summary, "%s: summary", ops->name);
		cr_expect_not_null(ops->acquire, "%s: acquire", ops->name);
		cr_expect_not_null(ops->release, "%s: release", ops->name);
		cr_expect_eq(!!(caps & LB_CAP_TRY), ops->try_acquire != NULL, "%s: TRY", ops->name);
		cr_expect_eq(!!(caps & LB_CAP_TIMED), ops->acquire_until != NULL, "%s: TIMED",
			     ops->name);
		cr_expect_eq(!!(caps & LB_CAP_POLL), ops->poll != NULL, "%s: POLL", ops->name);
		cr_expect(!(caps & LB_CAP_TIMED_EMULATED) || (caps & LB_CAP_TIMED), "%s: TIMED_EMULATED without TIMED",
			  ops->name);
		cr_expect(!(caps & LB_CAP_LIVE_COUNTERS) || ops->counters != NULL, "%s: LIVE_COUNTERS without counters",
			  ops->name);
		cr_expect_neq(!!(caps & LB_CAP_SPINS) + !!(caps & LB_CAP_SLEEPS), 2,
			      "%s: both SPINS and SLEEPS", ops->name);
		cr_expect(!(caps & LB_CAP_KNOWS_OWNER) || (caps & LB_CAP_CHECKS_RELEASE),
			  "%s: KNOWS_OWNER without CHECKS_RELEASE", ops->name);
		cr_expect(!(caps & LB_CAP_NO_EXCLUSION) || !(caps & LB_CAP_CHECKS_RELEASE),
			  "%s: excludes nothing but claims to check its releases", ops->name);
		cr_expect_eq(strspn(ops->name, "abcdefghijklmnopqrstuvwxyz0123456789-"),
			     strlen(ops->name), "%s: name outside [a-z0-9-]", ops->name);
		cr_expect_eq(lb_lock_find(ops->name), ops, "%s: lb_lock_find", ops->name);
	}
	/* LB_LOCK(x) is the lock called x with '_' written '-', at the same place. */
	cr_expect_eq(n, NSYMBOLS, "lb_locks and registry.def differ in length");
	for (size_t i = 0; i < n && i < NSYMBOLS; i++) {
		char name[64];
		size_t k;

		for (k = 0; registry_symbols[i][k] != '\0' && k + 1 < sizeof(name); k++)
			name[k] = registry_symbols[i][k] == '_' ? '-' : registry_symbols[i][k];
		name[k] = '\0';
		cr_expect_str_eq(lb_locks[i]->name, name, "LB_LOCK(%s) is a lock called \"%s\"",
				 registry_symbols[i], lb_locks[i]->name);
	}
	cr_expect_str_eq(lb_locks[0]->name, "pthread", "the baseline comes first");
	cr_expect_eq(locks_filter_unknown(), 0, "LB_TEST_LOCKS names a lock that does not exist");
	cr_expect_null(lb_lock_find("nosuchlock"));
	cr_expect_null(lb_lock_find(""));
	cr_expect_null(lb_lock_find(NULL));
}

Test(validate_registry, defaults_parse_within_bounds_and_init, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;

		if (!lock_selected(ops))
			continue;
		for (const struct lb_param *p = ops->params; p != NULL && p->name != NULL; p++) {
			union lb_value v = parse_default(p);

			cr_expect_not_null(p->help, "%s.%s: help", ops->name, p->name);
			if (p->type == LB_PARAM_INT || p->type == LB_PARAM_DURATION ||
			    p->type == LB_PARAM_BOOL) {
				cr_expect_leq(p->min, v.i, "%s.%s: default below min", ops->name,
					      p->name);
				cr_expect_leq(v.i, p->max, "%s.%s: default above max", ops->name,
					      p->name);
			}
		}
		fixture_open(&f, ops, 1);
		fixture_close(&f);
		fixture_open(&f, ops, 4);
		fixture_close(&f);
	}
}

/*
 * lockbench runs up to 1024 threads: every lock must take that many. A lock
 * may refuse more (the slot arrays hold 1024), saying how many it was
 * asked for; one that accepts more must not write past its state for them
 * (the fixture's guard area catches a slot array sized by nthreads).
 */
Test(validate_registry, init_at_the_thread_limit_and_past_it, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		union lb_value params[MAX_PARAMS];
		struct fixture f;
		char err[256] = "";

		if (!lock_selected(ops))
			continue;
		default_params(ops, params);
		fixture_open_with(&f, ops, params, 1024);
		fixture_close(&f);
		if (fixture_try_open(&f, ops, params, 1025, err, sizeof(err)) == 0)
			fixture_close(&f);
		else
			cr_expect_neq(strstr(err, "1025"), NULL,
				      "%s: refusing 1025 threads, the error says how many: %s",
				      ops->name, err);
	}
}

/* Every selected lock that claims to exclude, at nthreads threads. */
static void check_exclusion_all(unsigned nthreads)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = nthreads;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (lock_selected(lb_locks[i]) && !(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			check_exclusion(lb_locks[i], &config);
}

Test(validate_exclusion, two_threads, .timeout = 60)
{
	check_exclusion_all(2);
}

/* Not a power of two: slot arrays (4 slots) leave one unused and wrap many times. */
Test(validate_exclusion, three_threads, .timeout = 60)
{
	check_exclusion_all(3);
}

Test(validate_exclusion, four_threads, .timeout = 60)
{
	check_exclusion_all(4);
}

Test(validate_exclusion, eight_threads, .timeout = 60)
{
	check_exclusion_all(8);
}

/* try_acquire alone must exclude too (and order, under TSan). */
Test(validate_exclusion, try_acquire_two_threads, .timeout = 60)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = 2;
	config.use_try = true;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (lock_selected(lb_locks[i]) && (lb_locks[i]->caps & LB_CAP_TRY) &&
		    !(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			check_exclusion(lb_locks[i], &config);
}

/* Queued waiters and try_acquire side by side: try must not jump a queue it cannot see. */
Test(validate_exclusion, try_and_acquire_mixed_four_threads, .timeout = 90)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = 4;
	config.mixed_try = true;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (lock_selected(lb_locks[i]) && (lb_locks[i]->caps & LB_CAP_TRY) &&
		    !(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			check_exclusion(lb_locks[i], &config);
}

/* The checker itself: with a lock that excludes nothing, two threads must be seen colliding. */
Test(validate_exclusion, no_exclusion_is_caught, .timeout = 60)
{
	const struct hammer_config config = {
		.nthreads = 2,
		.max_iterations = 10000,
		.budget_ns = UINT64_MAX,
		.cs_spins = 20,
	};
	size_t controls = 0;

	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		bool caught = false;

		if (!lock_selected(ops) || !(ops->caps & LB_CAP_NO_EXCLUSION))
			continue;
		controls++;
		for (int round = 0; round < 1000 && !caught; round++) {
			struct fixture f;
			struct hammer h;

			fixture_open(&f, ops, 2);
			hammer(&h, &f, &config);
			fixture_close(&f);
			caught = atomic_load(&h.violations) > 0 ||
				 atomic_load(&h.counter) != atomic_load(&h.acquisitions);
		}
		cr_expect(caught, "%s never showed a violation or a lost update", ops->name);
	}
	if (!locks_filtered())
		cr_expect_geq(controls, 1, "no negative control (none) in the registry");
}

Test(validate_try, free_held_released, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;
		void *node = NULL;

		if (!lock_selected(ops) || !(ops->caps & LB_CAP_TRY) ||
		    (ops->caps & LB_CAP_NO_EXCLUSION))
			continue;
		fixture_open(&f, ops, 2);
		node = fixture_node(&f, 0);
		cr_expect(ops->try_acquire(f.state, node), "%s: try on a free lock failed",
			  ops->name);
		cr_expect_not(on_other_thread(&f, try_acquire_and_release),
			      "%s: try succeeded while another thread held the lock", ops->name);
		cr_expect_eq(ops->release(f.state, node), 0, "%s: release", ops->name);
		cr_expect(on_other_thread(&f, try_acquire_and_release),
			  "%s: try failed after the holder released", ops->name);
		/* Also after a plain acquire, not only after a try. */
		ops->acquire(f.state, node);
		cr_expect_not(on_other_thread(&f, try_acquire_and_release),
			      "%s: try succeeded while the lock was acquired", ops->name);
		cr_expect_eq(ops->release(f.state, node), 0, "%s: release", ops->name);
		fixture_close(&f);
	}
}

static bool acquire_until_soon(struct fixture *f)
{
	uint64_t deadline = monotonic_ns() + 20 * 1000000u;

	if (!f->ops->acquire_until(f->state, fixture_node(f, 1), deadline))
		return false;
	cr_expect_eq(f->ops->release(f->state, fixture_node(f, 1)), 0);
	return true;
}

Test(validate_timed, times_out_while_held, .timeout = 30)
{
	size_t timed = 0;

	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;
		void *node;

		if (!lock_selected(ops) || !(ops->caps & LB_CAP_TIMED) || (ops->caps & LB_CAP_NO_EXCLUSION))
			continue;
		timed++;
		fixture_open(&f, ops, 2);
		node = fixture_node(&f, 0);
		cr_expect(on_other_thread(&f, acquire_until_soon),
			  "%s: acquire_until of a free lock failed", ops->name);
		ops->acquire(f.state, node);
		cr_expect_not(on_other_thread(&f, acquire_until_soon),
			      "%s: acquire_until succeeded while another thread held the lock",
			      ops->name);
		cr_expect_eq(ops->release(f.state, node), 0, "%s: release", ops->name);
		cr_expect(on_other_thread(&f, acquire_until_soon),
			  "%s: acquire_until failed after the holder released", ops->name);
		fixture_close(&f);
	}
	if (!locks_filtered())
		cr_expect_geq(timed, 1, "no lock claims LB_CAP_TIMED: this test tests nothing");
}

/* A deadline already past: no wait at all, but still false while held. */
static bool acquire_until_past(struct fixture *f)
{
	if (!f->ops->acquire_until(f->state, fixture_node(f, 1), monotonic_ns() - 1000000))
		return false;
	cr_expect_eq(f->ops->release(f->state, fixture_node(f, 1)), 0);
	return true;
}

Test(validate_timed, past_deadline_fails_while_held, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;

		if (!lock_selected(ops) || !(ops->caps & LB_CAP_TIMED) || (ops->caps & LB_CAP_NO_EXCLUSION))
			continue;
		fixture_open(&f, ops, 2);
		ops->acquire(f.state, fixture_node(&f, 0));
		cr_expect_not(on_other_thread(&f, acquire_until_past),
			      "%s: acquire_until with a past deadline took a held lock", ops->name);
		cr_expect_eq(ops->release(f.state, fixture_node(&f, 0)), 0, "%s: release",
			     ops->name);
		fixture_close(&f);
	}
}

/* The lock is free and works: node 0 takes it (by try if it can) and gives it back. */
static void expect_still_works(struct fixture *f, const char *after)
{
	const struct lb_lock_ops *ops = f->ops;
	void *node = fixture_node(f, 0);

	if (ops->try_acquire != NULL)
		cr_expect(ops->try_acquire(f->state, node), "%s: try failed after %s", ops->name,
			  after);
	else
		ops->acquire(f->state, node);
	cr_expect_eq(ops->release(f->state, node), 0, "%s: release after %s", ops->name, after);
}

/* LB_CAP_CHECKS_RELEASE: a release of a lock nobody holds fails and changes nothing. */
Test(validate_release, of_a_free_lock_fails, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;
		void *node;

		if (!lock_selected(ops) || !(ops->caps & LB_CAP_CHECKS_RELEASE))
			continue;
		fixture_open(&f, ops, 2);
		node = fixture_node(&f, 0);
		cr_expect_eq(ops->release(f.state, node), -1, "%s: release of a never-held lock",
			     ops->name);
		expect_still_works(&f, "a release of a never-held lock");
		ops->acquire(f.state, node);
		cr_expect_eq(ops->release(f.state, node), 0, "%s: release", ops->name);
		cr_expect_eq(ops->release(f.state, node), -1, "%s: second release", ops->name);
		cr_expect_not(on_other_thread(&f, release_as_other_thread),
			      "%s: another thread released the free lock", ops->name);
		expect_still_works(&f, "a second release");
		fixture_close(&f);
	}
}

/*
 * LB_CAP_KNOWS_OWNER: a thread that does not hold the lock cannot release
 * it while another thread does, and the holder still holds it afterwards.
 */
Test(validate_release, by_a_thread_not_holding_it_fails, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;
		void *node;

		if (!lock_selected(ops) || !(ops->caps & LB_CAP_KNOWS_OWNER))
			continue;
		fixture_open(&f, ops, 2);
		node = fixture_node(&f, 0);
		ops->acquire(f.state, node);
		cr_expect_not(on_other_thread(&f, release_as_other_thread),
			      "%s: a thread not holding the lock released it", ops->name);
		if (ops->try_acquire != NULL)
			cr_expect_not(on_other_thread(&f, try_acquire_and_release),
				      "%s: after a failed release by another thread, the lock was free",
				      ops->name);
		cr_expect_eq(ops->release(f.state, node), 0, "%s: the holder's release", ops->name);
		/* Free again: the other thread takes it and gives it back, then node 0 does. */
		on_other_thread(&f, acquire_and_release);
		expect_still_works(&f, "a release by a thread not holding it");
		fixture_close(&f);
	}
}

static void rlock_open(struct fixture *f, const char *base, unsigned nthreads)
{
	fixture_open_param(f, lock_named("rlock"), "base", (union lb_value){ .s = base }, nthreads);
}

/*
 * Python's RLock: the owner may acquire again; it stays held until as many
 * releases; then another thread can take it. A release by anybody else
 * (or one too many) fails and changes nothing. Over every base rlock
 * takes: sleeping, spinning, with and without nodes, with and without try.
 */
Test(validate_rlock, reentrancy_and_misuse_over_every_base, .timeout = 60)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *base = lb_locks[i];
		const char *name = base->name;
		struct fixture f;
		void *node;

		if (!lock_selected(base) || !rlock_base_ok(base))
			continue;
		rlock_open(&f, name, 2);
		node = fixture_node(&f, 0);
		f.ops->acquire(f.state, node);
		f.ops->acquire(f.state, node);
		cr_expect(f.ops->try_acquire(f.state, node), "%s: the owner's try must succeed", name);
		cr_expect_eq(counter_value(&f, "reentries"), 2, "%s: reentries", name);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release 1 of 3", name);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release 2 of 3", name);
		/* Still held once: a non-owner can neither release nor take it. */
		cr_expect_not(on_other_thread(&f, release_as_other_thread),
			      "%s: a non-owner released the lock", name);
		if (base->try_acquire != NULL)
			cr_expect_not(on_other_thread(&f, try_acquire_and_release),
				      "%s: another thread took a lock still held once", name);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release 3 of 3", name);
		cr_expect_eq(f.ops->release(f.state, node), -1, "%s: a fourth release", name);
		/* Free now: another thread takes it (a base without try: by blocking). */
		if (base->try_acquire != NULL)
			cr_expect(on_other_thread(&f, try_acquire_and_release),
				  "%s: the lock was not free after the last release", name);
		else
			on_other_thread(&f, acquire_and_release);
		/* The misuse changed nothing: the owner can take it again. */
		f.ops->acquire(f.state, node);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release", name);
		fixture_close(&f);
	}
}

/* Bases with a node (clh migrates its qnodes) under contention, inside rlock's node. */
Test(validate_rlock, exclusion_over_bases_with_a_node, .timeout = 90)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = 4;
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *base = lb_locks[i];
		struct fixture f;

		if (!lock_selected(base) || !rlock_base_ok(base) || base->node_size == 0)
			continue;
		rlock_open(&f, base->name, 4);
		check_exclusion_of(&f, &config);
		fixture_close(&f);
	}
}
