/*
 * analysis/compare.c — is NEW slower, less fair or laggier than BASE, beyond
 * noise?
 *
 * Configs are paired by the id each result carries (model/identity.h): the
 * engine wrote it when it planned the config, so nothing here rebuilds one
 * from parameters. Merged results of several machines hold an id once per
 * machine, and pair by (machine, id): a lock's figures on one machine say
 * nothing about another's. For every pair and chosen metric we take the
 * per-repetition values of both sides and report the medians, the change of
 * the median, a bootstrap 95% CI of the ratio of medians and the
 * Mann–Whitney U p-value (the method of Google Benchmark's compare.py; the
 * statistics live in stats.c).
 *
 * A change is a regression only when it is both significant (p < alpha) and
 * larger than the threshold in the metric's bad direction: with enough
 * repetitions the U test finds any difference significant, and a 0.5% drift
 * of a noisy VM is not worth failing a CI job for. Improvements are the
 * mirror image. A config that was "ok" in BASE and is not in NEW ("failed":
 * a mutual-exclusion violation or a lost update; "hung"; "error";
 * "interrupted"; "not_run") is a regression of every metric, whatever its
 * figures: the gate must not pass a change that breaks a lock because its
 * throughput looks fine. So is a config whose runs were never starved (or
 * scheduler-bound) in BASE and mostly are in NEW (the flag rule): a lock that
 * now shuts threads out has broken what this suite measures, even if its
 * throughput rose. With fewer repetitions than the U test needs to
 * ever reach p < alpha (5 per side at the default alpha 0.01, 4 at 0.05) a
 * row is "inconclusive": it cannot fail the gate, so the gate says loudly
 * that it did not judge it.
 */
#include "analysis/compare.h"

#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"

void lb_compare_defaults(struct lb_compare_settings *s)
{
	char names[] = LB_COMPARE_METRICS_DEFAULT;

	memset(s, 0, sizeof(*s));
	for (char *name = names, *next; name; name = next) {
		next = strchr(name, ',');
		if (next)
			*next++ = '\0';
		s->metrics[s->nmetrics] = lb_metric_find(name);
		if (s->metrics[s->nmetrics]) /* always: the default names are in the table */
			s->nmetrics++;
	}
	s->threshold_pct = LB_COMPARE_THRESHOLD_PCT_DEFAULT;
	s->alpha = LB_COMPARE_ALPHA_DEFAULT;
	s->min_repeats = lb_stats_mann_whitney_min_n(s->alpha);
	s->bootstrap_iters = LB_COMPARE_BOOTSTRAP_ITERS;
	s->bootstrap_seed = LB_COMPARE_BOOTSTRAP_SEED;
}

/* ---- what is being compared, and where warnings go ---- */

struct job {
	const struct lb_result *base, *nw;
	bool by_machine; /* both carry machines: pair by (machine, id) */
	const char **base_machines, **new_machines; /* by_machine: each side's machine names */
	size_t nbase_machines, nnew_machines;
	const char *base_file, *new_file;
	const struct lb_compare_settings *s;
	lb_compare_warn_fn *warn;
	void *warn_arg;
	struct lb_verdict *v; /* keeps every warning */
	double *bv, *nv; /* scratch: one metric's values of one config per side */
	char *err;
	size_t errlen;
};

/* A warning: kept in the verdict (a copy that cannot be made is dropped: memory is out) and passed on. */
static void keep_warning(void *arg, const char *msg)
{
	const struct job *j = arg;

	(void)lb_verdict_add_warning(j->v, msg);
	if (j->warn)
		j->warn(j->warn_arg, msg);
}

