/*
 * test_hist.c — the histogram's error bound, its edges and its percentiles.
 *
 * The percentile tests compare against exact percentiles of the same data
 * (a sorted copy), with the rank computed in integers here so that the
 * histogram's floating-point rank is checked, not copied.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "engine/hist.h"

static struct lb_hist *hist_new(void)
{
	struct lb_hist *h = aligned_alloc(LB_HIST_ALIGN, sizeof(*h));

	cr_assert_not_null(h);
	lb_hist_reset(h);
	return h;
}

/* splitmix64: a fixed seed gives the same data on every run and machine. */
static uint64_t rng_state;

static uint64_t rng_next(void)
{
	uint64_t z = (rng_state += UINT64_C(0x9e3779b97f4a7c15));

	z = (z ^ (z >> 30)) * UINT64_C(0xbf58476d1ce4e5b9);
	z = (z ^ (z >> 27)) * UINT64_C(0x94d049bb133111eb);
	return z ^ (z >> 31);
}

/* Uniform in (0, 1]. */
static double rng_unit(void)
{
	return ((double)(rng_next() >> 11) + 1.0) / 9007199254740992.0;
}

static int cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x > y) - (x < y);
}

/* Percentiles in thousandths of a percent, so ranks can be computed exactly. */
static const uint64_t pcts_milli[] = { 0,     1,     1000,  10000, 25000, 50000,
				       75000, 90000, 99000, 99900, 99990, 99999,
				       100000 };

/*
 * Record vals into a histogram and check every percentile in pcts_milli
 * against the exact one: never below it, at most 1% (in fact 1/128) above.
 */
static void check_percentiles(uint64_t *vals, size_t n, const char *what)
{
	struct lb_hist *h = hist_new();
	uint64_t sum = 0;

	for (size_t i = 0; i < n; i++) {
		lb_hist_record(h, vals[i]);
		sum += vals[i];
	}
	qsort(vals, n, sizeof(*vals), cmp_u64);

	cr_assert_eq(h->count, n, "%s: count", what);
	cr_assert_eq(h->sum, sum, "%s: sum", what);
	cr_assert_eq(h->min, vals[0], "%s: min", what);
	cr_assert_eq(h->max, vals[n - 1], "%s: max", what);
	cr_assert_float_eq(lb_hist_mean(h), (double)sum / (double)n, 1e-9 * (double)sum / n,
			   "%s: mean", what);

	for (size_t i = 0; i < sizeof(pcts_milli) / sizeof(pcts_milli[0]); i++) {
		uint64_t p = pcts_milli[i];
		uint64_t rank = (p * n + 99999) / 100000;
		uint64_t exact, got;

		if (rank < 1)
			rank = 1;
		exact = vals[rank - 1];
		if (p == 0)
			exact = vals[0];
		got = lb_hist_value_at(h, (double)p / 1000.0);
		cr_assert_geq(got, exact, "%s: p%.3f = %lu below exact %lu", what,
			      (double)p / 1000.0, (unsigned long)got, (unsigned long)exact);
		cr_assert_leq((double)(got - exact), (double)exact / 100.0,
			      "%s: p%.3f = %lu more than 1%% above exact %lu", what,
			      (double)p / 1000.0, (unsigned long)got, (unsigned long)exact);
	}
	free(h);
}

#define NVALS 200000

Test(hist, uniform_percentiles_within_1pct)
{
	uint64_t *v = malloc(NVALS * sizeof(*v));

	rng_state = 1;
	for (size_t i = 0; i < NVALS; i++)
		v[i] = rng_next() % 10000000;
	check_percentiles(v, NVALS, "uniform");
	free(v);
}

Test(hist, exponential_percentiles_within_1pct)
{
	uint64_t *v = malloc(NVALS * sizeof(*v));

	rng_state = 2;
	for (size_t i = 0; i < NVALS; i++)
		v[i] = (uint64_t)(-20000.0 * log(rng_unit()));
	check_percentiles(v, NVALS, "exponential");
	free(v);
}

