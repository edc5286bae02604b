/*
 * model/fill.c — engine outcome → result model.
 *
 * Figures are taken as `run` has always reported them: latencies from the
 * merged log-linear histograms in ns, counts as counted, per-thread
 * timelines cut to the slices the window used. Everything computed from
 * the figures (fairness, starvation, short-term order) comes from
 * runner/analysis.
 */
#include "model/fill.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/metrics.h"
#include "analysis/roles.h"
#include "analysis/starvation.h"
#include "engine/deadlock.h"
#include "engine/lockset.h"
#include "engine/multilock.h"
#include "engine/stackdump.h"
#include "engine/params.h"
#include "locks/registry.h"

static void params_fill(struct lb_kvs *kv, const struct lb_param *decl, const union lb_value *vals)
{
	size_t n = lb_params_count(decl);
	kv->n = n;
	kv->v = calloc(n ? n : 1, sizeof *kv->v);
	if (kv->v == NULL) {
		kv->n = 0;
		return;
	}
	for (size_t i = 0; i < n; i++) {
		struct lb_kv *e = &kv->v[i];
		e->name = lb_strdup(decl[i].name);
		switch (decl[i].type) {
		case LB_PARAM_BOOL:
			e->type = LB_KV_BOOL;
			e->i = vals[i].i != 0;
			break;
		case LB_PARAM_STRING:
			e->type = LB_KV_STRING;
			e->s = lb_strdup(vals[i].s ? vals[i].s : "");
			break;
		default:
			e->type = LB_KV_INT;
			e->i = vals[i].i;
			break;
		}
	}
}

void lb_config_fill(struct lb_config *c, const char *id, const char *label, const struct lb_lock_choice *lock,
		    const struct lb_wl_choice *wl, unsigned threads, const char *pin_policy, const int *pus,
		    bool oversubscribed)
{
	c->id = lb_strdup(id);
	c->label = lb_strdup(label);
	c->lock_name = lb_strdup(lock->ops->name);
	params_fill(&c->lock_params, lock->ops->params, lock->params);
	c->lock_plugin = lb_strdup(lock->source);
	uint32_t caps = lb_lock_caps_as_configured(lock->ops, lock->params);
	if (caps & LB_CAP_TIMED)
		c->lock_timed = lb_strdup(caps & LB_CAP_TIMED_EMULATED ? "emulated" : "native");
	c->workload_name = lb_strdup(wl->wl->name);
	params_fill(&c->workload_params, wl->wl->params, wl->params);
	c->threads = threads;
	c->pin_policy = lb_strdup(pin_policy);
	c->pus = calloc(threads ? threads : 1, sizeof *c->pus);
	if (c->pus != NULL) {
		memcpy(c->pus, pus, threads * sizeof *pus);
		c->npus = threads;
	}
	c->oversubscribed = oversubscribed;
	c->status = LB_RS_OK;
}

static void latency_fill(struct lb_latency *l, const struct lb_hist *h)
{
	memset(l, 0, sizeof *l);
	if (h == NULL || h->count == 0)
		return;
	l->present = true;
	l->count = h->count;
	l->mean = lb_hist_mean(h) * lb_timer.ns_per_tick;
	l->p50 = lb_ticks_to_ns(lb_hist_value_at(h, 50));
	l->p90 = lb_ticks_to_ns(lb_hist_value_at(h, 90));
	l->p99 = lb_ticks_to_ns(lb_hist_value_at(h, 99));
	l->p999 = lb_ticks_to_ns(lb_hist_value_at(h, 99.9));
	l->p9999 = lb_ticks_to_ns(lb_hist_value_at(h, 99.99));
	l->max = lb_ticks_to_ns(h->max);
}

static void curve_fill(struct lb_curve *c, const struct lb_hist *h)
{
	/* The HdrHistogram-style axis: dense towards the tail. */
	static const double pcts[] = { 0,      10,     20,	30,	 40,	 50,	60,   70,    75,
				       80,     85,     90,	95,	 97,	 98,	99,   99.5,  99.7,
				       99.9,   99.95,  99.97,	99.99,	 99.995, 99.999, 99.9995, 99.9999, 100 };
	_Static_assert(sizeof pcts / sizeof pcts[0] <= LB_CURVE_MAX, "curve too long for the model");
	c->n = 0;
	if (h->count == 0)
		return;
	for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
		c->pct[i] = pcts[i];
		c->ns[i] = lb_ticks_to_ns(lb_hist_value_at(h, pcts[i]));
	}
	c->n = sizeof pcts / sizeof pcts[0];
}

