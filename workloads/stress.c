/*
 * stress.c — a torture workload in the spirit of Linux's locktorture
 * (kernel/locking/locktorture.c): make a lock fail if it can.
 *
 * A benchmark loop runs the same critical section at the same pace and so
 * only ever explores a narrow band of interleavings. Here every thread
 * varies everything it can, from its own seeded random generator
 * (xorshift64*, seeded per thread from `seed` and the thread id, so a seed
 * recorded in a result names the same sequences again):
 *
 *  - critical sections of a random 0..cs_max_ns, and think times of
 *    0..think_max_ns between them;
 *  - about 1 in long_hold_every holds lasts long_hold_ns (100x the usual
 *    critical section by default), and the holder calls the lock's poll
 *    hook about every microsecond meanwhile (the GIL's eval breaker), so a
 *    long hold is also a hand-over point for locks that have one;
 *  - stutter: every thread runs for stutter_ns, then every thread sleeps for
 *    stutter_ns, and then they all charge the lock at once. The phase comes
 *    from the runner's shared coarse clock (tick / stutter ticks, odd =
 *    pause), so the threads pause and resume together without talking to
 *    each other; this is what exposes lost wake-ups and bad hand-over from
 *    an idle lock to a thundering herd;
 *  - shuffle: every shuffle_ns (again from the coarse clock, so all threads
 *    move at about the same moment) each thread re-pins itself to a random
 *    allowed PU, so waiters migrate while they wait — as locktorture's
 *    shuffler does. The PU list is computed in setup from the run's
 *    topology; the thread calls pthread_setaffinity_np with a cpu_set_t on
 *    its stack rather than lb_pin_self, which allocates an hwloc bitmap per
 *    call: nothing is allocated in the loop. No topology (or a synthetic
 *    one, or a single PU): no shuffling;
 *  - readers and writers: read_percent of the attempts are reads (the
 *    harness's lb_read_* wrappers: shared on a reader-writer lock, checked
 *    by the reader/writer canary; exclusive on any other lock), the rest
 *    writes; a read section loads the shared counter at its start and end
 *    and counts a reader that saw it change (a writer inside with it); a
 *    long read hold does not poll the lock: a hand-over in the middle (the
 *    GIL's) would let a writer move the counter with no lock at fault;
 *  - a mix of acquisition paths: try_percent of attempts use try_acquire
 *    (locks with LB_CAP_TRY), and timed_percent of the rest acquire_until
 *    with a random deadline of at most timed_max_ns (LB_CAP_TIMED; two
 *    independent shares, so no pair of values is invalid). A failed try or
 *    timed attempt falls back to a blocking acquire, so every attempt ends
 *    in a hold: the harness's "trying" interval (its starvation figure)
 *    never spans a stutter pause, and the path "give up, then queue again"
 *    — where timed locks leave stale queue entries behind — is exercised
 *    as often as the plain one.
 *
 * The thread count is the runner's; `lockbench stress` oversubscribes by
 * default (2 x PUs + 1), so holders and waiters get preempted.
 *
 * Verification never stops: the harness checks the owner canary (and, for
 * shared reads, the reader/writer canary) on every acquisition and release,
 * and a write section increments a shared counter with a plain load and
 * store (as cs does). verify() compares it with the sum of every thread's
 * writes and returns the number of lost updates plus the reads that saw it
 * move; a lock that ever lets two writers in, or a writer in with a
 * reader, shows up there.
 */
#define _GNU_SOURCE
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <time.h>

#include "engine/topo.h"
#include "engine/workload.h"

enum {
	P_CS_MAX_NS,
	P_THINK_MAX_NS,
	P_LONG_HOLD_EVERY,
	P_LONG_HOLD_NS,
	P_STUTTER_NS,
	P_SHUFFLE_NS,
	P_TRY_PERCENT,
	P_TIMED_PERCENT,
	P_TIMED_MAX_NS,
	P_READ_PERCENT,
	P_SEED,
};

