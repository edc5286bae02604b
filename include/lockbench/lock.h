/*
 * lockbench/lock.h — the lock interface, public and versioned.
 *
 * Every lock lockbench can measure, built into lockbench (one file each in locks/) or loaded from a
 * user's shared object, is described by one `struct lb_lock_ops`. The runner
 * owns all memory: it allocates the lock state (state_size bytes, aligned to
 * at least a cache line, zeroed) and one per-thread node for every thread
 * (node_size bytes on cache lines of its own, zeroed; node is NULL when
 * node_size is 0). A lock never allocates on its acquire/release path.
 *
 * A plug-in is a shared object that exports
 *
 *     const struct lb_lock_ops lockbench_lock;
 *
 * with abi_version = LB_LOCK_ABI_VERSION. lockbench reads abi_version first
 * and refuses any other value, so the rest of the layout may change between
 * versions without a plug-in being misread.
 */
#ifndef LOCKBENCH_LOCK_H
#define LOCKBENCH_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LB_LOCK_ABI_VERSION 1u

/* The symbol a plug-in exports. */
#define LB_PLUGIN_SYMBOL "lockbench_lock"

/* Alignment and padding unit for anything two threads might both touch. */
#define LB_CACHELINE 64

/* Capability flags: what `lockbench list` shows and what workloads require. */
enum lb_cap {
	LB_CAP_FIFO = 1u << 0,         /* grants the lock in arrival order */
	LB_CAP_SPINS = 1u << 1,        /* waiters burn CPU while waiting */
	LB_CAP_SLEEPS = 1u << 2,       /* waiters block in the kernel */
	LB_CAP_TRY = 1u << 3,          /* try_acquire is provided */
	LB_CAP_TIMED = 1u << 4,        /* acquire_until is provided */
	LB_CAP_POLL = 1u << 5,         /* poll does work (the GIL's eval breaker) */
	LB_CAP_REENTRANT = 1u << 6,    /* the owner may acquire again */
	LB_CAP_NO_EXCLUSION = 1u << 7, /* excludes nothing: the checker's negative control */
	LB_CAP_CHECKS_RELEASE = 1u << 8, /* release of a lock nobody holds returns -1, changing nothing */
	LB_CAP_KNOWS_OWNER = 1u << 9,    /* so does release by any thread not holding it (set both) */
};

/* Types of lock and workload parameters (`name:key=value,...`). */
enum lb_param_type {
	LB_PARAM_INT,      /* integer in [min, max] */
	LB_PARAM_DURATION, /* time with unit ns/us/ms/s, stored in ns, in [min, max] */
	LB_PARAM_BOOL,     /* 0/1, true/false, yes/no, on/off */
	LB_PARAM_STRING,   /* free text (e.g. a base lock's name, a path) */
};

/* One declared parameter. Arrays of these end with an entry whose name is NULL. */
struct lb_param {
	const char *name;
	enum lb_param_type type;
	const char *def;  /* default, written as a user would type it */
	const char *help; /* one line */
	int64_t min, max; /* inclusive bounds for INT and DURATION (ns) */
};

/* A parsed parameter value: INT, DURATION (ns) and BOOL (0/1) in .i; STRING in .s. */
union lb_value {
	int64_t i;
	const char *s;
};

/* A named event count a lock reports after a run (e.g. the GIL's drop requests). */
struct lb_counter {
	const char *name;
	uint64_t value;
};

struct lb_lock_ops {
	uint32_t abi_version; /* LB_LOCK_ABI_VERSION; must stay the first member */
	const char *name;     /* [a-z0-9-]+, unique */
	const char *summary;  /* one line for `lockbench list` */
	size_t state_size;    /* bytes of lock state (> 0) */
	size_t state_align;   /* alignment of the state; the runner uses at least LB_CACHELINE */
	size_t node_size;     /* bytes of per-thread node, 0 if none */
	uint32_t caps;        /* enum lb_cap bits */
	const struct lb_param *params; /* declared parameters, NULL-name terminated; may be NULL */

	/*
	 * Optional: prepare a zeroed state for up to nthreads threads, with
	 * params[i] the value of the i-th declared parameter. Returns 0, or -1
	 * after writing a one-line reason into err. NULL when the zeroed state
	 * already is a free lock and there is nothing to check or copy.
	 */
	int (*init)(void *state, const union lb_value *params, unsigned nthreads,
		    char *err, size_t errlen);
	/* Release what init acquired (optional). */
	void (*destroy)(void *state);

	/* Block until the caller holds the lock. */
	void (*acquire)(void *state, void *node);
	/* Give the lock up. Returns 0, or -1 if the caller does not hold it. */
	int (*release)(void *state, void *node);

	/* Optional (LB_CAP_TRY): take the lock only if that needs no waiting. */
	bool (*try_acquire)(void *state, void *node);
	/* Optional (LB_CAP_TIMED): wait until deadline_ns on CLOCK_MONOTONIC at most. */
	bool (*acquire_until)(void *state, void *node, uint64_t deadline_ns);
	/*
	 * Optional: called by a holder every so often inside a long critical
	 * section; a lock may hand itself over here (the GIL's drop request).
	 * On return the caller holds the lock again.
	 */
	void (*poll)(void *state, void *node);
	/*
	 * Optional: write up to max event counters into out, return how many.
	 * Called after all threads have stopped.
	 */
	size_t (*counters)(void *state, struct lb_counter *out, size_t max);
};

#endif
