/*
 * condition.c — producers and consumers on a bounded buffer: queue.Queue,
 * the way Python builds it, over the lock under test.
 *
 * One lock guards a ring buffer of `capacity` items; two condition variables
 * over that lock (cond.h: release, sleep on a futex, re-acquire) are the
 * queue's not_full and not_empty. The first `producers` threads produce, the
 * rest consume:
 *
 *   producer: make an item (item_ns of busy work); lock; while full: wait
 *             not_full; put; notify not_empty; unlock
 *   consumer: lock; while empty: wait not_empty; take; notify not_full;
 *             unlock; use the item (item_ns)
 *
 * Every pass takes the lock once, plus once per wake-up (wait re-acquires
 * with lb_acquire, so those count as acquisitions too). A thread asleep on
 * a condition is not trying to take the lock and is not measured as waiting.
 *
 * notify_all=1 wakes every thread waiting on the condition instead of one
 * (Condition.notify_all()): with several consumers, all but one find the
 * buffer empty again — futile wake-ups, each one more acquisition of the
 * lock. timeout_ns > 0 makes every wait a wait(timeout): one that expires
 * with the predicate still false gives the operation up, as
 * queue.Queue.get(timeout=)/put(timeout=) raise Empty/Full; the thread
 * releases the lock and tries again (a producer with the same item).
 * Counted per thread, over the measured window (workload_figures): waits,
 * futile_wakeups (a wait ended by a wake-up, after which the predicate was
 * still false), wait_timeouts, gave_up, and the items consumed per second.
 *
 * Items are numbered: producer p's k-th item is p << 40 | k, unique without
 * any shared counter. Each thread keeps, on its own cache line, how many
 * items it put (producers) or took and their sum and hashed sum
 * (consumers). verify() checks that what was produced is exactly what was
 * consumed plus what is left in the buffer: the same count, the same sum of
 * item numbers and the same sum of a 64-bit hash of them — an item taken
 * twice or lost changes the hashed sum even where it could keep the plain
 * sum. It also checks the buffer's own bookkeeping (count <= capacity).
 *
 * The buffer's fields are relaxed atomics read and written under the lock,
 * as cs's counter: the lock orders them, and under a lock that excludes
 * nothing they lose updates observably instead of being undefined behaviour.
 * Indices are always reduced modulo capacity, so a broken lock corrupts the
 * bookkeeping, never memory.
 *
 * Stop: the stop hook wakes everyone asleep on either condition; they see
 * the stop after re-acquiring, release and leave (cond.h). An item a
 * producer made but had not put yet is not counted as produced.
 */
#include "cond.h"
#include "engine/workload.h"
#include "figures.h"

enum { P_PRODUCERS, P_CAPACITY, P_ITEM_NS, P_NOTIFY_ALL, P_TIMEOUT_NS };

