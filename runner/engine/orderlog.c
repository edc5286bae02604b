/*
 * engine/orderlog.c — the order of acquisitions, from per-thread logs.
 *
 * A shared log (one slot per acquisition, indexed by the sequence number)
 * moves a cache line between threads on nearly every hand-over: on the
 * reference machines that one store cost two threads 20-40% of their
 * throughput. So each thread logs, in a ring of its own, the sequence number
 * each of its acquisitions got from the critical-section line; after the
 * run the rings are merged: slot s of the order is the thread that logged s.
 *
 * Which part of the order is known: a ring that wrapped lost that thread's
 * older acquisitions, so the merged order starts at the newest "oldest entry"
 * of any wrapped ring (or at the window's first sequence number, if later):
 * from there on every acquisition is in some ring. At most the newest `cap`
 * numbers are merged, and the order is cut at the window's end.
 *
 * The merge is also an exclusion check: under a lock that excludes, the
 * sequence is incremented by one holder at a time, so every number is
 * logged exactly once. Two threads that logged the same number were in
 * their critical sections at once (a lost update of the sequence): that is
 * counted as a conflict, a mutual-exclusion violation the canary may have
 * missed. It sees only what the rings still hold (the newest `cap` numbers,
 * acquisitions after the window included); numbers nobody logged (only
 * possible after such a lost update) are left out of the order. A shared
 * read logs LB_LOG_SHARED: it holds a ring slot but no place in the order.
 */
#include "engine/orderlog.h"

#include <stdlib.h>
#include <string.h>

/*
 * Ring sizes. The ring is written once per acquisition, so it must stay in
 * the cache: a thread streaming through an 8 MiB ring (2^20 entries) ran at
 * 0.2-0.3 of bare on the reference VM, against about 1.0 for 64 KiB (page
 * faults on first touch and write misses every eighth acquisition). 64 KiB
 * fits the L2 of any machine we know; 128 entries keep 16k threads' logs
 * at 16 MiB.
 */
#define RING_MIN LB_ORDERLOG_RING_MIN
#define RING_MAX 8192

size_t lb_orderlog_ring(size_t cap, unsigned n)
{
	size_t want = n ? 2 * cap / n : cap, ring = 1;
	while (ring < want && ring < RING_MAX)
		ring <<= 1;
	if (ring < RING_MIN)
		ring = RING_MIN;
	return ring < cap ? ring : cap;
}

#define UNSET UINT16_MAX

int lb_orderlog_merge(const struct lb_thread *th, unsigned n, uint64_t seq_start, uint64_t seq_end, size_t cap,
		      struct lb_order *o)
{
	memset(o, 0, sizeof *o);
	/*
	 * Under a correct lock each ring is in increasing order, its oldest
	 * entry is its smallest, and nothing is above the sequence's final
	 * value. Under a broken one the sequence goes back and forth, so the
	 * bounds come from the smallest and largest entries instead: the
	 * conflict check then spans every entry kept, also those logged after
	 * the window closed (whose numbers a lost update may have sent anywhere).
	 */
	uint64_t lo = seq_start, hi = seq_end;
	for (unsigned i = 0; i < n; i++) {
		const struct lb_thread *t = &th[i];
		uint64_t ring = t->order_mask + 1, kept = t->total < ring ? t->total : ring, min = UINT64_MAX;
		for (uint64_t r = t->total - kept; r < t->total; r++) {
			uint64_t s = t->order_log[r & t->order_mask];
			if (s == LB_LOG_SHARED)
				continue;
			min = s < min ? s : min;
			hi = s >= hi ? s + 1 : hi;
		}
		if (t->total > ring && min != UINT64_MAX && min > lo) /* a ring of reads only says nothing */
			lo = min;
	}
	if (hi < lo)
		hi = lo;
	if (hi - lo > cap)
		lo = hi - cap;
	size_t len = (size_t)(hi - lo);
	o->order = malloc((len ? len : 1) * sizeof *o->order);
	if (o->order == NULL)
		return -1;
	for (size_t k = 0; k < len; k++)
		o->order[k] = UNSET;
	for (unsigned i = 0; i < n; i++) {
		const struct lb_thread *t = &th[i];
		uint64_t ring = t->order_mask + 1, kept = t->total < ring ? t->total : ring;
		for (uint64_t r = t->total - kept; r < t->total; r++) {
			uint64_t s = t->order_log[r & t->order_mask];
			if (s < lo || s == LB_LOG_SHARED)
				continue;
			if (o->order[s - lo] != UNSET)
				o->conflicts++;
			else
				o->order[s - lo] = (uint16_t)t->id;
		}
	}
	/* The order itself is the window's: up to seq_end, without the numbers nobody logged. */
	size_t end = seq_end > lo ? (size_t)(seq_end - lo) : 0, w = 0;
	end = end < len ? end : len;
	for (size_t k = 0; k < end; k++)
		if (o->order[k] != UNSET)
			o->order[w++] = o->order[k];
	o->holes = end - w;
	o->n = w;
	o->first_seq = lo;
	return 0;
}