/* A fast path and a slow tail three orders of magnitude apart, like a lock with handovers. */
Test(hist, bimodal_percentiles_within_1pct)
{
	uint64_t *v = malloc(NVALS * sizeof(*v));

	rng_state = 3;
	for (size_t i = 0; i < NVALS; i++) {
		if (rng_next() % 100 < 95)
			v[i] = 800 + rng_next() % 400;
		else
			v[i] = 2000000 + rng_next() % 3000000;
	}
	check_percentiles(v, NVALS, "bimodal");
	free(v);
}

/* Log-uniform from 1 to 2^42: every row of buckets gets values. */
Test(hist, log_uniform_percentiles_within_1pct)
{
	uint64_t *v = malloc(NVALS * sizeof(*v));

	rng_state = 4;
	for (size_t i = 0; i < NVALS; i++)
		v[i] = (uint64_t)exp2(42.0 * rng_unit());
	check_percentiles(v, NVALS, "log-uniform");
	free(v);
}

Test(hist, small_values_are_exact)
{
	struct lb_hist *h = hist_new();

	for (uint64_t v = 0; v < 2 * LB_HIST_SUB_COUNT; v++) {
		cr_assert_eq(lb_hist_index(v), v);
		cr_assert_eq(lb_hist_bucket_low(v), v);
		cr_assert_eq(lb_hist_bucket_high(v), v);
		lb_hist_record(h, v);
		lb_hist_record(h, v);
	}
	/* 512 values, two of each of 0..255: the rank-th smallest is (rank-1)/2. */
	for (unsigned p = 1; p < 100; p++) {
		uint64_t rank = (p * 512 + 99) / 100;

		cr_assert_eq(lb_hist_value_at(h, p), (rank - 1) / 2, "p%u", p);
	}
	free(h);
}

/*
 * The error bound, bucket by bucket: buckets tile the range without gaps or
 * overlap, the index maps both edges of each bucket back to it, and no
 * bucket is wider than 1% of its low edge. With LB_HIST_SUB_BITS 6 or less
 * (1/64 = 1.6%), or an off-by-one in the index, this fails.
 */
Test(hist, every_bucket_within_error_bound)
{
	uint64_t expect_low = 0;

	for (size_t i = 0; i < LB_HIST_BUCKETS; i++) {
		uint64_t low = lb_hist_bucket_low(i);
		uint64_t high = lb_hist_bucket_high(i);
		uint64_t in_range_high = high < LB_HIST_LIMIT ? high : LB_HIST_LIMIT - 1;

		cr_assert_eq(low, expect_low, "bucket %zu starts at %lu, expected %lu", i,
			     (unsigned long)low, (unsigned long)expect_low);
		cr_assert_geq(high, low, "bucket %zu", i);
		cr_assert_eq(lb_hist_index(low), i, "index of low edge of %zu", i);
		cr_assert_eq(lb_hist_index(in_range_high), i, "index of high edge of %zu", i);
		cr_assert_leq((double)(in_range_high - low), (double)low / 100.0,
			      "bucket %zu [%lu, %lu] wider than 1%%", i, (unsigned long)low,
			      (unsigned long)in_range_high);
		cr_assert_leq((in_range_high - low) * LB_HIST_SUB_COUNT, low,
			      "bucket %zu wider than 1/%u of its low edge", i, LB_HIST_SUB_COUNT);
		expect_low = in_range_high + 1;
	}
	cr_assert_eq(expect_low, LB_HIST_LIMIT, "buckets end at 2^%d", LB_HIST_MAX_BITS);
	cr_assert_eq(lb_hist_bucket_high(LB_HIST_BUCKETS - 1), UINT64_MAX);
}