static const struct lb_param condition_params[] = {
	[P_PRODUCERS] = { "producers", LB_PARAM_INT, "1",
			  "how many threads produce (the first ones); the rest consume", 1, 1023 },
	[P_CAPACITY] = { "capacity", LB_PARAM_INT, "8", "items the buffer holds", 1, 1 << 20 },
	[P_ITEM_NS] = { "item_ns", LB_PARAM_DURATION, "1us",
			"busy work to make an item and to use one, outside the lock", 0, 1000000000 },
	[P_NOTIFY_ALL] = { "notify_all", LB_PARAM_BOOL, "0", "wake every waiter (notify_all) instead of one (notify)",
			   0, 1 },
	[P_TIMEOUT_NS] = { "timeout_ns", LB_PARAM_DURATION, "0",
			   "wait(timeout): give the put/get up when it expires (Full/Empty); 0: wait without one", 0,
			   10000000000LL },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

#define ITEM_SHIFT 40

struct cond_tally {
	uint64_t items;    /* put (producer) or taken (consumer) */
	uint64_t sum;      /* of the item numbers taken */
	uint64_t hash_sum; /* of hash(item) over the items taken */
	/* In the measured window: */
	uint64_t waits, futile, timeouts, gave_up, taken;
};

struct cond_state {
	/* Under the lock. */
	_Alignas(LB_CACHELINE) _Atomic uint32_t head; /* slot of the oldest item */
	_Atomic uint32_t count;                       /* items in the buffer */
	struct lb_cond not_empty, not_full;
	/* Read-only once set up. */
	_Alignas(LB_CACHELINE) uint32_t capacity;
	unsigned producers;
	uint64_t item_iters, timeout_ns;
	int wake; /* threads a notify wakes: 1, or INT_MAX (notify_all) */
	_Atomic uint64_t *slots;
};

/* splitmix64's finaliser: a bijection, so distinct items hash apart. */
static uint64_t item_hash(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

static int cond_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct cond_state *s = run->wl_state;
	int64_t producers = lb_param(run, P_PRODUCERS);
	if (producers >= (int64_t)run->nthreads)
		return lb_setup_fail(run, err, errlen,
				     "producers=%" PRId64 " leaves no consumer at %u threads (need 1 <= producers < threads)",
				     producers, run->nthreads);
	s->capacity = (uint32_t)lb_param(run, P_CAPACITY);
	s->producers = (unsigned)producers;
	s->item_iters = lb_param_iters(run, P_ITEM_NS);
	s->timeout_ns = (uint64_t)lb_param(run, P_TIMEOUT_NS);
	s->wake = lb_param(run, P_NOTIFY_ALL) ? INT_MAX : 1;
	s->slots = lb_wl_alloc(run, s->capacity, sizeof *s->slots);
	return s->slots != NULL ? 0 : lb_setup_fail(run, err, errlen, "out of memory");
}

/*
 * Wait on cv until ready() holds: true with the lock held and ready() true;
 * false with the lock held when the run stops (*stop set) or the operation
 * was given up after a timeout. Counts the waits as Python would see them.
 */
static bool wait_until(struct lb_thread *t, struct cond_state *s, struct lb_cond *cv,
		       bool (*ready)(const struct cond_state *), bool *stop)
{
	struct cond_tally *me = t->tally;
	while (!ready(s)) {
		enum lb_cond_end end = lb_cond_wait_for(t, cv, s->timeout_ns);
		bool counted = wl_in_window(t);
		me->waits += counted;
		if (end == LB_COND_STOP) {
			*stop = true;
			return false;
		}
		if (ready(s))
			return true;
		if (end == LB_COND_TIMEOUT) {
			me->timeouts += counted;
			me->gave_up += counted;
			return false;
		}
		me->futile += counted;
	}
	return true;
}

static bool has_room(const struct cond_state *s)
{
	return lb_relaxed_load(&s->count) < s->capacity;
}

static bool has_item(const struct cond_state *s)
{
	return lb_relaxed_load(&s->count) != 0;
}

static void producer(struct lb_thread *t, struct cond_state *s)
{
	struct cond_tally *me = t->tally;
	uint64_t base = (uint64_t)t->id << ITEM_SHIFT;
	bool made = false, stop = false;
	while (lb_running(t)) {
		if (!made && s->item_iters)
			lb_busy(s->item_iters);
		made = true; /* item number me->items, until it is put */
		lb_acquire(t);
		if (!wait_until(t, s, &s->not_full, has_room, &stop)) {
			lb_release(t);
			if (stop)
				return;
			continue; /* queue.Full: try the same item again */
		}
		uint32_t count = lb_relaxed_load(&s->count);
		uint32_t tail = (uint32_t)(((uint64_t)lb_relaxed_load(&s->head) + count) % s->capacity);
		lb_relaxed_store(&s->slots[tail], base | me->items);
		lb_relaxed_store(&s->count, count + 1);
		lb_cond_notify(&s->not_empty, s->wake);
		lb_release(t);
		me->items++;
		made = false;
	}
}

static void consumer(struct lb_thread *t, struct cond_state *s)
{
	struct cond_tally *me = t->tally;
	bool stop = false;
	while (lb_running(t)) {
		lb_acquire(t);
		if (!wait_until(t, s, &s->not_empty, has_item, &stop)) {
			lb_release(t);
			if (stop)
				return;
			continue; /* queue.Empty */
		}
		uint32_t head = lb_relaxed_load(&s->head) % s->capacity;
		uint64_t item = lb_relaxed_load(&s->slots[head]);
		lb_relaxed_store(&s->head, (head + 1) % s->capacity);
		lb_relaxed_store(&s->count, lb_relaxed_load(&s->count) - 1);
		lb_cond_notify(&s->not_full, s->wake);
		lb_release(t);
		me->items++;
		me->sum += item;
		me->hash_sum += item_hash(item);
		me->taken += wl_in_window(t);
		if (s->item_iters)
			lb_busy(s->item_iters);
	}
}

static void cond_thread(struct lb_thread *t)
{
	struct cond_state *s = t->run->wl_state;
	if (t->id < s->producers)
		producer(t, s);
	else
		consumer(t, s);
}

static void cond_stop(struct lb_run *run)
{
	struct cond_state *s = run->wl_state;
	lb_cond_stop(&s->not_empty);
	lb_cond_stop(&s->not_full);
}

static unsigned cond_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct cond_state *s = run->wl_state;
	uint32_t count = atomic_load(&s->count), head = atomic_load(&s->head);
	if (count > s->capacity || head >= s->capacity)
		return lb_verify_fail(run, msg, msglen, "buffer holds %" PRIu32 " items from slot %" PRIu32 " of %" PRIu32,
				      count, head, s->capacity);
	/* What was produced: items 0..n-1 of every producer. */
	uint64_t produced = 0, want_sum = 0, want_hash = 0;
	for (unsigned p = 0; p < s->producers; p++) {
		const struct cond_tally *made = run->threads[p].tally;
		uint64_t base = (uint64_t)p << ITEM_SHIFT;
		for (uint64_t k = 0; k < made->items; k++) {
			want_sum += base | k;
			want_hash += item_hash(base | k);
		}
		produced += made->items;
	}
	/* What was consumed, and what is left. */
	uint64_t seen = count, sum = 0, hash = 0;
	for (unsigned c = s->producers; c < run->nthreads; c++) {
		const struct cond_tally *took = run->threads[c].tally;
		seen += took->items;
		sum += took->sum;
		hash += took->hash_sum;
	}
	for (uint32_t i = 0; i < count; i++) {
		uint64_t item = atomic_load(&s->slots[((uint64_t)head + i) % s->capacity]);
		sum += item;
		hash += item_hash(item);
	}
	if (seen != produced)
		return lb_verify_fail(run, msg, msglen, "%" PRIu64 " items produced, %" PRIu64 " consumed + %" PRIu32
				      " left", produced, seen - count, count);
	if (sum != want_sum || hash != want_hash)
		return lb_verify_fail(run, msg, msglen, "%" PRIu64 " items add up, but not to the items produced "
				      "(one taken twice, another lost)", produced);
	return 0;
}

