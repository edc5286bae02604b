/*
 * tests/test_rw_validate.c — does every reader-writer lock exclude what it
 * must, and share what it may?
 *
 * The "validate" half for reader-writer locks, beside test_locks_validate.c
 * (which hammers every lock's write side as a mutex): the ops tables are
 * driven from our own pthreads on lock_util.c's fixtures, without the
 * runner, so a lock's bug cannot hide behind the harness's. The locks are
 * every registered lock with LB_CAP_RW — never a list of names — narrowed
 * by LB_TEST_LOCKS as every lock test is (lock_util.h).
 *
 *  - Exclusion in both roles at 2, 4 and 8 threads: a writer must find no
 *    writer and no reader inside (a writer flag and a reader count, checked
 *    on entry and on exit), a reader no writer; the record the writers
 *    rewrite (4 words) must never look torn to a reader and must end equal
 *    to the number of writes. Writers also bump a plain (non-atomic)
 *    counter that readers read: under -fsanitize=thread a lock whose
 *    acquire/release do not order the sections shows up as a data race.
 *  - The same with only try forms and only timed forms, for locks that
 *    have them (both sides).
 *  - Readers share: two readers in long read sections are seen inside
 *    together on every RW lock, and never on a mutex (the measure's
 *    negative control).
 *  - The negative control `none` (no read side: its readers take it
 *    exclusively, as the harness does) is caught by the same checks.
 *  - The tables: LB_CAP_RW if and only if the read side is there, try and
 *    timed on both sides, at most one policy, and every RW lock states one
 *    (or FIFO).
 * No test asserts how long anything took.
 */
#include <criterion/criterion.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

#include "lock_util.h"
#include "locks/cpu.h"

#define RW_WORDS 4
#define RW_BUDGET_NS (200 * 1000000ull)

enum rw_mode { RW_BLOCKING, RW_TRY, RW_TIMED };

struct rw_config {
	unsigned nthreads;
	unsigned writers;  /* threads 0..writers-1 only write; with mixed, ignored */
	bool mixed;        /* every thread writes one operation in four */
	enum rw_mode mode;
	unsigned cs_spins; /* pauses inside every section */
	uint64_t budget_ns;
	long max_ops;      /* per thread */
};

struct rw_hammer {
	struct fixture *f;
	struct rw_config c;
	pthread_barrier_t start;
	_Atomic unsigned writer_in, readers_in, max_readers;
	_Atomic uint64_t words[RW_WORDS];
	bool plain_ok;          /* real locks: writers bump `plain`, readers read it */
	uint64_t plain;
	_Atomic long violations, torn, reads, writes, failed_releases;
};

struct rw_worker {
	struct rw_hammer *h;
	unsigned id;
	pthread_t tid;
};

/* Take one side per the mode; reads take the lock exclusively when it has no read side. */
static void take(struct rw_hammer *h, void *node, bool write)
{
	const struct lb_lock_ops *o = h->f->ops;
	void *state = h->f->state;
	bool shared = !write && o->read_acquire != NULL;
	switch (h->c.mode) {
	case RW_BLOCKING:
		(shared ? o->read_acquire : o->acquire)(state, node);
		return;
	case RW_TRY:
		while (!(shared ? o->read_try_acquire : o->try_acquire)(state, node))
			lb_cpu_relax();
		return;
	case RW_TIMED:
		while (!(shared ? o->read_acquire_until : o->acquire_until)(state, node, monotonic_ns() + 20000))
			;
		return;
	}
}

static int give(struct rw_hammer *h, void *node, bool write)
{
	const struct lb_lock_ops *o = h->f->ops;
	bool shared = !write && o->read_release != NULL;
	return (shared ? o->read_release : o->release)(h->f->state, node);
}

static void spin(unsigned n)
{
	for (unsigned k = 0; k < n; k++)
		lb_cpu_relax();
}

static long do_write(struct rw_hammer *h, void *node)
{
	long bad = 0;
	take(h, node, true);
	bad += atomic_load_explicit(&h->writer_in, memory_order_relaxed) != 0 ||
	       atomic_load_explicit(&h->readers_in, memory_order_relaxed) != 0;
	atomic_store_explicit(&h->writer_in, 1, memory_order_relaxed);
	uint64_t v = atomic_load_explicit(&h->words[0], memory_order_relaxed) + 1;
	atomic_store_explicit(&h->words[0], v, memory_order_relaxed);
	spin(h->c.cs_spins);
	for (unsigned i = 1; i < RW_WORDS; i++)
		atomic_store_explicit(&h->words[i], v, memory_order_relaxed);
	if (h->plain_ok)
		h->plain++;
	bad += atomic_load_explicit(&h->readers_in, memory_order_relaxed) != 0;
	atomic_store_explicit(&h->writer_in, 0, memory_order_relaxed);
	atomic_fetch_add(&h->failed_releases, give(h, node, true) != 0);
	return bad;
}

