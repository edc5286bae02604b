/*
 * model/json_verdict.c — the verdict's storage format, "lockbench-compare/1":
 * written by `compare --json`, loaded by `plot`. The only place that knows
 * its JSON keys.
 *
 *   { "schema", "verdict", "counts": {judgement: n},
 *     "settings": {metrics, threshold_pct, alpha, min_repeats, bootstrap_iters, bootstrap_seed,
 *                  test, allow_mismatch},
 *     "base"/"new": {file, host, cpu_model, git_commit},
 *     "rows": [{config, metric, unit, better, base_n, new_n, base_median, new_median, ratio,
 *               change_pct, ratio_ci95: [lo, hi], p_value, verdict, reason?, repeats_needed?,
 *               machine?}],
 *     "only_in_base": [id], "only_in_new": [id], "warnings": [text] }
 *
 * settings.test is "mann-whitney-u" (compare: repetitions of each side,
 * unpaired) or "wilcoxon-signed-rank" (ab: windows paired in one process;
 * base_n and new_n count pairs, ratio is the median pair ratio);
 * allow_mismatch lists what --allow-mismatch allowed. Both, and warnings,
 * are optional when loading (older verdicts lack them).
 *
 * Results with machines on both sides (lockbench merge) pair by machine and
 * id: every row has "machine", the only_in_* entries are {machine, config},
 * and "machines_only_in_base" / "machines_only_in_new" list the machines one
 * side lacks.
 */
#include "model/verdict.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

/* ---- writing ---- */

/* A JSON number, or null where the value is undefined (JSON has no NaN or infinity). */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *json_side(const struct lb_verdict_side *s)
{
	return json_pack("{s:s, s:s?, s:s?, s:s?}", "file", s->file ? s->file : "", "host", s->host,
			 "cpu_model", s->cpu_model, "git_commit", s->git_commit);
}

static json_t *json_row(const struct lb_verdict_row *r)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:[o,o], s:o, s:s}",
			      "config", r->config, "metric", r->metric->name, "unit", r->metric->unit,
			      "better", r->metric->higher_better ? "higher" : "lower",
			      "base_n", (json_int_t)r->base_n, "new_n", (json_int_t)r->new_n,
			      "base_median", jnum(r->base_median), "new_median", jnum(r->new_median),
			      "ratio", jnum(r->ratio), "change_pct", jnum(r->change_pct),
			      "ratio_ci95", jnum(r->ci95_low), jnum(r->ci95_high), "p_value", jnum(r->p_value),
			      "verdict", lb_judgement_name(r->verdict));

	if (o && r->reason && json_object_set_new(o, "reason", json_string(r->reason)))
		goto fail;
	if (o && r->verdict == LB_J_INCONCLUSIVE &&
	    json_object_set_new(o, "repeats_needed", json_integer((json_int_t)r->repeats_needed)))
		goto fail;
	if (o && r->machine && json_object_set_new(o, "machine", json_string(r->machine)))
		goto fail;
	return o;
fail:
	json_decref(o);
	return NULL;
}

/* An array of strings; NULL if any could not be added. */
static json_t *json_strings(char *const *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_string(s[i]))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* The one-sided configs: ids, or {machine, config} when paired by machine. */
static json_t *json_one_sided(const struct lb_verdict *v, char *const *ids, char *const *machines, size_t n)
{
	json_t *a;

	if (!v->by_machine)
		return json_strings(ids, n);
	a = json_array();
	for (size_t i = 0; a && i < n; i++)
		if (json_array_append_new(a, json_pack("{s:s, s:s}", "machine", machines[i], "config", ids[i]))) {
			json_decref(a);
			a = NULL;
		}
	return a;
}

/* The names of the mismatch kinds allowed (bits of LB_MISMATCH_ALL, analysis/compare.h). */
static const char *const mismatch_names[] = { "options", "timing", "busy-rate", "machine" };
#define NMISMATCH (sizeof(mismatch_names) / sizeof(mismatch_names[0]))

/* settings.test and settings.allow_mismatch; -1 when they could not be added. */
static int settings_extra(json_t *o, const struct lb_compare_settings *s)
{
	json_t *allowed = json_array();

	for (size_t i = 0; allowed && i < NMISMATCH; i++)
		if ((s->allow_mismatch & (1u << i)) && json_array_append_new(allowed, json_string(mismatch_names[i]))) {
			json_decref(allowed);
			allowed = NULL;
		}
	return !o || json_object_set_new(o, "allow_mismatch", allowed) ||
	       json_object_set_new(o, "test", json_string(s->paired ? LB_VERDICT_TEST_PAIRED : LB_VERDICT_TEST_UNPAIRED));
}

