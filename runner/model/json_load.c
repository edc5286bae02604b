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
#include "model/json_get.h"

/* Thread counts beyond this are not a result of lockbench (and make consumers loop for ever). */
#define MAX_THREADS_IN_RESULT (1u << 20)

static int load_params(struct lbj *ld, json_t *o, const char *where, struct lb_kvs *kv)
{
	json_t *p;
	if (lbj_object(ld, o, where, "params", &p) != 0)
		return -1;
	kv->n = 0;
	kv->v = lbj_alloc(json_object_size(p), sizeof *kv->v);
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
			lbj_path(w, sizeof w, where, "params", -1);
			return lbj_bad(ld, w, key, "not an integer, boolean or string");
		}
		e->name = lb_strdup(key);
		kv->n++;
	}
	return 0;
}

static int load_summary(struct lbj *ld, json_t *c, const char *w, struct lb_summary *sum)
{
	json_t *j;
	if (lbj_object(ld, c, w, "summary", &j) != 0)
		return -1;
	if ((sum->present = j != NULL) == false)
		return 0;
	char sw[300];
	lbj_path(sw, sizeof sw, w, "summary", -1);
	for (size_t m = 0; m < LB_M_COUNT; m++) {
		struct lb_stat *st = &sum->stat[m];
		*st = (struct lb_stat){ .median = NAN, .min = NAN, .max = NAN, .ci95_low = NAN, .ci95_high = NAN };
		json_t *o;
		if (lb_metrics[m].summary_key == NULL)
			continue;
		if (lbj_object(ld, j, sw, lb_metrics[m].summary_key, &o) != 0)
			return -1;
		if (o == NULL)
			continue;
		char mw[360];
		uint64_t n = 0;
		lbj_path(mw, sizeof mw, sw, lb_metrics[m].summary_key, -1);
		if (lbj_count(ld, o, mw, "n", &n) || lbj_number(ld, o, mw, "median", &st->median) ||
		    lbj_number(ld, o, mw, "min", &st->min) || lbj_number(ld, o, mw, "max", &st->max) ||
		    lbj_number(ld, o, mw, "ci95_low", &st->ci95_low) ||
		    lbj_number(ld, o, mw, "ci95_high", &st->ci95_high) ||
		    lbj_bool(ld, o, mw, "ci95_reached", &st->ci95_reached))
			return -1;
		st->n = (size_t)n;
		sum->has_roles |= lb_metrics[m].roles;
	}
	sum->has_roles |= lbj_get(j, "reader_starved") != NULL || lbj_get(j, "writer_starved") != NULL;
	return lbj_bool(ld, j, sw, "starved", &sum->starved) || lbj_bool(ld, j, sw, "reader_starved", &sum->reader_starved) ||
			       lbj_bool(ld, j, sw, "writer_starved", &sum->writer_starved)
		       ? -1
		       : 0;
}