static void short_term_fill(struct lb_sample *s, const struct lb_outcome *out)
{
	unsigned n = out->run.nthreads;
	size_t bytes = lb_short_term_scratch_size(n, out->norder);
	void *scratch = bytes == SIZE_MAX ? NULL : malloc(bytes ? bytes : 1);
	s->has_short_term = scratch != NULL;
	if (scratch != NULL)
		lb_short_term_compute(out->order, out->norder, n, 0, scratch, &s->short_term);
	free(scratch);
}

static void starvation_fill(struct lb_starvation *v, const struct lb_outcome *out)
{
	uint64_t max_gap = 0, bypass = 0, timed = 0;
	v->starved_threads = calloc(out->run.nthreads ? out->run.nthreads : 1, sizeof *v->starved_threads);
	for (unsigned i = 0; i < out->run.nthreads; i++) {
		const struct lb_thread *t = &out->run.threads[i];
		max_gap = t->max_gap_ticks > max_gap ? t->max_gap_ticks : max_gap;
		bypass = t->max_bypass > bypass ? t->max_bypass : bypass;
		timed += t->timed;
		if (out->starved && out->starved[i] && v->starved_threads != NULL)
			v->starved_threads[v->nstarved_threads++] = i;
	}
	v->starved = out->nstarved > 0;
	v->max_wait_ns = out->wait->count ? lb_ticks_to_ns(out->wait->max) : NAN;
	v->longest_gap_ns = max_gap * (uint64_t)out->tick_ns;
	v->coarse_resolution_ns = out->tick_ns;
	v->has_max_bypass = timed != 0;
	v->max_bypass = bypass;
	v->share_threshold = LB_STARVE_SHARE;
	v->gap_threshold = LB_STARVE_GAP;
}

/* One role of a reader-writer run, from the judge's outcome (analysis/roles.c). */
static void role_fill(struct lb_role_figs *f, const struct lb_outcome *out, enum lb_role r)
{
	const struct lb_role_outcome *ro = &out->role[r];
	unsigned n = out->run.nthreads;
	f->threads = ro->nthreads;
	f->acquisitions = ro->acquisitions;
	/* A role nobody tried has no rate (null), not a rate of 0. */
	f->throughput_per_s = out->duration_s > 0 && ro->nthreads > 0 ? (double)ro->acquisitions / out->duration_s : NAN;
	latency_fill(&f->latency, ro->wait);
	f->fairness = ro->fair;
	f->starved = ro->nstarved > 0;
	f->longest_wait_ns = ro->max_gap_ticks * (uint64_t)out->tick_ns;
	f->starved_threads = calloc(n ? n : 1, sizeof *f->starved_threads);
	f->per_thread = calloc(n ? n : 1, sizeof *f->per_thread);
	for (unsigned i = 0; i < n && f->starved_threads != NULL && f->per_thread != NULL; i++) {
		const struct lb_thread *t = &out->run.threads[i];
		if (!(t->roles & LB_ROLE_BIT(r)))
			continue;
		bool starved = ro->starved != NULL && ro->starved[i];
		if (starved)
			f->starved_threads[f->nstarved_threads++] = i;
		f->per_thread[f->nper_thread++] = (struct lb_role_thread){ i, t->role[r].acquisitions, starved };
	}
	f->has_concurrency = r == LB_ROLE_READ;
	f->concurrency_mean = out->readers_mean;
	f->concurrency_max = out->readers_max;
}

