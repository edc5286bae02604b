/*
 * engine/hist.c — the cold half of the histogram: reset, merge, percentiles and
 * bucket edges. Recording and indexing are inline in hist.h, because they
 * run inside the measured loop; everything here runs after it.
 */
#include "engine/hist.h"

#include <assert.h>
#include <float.h>
#include <math.h>
#include <string.h>

void lb_hist_reset(struct lb_hist *h)
{
	memset(h, 0, sizeof(*h));
	h->min = UINT64_MAX;
}

static uint64_t add_saturating(uint64_t a, uint64_t b)
{
	uint64_t s;

	if (__builtin_add_overflow(a, b, &s))
		return UINT64_MAX;
	return s;
}

void lb_hist_merge(struct lb_hist *dst, const struct lb_hist *src)
{
	if (src->count == 0)
		return;
	/* Every value lies between min and max, so the buckets outside hold 0. */
	size_t lo = lb_hist_index(src->min), hi = lb_hist_index(src->max);
	for (size_t i = lo; i <= hi; i++)
		dst->counts[i] += src->counts[i];
	if (dst->count == 0 || src->min < dst->min)
		dst->min = src->min;
	if (src->max > dst->max)
		dst->max = src->max;
	dst->count += src->count;
	dst->sum = add_saturating(dst->sum, src->sum);
}

/*
 * Row r of SUB_COUNT buckets (r = idx >> SUB_BITS) holds values whose
 * buckets are 2^(r-1) wide; rows 0 and 1 both have width 1. Inside a row
 * from 1 up, the sub-bucket number is the value's top SUB_BITS+1 bits.
 */
uint64_t lb_hist_bucket_low(size_t idx)
{
	size_t row = idx >> LB_HIST_SUB_BITS;
	uint64_t sub;

	assert(idx < LB_HIST_BUCKETS);
	if (row == 0)
		return idx;
	sub = (idx & (LB_HIST_SUB_COUNT - 1)) | LB_HIST_SUB_COUNT;
	return sub << (row - 1);
}

uint64_t lb_hist_bucket_high(size_t idx)
{
	size_t row = idx >> LB_HIST_SUB_BITS;

	assert(idx < LB_HIST_BUCKETS);
	if (idx == LB_HIST_BUCKETS - 1)
		return UINT64_MAX;
	if (row == 0)
		return idx;
	return lb_hist_bucket_low(idx) + (UINT64_C(1) << (row - 1)) - 1;
}

/*
 * ceil(pct/100 * count), at least 1. pct/100 * count is computed in double
 * and may land a few ulps above an integer it should equal (99.9% of 1000
 * gives 999.0000000000001); a relative slack of a few epsilons keeps that
 * from pushing the rank up by one. A true fraction that small cannot come
 * from percentiles written with a reasonable number of digits.
 */
static uint64_t rank_of(double pct, uint64_t count)
{
	double r = pct / 100.0 * (double)count;
	double rank = ceil(r - r * 4 * DBL_EPSILON);

	if (rank < 1)
		return 1;
	if (rank >= (double)count)
		return count;
	return (uint64_t)rank;
}

uint64_t lb_hist_value_at(const struct lb_hist *h, double pct)
{
	uint64_t rank, seen = 0, v;

	if (h->count == 0)
		return 0;
	if (!(pct > 0))
		return h->min;
	if (pct >= 100)
		return h->max;

	rank = rank_of(pct, h->count);
	for (size_t i = 0; i < LB_HIST_BUCKETS; i++) {
		seen += h->counts[i];
		if (seen >= rank) {
			v = lb_hist_bucket_high(i);
			if (v < h->min)
				v = h->min;
			if (v > h->max)
				v = h->max;
			return v;
		}
	}
	/* Only reached if counts[] sum to less than count (a corrupt histogram). */
	return h->max;
}

double lb_hist_mean(const struct lb_hist *h)
{
	if (h->count == 0)
		return 0;
	return (double)h->sum / (double)h->count;
}