static json_t *json_verdict(const struct lb_verdict *v)
{
	const struct lb_compare_settings *s = &v->settings;
	json_t *counts = json_object(), *metric_names = json_array(), *rows = json_array();
	int bad = !counts || !metric_names || !rows;

	for (int j = 0; !bad && j < LB_J_COUNT; j++)
		bad = json_object_set_new(counts, lb_judgement_name(j), json_integer((json_int_t)v->counts[j]));
	for (size_t k = 0; !bad && k < s->nmetrics; k++)
		bad = json_array_append_new(metric_names, json_string(s->metrics[k]->name));
	for (size_t i = 0; !bad && i < v->nrows; i++)
		bad = json_array_append_new(rows, json_row(&v->rows[i]));
	if (bad) {
		json_decref(counts);
		json_decref(metric_names);
		json_decref(rows);
		return NULL;
	}
	/* "o" steals each reference, and json_pack releases them all if it fails */
	json_t *doc = json_pack("{s:s, s:s, s:o, s:{s:o, s:f, s:f, s:I, s:I, s:I}, s:o, s:o, s:o, s:o, s:o}",
				"schema", LB_VERDICT_SCHEMA, "verdict", lb_judgement_name(v->overall),
				"counts", counts,
				"settings", "metrics", metric_names, "threshold_pct", s->threshold_pct,
				"alpha", s->alpha, "min_repeats", (json_int_t)s->min_repeats,
				"bootstrap_iters", (json_int_t)s->bootstrap_iters,
				"bootstrap_seed", (json_int_t)s->bootstrap_seed,
				"base", json_side(&v->base), "new", json_side(&v->new), "rows", rows,
				"only_in_base",
				json_one_sided(v, v->only_in_base, v->only_in_base_machine, v->nonly_in_base),
				"only_in_new",
				json_one_sided(v, v->only_in_new, v->only_in_new_machine, v->nonly_in_new));

	if (doc && (json_object_set_new(doc, "warnings", json_strings(v->warnings, v->nwarnings)) ||
		    settings_extra(json_object_get(doc, "settings"), s))) {
		json_decref(doc);
		return NULL;
	}
	if (doc && v->by_machine &&
	    (json_object_set_new(doc, "machines_only_in_base",
				 json_strings(v->machines_only_in_base, v->nmachines_only_in_base)) ||
	     json_object_set_new(doc, "machines_only_in_new",
				 json_strings(v->machines_only_in_new, v->nmachines_only_in_new)))) {
		json_decref(doc);
		return NULL;
	}
	return doc;
}

int lb_verdict_emit(FILE *f, const struct lb_verdict *v)
{
	json_t *doc = json_verdict(v);
	int rc;

	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (rc == 0 && fputc('\n', f) == EOF)
		rc = -1;
	return rc;
}

/* ---- loading ---- */

struct loader {
	const char *path;
	char *err;
	size_t errlen;
};

/* "PATH: what"; returns -1. */
static int failf(const struct loader *l, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static int failf(const struct loader *l, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s: %s", l->path, what);
	return -1;
}

/* "PATH: PLACE.KEY: what" (or "PATH: KEY: what" at the top); returns -1. */
static int bad(const struct loader *l, const char *place, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));
static int bad(const struct loader *l, const char *place, const char *key, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	snprintf(l->err, l->errlen, "%s: %s%s%s: %s", l->path, place, *place ? "." : "", key, what);
	return -1;
}

static int get_string(const struct loader *l, const json_t *o, const char *place, const char *key,
		      bool optional, const char **out)
{
	const json_t *x = json_object_get(o, key);

	*out = NULL;
	if (optional && (!x || json_is_null(x)))
		return 0;
	if (!json_is_string(x))
		return bad(l, place, key, x ? "not a string" : "missing");
	*out = json_string_value(x);
	return 0;
}

/* A copy of a string member into *out (NULL when optional and absent or null). */
static int dup_string(const struct loader *l, const json_t *o, const char *place, const char *key,
		      bool optional, char **out)
{
	const char *s;

	if (get_string(l, o, place, key, optional, &s))
		return -1;
	*out = NULL;
	if (s && !(*out = strdup(s)))
		return bad(l, place, key, "out of memory");
	return 0;
}

