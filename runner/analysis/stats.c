/*
 * analysis/stats.c — distribution-free statistics for repetitions of a benchmark.
 *
 * Why these methods: a config runs a handful of times, and lock timings are
 * skewed (one preempted waiter stretches a whole repetition), so we neither
 * assume normality nor trust a mean.
 *
 * - Median confidence interval: the number of sample values below the true
 *   median is Binomial(n, 1/2), so the order statistics x(j) and x(n+1-j)
 *   bracket the median with probability 1 - 2·P(B <= j-1) whatever the
 *   distribution (any nonparametric statistics text, e.g. Conover,
 *   "Practical Nonparametric Statistics", §3.2).
 *
 * - Mann–Whitney U: U counts the (a, b) pairs with a > b (ties count 1/2).
 *   For small samples without ties we count its exact null distribution: the
 *   number of arrangements with U = u is the coefficient of q^u in the
 *   Gaussian binomial [na+nb choose na]_q, which we build from
 *   [m+i choose i]_q = [m+i-1 choose i-1]_q · (1 - q^(m+i)) / (1 - q^i);
 *   every coefficient is an integer below C(40, 20) < 2^53, exact in a double.
 *   Otherwise U is approximately normal with mean na·nb/2 and a variance
 *   reduced by tied groups; a continuity correction of 1/2 keeps the
 *   approximation from overstating significance. This matches what Google
 *   Benchmark's compare.py gets from scipy.stats.mannwhitneyu.
 *
 * - Wilcoxon signed-rank: for paired data (`ab`'s window pairs) the sign of
 *   each pair's difference is equally likely + or - under the null
 *   hypothesis, so W+ (the sum of the ranks of |d| over the positive d) has
 *   the distribution of the sum of a random subset of the ranks 1..m: the
 *   number of subsets with sum w, counted by the subset-sum recurrence, over
 *   2^m (exact in a double up to m = 30 and beyond). With tied |d| the normal
 *   approximation (mean m(m+1)/4, variance m(m+1)(2m+1)/24 less
 *   sum(t^3 - t)/48 over tied groups, continuity correction 1/2) as in
 *   Hollander and Wolfe, "Nonparametric Statistical Methods", §3.1.
 *
 * - Bootstrap: resampling each side with replacement and taking the ratio of
 *   the medians approximates the sampling distribution of the ratio without a
 *   formula for it; the 2.5th and 97.5th percentiles make the interval. The
 *   generator is our own splitmix64 (Steele, Lea, Flood 2014) so a result
 *   depends only on the data and the seed, never on libc's rand().
 */
#include "analysis/stats.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Exact U distribution is counted up to this many values per side. */
#define MW_EXACT_MAX 20

/* qsort order for doubles; NaN sorts after everything, so it never hides in the middle. */
static int cmp_double(const void *pa, const void *pb)
{
	double a = *(const double *)pa;
	double b = *(const double *)pb;

	if (isnan(a) || isnan(b))
		return isnan(a) - isnan(b);
	return (a > b) - (a < b);
}

/* Median of v, which the caller has sorted; n > 0. */
static double sorted_median(const double *v, size_t n)
{
	if (n % 2)
		return v[n / 2];
	return (v[n / 2 - 1] + v[n / 2]) / 2.0;
}

/* A sorted copy of v[0..n-1], or NULL when n is 0 or memory runs out. */
static double *sorted_copy(const double *v, size_t n)
{
	double *s;

	if (n == 0)
		return NULL;
	s = malloc(n * sizeof(*s));
	if (!s)
		return NULL;
	memcpy(s, v, n * sizeof(*s));
	qsort(s, n, sizeof(*s), cmp_double);
	return s;
}

double lb_stats_median(const double *v, size_t n)
{
	double *s = sorted_copy(v, n);
	double m;

	if (!s)
		return NAN;
	m = sorted_median(s, n);
	free(s);
	return m;
}

/* P(Binomial(n, 1/2) = k), through logarithms so that large n does not overflow. */
static double binom_half_pmf(size_t n, size_t k)
{
	double lc = lgamma((double)n + 1) - lgamma((double)k + 1) - lgamma((double)(n - k) + 1);

	return exp(lc - (double)n * log(2.0));
}

bool lb_stats_median_ci95(const double *v, size_t n, double *lo, double *hi)
{
	double *s = sorted_copy(v, n);
	double cdf = 0;
	size_t j = 0;

	if (!s) {
		*lo = *hi = NAN;
		return false;
	}
	if (n < 6) {
		*lo = s[0];
		*hi = s[n - 1];
		free(s);
		return false;
	}
	/* j = the largest j with 2·P(B <= j-1) <= 0.05; at least 1 since n >= 6. */
	for (;;) {
		cdf += binom_half_pmf(n, j);
		if (2.0 * cdf > 0.05)
			break;
		j++;
	}
	*lo = s[j - 1];
	*hi = s[n - j];
	free(s);
	return true;
}

