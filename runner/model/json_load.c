/*
 * model/json_load.c — a lockbench/1 document into the result model.
 *
 * Strict about what it uses, lenient about the rest: a key of the wrong
 * type is an error naming the file and the place ("r.json: configs[3].
 * samples[0].status: not a string"), because a consumer that silently
 * skipped it would judge or chart something else than the file says; a
 * key that is absent leaves its figure absent (NAN, has_ false), because
 * older and hand-made results lack groups `run` writes today; a key the
 * loader does not know is ignored, as the schema promises producers.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <jansson.h>

#include "model/identity.h"
#include "model/json.h"

/* Thread counts beyond this are not a result of lockbench (and make consumers loop for ever). */
#define MAX_THREADS_IN_RESULT (1u << 20)

struct ld {
	const char *file;
	char *err;
	size_t errlen;
};

/* The error "FILE: WHERE.KEY: what"; returns -1. */
static int bad(struct ld *ld, const char *where, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(struct ld *ld, const char *where, const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	char at[512];
	snprintf(at, sizeof at, "%s%s%s", where, *where && key ? "." : "", key ? key : "");
	snprintf(ld->err, ld->errlen, "%s: %s%s%s", ld->file, at, *at ? ": " : "", what);
	/* The message is one line whatever the file holds. */
	for (char *p = ld->err; *p; p++)
		if ((unsigned char)*p < 0x20)
			*p = '?';
	return -1;
}

/* An object member, or NULL when absent (or when o is not an object). */
static json_t *get(json_t *o, const char *key)
{
	return json_object_get(o, key);
}

static int want_string(struct ld *ld, json_t *o, const char *where, const char *key, char **out)
{
	json_t *v = get(o, key);
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_string(v))
		return bad(ld, where, key, "not a string");
	*out = lb_strdup(json_string_value(v));
	return 0;
}

/* A status, absent meaning ok; *out is an enum lb_result_status. */
static int want_status(struct ld *ld, json_t *o, const char *where, bool sample, int *out)
{
	json_t *v = get(o, "status");
	*out = LB_RS_OK;
	if (v == NULL)
		return 0;
	if (!json_is_string(v))
		return bad(ld, where, "status", "not a string");
	*out = lb_result_status_parse(json_string_value(v));
	if (*out < 0 || (sample && *out == LB_RS_NOT_RUN))
		return bad(ld, where, "status", "\"%.64s\" is not a %s status", json_string_value(v),
			   sample ? "sample" : "config");
	return 0;
}

static int want_number(struct ld *ld, json_t *o, const char *where, const char *key, double *out)
{
	json_t *v = get(o, key);
	*out = NAN;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_number(v))
		return bad(ld, where, key, "not a number");
	*out = json_number_value(v);
	return 0;
}

static int want_int(struct ld *ld, json_t *o, const char *where, const char *key, int64_t min, int64_t max,
		    int64_t *out)
{
	json_t *v = get(o, key);
	if (v == NULL)
		return 0;
	if (!json_is_integer(v))
		return bad(ld, where, key, "not an integer");
	json_int_t i = json_integer_value(v);
	if (i < min || i > max)
		return bad(ld, where, key, "%lld is out of range", (long long)i);
	*out = i;
	return 0;
}

static int want_count(struct ld *ld, json_t *o, const char *where, const char *key, uint64_t *out)
{
	int64_t v = 0;
	if (want_int(ld, o, where, key, 0, INT64_MAX, &v) != 0)
		return -1;
	*out = (uint64_t)v;
	return 0;
}

static int want_unsigned(struct ld *ld, json_t *o, const char *where, const char *key, unsigned max,
			 unsigned *out)
{
	int64_t v = *out;
	if (want_int(ld, o, where, key, 0, max, &v) != 0)
		return -1;
	*out = (unsigned)v;
	return 0;
}

/* A count that may be null (max_bypass: nothing timed). */
static int want_opt_count(struct ld *ld, json_t *o, const char *where, const char *key, bool *has, uint64_t *out)
{
	json_t *v = get(o, key);
	*has = v != NULL && !json_is_null(v);
	return *has ? want_count(ld, o, where, key, out) : 0;
}

static int want_bool(struct ld *ld, json_t *o, const char *where, const char *key, bool *out)
{
	json_t *v = get(o, key);
	if (v == NULL)
		return 0;
	if (!json_is_boolean(v))
		return bad(ld, where, key, "not a boolean");
	*out = json_is_true(v);
	return 0;
}

