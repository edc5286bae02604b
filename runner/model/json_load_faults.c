/*
 * model/json_load_faults.c — a sample's optional groups into the model:
 * per-lock figures, the deadlock found, stuck threads, the end of an
 * isolated run's process; and one sample from JSON text, as an isolated
 * run hands it back (engine/isolate.c).
 */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json.h"
#include "model/json_get.h"

/* An array of strings, absent or null: none. */
static int load_strings(struct lbj *ld, json_t *o, const char *w, const char *key, char ***out, size_t *n)
{
	json_t *a;
	*out = NULL;
	*n = 0;
	if (lbj_array(ld, o, w, key, &a) != 0)
		return -1;
	size_t len = json_array_size(a);
	if (len == 0)
		return 0;
	*out = lbj_alloc(len, sizeof **out);
	for (size_t i = 0; i < len; i++) {
		json_t *v = json_array_get(a, i);
		if (!json_is_string(v)) {
			char p[300];
			return lbj_bad(ld, lbj_path(p, sizeof p, w, key, (long)i), NULL, "not a string");
		}
		(*out)[(*n)++] = lb_strdup(json_string_value(v));
	}
	return 0;
}

static int load_uints(struct lbj *ld, json_t *o, const char *w, const char *key, unsigned **out, size_t *n)
{
	uint64_t *v = NULL;
	*out = NULL;
	if (lbj_counts(ld, o, w, key, UINT_MAX, &v, n) != 0)
		return -1;
	if (*n != 0) {
		*out = lbj_alloc(*n, sizeof **out);
		for (size_t i = 0; i < *n; i++)
			(*out)[i] = (unsigned)v[i];
	}
	free(v);
	return 0;
}

/* An integer that may be null: *out = absent when null or missing. */
static int load_opt_int(struct lbj *ld, json_t *o, const char *w, const char *key, int64_t min, int64_t max,
			int64_t absent, int64_t *out)
{
	json_t *v = lbj_get(o, key);
	*out = absent;
	if (v == NULL || json_is_null(v))
		return 0;
	return lbj_int(ld, o, w, key, min, max, out);
}

static int load_crash(struct lbj *ld, json_t *j, const char *w, struct lb_crash *c)
{
	int64_t status;
	c->present = true;
	if (lbj_string(ld, j, w, "signal", &c->signal) || load_opt_int(ld, j, w, "exit_status", 0, 255, -1, &status) ||
	    lbj_string(ld, j, w, "stage", &c->stage) || load_strings(ld, j, w, "stack", &c->stack, &c->nstack) ||
	    lbj_counts(ld, j, w, "acquisitions_so_far", UINT64_MAX, &c->acquisitions, &c->nthreads))
		return -1;
	c->exit_status = (int)status;
	return 0;
}

static int load_deadlock(struct lbj *ld, json_t *j, const char *w, struct lb_deadlock *d)
{
	json_t *cycle;
	d->present = true;
	if (lbj_string(ld, j, w, "report", &d->report) || load_uints(ld, j, w, "threads", &d->threads, &d->nthreads) ||
	    lbj_number(ld, j, w, "after_s", &d->after_s) || lbj_array(ld, j, w, "cycle", &cycle))
		return -1;
	size_t n = json_array_size(cycle);
	d->cycle = n ? lbj_alloc(n, sizeof *d->cycle) : NULL;
	for (size_t i = 0; i < n; i++) {
		char p[300];
		lbj_path(p, sizeof p, w, "cycle", (long)i);
		json_t *e = json_array_get(cycle, i);
		struct lb_wait_step *st = &d->cycle[i];
		char *kind = NULL;
		if (!json_is_object(e))
			return lbj_bad(ld, p, NULL, "not an object");
		int rc = lbj_unsigned(ld, e, p, "thread", UINT_MAX, &st->thread) ||
			 lbj_string(ld, e, p, "waits_for", &kind) || lbj_unsigned(ld, e, p, "index", UINT_MAX, &st->index) ||
			 lbj_unsigned(ld, e, p, "held_by", UINT_MAX, &st->next);
		bool known = kind != NULL && (strcmp(kind, "lock") == 0 || strcmp(kind, "condition") == 0);
		st->condition = kind != NULL && strcmp(kind, "condition") == 0;
		free(kind);
		if (rc)
			return -1;
		if (!known)
			return lbj_bad(ld, p, "waits_for", "not \"lock\" or \"condition\"");
		d->ncycle++;
	}
	return 0;
}