#define SECOND 1000000000LL

static const struct lb_param stress_params[] = {
	[P_CS_MAX_NS] = { "cs_max_ns", LB_PARAM_DURATION, "1us",
			  "each critical section works a random 0..cs_max_ns", 0, SECOND },
	[P_THINK_MAX_NS] = { "think_max_ns", LB_PARAM_DURATION, "1us",
			     "random 0..think_max_ns of work outside the lock", 0, SECOND },
	[P_LONG_HOLD_EVERY] = { "long_hold_every", LB_PARAM_INT, "1000",
				"about 1 hold in N is a long one (0 = never)", 0, 1000000000 },
	[P_LONG_HOLD_NS] = { "long_hold_ns", LB_PARAM_DURATION, "100us",
			     "length of a long hold; the holder polls the lock every ~1us", 0, SECOND },
	[P_STUTTER_NS] = { "stutter_ns", LB_PARAM_DURATION, "100ms",
			   "all threads run stutter_ns, then all pause stutter_ns, together (0 = no pauses)", 0,
			   3600 * SECOND },
	[P_SHUFFLE_NS] = { "shuffle_ns", LB_PARAM_DURATION, "10ms",
			   "every shuffle_ns each thread moves to a random allowed PU (0 = never)", 0,
			   3600 * SECOND },
	[P_TRY_PERCENT] = { "try_percent", LB_PARAM_INT, "10",
			    "share of attempts made with try_acquire (locks that have it)", 0, 100 },
	[P_TIMED_PERCENT] = { "timed_percent", LB_PARAM_INT, "10",
			      "share of the other attempts made with acquire_until (locks that have it)", 0, 100 },
	[P_TIMED_MAX_NS] = { "timed_max_ns", LB_PARAM_DURATION, "20us",
			     "acquire_until waits a random 0..timed_max_ns at most", 0, SECOND },
	[P_READ_PERCENT] = { "read_percent", LB_PARAM_INT, "50",
			     "share of attempts that are reads (shared on reader-writer locks, else exclusive)", 0,
			     100 },
	[P_SEED] = { "seed", LB_PARAM_INT, "1", "seed of the per-thread random generators", 0, INT64_MAX },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct stress_state {
	/* read-only once the threads run */
	uint64_t cs_max_iters, think_max_iters, long_iters;
	uint64_t long_every;
	uint32_t stutter_ticks, shuffle_ticks; /* 0 = off */
	unsigned try_percent, timed_percent, read_percent;
	uint64_t timed_max_ns;
	uint64_t seed;
	int *pus; /* allowed PUs for shuffling */
	unsigned npus;
	/* written by lock holders only */
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
};

/* A thread's reads that saw the counter move. */
struct stress_tally {
	uint64_t torn;
};

/* splitmix64: turns (seed, thread id) into well-mixed, distinct, non-zero states. */
static uint64_t seed_for(uint64_t seed, unsigned id)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull * (id + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}

/* xorshift64* (Vigna): a few cycles, no shared state, good enough to vary delays. */
static inline uint64_t next_random(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

/* Uniform enough in 0..max for delays (max is far below 2^64). */
static inline uint64_t random_upto(uint64_t *x, uint64_t max)
{
	return max ? next_random(x) % (max + 1) : 0;
}

static uint32_t to_ticks(int64_t ns, int64_t tick_ns)
{
	if (ns <= 0)
		return 0;
	int64_t t = ns / tick_ns;
	return t < 1 ? 1 : t > UINT32_MAX / 4 ? UINT32_MAX / 4 : (uint32_t)t;
}

/* The allowed PUs of the run's topology, when there are two or more to move between. */
static int allowed_pus(struct lb_run *run, struct stress_state *s, char *err, size_t errlen)
{
	struct lb_topo_summary ts;
	lb_topo_summary(run->topo, &ts);
	if (ts.synthetic || ts.pus < 2)
		return 0;
	struct lb_pin_spec compact = { .policy = LB_PIN_COMPACT }; /* compact over all PUs: each PU once */
	s->pus = lb_wl_alloc(run, ts.pus, sizeof *s->pus);
	if (s->pus == NULL)
		return lb_setup_fail(run, err, errlen, "out of memory");
	bool over;
	char why[256];
	if (lb_pin_plan(run->topo, &compact, ts.pus, s->pus, &over, why, sizeof why) != 0)
		return lb_setup_fail(run, err, errlen, "%s", why);
	for (unsigned i = 0; i < ts.pus; i++)
		if (s->pus[i] >= 0 && s->pus[i] < CPU_SETSIZE)
			s->pus[s->npus++] = s->pus[i];
	if (s->npus < 2)
		s->npus = 0;
	return 0;
}

static int stress_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct stress_state *s = run->wl_state;
	s->cs_max_iters = lb_param_iters(run, P_CS_MAX_NS);
	s->think_max_iters = lb_param_iters(run, P_THINK_MAX_NS);
	s->long_iters = lb_param_iters(run, P_LONG_HOLD_NS);
	s->long_every = (uint64_t)lb_param(run, P_LONG_HOLD_EVERY);
	int64_t tick_ns = run->tick_ns > 0 ? run->tick_ns : 1000000;
	s->stutter_ticks = to_ticks(lb_param(run, P_STUTTER_NS), tick_ns);
	s->shuffle_ticks = to_ticks(lb_param(run, P_SHUFFLE_NS), tick_ns);
	s->try_percent = (unsigned)lb_param(run, P_TRY_PERCENT);
	s->timed_percent = (unsigned)lb_param(run, P_TIMED_PERCENT);
	s->timed_max_ns = (uint64_t)lb_param(run, P_TIMED_MAX_NS);
	s->read_percent = (unsigned)lb_param(run, P_READ_PERCENT);
	s->seed = (uint64_t)lb_param(run, P_SEED);
	if (s->shuffle_ticks != 0 && run->topo != NULL)
		return allowed_pus(run, s, err, errlen);
	return 0;
}

/*
 * Sleep, a millisecond at a time, until the pause half of the stutter
 * period ends. False when the run stopped meanwhile: the caller leaves its
 * loop.
 */
static bool stutter_pause(struct lb_thread *t, const struct stress_state *s)
{
	uint32_t tick;
	while ((tick = lb_coarse_tick(t)) / s->stutter_ticks % 2 == 1) {
		if (!lb_running(t))
			return false;
		uint64_t left = (uint64_t)(s->stutter_ticks - tick % s->stutter_ticks) * (uint64_t)t->run->tick_ns;
		struct timespec ts = { 0, (long)(left < 1000000 ? left : 1000000) };
		nanosleep(&ts, NULL);
	}
	return true;
}

/* Move the calling thread to a random allowed PU; best effort (a failure only means no move). */
static void shuffle(const struct stress_state *s, uint64_t *rng)
{
	cpu_set_t set;
	CPU_ZERO(&set);
	CPU_SET(s->pus[next_random(rng) % s->npus], &set);
	pthread_setaffinity_np(pthread_self(), sizeof set, &set);
}

/* The length of one hold: usually 0..cs_max, about 1 in long_hold_every a long one. */
static uint64_t hold_iters(const struct stress_state *s, uint64_t *rng, bool *is_long)
{
	*is_long = s->long_every != 0 && next_random(rng) % s->long_every == 0;
	return *is_long ? s->long_iters : random_upto(rng, s->cs_max_iters);
}

/* A write: try, timed or blocking (a failed try or timed attempt falls back to blocking). */
static void stress_write(struct lb_thread *t, struct stress_state *s, uint64_t *rng, unsigned try_percent,
			 unsigned timed_percent)
{
	bool held = false;
	if (next_random(rng) % 100 < try_percent)
		held = lb_write_try_acquire(t);
	else if (next_random(rng) % 100 < timed_percent)
		held = lb_write_acquire_until(t, lb_mono_ns() + random_upto(rng, s->timed_max_ns));
	if (!held)
		lb_write_acquire(t);

	lb_bump(&s->counter);
	bool is_long;
	uint64_t iters = hold_iters(s, rng, &is_long);
	if (is_long)
		lb_busy_polling(t, iters);
	else
		lb_busy(iters);
	lb_write_release(t);
}

/* A read, by the same paths: the counter must not move while we hold it. */
static void stress_read(struct lb_thread *t, struct stress_state *s, uint64_t *rng, unsigned try_percent,
			unsigned timed_percent)
{
	struct stress_tally *me = t->tally;
	bool held = false;
	if (next_random(rng) % 100 < try_percent)
		held = lb_read_try_acquire(t);
	else if (next_random(rng) % 100 < timed_percent)
		held = lb_read_acquire_until(t, lb_mono_ns() + random_upto(rng, s->timed_max_ns));
	if (!held)
		lb_read_acquire(t);

	uint64_t c0 = lb_relaxed_load(&s->counter);
	bool is_long;
	/* No poll in a read: a lock handing itself over (the GIL) would let a writer move the counter. */
	lb_busy(hold_iters(s, rng, &is_long));
	me->torn += lb_relaxed_load(&s->counter) != c0;
	lb_read_release(t);
}

static void stress_thread(struct lb_thread *t)
{
	struct stress_state *s = t->run->wl_state;
	uint64_t rng = seed_for(s->seed, t->id);
	unsigned try_percent = (t->ops->caps & LB_CAP_TRY) ? s->try_percent : 0;
	unsigned timed_percent = (t->ops->caps & LB_CAP_TIMED) ? s->timed_percent : 0;
	uint32_t shuffle_epoch = 0;

	while (lb_running(t)) {
		uint32_t tick = lb_coarse_tick(t);
		if (s->stutter_ticks != 0 && tick / s->stutter_ticks % 2 == 1) {
			if (!stutter_pause(t, s))
				break;
			continue;
		}
		if (s->npus != 0 && tick / s->shuffle_ticks != shuffle_epoch) {
			shuffle_epoch = tick / s->shuffle_ticks;
			shuffle(s, &rng);
		}

		if (next_random(&rng) % 100 < s->read_percent)
			stress_read(t, s, &rng, try_percent, timed_percent);
		else
			stress_write(t, s, &rng, try_percent, timed_percent);

		lb_busy(random_upto(&rng, s->think_max_iters));
	}
}

/* Failures = lost counter updates (at least 1 if the counter is off either way) + reads that saw it move. */
static unsigned stress_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct stress_state *s = run->wl_state;
	uint64_t writes = 0, counter = lb_relaxed_load(&s->counter);
	uint64_t torn = LB_TALLY_SUM(run, struct stress_tally, torn);
	for (unsigned i = 0; i < run->nthreads; i++)
		writes += run->threads[i].role[LB_ROLE_WRITE].total;
	if (counter == writes && torn == 0)
		return 0;
	uint64_t lost = writes > counter ? writes - counter : counter - writes;
	lb_verify_fail(run, msg, msglen,
		       "shared counter %" PRIu64 " != %" PRIu64 " writes (%" PRIu64 " lost); %" PRIu64
		       " reads saw it change",
		       counter, writes, lost, torn);
	uint64_t failures = lost + torn;
	return failures > UINT_MAX ? UINT_MAX : (unsigned)failures;
}

const struct lb_workload lb_workload_stress = {
	.name = "stress",
	.summary = "torture: readers and writers, random holds and think times, rare long holds, stutter, shuffle, try/timed mix",
	.params = stress_params,
	.state_size = sizeof(struct stress_state),
	.tally_size = sizeof(struct stress_tally),
	.setup = stress_setup,
	.thread = stress_thread,
	.verify = stress_verify,
};