/* A number, or null (NAN). */
static int num_or_null(const struct loader *l, const json_t *x, const char *place, const char *key, double *out)
{
	if (json_is_null(x)) {
		*out = NAN;
		return 0;
	}
	if (!json_is_number(x))
		return bad(l, place, key, x ? "not a number or null" : "missing");
	*out = json_number_value(x);
	return 0;
}

static int get_number(const struct loader *l, const json_t *o, const char *place, const char *key, double *out)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_number(x))
		return bad(l, place, key, x ? "not a number" : "missing");
	*out = json_number_value(x);
	return 0;
}

/* A count: an integer from 0 to max. */
static int get_count(const struct loader *l, const json_t *o, const char *place, const char *key, uint64_t max,
		     uint64_t *out)
{
	const json_t *x = json_object_get(o, key);

	if (!json_is_integer(x) || json_integer_value(x) < 0 || (uint64_t)json_integer_value(x) > max)
		return bad(l, place, key, x ? "not an integer from 0 to %llu" : "missing", (unsigned long long)max);
	*out = (uint64_t)json_integer_value(x);
	return 0;
}

static int get_size(const struct loader *l, const json_t *o, const char *place, const char *key, size_t *out)
{
	uint64_t v;

	if (get_count(l, o, place, key, SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &v))
		return -1;
	*out = (size_t)v;
	return 0;
}

static int get_judgement(const struct loader *l, const json_t *o, const char *place, const char *key,
			 enum lb_judgement *out)
{
	const char *s;
	int j;

	if (get_string(l, o, place, key, false, &s))
		return -1;
	j = lb_judgement_parse(s);
	if (j < 0)
		return bad(l, place, key, "unknown verdict \"%s\"", s);
	*out = (enum lb_judgement)j;
	return 0;
}

static int get_metric(const struct loader *l, const json_t *x, const char *place, const char *key,
		      const struct lb_metric **out)
{
	if (!json_is_string(x))
		return bad(l, place, key, x ? "not a string" : "missing");
	*out = lb_metric_find(json_string_value(x));
	if (!*out)
		return bad(l, place, key, "unknown metric \"%s\"", json_string_value(x));
	return 0;
}

static int get_array(const struct loader *l, const json_t *o, const char *key, const json_t **out)
{
	*out = json_object_get(o, key);
	if (!json_is_array(*out))
		return bad(l, "", key, *out ? "not an array" : "missing");
	return 0;
}

static int get_object(const struct loader *l, const json_t *o, const char *place, const char *key,
		      const json_t **out)
{
	*out = json_object_get(o, key);
	if (!json_is_object(*out))
		return bad(l, place, key, *out ? "not an object" : "missing");
	return 0;
}

/* settings.test and settings.allow_mismatch: optional (verdicts written before them lack both). */
static int load_settings_extra(const struct loader *l, const json_t *o, struct lb_compare_settings *s)
{
	const json_t *test = json_object_get(o, "test"), *allowed = json_object_get(o, "allow_mismatch");

	if (test && (!json_is_string(test) || (strcmp(json_string_value(test), LB_VERDICT_TEST_PAIRED) != 0 &&
					       strcmp(json_string_value(test), LB_VERDICT_TEST_UNPAIRED) != 0)))
		return bad(l, "settings", "test", "not \"" LB_VERDICT_TEST_UNPAIRED "\" or \"" LB_VERDICT_TEST_PAIRED "\"");
	s->paired = test && strcmp(json_string_value(test), LB_VERDICT_TEST_PAIRED) == 0;
	if (!allowed)
		return 0;
	if (!json_is_array(allowed))
		return bad(l, "settings", "allow_mismatch", "not an array");
	for (size_t i = 0; i < json_array_size(allowed); i++) {
		const json_t *x = json_array_get(allowed, i);
		size_t k = 0;

		while (json_is_string(x) && k < NMISMATCH && strcmp(json_string_value(x), mismatch_names[k]) != 0)
			k++;
		if (!json_is_string(x) || k == NMISMATCH)
			return bad(l, "settings", "allow_mismatch", "item %zu is not one of options, timing, busy-rate, "
				   "machine", i);
		s->allow_mismatch |= 1u << k;
	}
	return 0;
}

