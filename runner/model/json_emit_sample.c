/*
 * model/json_emit_sample.c — one sample of a result as JSON: its status,
 * what went wrong (an isolated run's end, a deadlock, stuck threads), its
 * figures, per-role figures of a reader-writer run, per-thread and
 * per-lock figures; and a sample alone as compact text, how an isolated
 * run hands it back (engine/isolate.c).
 *
 * Part of the emitter (model/json_emit.c): the same key order and number
 * formats `run` has always written, through the builders of
 * model/json_put.h.
 */
#include <math.h>
#include <stdlib.h>

#include <jansson.h>

#include "model/json.h"
#include "model/json_put.h"

static json_t *thread_json(const struct lb_thread_figs *t)
{
	json_t *o = json_object();
	lbe_set(o, "id", json_integer(t->id));
	lbe_set(o, "pu", t->pu >= 0 ? json_integer(t->pu) : json_null());
	lbe_set(o, "acquisitions", lbe_count(t->acquisitions));
	lbe_set(o, "throughput_per_s", lbe_num(t->throughput_per_s));
	lbe_set(o, "timed", lbe_count(t->timed));
	lbe_set(o, "latency_ns", lbe_latency(&t->latency));
	lbe_set(o, "hold_ns", lbe_latency(&t->hold));
	lbe_set(o, "longest_gap_ns", lbe_count(t->longest_gap_ns));
	lbe_set(o, "max_bypass", t->has_max_bypass ? lbe_count(t->max_bypass) : json_null());
	lbe_set(o, "try_failures", lbe_count(t->try_failures));
	lbe_set(o, "poll_handoffs", lbe_count(t->poll_handoffs));
	lbe_set(o, "violations", lbe_count(t->violations));
	lbe_set(o, "starved", json_boolean(t->starved));
	lbe_set(o, "cpu_ns", lbe_known(t->cpu_ns));
	lbe_set(o, "voluntary_ctxsw", lbe_known(t->voluntary_ctxsw));
	lbe_set(o, "involuntary_ctxsw", lbe_known(t->involuntary_ctxsw));
	json_t *tl = json_array();
	for (size_t i = 0; i < t->ntimeline; i++)
		json_array_append_new(tl, lbe_count(t->timeline[i]));
	lbe_set(o, "timeline", tl);
	return o;
}

static json_t *curve_json(const struct lb_curve *c)
{
	if (c->n == 0)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; i < c->n; i++) {
		json_t *pt = json_array();
		json_array_append_new(pt, json_real(c->pct[i]));
		json_array_append_new(pt, lbe_num(c->ns[i]));
		json_array_append_new(a, pt);
	}
	return a;
}

static json_t *fairness_json(const struct lb_fairness *f)
{
	json_t *o = json_object();
	lbe_set(o, "jain", lbe_num(f->jain));
	lbe_set(o, "rsd", lbe_num(f->rsd));
	lbe_set(o, "fairness_factor", lbe_num(f->fairness_factor));
	lbe_set(o, "max_min_ratio", lbe_num(f->max_min_ratio));
	lbe_set(o, "min", lbe_count(f->min));
	lbe_set(o, "max", lbe_count(f->max));
	lbe_set(o, "locktorture_starved", json_boolean(f->starved));
	return o;
}

static json_t *short_term_json(const struct lb_sample *s)
{
	if (!s->has_short_term)
		return json_null();
	json_t *o = json_object();
	lbe_set(o, "covered", lbe_count(s->short_term.covered));
	lbe_set(o, "window", json_integer(s->short_term.window));
	lbe_set(o, "lwss", lbe_num(s->short_term.lwss));
	lbe_set(o, "mttr", lbe_num(s->short_term.mttr));
	lbe_set(o, "handover_ratio", lbe_num(s->short_term.handover_ratio));
	return o;
}

