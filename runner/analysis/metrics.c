/*
 * analysis/metrics.c — fairness figures from per-thread counts and from the
 * acquisition order.
 *
 * Long-term fairness (how the acquisitions were shared out over the whole
 * run) cannot tell a lock that hands over on every acquisition from one
 * that lets each thread keep it for a million acquisitions in turn: both
 * end with equal counts. The short-term figures read the order instead:
 * LWSS (Dice, "Malthusian Locks", EuroSys 2017) counts the distinct owners
 * per window of K acquisitions, MTTR the typical wait of a thread between
 * two of its acquisitions, and the handover ratio how often ownership
 * moved at all.
 *
 * Both medians here are taken over small integers (distinct owners per
 * window, gaps below n), so they are read off a histogram of the values:
 * O(n) time, no sorting, and memory the caller provides.
 */
#include "analysis/metrics.h"

#include <math.h>
#include <string.h>

/*
 * Population standard deviation over mean. Jain's index is derived from
 * it: (Σx)²/(n·Σx²) = mean²/(mean² + σ²) = 1/(1 + rsd²), which avoids
 * squaring raw counts (Σx² loses precision for large counts) and is
 * exactly 1 when all counts are equal.
 */
static double relative_stddev(const uint64_t *counts, size_t n, double mean)
{
	double var = 0;

	for (size_t i = 0; i < n; i++) {
		double d = (double)counts[i] - mean;

		var += d * d;
	}
	var /= (double)n;
	return sqrt(var) / mean;
}

/*
 * Share of the top n/2 counts, the middle one counting half when n is odd.
 * A thread's place in the descending order is the number of counts above
 * it, ties broken by position, so no sorted copy is needed; O(n²), where n
 * is a thread count.
 */
static double top_half_share(const uint64_t *counts, size_t n, uint64_t total)
{
	uint64_t top = 0, middle = 0;

	for (size_t i = 0; i < n; i++) {
		size_t above = 0;

		for (size_t j = 0; j < n; j++)
			if (counts[j] > counts[i] || (counts[j] == counts[i] && j < i))
				above++;
		if (above < n / 2)
			top += counts[i];
		else if (n % 2 == 1 && above == n / 2)
			middle = counts[i];
	}
	return ((double)top + (double)middle / 2) / (double)total;
}

void lb_fairness_compute(const uint64_t *counts, size_t n, struct lb_fairness *out)
{
	uint64_t total = 0, min = UINT64_MAX, max = 0;
	double mean;

	/* Nothing, or nothing acquired: nothing to be unfair about. */
	out->jain = 1;
	out->rsd = 0;
	out->fairness_factor = 0.5;
	out->max_min_ratio = 1;
	out->min = 0;
	out->max = 0;
	out->starved = false;
	if (n == 0)
		return;

	for (size_t i = 0; i < n; i++) {
		total += counts[i];
		if (counts[i] < min)
			min = counts[i];
		if (counts[i] > max)
			max = counts[i];
	}
	out->min = min;
	out->max = max;
	out->starved = n >= 2 && max / 2 > min;
	if (total == 0)
		return;

	mean = (double)total / (double)n;
	out->rsd = relative_stddev(counts, n, mean);
	out->jain = 1 / (1 + out->rsd * out->rsd);
	out->fairness_factor = top_half_share(counts, n, total);
	out->max_min_ratio = min == 0 ? INFINITY : (double)max / (double)min;
}

/*
 * Scratch layout, in uint64_t words, with slots = nthreads + 1 (the last
 * slot collects ids >= nthreads):
 *   seen[slots]          per owner: last window it was seen in (LWSS), then
 *                        1 + position of its last acquisition (MTTR)
 *   per_distinct[slots+1] windows by their number of distinct owners
 *   per_gap[max(n,1)]     gaps by their length (a gap is at most n - 2)
 */
struct scratch {
	uint64_t *seen, *per_distinct, *per_gap;
};

/* Words of scratch for slots owners and n entries; false if the bytes would overflow a size_t. */
static bool scratch_words(size_t slots, size_t n, size_t *words)
{
	const size_t max_words = SIZE_MAX / sizeof(uint64_t);
	size_t fixed, gaps = n > 0 ? n : 1;

	if (slots > (max_words - 1) / 2)
		return false;
	fixed = 2 * slots + 1;
	if (gaps > max_words - fixed)
		return false;
	*words = fixed + gaps;
	return true;
}