/* *out: the object, or NULL when absent or null. */
static int want_object(struct ld *ld, json_t *o, const char *where, const char *key, json_t **out)
{
	json_t *v = get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_object(v))
		return bad(ld, where, key, "not an object");
	*out = v;
	return 0;
}

static int want_array(struct ld *ld, json_t *o, const char *where, const char *key, json_t **out)
{
	json_t *v = get(o, key);
	*out = NULL;
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v))
		return bad(ld, where, key, "not an array");
	*out = v;
	return 0;
}

/* "where.key" (or "where.key[i]" when i >= 0) into buf, for error messages; long paths are cut. */
static const char *join(char *buf, size_t len, const char *where, const char *key, long i)
{
	char index[24] = "";
	if (i >= 0)
		snprintf(index, sizeof index, "[%ld]", i);
	const char *parts[] = { where, *where ? "." : "", key, index };
	size_t used = 0;
	for (size_t p = 0; p < 4; p++)
		for (const char *c = parts[p]; *c && used + 1 < len; c++)
			buf[used++] = *c;
	buf[used] = '\0';
	return buf;
}

/* calloc of n elements (at least one), or die trying. */
static void *alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL) {
		fputs("lockbench: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

/* An array of counts (a timeline, starved thread ids) no larger than max each. */
static int want_counts(struct ld *ld, json_t *o, const char *where, const char *key, uint64_t max,
		       uint64_t **out, size_t *n)
{
	json_t *a;
	if (want_array(ld, o, where, key, &a) != 0)
		return -1;
	*n = json_array_size(a);
	*out = *n ? alloc(*n, sizeof **out) : NULL;
	for (size_t i = 0; i < *n; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_integer(v) || json_integer_value(v) < 0 || (uint64_t)json_integer_value(v) > max)
			return bad(ld, where, key, "[%zu]: not a count", i);
		(*out)[i] = (uint64_t)json_integer_value(v);
	}
	return 0;
}

static int load_latency(struct ld *ld, json_t *o, const char *where, const char *key, struct lb_latency *l)
{
	json_t *j;
	memset(l, 0, sizeof *l);
	if (want_object(ld, o, where, key, &j) != 0)
		return -1;
	if (j == NULL)
		return 0;
	char w[256];
	join(w, sizeof w, where, key, -1);
	l->present = true;
	return want_count(ld, j, w, "count", &l->count) || want_number(ld, j, w, "mean", &l->mean) ||
			       want_number(ld, j, w, "p50", &l->p50) || want_number(ld, j, w, "p90", &l->p90) ||
			       want_number(ld, j, w, "p99", &l->p99) || want_number(ld, j, w, "p999", &l->p999) ||
			       want_number(ld, j, w, "p9999", &l->p9999) || want_number(ld, j, w, "max", &l->max)
		       ? -1
		       : 0;
}

static int load_params(struct ld *ld, json_t *o, const char *where, struct lb_kvs *kv)
{
	json_t *p;
	if (want_object(ld, o, where, "params", &p) != 0)
		return -1;
	kv->n = 0;
	kv->v = alloc(json_object_size(p), sizeof *kv->v);
	const char *key;
	json_t *v;
	json_object_foreach(p, key, v) {
		struct lb_kv *e = &kv->v[kv->n];
		if (json_is_integer(v)) {
			e->type = LB_KV_INT;
			e->i = json_integer_value(v);
		} else if (json_is_boolean(v)) {
			e->type = LB_KV_BOOL;
			e->i = json_is_true(v);
		} else if (json_is_string(v)) {
			e->type = LB_KV_STRING;
			e->s = lb_strdup(json_string_value(v));
		} else {
			char w[300];
			join(w, sizeof w, where, "params", -1);
			return bad(ld, w, key, "not an integer, boolean or string");
		}
		e->name = lb_strdup(key);
		kv->n++;
	}
	return 0;
}

static int load_thread(struct ld *ld, json_t *o, const char *w, struct lb_thread_figs *t)
{
	int64_t pu = -1;
	json_t *jpu = get(o, "pu");
	uint64_t *tl = NULL;
	if (jpu != NULL && !json_is_null(jpu) && want_int(ld, o, w, "pu", INT_MIN, INT_MAX, &pu) != 0)
		return -1;
	t->pu = (int)pu;
	t->throughput_per_s = NAN;
	int rc = want_unsigned(ld, o, w, "id", UINT_MAX, &t->id) || want_count(ld, o, w, "acquisitions", &t->acquisitions) ||
		 want_number(ld, o, w, "throughput_per_s", &t->throughput_per_s) ||
		 want_count(ld, o, w, "timed", &t->timed) || load_latency(ld, o, w, "latency_ns", &t->latency) ||
		 load_latency(ld, o, w, "hold_ns", &t->hold) ||
		 want_count(ld, o, w, "longest_gap_ns", &t->longest_gap_ns) ||
		 want_opt_count(ld, o, w, "max_bypass", &t->has_max_bypass, &t->max_bypass) ||
		 want_count(ld, o, w, "try_failures", &t->try_failures) ||
		 want_count(ld, o, w, "poll_handoffs", &t->poll_handoffs) ||
		 want_count(ld, o, w, "violations", &t->violations) || want_bool(ld, o, w, "starved", &t->starved) ||
		 want_counts(ld, o, w, "timeline", UINT64_MAX, &tl, &t->ntimeline);
	t->timeline = tl;
	return rc ? -1 : 0;
}

static int load_curve(struct ld *ld, json_t *s, const char *w, struct lb_curve *c)
{
	json_t *a;
	c->n = 0;
	if (want_array(ld, s, w, "latency_curve", &a) != 0)
		return -1;
	if (json_array_size(a) > LB_CURVE_MAX)
		return bad(ld, w, "latency_curve", "more than %d points", LB_CURVE_MAX);
	for (size_t i = 0; i < json_array_size(a); i++) {
		json_t *pt = json_array_get(a, i);
		json_t *x = json_array_get(pt, 0), *y = json_array_get(pt, 1);
		if (!json_is_array(pt) || json_array_size(pt) != 2 || !json_is_number(x) ||
		    !(json_is_number(y) || json_is_null(y)))
			return bad(ld, w, "latency_curve", "[%zu]: not a [percentile, ns] pair", i);
		c->pct[i] = json_number_value(x);
		c->ns[i] = json_is_null(y) ? NAN : json_number_value(y);
		c->n++;
	}
	return 0;
}

static int load_counters(struct ld *ld, json_t *s, const char *w, struct lb_sample *out)
{
	json_t *lc;
	if (want_object(ld, s, w, "lock_counters", &lc) != 0)
		return -1;
	out->counters = json_object_size(lc) ? alloc(json_object_size(lc), sizeof *out->counters) : NULL;
	const char *key;
	json_t *v;
	char cw[300];
	join(cw, sizeof cw, w, "lock_counters", -1);
	json_object_foreach(lc, key, v) {
		if (want_count(ld, lc, cw, key, &out->counters[out->ncounters].value) != 0)
			return -1;
		out->counters[out->ncounters++].name = lb_strdup(key);
	}
	return 0;
}

static int load_groups(struct ld *ld, json_t *s, const char *w, struct lb_sample *out)
{
	char g[300];
	json_t *j;
	if (want_object(ld, s, w, "timing", &j) != 0)
		return -1;
	if ((out->has_timing = j != NULL)) {
		join(g, sizeof g, w, "timing", -1);
		if (want_int(ld, j, g, "sample_every", 0, INT64_MAX, &out->timing_sample_every) ||
		    want_int(ld, j, g, "coarse_tick_ns", 0, INT64_MAX, &out->timing_coarse_tick_ns) ||
		    want_int(ld, j, g, "slice_ns", 0, INT64_MAX, &out->timing_slice_ns))
			return -1;
	}
	if (want_object(ld, s, w, "fairness", &j) != 0)
		return -1;
	if ((out->has_fairness = j != NULL)) {
		struct lb_fairness *f = &out->fairness;
		join(g, sizeof g, w, "fairness", -1);
		if (want_number(ld, j, g, "jain", &f->jain) || want_number(ld, j, g, "rsd", &f->rsd) ||
		    want_number(ld, j, g, "fairness_factor", &f->fairness_factor) ||
		    want_number(ld, j, g, "max_min_ratio", &f->max_min_ratio) || want_count(ld, j, g, "min", &f->min) ||
		    want_count(ld, j, g, "max", &f->max) || want_bool(ld, j, g, "locktorture_starved", &f->starved))
			return -1;
	}
	if (want_object(ld, s, w, "short_term", &j) != 0)
		return -1;
	if ((out->has_short_term = j != NULL)) {
		struct lb_short_term *st = &out->short_term;
		join(g, sizeof g, w, "short_term", -1);
		if (want_count(ld, j, g, "covered", &st->covered) ||
		    want_unsigned(ld, j, g, "window", UINT_MAX, &st->window) || want_number(ld, j, g, "lwss", &st->lwss) ||
		    want_number(ld, j, g, "mttr", &st->mttr) || want_number(ld, j, g, "handover_ratio", &st->handover_ratio))
			return -1;
	}
	if (want_object(ld, s, w, "starvation", &j) != 0)
		return -1;
	if ((out->has_starvation = j != NULL)) {
		struct lb_starvation *v = &out->starvation;
		uint64_t *ids = NULL;
		size_t n = 0;
		join(g, sizeof g, w, "starvation", -1);
		int rc = want_bool(ld, j, g, "starved", &v->starved) ||
			 want_counts(ld, j, g, "starved_threads", UINT_MAX, &ids, &n) ||
			 want_number(ld, j, g, "max_wait_ns", &v->max_wait_ns) ||
			 want_count(ld, j, g, "longest_gap_ns", &v->longest_gap_ns) ||
			 want_int(ld, j, g, "coarse_resolution_ns", 0, INT64_MAX, &v->coarse_resolution_ns) ||
			 want_opt_count(ld, j, g, "max_bypass", &v->has_max_bypass, &v->max_bypass) ||
			 want_number(ld, j, g, "share_threshold", &v->share_threshold) ||
			 want_number(ld, j, g, "gap_threshold", &v->gap_threshold);
		v->starved_threads = n ? alloc(n, sizeof *v->starved_threads) : NULL;
		for (size_t i = 0; i < n; i++)
			v->starved_threads[i] = (unsigned)ids[i];
		v->nstarved_threads = n;
		free(ids);
		if (rc)
			return -1;
	}
	return 0;
}

static int load_sample(struct ld *ld, json_t *s, const char *w, struct lb_sample *out)
{
	int st;
	if (want_status(ld, s, w, true, &st) != 0)
		return -1;
	out->status = (enum lb_result_status)st;
	out->throughput_per_s = NAN;
	if (want_unsigned(ld, s, w, "repetition", UINT_MAX, &out->repetition) ||
	    want_string(ld, s, w, "message", &out->message) || want_number(ld, s, w, "duration_s", &out->duration_s))
		return -1;
	static const char *const figures[] = { "acquisitions", "throughput_per_s", "latency_ns", "fairness", "threads" };
	for (size_t i = 0; i < sizeof figures / sizeof figures[0]; i++)
		out->has_figures |= get(s, figures[i]) != NULL;
	if (!out->has_figures)
		return 0;
	uint64_t vf = 0;
	json_t *threads;
	if (want_count(ld, s, w, "acquisitions", &out->acquisitions) ||
	    want_number(ld, s, w, "throughput_per_s", &out->throughput_per_s) ||
	    load_latency(ld, s, w, "latency_ns", &out->latency) || load_latency(ld, s, w, "hold_ns", &out->hold) ||
	    load_latency(ld, s, w, "handoff_ns", &out->handoff) || want_count(ld, s, w, "violations", &out->violations) ||
	    want_count(ld, s, w, "release_errors", &out->release_errors) ||
	    want_count(ld, s, w, "verify_failures", &vf) || load_counters(ld, s, w, out) ||
	    load_curve(ld, s, w, &out->curve) || want_number(ld, s, w, "pingpong_ns", &out->pingpong_ns) ||
	    load_groups(ld, s, w, out) || want_array(ld, s, w, "threads", &threads))
		return -1;
	out->verify_failures = vf;
	out->nthreads = 0;
	out->threads = json_array_size(threads) ? alloc(json_array_size(threads), sizeof *out->threads) : NULL;
	for (size_t i = 0; i < json_array_size(threads); i++) {
		char tw[300];
		join(tw, sizeof tw, w, "threads", (long)i);
		json_t *t = json_array_get(threads, i);
		if (!json_is_object(t))
			return bad(ld, tw, NULL, "not an object");
		out->nthreads++;
		if (load_thread(ld, t, tw, &out->threads[i]) != 0)
			return -1;
	}
	return 0;
}

static int load_summary(struct ld *ld, json_t *c, const char *w, struct lb_summary *sum)
{
	json_t *j;
	if (want_object(ld, c, w, "summary", &j) != 0)
		return -1;
	if ((sum->present = j != NULL) == false)
		return 0;
	char sw[300];
	join(sw, sizeof sw, w, "summary", -1);
	for (size_t m = 0; m < LB_M_COUNT; m++) {
		struct lb_stat *st = &sum->stat[m];
		*st = (struct lb_stat){ .median = NAN, .min = NAN, .max = NAN, .ci95_low = NAN, .ci95_high = NAN };
		json_t *o;
		if (lb_metrics[m].summary_key == NULL)
			continue;
		if (want_object(ld, j, sw, lb_metrics[m].summary_key, &o) != 0)
			return -1;
		if (o == NULL)
			continue;
		char mw[360];
		uint64_t n = 0;
		join(mw, sizeof mw, sw, lb_metrics[m].summary_key, -1);
		if (want_count(ld, o, mw, "n", &n) || want_number(ld, o, mw, "median", &st->median) ||
		    want_number(ld, o, mw, "min", &st->min) || want_number(ld, o, mw, "max", &st->max) ||
		    want_number(ld, o, mw, "ci95_low", &st->ci95_low) ||
		    want_number(ld, o, mw, "ci95_high", &st->ci95_high) ||
		    want_bool(ld, o, mw, "ci95_reached", &st->ci95_reached))
			return -1;
		st->n = (size_t)n;
	}
	return want_bool(ld, j, sw, "starved", &sum->starved);
}

static int load_config(struct ld *ld, json_t *c, const char *w, struct lb_config *out)
{
	json_t *lock, *wl, *pin, *pus, *samples;
	int st;
	char lw[300], ww[300], pw[300];
	join(lw, sizeof lw, w, "lock", -1);
	join(ww, sizeof ww, w, "workload", -1);
	join(pw, sizeof pw, w, "pin", -1);
	if (want_string(ld, c, w, "id", &out->id) || want_object(ld, c, w, "lock", &lock) ||
	    want_string(ld, lock, lw, "name", &out->lock_name) || load_params(ld, lock, lw, &out->lock_params) ||
	    want_string(ld, lock, lw, "plugin", &out->lock_plugin) || want_object(ld, c, w, "workload", &wl) ||
	    want_string(ld, wl, ww, "name", &out->workload_name) || load_params(ld, wl, ww, &out->workload_params) ||
	    want_unsigned(ld, c, w, "threads", MAX_THREADS_IN_RESULT, &out->threads) ||
	    want_object(ld, c, w, "pin", &pin) || want_string(ld, pin, pw, "policy", &out->pin_policy) ||
	    want_array(ld, pin, pw, "pus", &pus) || want_bool(ld, pin, pw, "oversubscribed", &out->oversubscribed) ||
	    want_status(ld, c, w, false, &st))
		return -1;
	out->status = (enum lb_result_status)st;
	out->npus = json_array_size(pus);
	out->pus = out->npus ? alloc(out->npus, sizeof *out->pus) : NULL;
	for (size_t i = 0; i < out->npus; i++) {
		json_t *v = json_array_get(pus, i);
		if (json_is_null(v))
			out->pus[i] = -1;
		else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= INT_MAX)
			out->pus[i] = (int)json_integer_value(v);
		else
			return bad(ld, pw, "pus", "[%zu]: not a PU number or null", i);
	}
	if (want_array(ld, c, w, "samples", &samples) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(samples); i++) {
		char sw[300];
		join(sw, sizeof sw, w, "samples", (long)i);
		json_t *s = json_array_get(samples, i);
		if (!json_is_object(s))
			return bad(ld, sw, NULL, "not an object");
		struct lb_sample *smp = lb_config_add_sample(out);
		if (smp == NULL)
			return bad(ld, sw, NULL, "out of memory");
		if (load_sample(ld, s, sw, smp) != 0)
			return -1;
	}
	if (load_summary(ld, c, w, &out->summary) != 0)
		return -1;
	if (out->id == NULL) {
		out->id = lb_identity_legacy(out);
		out->id_built = true;
		if (out->id == NULL)
			return bad(ld, w, NULL, "out of memory");
	}
	return 0;
}