static int load_config(struct lbj *ld, json_t *c, const char *w, struct lb_config *out)
{
	json_t *lock, *wl, *pin, *pus, *samples;
	int st;
	char lw[300], ww[300], pw[300];
	lbj_path(lw, sizeof lw, w, "lock", -1);
	lbj_path(ww, sizeof ww, w, "workload", -1);
	lbj_path(pw, sizeof pw, w, "pin", -1);
	if (lbj_string(ld, c, w, "id", &out->id) || lbj_object(ld, c, w, "lock", &lock) ||
	    lbj_string(ld, lock, lw, "name", &out->lock_name) || load_params(ld, lock, lw, &out->lock_params) ||
	    lbj_string(ld, lock, lw, "plugin", &out->lock_plugin) || lbj_object(ld, c, w, "workload", &wl) ||
	    lbj_string(ld, wl, ww, "name", &out->workload_name) || load_params(ld, wl, ww, &out->workload_params) ||
	    lbj_unsigned(ld, c, w, "threads", MAX_THREADS_IN_RESULT, &out->threads) ||
	    lbj_object(ld, c, w, "pin", &pin) || lbj_string(ld, pin, pw, "policy", &out->pin_policy) ||
	    lbj_array(ld, pin, pw, "pus", &pus) || lbj_bool(ld, pin, pw, "oversubscribed", &out->oversubscribed) ||
	    lbj_status(ld, c, w, false, &st) || lbj_string(ld, c, w, "machine", &out->machine) ||
	    lbj_string(ld, lock, lw, "timed", &out->lock_timed))
		return -1;
	if (out->lock_timed != NULL && strcmp(out->lock_timed, "native") != 0 && strcmp(out->lock_timed, "emulated") != 0)
		return lbj_bad(ld, lw, "timed", "\"%s\" is not native or emulated", out->lock_timed);
	out->status = (enum lb_result_status)st;
	out->npus = json_array_size(pus);
	out->pus = out->npus ? lbj_alloc(out->npus, sizeof *out->pus) : NULL;
	for (size_t i = 0; i < out->npus; i++) {
		json_t *v = json_array_get(pus, i);
		if (json_is_null(v))
			out->pus[i] = -1;
		else if (json_is_integer(v) && json_integer_value(v) >= 0 && json_integer_value(v) <= INT_MAX)
			out->pus[i] = (int)json_integer_value(v);
		else
			return lbj_bad(ld, pw, "pus", "[%zu]: not a PU number or null", i);
	}
	if (lbj_array(ld, c, w, "samples", &samples) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(samples); i++) {
		char sw[300];
		lbj_path(sw, sizeof sw, w, "samples", (long)i);
		json_t *s = json_array_get(samples, i);
		if (!json_is_object(s))
			return lbj_bad(ld, sw, NULL, "not an object");
		struct lb_sample *smp = lb_config_add_sample(out);
		if (smp == NULL)
			return lbj_bad(ld, sw, NULL, "out of memory");
		if (lbj_load_sample(ld, s, sw, smp) != 0)
			return -1;
	}
	if (load_summary(ld, c, w, &out->summary) != 0)
		return -1;
	if (out->id == NULL) {
		out->id = lb_identity_legacy(out);
		out->id_built = true;
		if (out->id == NULL)
			return lbj_bad(ld, w, NULL, "out of memory");
	}
	return 0;
}

