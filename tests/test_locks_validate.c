/*
 * tests/test_locks_validate.c — does every built-in lock exclude?
 *
 * The "validate" half of the lock tests (Concurrency Kit's split): the ops
 * tables are driven directly from our own pthreads, independent of the
 * runner, so a bug in a lock cannot hide behind a bug in the harness.
 *
 *  - Mutual exclusion: threads hammer each lock with an owner canary and a
 *    shared counter updated by a separate load and store (relaxed atomics,
 *    so the test itself is race-free for TSan but an overlap loses
 *    updates). Zero canary violations and an exact count are required.
 *    Real locks also guard a plain, non-atomic counter: built with
 *    -fsanitize=thread, a lock whose acquire/release do not order the
 *    critical sections (a memory order too weak) shows up as a data race.
 *  - The `none` pseudo-lock must be caught by the same checks.
 *  - try_acquire, acquire_until, release of a free lock, and the GIL's
 *    drop requests and forced switches, each by a test that fails if that
 *    mechanism is broken. No test asserts how long anything took.
 */
#include <criterion/criterion.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>
#include <unistd.h>

#include "locks/cpu.h"
#include "locks/registry.h"

#define MAX_THREADS 8
#define MAX_PARAMS 8

/* ---- a lock instance laid out the way the runner lays it out ---- */

struct fixture {
	const struct lb_lock_ops *ops;
	void *state;
	unsigned char *nodes;
	size_t node_stride;
};

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* Parse a declared default the way a user would have typed it. */
static union lb_value parse_default(const struct lb_param *p)
{
	union lb_value v = { .i = 0 };
	char *end = NULL;

	switch (p->type) {
	case LB_PARAM_INT:
		v.i = strtoll(p->def, &end, 10);
		cr_assert(*end == '\0', "%s: bad INT default \"%s\"", p->name, p->def);
		break;
	case LB_PARAM_DURATION: {
		static const struct { const char *unit; int64_t ns; } units[] = {
			{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 },
		};
		int64_t n = strtoll(p->def, &end, 10);
		bool ok = false;

		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			if (strcmp(end, units[u].unit) == 0) {
				v.i = n * units[u].ns;
				ok = true;
			}
		cr_assert(ok, "%s: bad DURATION default \"%s\"", p->name, p->def);
		break;
	}
	case LB_PARAM_BOOL:
		if (strcmp(p->def, "1") == 0 || strcasecmp(p->def, "true") == 0 ||
		    strcasecmp(p->def, "yes") == 0 || strcasecmp(p->def, "on") == 0)
			v.i = 1;
		else if (strcmp(p->def, "0") == 0 || strcasecmp(p->def, "false") == 0 ||
			 strcasecmp(p->def, "no") == 0 || strcasecmp(p->def, "off") == 0)
			v.i = 0;
		else
			cr_assert_fail("%s: bad BOOL default \"%s\"", p->name, p->def);
		break;
	case LB_PARAM_STRING:
		v.s = p->def;
		break;
	}
	return v;
}

/* Fill values with every declared default; returns how many there are. */
static size_t default_params(const struct lb_lock_ops *ops, union lb_value *values)
{
	size_t n = 0;

	for (const struct lb_param *p = ops->params; p != NULL && p->name != NULL; p++) {
		cr_assert_lt(n, MAX_PARAMS);
		values[n++] = parse_default(p);
	}
	return n;
}

/* Index of the declared parameter called name. */
static size_t param_index(const struct lb_lock_ops *ops, const char *name)
{
	for (size_t i = 0; ops->params != NULL && ops->params[i].name != NULL; i++)
		if (strcmp(ops->params[i].name, name) == 0)
			return i;
	cr_assert_fail("%s declares no parameter %s", ops->name, name);
	return 0;
}

static int fixture_try_open(struct fixture *f, const struct lb_lock_ops *ops,
			    const union lb_value *params, unsigned nthreads,
			    char *err, size_t errlen)
{
	size_t align = ops->state_align > LB_CACHELINE ? ops->state_align : LB_CACHELINE;

	f->ops = ops;
	f->state = aligned_alloc(align, round_up(ops->state_size, align));
	cr_assert_not_null(f->state);
	memset(f->state, 0, ops->state_size);
	f->node_stride = round_up(ops->node_size, LB_CACHELINE);
	f->nodes = NULL;
	if (ops->node_size > 0) {
		f->nodes = aligned_alloc(LB_CACHELINE, f->node_stride * MAX_THREADS);
		cr_assert_not_null(f->nodes);
		memset(f->nodes, 0, f->node_stride * MAX_THREADS);
	}
	if (ops->init != NULL && ops->init(f->state, params, nthreads, err, errlen) != 0) {
		free(f->nodes);
		free(f->state);
		return -1;
	}
	return 0;
}

