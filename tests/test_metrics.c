/*
 * test_metrics.c — fairness figures on hand-computed inputs, their edge
 * cases, and cross-checks against the plain definitions (sorting, direct
 * formulas) on random inputs.
 */
#include <criterion/criterion.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/metrics.h"

#define EPS 1e-9
#define LEN(a) (sizeof(a) / sizeof((a)[0]))

static struct lb_fairness fair(const uint64_t *counts, size_t n)
{
	struct lb_fairness f;

	memset(&f, 0xa5, sizeof(f));
	lb_fairness_compute(counts, n, &f);
	return f;
}

/*
 * Scratch of exactly the advertised size, filled with garbage first: an
 * overrun shows under AddressSanitizer, a missing initialisation as wrong
 * figures.
 */
static struct lb_short_term short_term(const uint16_t *owners, size_t n, unsigned nthreads,
				       unsigned window)
{
	size_t size = lb_short_term_scratch_size(nthreads, n);
	void *scratch = malloc(size);
	struct lb_short_term st;

	cr_assert_not_null(scratch);
	memset(scratch, 0xa5, size);
	memset(&st, 0xa5, sizeof(st));
	lb_short_term_compute(owners, n, nthreads, window, scratch, &st);
	free(scratch);
	return st;
}

/* ---- long-term fairness ---- */