static void warnf(const struct job *j, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void warnf(const struct job *j, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	keep_warning((void *)j, msg);
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

/* ---- pairing ---- */

/* Does r carry machines (a merged result: context.machines, configs tagged)? */
static bool carries_machines(const struct lb_result *r)
{
	if (r->context.nmachines > 0)
		return true;
	for (size_t i = 0; i < r->nconfigs; i++)
		if (r->configs[i].machine)
			return true;
	return false;
}

/* A config's machine (by_machine only; "" when untagged) and id, and where it stands in its result. */
struct key {
	const char *machine;
	const char *id;
	size_t index;
};

static int cmp_name(const char *a, const char *b)
{
	return a && b ? strcmp(a, b) : (a != NULL) - (b != NULL);
}

static int cmp_pair(const struct key *x, const struct key *y)
{
	int c = cmp_name(x->machine, y->machine);

	return c ? c : strcmp(x->id, y->id);
}

static int cmp_key(const void *a, const void *b)
{
	const struct key *x = a, *y = b;
	int c = cmp_pair(x, y);

	return c ? c : (x->index > y->index) - (x->index < y->index);
}

/*
 * The (machine, id) keys of r sorted (ties by position), so pairing is a
 * binary search and a duplicate is a neighbour. A duplicate is reported at
 * its second occurrence in file order, the first such in the file. 0, or -1
 * with the reason.
 */
static int sorted_ids(const struct job *j, const struct lb_result *r, const char *file, struct key **out)
{
	struct key *k = calloc(r->nconfigs + 1, sizeof(*k));
	size_t dup = SIZE_MAX;

	*out = k;
	if (!k)
		return failf(j, "out of memory");
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];

		if (!c->id) /* the loader refuses this; a result built in memory might not */
			return failf(j, "%s: configs[%zu]: no id", file, i);
		k[i] = (struct key){ j->by_machine ? (c->machine ? c->machine : "") : NULL, c->id, i };
	}
	qsort(k, r->nconfigs, sizeof(*k), cmp_key);
	for (size_t i = 1; i < r->nconfigs; i++)
		if (cmp_pair(&k[i - 1], &k[i]) == 0 && (dup == SIZE_MAX || k[i].index < k[dup].index))
			dup = i;
	if (dup == SIZE_MAX)
		return 0;
	if (!j->by_machine && r->configs[k[dup].index].machine)
		return failf(j, "%s: configs[%zu]: id \"%s\" is on several machines (a merged result): compare it with "
			     "a merged result of the same machines", file, k[dup].index, k[dup].id);
	return failf(j, "%s: configs[%zu]: duplicate id \"%s\"", file, k[dup].index, k[dup].id);
}

/* The position in its result of the config with key (machine, id), or SIZE_MAX. */
static size_t find_id(const struct key *k, size_t n, const char *machine, const char *id)
{
	struct key want = { machine, id, 0 };
	size_t lo = 0, hi = n;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		int c = cmp_pair(&k[mid], &want);

		if (c == 0)
			return k[mid].index;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return SIZE_MAX;
}

/* The machine names of r: context.machines, then any config's tag not among them ("" for none). */
static size_t machine_names(const struct lb_result *r, const char **names)
{
	size_t n = 0;

	for (size_t i = 0; i < r->context.nmachines; i++)
		names[n++] = r->context.machines[i].name;
	for (size_t i = 0; i < r->nconfigs; i++) {
		const char *m = r->configs[i].machine ? r->configs[i].machine : "";
		size_t k = 0;

		while (k < n && strcmp(names[k], m) != 0)
			k++;
		if (k == n)
			names[n++] = m;
	}
	return n;
}

/* Is machine among names[0..n)? */
static bool has_name(const char *const *names, size_t n, const char *machine)
{
	for (size_t i = 0; i < n; i++)
		if (strcmp(names[i], machine) == 0)
			return true;
	return false;
}

/* ---- judging one pair and metric ---- */

/* The metric's value in every sample that has one (undefined in a sample: skipped). */
static size_t metric_values(const struct lb_config *c, const struct lb_metric *m, double *v)
{
	size_t n = 0;

	for (size_t i = 0; i < c->nsamples; i++) {
		double x = m->get(&c->samples[i]);

		if (!isnan(x))
			v[n++] = x;
	}
	return n;
}

/* The config's status name when it is not "ok", else NULL. */
static const char *bad_status(const struct lb_config *c)
{
	return c->status == LB_RS_OK ? NULL : lb_result_status_name(c->status);
}

