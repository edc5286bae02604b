/*
 * engine/hist.h — log-linear latency histogram with bounded relative error.
 *
 * The layout follows HdrHistogram (Gil Tene): values are grouped by their
 * power of two, and every power of two is cut into 2^LB_HIST_SUB_BITS = 128
 * linear sub-buckets. A bucket in the power of two [2^k, 2^(k+1)) is
 * 2^(k-7) wide and starts at no less than 128 * 2^(k-7), so any value is
 * known to within 1/128 (0.79%) of itself — the error is relative, not
 * absolute, which is what a latency spread over six orders of magnitude
 * needs. Values below 2^(LB_HIST_SUB_BITS+1) = 256 get buckets of width 1
 * and are exact.
 *
 *   index:   0 .. 255 | 256 .. 383 | 384 .. 511 | ... | last
 *   value:   0 .. 255 | 256 .. 511 | 512 .. 1023| ... | 2^43 .. 2^44-1, and
 *   width:       1    |     2      |     4      |     |   everything above
 *
 * The index is computed from the position of the highest set bit, so
 * recording is a handful of instructions with no loop; the only branch is
 * the sum's overflow check, which real data never takes. Values from 2^LB_HIST_MAX_BITS up are counted in the last bucket
 * (count, sum, min and max still see the true value), so recording never
 * fails and never allocates.
 *
 * The struct holds no pointers and has a fixed size, so it can be copied,
 * merged (bucket-wise addition) and kept in per-thread arrays. It is aligned
 * to a cache line and its size is a multiple of one, so two threads'
 * histograms in one array never share a line. Allocate arrays of it with
 * aligned_alloc(LB_HIST_ALIGN, ...) or another allocator that honours the
 * alignment, not plain malloc.
 *
 * Values are whatever unit the caller records (the runner records raw timer
 * ticks and converts when it reports).
 */
#ifndef LB_HIST_H
#define LB_HIST_H

#include <stddef.h>
#include <stdint.h>

/*
 * Cache-line size the struct is aligned to. The same as LB_CACHELINE in
 * lockbench/lock.h, repeated so the histogram does not depend on the lock ABI.
 */
#define LB_HIST_ALIGN 64

#define LB_HIST_SUB_BITS 7  /* 128 sub-buckets per power of two: error <= 1/128 */
#define LB_HIST_MAX_BITS 44 /* values below 2^44 get their own bucket */

/* Sub-buckets per power of two. */
#define LB_HIST_SUB_COUNT (1u << LB_HIST_SUB_BITS)
/* First value not tracked precisely; it and everything above share the last bucket. */
#define LB_HIST_LIMIT (UINT64_C(1) << LB_HIST_MAX_BITS)
/*
 * Values below 2^(SUB_BITS+1) take 2 * SUB_COUNT buckets of width 1; each
 * further power of two up to 2^MAX_BITS takes SUB_COUNT more.
 */
#define LB_HIST_BUCKETS ((LB_HIST_MAX_BITS - LB_HIST_SUB_BITS + 1) << LB_HIST_SUB_BITS)

struct lb_hist {
	_Alignas(LB_HIST_ALIGN) uint64_t count; /* values recorded */
	uint64_t sum;                           /* their sum, saturating at UINT64_MAX */
	uint64_t min;                           /* UINT64_MAX while empty */
	uint64_t max;                           /* 0 while empty */
	uint64_t counts[LB_HIST_BUCKETS];
};

_Static_assert(LB_HIST_SUB_BITS >= 1 && LB_HIST_SUB_BITS < LB_HIST_MAX_BITS,
	       "hist: SUB_BITS must be below MAX_BITS");
_Static_assert(LB_HIST_MAX_BITS <= 63, "hist: MAX_BITS must fit a uint64_t");
#ifdef LB_CACHELINE
_Static_assert(LB_HIST_ALIGN == LB_CACHELINE, "hist: alignment differs from lock.h's cache line");
#endif
_Static_assert(sizeof(struct lb_hist) % LB_HIST_ALIGN == 0,
	       "hist: arrays of lb_hist must keep every element on its own lines");

/*
 * Bucket of v. For v below 2^(SUB_BITS+1) the index is v itself. Above,
 * with k the highest set bit and shift = k - SUB_BITS, the top SUB_BITS+1
 * bits of v (v >> shift, in [SUB_COUNT, 2*SUB_COUNT)) pick the sub-bucket
 * and each unit of shift moves up one row of SUB_COUNT buckets. OR-ing
 * SUB_COUNT in makes the small values fall out of the same formula with
 * shift 0, and keeps the argument of clz non-zero.
 */
static inline size_t lb_hist_index(uint64_t v)
{
	unsigned shift;

	v = v < LB_HIST_LIMIT ? v : LB_HIST_LIMIT - 1;
	shift = 63u - (unsigned)__builtin_clzll(v | LB_HIST_SUB_COUNT) - LB_HIST_SUB_BITS;
	return ((size_t)shift << LB_HIST_SUB_BITS) + (size_t)(v >> shift);
}

/* Record one value: the hot path, O(1), no allocation, no branch on v's range. */
static inline void lb_hist_record(struct lb_hist *h, uint64_t v)
{
	uint64_t sum, n = h->count;

	h->counts[lb_hist_index(v)]++;
	h->count = n + 1;
	/* Saturate rather than wrap: a wrapped sum would give a plausible wrong mean. */
	if (__builtin_add_overflow(h->sum, v, &sum))
		sum = UINT64_MAX;
	h->sum = sum;
	/* n == 0: an all-zero histogram is empty too (its min is not UINT64_MAX). */
	h->min = v < h->min || n == 0 ? v : h->min;
	h->max = v > h->max ? v : h->max;
}

/*
 * Empty h: min = UINT64_MAX, everything else 0. An all-zero struct is
 * empty as well, so histograms in fresh zero pages need no reset: the
 * engine keeps one per thread and kind, and only the pages a thread
 * records into ever become resident (merge reads only the buckets
 * between src's min and max).
 */
void lb_hist_reset(struct lb_hist *h);

/* Add src's values into dst, as if they had been recorded into dst (reads only src's used buckets). */
void lb_hist_merge(struct lb_hist *dst, const struct lb_hist *src);

/*
 * Value at percentile pct (0..100), HdrHistogram's way: take the bucket
 * holding the rank-th smallest value, rank = ceil(pct/100 * count) (at least
 * 1), and report the highest value that bucket can hold, clamped to
 * [min, max]. So the answer is never below the true percentile and at most
 * 0.79% above it. Empty histogram: 0. pct <= 0 (or NaN): min. pct >= 100: max.
 */
uint64_t lb_hist_value_at(const struct lb_hist *h, double pct);

/* sum / count; 0 if empty. */
double lb_hist_mean(const struct lb_hist *h);

/*
 * Smallest and largest value counted in bucket idx (idx < LB_HIST_BUCKETS),
 * for exporting the distribution. The last bucket also takes every value
 * from LB_HIST_LIMIT up, so its high edge is UINT64_MAX.
 */
uint64_t lb_hist_bucket_low(size_t idx);
uint64_t lb_hist_bucket_high(size_t idx);

#endif
