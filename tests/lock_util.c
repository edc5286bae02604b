/*
 * lock_util.c — lock instances, parameters, other threads and the
 * mutual-exclusion hammer for the lock tests (see lock_util.h).
 */
#include "lock_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <time.h>

#include "locks/cpu.h"

/* ---- which locks ---- */

bool locks_filtered(void)
{
	const char *only = getenv("LB_TEST_LOCKS");

	return only != NULL && only[0] != '\0';
}

bool lock_selected(const struct lb_lock_ops *ops)
{
	const char *only = getenv("LB_TEST_LOCKS");
	size_t n = strlen(ops->name);

	if (!locks_filtered())
		return true;
	for (const char *p = only;; p++) {
		size_t len = strcspn(p, ",");

		if (len == n && strncmp(p, ops->name, n) == 0)
			return true;
		p += len;
		if (*p == '\0')
			return false;
	}
}

size_t locks_filter_unknown(void)
{
	const char *only = getenv("LB_TEST_LOCKS");
	size_t unknown = 0;

	if (!locks_filtered())
		return 0;
	for (const char *p = only;; p++) {
		size_t len = strcspn(p, ",");
		bool found = false;

		for (size_t i = 0; lb_locks[i] != NULL && !found; i++)
			found = strlen(lb_locks[i]->name) == len && strncmp(p, lb_locks[i]->name, len) == 0;
		if (!found) {
			fprintf(stderr, "LB_TEST_LOCKS: no built-in lock called \"%.*s\"\n", (int)len, p);
			unknown++;
		}
		p += len;
		if (*p == '\0')
			return unknown;
	}
}

/* ---- parameters ---- */

union lb_value parse_default(const struct lb_param *p)
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

size_t default_params(const struct lb_lock_ops *ops, union lb_value *values)
{
	size_t n = 0;

	for (const struct lb_param *p = ops->params; p != NULL && p->name != NULL; p++) {
		cr_assert_lt(n, MAX_PARAMS);
		values[n++] = parse_default(p);
	}
	return n;
}

size_t param_index(const struct lb_lock_ops *ops, const char *name)
{
	for (size_t i = 0; ops->params != NULL && ops->params[i].name != NULL; i++)
		if (strcmp(ops->params[i].name, name) == 0)
			return i;
	cr_assert_fail("%s declares no parameter %s", ops->name, name);
	return 0;
}

/* ---- instances ---- */

#define GUARD_BYTE 0xa5

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

/* True if the guard area after the state still holds GUARD_BYTE only. */
static bool guard_intact(const struct fixture *f)
{
	const unsigned char *g = (const unsigned char *)f->state + f->state_bytes;

	for (size_t i = 0; i < f->state_bytes; i++)
		if (g[i] != GUARD_BYTE)
			return false;
	return true;
}

int fixture_try_open(struct fixture *f, const struct lb_lock_ops *ops, const union lb_value *params,
		     unsigned nthreads, char *err, size_t errlen)
{
	size_t align = ops->state_align > LB_CACHELINE ? ops->state_align : LB_CACHELINE;

	f->ops = ops;
	f->state_bytes = round_up(ops->state_size, align);
	/* A guard area as large as the state: a lock that writes past its state_size is caught. */
	f->state = aligned_alloc(align, 2 * f->state_bytes);
	cr_assert_not_null(f->state);
	memset(f->state, 0, f->state_bytes);
	memset((unsigned char *)f->state + f->state_bytes, GUARD_BYTE, f->state_bytes);
	f->node_stride = round_up(ops->node_size, LB_CACHELINE);
	f->nodes = NULL;
	if (ops->node_size > 0) {
		f->nodes = aligned_alloc(LB_CACHELINE, f->node_stride * MAX_THREADS);
		cr_assert_not_null(f->nodes);
		memset(f->nodes, 0, f->node_stride * MAX_THREADS);
	}
	if (ops->init != NULL && ops->init(f->state, params, nthreads, err, errlen) != 0) {
		cr_expect(guard_intact(f), "%s: a failed init wrote past state_size", ops->name);
		free(f->nodes);
		free(f->state);
		return -1;
	}
	cr_expect(guard_intact(f), "%s: init at %u threads wrote past state_size (%zu bytes)",
		  ops->name, nthreads, ops->state_size);
	return 0;
}

void fixture_open_with(struct fixture *f, const struct lb_lock_ops *ops, const union lb_value *params,
		       unsigned nthreads)
{
	char err[256] = "";

	cr_assert_eq(fixture_try_open(f, ops, params, nthreads, err, sizeof(err)), 0,
		     "%s: init failed: %s", ops->name, err);
}

void fixture_open(struct fixture *f, const struct lb_lock_ops *ops, unsigned nthreads)
{
	union lb_value params[MAX_PARAMS];

	default_params(ops, params);
	fixture_open_with(f, ops, params, nthreads);
}