static int load_stuck(struct lbj *ld, json_t *j, const char *w, struct lb_stuck_thread *t)
{
	static const char *const kinds[] = { "lock", "timed_lock", "condition" };
	int64_t tid, pu, cpu, holder;
	json_t *wf;
	if (lbj_unsigned(ld, j, w, "id", UINT_MAX, &t->id) || lbj_bool(ld, j, w, "in_init", &t->in_init) ||
	    lbj_int(ld, j, w, "tid", 0, INT_MAX, &tid) ||
	    load_opt_int(ld, j, w, "pu", -1, INT_MAX, -1, &pu) || lbj_string(ld, j, w, "state", &t->state) ||
	    load_opt_int(ld, j, w, "cpu_ns", 0, INT64_MAX, -1, &cpu) ||
	    load_opt_int(ld, j, w, "holder", 0, INT_MAX, -1, &holder) ||
	    load_uints(ld, j, w, "holds", &t->holds, &t->nholds) || load_strings(ld, j, w, "stack", &t->stack, &t->nstack) ||
	    lbj_object(ld, j, w, "waits_for", &wf))
		return -1;
	t->tid = (int)tid;
	t->pu = (int)pu;
	t->cpu_ns = cpu;
	t->holder = (int)holder;
	if (wf != NULL) {
		char p[300], *kind = NULL;
		lbj_path(p, sizeof p, w, "waits_for", -1);
		if (lbj_string(ld, wf, p, "kind", &kind) || lbj_unsigned(ld, wf, p, "index", UINT_MAX, &t->waits_index)) {
			free(kind);
			return -1;
		}
		for (int k = 0; k < 3 && kind != NULL; k++)
			if (strcmp(kind, kinds[k]) == 0)
				t->waits_kind = k + 1;
		free(kind);
		if (t->waits_kind == 0)
			return lbj_bad(ld, p, "kind", "not lock, timed_lock or condition");
	}
	return 0;
}

static int load_locks(struct lbj *ld, json_t *a, const char *w, struct lb_sample *out)
{
	size_t n = json_array_size(a);
	out->locks = n ? lbj_alloc(n, sizeof *out->locks) : NULL;
	for (size_t i = 0; i < n; i++) {
		char p[300];
		lbj_path(p, sizeof p, w, "locks", (long)i);
		json_t *o = json_array_get(a, i);
		struct lb_lock_figs *l = &out->locks[i];
		if (!json_is_object(o))
			return lbj_bad(ld, p, NULL, "not an object");
		json_t *lat;
		if (lbj_unsigned(ld, o, p, "index", UINT_MAX, &l->index) ||
		    lbj_count(ld, o, p, "acquisitions", &l->acquisitions) ||
		    lbj_count(ld, o, p, "violations", &l->violations) || lbj_count(ld, o, p, "timed", &l->timed) ||
		    lbj_count(ld, o, p, "sampled", &l->sampled) || lbj_count(ld, o, p, "found_held", &l->found_held) ||
		    lbj_number(ld, o, p, "contention", &l->contention) || lbj_object(ld, o, p, "latency_ns", &lat))
			return -1;
		out->nlocks++;
		if (lat != NULL) {
			char lp[320];
			lbj_path(lp, sizeof lp, p, "latency_ns", -1);
			struct lb_latency *x = &l->wait;
			x->present = true;
			if (lbj_count(ld, lat, lp, "count", &x->count) || lbj_number(ld, lat, lp, "mean", &x->mean) ||
			    lbj_number(ld, lat, lp, "p50", &x->p50) || lbj_number(ld, lat, lp, "p90", &x->p90) ||
			    lbj_number(ld, lat, lp, "p99", &x->p99) || lbj_number(ld, lat, lp, "p999", &x->p999) ||
			    lbj_number(ld, lat, lp, "p9999", &x->p9999) || lbj_number(ld, lat, lp, "max", &x->max))
				return -1;
		}
	}
	return 0;
}

int lbj_load_faults(struct lbj *ld, json_t *s, const char *w, struct lb_sample *out)
{
	json_t *j;
	char p[300];
	if (lbj_bool(ld, s, w, "isolated", &out->isolated) || lbj_object(ld, s, w, "crash", &j))
		return -1;
	if (j != NULL && load_crash(ld, j, lbj_path(p, sizeof p, w, "crash", -1), &out->crash) != 0)
		return -1;
	if (lbj_object(ld, s, w, "deadlock", &j) != 0)
		return -1;
	if (j != NULL && load_deadlock(ld, j, lbj_path(p, sizeof p, w, "deadlock", -1), &out->deadlock) != 0)
		return -1;
	if (lbj_array(ld, s, w, "stuck_threads", &j) != 0)
		return -1;
	size_t n = json_array_size(j);
	out->stuck = n ? lbj_alloc(n, sizeof *out->stuck) : NULL;
	for (size_t i = 0; i < n; i++) {
		json_t *e = json_array_get(j, i);
		lbj_path(p, sizeof p, w, "stuck_threads", (long)i);
		if (!json_is_object(e))
			return lbj_bad(ld, p, NULL, "not an object");
		out->nstuck++;
		if (load_stuck(ld, e, p, &out->stuck[i]) != 0)
			return -1;
	}
	if (lbj_array(ld, s, w, "locks", &j) != 0)
		return -1;
	return j != NULL ? load_locks(ld, j, w, out) : 0;
}

int lb_sample_from_json(const char *text, size_t len, struct lb_sample *out, char *err, size_t errlen)
{
	struct lbj ld = { .file = "sample", .err = err, .errlen = errlen };
	memset(out, 0, sizeof *out);
	json_error_t je;
	json_t *o = json_loadb(text, len, 0, &je);
	if (o == NULL) {
		snprintf(err, errlen, "sample: invalid JSON at column %d: %s", je.column, je.text);
		return -1;
	}
	int rc = json_is_object(o) ? lbj_load_sample(&ld, o, "", out) : lbj_bad(&ld, "", NULL, "not an object");
	json_decref(o);
	if (rc != 0)
		lb_sample_clear(out);
	return rc;
}