static int load_settings(const struct loader *l, const json_t *doc, struct lb_compare_settings *s)
{
	const json_t *o, *names;
	uint64_t iters, seed;
	char place[48];

	if (get_object(l, doc, "", "settings", &o))
		return -1;
	names = json_object_get(o, "metrics");
	if (!json_is_array(names))
		return bad(l, "settings", "metrics", names ? "not an array" : "missing");
	if (json_array_size(names) > LB_M_COUNT)
		return bad(l, "settings", "metrics", "more than %d metrics", LB_M_COUNT);
	for (size_t k = 0; k < json_array_size(names); k++) {
		snprintf(place, sizeof(place), "settings.metrics[%zu]", k);
		if (get_metric(l, json_array_get(names, k), "", place, &s->metrics[k]))
			return -1;
	}
	s->nmetrics = json_array_size(names);
	if (get_number(l, o, "settings", "threshold_pct", &s->threshold_pct) ||
	    get_number(l, o, "settings", "alpha", &s->alpha) ||
	    get_size(l, o, "settings", "min_repeats", &s->min_repeats) ||
	    get_count(l, o, "settings", "bootstrap_iters", UINT32_MAX, &iters) ||
	    get_count(l, o, "settings", "bootstrap_seed", INT64_MAX, &seed))
		return -1;
	s->bootstrap_iters = (unsigned)iters;
	s->bootstrap_seed = seed;
	return load_settings_extra(l, o, s);
}

static int load_side(const struct loader *l, const json_t *doc, const char *key, struct lb_verdict_side *s)
{
	const json_t *o;

	if (get_object(l, doc, "", key, &o))
		return -1;
	return dup_string(l, o, key, "file", false, &s->file) || dup_string(l, o, key, "host", true, &s->host) ||
			       dup_string(l, o, key, "cpu_model", true, &s->cpu_model) ||
			       dup_string(l, o, key, "git_commit", true, &s->git_commit)
		       ? -1
		       : 0;
}

static int load_row(const struct loader *l, const json_t *o, const char *place, struct lb_verdict_row *r)
{
	const json_t *ci;
	uint64_t needed = 0;

	if (!json_is_object(o))
		return bad(l, "", place, "not an object");
	ci = json_object_get(o, "ratio_ci95");
	if (!json_is_array(ci) || json_array_size(ci) != 2)
		return bad(l, place, "ratio_ci95", ci ? "not an array of two" : "missing");
	if (dup_string(l, o, place, "config", false, &r->config) ||
	    get_metric(l, json_object_get(o, "metric"), place, "metric", &r->metric) ||
	    get_size(l, o, place, "base_n", &r->base_n) || get_size(l, o, place, "new_n", &r->new_n) ||
	    num_or_null(l, json_object_get(o, "base_median"), place, "base_median", &r->base_median) ||
	    num_or_null(l, json_object_get(o, "new_median"), place, "new_median", &r->new_median) ||
	    num_or_null(l, json_object_get(o, "ratio"), place, "ratio", &r->ratio) ||
	    num_or_null(l, json_object_get(o, "change_pct"), place, "change_pct", &r->change_pct) ||
	    num_or_null(l, json_array_get(ci, 0), place, "ratio_ci95[0]", &r->ci95_low) ||
	    num_or_null(l, json_array_get(ci, 1), place, "ratio_ci95[1]", &r->ci95_high) ||
	    num_or_null(l, json_object_get(o, "p_value"), place, "p_value", &r->p_value) ||
	    get_judgement(l, o, place, "verdict", &r->verdict) ||
	    dup_string(l, o, place, "reason", true, &r->reason) ||
	    dup_string(l, o, place, "machine", true, &r->machine))
		return -1;
	if (json_object_get(o, "repeats_needed") &&
	    get_count(l, o, place, "repeats_needed", SIZE_MAX < INT64_MAX ? SIZE_MAX : INT64_MAX, &needed))
		return -1;
	r->repeats_needed = (size_t)needed;
	return 0;
}

static int load_rows(const struct loader *l, const json_t *doc, struct lb_verdict *v)
{
	const json_t *rows;
	char place[48];

	if (get_array(l, doc, "rows", &rows))
		return -1;
	v->rows = calloc(json_array_size(rows) + 1, sizeof(*v->rows));
	if (!v->rows)
		return bad(l, "", "rows", "out of memory");
	for (size_t i = 0; i < json_array_size(rows); i++) {
		snprintf(place, sizeof(place), "rows[%zu]", i);
		v->nrows++; /* counted first: a half-loaded row is freed with the rest */
		if (load_row(l, json_array_get(rows, i), place, &v->rows[i]))
			return -1;
	}
	return 0;
}

