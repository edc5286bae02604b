/*
 * test_stats.c — the statistics of runner/analysis/stats.c against values worked out by
 * hand: exact Mann–Whitney distributions for small samples (enumerating the
 * C(na+nb, na) arrangements), the textbook order-statistic intervals of the
 * median, and bootstrap intervals on data whose true ratio is known.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "analysis/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

Test(stats_median, odd_even_and_empty)
{
	double odd[] = { 5, 1, 4, 2, 3 };
	double even[] = { 10, 1, 3, 2 };

	cr_expect_eq(lb_stats_median(odd, N_OF(odd)), 3.0);
	cr_expect_eq(lb_stats_median(even, N_OF(even)), 2.5);
	cr_expect(isnan(lb_stats_median(odd, 0)));
}

Test(stats_median, leaves_input_unsorted)
{
	double v[] = { 3, 1, 2 };

	lb_stats_median(v, N_OF(v));
	cr_expect(v[0] == 3 && v[1] == 1 && v[2] == 2, "median sorted its input in place");
}

Test(stats_median_ci, one_to_ten_is_x2_x9)
{
	/* n = 10: P(B <= 1) = 11/1024, doubled 2.1% <= 5%; P(B <= 2) doubled is 10.9%. */
	double v[] = { 7, 3, 10, 1, 9, 2, 8, 4, 6, 5 };
	double lo, hi;

	cr_expect(lb_stats_median_ci95(v, N_OF(v), &lo, &hi));
	cr_expect_eq(lo, 2.0);
	cr_expect_eq(hi, 9.0);
}

Test(stats_median_ci, hundred_is_x40_x61)
{
	double v[100], lo, hi;

	for (size_t i = 0; i < N_OF(v); i++)
		v[i] = (double)(100 - i); /* 100..1, reversed on purpose */
	cr_expect(lb_stats_median_ci95(v, N_OF(v), &lo, &hi));
	cr_expect_eq(lo, 40.0);
	cr_expect_eq(hi, 61.0);
}

Test(stats_median_ci, small_n_falls_back_to_range)
{
	double five[] = { 4, 2, 5, 1, 3 };
	double six[] = { 4, 2, 6, 5, 1, 3 };
	double lo, hi;

	cr_expect_not(lb_stats_median_ci95(five, N_OF(five), &lo, &hi),
		      "n = 5 cannot reach 95%% coverage, must say so");
	cr_expect(lo == 1 && hi == 5);
	cr_expect(lb_stats_median_ci95(six, N_OF(six), &lo, &hi), "n = 6: [min,max] covers 96.9%%");
	cr_expect(lo == 1 && hi == 6);
	cr_expect_not(lb_stats_median_ci95(six, 0, &lo, &hi));
	cr_expect(isnan(lo) && isnan(hi));
}

Test(stats_mann_whitney, exact_three_vs_three)
{
	double a[] = { 1, 2, 3 }, b[] = { 4, 5, 6 };

	/* U = 0 is 1 of C(6,3) = 20 arrangements: two-sided p = 2/20. */
	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 3, b, 3), 0.1, 1e-12);
	cr_expect_float_eq(lb_stats_mann_whitney_p(b, 3, a, 3), 0.1, 1e-12,
			   "upper tail must mirror the lower one");
}

Test(stats_mann_whitney, exact_five_vs_five)
{
	double a[] = { 3, 1, 5, 2, 4 }, b[] = { 9, 6, 10, 8, 7 };

	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 5, b, 5), 2.0 / 252.0, 1e-12);
}

Test(stats_mann_whitney, exact_unequal_sizes)
{
	/* a > b in one pair: U = 1. For 2 vs 3 the counts of U = 0..6 are 1 1 2 2 2 1 1. */
	double a[] = { 1, 3 }, b[] = { 2, 4, 5 };

	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 2, b, 3), 2.0 * 2.0 / 10.0, 1e-12);
	cr_expect_float_eq(lb_stats_mann_whitney_p(b, 3, a, 2), 0.4, 1e-12);
}

Test(stats_mann_whitney, exact_interleaved_is_one)
{
	double a[] = { 1, 4, 5, 8 }, b[] = { 2, 3, 6, 7 };

	/* U = 8 = na·nb/2, the centre: nothing to see. */
	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 4, b, 4), 1.0, 1e-12);
}

Test(stats_mann_whitney, normal_approximation_with_ties)
{
	/*
	 * Ranks 1.5 1.5 3.5 3.5 5.5 5.5; R_a = 6.5, U = 0.5, mean 4.5,
	 * variance 9/12 · (7 - 18/30) = 4.8; z = (4 - 0.5)/sqrt(4.8).
	 */
	double a[] = { 1, 1, 2 }, b[] = { 2, 3, 3 };

	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 3, b, 3), 0.11014892418594698, 1e-9);
}