static int load_context(struct ld *ld, json_t *doc, struct lb_context *x)
{
	json_t *c, *j;
	const char *w = "context";
	if (want_object(ld, doc, "", "context", &c) != 0)
		return -1;
	if (c == NULL)
		return 0;
	int64_t online = -1;
	if (want_string(ld, c, w, "version", &x->version) || want_string(ld, c, w, "git_commit", &x->git_commit) ||
	    want_string(ld, c, w, "command_line", &x->command_line) ||
	    want_string(ld, c, w, "started_utc", &x->started_utc) || want_string(ld, c, w, "host", &x->host) ||
	    want_string(ld, c, w, "kernel", &x->kernel) || want_string(ld, c, w, "arch", &x->arch) ||
	    want_string(ld, c, w, "os", &x->os) || want_string(ld, c, w, "cpu_model", &x->cpu_model) ||
	    want_string(ld, c, w, "allowed_cpus", &x->allowed_cpus) ||
	    want_int(ld, c, w, "online_cpus", 0, INT32_MAX, &online) ||
	    want_string(ld, c, w, "compiler", &x->compiler) || want_string(ld, c, w, "cflags", &x->cflags) ||
	    want_number(ld, c, w, "busy_iterations_per_us", &x->busy_iterations_per_us) ||
	    want_string(ld, c, w, "cpufreq_governor", &x->cpufreq_governor) ||
	    want_string(ld, c, w, "smt_control", &x->smt_control) ||
	    want_number(ld, c, w, "busy_before_run", &x->busy_before_run) ||
	    want_bool(ld, c, w, "interrupted", &x->interrupted) || want_array(ld, c, w, "argv", &j))
		return -1;
	x->online_cpus = (long)online;
	x->argc = json_array_size(j);
	x->argv = x->argc ? alloc(x->argc, sizeof *x->argv) : NULL;
	for (size_t i = 0; i < x->argc; i++) {
		if (!json_is_string(json_array_get(j, i)))
			return bad(ld, w, "argv", "[%zu]: not a string", i);
		x->argv[i] = lb_strdup(json_string_value(json_array_get(j, i)));
	}
	if (want_object(ld, c, w, "topology", &j) != 0)
		return -1;
	if ((x->has_topology = j != NULL)) {
		const char *tw = "context.topology";
		x->has_topo_smt = get(j, "smt") != NULL;
		if (want_unsigned(ld, j, tw, "packages", UINT_MAX, &x->topo_packages) ||
		    want_unsigned(ld, j, tw, "numa_nodes", UINT_MAX, &x->topo_numa_nodes) ||
		    want_unsigned(ld, j, tw, "cores", UINT_MAX, &x->topo_cores) ||
		    want_unsigned(ld, j, tw, "pus", UINT_MAX, &x->topo_pus) || want_bool(ld, j, tw, "smt", &x->topo_smt))
			return -1;
	}
	if (want_object(ld, c, w, "timer", &j) != 0)
		return -1;
	if (j != NULL && (want_string(ld, j, "context.timer", "source", &x->timer_source) ||
			  want_number(ld, j, "context.timer", "cost_ns", &x->timer_cost_ns) ||
			  want_number(ld, j, "context.timer", "ns_per_tick", &x->timer_ns_per_tick) ||
			  want_number(ld, j, "context.timer", "tsc_hz", &x->timer_tsc_hz)))
		return -1;
	if (j != NULL && x->timer_source == NULL)
		x->timer_source = lb_strdup("?");
	if (want_array(ld, c, w, "loadavg", &j) != 0)
		return -1;
	if ((x->has_loadavg = j != NULL)) {
		if (json_array_size(j) != 3)
			return bad(ld, w, "loadavg", "not three numbers");
		for (size_t i = 0; i < 3; i++) {
			if (!json_is_number(json_array_get(j, i)))
				return bad(ld, w, "loadavg", "not three numbers");
			x->loadavg[i] = json_number_value(json_array_get(j, i));
		}
	}
	if (want_object(ld, c, w, "options", &j) != 0)
		return -1;
	struct lb_run_options *o = &x->options;
	const char *ow = "context.options";
	if ((o->present = j != NULL) &&
	    (want_int(ld, j, ow, "duration_ns", 0, INT64_MAX, &o->duration_ns) ||
	     want_int(ld, j, ow, "warmup_ns", 0, INT64_MAX, &o->warmup_ns) ||
	     want_int(ld, j, ow, "repeat", 0, INT64_MAX, &o->repeat) || want_string(ld, j, ow, "pin", &o->pin) ||
	     want_int(ld, j, ow, "timing_sample_every", 0, INT64_MAX, &o->timing_sample_every) ||
	     want_int(ld, j, ow, "slice_ns", 0, INT64_MAX, &o->slice_ns) ||
	     want_int(ld, j, ow, "grace_ns", 0, INT64_MAX, &o->grace_ns) ||
	     want_int(ld, j, ow, "order_log_cap", 0, INT64_MAX, &o->order_log_cap) ||
	     want_string(ld, j, ow, "busy_rate", &o->busy_rate)))
		return -1;
	if (want_object(ld, c, w, "timing", &j) != 0)
		return -1;
	const char *tw = "context.timing";
	if (j != NULL && (want_string(ld, j, tw, "mode", &x->timing_mode) ||
			  want_int(ld, j, tw, "sample_every", 0, INT64_MAX, &x->timing_sample_every) ||
			  want_number(ld, j, tw, "overhead_ns_per_acquisition", &x->timing_overhead_ns) ||
			  want_string(ld, j, tw, "overhead_method", &x->timing_overhead_method)))
		return -1;
	if (j != NULL && x->timing_mode == NULL)
		x->timing_mode = lb_strdup("?");
	return 0;
}