static long do_read(struct rw_hammer *h, void *node, long *torn, uint64_t *sink)
{
	long bad = 0;
	take(h, node, false);
	unsigned in = atomic_fetch_add_explicit(&h->readers_in, 1, memory_order_relaxed) + 1;
	unsigned m = atomic_load_explicit(&h->max_readers, memory_order_relaxed);
	while (in > m && !atomic_compare_exchange_weak(&h->max_readers, &m, in))
		;
	bad += atomic_load_explicit(&h->writer_in, memory_order_relaxed) != 0;
	uint64_t v = atomic_load_explicit(&h->words[0], memory_order_relaxed);
	spin(h->c.cs_spins);
	for (unsigned i = 1; i < RW_WORDS; i++)
		*torn += atomic_load_explicit(&h->words[i], memory_order_relaxed) != v;
	if (h->plain_ok)
		*sink += h->plain;
	bad += atomic_load_explicit(&h->writer_in, memory_order_relaxed) != 0;
	atomic_fetch_sub_explicit(&h->readers_in, 1, memory_order_relaxed);
	atomic_fetch_add(&h->failed_releases, give(h, node, false) != 0);
	return bad;
}

static void *worker(void *arg)
{
	struct rw_worker *w = arg;
	struct rw_hammer *h = w->h;
	void *node = fixture_node(h->f, w->id);
	uint64_t rng = 0x9e3779b97f4a7c15ull * (w->id + 1), sink = 0;
	long bad = 0, torn = 0, reads = 0, writes = 0;

	pthread_barrier_wait(&h->start);
	uint64_t deadline = h->c.budget_ns == UINT64_MAX ? UINT64_MAX : monotonic_ns() + h->c.budget_ns;
	for (long i = 0; i < h->c.max_ops; i++) {
		if (i > 0 && monotonic_ns() > deadline)
			break;
		rng ^= rng << 13, rng ^= rng >> 7, rng ^= rng << 17;
		bool write = h->c.mixed ? rng % 4 == 0 : w->id < h->c.writers;
		if (write) {
			bad += do_write(h, node);
			writes++;
		} else {
			bad += do_read(h, node, &torn, &sink);
			reads++;
		}
	}
	atomic_fetch_add(&h->violations, bad);
	atomic_fetch_add(&h->torn, torn);
	atomic_fetch_add(&h->reads, reads);
	atomic_fetch_add(&h->writes, writes);
	return (void *)(uintptr_t)sink;
}

/* Run config's threads on an open fixture; the figures are in h. */
static void rw_hammer(struct rw_hammer *h, struct fixture *f, const struct rw_config *c)
{
	struct rw_worker w[MAX_THREADS];
	memset(h, 0, sizeof *h);
	h->f = f;
	h->c = *c;
	h->plain_ok = !(f->ops->caps & LB_CAP_NO_EXCLUSION);
	cr_assert_leq(c->nthreads, MAX_THREADS);
	pthread_barrier_init(&h->start, NULL, c->nthreads);
	for (unsigned i = 0; i < c->nthreads; i++) {
		w[i] = (struct rw_worker){ .h = h, .id = i };
		cr_assert_eq(pthread_create(&w[i].tid, NULL, worker, &w[i]), 0);
	}
	for (unsigned i = 0; i < c->nthreads; i++)
		pthread_join(w[i].tid, NULL);
	pthread_barrier_destroy(&h->start);
}

static const char *mode_name(enum rw_mode m)
{
	return m == RW_TRY ? " (try)" : m == RW_TIMED ? " (timed)" : "";
}

/* Hammer a fresh instance of ops and require exclusion, consistency and progress. */
static void check_rw(const struct lb_lock_ops *ops, const struct rw_config *c)
{
	struct fixture f;
	struct rw_hammer h;
	fixture_open(&f, ops, c->nthreads);
	rw_hammer(&h, &f, c);
	const char *how = mode_name(c->mode);
	const char *kind = c->mixed ? "mixed" : "fixed roles";
	long reads = atomic_load(&h.reads), writes = atomic_load(&h.writes);
	cr_expect_gt(reads + writes, 0, "%s at %u threads%s, %s: no progress", ops->name, c->nthreads, how, kind);
	cr_expect_eq(atomic_load(&h.violations), 0,
		     "%s at %u threads%s, %s: %ld violations (writer with anyone inside, reader with a writer)",
		     ops->name, c->nthreads, how, kind, atomic_load(&h.violations));
	cr_expect_eq(atomic_load(&h.torn), 0, "%s at %u threads%s, %s: %ld torn reads", ops->name, c->nthreads, how,
		     kind, atomic_load(&h.torn));
	cr_expect_eq(atomic_load(&h.words[0]), (uint64_t)writes, "%s at %u threads%s, %s: record %lu after %ld writes",
		     ops->name, c->nthreads, how, kind, (unsigned long)atomic_load(&h.words[0]), writes);
	cr_expect_eq(h.plain, (uint64_t)writes, "%s at %u threads%s, %s: plain counter", ops->name, c->nthreads, how,
		     kind);
	cr_expect_eq(atomic_load(&h.failed_releases), 0, "%s at %u threads%s, %s: releases returned -1", ops->name,
		     c->nthreads, how, kind);
	fixture_close(&f);
}