static int load_ids(const struct loader *l, const json_t *doc, const char *key, char ***out, size_t *n)
{
	const json_t *a;

	if (get_array(l, doc, key, &a))
		return -1;
	*out = calloc(json_array_size(a) + 1, sizeof(**out));
	if (!*out)
		return bad(l, "", key, "out of memory");
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *x = json_array_get(a, i);

		if (!json_is_string(x))
			return bad(l, "", key, "item %zu is not a string", i);
		if (!((*out)[i] = strdup(json_string_value(x))))
			return bad(l, "", key, "out of memory");
		(*n)++;
	}
	return 0;
}

/* only_in_*: ids, or {machine, config} entries when paired by machine. */
static int load_one_sided(const struct loader *l, const json_t *doc, const char *key, bool by_machine, char ***ids,
			  char ***machines, size_t *n)
{
	const json_t *a;
	char place[48];

	if (!by_machine)
		return load_ids(l, doc, key, ids, n);
	if (get_array(l, doc, key, &a))
		return -1;
	*ids = calloc(json_array_size(a) + 1, sizeof(**ids));
	*machines = calloc(json_array_size(a) + 1, sizeof(**machines));
	if (!*ids || !*machines)
		return bad(l, "", key, "out of memory");
	for (size_t i = 0; i < json_array_size(a); i++) {
		const json_t *x = json_array_get(a, i);

		snprintf(place, sizeof(place), "%s[%zu]", key, i);
		if (!json_is_object(x))
			return bad(l, "", place, "not an object");
		(*n)++; /* counted first: a half-loaded entry is freed with the rest */
		if (dup_string(l, x, place, "machine", false, &(*machines)[i]) ||
		    dup_string(l, x, place, "config", false, &(*ids)[i]))
			return -1;
	}
	return 0;
}

static int load_counts(const struct loader *l, const json_t *doc, struct lb_verdict *v)
{
	const json_t *o;
	uint64_t n;

	if (get_object(l, doc, "", "counts", &o))
		return -1;
	for (int j = 0; j < LB_J_COUNT; j++) {
		if (get_count(l, o, "counts", lb_judgement_name(j), INT64_MAX, &n))
			return -1;
		v->counts[j] = (size_t)n;
	}
	return 0;
}

static int load_doc(const struct loader *l, const json_t *doc, struct lb_verdict *v)
{
	const char *schema;

	if (!json_is_object(doc))
		return failf(l, "not a compare verdict (not a JSON object)");
	if (get_string(l, doc, "", "schema", false, &schema))
		return -1;
	if (strcmp(schema, LB_VERDICT_SCHEMA) != 0)
		return failf(l, "not a compare verdict (schema \"%s\", expected \"" LB_VERDICT_SCHEMA "\")", schema);
	v->by_machine = json_object_get(doc, "machines_only_in_base") != NULL;
	return get_judgement(l, doc, "", "verdict", &v->overall) || load_counts(l, doc, v) ||
			       load_settings(l, doc, &v->settings) || load_side(l, doc, "base", &v->base) ||
			       load_side(l, doc, "new", &v->new) || load_rows(l, doc, v) ||
			       load_one_sided(l, doc, "only_in_base", v->by_machine, &v->only_in_base,
					      &v->only_in_base_machine, &v->nonly_in_base) ||
			       load_one_sided(l, doc, "only_in_new", v->by_machine, &v->only_in_new,
					      &v->only_in_new_machine, &v->nonly_in_new) ||
			       (json_object_get(doc, "warnings") &&
				load_ids(l, doc, "warnings", &v->warnings, &v->nwarnings)) ||
			       (v->by_machine &&
				(load_ids(l, doc, "machines_only_in_base", &v->machines_only_in_base,
					  &v->nmachines_only_in_base) ||
				 load_ids(l, doc, "machines_only_in_new", &v->machines_only_in_new,
					  &v->nmachines_only_in_new)))
		       ? -1
		       : 0;
}

int lb_verdict_load(const char *path, struct lb_verdict **out, char *err, size_t errlen)
{
	struct loader l = { path, err, errlen };
	struct lb_verdict *v;
	json_error_t je;
	struct stat st;
	json_t *doc;
	FILE *f;
	int rc;

	*out = NULL;
	f = fopen(path, "r");
	if (!f) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		snprintf(err, errlen, "%s: %s", path, strerror(EISDIR));
		return -1;
	}
	doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!doc) {
		snprintf(err, errlen, "%s: invalid JSON at line %d: %s", path, je.line, je.text);
		return -1;
	}
	v = lb_verdict_new();
	if (!v) {
		json_decref(doc);
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	rc = load_doc(&l, doc, v);
	json_decref(doc);
	if (rc) {
		lb_verdict_free(v);
		return -1;
	}
	*out = v;
	return 0;
}