/* The statistics of two non-empty sides. */
static void measure(struct lb_verdict_row *r, const double *bv, const double *nv, const struct lb_compare_settings *s)
{
	r->base_median = lb_stats_median(bv, r->base_n);
	r->new_median = lb_stats_median(nv, r->new_n);
	if (r->base_median != 0)
		r->ratio = r->new_median / r->base_median;
	else
		r->ratio = r->new_median == 0 ? 1.0 : copysign(INFINITY, r->new_median);
	r->change_pct = (r->ratio - 1.0) * 100.0;
	r->p_value = lb_stats_mann_whitney_p(bv, r->base_n, nv, r->new_n);
	lb_stats_bootstrap_ratio_ci(bv, r->base_n, nv, r->new_n, s->bootstrap_iters, s->bootstrap_seed,
				    &r->ci95_low, &r->ci95_high);
}

/*
 * Fills r for one pair and metric; -1 only when memory runs out. rule is
 * what lb_compare_config_rule said of the pair, with its reason.
 */
static int compare_metric(const struct job *j, const struct lb_config *b, const struct lb_config *n,
			  const struct lb_metric *m, enum lb_judgement rule, const char *rule_why,
			  struct lb_verdict_row *r)
{
	char why[160] = "";

	r->metric = m;
	r->base_median = r->new_median = r->ratio = r->change_pct = NAN;
	r->ci95_low = r->ci95_high = r->p_value = NAN;
	r->base_n = metric_values(b, m, j->bv);
	r->new_n = metric_values(n, m, j->nv);
	if (rule != LB_J_OK) {
		/* a status or a flag decides; a flag's figures (both sides ok) are still shown */
		if (rule == LB_J_REGRESSION && !bad_status(n) && r->base_n && r->new_n)
			measure(r, j->bv, j->nv, j->s);
		r->verdict = rule;
		snprintf(why, sizeof(why), "%s", rule_why);
	} else if (r->base_n == 0 || r->new_n == 0) {
		r->verdict = LB_J_NA;
		snprintf(why, sizeof(why), "no %s in %s", m->name,
			 r->base_n == 0 && r->new_n == 0 ? "either" : r->base_n == 0 ? "base" : "new");
	} else {
		measure(r, j->bv, j->nv, j->s);
		r->verdict = lb_compare_judge(r, j->s);
		if (r->verdict == LB_J_INCONCLUSIVE) {
			r->repeats_needed = j->s->min_repeats;
			snprintf(why, sizeof(why), "need %zu reps, have %zu/%zu", j->s->min_repeats, r->base_n,
				 r->new_n);
		}
	}
	if (why[0] && !(r->reason = strdup(why)))
		return -1;
	return 0;
}

/* ---- the verdict ---- */

/*
 * The contexts measured alike (compare_inputs.c): the two results', or per
 * machine when paired by machine (the first context of a merged result is
 * only its first machine's). 0, or -1 with the refusal in j->err.
 */
static int check_contexts(struct job *j)
{
	if (!j->by_machine)
		return lb_compare_check_context(&j->base->context, &j->nw->context, "", j->s->allow_mismatch,
						keep_warning, j, j->err, j->errlen);
	for (size_t i = 0; i < j->base->context.nmachines; i++) {
		const struct lb_machine *b = &j->base->context.machines[i];
		const struct lb_machine *n = lb_result_machine(j->nw, b->name);
		char prefix[128];

		if (!n || !b->context || !n->context)
			continue;
		snprintf(prefix, sizeof(prefix), "machine \"%.64s\": ", b->name);
		if (lb_compare_check_context(b->context, n->context, prefix, j->s->allow_mismatch, keep_warning, j,
					     j->err, j->errlen))
			return -1;
	}
	return 0;
}

/* A copy of s, or of "" for NULL (a one-sided entry's machine when untagged); NULL when out of memory. */
static char *dup_name(const char *s)
{
	return strdup(s ? s : "");
}

/* Appends what only one side has: configs (with their machine when by_machine), unless their machine is one-sided. */
static int one_sided(const struct job *j, const struct lb_config *c, char **ids, char **machines, size_t *n,
		     const char *const *other, size_t nother)
{
	if (j->by_machine && !has_name(other, nother, c->machine ? c->machine : ""))
		return 0; /* listed once, as a machine only on this side */
	if (!(ids[*n] = strdup(c->id)))
		return -1;
	if (j->by_machine && !(machines[*n] = dup_name(c->machine))) {
		free(ids[*n]);
		return -1;
	}
	(*n)++;
	return 0;
}