Test(stats_mann_whitney, identical_and_empty_samples)
{
	double a[] = { 1, 2, 3, 4, 5, 6, 7, 8, 9, 10 };
	double same[] = { 7, 7, 7, 7 };

	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 10, a, 10), 1.0, 1e-12);
	cr_expect_float_eq(lb_stats_mann_whitney_p(same, 4, same, 4), 1.0, 1e-12,
			   "all values tied: variance 0 must not divide by zero");
	cr_expect_eq(lb_stats_mann_whitney_p(a, 0, a, 10), 1.0);
	cr_expect_eq(lb_stats_mann_whitney_p(a, 10, a, 0), 1.0);
}

Test(stats_mann_whitney, large_separated_samples_are_significant)
{
	/* 25 vs 25 goes through the normal approximation: z = 312/sqrt(2656.25). */
	double v[50];

	for (size_t i = 0; i < N_OF(v); i++)
		v[i] = (double)i;
	cr_expect_float_eq(lb_stats_mann_whitney_p(v, 25, v + 25, 25),
			   erfc(312.0 / sqrt(2656.25) / sqrt(2.0)), 1e-15);
	cr_expect_lt(lb_stats_mann_whitney_p(v, 25, v + 25, 25), 1e-8);
}

Test(stats_mann_whitney, exact_at_twenty_and_normal_beyond)
{
	/*
	 * a = 0..19, b = 6.5..25.5: U = 42. The exact p was counted with the
	 * plain recursion N(m,n,u) = N(m-1,n,u-n) + N(m,n-1,u), independently of
	 * the q-binomial product the code uses.
	 */
	double a[20], b[20];

	for (size_t i = 0; i < 20; i++) {
		a[i] = (double)i;
		b[i] = (double)i + 6.5;
	}
	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 20, b, 20), 0.002642630591559353, 1e-15);
	/* a tie (a[0] = a[1] = 1) switches to the tie-corrected normal approximation */
	a[0] = 1;
	cr_expect_float_eq(lb_stats_mann_whitney_p(a, 20, b, 20), 0.0033346994393795475, 1e-12);
}

Test(stats_mann_whitney, min_n)
{
	/* smallest p for n vs n is 2/C(2n, n): n=2 0.333, 3 0.1, 4 0.0286, 5 0.0079 */
	cr_expect_eq(lb_stats_mann_whitney_min_n(0.05), 4);
	cr_expect_eq(lb_stats_mann_whitney_min_n(0.1), 4, "p < alpha is strict");
	cr_expect_eq(lb_stats_mann_whitney_min_n(0.2), 3);
	cr_expect_eq(lb_stats_mann_whitney_min_n(0.01), 5);
}

/* Twelve values around 100 with a little noise, and the same scaled by factor. */
static void make_pair(double *base, double *nw, size_t n, double factor)
{
	for (size_t i = 0; i < n; i++) {
		base[i] = 100.0 + (double)((i * 7) % 5) - 2.0;
		nw[i] = factor * (100.0 + (double)((i * 3) % 5) - 2.0);
	}
}

Test(stats_bootstrap, reproducible_for_a_seed)
{
	double base[12], nw[12], lo1, hi1, lo2, hi2;

	make_pair(base, nw, 12, 0.7);
	lb_stats_bootstrap_ratio_ci(base, 12, nw, 12, 2000, 42, &lo1, &hi1);
	lb_stats_bootstrap_ratio_ci(base, 12, nw, 12, 2000, 42, &lo2, &hi2);
	cr_expect(lo1 == lo2 && hi1 == hi2, "same seed, different interval");
}

Test(stats_bootstrap, contains_true_ratio)
{
	double base[12], nw[12], lo, hi;

	make_pair(base, nw, 12, 0.7);
	lb_stats_bootstrap_ratio_ci(base, 12, nw, 12, 2000, 1, &lo, &hi);
	cr_expect(lo <= 0.7 && 0.7 <= hi, "[%g, %g] misses 0.7", lo, hi);
	cr_expect(lo < hi);
	cr_expect(hi < 0.75 && lo > 0.65, "[%g, %g] far too wide for 2%% noise", lo, hi);

	make_pair(base, nw, 12, 1.3);
	lb_stats_bootstrap_ratio_ci(base, 12, nw, 12, 2000, 1, &lo, &hi);
	cr_expect(lo <= 1.3 && 1.3 <= hi, "[%g, %g] misses 1.3 (ratio upside down?)", lo, hi);
}

Test(stats_bootstrap, constant_data_and_empty_sides)
{
	double base[] = { 4, 4, 4 }, nw[] = { 5, 5, 5, 5 }, lo, hi;

	lb_stats_bootstrap_ratio_ci(base, 3, nw, 4, 500, 7, &lo, &hi);
	cr_expect(lo == 1.25 && hi == 1.25, "[%g, %g]", lo, hi);
	lb_stats_bootstrap_ratio_ci(base, 0, nw, 4, 500, 7, &lo, &hi);
	cr_expect(isnan(lo) && isnan(hi));
	lb_stats_bootstrap_ratio_ci(base, 3, nw, 4, 0, 7, &lo, &hi);
	cr_expect(isnan(lo) && isnan(hi));
}
