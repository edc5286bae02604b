/*
 * analysis/stats.h — the statistics behind the runner's summaries and `lockbench compare`.
 *
 * Repetitions of one benchmark config are few (3–30) and their distribution is
 * anything but normal (a preempted spinner makes a long right tail), so every
 * estimate here is distribution-free: medians rather than means, order-statistic
 * confidence intervals, the Mann–Whitney U rank test, and a percentile
 * bootstrap. None of this runs on a hot path; functions allocate scratch space
 * as they need it and never modify their inputs.
 *
 * Inputs are assumed to be finite numbers; NaN in an input gives undefined
 * (but memory-safe) results.
 */
#ifndef LOCKBENCH_STATS_H
#define LOCKBENCH_STATS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Median of v[0..n-1] (mean of the two middle values for even n); NAN for n == 0. */
double lb_stats_median(const double *v, size_t n);

/*
 * Distribution-free 95% confidence interval of the median: the order
 * statistics x(j) and x(n+1-j) with the largest j for which the binomial
 * coverage 1 - 2·P(Bin(n, 1/2) <= j-1) is still >= 0.95. Returns true when
 * the interval reaches that coverage. Below n = 6 no pair of order statistics
 * does (even [min, max] covers only 1 - 2^(1-n), 93.75% at n = 5): the
 * interval is then [min, max] and the function returns false. n == 0 gives
 * [NAN, NAN] and false.
 */
bool lb_stats_median_ci95(const double *v, size_t n, double *lo, double *hi);

/*
 * Two-sided p-value of the Mann–Whitney U test of a against b. Exact (the
 * full null distribution of U, counted) when na <= 20, nb <= 20 and no value
 * is tied; otherwise the normal approximation with tie correction and
 * continuity correction. Returns 1.0 when either side is empty or when every
 * value is tied.
 */
double lb_stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb);

/*
 * Smallest n for which two samples of n values each can reach p < alpha in
 * lb_stats_mann_whitney_p (the samples completely separated). Fewer
 * repetitions can never show a significant difference, whatever the data.
 * Returns 0 if no n up to 1000 suffices (alpha absurdly small).
 */
size_t lb_stats_mann_whitney_min_n(double alpha);

/*
 * Percentile bootstrap 95% confidence interval of median(nw) / median(base):
 * iters times, resample each side with replacement, take the ratio of the
 * medians; the interval runs from the 2.5th to the 97.5th percentile of those
 * ratios. The generator is splitmix64 seeded with seed, so the result depends
 * only on the inputs. A resample whose base median is 0 yields an infinite or
 * NaN ratio; NaN ratios sort above everything. Gives [NAN, NAN] when a side
 * is empty, iters is 0 or memory runs out.
 */
void lb_stats_bootstrap_ratio_ci(const double *base, size_t nb, const double *nw, size_t nn,
				 unsigned iters, uint64_t seed, double *lo, double *hi);

/*
 * Two-sided p-value of the Wilcoxon signed-rank test that the paired
 * differences d[0..n-1] are centred on 0 (for `ab`: the log ratios of the
 * window pairs). Differences of exactly 0 are dropped (Wilcoxon's own
 * treatment); the others are ranked by absolute value, tied ones sharing the
 * mean of their ranks, and W+ sums the ranks of the positive ones. Exact (the
 * null distribution of W+ counted over all 2^m sign patterns) when m <= 30
 * differences remain and no absolute values tie; otherwise the normal
 * approximation with tie correction and continuity correction. Returns 1.0
 * when no difference remains.
 */
double lb_stats_wilcoxon_p(const double *d, size_t n);

/*
 * Smallest number of pairs for which lb_stats_wilcoxon_p can reach
 * p < alpha (every difference of one sign: p = 2 / 2^n). 0 if no n up to
 * 1000 suffices.
 */
size_t lb_stats_wilcoxon_min_n(double alpha);

/*
 * Percentile bootstrap 95% confidence interval of the median of v[0..n-1]
 * (for `ab`: of the pairs' log ratios, resampled as pairs): iters medians of
 * resamples with replacement, their 2.5th and 97.5th percentiles; splitmix64
 * seeded with seed, as lb_stats_bootstrap_ratio_ci. [NAN, NAN] when n or
 * iters is 0 or memory runs out.
 */
void lb_stats_bootstrap_median_ci(const double *v, size_t n, unsigned iters, uint64_t seed, double *lo, double *hi);

#endif