/* The index never decreases as the value grows, including across powers of two. */
Test(hist, index_is_monotonic)
{
	size_t prev = lb_hist_index(0);

	cr_assert_eq(prev, 0);
	for (unsigned bit = 0; bit < 64; bit++) {
		uint64_t base = UINT64_C(1) << bit;
		/* Ascending: the start, middle and end of [2^bit, 2^(bit+1)). */
		uint64_t probes[] = { base, base | (base >> 1), base | (base - 1) };

		for (size_t j = 0; j < sizeof(probes) / sizeof(probes[0]); j++) {
			size_t idx = lb_hist_index(probes[j]);

			cr_assert_lt(idx, LB_HIST_BUCKETS, "index of %lu", (unsigned long)probes[j]);
			cr_assert_geq(idx, prev, "index of %lu decreased", (unsigned long)probes[j]);
			prev = idx;
		}
	}
	rng_state = 5;
	for (int i = 0; i < 100000; i++) {
		uint64_t a = rng_next() >> (rng_next() % 64), b = a + rng_next() % 1000;

		if (b < a)
			continue;
		cr_assert_leq(lb_hist_index(a), lb_hist_index(b), "%lu vs %lu", (unsigned long)a,
			      (unsigned long)b);
	}
}

Test(hist, merge_equals_recording_into_one)
{
	struct lb_hist *a = hist_new(), *b = hist_new(), *all = hist_new();

	rng_state = 6;
	for (int i = 0; i < 50000; i++) {
		uint64_t v = rng_next() >> (rng_next() % 64);

		lb_hist_record(i % 3 ? a : b, v);
		lb_hist_record(all, v);
	}
	lb_hist_merge(a, b);
	cr_assert_eq(memcmp(a->counts, all->counts, sizeof(a->counts)), 0);
	cr_assert_eq(a->count, all->count);
	cr_assert_eq(a->sum, all->sum);
	cr_assert_eq(a->min, all->min);
	cr_assert_eq(a->max, all->max);
	free(a);
	free(b);
	free(all);
}

/* Merging an empty histogram changes nothing; merging into one copies. */
Test(hist, merge_with_empty)
{
	struct lb_hist *a = hist_new(), *empty = hist_new(), *copy = hist_new();

	lb_hist_record(a, 5);
	lb_hist_record(a, 5000);
	memcpy(copy, a, sizeof(*a));
	lb_hist_merge(a, empty);
	cr_assert_eq(memcmp(a->counts, copy->counts, sizeof(a->counts)), 0);
	cr_assert_eq(a->min, 5);
	cr_assert_eq(a->max, 5000);
	cr_assert_eq(a->count, 2);

	lb_hist_merge(empty, a);
	cr_assert_eq(memcmp(empty->counts, a->counts, sizeof(a->counts)), 0);
	cr_assert_eq(empty->min, 5);
	cr_assert_eq(empty->max, 5000);
	cr_assert_eq(empty->sum, 5005);
	free(a);
	free(empty);
	free(copy);
}

Test(hist, extreme_values)
{
	struct lb_hist *h = hist_new();

	lb_hist_record(h, 0);
	lb_hist_record(h, LB_HIST_LIMIT - 1);
	lb_hist_record(h, UINT64_MAX);
	cr_assert_eq(h->count, 3);
	cr_assert_eq(h->min, 0);
	cr_assert_eq(h->max, UINT64_MAX);
	cr_assert_eq(h->counts[0], 1);
	cr_assert_eq(h->counts[LB_HIST_BUCKETS - 1], 2);
	cr_assert_eq(h->sum, UINT64_MAX, "sum saturates instead of wrapping");
	cr_assert_eq(lb_hist_value_at(h, 100), UINT64_MAX);
	cr_assert_eq(lb_hist_value_at(h, 0), 0);
	cr_assert_eq(lb_hist_value_at(h, 10), 0);
	cr_assert_geq(lb_hist_value_at(h, 50), LB_HIST_LIMIT - 1);
	cr_assert_eq(lb_hist_index(LB_HIST_LIMIT), LB_HIST_BUCKETS - 1);
	cr_assert_eq(lb_hist_index(UINT64_MAX), LB_HIST_BUCKETS - 1);
	free(h);

	/* A lone out-of-range value is reported as itself, not as the bucket's edge. */
	h = hist_new();
	lb_hist_record(h, UINT64_C(1) << 50);
	cr_assert_eq(lb_hist_value_at(h, 50), UINT64_C(1) << 50);
	cr_assert_eq(lb_hist_value_at(h, 99.9), UINT64_C(1) << 50);
	free(h);
}

