/*
 * test_stats_paired.c — the paired statistics of runner/analysis/stats.c
 * (`lockbench ab`) against worked values: the Wilcoxon signed-rank test's
 * exact p-values were enumerated over all 2^m sign patterns by a separate
 * script, the normal approximation with ties computed by hand (below), and
 * the bootstrap interval of a median checked on data whose median is known.
 */
#include <criterion/criterion.h>
#include <math.h>

#include "analysis/stats.h"

#define N_OF(a) (sizeof(a) / sizeof((a)[0]))

Test(stats_wilcoxon, darwin_zea_mays_exact)
{
	/*
	 * Darwin's cross- minus self-fertilised plant heights (Fisher, "The
	 * Design of Experiments", §17): W- = 10 + 14 = 24, W+ = 96; 2 * P(W+ <= 24)
	 * over the 2^15 sign patterns = 1352 / 32768 = 0.041259765625.
	 */
	double d[] = { 6, 8, 14, 16, 23, 24, 28, 29, 41, -48, 49, 56, 60, -67, 75 };
	double neg[N_OF(d)];

	cr_expect_eq(lb_stats_wilcoxon_p(d, N_OF(d)), 0.041259765625);
	for (size_t i = 0; i < N_OF(d); i++)
		neg[i] = -d[i];
	cr_expect_eq(lb_stats_wilcoxon_p(neg, N_OF(neg)), 0.041259765625, "two-sided: the sign of all is no matter");
}

Test(stats_wilcoxon, all_of_one_sign)
{
	/* W+ = n(n+1)/2 is one pattern of 2^n: p = 2 / 2^n */
	double d[] = { 0.5, 0.01, 0.2, 0.3, 0.04, 0.6, 0.07, 0.8 };

	cr_expect_eq(lb_stats_wilcoxon_p(d, 8), 0.0078125);
	cr_expect_eq(lb_stats_wilcoxon_p(d, 7), 0.015625);
	cr_expect_eq(lb_stats_wilcoxon_p(d, 1), 1.0);
}

Test(stats_wilcoxon, small_exact_mixed_signs)
{
	/* ranks 1..8, negatives at ranks 1 and 2: W- = 3; 2 * 5 / 256 (sums 0, 1, 2, 3, 3) */
	double d[] = { -0.25, -0.5, 1, 2, 3, 4, 5, 6 };

	cr_expect_float_eq(lb_stats_wilcoxon_p(d, N_OF(d)), 0.0390625, 1e-15);
}

Test(stats_wilcoxon, zeros_are_dropped)
{
	/* m = 3 left, all positive: 2 / 8 */
	double d[] = { 0, 0, 1, 2, 3 };
	double zeros[] = { 0, 0, 0 };

	cr_expect_eq(lb_stats_wilcoxon_p(d, N_OF(d)), 0.25);
	cr_expect_eq(lb_stats_wilcoxon_p(zeros, N_OF(zeros)), 1.0, "no difference at all: no evidence");
	cr_expect_eq(lb_stats_wilcoxon_p(d, 0), 1.0);
}

Test(stats_wilcoxon, normal_approximation_with_ties)
{
	/*
	 * m = 10 (the 0 dropped); |d| ranks: 1 -> 1, 2 and -2 -> 2.5, 3 -> 4, 4 -> 5,
	 * 5 -> 6, -6 -> 7, 7 and 7 -> 8.5, 8 -> 10; W+ = 45.5, mean 27.5;
	 * var = 10*11*21/24 - ((8 - 2) + (8 - 2))/48 = 96.25 - 0.25 = 96;
	 * z = (18 - 0.5) / sqrt(96) = 1.78606..., p = erfc(z / sqrt 2).
	 */
	double d[] = { 1, -2, 2, 3, 4, 5, -6, 7, 7, 8, 0 };

	cr_expect_float_eq(lb_stats_wilcoxon_p(d, N_OF(d)), 0.07408529075716493, 1e-12);
}

Test(stats_wilcoxon, normal_beyond_thirty)
{
	double d[31];

	for (size_t i = 0; i < N_OF(d); i++)
		d[i] = (double)(i + 1) * (i % 7 == 3 ? -1 : 1);
	double p = lb_stats_wilcoxon_p(d, N_OF(d));
	cr_expect(p > 0 && p < 0.001, "31 pairs, 4 small negatives: %g", p);
	cr_expect(p > lb_stats_wilcoxon_p(d, 30) / 10, "no jump between exact and normal: %g", p);
}

Test(stats_wilcoxon, min_n)
{
	cr_expect_eq(lb_stats_wilcoxon_min_n(0.01), 8, "2/2^8 = 0.0078 < 0.01, 2/2^7 = 0.0156 is not");
	cr_expect_eq(lb_stats_wilcoxon_min_n(0.05), 6, "2/2^6 = 0.031");
	cr_expect_eq(lb_stats_wilcoxon_min_n(0.0078125), 9, "strictly below alpha");
	cr_expect_eq(lb_stats_wilcoxon_min_n(1e-12), 0);
}

Test(stats_bootstrap_median, reproducible_and_around_the_median)
{
	double v[] = { -0.12, -0.08, -0.11, -0.09, -0.10, -0.13, -0.07, -0.10, -0.095, -0.105 };
	double lo, hi, lo2, hi2, med = lb_stats_median(v, N_OF(v));

	lb_stats_bootstrap_median_ci(v, N_OF(v), 2000, 42, &lo, &hi);
	lb_stats_bootstrap_median_ci(v, N_OF(v), 2000, 42, &lo2, &hi2);
	cr_expect(lo == lo2 && hi == hi2, "one seed, one interval");
	cr_expect(lo <= med && med <= hi, "[%g, %g] around %g", lo, hi, med);
	cr_expect(lo >= -0.13 && hi <= -0.07, "inside the data: [%g, %g]", lo, hi);
	cr_expect(hi - lo < 0.03, "ten values within 0.06: [%g, %g]", lo, hi);
}

Test(stats_bootstrap_median, degenerate_inputs)
{
	double c[] = { 0.5, 0.5, 0.5 }, one[] = { 2 };
	double lo, hi;

	lb_stats_bootstrap_median_ci(c, N_OF(c), 500, 1, &lo, &hi);
	cr_expect(lo == 0.5 && hi == 0.5);
	lb_stats_bootstrap_median_ci(one, 1, 500, 1, &lo, &hi);
	cr_expect(lo == 2 && hi == 2);
	lb_stats_bootstrap_median_ci(one, 0, 500, 1, &lo, &hi);
	cr_expect(isnan(lo) && isnan(hi));
	lb_stats_bootstrap_median_ci(one, 1, 0, 1, &lo, &hi);
	cr_expect(isnan(lo) && isnan(hi));
}