static void fixture_open_with(struct fixture *f, const struct lb_lock_ops *ops,
			      const union lb_value *params, unsigned nthreads)
{
	char err[256] = "";

	cr_assert_eq(fixture_try_open(f, ops, params, nthreads, err, sizeof(err)), 0,
		     "%s: init failed: %s", ops->name, err);
}

static void fixture_open(struct fixture *f, const struct lb_lock_ops *ops, unsigned nthreads)
{
	union lb_value params[MAX_PARAMS];

	default_params(ops, params);
	fixture_open_with(f, ops, params, nthreads);
}

static void fixture_close(struct fixture *f)
{
	if (f->ops->destroy != NULL)
		f->ops->destroy(f->state);
	free(f->nodes);
	free(f->state);
}

static void *fixture_node(struct fixture *f, unsigned thread)
{
	return f->nodes == NULL ? NULL : f->nodes + f->node_stride * thread;
}

static const struct lb_lock_ops *lock_named(const char *name)
{
	const struct lb_lock_ops *ops = lb_lock_find(name);

	cr_assert_not_null(ops, "no lock called %s", name);
	return ops;
}

static uint64_t counter_value(struct fixture *f, const char *name)
{
	struct lb_counter out[16];
	size_t n;

	cr_assert_not_null(f->ops->counters);
	n = f->ops->counters(f->state, out, 16);
	for (size_t i = 0; i < n; i++)
		if (strcmp(out[i].name, name) == 0)
			return out[i].value;
	cr_assert_fail("%s reports no counter %s", f->ops->name, name);
	return 0;
}

static uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- the mutual-exclusion hammer ---- */

struct hammer_config {
	unsigned nthreads;
	long max_iterations; /* per thread */
	uint64_t budget_ns;  /* threads stop once it has passed; UINT64_MAX: never */
	unsigned cs_spins;   /* lb_cpu_relax() calls inside the critical section */
	bool use_try;        /* take the lock by spinning on try_acquire */
	bool mixed_try;      /* odd threads spin on try_acquire, even ones acquire */
};

struct hammer {
	struct fixture *fixture;
	struct hammer_config config;
	pthread_barrier_t start;
	_Atomic unsigned canary;       /* 0, or 1 + id of the thread inside */
	_Atomic unsigned long counter; /* bumped by load + store, not an RMW */
	bool bump_plain;               /* also bump `plain` (real locks only) */
	unsigned long plain;           /* not atomic: TSan checks the lock's ordering */
	_Atomic unsigned long acquisitions;
	_Atomic long violations;
	_Atomic long failed_releases;
};

struct hammer_thread {
	struct hammer *h;
	unsigned id;
	pthread_t tid;
};

/* Enter the critical section: the canary must be free, then it is ours. */
static long canary_enter(_Atomic unsigned *canary, unsigned id)
{
	long bad = atomic_load_explicit(canary, memory_order_relaxed) != 0;

	atomic_store_explicit(canary, id + 1, memory_order_relaxed);
	return bad;
}

/* Leave it: nobody may have written the canary meanwhile. */
static long canary_leave(_Atomic unsigned *canary, unsigned id)
{
	long bad = atomic_load_explicit(canary, memory_order_relaxed) != id + 1;

	atomic_store_explicit(canary, 0, memory_order_relaxed);
	return bad;
}

