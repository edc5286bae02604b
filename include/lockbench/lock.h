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
 * with abi_version = LB_LOCK_ABI_VERSION. lockbench reads abi_version first.
 *
 * Versions. A new version only ever appends fields at the end of the
 * struct; a field never moves or changes meaning. So lockbench loads a
 * plug-in built for an older version by copying that version's prefix of
 * the table and leaving the newer fields NULL/0, and refuses every other
 * value (newer than it knows, or 0) with one line and exit 2.
 *
 *   1  the mutex: everything up to `counters`.
 *   2  reader-writer locks: the read_* operations at the end, and the
 *      capability bits LB_CAP_RW ... LB_CAP_PHASE_FAIR. An ABI-1 plug-in
 *      loads as a mutex (no read side; its caps may not use the v2 bits).
 *
 * Reader-writer locks. There is one lock interface: acquire/release are
 * the exclusive (write) side of every lock, and a reader-writer lock also
 * fills in read_acquire/read_release (shared side) and says so with
 * LB_CAP_RW. A lock without them still runs every reader-writer workload:
 * its readers take it exclusively, which is the baseline a reader-writer
 * lock has to beat. A thread holds at most one side at a time, so one
 * per-thread node serves both sides. LB_CAP_TRY and LB_CAP_TIMED on a
 * reader-writer lock promise both sides (try_acquire and read_try_acquire;
 * acquire_until and read_acquire_until). LB_CAP_CHECKS_RELEASE speaks of
 * the write side (release of a lock nobody holds).
 */
#ifndef LOCKBENCH_LOCK_H
#define LOCKBENCH_LOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define LB_LOCK_ABI_VERSION 2u
/* The oldest version lockbench still loads (see "Versions" above). */
#define LB_LOCK_ABI_MIN_VERSION 1u

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
	/* ABI 2: reader-writer locks. */
	LB_CAP_RW = 1u << 10,          /* read_acquire/read_release: readers share the lock */
	/*
	 * The policy of a reader-writer lock (at most one of these three; with
	 * none, and LB_CAP_FIFO, it is task-fair: requests are granted in arrival
	 * order, consecutive readers together):
	 */
	LB_CAP_READER_PREF = 1u << 11, /* a reader gets in whenever readers hold it: writers can starve */
	LB_CAP_WRITER_PREF = 1u << 12, /* a waiting writer shuts new readers out: readers can starve */
	LB_CAP_PHASE_FAIR = 1u << 13,  /* read and write phases alternate: each side waits at most one phase of the other */
	/*
	 * Added without a new ABI version: a plug-in built before them sets
	 * neither, loads as before, and is treated as before.
	 * TIMED_EMULATED: acquire_until is not the algorithm's own wait but
	 * try_acquire polled until the deadline (a queue lock cannot leave its
	 * queue): it gives up the lock's order while it waits. Set with TIMED.
	 * LIVE_COUNTERS: counters() may also be called while threads run, and
	 * every counter is a count that only grows; lockbench then reads them
	 * as the measured window opens and reports the difference. Without it
	 * lock_counters cover the whole run, warm-up included.
	 */
	LB_CAP_TIMED_EMULATED = 1u << 14,
	LB_CAP_LIVE_COUNTERS = 1u << 15,
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
	 * Called after all threads have stopped; with LB_CAP_LIVE_COUNTERS also
	 * once while they run (read each counter atomically or under the lock's
	 * own mutex, and return the same names in the same order every time).
	 */
	size_t (*counters)(void *state, struct lb_counter *out, size_t max);

	/* ---- ABI 2: the shared (read) side, all NULL for a mutex. ---- */

	/* LB_CAP_RW: block until the caller holds the lock shared with other readers. */
	void (*read_acquire)(void *state, void *node);
	/* LB_CAP_RW: give a read hold up. Returns 0, or -1 if the caller holds none. */
	int (*read_release)(void *state, void *node);
	/* LB_CAP_RW and LB_CAP_TRY: take a read hold only if that needs no waiting. */
	bool (*read_try_acquire)(void *state, void *node);
	/* LB_CAP_RW and LB_CAP_TIMED: wait for a read hold until deadline_ns at most. */
	bool (*read_acquire_until)(void *state, void *node, uint64_t deadline_ns);
};

/* Bytes of an ABI-1 table: the fields before the first ABI-2 one. */
#define LB_LOCK_OPS_V1_SIZE offsetof(struct lb_lock_ops, read_acquire)

#endif
