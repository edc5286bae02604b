/*
 * rw.c — the reader-writer workload: many readers of one record, a few
 * writers of it.
 *
 * The shared record is `words` 64-bit words on one or more cache lines. A
 * writer takes the lock exclusively, reads word 0, and writes that value
 * plus one into every word — the first half, then write_ns of work, then
 * the second half — so a reader that overlaps it sees a record whose words
 * differ. A reader takes the lock shared (exclusively on a lock without a
 * read side: the mutex baseline), reads word 0, works read_ns, and reads
 * every word, which must all equal the first. Both then think think_ns
 * outside the lock.
 *
 * Who does what:
 *   writers=W           threads 0..W-1 only write, the others only read;
 *   readers=R           the last R threads only read, the others only write;
 *                       both given: they must add up to the thread count;
 *   write_pct=P         (neither of the above) every thread writes P% of
 *                       its operations, at random (its own xorshift, seeded
 *                       by its id), and reads the rest; the default is 2.
 * check() refuses what cannot be (exit 2 before anything runs).
 *
 * verify() checks the two invariants of a reader-writer lock: a writer was
 * always alone (the record ends equal, word for word, to the number of
 * writes: two writers inside together lose an increment) and readers saw
 * consistent data (no reader ever saw two different words). The harness's
 * role-aware canary checks the same on every acquisition (a writer with a
 * reader or another writer inside, a reader with a writer inside); the
 * record checks it again in the data, independently of the harness.
 *
 * Neither side calls the lock's poll hook: a section must stay whole for
 * the record to be checked, and a GIL handing itself over in the middle of
 * a write would show up as a torn read that no lock caused.
 */
#include <stdio.h>

#include "engine/workload.h"

enum { P_READERS, P_WRITERS, P_WRITE_PCT, P_READ_NS, P_WRITE_NS, P_THINK_NS, P_WORDS };

#define SECOND 1000000000LL
#define DEFAULT_WRITE_PCT 2

static const struct lb_param rw_params[] = {
	[P_READERS] = { "readers", LB_PARAM_INT, "-1",
			"threads that only read (the last ones; the others only write); -1: not fixed", -1, 1024 },
	[P_WRITERS] = { "writers", LB_PARAM_INT, "-1",
			"threads that only write (the first ones; the others only read); -1: not fixed", -1, 1024 },
	[P_WRITE_PCT] = { "write_pct", LB_PARAM_INT, "-1",
			  "without readers/writers: every thread writes this % of its operations; -1: 2", -1,
			  100 },
	[P_READ_NS] = { "read_ns", LB_PARAM_DURATION, "100ns", "work inside a read hold", 0, SECOND },
	[P_WRITE_NS] = { "write_ns", LB_PARAM_DURATION, "100ns", "work inside a write hold, between the halves",
			 0, SECOND },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "work outside the lock", 0, SECOND },
	[P_WORDS] = { "words", LB_PARAM_INT, "8", "64-bit words of the record (8 = one cache line)", 2, 4096 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct rw_state {
	uint64_t read_iters, write_iters, think_iters;
	unsigned nwords;
	unsigned writers;   /* fixed roles: threads 0..writers-1 write, the rest read */
	int write_pct;      /* mixed roles (>= 0), or -1 for fixed roles */
	_Atomic uint64_t *words; /* on lines of their own */
};

/* A reader's count of inconsistent records. */
struct rw_tally {
	uint64_t torn;
};

static int rw_check(const union lb_value *p, unsigned nthreads, char *err, size_t errlen)
{
	int64_t r = p[P_READERS].i, w = p[P_WRITERS].i;
	if ((r >= 0 || w >= 0) && p[P_WRITE_PCT].i >= 0) {
		snprintf(err, errlen, "rw: write_pct is for mixed threads; it cannot be given with readers or writers");
		return -1;
	}
	if (r >= 0 && w >= 0 && r + w != nthreads) {
		snprintf(err, errlen, "rw: readers=%" PRId64 " and writers=%" PRId64 " do not add up to %u threads", r,
			 w, nthreads);
		return -1;
	}
	if (r > (int64_t)nthreads || w > (int64_t)nthreads) {
		bool readers = r > (int64_t)nthreads;
		snprintf(err, errlen, "rw: %s=%" PRId64 " is more than the %u threads", readers ? "readers" : "writers",
			 readers ? r : w, nthreads);
		return -1;
	}
	return 0;
}

static int rw_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct rw_state *s = run->wl_state;
	int64_t r = lb_param(run, P_READERS), w = lb_param(run, P_WRITERS), pct = lb_param(run, P_WRITE_PCT);
	s->read_iters = lb_param_iters(run, P_READ_NS);
	s->write_iters = lb_param_iters(run, P_WRITE_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	s->nwords = (unsigned)lb_param(run, P_WORDS);
	if (w >= 0)
		s->writers = (unsigned)w;
	else if (r >= 0)
		s->writers = run->nthreads - (unsigned)r;
	s->write_pct = r >= 0 || w >= 0 ? -1 : pct >= 0 ? (int)pct : DEFAULT_WRITE_PCT;
	s->words = lb_wl_alloc(run, s->nwords, sizeof *s->words);
	return s->words != NULL ? 0 : lb_setup_fail(run, err, errlen, "out of memory");
}

static inline uint64_t next_random(uint64_t *x)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return *x * 0x2545f4914f6cdd1dull;
}