static void *hammer_run(void *arg)
{
	struct hammer_thread *t = arg;
	struct hammer *h = t->h;
	const struct lb_lock_ops *ops = h->fixture->ops;
	void *state = h->fixture->state;
	void *node = fixture_node(h->fixture, t->id);
	long violations = 0, failed_releases = 0, i;
	bool use_try = h->config.use_try || (h->config.mixed_try && t->id % 2 == 1);
	uint64_t deadline_ns;

	pthread_barrier_wait(&h->start);
	/* From the start barrier, so a thread that was slow to be scheduled still gets its turn. */
	deadline_ns = h->config.budget_ns == UINT64_MAX ? UINT64_MAX
							: monotonic_ns() + h->config.budget_ns;
	for (i = 0; i < h->config.max_iterations; i++) {
		unsigned long c;

		if (i > 0 && monotonic_ns() > deadline_ns)
			break;
		if (use_try) {
			while (!ops->try_acquire(state, node))
				lb_cpu_relax();
		} else {
			ops->acquire(state, node);
		}
		violations += canary_enter(&h->canary, t->id);
		c = atomic_load_explicit(&h->counter, memory_order_relaxed);
		for (unsigned k = 0; k < h->config.cs_spins; k++)
			lb_cpu_relax();
		atomic_store_explicit(&h->counter, c + 1, memory_order_relaxed);
		if (h->bump_plain)
			h->plain++;
		if (ops->poll != NULL && i % 16 == 0) {
			/* poll may hand the lock over and take it back. */
			violations += canary_leave(&h->canary, t->id);
			ops->poll(state, node);
			violations += canary_enter(&h->canary, t->id);
		}
		violations += canary_leave(&h->canary, t->id);
		failed_releases += ops->release(state, node) != 0;
	}
	atomic_fetch_add(&h->acquisitions, (unsigned long)i);
	atomic_fetch_add(&h->violations, violations);
	atomic_fetch_add(&h->failed_releases, failed_releases);
	return NULL;
}

static void hammer(struct hammer *h, struct fixture *f, const struct hammer_config *config)
{
	struct hammer_thread threads[MAX_THREADS];
	unsigned nthreads = config->nthreads;

	cr_assert_leq(nthreads, MAX_THREADS);
	h->fixture = f;
	h->config = *config;
	h->bump_plain = !(f->ops->caps & LB_CAP_NO_EXCLUSION);
	h->plain = 0;
	atomic_init(&h->canary, 0);
	atomic_init(&h->counter, 0);
	atomic_init(&h->acquisitions, 0);
	atomic_init(&h->violations, 0);
	atomic_init(&h->failed_releases, 0);
	pthread_barrier_init(&h->start, NULL, nthreads);
	for (unsigned i = 0; i < nthreads; i++) {
		threads[i] = (struct hammer_thread){ .h = h, .id = i };
		cr_assert_eq(pthread_create(&threads[i].tid, NULL, hammer_run, &threads[i]), 0);
	}
	for (unsigned i = 0; i < nthreads; i++)
		pthread_join(threads[i].tid, NULL);
	pthread_barrier_destroy(&h->start);
}

/*
 * The hammer runs for a fixed time rather than a fixed count: on this
 * noisy 2-CPU VM a fixed count often lets one thread finish before the
 * other one is even scheduled, and a lock that excludes nothing then looks
 * fine. A time window makes the threads overlap; the count is only a cap.
 * It also bounds FIFO spinlocks once threads outnumber CPUs, where they
 * crawl at a few hundred hand-overs per second (the next in line is
 * usually preempted). One pause inside the critical section widens it
 * enough that a broken lock is caught every time.
 */
#define EXCLUSION_BUDGET_NS (200 * 1000000ull)

static const struct hammer_config exclusion_config = {
	.max_iterations = 100000000,
	.budget_ns = EXCLUSION_BUDGET_NS,
	.cs_spins = 1,
};

/* Hammer an open fixture and check that nothing got in while somebody held it. */
static void check_exclusion_of(struct fixture *f, const struct hammer_config *config)
{
	const char *how = config->use_try ? " (try_acquire)" : config->mixed_try ? " (mixed)" : "";
	const char *name = f->ops->name;
	unsigned nthreads = config->nthreads;
	struct hammer h;

	hammer(&h, f, config);
	cr_expect_gt(atomic_load(&h.acquisitions), 0, "%s at %u threads%s: no progress",
		     name, nthreads, how);
	cr_expect_eq(atomic_load(&h.violations), 0, "%s at %u threads%s: %ld canary violations",
		     name, nthreads, how, atomic_load(&h.violations));
	cr_expect_eq(atomic_load(&h.counter), atomic_load(&h.acquisitions),
		     "%s at %u threads%s: counter %lu after %lu acquisitions", name, nthreads,
		     how, atomic_load(&h.counter), atomic_load(&h.acquisitions));
	cr_expect_eq(h.plain, atomic_load(&h.acquisitions),
		     "%s at %u threads%s: plain counter %lu after %lu acquisitions", name,
		     nthreads, how, h.plain, atomic_load(&h.acquisitions));
	cr_expect_eq(atomic_load(&h.failed_releases), 0,
		     "%s at %u threads%s: %ld releases returned -1", name, nthreads, how,
		     atomic_load(&h.failed_releases));
}