/* The machines of one side that the other lacks. */
static int machines_one_sided(const struct job *j, const char *const *mine, size_t nmine, const char *const *other,
			      size_t nother, const char *side, char **out, size_t *n)
{
	for (size_t i = 0; i < nmine; i++) {
		if (has_name(other, nother, mine[i]))
			continue;
		if (!(out[*n] = strdup(mine[i])))
			return -1;
		(*n)++;
		warnf(j, "machine \"%s\" is only in %s: its configs are not compared", mine[i], side);
	}
	return 0;
}

/* Every pair in base's order, then what only one side has. */
static int pair_and_judge(struct job *j, const struct key *new_ids, struct lb_verdict *v)
{
	const struct lb_result *base = j->base, *nw = j->nw;
	bool *paired = calloc(nw->nconfigs + 1, sizeof(*paired));
	size_t npairs = 0;
	enum lb_judgement rule;
	char rule_why[128];
	int rc = -1;

	if (!paired)
		return failf(j, "out of memory");
	for (size_t i = 0; i < base->nconfigs; i++) {
		const struct lb_config *b = &base->configs[i], *n;
		const char *machine = j->by_machine ? (b->machine ? b->machine : "") : NULL;
		size_t at = find_id(new_ids, nw->nconfigs, machine, b->id);

		if (at == SIZE_MAX) {
			if (one_sided(j, b, v->only_in_base, v->only_in_base_machine, &v->nonly_in_base,
				      j->new_machines, j->nnew_machines))
				goto out;
			continue;
		}
		n = &nw->configs[at];
		paired[at] = true;
		npairs++;
		rule = lb_compare_config_rule(b, n, rule_why, sizeof(rule_why));
		if (rule == LB_J_REGRESSION && bad_status(n))
			warnf(j, "%s%s%s: new status \"%s\" (base was ok): counted as a regression", b->id,
			      machine ? " on " : "", machine ? machine : "", bad_status(n));
		else if (rule == LB_J_REGRESSION)
			warnf(j, "%s%s%s: %s: counted as a regression", b->id, machine ? " on " : "",
			      machine ? machine : "", rule_why);
		for (size_t k = 0; k < j->s->nmetrics; k++) {
			struct lb_verdict_row *r = &v->rows[v->nrows];

			if (!(r->config = strdup(b->id)) || (machine && !(r->machine = strdup(machine))))
				goto out;
			v->nrows++;
			if (compare_metric(j, b, n, j->s->metrics[k], rule, rule_why, r))
				goto out;
			v->counts[r->verdict]++;
		}
	}
	for (size_t i = 0; i < nw->nconfigs; i++)
		if (!paired[i] && one_sided(j, &nw->configs[i], v->only_in_new, v->only_in_new_machine,
					    &v->nonly_in_new, j->base_machines, j->nbase_machines))
			goto out;
	if (j->by_machine &&
	    (machines_one_sided(j, j->base_machines, j->nbase_machines, j->new_machines, j->nnew_machines, "base",
				v->machines_only_in_base, &v->nmachines_only_in_base) ||
	     machines_one_sided(j, j->new_machines, j->nnew_machines, j->base_machines, j->nbase_machines, "new",
				v->machines_only_in_new, &v->nmachines_only_in_new)))
		goto out;
	rc = 0;
out:
	free(paired);
	if (rc)
		return failf(j, "out of memory");
	if (npairs == 0)
		return failf(j, "%s and %s have no config in common%s", j->base_file, j->new_file,
			     j->by_machine ? " (paired by machine and id)" : "");
	return 0;
}

static void warn_verdict(const struct job *j, const struct lb_verdict *v)
{
	size_t judged = v->counts[LB_J_REGRESSION] + v->counts[LB_J_IMPROVEMENT] + v->counts[LB_J_OK] +
			v->counts[LB_J_INCONCLUSIVE];

	if (v->counts[LB_J_INCONCLUSIVE])
		warnf(j, "inconclusive: %zu rows need >= %zu repetitions per side; they were not judged",
		      v->counts[LB_J_INCONCLUSIVE], j->s->min_repeats);
	if (judged == 0)
		warnf(j, "nothing was compared: no chosen metric has values on both sides");
}

