/*
 * analysis/metrics.h — fairness figures of one run, from per-thread acquisition
 * counts (long-term) and from the order of acquisitions (short-term).
 *
 * Pure functions: no allocation, no global state; they run after the
 * measured window. Definitions follow DESIGN.md "Metrics"; where a
 * definition leaves a case open (odd thread counts, empty input) the choice
 * is stated at the field.
 */
#ifndef LB_METRICS_H
#define LB_METRICS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct lb_fairness {
	/*
	 * Jain's index (Σx)² / (n·Σx²): 1 when all counts are equal, 1/n when
	 * one thread took everything. 1 when n <= 1 or all counts are 0.
	 */
	double jain;
	/* Relative standard deviation, population σ / mean; 0 when the mean is 0. */
	double rsd;
	/*
	 * Fairness factor: the share of all acquisitions taken by the busier
	 * half of the threads (counts sorted descending, top n/2 of them). For
	 * odd n the middle thread counts half, so that equal counts give
	 * exactly 0.5 for every n and one thread taking everything gives 1.0
	 * for every n >= 2. n == 1 gives 0.5 (a thread alone is not unfair to
	 * anyone), and so do n == 0 and all counts 0.
	 */
	double fairness_factor;
	/* max / min; INFINITY when min is 0 and max is not; 1 when all are 0 or n == 0. */
	double max_min_ratio;
	uint64_t min, max; /* both 0 when n == 0 */
	/* locktorture's starvation flag, max/2 > min in integers; false when n < 2. */
	bool starved;
};

/* Fairness over counts[0..n-1], one count per thread. counts may be NULL when n is 0. */
void lb_fairness_compute(const uint64_t *counts, size_t n, struct lb_fairness *out);

struct lb_short_term {
	uint64_t covered; /* log entries analysed (n) */
	unsigned window;  /* K actually used for LWSS */
	/*
	 * Long-term window set size (Dice): the number of distinct owners in
	 * each of the consecutive non-overlapping windows of K acquisitions,
	 * median over the windows (mean of the middle two for an even number of
	 * windows). A trailing partial window is left out; with fewer than K
	 * entries there is one window of all of them. 0 when n == 0.
	 */
	double lwss;
	/*
	 * Median time to reacquire: over every thread and every consecutive
	 * pair of its acquisitions, the number of other acquisitions in
	 * between; median of all those gaps (mean of the middle two for an
	 * even number). NAN when no thread acquired twice.
	 */
	double mttr;
	/* Fraction of consecutive pairs of entries whose owners differ; 0 when n < 2. */
	double handover_ratio;
};

/*
 * Bytes of scratch lb_short_term_compute needs for n entries and nthreads
 * threads: O(nthreads + n), about 8·(n + 2·nthreads) bytes. SIZE_MAX if
 * that does not fit a size_t (so an allocation of it fails).
 */
size_t lb_short_term_scratch_size(unsigned nthreads, size_t n);

/*
 * Short-term fairness of the acquisition log owners[0..n-1], where
 * owners[i] is the thread id (0..nthreads-1) of the i-th acquisition.
 * window is K for LWSS; 0 means nthreads (a FIFO lock then scores
 * nthreads). Ids >= nthreads, which a correct log does not contain, are
 * all counted as one extra "unknown" owner rather than written out of
 * bounds. scratch: lb_short_term_scratch_size(nthreads, n) bytes, aligned
 * for uint64_t (malloc's alignment suffices); its contents are overwritten.
 * Runs in O(n + nthreads) time.
 */
void lb_short_term_compute(const uint16_t *owners, size_t n, unsigned nthreads, unsigned window,
			   void *scratch, struct lb_short_term *out);

#endif