size_t lb_short_term_scratch_size(unsigned nthreads, size_t n)
{
	size_t words;

	if (!scratch_words((size_t)nthreads + 1, n, &words))
		return SIZE_MAX;
	return words * sizeof(uint64_t);
}

/* Owners outside 0..nthreads-1 share the extra last slot. */
static size_t slot_of(uint16_t owner, unsigned nthreads)
{
	return owner < nthreads ? owner : nthreads;
}

/*
 * Median of `total` values given as hist[v] = how many values equal v
 * (v < nvalues): the middle one, or the mean of the middle two when total
 * is even. total must be at least 1 and equal the sum of hist[].
 */
static double median_of_histogram(const uint64_t *hist, size_t nvalues, uint64_t total)
{
	uint64_t lo_rank = (total - 1) / 2, hi_rank = total / 2; /* 0-based */
	uint64_t below = 0;
	double lo;
	size_t v;

	for (v = 0; v < nvalues; v++) {
		if (below + hist[v] > lo_rank)
			break;
		below += hist[v];
	}
	lo = (double)v;
	for (; v < nvalues; v++) {
		if (below + hist[v] > hi_rank)
			break;
		below += hist[v];
	}
	return (lo + (double)v) / 2;
}

static double lwss(const uint16_t *owners, size_t n, unsigned nthreads, size_t k,
		   const struct scratch *s)
{
	size_t slots = (size_t)nthreads + 1;
	size_t nwindows = n >= k ? n / k : 1, len = n >= k ? k : n;

	memset(s->seen, 0, slots * sizeof(*s->seen));
	memset(s->per_distinct, 0, (slots + 1) * sizeof(*s->per_distinct));
	for (size_t w = 0; w < nwindows; w++) {
		size_t distinct = 0;

		/* seen[] holds window number + 1, so it never needs clearing between windows. */
		for (size_t i = w * len; i < (w + 1) * len; i++) {
			size_t owner = slot_of(owners[i], nthreads);

			if (s->seen[owner] != w + 1) {
				s->seen[owner] = w + 1;
				distinct++;
			}
		}
		s->per_distinct[distinct]++;
	}
	return median_of_histogram(s->per_distinct, slots + 1, nwindows);
}

static double mttr(const uint16_t *owners, size_t n, unsigned nthreads, const struct scratch *s)
{
	size_t slots = (size_t)nthreads + 1;
	uint64_t ngaps = 0;

	memset(s->seen, 0, slots * sizeof(*s->seen));
	memset(s->per_gap, 0, n * sizeof(*s->per_gap));
	for (size_t i = 0; i < n; i++) {
		size_t owner = slot_of(owners[i], nthreads);

		/* seen[] holds 1 + the position of the owner's previous acquisition, 0 for none. */
		if (s->seen[owner] != 0) {
			s->per_gap[i - s->seen[owner]]++;
			ngaps++;
		}
		s->seen[owner] = i + 1;
	}
	if (ngaps == 0)
		return NAN;
	return median_of_histogram(s->per_gap, n, ngaps);
}

static double handover_ratio(const uint16_t *owners, size_t n)
{
	size_t changes = 0;

	if (n < 2)
		return 0;
	for (size_t i = 1; i < n; i++)
		if (owners[i] != owners[i - 1])
			changes++;
	return (double)changes / (double)(n - 1);
}

void lb_short_term_compute(const uint16_t *owners, size_t n, unsigned nthreads, unsigned window,
			   void *scratch, struct lb_short_term *out)
{
	size_t slots = (size_t)nthreads + 1;
	struct scratch s;
	unsigned k = window;

	if (k == 0)
		k = nthreads > 0 ? nthreads : 1;
	s.seen = scratch;
	s.per_distinct = s.seen + slots;
	s.per_gap = s.per_distinct + slots + 1;

	out->covered = n;
	out->window = k;
	out->lwss = 0;
	out->mttr = NAN;
	out->handover_ratio = 0;
	if (n == 0)
		return;
	out->lwss = lwss(owners, n, nthreads, k, &s);
	out->mttr = mttr(owners, n, nthreads, &s);
	out->handover_ratio = handover_ratio(owners, n);
}