/* A value and the side it came from, for ranking the pooled samples. */
struct ranked {
	double x;
	int from_a;
};

static int cmp_ranked(const void *pa, const void *pb)
{
	return cmp_double(&((const struct ranked *)pa)->x, &((const struct ranked *)pb)->x);
}

/*
 * P(U <= u) under the null hypothesis, for m and n values without ties,
 * from the coefficients of the Gaussian binomial [m+n choose n]_q.
 */
static double mw_exact_cdf(size_t m, size_t n, size_t u)
{
	size_t deg = m * n + n; /* room for the product before each division */
	double *c = calloc(deg + 1, sizeof(*c));
	double below = 0, total = 0;

	if (!c)
		return NAN;
	c[0] = 1; /* [m choose 0]_q = 1 */
	for (size_t i = 1; i <= n; i++) {
		/* times (1 - q^(m+i)): downwards, so each c[k - m - i] is still the old one */
		for (size_t k = deg; k >= m + i; k--)
			c[k] -= c[k - m - i];
		/* divided by (1 - q^i): upwards, the inverse of the multiplication */
		for (size_t k = i; k <= deg; k++)
			c[k] += c[k - i];
	}
	for (size_t k = 0; k <= m * n; k++) {
		total += c[k];
		if (k <= u)
			below += c[k];
	}
	free(c);
	return below / total;
}

double lb_stats_mann_whitney_p(const double *a, size_t na, const double *b, size_t nb)
{
	size_t n = na + nb;
	struct ranked *r;
	double rank_sum_a = 0, tie_term = 0;
	double u, mu, var, dev, p;
	int ties = 0;

	if (na == 0 || nb == 0)
		return 1.0;
	r = malloc(n * sizeof(*r));
	if (!r)
		return NAN;
	for (size_t i = 0; i < na; i++)
		r[i] = (struct ranked){ a[i], 1 };
	for (size_t i = 0; i < nb; i++)
		r[na + i] = (struct ranked){ b[i], 0 };
	qsort(r, n, sizeof(*r), cmp_ranked);

	/* Ranks 1..n; a group of t tied values shares the mean of its ranks. */
	for (size_t i = 0; i < n;) {
		size_t j = i + 1;
		double t, mid_rank;

		while (j < n && r[j].x == r[i].x)
			j++;
		t = (double)(j - i);
		mid_rank = (double)(i + 1 + j) / 2.0;
		for (size_t k = i; k < j; k++)
			if (r[k].from_a)
				rank_sum_a += mid_rank;
		if (t > 1) {
			ties = 1;
			tie_term += t * t * t - t;
		}
		i = j;
	}
	free(r);

	u = rank_sum_a - (double)na * (double)(na + 1) / 2.0;
	mu = (double)na * (double)nb / 2.0;

	if (!ties && na <= MW_EXACT_MAX && nb <= MW_EXACT_MAX) {
		/* U is symmetric about mu: the two-sided p doubles the smaller tail. */
		double u_small = u < mu ? u : (double)na * (double)nb - u;

		p = 2.0 * mw_exact_cdf(na, nb, (size_t)u_small);
		return p > 1.0 ? 1.0 : p;
	}

	var = (double)na * (double)nb / 12.0 *
	      ((double)(n + 1) - tie_term / ((double)n * (double)(n - 1)));
	if (var <= 0)
		return 1.0; /* every value tied: no evidence of any difference */
	dev = fabs(u - mu) - 0.5;
	if (dev < 0)
		dev = 0;
	p = erfc(dev / sqrt(var) / sqrt(2.0));
	return p > 1.0 ? 1.0 : p;
}

size_t lb_stats_mann_whitney_min_n(double alpha)
{
	for (size_t n = 1; n <= 1000; n++) {
		double *v = malloc(2 * n * sizeof(*v));
		double p;

		if (!v)
			return 0;
		for (size_t i = 0; i < 2 * n; i++)
			v[i] = (double)i;
		p = lb_stats_mann_whitney_p(v, n, v + n, n);
		free(v);
		if (p < alpha)
			return n;
	}
	return 0;
}

/* splitmix64: one 64-bit state, full period, passes BigCrush; plenty for resampling. */
static uint64_t splitmix64(uint64_t *state)
{
	uint64_t z = (*state += 0x9e3779b97f4a7c15u);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9u;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebu;
	return z ^ (z >> 31);
}

/*
 * One side of the bootstrap, prepared once so that a resample costs its n
 * draws and two passes over n counters, not a sort: the median of a
 * resample is fixed by how often each rank of the sorted values was drawn.
 * It gives the very value sorting the drawn values would give.
 */
