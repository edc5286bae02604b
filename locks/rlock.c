/*
 * locks/rlock.c — a reentrant lock wrapped around any built-in lock.
 *
 * Semantics: Python's threading.RLock (Lib/threading.py, _PyRLock): an
 * owner and a recursion count on top of a plain lock.
 *	acquire: if the caller owns it, count++; else take the base lock,
 *		 owner = caller, count = 1.
 *	release: if the caller does not own it, fail ("cannot release
 *		 un-acquired lock": here release returns -1 and changes
 *		 nothing; the harness reports it as a release error); else
 *		 count--, and at 0 clear the owner and release the base lock.
 * `rlock:base=mcs` picks the base lock (any built-in lock except `none`,
 * which excludes nothing, and rlock itself), with the base's default
 * parameters. FIFO, spinning or sleeping are the base's; `lockbench list`
 * shows the default base's (pthread: sleeps). A caller's identity is the
 * address of its node (the runner gives each thread its own).
 *
 * Memory: the ops table fixes state_size and node_size, but the base is
 * chosen at run time.
 *  - State: init allocates the base's state (aligned_alloc, zeroed, at
 *    least a cache line aligned, as the runner does) and destroy frees it.
 *    init is not a hot path, and this takes any base, however big (the
 *    array locks need 64 KiB). The acquire path pays one pointer load,
 *    from a line no one writes after init.
 *  - Node: node sizes are small and fixed, so rlock's node reserves
 *    RLOCK_BASE_NODE_MAX bytes and the base's node lives at its start,
 *    keeping the cache-line alignment the runner gives the node. init fails,
 *    saying so, if a base ever needs more.
 *
 * try_acquire: succeeds at once for the owner; otherwise it is the base's
 * try_acquire. A base without one (clh, and the Concurrency Kit queue locks
 * without a trylock) makes rlock's try fail unless the caller already owns
 * the lock:
 * the capability bits are per ops table, so rlock announces `try` for the
 * bases that have it. acquire_until: at once for the owner; otherwise the
 * base's acquire_until, native or emulated as the base's is (results
 * record which: lb_rlock_caps), or over a base without one but with a try
 * (clh has neither), that try polled until the deadline (timed_try.h); over
 * a base with neither it succeeds only for the owner, as try does. No poll:
 * rlock would have to save and restore owner and count around a base's
 * poll that lets another thread in (RLock's _release_save/_acquire_restore);
 * not needed so far.
 *
 * Counters: reentries (acquisitions by the thread already owning the
 * lock), then the base's counters.
 *
 * Memory ordering:
 *  - `owner` [O] is an atomic read by every acquirer, written only by the
 *    thread that holds the base lock (its own identity after taking it,
 *    NULL before releasing it). Relaxed suffices: a thread reads its own
 *    identity only if its own last write was that identity, i.e. while it
 *    owns the lock. Every write of a thread's identity is its own; its
 *    later NULL is sequenced after it; and other threads write owner only
 *    while holding the base lock, which they took after our release of it,
 *    so after our NULL. A non-owner may read any stale value except its own
 *    identity, and then simply goes to the base lock. The base lock's
 *    acquire and release order everything else.
 *  - `count` is touched only by the owner, ordered by the base lock like
 *    any data it protects. So is `reentries` [C], but as a relaxed atomic
 *    (a load and a store, no read-modify-write: there is one writer at a
 *    time), because counters() may read it while threads run: every
 *    built-in base's counters may be read so too, which makes rlock
 *    live-counters.
 *  - base and base_state are written by init, before any thread starts.
 */
#include <errno.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "registry.h"
#include "timed_try.h"

#define RLOCK_BASE_NODE_MAX 256
#define RLOCK_MAX_PARAMS 16

enum { RLOCK_PARAM_BASE };

static const struct lb_param rlock_params[] = {
	[RLOCK_PARAM_BASE] = {
		.name = "base",
		.type = LB_PARAM_STRING,
		.def = "pthread",
		.help = "the lock made reentrant (any built-in lock but none and rlock; its default parameters)",
	},
	{ .name = NULL },
};

/* Defined at the end of this file; init refuses rlock as its own base. */
extern const struct lb_lock_ops lb_lock_rlock;

struct rlock_state {
	alignas(LB_CACHELINE) const struct lb_lock_ops *base;
	void *base_state;
	alignas(LB_CACHELINE) _Atomic(const void *) owner;
	uint64_t count;
	_Atomic uint64_t reentries; /* [C] */
};

