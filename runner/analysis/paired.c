/*
 * analysis/paired.c — the verdict of `lockbench ab`: BASE's and NEW's
 * windows compared pair by pair.
 *
 * Window i of a config ran right next to window i of the other lock, so the
 * host's slow and fast spells, which swamp a 5% change between two processes,
 * largely cancel within a pair. Per config and metric:
 *
 *   d_i      = log(new_i / base_i), the pair's log ratio; 0 for two zeros;
 *              a pair with one value <= 0 is left out (a window in which
 *              no thread acquired was the machine stalling, not the lock);
 *              for a flag (starved: 0 or 1), new_i - base_i
 *   ratio    = exp(median d_i), the median pair ratio; for a flag the
 *              ratio of the medians
 *   CI       = a bootstrap 95% interval of median d_i over resampled pairs,
 *              exp'd; for a flag, compare's bootstrap of the ratio
 *   p        = Wilcoxon signed-rank, two-sided, on d_i
 *
 * and the very rules of `compare` (analysis/judge.c): a status or a flag
 * first, then threshold and significance, inconclusive below the fewest pairs
 * that can reach p < alpha (8 at 0.01).
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/compare.h"
#include "analysis/stats.h"

struct job {
	const struct lb_compare_settings *s;
	lb_compare_warn_fn *warn;
	void *warn_arg;
	struct lb_verdict *v;
	size_t cap;          /* windows per config, the most of either side */
	double *bw, *nw;     /* per repetition (window pair) index: the metric's value, NAN if none */
	double *bv, *nv, *d; /* the pairs with both values */
	char *err;
	size_t errlen;
};