Test(fairness, all_equal)
{
	static const uint64_t c[] = { 5, 5, 5, 5 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_eq(f.jain, 1.0);
	cr_assert_eq(f.rsd, 0.0);
	cr_assert_float_eq(f.fairness_factor, 0.5, EPS);
	cr_assert_eq(f.max_min_ratio, 1.0);
	cr_assert_eq(f.min, 5);
	cr_assert_eq(f.max, 5);
	cr_assert(!f.starved);
}

Test(fairness, all_equal_odd_count_gives_half)
{
	static const uint64_t c[] = { 7, 7, 7 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_float_eq(f.fairness_factor, 0.5, EPS);
	cr_assert_eq(f.jain, 1.0);
}

Test(fairness, one_thread_takes_all_of_four)
{
	static const uint64_t c[] = { 0, 0, 100, 0 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_float_eq(f.jain, 0.25, EPS);
	cr_assert_float_eq(f.rsd, sqrt(3.0), EPS);
	cr_assert_float_eq(f.fairness_factor, 1.0, EPS);
	cr_assert(isinf(f.max_min_ratio) && f.max_min_ratio > 0);
	cr_assert_eq(f.min, 0);
	cr_assert_eq(f.max, 100);
	cr_assert(f.starved);
}

Test(fairness, one_thread_takes_all_of_three)
{
	static const uint64_t c[] = { 0, 9, 0 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_float_eq(f.jain, 1.0 / 3, EPS);
	cr_assert_float_eq(f.fairness_factor, 1.0, EPS);
	cr_assert(f.starved);
}

/* {10, 10, 0, 10}: J = 900 / (4 * 300), top half 20 of 30, σ = sqrt(18.75). */
Test(fairness, one_thread_with_zero_acquisitions)
{
	static const uint64_t c[] = { 10, 10, 0, 10 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_float_eq(f.jain, 0.75, EPS);
	cr_assert_float_eq(f.rsd, sqrt(18.75) / 7.5, EPS);
	cr_assert_float_eq(f.fairness_factor, 20.0 / 30.0, EPS);
	cr_assert(isinf(f.max_min_ratio));
	cr_assert(f.starved);
}

/* The textbook case: J = 10² / (4 * 30), σ² = 1.25, top half 7 of 10. */
Test(fairness, one_two_three_four)
{
	static const uint64_t c[] = { 1, 2, 3, 4 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_float_eq(f.jain, 100.0 / 120.0, EPS);
	cr_assert_float_eq(f.rsd, sqrt(1.25) / 2.5, EPS);
	cr_assert_float_eq(f.fairness_factor, 0.7, EPS);
	cr_assert_float_eq(f.max_min_ratio, 4.0, EPS);
	cr_assert(f.starved, "4/2 > 1");
}

/* Odd n: the middle thread counts half. {1,2,3}: (3 + 2/2) / 6. */
Test(fairness, odd_count_middle_counts_half)
{
	static const uint64_t c[] = { 2, 3, 1 };
	static const uint64_t d[] = { 5, 1, 5, 1, 5 };
	struct lb_fairness f = fair(c, LEN(c));

	cr_assert_float_eq(f.fairness_factor, 4.0 / 6.0, EPS);
	cr_assert_float_eq(f.jain, 36.0 / 42.0, EPS);
	f = fair(d, LEN(d));
	cr_assert_float_eq(f.fairness_factor, (10.0 + 2.5) / 17.0, EPS, "ties at the middle");
}

Test(fairness, single_thread)
{
	static const uint64_t c[] = { 42 };
	static const uint64_t z[] = { 0 };
	struct lb_fairness f = fair(c, 1);

	cr_assert_eq(f.jain, 1.0);
	cr_assert_eq(f.rsd, 0.0);
	cr_assert_eq(f.fairness_factor, 0.5);
	cr_assert_eq(f.max_min_ratio, 1.0);
	cr_assert_eq(f.min, 42);
	cr_assert_eq(f.max, 42);
	cr_assert(!f.starved);

	f = fair(z, 1);
	cr_assert_eq(f.jain, 1.0);
	cr_assert_eq(f.rsd, 0.0);
	cr_assert_eq(f.fairness_factor, 0.5);
	cr_assert_eq(f.max_min_ratio, 1.0);
	cr_assert(!f.starved);
}

Test(fairness, all_zero_and_empty)
{
	static const uint64_t z[] = { 0, 0, 0 };
	struct lb_fairness f = fair(z, LEN(z));

	cr_assert_eq(f.jain, 1.0);
	cr_assert_eq(f.rsd, 0.0);
	cr_assert_eq(f.fairness_factor, 0.5);
	cr_assert_eq(f.max_min_ratio, 1.0);
	cr_assert_eq(f.min, 0);
	cr_assert_eq(f.max, 0);
	cr_assert(!f.starved);

	f = fair(NULL, 0);
	cr_assert_eq(f.jain, 1.0);
	cr_assert_eq(f.rsd, 0.0);
	cr_assert_eq(f.fairness_factor, 0.5);
	cr_assert_eq(f.max_min_ratio, 1.0);
	cr_assert_eq(f.min, 0);
	cr_assert_eq(f.max, 0);
	cr_assert(!f.starved);
}

/* locktorture's test is max/2 > min in integers. */
Test(fairness, starvation_flag_boundary)
{
	static const uint64_t a[] = { 3, 1 }, b[] = { 4, 1 }, c[] = { 10, 5 }, d[] = { 11, 5 },
			      e[] = { 12, 5 };

	cr_assert(!fair(a, 2).starved, "3/2 = 1 is not > 1");
	cr_assert(fair(b, 2).starved, "4/2 = 2 > 1");
	cr_assert(!fair(c, 2).starved, "10/2 = 5 is not > 5");
	cr_assert(!fair(d, 2).starved, "11/2 = 5 is not > 5");
	cr_assert(fair(e, 2).starved, "12/2 = 6 > 5");
}

/* Counts near 2^53 and 2^63 must not lose the answer to overflow or cancellation. */
Test(fairness, large_counts)
{
	static const uint64_t c[] = { UINT64_C(1) << 62, UINT64_C(1) << 62 };
	static const uint64_t d[] = { UINT64_C(1) << 62, 0 };
	struct lb_fairness f = fair(c, 2);

	cr_assert_eq(f.jain, 1.0);
	cr_assert_eq(f.rsd, 0.0);
	cr_assert_float_eq(f.fairness_factor, 0.5, EPS);
	f = fair(d, 2);
	cr_assert_float_eq(f.jain, 0.5, EPS);
	cr_assert_float_eq(f.fairness_factor, 1.0, EPS);
}

static int cmp_desc(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return (x < y) - (x > y);
}

/* Random counts with many ties, against the definitions computed the obvious way. */
Test(fairness, matches_direct_definitions)
{
	uint64_t c[33], sorted[33];
	unsigned seed = 12345;

	for (int round = 0; round < 2000; round++) {
		size_t n = 1 + (size_t)(round % 33);
		long double sum = 0, sumsq = 0, top = 0, var = 0;
		struct lb_fairness f;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			c[i] = (seed >> 16) % 8; /* small range: plenty of ties */
			if (round % 3 == 0)
				c[i] *= 1000003;
			sum += c[i];
			sumsq += (long double)c[i] * c[i];
		}
		f = fair(c, n);
		if (sum == 0)
			continue;
		memcpy(sorted, c, n * sizeof(*c));
		qsort(sorted, n, sizeof(*sorted), cmp_desc);
		for (size_t i = 0; i < n / 2; i++)
			top += sorted[i];
		if (n % 2)
			top += sorted[n / 2] / 2.0L;
		for (size_t i = 0; i < n; i++)
			var += (c[i] - sum / n) * (c[i] - sum / n);
		var /= n;

		cr_assert_float_eq(f.jain, (double)(sum * sum / (n * sumsq)), 1e-12, "round %d", round);
		cr_assert_float_eq(f.fairness_factor, (double)(top / sum), 1e-12, "round %d", round);
		cr_assert_float_eq(f.rsd, (double)(sqrtl(var) / (sum / n)), 1e-12, "round %d", round);
		cr_assert_eq(f.min, sorted[n - 1]);
		cr_assert_eq(f.max, sorted[0]);
	}
}

/* ---- short-term fairness ---- */

Test(short_term, strict_round_robin)
{
	static const uint16_t o[] = { 0, 1, 2, 0, 1, 2 };
	struct lb_short_term st = short_term(o, LEN(o), 3, 3);

	cr_assert_eq(st.covered, 6);
	cr_assert_eq(st.window, 3);
	cr_assert_float_eq(st.handover_ratio, 1.0, EPS);
	cr_assert_float_eq(st.mttr, 2.0, EPS);
	cr_assert_float_eq(st.lwss, 3.0, EPS);

	/* LWSS = min(K, 3) for every K. */
	cr_assert_float_eq(short_term(o, LEN(o), 3, 1).lwss, 1.0, EPS);
	cr_assert_float_eq(short_term(o, LEN(o), 3, 2).lwss, 2.0, EPS);
	cr_assert_float_eq(short_term(o, LEN(o), 3, 4).lwss, 3.0, EPS);
	cr_assert_float_eq(short_term(o, LEN(o), 3, 100).lwss, 3.0, EPS);
}

Test(short_term, long_runs)
{
	static const uint16_t o[] = { 0, 0, 0, 1, 1, 1 };
	struct lb_short_term st = short_term(o, LEN(o), 2, 3);

	cr_assert_float_eq(st.handover_ratio, 1.0 / 5.0, EPS);
	cr_assert_float_eq(st.mttr, 0.0, EPS);
	cr_assert_float_eq(st.lwss, 1.0, EPS);
	/* K = 2: windows {0,0} {0,1} {1,1} → 1, 2, 1. */
	cr_assert_float_eq(short_term(o, LEN(o), 2, 2).lwss, 1.0, EPS);
	cr_assert_float_eq(short_term(o, LEN(o), 2, 6).lwss, 2.0, EPS);
}

Test(short_term, single_owner)
{
	static const uint16_t o[] = { 1, 1, 1, 1, 1 };
	struct lb_short_term st = short_term(o, LEN(o), 4, 2);

	cr_assert_eq(st.handover_ratio, 0.0);
	cr_assert_float_eq(st.mttr, 0.0, EPS);
	cr_assert_float_eq(st.lwss, 1.0, EPS);
}

Test(short_term, empty)
{
	struct lb_short_term st = short_term(NULL, 0, 4, 8);

	cr_assert_eq(st.covered, 0);
	cr_assert_eq(st.window, 8);
	cr_assert_eq(st.lwss, 0.0);
	cr_assert(isnan(st.mttr));
	cr_assert_eq(st.handover_ratio, 0.0);
}

Test(short_term, one_entry)
{
	static const uint16_t o[] = { 2 };
	struct lb_short_term st = short_term(o, 1, 3, 4);

	cr_assert_eq(st.covered, 1);
	cr_assert_float_eq(st.lwss, 1.0, EPS);
	cr_assert(isnan(st.mttr), "nobody acquired twice");
	cr_assert_eq(st.handover_ratio, 0.0);
}

Test(short_term, nobody_acquires_twice)
{
	static const uint16_t o[] = { 3, 0, 2, 1 };
	struct lb_short_term st = short_term(o, LEN(o), 4, 2);

	cr_assert(isnan(st.mttr));
	cr_assert_float_eq(st.handover_ratio, 1.0, EPS);
	cr_assert_float_eq(st.lwss, 2.0, EPS);
}

/* Even numbers of gaps and of windows: the mean of the middle two. */
Test(short_term, even_medians)
{
	static const uint16_t o[] = { 0, 0, 1, 0 };
	struct lb_short_term st = short_term(o, LEN(o), 2, 2);

	/* thread 0's gaps: 0 (positions 0,1) and 1 (positions 1,3). */
	cr_assert_float_eq(st.mttr, 0.5, EPS);
	/* windows {0,0} {1,0} → 1 and 2. */
	cr_assert_float_eq(st.lwss, 1.5, EPS);
	cr_assert_float_eq(st.handover_ratio, 2.0 / 3.0, EPS);
}

/* With at least K entries, a trailing partial window is not a window. */
Test(short_term, partial_window_left_out)
{
	static const uint16_t o[] = { 0, 0, 0, 1, 2 };

	/* Only {0,0,0}; counting {1,2} too would give a median of 1.5. */
	cr_assert_float_eq(short_term(o, LEN(o), 3, 3).lwss, 1.0, EPS);
}

Test(short_term, window_zero_means_nthreads)
{
	static const uint16_t o[] = { 0, 1, 2, 3, 0, 1, 2, 3 };
	struct lb_short_term st = short_term(o, LEN(o), 4, 0);

	cr_assert_eq(st.window, 4);
	cr_assert_float_eq(st.lwss, 4.0, EPS);
	cr_assert_float_eq(st.mttr, 3.0, EPS);

	st = short_term(o, LEN(o), 0, 0);
	cr_assert_eq(st.window, 1, "no threads: K falls back to 1");
	cr_assert_float_eq(st.lwss, 1.0, EPS);
}

/* Ids >= nthreads (a broken log) share one "unknown" owner instead of overrunning scratch. */
Test(short_term, out_of_range_ids_share_one_slot)
{
	static const uint16_t o[] = { 0, 7, 65535, 0 };
	struct lb_short_term st = short_term(o, LEN(o), 2, 4);

	/* owner 0: gap 2; unknown (7, 65535): gap 0. */
	cr_assert_float_eq(st.mttr, 1.0, EPS);
	cr_assert_float_eq(st.lwss, 2.0, EPS);
	cr_assert_float_eq(st.handover_ratio, 1.0, EPS);
}

Test(short_term, scratch_size)
{
	cr_assert_geq(lb_short_term_scratch_size(0, 0), 8);
	cr_assert_geq(lb_short_term_scratch_size(4, 1000), 1000 * 8);
	cr_assert_eq(lb_short_term_scratch_size(4, SIZE_MAX), SIZE_MAX);
	cr_assert_eq(lb_short_term_scratch_size(4, SIZE_MAX / 8), SIZE_MAX);
	cr_assert_eq(lb_short_term_scratch_size(65536, SIZE_MAX / 8 - 10), SIZE_MAX);
}

static int cmp_size(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;

	return (x > y) - (x < y);
}

static double sorted_median(size_t *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_size);
	return ((double)v[(n - 1) / 2] + (double)v[n / 2]) / 2;
}

/* Random logs against a brute-force reading of the definitions. */
Test(short_term, matches_brute_force)
{
	enum { MAXN = 600, MAXT = 9 };
	uint16_t o[MAXN];
	size_t gaps[MAXN], windows[MAXN];
	unsigned seed = 777;

	for (int round = 0; round < 300; round++) {
		size_t n = 1 + (size_t)(round * 7) % MAXN, ngaps = 0, nwin = 0, changes = 0;
		unsigned nthreads = 1 + (unsigned)round % MAXT, k = 1 + (unsigned)round % 13;
		size_t len = n >= k ? k : n;
		struct lb_short_term st;

		for (size_t i = 0; i < n; i++) {
			seed = seed * 1103515245u + 12345u;
			/* Runs of the same owner now and then, so gaps of 0 occur. */
			if (i > 0 && (seed >> 16) % 4 == 0)
				o[i] = o[i - 1];
			else
				o[i] = (uint16_t)((seed >> 8) % nthreads);
		}
		st = short_term(o, n, nthreads, k);

		for (size_t i = 0; i < n; i++) {
			for (size_t j = i + 1; j < n; j++) {
				if (o[j] == o[i]) {
					gaps[ngaps++] = j - i - 1;
					break;
				}
			}
			if (i > 0 && o[i] != o[i - 1])
				changes++;
		}
		for (size_t start = 0; start + len <= n; start += len) {
			size_t distinct = 0;

			for (size_t i = start; i < start + len; i++) {
				size_t j = start;

				while (o[j] != o[i])
					j++;
				distinct += j == i;
			}
			windows[nwin++] = distinct;
		}

		cr_assert_eq(st.covered, n);
		cr_assert_float_eq(st.lwss, sorted_median(windows, nwin), EPS, "round %d", round);
		if (ngaps == 0)
			cr_assert(isnan(st.mttr), "round %d", round);
		else
			cr_assert_float_eq(st.mttr, sorted_median(gaps, ngaps), EPS, "round %d", round);
		cr_assert_float_eq(st.handover_ratio, n < 2 ? 0.0 : (double)changes / (double)(n - 1),
				   EPS, "round %d", round);
	}
}