static json_t *regime_json(const struct lb_regime *r)
{
	json_t *o = json_object();
	lbe_set(o, "steady", r->has_steady ? json_boolean(r->steady) : json_null());
	lbe_set(o, "first_half_per_s", lbe_num(r->first_half_per_s));
	lbe_set(o, "second_half_per_s", lbe_num(r->second_half_per_s));
	lbe_set(o, "half_ratio", lbe_num(r->half_ratio));
	lbe_set(o, "slices", lbe_count(r->slices));
	lbe_set(o, "stalled_slices", lbe_count(r->stalled_slices));
	lbe_set(o, "handoffs", r->has_handoffs ? lbe_count(r->handoffs) : json_null());
	lbe_set(o, "handoffs_per_s", lbe_num(r->handoffs_per_s));
	lbe_set(o, "cpu_ns", lbe_known(r->cpu_ns));
	lbe_set(o, "cpu_share", lbe_num(r->cpu_share));
	lbe_set(o, "voluntary_ctxsw", lbe_known(r->voluntary_ctxsw));
	lbe_set(o, "involuntary_ctxsw", lbe_known(r->involuntary_ctxsw));
	lbe_set(o, "ctxsw_per_s", lbe_num(r->ctxsw_per_s));
	lbe_set(o, "scheduler_bound", r->has_scheduler_bound ? json_boolean(r->scheduler_bound) : json_null());
	return o;
}

static json_t *starvation_json(const struct lb_starvation *v)
{
	json_t *o = json_object();
	lbe_set(o, "starved", json_boolean(v->starved));
	json_t *ids = json_array();
	for (size_t i = 0; i < v->nstarved_threads; i++)
		json_array_append_new(ids, json_integer(v->starved_threads[i]));
	lbe_set(o, "starved_threads", ids);
	lbe_set(o, "max_wait_ns", lbe_num(v->max_wait_ns));
	lbe_set(o, "longest_gap_ns", lbe_count(v->longest_gap_ns));
	lbe_set(o, "coarse_resolution_ns", json_integer(v->coarse_resolution_ns));
	lbe_set(o, "max_bypass", v->has_max_bypass ? lbe_count(v->max_bypass) : json_null());
	lbe_set(o, "share_threshold", lbe_num(v->share_threshold));
	lbe_set(o, "gap_threshold", lbe_num(v->gap_threshold));
	return o;
}

static json_t *uints_json(const unsigned *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, json_integer(v[i]));
	return a;
}

static const char *const wait_kinds[] = { NULL, "lock", "timed_lock", "condition" };

static json_t *crash_json(const struct lb_crash *c)
{
	json_t *o = json_object();
	lbe_set(o, "signal", lbe_str_or_null(c->signal));
	lbe_set(o, "exit_status", c->exit_status >= 0 ? json_integer(c->exit_status) : json_null());
	lbe_set_str(o, "stage", c->stage);
	lbe_set(o, "stack", lbe_strings(c->stack, c->nstack));
	json_t *a = json_array();
	for (size_t i = 0; i < c->nthreads; i++)
		json_array_append_new(a, lbe_count(c->acquisitions[i]));
	lbe_set(o, "acquisitions_so_far", a);
	return o;
}

static json_t *deadlock_json(const struct lb_deadlock *d)
{
	json_t *o = json_object();
	lbe_set_str(o, "report", d->report);
	lbe_set(o, "threads", uints_json(d->threads, d->nthreads));
	json_t *a = json_array();
	for (size_t i = 0; i < d->ncycle; i++) {
		json_t *e = json_object();
		lbe_set(e, "thread", json_integer(d->cycle[i].thread));
		lbe_set(e, "waits_for", json_string(d->cycle[i].condition ? "condition" : "lock"));
		lbe_set(e, "index", json_integer(d->cycle[i].index));
		lbe_set(e, "held_by", json_integer(d->cycle[i].next));
		json_array_append_new(a, e);
	}
	lbe_set(o, "cycle", a);
	lbe_set(o, "after_s", lbe_num(d->after_s));
	return o;
}