static void warnf(const struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(const struct job *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	(void)lb_verdict_add_warning(j->v, msg);
	if (j->warn)
		j->warn(j->warn_arg, msg);
}

static int failf(const struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(const struct job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->err, j->errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* The metric's value of every ok window of c, at its pair's index (NAN: none). */
static void by_pair(const struct lb_config *c, const struct lb_metric *m, double *v, size_t cap)
{
	for (size_t i = 0; i < cap; i++)
		v[i] = NAN;
	for (size_t i = 0; i < c->nsamples; i++) {
		const struct lb_sample *s = &c->samples[i];

		if (s->status == LB_RS_OK && s->repetition < cap)
			v[s->repetition] = m->get(s);
	}
}

/*
 * The pairs with both values into bv, nv, and d_i: the log ratio, or for a
 * flag the difference. A pair of two zeros (no bypass at one thread) has
 * log ratio 0; a pair with one value <= 0 has none and is left out: a
 * window without one acquisition was a stall of the machine, not a figure
 * of the lock. Returns the number of pairs.
 */
static size_t pairs(const struct job *j, const struct lb_metric *m)
{
	size_t n = 0;

	for (size_t i = 0; i < j->cap; i++) {
		double b = j->bw[i], x = j->nw[i];

		if (!isfinite(b) || !isfinite(x))
			continue;
		if (m->flag)
			j->d[n] = x - b;
		else if (b == 0 && x == 0)
			j->d[n] = 0;
		else if (b > 0 && x > 0)
			j->d[n] = log(x / b);
		else
			continue;
		j->bv[n] = b;
		j->nv[n] = x;
		n++;
	}
	return n;
}

/* The paired statistics of r's n pairs in j->bv, j->nv, j->d. */
static void measure(const struct job *j, struct lb_verdict_row *r, size_t n)
{
	const struct lb_compare_settings *s = j->s;

	r->base_n = r->new_n = n;
	r->base_median = lb_stats_median(j->bv, n);
	r->new_median = lb_stats_median(j->nv, n);
	r->p_value = lb_stats_wilcoxon_p(j->d, n);
	if (!r->metric->flag) {
		r->ratio = exp(lb_stats_median(j->d, n));
		lb_stats_bootstrap_median_ci(j->d, n, s->bootstrap_iters, s->bootstrap_seed, &r->ci95_low,
					     &r->ci95_high);
		r->ci95_low = exp(r->ci95_low);
		r->ci95_high = exp(r->ci95_high);
	} else {
		/* a flag's ratio: of the medians (0 or 1), as compare has it */
		if (r->base_median != 0)
			r->ratio = r->new_median / r->base_median;
		else
			r->ratio = r->new_median == 0 ? 1.0 : INFINITY;
		lb_stats_bootstrap_ratio_ci(j->bv, n, j->nv, n, s->bootstrap_iters, s->bootstrap_seed, &r->ci95_low,
					    &r->ci95_high);
	}
	r->change_pct = (r->ratio - 1.0) * 100.0;
}

/* One config and metric; -1 only when memory runs out. */
static int judge_row(struct job *j, const struct lb_config *b, const struct lb_config *n, const struct lb_metric *m,
		     enum lb_judgement rule, const char *rule_why, struct lb_verdict_row *r)
{
	char why[160] = "";
	size_t np;

	r->metric = m;
	r->base_median = r->new_median = r->ratio = r->change_pct = NAN;
	r->ci95_low = r->ci95_high = r->p_value = NAN;
	by_pair(b, m, j->bw, j->cap);
	by_pair(n, m, j->nw, j->cap);
	r->metric = m;
	np = pairs(j, m);
	if (np > 0)
		measure(j, r, np);
	if (rule != LB_J_OK) {
		r->verdict = rule;
		snprintf(why, sizeof(why), "%s", rule_why);
	} else if (np == 0) {
		r->verdict = LB_J_NA;
		snprintf(why, sizeof(why), "no pair with %s on both sides", m->name);
	} else {
		r->verdict = lb_compare_judge(r, j->s);
		if (r->verdict == LB_J_INCONCLUSIVE) {
			r->repeats_needed = j->s->min_repeats;
			snprintf(why, sizeof(why), "need %zu pairs, have %zu", j->s->min_repeats, np);
		}
	}
	if (why[0] && !(r->reason = strdup(why)))
		return -1;
	return 0;
}

static int judge_all(struct job *j, const struct lb_result *base, const struct lb_result *nw)
{
	struct lb_verdict *v = j->v;
	char rule_why[128];

	for (size_t k = 0; k < base->nconfigs; k++) {
		const struct lb_config *b = &base->configs[k], *n = &nw->configs[k];
		enum lb_judgement rule = lb_compare_config_rule(b, n, rule_why, sizeof(rule_why));

		if (rule == LB_J_REGRESSION)
			warnf(j, "%s: %s: counted as a regression", n->id, rule_why);
		for (size_t m = 0; m < j->s->nmetrics; m++) {
			struct lb_verdict_row *r = &v->rows[v->nrows];

			if (!(r->config = strdup(n->id)))
				return failf(j, "out of memory");
			v->nrows++;
			if (judge_row(j, b, n, j->s->metrics[m], rule, rule_why, r))
				return failf(j, "out of memory");
			v->counts[r->verdict]++;
		}
	}
	v->overall = v->counts[LB_J_REGRESSION]	    ? LB_J_REGRESSION
		     : v->counts[LB_J_INCONCLUSIVE] ? LB_J_INCONCLUSIVE
						    : LB_J_OK;
	if (v->counts[LB_J_INCONCLUSIVE])
		warnf(j, "inconclusive: %zu rows need >= %zu window pairs; they were not judged",
		      v->counts[LB_J_INCONCLUSIVE], j->s->min_repeats);
	return 0;
}

/* The most windows any config of r has, by pair index. */
static size_t most_pairs(const struct lb_result *r)
{
	size_t most = 0;

	for (size_t k = 0; k < r->nconfigs; k++)
		for (size_t i = 0; i < r->configs[k].nsamples; i++)
			if (r->configs[k].samples[i].repetition + 1 > most)
				most = r->configs[k].samples[i].repetition + 1;
	return most;
}

int lb_compare_paired(const struct lb_result *base, const char *base_name, const struct lb_result *nw,
		      const char *new_name, const struct lb_compare_settings *s, lb_compare_warn_fn *warn,
		      void *warn_arg, struct lb_verdict **out, char *err, size_t errlen)
{
	struct job j = { .s = s, .warn = warn, .warn_arg = warn_arg, .err = err, .errlen = errlen };
	size_t nb = most_pairs(base), nn = most_pairs(nw);
	int rc = -1;

	*out = NULL;
	j.cap = nb > nn ? nb : nn;
	if (base->nconfigs != nw->nconfigs || base->nconfigs == 0) {
		snprintf(err, errlen, "%s and %s: %zu and %zu configs; paired windows need the same configs",
			 base_name, new_name, base->nconfigs, nw->nconfigs);
		return -1;
	}
	j.v = lb_verdict_new();
	j.bw = calloc(j.cap + 1, sizeof(double));
	j.nw = calloc(j.cap + 1, sizeof(double));
	j.bv = calloc(j.cap + 1, sizeof(double));
	j.nv = calloc(j.cap + 1, sizeof(double));
	j.d = calloc(j.cap + 1, sizeof(double));
	if (!j.v || !j.bw || !j.nw || !j.bv || !j.nv || !j.d ||
	    !(j.v->rows = calloc(base->nconfigs * s->nmetrics + 1, sizeof(*j.v->rows))) ||
	    !(j.v->only_in_base = calloc(1, sizeof(char *))) || !(j.v->only_in_new = calloc(1, sizeof(char *))) ||
	    lb_verdict_side_fill(&j.v->base, base_name, &base->context) ||
	    lb_verdict_side_fill(&j.v->new, new_name, &nw->context)) {
		failf(&j, "out of memory");
		goto done;
	}
	j.v->settings = *s;
	j.v->settings.paired = true;
	if (judge_all(&j, base, nw))
		goto done;
	*out = j.v;
	j.v = NULL;
	rc = 0;
done:
	lb_verdict_free(j.v);
	free(j.bw);
	free(j.nw);
	free(j.bv);
	free(j.nv);
	free(j.d);
	return rc;
}
