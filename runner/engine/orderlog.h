/*
 * engine/orderlog.h — per-thread order logs and their merge into the order
 * of acquisitions (see orderlog.c).
 */
#ifndef LB_ORDERLOG_H
#define LB_ORDERLOG_H

#include <stddef.h>
#include <stdint.h>

#include "engine/harness.h"

/* The smallest ring a thread gets: 1 KiB. */
#define LB_ORDERLOG_RING_MIN 128

/* Ring entries per thread for n threads and a merged order of at most cap (a power of two):
 * 2 x cap / n, within [128, 8192] and at most cap. */
size_t lb_orderlog_ring(size_t cap, unsigned n);

struct lb_order {
	uint16_t *order;    /* thread ids, oldest first (malloc'd) */
	size_t n;
	uint64_t first_seq; /* sequence number of the first slot before holes were left out */
	uint64_t conflicts; /* acquisitions stamped with a number another one had too */
	uint64_t holes;     /* numbers in the range nobody logged */
};

/*
 * Merge the threads' rings (threads[].total set) over the sequence numbers
 * [seq_start, seq_end), newest cap at most. 0, or -1 out of memory.
 */
int lb_orderlog_merge(const struct lb_thread *threads, unsigned n, uint64_t seq_start, uint64_t seq_end, size_t cap,
		      struct lb_order *o);

#endif