static size_t cond_figures(struct lb_run *run, double window_s, struct lb_figure *out, size_t max)
{
	double waits = (double)LB_TALLY_SUM(run, struct cond_tally, waits);
	double futile = (double)LB_TALLY_SUM(run, struct cond_tally, futile);
	const struct lb_figure all[] = {
		{ "waits", waits },
		{ "futile_wakeups", futile },
		{ "futile_per_wait", waits > 0 ? futile / waits : NAN },
		{ "wait_timeouts", (double)LB_TALLY_SUM(run, struct cond_tally, timeouts) },
		{ "gave_up", (double)LB_TALLY_SUM(run, struct cond_tally, gave_up) },
		{ "items_per_s", wl_per_s((double)LB_TALLY_SUM(run, struct cond_tally, taken), window_s) },
	};
	return wl_figures_copy(out, max, all, sizeof all / sizeof all[0]);
}

const struct lb_workload lb_workload_condition = {
	.name = "condition",
	.summary = "producers/consumers on a bounded buffer with condition variables over the lock (queue.Queue)",
	.params = condition_params,
	.state_size = sizeof(struct cond_state),
	.tally_size = sizeof(struct cond_tally),
	.setup = cond_setup,
	.thread = cond_thread,
	.verify = cond_verify,
	.stop = cond_stop,
	.figures = cond_figures,
};
