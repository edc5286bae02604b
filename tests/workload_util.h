/*
 * workload_util.h — run one workload under one lock through lb_run_config
 * and check its outcome: what the workload tests share
 * (test_workloads_caps.c: trylock, timedlock, nest; test_workloads_blocking.c:
 * condition, semaphore, interp). Every helper fails the test (Criterion)
 * on what it cannot do, naming the workload and the lock. Look locks up
 * by name with lock_named (lock_util.h).
 */
#ifndef LB_TEST_WORKLOAD_UTIL_H
#define LB_TEST_WORKLOAD_UTIL_H

#include <stdbool.h>

#include "engine/run.h"

/* Locks that spin and locks that sleep, for the runs-clean tests. */
extern const char *const spin_and_sleep_locks[];

/* 120 ms windows after 10 ms of warm-up, every acquisition timed, 10 s of grace. */
struct lb_run_opts quick_opts(void);

/*
 * Run wl:wl_kv under ops:lock_kv at n threads (lock_kv and wl_kv may be
 * NULL), unbound or pinned compactly; lb_run_config's result. try_run:
 * unbound; run_ok: unbound, and the run must have been set up.
 */
int try_run_pinned(const struct lb_run_opts *o, bool pinned, const struct lb_lock_ops *ops, const char *lock_kv,
		   const char *wl, const char *wl_kv, unsigned n, struct lb_outcome *out);
int try_run(const struct lb_run_opts *o, const struct lb_lock_ops *ops, const char *lock_kv, const char *wl,
	    const char *wl_kv, unsigned n, struct lb_outcome *out);
void run_ok(const struct lb_run_opts *o, const struct lb_lock_ops *ops, const char *lock_kv, const char *wl,
	    const char *wl_kv, unsigned n, struct lb_outcome *out);

/* A correct lock's outcome: ok, no violation, verify passed, no release error, progress made. */
void expect_clean(const struct lb_outcome *out, const char *wl, const char *lk, unsigned n);
/* wl:wl_kv clean under each of locks (NULL-terminated) at 2 and 4 threads. */
void check_clean(const char *wl, const char *wl_kv, const char *const *locks);
/* The workload's own verify() catches ops (a lock that excludes nothing) in one of up to eight runs. */
void expect_verify_catches(const struct lb_lock_ops *ops, const char *wl, const char *wl_kv, unsigned n);
/* lb_run_config refuses at setup, with needle in a message that starts with the workload's name. */
void expect_setup_error(const struct lb_lock_ops *ops, const char *wl, const char *wl_kv, unsigned n,
			const char *needle);
/* The workload's parameters refuse kv, with needle in the message. */
void expect_param_error(const char *wl, const char *kv, const char *needle);

#endif