int fixture_try_open_param(struct fixture *f, const struct lb_lock_ops *ops, const char *name,
			   union lb_value value, unsigned nthreads, char *err, size_t errlen)
{
	union lb_value params[MAX_PARAMS];

	default_params(ops, params);
	params[param_index(ops, name)] = value;
	return fixture_try_open(f, ops, params, nthreads, err, errlen);
}

void fixture_open_param(struct fixture *f, const struct lb_lock_ops *ops, const char *name,
			union lb_value value, unsigned nthreads)
{
	char err[256] = "";

	cr_assert_eq(fixture_try_open_param(f, ops, name, value, nthreads, err, sizeof(err)), 0,
		     "%s: init failed: %s", ops->name, err);
}

void fixture_close(struct fixture *f)
{
	if (f->ops->destroy != NULL)
		f->ops->destroy(f->state);
	cr_expect(guard_intact(f), "%s wrote past state_size (%zu bytes)", f->ops->name,
		  f->ops->state_size);
	free(f->nodes);
	free(f->state);
}

void *fixture_node(struct fixture *f, unsigned thread)
{
	return f->nodes == NULL ? NULL : f->nodes + f->node_stride * thread;
}

void expect_init_fails(const struct lb_lock_ops *ops, const char *name, union lb_value value,
		       unsigned nthreads, const char *says)
{
	struct fixture f;
	char err[256] = "";

	cr_expect_eq(fixture_try_open_param(&f, ops, name, value, nthreads, err, sizeof(err)), -1,
		     "%s: init accepted %s", ops->name, name);
	cr_expect_neq(strstr(err, says), NULL, "%s: the error says \"%s\": %s", ops->name, says,
		      err);
}

const struct lb_lock_ops *lock_named(const char *name)
{
	const struct lb_lock_ops *ops = lb_lock_find(name);

	cr_assert_not_null(ops, "no lock called %s", name);
	return ops;
}

uint64_t counter_value(struct fixture *f, const char *name)
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

uint64_t monotonic_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
}

/* ---- another thread ---- */

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

bool on_other_thread(struct fixture *f, bool (*fn)(struct fixture *f))
{
	struct other_thread o = { .f = f, .fn = fn };
	pthread_t tid;

	cr_assert_eq(pthread_create(&tid, NULL, other_thread_run, &o), 0);
	pthread_join(tid, NULL);
	return o.result;
}

bool try_acquire_and_release(struct fixture *f)
{
	void *node = fixture_node(f, 1);

	if (!f->ops->try_acquire(f->state, node))
		return false;
	cr_expect_eq(f->ops->release(f->state, node), 0, "%s: release after try", f->ops->name);
	return true;
}

bool acquire_and_release(struct fixture *f)
{
	void *node = fixture_node(f, 1);

	f->ops->acquire(f->state, node);
	cr_expect_eq(f->ops->release(f->state, node), 0, "%s: release", f->ops->name);
	return true;
}

bool release_as_other_thread(struct fixture *f)
{
	return f->ops->release(f->state, fixture_node(f, 1)) == 0;
}

/* ---- the canary ---- */

long canary_enter(_Atomic unsigned *canary, unsigned id)
{
	long bad = atomic_load_explicit(canary, memory_order_relaxed) != 0;

	atomic_store_explicit(canary, id + 1, memory_order_relaxed);
	return bad;
}

long canary_leave(_Atomic unsigned *canary, unsigned id)
{
	long bad = atomic_load_explicit(canary, memory_order_relaxed) != id + 1;

	atomic_store_explicit(canary, 0, memory_order_relaxed);
	return bad;
}

/* ---- the mutual-exclusion hammer ---- */

/*
 * Threads hammer the lock with an owner canary and a shared counter updated
 * by a separate load and store (relaxed atomics, so the test itself is
 * race-free for TSan but an overlap loses updates). Real locks also guard a
 * plain, non-atomic counter: built with -fsanitize=thread, a lock whose
 * acquire/release do not order the critical sections (a memory order too
 * weak) shows up as a data race.
 */
struct hammer_thread {
	struct hammer *h;
	unsigned id;
	pthread_t tid;
};

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

void hammer(struct hammer *h, struct fixture *f, const struct hammer_config *config)
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

const struct hammer_config exclusion_config = {
	.max_iterations = 100000000,
	.budget_ns = EXCLUSION_BUDGET_NS,
	.cs_spins = 1,
};

void check_exclusion_of(struct fixture *f, const struct hammer_config *config)
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

void check_exclusion(const struct lb_lock_ops *ops, const struct hammer_config *config)
{
	struct fixture f;

	fixture_open(&f, ops, config->nthreads);
	check_exclusion_of(&f, config);
	fixture_close(&f);
}
