/*
 * model/json_load_sample.c — one sample of a lockbench/1 document into the
 * model: its figures, groups and per-thread figures (see json_load.c for
 * the loader's rules).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json_get.h"

static int load_latency(struct lbj *ld, json_t *o, const char *where, const char *key, struct lb_latency *l)
{
	json_t *j;
	memset(l, 0, sizeof *l);
	if (lbj_object(ld, o, where, key, &j) != 0)
		return -1;
	if (j == NULL)
		return 0;
	char w[256];
	lbj_path(w, sizeof w, where, key, -1);
	l->present = true;
	return lbj_count(ld, j, w, "count", &l->count) || lbj_number(ld, j, w, "mean", &l->mean) ||
			       lbj_number(ld, j, w, "p50", &l->p50) || lbj_number(ld, j, w, "p90", &l->p90) ||
			       lbj_number(ld, j, w, "p99", &l->p99) || lbj_number(ld, j, w, "p999", &l->p999) ||
			       lbj_number(ld, j, w, "p9999", &l->p9999) || lbj_number(ld, j, w, "max", &l->max)
		       ? -1
		       : 0;
}

static int load_thread(struct lbj *ld, json_t *o, const char *w, struct lb_thread_figs *t)
{
	int64_t pu = -1;
	json_t *jpu = lbj_get(o, "pu");
	uint64_t *tl = NULL;
	if (jpu != NULL && !json_is_null(jpu) && lbj_int(ld, o, w, "pu", INT_MIN, INT_MAX, &pu) != 0)
		return -1;
	t->pu = (int)pu;
	t->throughput_per_s = NAN;
	int rc = lbj_unsigned(ld, o, w, "id", UINT_MAX, &t->id) || lbj_count(ld, o, w, "acquisitions", &t->acquisitions) ||
		 lbj_number(ld, o, w, "throughput_per_s", &t->throughput_per_s) ||
		 lbj_count(ld, o, w, "timed", &t->timed) || load_latency(ld, o, w, "latency_ns", &t->latency) ||
		 load_latency(ld, o, w, "hold_ns", &t->hold) ||
		 lbj_count(ld, o, w, "longest_gap_ns", &t->longest_gap_ns) ||
		 lbj_opt_count(ld, o, w, "max_bypass", &t->has_max_bypass, &t->max_bypass) ||
		 lbj_count(ld, o, w, "try_failures", &t->try_failures) ||
		 lbj_count(ld, o, w, "poll_handoffs", &t->poll_handoffs) ||
		 lbj_count(ld, o, w, "violations", &t->violations) || lbj_bool(ld, o, w, "starved", &t->starved) ||
		 lbj_counts(ld, o, w, "timeline", UINT64_MAX, &tl, &t->ntimeline);
	t->timeline = tl;
	return rc ? -1 : 0;
}

static int load_curve(struct lbj *ld, json_t *s, const char *w, struct lb_curve *c)
{
	json_t *a;
	c->n = 0;
	if (lbj_array(ld, s, w, "latency_curve", &a) != 0)
		return -1;
	if (json_array_size(a) > LB_CURVE_MAX)
		return lbj_bad(ld, w, "latency_curve", "more than %d points", LB_CURVE_MAX);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *pt = json_array_get(a, i);
		json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
		if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(x) ||
		    !(json_is_number(y) || json_is_null(y)))
			return lbj_bad(ld, w, "latency_curve", "[%zu]: not a [percentile, ns] pair", i);
		c->pct[i] = json_number_value(x);
		c->ns[i] = json_is_null(y) ? NAN : json_number_value(y);
		c->n++;
	}
	return 0;
}

static int load_counters(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out)
{
	json_t *lc;
	if (lbj_object(ld, s, w, "lock_counters", &lc) != 0)
		return -1;
	out->counters = json_object_size(lc) ? lbj_alloc(json_object_size(lc), sizeof *out->counters) : NULL;
	const char *key;
	json_t *v;
	char cw[300];
	lbj_path(cw, sizeof cw, w, "lock_counters", -1);
	json_object_foreach(lc, key, v) {
		if (lbj_count(ld, lc, cw, key, &out->counters[out->ncounters].value) != 0)
			return -1;
		out->counters[out->ncounters++].name = lb_strdup(key);
	}
	return 0;
}

static int load_figures(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out)
{
	const char *scope = NULL;
	json_t *sc = lbj_get(s, "lock_counters_scope");
	if (sc != NULL && (scope = json_string_value(sc)) == NULL)
		return lbj_bad(ld, w, "lock_counters_scope", "not a string");
	if (scope == NULL)
		out->counters_scope = LB_COUNTERS_UNKNOWN;
	else if (strcmp(scope, "window") == 0)
		out->counters_scope = LB_COUNTERS_WINDOW;
	else if (strcmp(scope, "run") == 0)
		out->counters_scope = LB_COUNTERS_RUN;
	else
		return lbj_bad(ld, w, "lock_counters_scope", "\"%s\" is not window or run", scope);
	json_t *wf;
	if (lbj_object(ld, s, w, "workload_figures", &wf) != 0)
		return -1;
	if (wf == NULL || json_object_size(wf) == 0)
		return 0;
	out->figures = lbj_alloc(json_object_size(wf), sizeof *out->figures);
	const char *key;
	json_t *v;
	char fw[300];
	lbj_path(fw, sizeof fw, w, "workload_figures", -1);
	json_object_foreach(wf, key, v) {
		if (lbj_number(ld, wf, fw, key, &out->figures[out->nfigures].value) != 0)
			return -1;
		out->figures[out->nfigures++].name = lb_strdup(key);
	}
	return 0;
}

static int load_groups(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out)
{
	char g[300];
	json_t *j;
	if (lbj_object(ld, s, w, "timing", &j) != 0)
		return -1;
	if ((out->has_timing = j != NULL)) {
		lbj_path(g, sizeof g, w, "timing", -1);
		if (lbj_int(ld, j, g, "sample_every", 0, INT64_MAX, &out->timing_sample_every) ||
		    lbj_int(ld, j, g, "coarse_tick_ns", 0, INT64_MAX, &out->timing_coarse_tick_ns) ||
		    lbj_int(ld, j, g, "slice_ns", 0, INT64_MAX, &out->timing_slice_ns))
			return -1;
	}
	if (lbj_object(ld, s, w, "fairness", &j) != 0)
		return -1;
	if ((out->has_fairness = j != NULL)) {
		struct lb_fairness *f = &out->fairness;
		lbj_path(g, sizeof g, w, "fairness", -1);
		if (lbj_number(ld, j, g, "jain", &f->jain) || lbj_number(ld, j, g, "rsd", &f->rsd) ||
		    lbj_number(ld, j, g, "fairness_factor", &f->fairness_factor) ||
		    lbj_number(ld, j, g, "max_min_ratio", &f->max_min_ratio) || lbj_count(ld, j, g, "min", &f->min) ||
		    lbj_count(ld, j, g, "max", &f->max) || lbj_bool(ld, j, g, "locktorture_starved", &f->starved))
			return -1;
	}
	if (lbj_object(ld, s, w, "short_term", &j) != 0)
		return -1;
	if ((out->has_short_term = j != NULL)) {
		struct lb_short_term *st = &out->short_term;
		lbj_path(g, sizeof g, w, "short_term", -1);
		if (lbj_count(ld, j, g, "covered", &st->covered) ||
		    lbj_unsigned(ld, j, g, "window", UINT_MAX, &st->window) || lbj_number(ld, j, g, "lwss", &st->lwss) ||
		    lbj_number(ld, j, g, "mttr", &st->mttr) || lbj_number(ld, j, g, "handover_ratio", &st->handover_ratio))
			return -1;
	}
	if (lbj_object(ld, s, w, "starvation", &j) != 0)
		return -1;
	if ((out->has_starvation = j != NULL)) {
		struct lb_starvation *v = &out->starvation;
		uint64_t *ids = NULL;
		size_t n = 0;
		lbj_path(g, sizeof g, w, "starvation", -1);
		int rc = lbj_bool(ld, j, g, "starved", &v->starved) ||
			 lbj_counts(ld, j, g, "starved_threads", UINT_MAX, &ids, &n) ||
			 lbj_number(ld, j, g, "max_wait_ns", &v->max_wait_ns) ||
			 lbj_count(ld, j, g, "longest_gap_ns", &v->longest_gap_ns) ||
			 lbj_int(ld, j, g, "coarse_resolution_ns", 0, INT64_MAX, &v->coarse_resolution_ns) ||
			 lbj_opt_count(ld, j, g, "max_bypass", &v->has_max_bypass, &v->max_bypass) ||
			 lbj_number(ld, j, g, "share_threshold", &v->share_threshold) ||
			 lbj_number(ld, j, g, "gap_threshold", &v->gap_threshold);
		v->starved_threads = n ? lbj_alloc(n, sizeof *v->starved_threads) : NULL;
		for (size_t i = 0; i < n; i++)
			v->starved_threads[i] = (unsigned)ids[i];
		v->nstarved_threads = n;
		free(ids);
		if (rc)
			return -1;
	}
	return 0;
}

/* One role of "roles" (results/schema.json, $defs/role); absent keys stay absent. */
static int load_role(struct lbj *ld, json_t *roles, const char *rw, enum lb_sample_role r, struct lb_role_figs *f)
{
	const char *name = lb_sample_role_name(r);
	json_t *o, *j, *per;
	char w[360], g[400];
	uint64_t *ids = NULL;
	size_t n = 0;
	f->throughput_per_s = NAN;
	f->concurrency_mean = NAN;
	if (lbj_object(ld, roles, rw, name, &o) != 0)
		return -1;
	if (o == NULL)
		return 0;
	lbj_path(w, sizeof w, rw, name, -1);
	int rc = lbj_unsigned(ld, o, w, "threads", UINT_MAX, &f->threads) ||
		 lbj_count(ld, o, w, "acquisitions", &f->acquisitions) ||
		 lbj_number(ld, o, w, "throughput_per_s", &f->throughput_per_s) ||
		 load_latency(ld, o, w, "latency_ns", &f->latency) || lbj_bool(ld, o, w, "starved", &f->starved) ||
		 lbj_counts(ld, o, w, "starved_threads", UINT_MAX, &ids, &n) ||
		 lbj_count(ld, o, w, "longest_wait_ns", &f->longest_wait_ns) || lbj_object(ld, o, w, "fairness", &j);
	f->starved_threads = n ? lbj_alloc(n, sizeof *f->starved_threads) : NULL;
	for (size_t i = 0; i < n; i++)
		f->starved_threads[i] = (unsigned)ids[i];
	f->nstarved_threads = n;
	free(ids);
	if (rc)
		return -1;
	if (j != NULL) {
		struct lb_fairness *fa = &f->fairness;
		lbj_path(g, sizeof g, w, "fairness", -1);
		if (lbj_number(ld, j, g, "jain", &fa->jain) || lbj_number(ld, j, g, "rsd", &fa->rsd) ||
		    lbj_number(ld, j, g, "fairness_factor", &fa->fairness_factor) ||
		    lbj_number(ld, j, g, "max_min_ratio", &fa->max_min_ratio) || lbj_count(ld, j, g, "min", &fa->min) ||
		    lbj_count(ld, j, g, "max", &fa->max) || lbj_bool(ld, j, g, "locktorture_starved", &fa->starved))
			return -1;
	}
	if (lbj_object(ld, o, w, "concurrency", &j) != 0)
		return -1;
	if ((f->has_concurrency = j != NULL)) {
		lbj_path(g, sizeof g, w, "concurrency", -1);
		if (lbj_number(ld, j, g, "mean", &f->concurrency_mean) || lbj_count(ld, j, g, "max", &f->concurrency_max))
			return -1;
	}
	if (lbj_array(ld, o, w, "per_thread", &per) != 0)
		return -1;
	f->per_thread = json_array_size(per) ? lbj_alloc(json_array_size(per), sizeof *f->per_thread) : NULL;
	for (size_t i = 0; i < json_array_size(per); i++) {
		json_t *pt = json_array_get(per, i);
		struct lb_role_thread *t = &f->per_thread[i];
		lbj_path(g, sizeof g, w, "per_thread", (long)i);
		if (!json_is_object(pt))
			return lbj_bad(ld, g, NULL, "not an object");
		f->nper_thread++;
		if (lbj_unsigned(ld, pt, g, "id", UINT_MAX, &t->id) || lbj_count(ld, pt, g, "acquisitions", &t->acquisitions) ||
		    lbj_bool(ld, pt, g, "starved", &t->starved))
			return -1;
	}
	return 0;
}