/* The base's node at the start; rlock adds nothing (the address is the identity). */
struct rlock_node {
	alignas(LB_CACHELINE) unsigned char base_node[RLOCK_BASE_NODE_MAX];
};

/*
 * A declared default as its lock would get it from the runner. Defaults
 * are written by us, in locks/, so only plain forms occur: an integer, an
 * integer with a unit, a boolean word.
 */
static int rlock_default_value(const struct lb_param *p, union lb_value *v)
{
	static const struct { const char *unit; int64_t ns; } units[] = {
		{ "ns", 1 }, { "us", 1000 }, { "ms", 1000000 }, { "s", 1000000000 }, { "", 1 },
	};
	char *end;
	long long n;

	switch (p->type) {
	case LB_PARAM_STRING:
		v->s = p->def;
		return 0;
	case LB_PARAM_BOOL:
		if (strcmp(p->def, "1") == 0 || strcasecmp(p->def, "true") == 0 ||
		    strcasecmp(p->def, "yes") == 0 || strcasecmp(p->def, "on") == 0) {
			v->i = 1;
			return 0;
		}
		if (strcmp(p->def, "0") == 0 || strcasecmp(p->def, "false") == 0 ||
		    strcasecmp(p->def, "no") == 0 || strcasecmp(p->def, "off") == 0) {
			v->i = 0;
			return 0;
		}
		return -1;
	case LB_PARAM_INT:
	case LB_PARAM_DURATION:
		errno = 0;
		n = strtoll(p->def, &end, 10);
		if (errno != 0 || end == p->def)
			return -1;
		if (p->type == LB_PARAM_INT) {
			v->i = n;
			return *end == '\0' ? 0 : -1;
		}
		for (size_t u = 0; u < sizeof(units) / sizeof(units[0]); u++)
			if (strcmp(end, units[u].unit) == 0) {
				v->i = n * units[u].ns;
				return 0;
			}
		return -1;
	}
	return -1;
}

static int rlock_init(void *state, const union lb_value *params, unsigned nthreads,
		      char *err, size_t errlen)
{
	struct rlock_state *r = state;
	const char *name = params[RLOCK_PARAM_BASE].s;
	const struct lb_lock_ops *base = lb_lock_find(name);
	union lb_value base_params[RLOCK_MAX_PARAMS];
	size_t align, size, n = 0;
	char base_err[200] = "";

	if (base == NULL) {
		snprintf(err, errlen, "rlock: base: no built-in lock called \"%s\"",
			 name != NULL ? name : "");
		return -1;
	}
	if (base == &lb_lock_rlock || (base->caps & LB_CAP_NO_EXCLUSION)) {
		snprintf(err, errlen, "rlock: base: %s cannot be made reentrant", base->name);
		return -1;
	}
	if (base->node_size > RLOCK_BASE_NODE_MAX) {
		snprintf(err, errlen, "rlock: base: %s needs a %zu-byte node, rlock has room for %d",
			 base->name, base->node_size, RLOCK_BASE_NODE_MAX);
		return -1;
	}
	for (const struct lb_param *p = base->params; p != NULL && p->name != NULL; p++, n++) {
		if (n == RLOCK_MAX_PARAMS || rlock_default_value(p, &base_params[n]) != 0) {
			snprintf(err, errlen, "rlock: base: cannot pass %s its parameter %s",
				 base->name, p->name);
			return -1;
		}
	}

	align = base->state_align > LB_CACHELINE ? base->state_align : LB_CACHELINE;
	size = (base->state_size + align - 1) / align * align;
	r->base_state = aligned_alloc(align, size);
	if (r->base_state == NULL) {
		snprintf(err, errlen, "rlock: out of memory for the %s state", base->name);
		return -1;
	}
	memset(r->base_state, 0, size);
	if (base->init != NULL &&
	    base->init(r->base_state, base_params, nthreads, base_err, sizeof(base_err)) != 0) {
		free(r->base_state);
		r->base_state = NULL;
		snprintf(err, errlen, "rlock: base: %s", base_err);
		return -1;
	}
	r->base = base;
	atomic_init(&r->owner, NULL);
	r->count = 0;
	atomic_init(&r->reentries, 0);
	return 0;
}

static void rlock_destroy(void *state)
{
	struct rlock_state *r = state;

	if (r->base->destroy != NULL)
		r->base->destroy(r->base_state);
	free(r->base_state);
	r->base_state = NULL;
}