static json_t *stuck_json(const struct lb_stuck_thread *t)
{
	json_t *o = json_object();
	lbe_set(o, "id", json_integer(t->id));
	if (t->in_init)
		lbe_set(o, "in_init", json_true());
	lbe_set(o, "tid", json_integer(t->tid));
	lbe_set(o, "pu", t->pu >= 0 ? json_integer(t->pu) : json_null());
	lbe_set(o, "state", lbe_str_or_null(t->state));
	lbe_set(o, "cpu_ns", t->cpu_ns >= 0 ? json_integer(t->cpu_ns) : json_null());
	if (t->waits_kind > 0 && t->waits_kind <= 3) {
		json_t *w = json_object();
		lbe_set(w, "kind", json_string(wait_kinds[t->waits_kind]));
		lbe_set(w, "index", json_integer(t->waits_index));
		lbe_set(o, "waits_for", w);
	} else {
		lbe_set(o, "waits_for", json_null());
	}
	lbe_set(o, "holder", t->holder >= 0 ? json_integer(t->holder) : json_null());
	lbe_set(o, "holds", uints_json(t->holds, t->nholds));
	lbe_set(o, "stack", lbe_strings(t->stack, t->nstack));
	return o;
}

static json_t *locks_json(const struct lb_sample *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nlocks; i++) {
		const struct lb_lock_figs *l = &s->locks[i];
		json_t *o = json_object();
		lbe_set(o, "index", json_integer(l->index));
		lbe_set(o, "acquisitions", lbe_count(l->acquisitions));
		lbe_set(o, "violations", lbe_count(l->violations));
		lbe_set(o, "timed", lbe_count(l->timed));
		lbe_set(o, "sampled", lbe_count(l->sampled));
		lbe_set(o, "found_held", lbe_count(l->found_held));
		lbe_set(o, "contention", lbe_num(l->contention));
		lbe_set(o, "latency_ns", lbe_latency(&l->wait));
		json_array_append_new(a, o);
	}
	return a;
}

/* What went wrong, in any sample that has it: the isolated process's end, a deadlock, stuck threads. */
static void faults_json(json_t *o, const struct lb_sample *s)
{
	if (s->isolated)
		lbe_set(o, "isolated", json_true());
	if (s->crash.present)
		lbe_set(o, "crash", crash_json(&s->crash));
	if (s->deadlock.present)
		lbe_set(o, "deadlock", deadlock_json(&s->deadlock));
	if (s->nstuck != 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < s->nstuck; i++)
			json_array_append_new(a, stuck_json(&s->stuck[i]));
		lbe_set(o, "stuck_threads", a);
	}
}

/* One role of a reader-writer sample (results/schema.json, $defs/role). */
static json_t *role_json(const struct lb_role_figs *r)
{
	json_t *o = json_object();
	lbe_set(o, "threads", json_integer(r->threads));
	lbe_set(o, "acquisitions", lbe_count(r->acquisitions));
	lbe_set(o, "throughput_per_s", lbe_num(r->throughput_per_s));
	lbe_set(o, "latency_ns", lbe_latency(&r->latency));
	lbe_set(o, "fairness", fairness_json(&r->fairness));
	lbe_set(o, "starved", json_boolean(r->starved));
	json_t *ids = json_array(), *per = json_array();
	for (size_t i = 0; i < r->nstarved_threads; i++)
		json_array_append_new(ids, json_integer(r->starved_threads[i]));
	for (size_t i = 0; i < r->nper_thread; i++) {
		json_t *pt = json_object();
		lbe_set(pt, "id", json_integer(r->per_thread[i].id));
		lbe_set(pt, "acquisitions", lbe_count(r->per_thread[i].acquisitions));
		lbe_set(pt, "starved", json_boolean(r->per_thread[i].starved));
		json_array_append_new(per, pt);
	}
	lbe_set(o, "starved_threads", ids);
	lbe_set(o, "longest_wait_ns", lbe_count(r->longest_wait_ns));
	lbe_set(o, "per_thread", per);
	if (r->has_concurrency) {
		json_t *c = json_object();
		lbe_set(c, "mean", lbe_num(r->concurrency_mean));
		lbe_set(c, "max", lbe_count(r->concurrency_max));
		lbe_set(o, "concurrency", c);
	}
	return o;
}