static void check_every_rw_lock(unsigned nthreads, enum rw_mode mode)
{
	struct rw_config mixed = { .nthreads = nthreads, .mixed = true, .mode = mode, .cs_spins = 1,
				   .budget_ns = RW_BUDGET_NS / 2, .max_ops = 100000000 };
	struct rw_config fixed = mixed;
	fixed.mixed = false;
	fixed.writers = nthreads / 2;
	uint32_t need = LB_CAP_RW | (mode == RW_TRY ? LB_CAP_TRY : mode == RW_TIMED ? LB_CAP_TIMED : 0);
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		if (!lock_selected(ops) || (ops->caps & need) != need)
			continue;
		check_rw(ops, &mixed);
		check_rw(ops, &fixed);
	}
}

Test(validate_rw_exclusion, two_threads, .timeout = 120)
{
	check_every_rw_lock(2, RW_BLOCKING);
}

Test(validate_rw_exclusion, four_threads, .timeout = 120)
{
	check_every_rw_lock(4, RW_BLOCKING);
}

Test(validate_rw_exclusion, eight_threads, .timeout = 180)
{
	check_every_rw_lock(8, RW_BLOCKING);
}

Test(validate_rw_exclusion, try_forms_two_threads, .timeout = 120)
{
	check_every_rw_lock(2, RW_TRY);
}

Test(validate_rw_exclusion, timed_forms_two_threads, .timeout = 120)
{
	check_every_rw_lock(2, RW_TIMED);
}

/* Two readers in long read sections: the most seen inside together. */
static unsigned readers_together(const struct lb_lock_ops *ops)
{
	struct rw_config c = { .nthreads = 2, .writers = 0, .mode = RW_BLOCKING, .cs_spins = 2000,
			       .budget_ns = RW_BUDGET_NS / 4, .max_ops = 100000000 };
	struct fixture f;
	struct rw_hammer h;
	fixture_open(&f, ops, c.nthreads);
	rw_hammer(&h, &f, &c);
	unsigned m = atomic_load(&h.max_readers);
	fixture_close(&f);
	return m;
}

/* Inside together on every RW lock (a loaded machine may need a few windows), never on a mutex. */
Test(validate_rw_sharing, readers_share_every_rw_lock_and_never_a_mutex, .timeout = 120)
{
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *ops = lb_locks[i];
		if (!lock_selected(ops) || !(ops->caps & LB_CAP_RW))
			continue;
		unsigned m = 0;
		for (int round = 0; round < 5 && m < 2; round++)
			m = readers_together(ops);
		cr_expect_geq(m, 2, "%s: two readers never inside together", ops->name);
	}
	cr_expect_eq(readers_together(lock_named("pthread")), 1, "a mutex must never show two readers inside");
}

/* The checker: with no lock, writers and readers must be seen together. */
Test(validate_rw_exclusion, none_is_caught, .timeout = 60)
{
	const struct rw_config c = { .nthreads = 2, .mixed = true, .mode = RW_BLOCKING, .cs_spins = 20,
				     .budget_ns = UINT64_MAX, .max_ops = 20000 };
	bool caught = false;
	for (int round = 0; round < 200 && !caught; round++) {
		struct fixture f;
		struct rw_hammer h;
		fixture_open(&f, lock_named("none"), c.nthreads);
		rw_hammer(&h, &f, &c);
		caught = atomic_load(&h.violations) > 0 || atomic_load(&h.torn) > 0 ||
			 atomic_load(&h.words[0]) != (uint64_t)atomic_load(&h.writes);
		fixture_close(&f);
	}
	cr_expect(caught, "none: no violation, torn read or lost write was ever seen");
}

Test(validate_rw_registry, tables_agree_with_their_caps, .timeout = 30)
{
	const uint32_t policies = LB_CAP_READER_PREF | LB_CAP_WRITER_PREF | LB_CAP_PHASE_FAIR;
	unsigned nrw = 0;
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		const struct lb_lock_ops *o = lb_locks[i];
		bool rw = o->caps & LB_CAP_RW;
		nrw += rw;
		if (!lock_selected(o))
			continue;
		cr_expect_eq(rw, o->read_acquire != NULL, "%s: RW vs read_acquire", o->name);
		cr_expect_eq(rw, o->read_release != NULL, "%s: RW vs read_release", o->name);
		cr_expect_eq(rw && (o->caps & LB_CAP_TRY), o->read_try_acquire != NULL, "%s: TRY vs read_try_acquire",
			     o->name);
		cr_expect_eq(rw && (o->caps & LB_CAP_TIMED), o->read_acquire_until != NULL,
			     "%s: TIMED vs read_acquire_until", o->name);
		cr_expect(__builtin_popcount(o->caps & policies) <= 1, "%s: more than one policy", o->name);
		cr_expect(rw || !(o->caps & policies), "%s: a policy without LB_CAP_RW", o->name);
		cr_expect(!rw || (o->caps & (policies | LB_CAP_FIFO)), "%s: an RW lock states its policy", o->name);
	}
	if (!locks_filtered())
		cr_expect_geq(nrw, 7, "the built-in reader-writer locks are registered");
}