/* A context object c at where w (a result's, or a machine's of a merged result). */
int lbj_load_context(struct lbj *ld, json_t *c, const char *w, struct lb_context *x)
{
	json_t *j;
	char tw[300], ow[300], gw[300];
	int64_t online = -1;
	if (lbj_string(ld, c, w, "version", &x->version) || lbj_string(ld, c, w, "git_commit", &x->git_commit) ||
	    lbj_string(ld, c, w, "command_line", &x->command_line) ||
	    lbj_string(ld, c, w, "started_utc", &x->started_utc) || lbj_string(ld, c, w, "host", &x->host) ||
	    lbj_string(ld, c, w, "kernel", &x->kernel) || lbj_string(ld, c, w, "arch", &x->arch) ||
	    lbj_string(ld, c, w, "os", &x->os) || lbj_string(ld, c, w, "cpu_model", &x->cpu_model) ||
	    lbj_string(ld, c, w, "allowed_cpus", &x->allowed_cpus) ||
	    lbj_int(ld, c, w, "online_cpus", 0, INT32_MAX, &online) ||
	    lbj_string(ld, c, w, "compiler", &x->compiler) || lbj_string(ld, c, w, "cflags", &x->cflags) ||
	    lbj_number(ld, c, w, "busy_iterations_per_us", &x->busy_iterations_per_us) ||
	    lbj_string(ld, c, w, "cpufreq_governor", &x->cpufreq_governor) ||
	    lbj_string(ld, c, w, "smt_control", &x->smt_control) ||
	    lbj_number(ld, c, w, "busy_before_run", &x->busy_before_run) ||
	    lbj_bool(ld, c, w, "interrupted", &x->interrupted) || lbj_array(ld, c, w, "argv", &j))
		return -1;
	x->online_cpus = (long)online;
	x->argc = json_array_size(j);
	x->argv = x->argc ? lbj_alloc(x->argc, sizeof *x->argv) : NULL;
	for (size_t i = 0; i < x->argc; i++) {
		if (!json_is_string(json_array_get(j, i)))
			return lbj_bad(ld, w, "argv", "[%zu]: not a string", i);
		x->argv[i] = lb_strdup(json_string_value(json_array_get(j, i)));
	}
	if (lbj_object(ld, c, w, "topology", &j) != 0)
		return -1;
	if ((x->has_topology = j != NULL)) {
		lbj_path(tw, sizeof tw, w, "topology", -1);
		x->has_topo_smt = lbj_get(j, "smt") != NULL;
		if (lbj_unsigned(ld, j, tw, "packages", UINT_MAX, &x->topo_packages) ||
		    lbj_unsigned(ld, j, tw, "numa_nodes", UINT_MAX, &x->topo_numa_nodes) ||
		    lbj_unsigned(ld, j, tw, "cores", UINT_MAX, &x->topo_cores) ||
		    lbj_unsigned(ld, j, tw, "pus", UINT_MAX, &x->topo_pus) || lbj_bool(ld, j, tw, "smt", &x->topo_smt))
			return -1;
	}
	if (lbj_object(ld, c, w, "timer", &j) != 0)
		return -1;
	lbj_path(tw, sizeof tw, w, "timer", -1);
	if (j != NULL && (lbj_string(ld, j, tw, "source", &x->timer_source) ||
			  lbj_number(ld, j, tw, "cost_ns", &x->timer_cost_ns) ||
			  lbj_number(ld, j, tw, "ns_per_tick", &x->timer_ns_per_tick) ||
			  lbj_number(ld, j, tw, "tsc_hz", &x->timer_tsc_hz)))
		return -1;
	if (j != NULL && x->timer_source == NULL)
		x->timer_source = lb_strdup("?");
	if (lbj_array(ld, c, w, "loadavg", &j) != 0)
		return -1;
	if ((x->has_loadavg = j != NULL)) {
		if (json_array_size(j) != 3)
			return lbj_bad(ld, w, "loadavg", "not three numbers");
		for (size_t i = 0; i < 3; i++) {
			if (!json_is_number(json_array_get(j, i)))
				return lbj_bad(ld, w, "loadavg", "not three numbers");
			x->loadavg[i] = json_number_value(json_array_get(j, i));
		}
	}
	if (lbj_object(ld, c, w, "options", &j) != 0)
		return -1;
	struct lb_run_options *o = &x->options;
	lbj_path(ow, sizeof ow, w, "options", -1);
	if ((o->present = j != NULL) &&
	    (lbj_int(ld, j, ow, "duration_ns", 0, INT64_MAX, &o->duration_ns) ||
	     lbj_int(ld, j, ow, "warmup_ns", 0, INT64_MAX, &o->warmup_ns) ||
	     lbj_int(ld, j, ow, "repeat", 0, INT64_MAX, &o->repeat) || lbj_string(ld, j, ow, "pin", &o->pin) ||
	     lbj_int(ld, j, ow, "timing_sample_every", 0, INT64_MAX, &o->timing_sample_every) ||
	     lbj_int(ld, j, ow, "slice_ns", 0, INT64_MAX, &o->slice_ns) ||
	     lbj_int(ld, j, ow, "grace_ns", 0, INT64_MAX, &o->grace_ns) ||
	     lbj_int(ld, j, ow, "order_log_cap", 0, INT64_MAX, &o->order_log_cap) ||
	     lbj_string(ld, j, ow, "busy_rate", &o->busy_rate)))
		return -1;
	if (lbj_object(ld, c, w, "timing", &j) != 0)
		return -1;
	lbj_path(gw, sizeof gw, w, "timing", -1);
	if (j != NULL && (lbj_string(ld, j, gw, "mode", &x->timing_mode) ||
			  lbj_int(ld, j, gw, "sample_every", 0, INT64_MAX, &x->timing_sample_every) ||
			  lbj_number(ld, j, gw, "overhead_ns_per_acquisition", &x->timing_overhead_ns) ||
			  lbj_string(ld, j, gw, "overhead_method", &x->timing_overhead_method)))
		return -1;
	if (j != NULL && x->timing_mode == NULL)
		x->timing_mode = lb_strdup("?");
	return lbj_load_merged_context(ld, c, w, x);
}