/* The most samples any config of r has. */
static size_t most_samples(const struct lb_result *r)
{
	size_t most = 0;

	for (size_t i = 0; i < r->nconfigs; i++)
		most = r->configs[i].nsamples > most ? r->configs[i].nsamples : most;
	return most;
}

/* The verdict's arrays, sized for the worst case: every base config paired, none paired. */
static int alloc_verdict(struct job *j, struct lb_verdict *v)
{
	size_t nb = j->base->nconfigs, nn = j->nw->nconfigs;

	v->settings = *j->s;
	if (lb_verdict_side_fill(&v->base, j->base_file, &j->base->context) ||
	    lb_verdict_side_fill(&v->new, j->new_file, &j->nw->context))
		return failf(j, "out of memory");
	if (j->s->nmetrics && nb > SIZE_MAX / sizeof(*v->rows) / j->s->nmetrics)
		return failf(j, "out of memory");
	v->rows = calloc(nb * j->s->nmetrics + 1, sizeof(*v->rows));
	v->only_in_base = calloc(nb + 1, sizeof(*v->only_in_base));
	v->only_in_new = calloc(nn + 1, sizeof(*v->only_in_new));
	j->bv = malloc((most_samples(j->base) + 1) * sizeof(*j->bv));
	j->nv = malloc((most_samples(j->nw) + 1) * sizeof(*j->nv));
	if (!v->rows || !v->only_in_base || !v->only_in_new || !j->bv || !j->nv)
		return failf(j, "out of memory");
	if (!(v->by_machine = j->by_machine))
		return 0;
	j->base_machines = calloc(j->base->context.nmachines + nb + 1, sizeof(*j->base_machines));
	j->new_machines = calloc(j->nw->context.nmachines + nn + 1, sizeof(*j->new_machines));
	if (!j->base_machines || !j->new_machines)
		return failf(j, "out of memory");
	j->nbase_machines = machine_names(j->base, j->base_machines);
	j->nnew_machines = machine_names(j->nw, j->new_machines);
	v->only_in_base_machine = calloc(nb + 1, sizeof(*v->only_in_base_machine));
	v->only_in_new_machine = calloc(nn + 1, sizeof(*v->only_in_new_machine));
	v->machines_only_in_base = calloc(j->nbase_machines + 1, sizeof(*v->machines_only_in_base));
	v->machines_only_in_new = calloc(j->nnew_machines + 1, sizeof(*v->machines_only_in_new));
	if (!v->only_in_base_machine || !v->only_in_new_machine || !v->machines_only_in_base ||
	    !v->machines_only_in_new)
		return failf(j, "out of memory");
	return 0;
}

int lb_compare(const struct lb_result *base, const char *base_file, const struct lb_result *nw,
	       const char *new_file, const struct lb_compare_settings *s, lb_compare_warn_fn *warn,
	       void *warn_arg, struct lb_verdict **out, char *err, size_t errlen)
{
	struct job j = { .base = base, .nw = nw, .by_machine = carries_machines(base) && carries_machines(nw),
			 .base_file = base_file, .new_file = new_file, .s = s, .warn = warn, .warn_arg = warn_arg,
			 .err = err, .errlen = errlen };
	struct key *base_ids = NULL, *new_ids = NULL;
	struct lb_verdict *v = lb_verdict_new();
	int rc = -1;

	*out = NULL;
	if (!v) {
		failf(&j, "out of memory");
		goto out;
	}
	if (sorted_ids(&j, base, base_file, &base_ids) || sorted_ids(&j, nw, new_file, &new_ids))
		goto out;
	j.v = v;
	if (alloc_verdict(&j, v) || check_contexts(&j))
		goto out;
	if (pair_and_judge(&j, new_ids, v))
		goto out;
	v->overall = v->counts[LB_J_REGRESSION]	    ? LB_J_REGRESSION
		     : v->counts[LB_J_INCONCLUSIVE] ? LB_J_INCONCLUSIVE
						    : LB_J_OK;
	warn_verdict(&j, v);
	*out = v;
	v = NULL;
	rc = 0;
out:
	lb_verdict_free(v);
	free(base_ids);
	free(new_ids);
	free(j.bv);
	free(j.nv);
	free(j.base_machines);
	free(j.new_machines);
	return rc;
}