/* The node to pass to the base: NULL when it takes none, as from the runner. */
static void *rlock_base_node(const struct rlock_state *r, void *node)
{
	return r->base->node_size != 0 ? node : NULL;
}

/* Only the owner writes it; relaxed, so that counters() may read it while threads run. */
static void rlock_count_reentry(struct rlock_state *r)
{
	uint64_t n = atomic_load_explicit(&r->reentries, memory_order_relaxed); /* [C] */
	atomic_store_explicit(&r->reentries, n + 1, memory_order_relaxed);      /* [C] */
}

static bool rlock_owned_by(struct rlock_state *r, const void *me)
{
	return atomic_load_explicit(&r->owner, memory_order_relaxed) == me; /* [O] */
}

static void rlock_become_owner(struct rlock_state *r, const void *me)
{
	atomic_store_explicit(&r->owner, me, memory_order_relaxed); /* [O] */
	r->count = 1;
}

static void rlock_acquire(void *state, void *node)
{
	struct rlock_state *r = state;

	if (rlock_owned_by(r, node)) {
		r->count++;
		rlock_count_reentry(r);
		return;
	}
	r->base->acquire(r->base_state, rlock_base_node(r, node));
	rlock_become_owner(r, node);
}

static int rlock_release(void *state, void *node)
{
	struct rlock_state *r = state;

	if (!rlock_owned_by(r, node))
		return -1;
	if (--r->count > 0)
		return 0;
	atomic_store_explicit(&r->owner, NULL, memory_order_relaxed); /* [O] */
	return r->base->release(r->base_state, rlock_base_node(r, node));
}

static bool rlock_try_acquire(void *state, void *node)
{
	struct rlock_state *r = state;

	if (rlock_owned_by(r, node)) {
		r->count++;
		rlock_count_reentry(r);
		return true;
	}
	if (r->base->try_acquire == NULL ||
	    !r->base->try_acquire(r->base_state, rlock_base_node(r, node)))
		return false;
	rlock_become_owner(r, node);
	return true;
}

static bool rlock_acquire_until(void *state, void *node, uint64_t deadline_ns)
{
	struct rlock_state *r = state;
	void *base_node = rlock_base_node(r, node);
	bool taken;

	if (rlock_owned_by(r, node)) {
		r->count++;
		rlock_count_reentry(r);
		return true;
	}
	if (r->base->acquire_until != NULL)
		taken = r->base->acquire_until(r->base_state, base_node, deadline_ns);
	else if (r->base->try_acquire != NULL)
		taken = lb_timed_by_try(r->base->try_acquire, r->base_state, base_node, deadline_ns);
	else
		taken = false;
	if (taken)
		rlock_become_owner(r, node);
	return taken;
}

uint32_t lb_rlock_caps(const union lb_value *params)
{
	const struct lb_lock_ops *base = params != NULL ? lb_lock_find(params[RLOCK_PARAM_BASE].s) : NULL;
	uint32_t caps = lb_lock_rlock.caps & ~(uint32_t)LB_CAP_TIMED_EMULATED;

	if (base == NULL)
		return lb_lock_rlock.caps;
	if (base->acquire_until != NULL)
		return caps | (base->caps & LB_CAP_TIMED_EMULATED);
	return base->try_acquire != NULL ? caps | LB_CAP_TIMED_EMULATED : caps & ~(uint32_t)LB_CAP_TIMED;
}

static size_t rlock_counters(void *state, struct lb_counter *out, size_t max)
{
	struct rlock_state *r = state;
	size_t n = 0;

	if (max == 0)
		return 0;
	out[n++] = (struct lb_counter){ "reentries", atomic_load_explicit(&r->reentries, memory_order_relaxed) };
	if (r->base->counters != NULL)
		n += r->base->counters(r->base_state, out + n, max - n);
	return n;
}

const struct lb_lock_ops lb_lock_rlock = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "rlock",
	.summary = "reentrant lock over any base lock (Python's threading.RLock): owner + count",
	.state_size = sizeof(struct rlock_state),
	.state_align = _Alignof(struct rlock_state),
	.node_size = sizeof(struct rlock_node),
	.caps = LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_REENTRANT | LB_CAP_CHECKS_RELEASE |
		LB_CAP_KNOWS_OWNER | LB_CAP_LIVE_COUNTERS,
	.params = rlock_params,
	.init = rlock_init,
	.destroy = rlock_destroy,
	.acquire = rlock_acquire,
	.release = rlock_release,
	.try_acquire = rlock_try_acquire,
	.acquire_until = rlock_acquire_until,
	.counters = rlock_counters,
};
