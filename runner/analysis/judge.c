/*
 * analysis/judge.c — the rules `compare` and `ab` share: what a pair of
 * configs says before any figure (a status, a flag), and what a row's
 * figures say (threshold and significance).
 */
#include <math.h>
#include <stdio.h>

#include "analysis/compare.h"

/* The config's status name when it is not "ok", else NULL. */
static const char *bad_status(const struct lb_config *c)
{
	return c->status == LB_RS_OK ? NULL : lb_result_status_name(c->status);
}

/* How many of c's samples have flag m set, and how many have it at all. */
static void count_flag(const struct lb_config *c, const struct lb_metric *m, size_t *set, size_t *n)
{
	*set = *n = 0;
	for (size_t i = 0; i < c->nsamples; i++) {
		double x = m->get(&c->samples[i]);

		if (isnan(x))
			continue;
		(*n)++;
		*set += x != 0;
	}
}

enum lb_judgement lb_compare_config_rule(const struct lb_config *b, const struct lb_config *n, char *why,
					 size_t len)
{
	const char *bs = bad_status(b), *ns = bad_status(n);

	why[0] = '\0';
	if (ns && !bs) {
		/* it worked before and does not now: whatever the figures say, the gate fails */
		snprintf(why, len, "new status \"%s\", base ok", ns);
		return LB_J_REGRESSION;
	}
	if (bs) {
		/* nothing sound to compare against; if new is fine, that may well be a fix */
		snprintf(why, len, "base status \"%s\"", bs);
		return LB_J_NA;
	}
	for (size_t k = 0; k < LB_M_COUNT; k++) {
		const struct lb_metric *m = &lb_metrics[k];
		size_t bset, bn, nset, nn;

		if (!m->flag)
			continue;
		count_flag(b, m, &bset, &bn);
		count_flag(n, m, &nset, &nn);
		/* never in base, most of the time in new: the lock now starves (or waits on the scheduler) */
		if (bn > 0 && bset == 0 && 2 * nset > nn) {
			snprintf(why, len, "new %s in %zu/%zu reps, base in 0/%zu", m->name, nset, nn, bn);
			return LB_J_REGRESSION;
		}
	}
	return LB_J_OK;
}

enum lb_judgement lb_compare_judge(const struct lb_verdict_row *r, const struct lb_compare_settings *s)
{
	bool worse, better;

	if (r->base_n < s->min_repeats || r->new_n < s->min_repeats)
		return LB_J_INCONCLUSIVE;
	if (!(r->p_value < s->alpha))
		return LB_J_OK;
	worse = r->metric->higher_better ? r->change_pct < -s->threshold_pct : r->change_pct > s->threshold_pct;
	better = r->metric->higher_better ? r->change_pct > s->threshold_pct : r->change_pct < -s->threshold_pct;
	return worse ? LB_J_REGRESSION : better ? LB_J_IMPROVEMENT : LB_J_OK;
}