/* By machine (none first), then id. */
static int cmp_id(const void *a, const void *b)
{
	const struct lb_config *x = *(const struct lb_config *const *)a, *y = *(const struct lb_config *const *)b;
	int c = x->machine && y->machine ? strcmp(x->machine, y->machine) : (x->machine != NULL) - (y->machine != NULL);
	return c ? c : strcmp(x->id, y->id);
}

/*
 * Two configs with one id cannot be told apart by anything that pairs or
 * charts them; in a merged result, one id per machine.
 */
static int check_unique_ids(struct lbj *ld, const struct lb_result *r)
{
	const struct lb_config **sorted = lbj_alloc(r->nconfigs, sizeof *sorted);
	for (size_t i = 0; i < r->nconfigs; i++)
		sorted[i] = &r->configs[i];
	qsort(sorted, r->nconfigs, sizeof *sorted, cmp_id);
	int rc = 0;
	for (size_t i = 1; i < r->nconfigs && rc == 0; i++)
		if (cmp_id(&sorted[i - 1], &sorted[i]) == 0) {
			char w[64];
			snprintf(w, sizeof w, "configs[%zu]", (size_t)(sorted[i] - r->configs));
			rc = sorted[i]->machine ? lbj_bad(ld, w, NULL, "duplicate id \"%.200s\" on machine \"%.64s\"",
							  sorted[i]->id, sorted[i]->machine)
						: lbj_bad(ld, w, NULL, "duplicate id \"%.200s\"", sorted[i]->id);
		}
	free(sorted);
	return rc;
}

static int load_doc(struct lbj *ld, json_t *doc, struct lb_result *r)
{
	json_t *schema = json_is_object(doc) ? lbj_get(doc, "schema") : NULL;
	if (schema == NULL) {
		snprintf(ld->err, ld->errlen, "%s: not a lockbench result (no \"schema\")", ld->file);
		return -1;
	}
	if (!json_is_string(schema)) {
		snprintf(ld->err, ld->errlen, "%s: not a lockbench result (\"schema\" is not a string)", ld->file);
		return -1;
	}
	if (strcmp(json_string_value(schema), LB_SCHEMA) != 0)
		return lbj_bad(ld, "", NULL, "not a lockbench result (schema \"%.100s\", expected \"" LB_SCHEMA "\")",
			   json_string_value(schema));
	json_t *configs = lbj_get(doc, "configs");
	if (!json_is_array(configs)) {
		snprintf(ld->err, ld->errlen, "%s: \"configs\" is missing or not an array", ld->file);
		return -1;
	}
	json_t *context;
	if (lbj_object(ld, doc, "", "context", &context) != 0 ||
	    (context != NULL && lbj_load_context(ld, context, "context", &r->context) != 0) ||
	    lbj_load_missing(ld, doc, r) != 0)
		return -1;
	for (size_t i = 0; i < json_array_size(configs); i++) {
		char w[64];
		lbj_path(w, sizeof w, "", "configs", (long)i);
		json_t *c = json_array_get(configs, i);
		if (!json_is_object(c))
			return lbj_bad(ld, w, NULL, "not an object");
		struct lb_config *cfg = lb_result_add_config(r);
		if (cfg == NULL)
			return lbj_bad(ld, w, NULL, "out of memory");
		if (load_config(ld, c, w, cfg) != 0)
			return -1;
	}
	return check_unique_ids(ld, r);
}

/* One line whatever the path or the parser's text holds. */
static int one_line(char *err)
{
	for (char *p = err; *p; p++)
		if ((unsigned char)*p < 0x20 || *p == 0x7f)
			*p = '?';
	return -1;
}

int lb_result_load(const char *path, struct lb_result **out, char *err, size_t errlen)
{
	struct lbj ld = { .file = path, .err = err, .errlen = errlen };
	*out = NULL;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return one_line(err);
	}
	struct stat st;
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		return one_line(err);
	}
	json_error_t je;
	json_t *doc = json_loadf(f, 0, &je);
	fclose(f);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: invalid JSON at line %d: %s", path, je.line, je.text);
		return one_line(err);
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
		return one_line(err);
	}
	*out = r;
	return 0;
}