/* The bucket's high edge is clamped to the recorded max (and min). */
Test(hist, value_at_clamps_to_min_and_max)
{
	struct lb_hist *h = hist_new();

	/* 1000 lives in bucket [1000, 1003]. */
	cr_assert_eq(lb_hist_bucket_low(lb_hist_index(1000)), 1000);
	cr_assert_eq(lb_hist_bucket_high(lb_hist_index(1000)), 1003);
	lb_hist_record(h, 1000);
	lb_hist_record(h, 1000);
	cr_assert_eq(lb_hist_value_at(h, 50), 1000);
	cr_assert_eq(lb_hist_value_at(h, 99), 1000);
	cr_assert_eq(lb_hist_value_at(h, 0), 1000);
	free(h);
}

/*
 * 99.9% of 1000 is rank 999 exactly, although 99.9 / 100 * 1000 evaluates
 * to 999.0000000000001 in double; a plain ceil would report rank 1000.
 */
Test(hist, rank_is_not_pushed_up_by_rounding)
{
	struct lb_hist *h = hist_new();

	for (int i = 0; i < 999; i++)
		lb_hist_record(h, 10);
	lb_hist_record(h, 200);
	cr_assert_eq(lb_hist_value_at(h, 99.9), 10);
	cr_assert_eq(lb_hist_value_at(h, 99.95), 200);
	cr_assert_eq(lb_hist_value_at(h, 100), 200);
	free(h);
}

Test(hist, out_of_range_percentiles)
{
	struct lb_hist *h = hist_new();

	lb_hist_record(h, 7);
	lb_hist_record(h, 70);
	cr_assert_eq(lb_hist_value_at(h, -5), 7);
	cr_assert_eq(lb_hist_value_at(h, NAN), 7);
	cr_assert_eq(lb_hist_value_at(h, 150), 70);
	cr_assert_eq(lb_hist_value_at(h, INFINITY), 70);
	free(h);
}

Test(hist, empty)
{
	struct lb_hist *h = hist_new();

	cr_assert_eq(h->count, 0);
	cr_assert_eq(h->min, UINT64_MAX);
	cr_assert_eq(h->max, 0);
	cr_assert_eq(lb_hist_value_at(h, 0), 0);
	cr_assert_eq(lb_hist_value_at(h, 50), 0);
	cr_assert_eq(lb_hist_value_at(h, 100), 0);
	cr_assert_eq(lb_hist_mean(h), 0.0);
	free(h);
}

Test(hist, reset_clears_everything)
{
	struct lb_hist *h = aligned_alloc(LB_HIST_ALIGN, sizeof(*h));

	memset(h, 0xa5, sizeof(*h));
	lb_hist_reset(h);
	cr_assert_eq(h->count, 0);
	cr_assert_eq(h->sum, 0);
	cr_assert_eq(h->min, UINT64_MAX);
	cr_assert_eq(h->max, 0);
	for (size_t i = 0; i < LB_HIST_BUCKETS; i++)
		cr_assert_eq(h->counts[i], 0, "bucket %zu", i);

	lb_hist_record(h, 12345);
	lb_hist_reset(h);
	cr_assert_eq(h->count, 0);
	cr_assert_eq(lb_hist_value_at(h, 50), 0);
	lb_hist_record(h, 3);
	cr_assert_eq(h->min, 3);
	cr_assert_eq(h->max, 3);
	free(h);
}

Test(hist, mean)
{
	struct lb_hist *h = hist_new();

	lb_hist_record(h, 1);
	lb_hist_record(h, 2);
	lb_hist_record(h, 1000000);
	cr_assert_float_eq(lb_hist_mean(h), 1000003.0 / 3.0, 1e-9);
	free(h);
}

/* Arrays of histograms keep each element on its own cache lines. */
Test(hist, layout)
{
	cr_assert_eq(LB_HIST_BUCKETS, 4864);
	cr_assert_eq(sizeof(struct lb_hist) % LB_HIST_ALIGN, 0);
	cr_assert_eq(_Alignof(struct lb_hist), LB_HIST_ALIGN);
}