static void thread_fill(struct lb_thread_figs *f, const struct lb_thread *t, const struct lb_outcome *out,
			uint32_t slices)
{
	f->id = t->id;
	f->pu = t->pu;
	f->acquisitions = t->acquisitions;
	f->throughput_per_s = out->duration_s > 0 ? (double)t->acquisitions / out->duration_s : NAN;
	f->timed = t->timed;
	latency_fill(&f->latency, t->wait);
	latency_fill(&f->hold, t->hold);
	f->longest_gap_ns = t->max_gap_ticks * (uint64_t)out->tick_ns;
	f->has_max_bypass = t->timed != 0;
	f->max_bypass = t->max_bypass;
	f->try_failures = t->try_failures;
	f->poll_handoffs = t->poll_handoffs;
	f->violations = t->violations;
	f->starved = out->starved && out->starved[t->id];
	f->timeline = calloc(slices ? slices : 1, sizeof *f->timeline);
	for (uint32_t i = 0; f->timeline != NULL && i < slices; i++)
		f->timeline[i] = t->timeline[i];
	f->ntimeline = f->timeline != NULL ? slices : 0;
}

static enum lb_result_status status_of(enum lb_status s)
{
	switch (s) {
	case LB_STATUS_OK: return LB_RS_OK;
	case LB_STATUS_FAILED: return LB_RS_FAILED;
	case LB_STATUS_HUNG: return LB_RS_HUNG;
	case LB_STATUS_ERROR: return LB_RS_ERROR;
	case LB_STATUS_INTERRUPTED: return LB_RS_INTERRUPTED;
	case LB_STATUS_DEADLOCK: return LB_RS_DEADLOCK;
	}
	return LB_RS_ERROR;
}

/* Per-lock figures of a run of several locks. */
static void locks_fill(struct lb_sample *s, const struct lb_outcome *out)
{
	const struct lb_lockset *ls = out->run.locks;
	unsigned n = ls != NULL ? lb_lockset_count(ls) : 0;
	if (n < 2 || (s->locks = calloc(n, sizeof *s->locks)) == NULL)
		return;
	for (unsigned k = 0; k < n; k++) {
		const struct lb_lock_figures *f = lb_lockset_figures(ls, k);
		struct lb_lock_figs *l = &s->locks[k];
		l->index = k;
		l->acquisitions = f->acquisitions;
		l->violations = f->violations;
		l->timed = f->timed;
		l->sampled = f->sampled;
		l->found_held = f->found_held;
		l->contention = f->sampled ? (double)f->found_held / (double)f->sampled : NAN;
		latency_fill(&l->wait, f->wait);
	}
	s->nlocks = n;
}

static char **strings_dup(char *const *v, size_t n)
{
	char **out = n ? calloc(n, sizeof *out) : NULL;
	for (size_t i = 0; out != NULL && i < n; i++)
		out[i] = lb_strdup(v[i]);
	return out;
}

static void stuck_fill(struct lb_stuck_thread *d, const struct lb_stuck *e)
{
	const char *state = lb_thread_state_name(e->state);
	d->id = e->id;
	d->tid = e->tid;
	d->pu = e->pu;
	d->state = state ? lb_strdup(state) : NULL;
	d->cpu_ns = e->cpu_ns;
	d->waits_kind = (int)lb_wait_kind_of(e->waiting);
	d->waits_index = lb_wait_index_of(e->waiting);
	d->holder = e->holder;
	d->holds = e->nholds ? calloc(e->nholds, sizeof *d->holds) : NULL;
	for (size_t i = 0; d->holds != NULL && i < e->nholds; i++)
		d->holds[d->nholds++] = e->holds[i];
	d->stack = strings_dup(e->stack, e->nstack);
	d->nstack = d->stack != NULL ? e->nstack : 0;
}

/* The deadlock found and the threads that were stuck (at the deadlock, or after a hang). */
static void faults_fill(struct lb_sample *s, const struct lb_outcome *out)
{
	const struct lb_deadlock_found *dl = out->deadlock;
	const struct lb_stuck *stuck = out->stuck;
	size_t nstuck = out->nstuck;
	if (dl != NULL) {
		struct lb_deadlock *d = &s->deadlock;
		d->present = true;
		d->report = lb_strdup(dl->report);
		d->threads = calloc(dl->nthreads ? dl->nthreads : 1, sizeof *d->threads);
		for (size_t i = 0; d->threads != NULL && i < dl->nthreads; i++)
			d->threads[d->nthreads++] = dl->threads[i];
		d->cycle = calloc(dl->ncycle ? dl->ncycle : 1, sizeof *d->cycle);
		for (size_t i = 0; d->cycle != NULL && i < dl->ncycle; i++) {
			d->cycle[i] = (struct lb_wait_step){ dl->cycle[i].thread, dl->cycle[i].condition, dl->cycle[i].index,
							     dl->cycle[i].next };
			d->ncycle++;
		}
		d->after_s = out->deadlock_after_s;
		/* Their stacks as the watchdog took them, while they were stuck. */
		stuck = dl->stuck;
		nstuck = dl->nstuck;
	}
	s->stuck = nstuck ? calloc(nstuck, sizeof *s->stuck) : NULL;
	for (size_t i = 0; s->stuck != NULL && i < nstuck; i++)
		stuck_fill(&s->stuck[s->nstuck++], &stuck[i]);
	if (s->nstuck == 1 && dl == NULL && out->stuck_in_init)
		s->stuck[0].in_init = true;
}