static void check_exclusion(const struct lb_lock_ops *ops, const struct hammer_config *config)
{
	struct fixture f;

	fixture_open(&f, ops, config->nthreads);
	check_exclusion_of(&f, config);
	fixture_close(&f);
}

/* Every lock that claims to exclude, at nthreads threads. */
static void check_exclusion_all(unsigned nthreads)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = nthreads;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if (!(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			check_exclusion(lb_locks[i], &config);
}

/* ---- tests ---- */

/*
 * The symbols of locks/registry.def, read the way registry.c reads them,
 * so that a line whose symbol and lock name disagree is caught.
 */
static const char *const registry_symbols[] = {
#define LB_LOCK(sym) #sym,
#include "locks/registry.def"
#undef LB_LOCK
};

Test(registry, tables_are_well_formed, .timeout = 30)
{
	size_t n = 0;

	for (size_t i = 0; lb_locks[i] != NULL; i++, n++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		uint32_t caps = ops->caps;

		cr_expect_eq(ops->abi_version, LB_LOCK_ABI_VERSION, "%s: abi_version", ops->name);
		cr_expect_gt(ops->state_size, 0, "%s: state_size", ops->name);
		cr_expect_not_null(ops->acquire, "%s: acquire", ops->name);
		cr_expect_not_null(ops->release, "%s: release", ops->name);
		cr_expect_eq(!!(caps & LB_CAP_TRY), ops->try_acquire != NULL, "%s: TRY", ops->name);
		cr_expect_eq(!!(caps & LB_CAP_TIMED), ops->acquire_until != NULL, "%s: TIMED",
			     ops->name);
		cr_expect_eq(!!(caps & LB_CAP_POLL), ops->poll != NULL, "%s: POLL", ops->name);
		cr_expect_neq(!!(caps & LB_CAP_SPINS) + !!(caps & LB_CAP_SLEEPS), 2,
			      "%s: both SPINS and SLEEPS", ops->name);
		cr_expect_eq(strspn(ops->name, "abcdefghijklmnopqrstuvwxyz0123456789-"),
			     strlen(ops->name), "%s: name outside [a-z0-9-]", ops->name);
		cr_expect_eq(lb_lock_find(ops->name), ops, "%s: lb_lock_find", ops->name);
	}
	cr_expect_eq(n, sizeof(registry_symbols) / sizeof(registry_symbols[0]),
		     "lb_locks and registry.def differ in length");
	for (size_t i = 0; i < n && i < sizeof(registry_symbols) / sizeof(registry_symbols[0]); i++) {
		char name[64];
		size_t k;

		/* LB_LOCK(x) is the lock called x with '_' written '-', at the same place. */
		for (k = 0; registry_symbols[i][k] != '\0' && k + 1 < sizeof(name); k++)
			name[k] = registry_symbols[i][k] == '_' ? '-' : registry_symbols[i][k];
		name[k] = '\0';
		cr_expect_str_eq(lb_locks[i]->name, name, "LB_LOCK(%s) is a lock called \"%s\"",
				 registry_symbols[i], lb_locks[i]->name);
		for (size_t j = 0; j < i; j++)
			cr_expect(strcmp(lb_locks[i]->name, lb_locks[j]->name) != 0,
				  "two locks called %s", lb_locks[i]->name);
	}
	cr_expect_str_eq(lb_locks[0]->name, "pthread", "the baseline comes first");
	cr_expect_null(lb_lock_find("nosuchlock"));
	cr_expect_null(lb_lock_find(""));
	cr_expect_null(lb_lock_find(NULL));
}

Test(registry, defaults_parse_within_bounds_and_init, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;

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
		fixture_open(&f, ops, 4);
		fixture_close(&f);
	}
}