static int cmp_id(const void *a, const void *b)
{
	return strcmp((*(const struct lb_config *const *)a)->id, (*(const struct lb_config *const *)b)->id);
}

/* Two configs with one id cannot be told apart by anything that pairs or charts them. */
static int check_unique_ids(struct ld *ld, const struct lb_result *r)
{
	const struct lb_config **sorted = alloc(r->nconfigs, sizeof *sorted);
	for (size_t i = 0; i < r->nconfigs; i++)
		sorted[i] = &r->configs[i];
	qsort(sorted, r->nconfigs, sizeof *sorted, cmp_id);
	int rc = 0;
	for (size_t i = 1; i < r->nconfigs && rc == 0; i++)
		if (strcmp(sorted[i - 1]->id, sorted[i]->id) == 0) {
			char w[64];
			snprintf(w, sizeof w, "configs[%zu]", (size_t)(sorted[i] - r->configs));
			rc = bad(ld, w, NULL, "duplicate id \"%.200s\"", sorted[i]->id);
		}
	free(sorted);
	return rc;
}

static int load_doc(struct ld *ld, json_t *doc, struct lb_result *r)
{
	json_t *schema = json_is_object(doc) ? get(doc, "schema") : NULL;
	if (schema == NULL) {
		snprintf(ld->err, ld->errlen, "%s: not a lockbench result (no \"schema\")", ld->file);
		return -1;
	}
	if (!json_is_string(schema)) {
		snprintf(ld->err, ld->errlen, "%s: not a lockbench result (\"schema\" is not a string)", ld->file);
		return -1;
	}
	if (strcmp(json_string_value(schema), LB_SCHEMA) != 0)
		return bad(ld, "", NULL, "not a lockbench result (schema \"%.100s\", expected \"" LB_SCHEMA "\")",
			   json_string_value(schema));
	json_t *configs = get(doc, "configs");
	if (!json_is_array(configs)) {
		snprintf(ld->err, ld->errlen, "%s: \"configs\" is missing or not an array", ld->file);
		return -1;
	}
	if (load_context(ld, doc, &r->context) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(configs); i++) {
		char w[64];
		join(w, sizeof w, "", "configs", (long)i);
		json_t *c = json_array_get(configs, i);
		if (!json_is_object(c))
			return bad(ld, w, NULL, "not an object");
		struct lb_config *cfg = lb_result_add_config(r);
		if (cfg == NULL)
			return bad(ld, w, NULL, "out of memory");
		if (load_config(ld, c, w, cfg) != 0)
			return -1;
	}
	return check_unique_ids(ld, r);
}

int lb_result_load(const char *path, struct lb_result **out, char *err, size_t errlen)
{
	struct ld ld = { .file = path, .err = err, .errlen = errlen };
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		return -1;
	}
	json_error_t je;
	json_t *doc = json_loadf(f, 0, &je);
	fclose(f);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: invalid JSON at line %d: %s", path, je.line, je.text);
		return -1;
	}
	struct lb_result *r = lb_result_new();
	if (r == NULL) {
		json_decref(doc);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	int rc = load_doc(&ld, doc, r);
	json_decref(doc);
	if (rc != 0) {
		lb_result_free(r);
		return -1;
	}
	*out = r;
	return 0;
}