void lb_sample_fill(struct lb_sample *s, struct lb_outcome *out, unsigned repetition, int64_t sample_every)
{
	s->repetition = repetition;
	s->status = status_of(out->status);
	s->message = out->message[0] ? lb_strdup(out->message) : NULL;
	s->duration_s = out->duration_s;
	s->pingpong_ns = NAN;
	s->throughput_per_s = NAN;
	faults_fill(s, out);
	/* A hung run's threads still use its memory: nothing of it is read. */
	if (out->status == LB_STATUS_HUNG || out->run.threads == NULL)
		return;
	lb_outcome_judge(out);
	lb_outcome_judge_roles(out);
	s->has_figures = true;
	s->acquisitions = out->acquisitions;
	s->throughput_per_s = out->duration_s > 0 ? (double)out->acquisitions / out->duration_s : NAN;
	latency_fill(&s->latency, out->wait);
	latency_fill(&s->hold, out->hold);
	latency_fill(&s->handoff, out->handoff);
	s->violations = out->violations;
	s->release_errors = out->release_errors;
	s->verify_failures = out->verify_failures;
	s->has_timing = true;
	s->timing_sample_every = sample_every;
	s->timing_coarse_tick_ns = out->tick_ns;
	s->timing_slice_ns = out->slice_ns;
	s->counters = calloc(out->ncounters ? out->ncounters : 1, sizeof *s->counters);
	for (size_t i = 0; s->counters != NULL && i < out->ncounters; i++) {
		s->counters[i].name = lb_strdup(out->counters[i].name);
		s->counters[i].value = out->counters[i].value;
		s->ncounters++;
	}
	if (s->ncounters > 0)
		s->counters_scope = out->counters_window ? LB_COUNTERS_WINDOW : LB_COUNTERS_RUN;
	s->figures = out->nfigures ? calloc(out->nfigures, sizeof *s->figures) : NULL;
	for (size_t i = 0; s->figures != NULL && i < out->nfigures; i++) {
		s->figures[i].name = lb_strdup(out->figures[i].name);
		s->figures[i].value = out->figures[i].value;
		s->nfigures++;
	}
	curve_fill(&s->curve, out->wait);
	s->pingpong_ns = out->pingpong_ns;
	s->has_fairness = true;
	s->fairness = out->fair;
	short_term_fill(s, out);
	s->has_starvation = true;
	starvation_fill(&s->starvation, out);
	if ((s->has_roles = out->has_roles)) {
		_Static_assert(LB_SR_READ == (int)LB_ROLE_READ && LB_SR_WRITE == (int)LB_ROLE_WRITE &&
				       LB_SR_COUNT == LB_NROLES,
			       "the model's roles are the engine's");
		for (int r = 0; r < LB_NROLES; r++)
			role_fill(&s->roles[r], out, (enum lb_role)r);
	}

	uint32_t slices = out->run.nthreads ? out->run.threads[0].timeline_len : 0;
	uint32_t used = (uint32_t)(out->duration_s * 1e9 / (double)out->slice_ns) + 1;
	if (used < slices)
		slices = used;
	s->threads = calloc(out->run.nthreads ? out->run.nthreads : 1, sizeof *s->threads);
	for (unsigned i = 0; s->threads != NULL && i < out->run.nthreads; i++)
		thread_fill(&s->threads[i], &out->run.threads[i], out, slices);
	s->nthreads = s->threads != NULL ? out->run.nthreads : 0;
	locks_fill(s, out);
}