static void do_read(struct lb_thread *t, const struct rw_state *s, struct rw_tally *me)
{
	lb_read_acquire(t);
	uint64_t v = lb_relaxed_load(&s->words[0]);
	if (s->read_iters)
		lb_busy(s->read_iters);
	bool torn = false;
	for (unsigned i = 1; i < s->nwords; i++)
		torn |= lb_relaxed_load(&s->words[i]) != v;
	torn |= lb_relaxed_load(&s->words[0]) != v;
	me->torn += torn;
	lb_read_release(t);
}

static void do_write(struct lb_thread *t, const struct rw_state *s)
{
	lb_write_acquire(t);
	uint64_t v = lb_relaxed_load(&s->words[0]) + 1;
	unsigned half = s->nwords / 2;
	for (unsigned i = 0; i < half; i++)
		lb_relaxed_store(&s->words[i], v);
	if (s->write_iters)
		lb_busy(s->write_iters);
	for (unsigned i = half; i < s->nwords; i++)
		lb_relaxed_store(&s->words[i], v);
	lb_write_release(t);
}

static void rw_thread(struct lb_thread *t)
{
	const struct rw_state *s = t->run->wl_state;
	struct rw_tally *me = t->tally;
	uint64_t rng = 0x9e3779b97f4a7c15ull * (t->id + 1) | 1;
	bool writer = t->id < s->writers;
	while (lb_running(t)) {
		if (s->write_pct >= 0)
			writer = next_random(&rng) % 100 < (uint64_t)s->write_pct;
		if (writer)
			do_write(t, s);
		else
			do_read(t, s, me);
		if (s->think_iters)
			lb_busy(s->think_iters);
	}
}

static unsigned rw_verify(struct lb_run *run, char *msg, size_t msglen)
{
	const struct rw_state *s = run->wl_state;
	uint64_t writes = 0, torn = LB_TALLY_SUM(run, struct rw_tally, torn);
	for (unsigned i = 0; i < run->nthreads; i++)
		writes += run->threads[i].role[LB_ROLE_WRITE].total;
	unsigned bad_words = 0;
	for (unsigned i = 0; i < s->nwords; i++)
		bad_words += lb_relaxed_load(&s->words[i]) != writes;
	if (bad_words == 0 && torn == 0)
		return 0;
	lb_verify_fail(run, msg, msglen,
		       "%" PRIu64 " reads saw an inconsistent record; %u of %u words != %" PRIu64 " writes (word 0: %" PRIu64
		       ")",
		       torn, bad_words, s->nwords, writes, (uint64_t)lb_relaxed_load(&s->words[0]));
	uint64_t failures = torn + (bad_words != 0);
	return failures > 0xffffffffu ? 0xffffffffu : (unsigned)failures;
}

const struct lb_workload lb_workload_rw = {
	.name = "rw",
	.summary = "readers check a multi-word record is consistent, writers rewrite it (readers, writers or write_pct)",
	.params = rw_params,
	.state_size = sizeof(struct rw_state),
	.tally_size = sizeof(struct rw_tally),
	.setup = rw_setup,
	.thread = rw_thread,
	.verify = rw_verify,
	.check = rw_check,
};
