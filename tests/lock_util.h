/*
 * lock_util.h — drive a lock's ops table directly, laid out the way the
 * runner lays it out, for the lock tests (test_locks_validate.c: what every
 * lock must do; test_locks_mechanisms.c: each lock's own mechanism).
 *
 * The tests use our own pthreads, independent of the runner, so that a bug
 * in a lock cannot hide behind a bug in the harness. They link the
 * validation build of locks/ (LB_LOCK_CHECKS, see locks/registry.h).
 *
 * LB_TEST_LOCKS=name[,name...] in the environment restricts every loop over
 * the registry to those locks (`make check-extend-lock` validates one new
 * lock that way); unset, every built-in lock is tested.
 */
#ifndef LB_TEST_LOCK_UTIL_H
#define LB_TEST_LOCK_UTIL_H

#include <pthread.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "locks/registry.h"

#define MAX_THREADS 8
#define MAX_PARAMS 8

/* A lock instance: state and MAX_THREADS nodes, zeroed, as the runner gives them. */
struct fixture {
	const struct lb_lock_ops *ops;
	void *state;
	size_t state_bytes;  /* state_size rounded up; a guard area of as many bytes follows */
	unsigned char *nodes;
	size_t node_stride;
};

/* Whether LB_TEST_LOCKS lets this lock be tested; and whether it is set at all. */
bool lock_selected(const struct lb_lock_ops *ops);
bool locks_filtered(void);
/* How many of the names in LB_TEST_LOCKS are no built-in lock (a typo would test nothing). */
size_t locks_filter_unknown(void);

/* A declared default parsed as a user would have typed it; all of a lock's defaults. */
union lb_value parse_default(const struct lb_param *p);
size_t default_params(const struct lb_lock_ops *ops, union lb_value *values);
/* Index of the declared parameter called name (fails the test if there is none). */
size_t param_index(const struct lb_lock_ops *ops, const char *name);

/* Open ops (init, when it has one); -1 with err filled when init refuses. */
int fixture_try_open(struct fixture *f, const struct lb_lock_ops *ops, const union lb_value *params,
		     unsigned nthreads, char *err, size_t errlen);
void fixture_open_with(struct fixture *f, const struct lb_lock_ops *ops, const union lb_value *params,
		       unsigned nthreads);
/* With every parameter at its default. */
void fixture_open(struct fixture *f, const struct lb_lock_ops *ops, unsigned nthreads);
/* With the defaults except the named parameter. */
int fixture_try_open_param(struct fixture *f, const struct lb_lock_ops *ops, const char *name,
			   union lb_value value, unsigned nthreads, char *err, size_t errlen);
void fixture_open_param(struct fixture *f, const struct lb_lock_ops *ops, const char *name,
			union lb_value value, unsigned nthreads);
/* destroy, check that nothing was written past state_size, free. */
void fixture_close(struct fixture *f);
void *fixture_node(struct fixture *f, unsigned thread);

/* init must refuse the named parameter's value with a message containing `says`. */
void expect_init_fails(const struct lb_lock_ops *ops, const char *name, union lb_value value,
		       unsigned nthreads, const char *says);

const struct lb_lock_ops *lock_named(const char *name);
uint64_t counter_value(struct fixture *f, const char *name);
uint64_t monotonic_ns(void);

/* Run fn(f) on a new thread (which uses node 1) and return its result. */
bool on_other_thread(struct fixture *f, bool (*fn)(struct fixture *f));
/* For on_other_thread: try (and release on success); acquire and release; release only. */
bool try_acquire_and_release(struct fixture *f);
bool acquire_and_release(struct fixture *f);
bool release_as_other_thread(struct fixture *f);

/* The owner canary: enter/leave return 1 for every sign of a second thread inside. */
long canary_enter(_Atomic unsigned *canary, unsigned id);
long canary_leave(_Atomic unsigned *canary, unsigned id);

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

/* The time-bounded hammer every exclusion test uses (see lock_util.c). */
extern const struct hammer_config exclusion_config;

/* Run config's threads on an open fixture; the figures are in h. */
void hammer(struct hammer *h, struct fixture *f, const struct hammer_config *config);
/* Hammer an open fixture and expect no overlap, no lost update, no failed release. */
void check_exclusion_of(struct fixture *f, const struct hammer_config *config);
/* The same on a fresh instance of ops with its default parameters. */
void check_exclusion(const struct lb_lock_ops *ops, const struct hammer_config *config);

#endif