struct side {
	size_t n;
	double *sorted; /* v in cmp_double order */
	size_t *rank;   /* rank[i]: a position of v[i]'s value in sorted */
	size_t *count;  /* scratch: draws per rank */
};

/* The first position in sorted[0..n-1] holding a value equal to x (x is one of them). */
static size_t rank_of(const double *sorted, size_t n, double x)
{
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (cmp_double(&sorted[mid], &x) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int side_init(struct side *s, const double *v, size_t n)
{
	s->n = n;
	s->sorted = sorted_copy(v, n);
	s->rank = malloc(n * sizeof(*s->rank));
	s->count = malloc(n * sizeof(*s->count));
	if (!s->sorted || !s->rank || !s->count)
		return -1;
	/* equal values share the first of their ranks: the value drawn is the same */
	for (size_t i = 0; i < n; i++)
		s->rank[i] = rank_of(s->sorted, n, v[i]);
	return 0;
}

static void side_free(struct side *s)
{
	free(s->sorted);
	free(s->rank);
	free(s->count);
}

/* The value at position pos of the resample sorted, from the draws per rank. */
static double resample_at(const struct side *s, size_t pos)
{
	size_t seen = 0;

	for (size_t r = 0; r < s->n; r++) {
		seen += s->count[r];
		if (seen > pos)
			return s->sorted[r];
	}
	return s->sorted[s->n - 1]; /* not reached: the counts add up to n */
}

/* Median of n values drawn with replacement from the side's values. */
static double resampled_median(struct side *s, uint64_t *rng)
{
	size_t n = s->n;

	memset(s->count, 0, n * sizeof(*s->count));
	for (size_t i = 0; i < n; i++)
		s->count[s->rank[splitmix64(rng) % n]]++; /* modulo bias is n / 2^64: nil */
	if (n % 2)
		return resample_at(s, n / 2);
	return (resample_at(s, n / 2 - 1) + resample_at(s, n / 2)) / 2.0;
}

/*
 * Rearrange x[0..n-1] so that x[k] holds what a full sort in cmp_double
 * order would put there, smaller-or-equal values before it and greater-or-
 * equal after (quickselect, three-way partitions so that many equal ratios,
 * the usual case of identical sides, cost no more than distinct ones).
 */
static void select_kth(double *x, size_t n, size_t k)
{
	size_t lo = 0, hi = n; /* x[k] is in [lo, hi) */

	while (hi - lo > 1) {
		double a = x[lo], b = x[lo + (hi - lo) / 2], c = x[hi - 1], pivot;
		size_t lt = lo, i = lo, gt = hi;

		/* the median of three as the pivot */
		if (cmp_double(&a, &b) > 0) {
			double t = a;
			a = b;
			b = t;
		}
		pivot = cmp_double(&c, &a) < 0 ? a : cmp_double(&c, &b) > 0 ? b : c;
		while (i < gt) {
			int d = cmp_double(&x[i], &pivot);

			if (d < 0) {
				double t = x[lt];
				x[lt++] = x[i];
				x[i++] = t;
			} else if (d > 0) {
				double t = x[--gt];
				x[gt] = x[i];
				x[i] = t;
			} else {
				i++;
			}
		}
		if (k < lt)
			hi = lt;
		else if (k >= gt)
			lo = gt;
		else
			return; /* x[lt..gt) all equal the pivot */
	}
}

/* The smallest of x[0..n-1] in cmp_double order; n > 0. */
static double least(const double *x, size_t n)
{
	double m = x[0];

	for (size_t i = 1; i < n; i++)
		if (cmp_double(&x[i], &m) < 0)
			m = x[i];
	return m;
}

/*
 * The q-quantile of x[0..n-1] as if sorted, interpolating between
 * neighbouring ranks. x[0..from) must hold the from smallest values (what a
 * lower quantile left there): only the rest is searched. x is rearranged.
 */
static double quantile(double *x, size_t n, size_t from, double q)
{
	double h = q * (double)(n - 1);
	size_t i = (size_t)h;
	double frac = h - (double)i, next;

	if (i < from)
		from = 0;
	select_kth(x + from, n - from, i - from);
	if (i + 1 >= n || frac == 0)
		return x[i];
	next = least(x + i + 1, n - i - 1);
	if (x[i] == next)
		return x[i];
	return x[i] + frac * (next - x[i]);
}

void lb_stats_bootstrap_ratio_ci(const double *base, size_t nb, const double *nw, size_t nn,
				 unsigned iters, uint64_t seed, double *lo, double *hi)
{
	struct side b = { 0 }, n = { 0 };
	double *ratios;
	uint64_t rng = seed;

	*lo = *hi = NAN;
	if (nb == 0 || nn == 0 || iters == 0)
		return;
	ratios = malloc(iters * sizeof(*ratios));
	if (ratios && side_init(&b, base, nb) == 0 && side_init(&n, nw, nn) == 0) {
		for (unsigned i = 0; i < iters; i++) {
			double mb = resampled_median(&b, &rng);
			double mn = resampled_median(&n, &rng);

			ratios[i] = mn / mb;
		}
		/* two order statistics, not a sort; after the lower one its ranks hold the smallest */
		*lo = quantile(ratios, iters, 0, 0.025);
		*hi = quantile(ratios, iters, (size_t)(0.025 * (double)(iters - 1)) + 1, 0.975);
	}
	side_free(&b);
	side_free(&n);
	free(ratios);
}

/* ---- paired: Wilcoxon signed-rank, bootstrap of one median ---- */

/* Exact W+ distribution is counted up to this many non-zero differences. */
#define WX_EXACT_MAX 30

static int cmp_abs(const void *pa, const void *pb)
{
	double a = fabs(*(const double *)pa), b = fabs(*(const double *)pb);

	return (a > b) - (a < b);
}

/* P(W+ <= w) for m untied differences: subsets of {1..m} with sum <= w, over 2^m. */
static double wx_exact_cdf(size_t m, double w)
{
	size_t top = m * (m + 1) / 2;
	double *c = calloc(top + 1, sizeof(*c)), below = 0;

	if (!c)
		return NAN;
	c[0] = 1;
	for (size_t i = 1; i <= m; i++)
		for (size_t k = top; k >= i; k--)
			c[k] += c[k - i];
	for (size_t k = 0; k <= top && (double)k <= w; k++)
		below += c[k];
	free(c);
	return below / ldexp(1.0, (int)m);
}

double lb_stats_wilcoxon_p(const double *d, size_t n)
{
	double *a = malloc((n ? n : 1) * sizeof(*a));
	double w_plus = 0, tie_term = 0, mean, var, dev, p;
	size_t m = 0;
	bool ties = false;

	if (!a)
		return NAN;
	for (size_t i = 0; i < n; i++)
		if (d[i] != 0)
			a[m++] = d[i];
	if (m == 0) {
		free(a);
		return 1.0;
	}
	qsort(a, m, sizeof(*a), cmp_abs);
	/* ranks 1..m of |d|; a tied group shares the mean of its ranks */
	for (size_t i = 0; i < m;) {
		size_t j = i + 1;
		double t;

		while (j < m && fabs(a[j]) == fabs(a[i]))
			j++;
		t = (double)(j - i);
		for (size_t k = i; k < j; k++)
			if (a[k] > 0)
				w_plus += (double)(i + 1 + j) / 2.0;
		if (t > 1) {
			ties = true;
			tie_term += t * t * t - t;
		}
		i = j;
	}
	free(a);
	mean = (double)m * (double)(m + 1) / 4.0;
	if (!ties && m <= WX_EXACT_MAX) {
		/* W+ is symmetric about its mean: the two-sided p doubles the smaller tail */
		double w_small = w_plus < mean ? w_plus : 2 * mean - w_plus;

		p = 2.0 * wx_exact_cdf(m, w_small);
		return p > 1.0 ? 1.0 : p;
	}
	var = (double)m * (double)(m + 1) * (double)(2 * m + 1) / 24.0 - tie_term / 48.0;
	if (var <= 0)
		return 1.0;
	dev = fabs(w_plus - mean) - 0.5;
	if (dev < 0)
		dev = 0;
	p = erfc(dev / sqrt(var) / sqrt(2.0));
	return p > 1.0 ? 1.0 : p;
}

size_t lb_stats_wilcoxon_min_n(double alpha)
{
	/* every difference of one sign, no ties: p = 2 / 2^n exactly */
	for (size_t n = 1; n <= WX_EXACT_MAX; n++)
		if (ldexp(1.0, 1 - (int)n) < alpha)
			return n;
	return 0;
}

void lb_stats_bootstrap_median_ci(const double *v, size_t n, unsigned iters, uint64_t seed, double *lo, double *hi)
{
	struct side s = { 0 };
	double *medians;
	uint64_t rng = seed;

	*lo = *hi = NAN;
	if (n == 0 || iters == 0)
		return;
	medians = malloc(iters * sizeof(*medians));
	if (medians && side_init(&s, v, n) == 0) {
		for (unsigned i = 0; i < iters; i++)
			medians[i] = resampled_median(&s, &rng);
		*lo = quantile(medians, iters, 0, 0.025);
		*hi = quantile(medians, iters, (size_t)(0.025 * (double)(iters - 1)) + 1, 0.975);
	}
	side_free(&s);
	free(medians);
}