Test(exclusion, two_threads, .timeout = 60)
{
	check_exclusion_all(2);
}

Test(exclusion, four_threads, .timeout = 60)
{
	check_exclusion_all(4);
}

Test(exclusion, eight_threads, .timeout = 60)
{
	check_exclusion_all(8);
}

/* try_acquire alone must exclude too (and order, under TSan). */
Test(exclusion, try_acquire_two_threads, .timeout = 60)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = 2;
	config.use_try = true;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if ((lb_locks[i]->caps & LB_CAP_TRY) && !(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			check_exclusion(lb_locks[i], &config);
}

/* The checker itself: with no lock, two threads must be seen colliding. */
Test(exclusion, none_lock_is_caught, .timeout = 60)
{
	const struct lb_lock_ops *ops = lock_named("none");
	const struct hammer_config config = {
		.nthreads = 2,
		.max_iterations = 10000,
		.budget_ns = UINT64_MAX,
		.cs_spins = 20,
	};
	bool caught = false;

	for (int round = 0; round < 1000 && !caught; round++) {
		struct fixture f;
		struct hammer h;

		fixture_open(&f, ops, 2);
		hammer(&h, &f, &config);
		fixture_close(&f);
		caught = atomic_load(&h.violations) > 0 ||
			 atomic_load(&h.counter) != atomic_load(&h.acquisitions);
	}
	cr_expect(caught, "the none lock never showed a violation or a lost update");
}

struct other_thread {
	struct fixture *f;
	bool (*fn)(struct fixture *f);
	bool result;
};

static void *other_thread_run(void *arg)
{
	struct other_thread *o = arg;

	o->result = o->fn(o->f);
	return NULL;
}

/* Run fn(f) on a new thread (which uses node 1) and return its result. */
static bool on_other_thread(struct fixture *f, bool (*fn)(struct fixture *f))
{
	struct other_thread o = { .f = f, .fn = fn };
	pthread_t tid;

	cr_assert_eq(pthread_create(&tid, NULL, other_thread_run, &o), 0);
	pthread_join(tid, NULL);
	return o.result;
}

static bool try_acquire_and_release(struct fixture *f)
{
	void *node = fixture_node(f, 1);

	if (!f->ops->try_acquire(f->state, node))
		return false;
	cr_expect_eq(f->ops->release(f->state, node), 0, "%s: release after try", f->ops->name);
	return true;
}

Test(try_acquire, free_held_released, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;
		void *node = NULL;

		if (!(ops->caps & LB_CAP_TRY) || (ops->caps & LB_CAP_NO_EXCLUSION))
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

/*
 * Locks that can tell a free lock from a held one, or know whether the
 * caller holds it, must refuse to release it.
 */
Test(release, of_a_free_lock_fails, .timeout = 30)
{
	static const char *const names[] = {
		"ticket", "mcs", "gil", "futex", "tas", "ttas", "ticket-futex", "mcs-park",
		"clh", "anderson", "gil-old", "rlock",
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct lb_lock_ops *ops = lock_named(names[i]);
		struct fixture f;
		void *node;

		fixture_open(&f, ops, 2);
		node = fixture_node(&f, 0);
		cr_expect_eq(ops->release(f.state, node), -1, "%s: release of a never-held lock",
			     ops->name);
		ops->acquire(f.state, node);
		cr_expect_eq(ops->release(f.state, node), 0, "%s: release", ops->name);
		cr_expect_eq(ops->release(f.state, node), -1, "%s: second release", ops->name);
		/* The failed releases changed nothing: the lock still works. */
		if (ops->try_acquire != NULL)
			cr_expect(ops->try_acquire(f.state, node), "%s: try after failed release",
				  ops->name);
		else
			ops->acquire(f.state, node);
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

Test(acquire_until, times_out_while_held, .timeout = 30)
{
	size_t timed = 0;

	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;
		void *node;

		if (!(ops->caps & LB_CAP_TIMED))
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
	cr_expect_geq(timed, 3, "pthread, pthread-adaptive and futex are timed");
}

/* A deadline already past: no wait at all, but still false while held. */
static bool acquire_until_past(struct fixture *f)
{
	if (!f->ops->acquire_until(f->state, fixture_node(f, 1), monotonic_ns() - 1000000))
		return false;
	cr_expect_eq(f->ops->release(f->state, fixture_node(f, 1)), 0);
	return true;
}

Test(acquire_until, past_deadline_fails_while_held, .timeout = 30)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		struct fixture f;

		if (!(ops->caps & LB_CAP_TIMED))
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

/* ---- the lock zoo: parameters, slot arrays, parking, FIFO hand-over ---- */

/* Open ops with its defaults, except the named parameter. */
static int fixture_try_open_param(struct fixture *f, const struct lb_lock_ops *ops,
				  const char *name, union lb_value value, unsigned nthreads,
				  char *err, size_t errlen)
{
	union lb_value params[MAX_PARAMS];

	default_params(ops, params);
	params[param_index(ops, name)] = value;
	return fixture_try_open(f, ops, params, nthreads, err, errlen);
}

static void fixture_open_param(struct fixture *f, const struct lb_lock_ops *ops,
			       const char *name, union lb_value value, unsigned nthreads)
{
	char err[256] = "";

	cr_assert_eq(fixture_try_open_param(f, ops, name, value, nthreads, err, sizeof(err)), 0,
		     "%s: init failed: %s", ops->name, err);
}

/* init must fail with a message naming what was wrong. */
static void expect_init_fails(const struct lb_lock_ops *ops, const char *name,
			      union lb_value value, unsigned nthreads, const char *says)
{
	struct fixture f;
	char err[256] = "";

	cr_expect_eq(fixture_try_open_param(&f, ops, name, value, nthreads, err, sizeof(err)), -1,
		     "%s: init accepted %s", ops->name, name);
	cr_expect_neq(strstr(err, says), NULL, "%s: the error says \"%s\": %s", ops->name, says,
		      err);
}

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

/* The slot arrays hold 1024 slots: more threads must be refused at init. */
Test(params, slot_arrays_refuse_more_than_1024_threads, .timeout = 30)
{
	static const char *const names[] = {
		"anderson", "ticket-futex",
#ifdef LB_HAVE_CK
		"ck-anderson",
#endif
	};

	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
		const struct lb_lock_ops *ops = lock_named(names[i]);
		union lb_value params[MAX_PARAMS];
		struct fixture f;
		char err[256] = "";

		default_params(ops, params);
		fixture_open_with(&f, ops, params, 1024);
		fixture_close(&f);
		cr_expect_eq(fixture_try_open(&f, ops, params, 1025, err, sizeof(err)), -1,
			     "%s: init accepted 1025 threads", ops->name);
		cr_expect_neq(strstr(err, "1024"), NULL, "%s: the error gives the limit: %s",
			      ops->name, err);
	}
}

/*
 * Slot arrays with a thread count that is not a power of two (3 threads,
 * 4 slots), so slots go unused and the tickets wrap round the array many
 * times in the window.
 */
Test(exclusion, slot_arrays_at_three_threads, .timeout = 60)
{
	static const char *const names[] = {
		"anderson", "ticket-futex",
#ifdef LB_HAVE_CK
		"ck-anderson",
#endif
	};
	struct hammer_config config = exclusion_config;

	config.nthreads = 3;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		check_exclusion(lock_named(names[i]), &config);
}

/* Queued waiters and try_acquire side by side: try must not jump a queue it cannot see. */
Test(exclusion, try_and_acquire_mixed_four_threads, .timeout = 90)
{
	struct hammer_config config = exclusion_config;

	config.nthreads = 4;
	config.mixed_try = true;
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		if ((lb_locks[i]->caps & LB_CAP_TRY) && !(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
			check_exclusion(lb_locks[i], &config);
}

/*
 * mcs-park with spin=0 parks every waiter that finds the lock held, so the
 * hand-over to a sleeping successor (the exchange, the wake) is what the
 * hammer exercises; parks > 0 proves that path ran.
 */
Test(exclusion, mcs_park_parking_every_waiter, .timeout = 60)
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

Test(exclusion, ticket_futex_sleeps_and_wakes, .timeout = 60)
{
	struct hammer_config config = exclusion_config;
	struct fixture f;

	config.nthreads = 4;
	fixture_open(&f, lock_named("ticket-futex"), 4);
	check_exclusion_of(&f, &config);
	cr_expect_gt(counter_value(&f, "sleeps"), 0, "no waiter ever slept");
	cr_expect_gt(counter_value(&f, "wakes"), 0, "no sleeper was ever woken");
	fixture_close(&f);
}

Test(exclusion, futex_sleeps_and_wakes, .timeout = 60)
{
	struct hammer_config config = exclusion_config;
	struct fixture f;

	config.nthreads = 4;
	fixture_open(&f, lock_named("futex"), 4);
	check_exclusion_of(&f, &config);
	cr_expect_gt(counter_value(&f, "sleeps"), 0, "no waiter ever slept");
	cr_expect_gt(counter_value(&f, "wakes"), 0, "no sleeper was ever woken");
	fixture_close(&f);
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

Test(fifo, ticket_futex_wakes_the_next_ticket, .timeout = 60)
{
	struct fixture f;

	fixture_open(&f, lock_named("ticket-futex"), 4);
	check_fifo_hand_over(&f, "sleeps");
	fixture_close(&f);
}

Test(fifo, mcs_park_hands_over_in_queue_order, .timeout = 60)
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

static bool acquire_and_release(struct fixture *f)
{
	void *node = fixture_node(f, 1);

	f->ops->acquire(f->state, node);
	cr_expect_eq(f->ops->release(f->state, node), 0, "%s: release", f->ops->name);
	return true;
}

static bool release_as_other_thread(struct fixture *f)
{
	return f->ops->release(f->state, fixture_node(f, 1)) == 0;
}

static void rlock_open(struct fixture *f, const char *base, unsigned nthreads)
{
	fixture_open_param(f, lock_named("rlock"), "base", (union lb_value){ .s = base }, nthreads);
}

/*
 * Python's RLock: the owner may acquire again; it stays held until as many
 * releases; then another thread can take it. A release by anybody else
 * (or one too many) fails and changes nothing. With every kind of base:
 * sleeping, spinning, with and without nodes, with and without try.
 */
Test(rlock, reentrancy_and_misuse, .timeout = 60)
{
	static const char *const bases[] = {
		"pthread", "futex", "tas", "ticket", "mcs", "mcs-park", "clh", "anderson",
		"ticket-futex", "gil-old",
	};

	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		const struct lb_lock_ops *base = lock_named(bases[i]);
		struct fixture f;
		void *node;

		rlock_open(&f, bases[i], 2);
		node = fixture_node(&f, 0);
		f.ops->acquire(f.state, node);
		f.ops->acquire(f.state, node);
		cr_expect(f.ops->try_acquire(f.state, node), "%s: the owner's try must succeed",
			  bases[i]);
		cr_expect_eq(counter_value(&f, "reentries"), 2, "%s: reentries", bases[i]);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release 1 of 3", bases[i]);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release 2 of 3", bases[i]);
		/* Still held once: a non-owner can neither release nor take it. */
		cr_expect_not(on_other_thread(&f, release_as_other_thread),
			      "%s: a non-owner released the lock", bases[i]);
		if (base->try_acquire != NULL)
			cr_expect_not(on_other_thread(&f, try_acquire_and_release),
				      "%s: another thread took a lock still held once", bases[i]);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release 3 of 3", bases[i]);
		cr_expect_eq(f.ops->release(f.state, node), -1, "%s: a fourth release", bases[i]);
		/* Free now: another thread takes it (a base without try: by blocking). */
		if (base->try_acquire != NULL)
			cr_expect(on_other_thread(&f, try_acquire_and_release),
				  "%s: the lock was not free after the last release", bases[i]);
		else
			on_other_thread(&f, acquire_and_release);
		/* The misuse changed nothing: the owner can take it again. */
		f.ops->acquire(f.state, node);
		cr_expect_eq(f.ops->release(f.state, node), 0, "%s: release", bases[i]);
		fixture_close(&f);
	}
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

/* Bases with a node (clh migrates its qnodes) under contention, inside rlock's node. */
Test(exclusion, rlock_over_node_locks_four_threads, .timeout = 60)
{
	static const char *const bases[] = { "clh", "mcs-park", "anderson" };
	struct hammer_config config = exclusion_config;

	config.nthreads = 4;
	for (size_t i = 0; i < sizeof(bases) / sizeof(bases[0]); i++) {
		struct fixture f;

		rlock_open(&f, bases[i], 4);
		check_exclusion_of(&f, &config);
		fixture_close(&f);
	}
}