/* "roles" of a reader-writer sample, when it has one. */
static int load_roles(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out)
{
	json_t *roles;
	char rw[320];
	if (lbj_object(ld, s, w, "roles", &roles) != 0)
		return -1;
	if ((out->has_roles = roles != NULL) == false)
		return 0;
	lbj_path(rw, sizeof rw, w, "roles", -1);
	for (int r = 0; r < LB_SR_COUNT; r++)
		if (load_role(ld, roles, rw, (enum lb_sample_role)r, &out->roles[r]) != 0)
			return -1;
	return 0;
}

int lbj_load_sample(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out)
{
	int st;
	if (lbj_status(ld, s, w, true, &st) != 0)
		return -1;
	out->status = (enum lb_result_status)st;
	out->throughput_per_s = NAN;
	if (lbj_unsigned(ld, s, w, "repetition", UINT_MAX, &out->repetition) ||
	    lbj_string(ld, s, w, "message", &out->message) || lbj_number(ld, s, w, "duration_s", &out->duration_s))
		return -1;
	/* lockbench merge: the shard it came from. */
	if ((out->has_shard = lbj_get(s, "shard") != NULL) &&
	    lbj_unsigned(ld, s, w, "shard", INT32_MAX, &out->shard) != 0)
		return -1;
	static const char *const figures[] = { "acquisitions", "throughput_per_s", "latency_ns", "fairness", "threads" };
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		out->has_figures |= lbj_get(s, figures[i]) != NULL;
	if (lbj_load_faults(ld, s, w, out) != 0)
		return -1;
	if (!out->has_figures)
		return 0;
	uint64_t vf = 0;
	json_t *threads;
	if (lbj_count(ld, s, w, "acquisitions", &out->acquisitions) ||
	    lbj_number(ld, s, w, "throughput_per_s", &out->throughput_per_s) ||
	    load_latency(ld, s, w, "latency_ns", &out->latency) || load_latency(ld, s, w, "hold_ns", &out->hold) ||
	    load_latency(ld, s, w, "handoff_ns", &out->handoff) || lbj_count(ld, s, w, "violations", &out->violations) ||
	    lbj_count(ld, s, w, "release_errors", &out->release_errors) ||
	    lbj_count(ld, s, w, "verify_failures", &vf) || load_counters(ld, s, w, out) || load_figures(ld, s, w, out) ||
	    load_curve(ld, s, w, &out->curve) || lbj_number(ld, s, w, "pingpong_ns", &out->pingpong_ns) ||
	    load_groups(ld, s, w, out) || load_roles(ld, s, w, out) || lbj_array(ld, s, w, "threads", &threads))
		return -1;
	out->verify_failures = vf;
	out->nthreads = 0;
	out->threads = json_array_size(threads) ? lbj_alloc(json_array_size(threads), sizeof *out->threads) : NULL;
	for (size_t i = 0; i < json_array_size(threads); i++) {
		char tw[300];
		lbj_path(tw, sizeof tw, w, "threads", (long)i);
		json_t *t = json_array_get(threads, i);
		if (!json_is_object(t))
			return lbj_bad(ld, tw, NULL, "not an object");
		out->nthreads++;
		if (load_thread(ld, t, tw, &out->threads[i]) != 0)
			return -1;
	}
	return 0;
}