/* A sample's figures, after its status (a hung sample has none). */
static void sample_figures(json_t *o, const struct lb_sample *s)
{
	lbe_set(o, "acquisitions", lbe_count(s->acquisitions));
	lbe_set(o, "throughput_per_s", lbe_num(s->throughput_per_s));
	lbe_set(o, "latency_ns", lbe_latency(&s->latency));
	lbe_set(o, "hold_ns", lbe_latency(&s->hold));
	lbe_set(o, "handoff_ns", lbe_latency(&s->handoff));
	lbe_set(o, "violations", lbe_count(s->violations));
	lbe_set(o, "release_errors", lbe_count(s->release_errors));
	lbe_set(o, "verify_failures", lbe_count(s->verify_failures));
	if (s->has_timing) {
		json_t *t = json_object();
		lbe_set(t, "sample_every", json_integer(s->timing_sample_every));
		lbe_set(t, "coarse_tick_ns", json_integer(s->timing_coarse_tick_ns));
		lbe_set(t, "slice_ns", json_integer(s->timing_slice_ns));
		lbe_set(o, "timing", t);
	}
	json_t *lc = json_object();
	for (size_t i = 0; i < s->ncounters; i++)
		lbe_set(lc, s->counters[i].name, lbe_count(s->counters[i].value));
	lbe_set(o, "lock_counters", lc);
	if (s->counters_scope != LB_COUNTERS_UNKNOWN)
		lbe_set(o, "lock_counters_scope", json_string(s->counters_scope == LB_COUNTERS_WINDOW ? "window" : "run"));
	if (s->nfigures > 0) {
		json_t *wf = json_object();
		for (size_t i = 0; i < s->nfigures; i++)
			lbe_set(wf, s->figures[i].name, lbe_num(s->figures[i].value));
		lbe_set(o, "workload_figures", wf);
	}
	lbe_set(o, "latency_curve", curve_json(&s->curve));
	lbe_set(o, "pingpong_ns", lbe_num(s->pingpong_ns));
	if (s->has_fairness)
		lbe_set(o, "fairness", fairness_json(&s->fairness));
	lbe_set(o, "short_term", short_term_json(s));
	if (s->has_starvation)
		lbe_set(o, "starvation", starvation_json(&s->starvation));
	if (s->has_regime)
		lbe_set(o, "regime", regime_json(&s->regime));
	if (s->has_roles) {
		json_t *roles = json_object();
		for (int r = 0; r < LB_SR_COUNT; r++)
			lbe_set(roles, lb_sample_role_name((enum lb_sample_role)r), role_json(&s->roles[r]));
		lbe_set(o, "roles", roles);
	}
	json_t *threads = json_array();
	for (size_t i = 0; i < s->nthreads; i++)
		json_array_append_new(threads, thread_json(&s->threads[i]));
	lbe_set(o, "threads", threads);
	if (s->nlocks != 0)
		lbe_set(o, "locks", locks_json(s));
}

json_t *lbe_sample(const struct lb_sample *s)
{
	json_t *o = json_object();
	lbe_set(o, "repetition", json_integer(s->repetition));
	lbe_set(o, "status", json_string(lb_result_status_name(s->status)));
	lbe_set_str(o, "message", s->message);
	if (isfinite(s->duration_s))
		lbe_set(o, "duration_s", json_real(s->duration_s));
	faults_json(o, s);
	if (s->has_figures)
		sample_figures(o, s);
	if (s->has_shard)
		lbe_set(o, "shard", json_integer(s->shard));
	return o;
}

char *lb_sample_to_json(const struct lb_sample *s)
{
	json_t *o = lbe_sample(s);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
	json_decref(o);
	return text;
}
