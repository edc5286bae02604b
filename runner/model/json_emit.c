/*
 * model/json_emit.c — a result model as a lockbench/1 document: the
 * document, its context, configs and summaries, and the builders every
 * part shares (model/json_put.h); a sample is model/json_emit_sample.c's.
 *
 * The keys, their order and their number formats are exactly what `run`
 * has always written (results/schema.json; tests compare the bytes): a
 * group the model does not have (a result loaded from an older or a
 * hand-made file) is left out rather than invented.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "model/json.h"
#include "model/json_put.h"
#include "model/output.h"

#define DUMP_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* Length of the well-formed UTF-8 sequence at p (RFC 3629: no overlong forms, no surrogates), or 0. */
static size_t utf8_len(const unsigned char *p)
{
	if (p[0] < 0x80)
		return 1;
	size_t n = p[0] >= 0xc2 && p[0] <= 0xdf ? 2 : p[0] >= 0xe0 && p[0] <= 0xef ? 3 : p[0] >= 0xf0 && p[0] <= 0xf4 ? 4 : 0;
	for (size_t i = 1; i < n; i++)
		if ((p[i] & 0xc0) != 0x80)
			return 0;
	if ((p[0] == 0xe0 && p[1] < 0xa0) || (p[0] == 0xed && p[1] >= 0xa0) || (p[0] == 0xf0 && p[1] < 0x90) ||
	    (p[0] == 0xf4 && p[1] >= 0x90))
		return 0;
	return n;
}

/*
 * s as valid UTF-8, which JSON requires: a byte that starts no well-formed
 * sequence (a file name in another encoding, say) becomes the text \xNN.
 * NULL when s already is valid (use it as it is) or when out of memory.
 */
static char *utf8_clean(const char *s)
{
	const unsigned char *p = (const unsigned char *)s;
	size_t bad = 0;
	for (size_t i = 0, n; p[i]; i += n ? n : 1)
		if ((n = utf8_len(p + i)) == 0)
			bad++;
	if (bad == 0)
		return NULL;
	char *out = malloc(strlen(s) + 3 * bad + 1), *o = out;
	for (size_t i = 0, n; out != NULL && p[i]; i += n ? n : 1) {
		n = utf8_len(p + i);
		if (n == 0)
			o += sprintf(o, "\\x%02X", p[i]);
		else
			o = (char *)memcpy(o, p + i, n) + n;
	}
	if (out != NULL)
		*o = '\0';
	return out;
}

/* A JSON string of any C string (see utf8_clean). */
json_t *lbe_str(const char *s)
{
	char *clean = utf8_clean(s);
	json_t *v = json_string(clean ? clean : s);
	free(clean);
	return v;
}

void lbe_set(json_t *o, const char *key, json_t *v)
{
	char *clean = utf8_clean(key);
	json_object_set_new(o, clean ? clean : key, v);
	free(clean);
}

json_t *lbe_latency(const struct lb_latency *l)
{
	if (!l->present)
		return json_null();
	json_t *o = json_object();
	lbe_set(o, "count", lbe_count(l->count));
	lbe_set(o, "mean", lbe_num(l->mean));
	lbe_set(o, "p50", lbe_num(l->p50));
	lbe_set(o, "p90", lbe_num(l->p90));
	lbe_set(o, "p99", lbe_num(l->p99));
	lbe_set(o, "p999", lbe_num(l->p999));
	lbe_set(o, "p9999", lbe_num(l->p9999));
	lbe_set(o, "max", lbe_num(l->max));
	return o;
}

static json_t *params_json(const struct lb_kvs *kv)
{
	json_t *o = json_object();
	for (size_t i = 0; i < kv->n; i++) {
		const struct lb_kv *p = &kv->v[i];
		json_t *v = p->type == LB_KV_BOOL     ? json_boolean(p->i)
			    : p->type == LB_KV_STRING ? lbe_str(p->s ? p->s : "")
						      : json_integer(p->i);
		lbe_set(o, p->name, v);
	}
	return o;
}

json_t *lbe_strings(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, lbe_str(v[i]));
	return a;
}

static json_t *machine_json(const struct lb_machine *m);

static json_t *context_json(const struct lb_context *x)
{
	json_t *c = json_object();
	lbe_set_str(c, "version", x->version);
	lbe_set_str(c, "git_commit", x->git_commit);
	lbe_set_str(c, "command_line", x->command_line);
	if (x->argv != NULL) {
		json_t *a = json_array();
		for (size_t i = 0; i < x->argc; i++)
			json_array_append_new(a, lbe_str(x->argv[i]));
		lbe_set(c, "argv", a);
	}
	lbe_set_str(c, "started_utc", x->started_utc);
	lbe_set_str(c, "host", x->host);
	lbe_set_str(c, "kernel", x->kernel);
	lbe_set_str(c, "arch", x->arch);
	lbe_set(c, "os", lbe_str_or_null(x->os));
	lbe_set(c, "cpu_model", lbe_str_or_null(x->cpu_model));
	if (x->has_topology) {
		json_t *t = json_object();
		lbe_set(t, "packages", json_integer(x->topo_packages));
		lbe_set(t, "numa_nodes", json_integer(x->topo_numa_nodes));
		lbe_set(t, "cores", json_integer(x->topo_cores));
		lbe_set(t, "pus", json_integer(x->topo_pus));
		if (x->has_topo_smt)
			lbe_set(t, "smt", json_boolean(x->topo_smt));
		lbe_set(c, "topology", t);
	}
	lbe_set_str(c, "allowed_cpus", x->allowed_cpus);
	if (x->online_cpus >= 0)
		lbe_set(c, "online_cpus", json_integer(x->online_cpus));
	lbe_set_str(c, "compiler", x->compiler);
	lbe_set_str(c, "cflags", x->cflags);
	if (x->timer_source != NULL) {
		json_t *t = json_object();
		lbe_set(t, "source", lbe_str(x->timer_source));
		lbe_set(t, "cost_ns", lbe_num(x->timer_cost_ns));
		lbe_set(t, "ns_per_tick", lbe_num(x->timer_ns_per_tick));
		if (isfinite(x->timer_tsc_hz))
			lbe_set(t, "tsc_hz", lbe_num(x->timer_tsc_hz));
		lbe_set(c, "timer", t);
	}
	lbe_set(c, "busy_iterations_per_us", lbe_num(x->busy_iterations_per_us));
	lbe_set(c, "cpufreq_governor", lbe_str_or_null(x->cpufreq_governor));
	lbe_set(c, "smt_control", lbe_str_or_null(x->smt_control));
	if (x->has_loadavg) {
		json_t *la = json_array();
		for (int i = 0; i < 3; i++)
			json_array_append_new(la, json_real(x->loadavg[i]));
		lbe_set(c, "loadavg", la);
	}
	const struct lb_run_options *o = &x->options;
	if (o->present) {
		json_t *j = json_object();
		lbe_set(j, "duration_ns", json_integer(o->duration_ns));
		lbe_set(j, "warmup_ns", json_integer(o->warmup_ns));
		lbe_set(j, "repeat", json_integer(o->repeat));
		lbe_set_str(j, "pin", o->pin);
		lbe_set(j, "timing_sample_every", json_integer(o->timing_sample_every));
		lbe_set(j, "slice_ns", json_integer(o->slice_ns));
		if (o->grace_ns >= 0)
			lbe_set(j, "grace_ns", json_integer(o->grace_ns));
		if (o->order_log_cap >= 0)
			lbe_set(j, "order_log_cap", json_integer(o->order_log_cap));
		lbe_set_str(j, "busy_rate", o->busy_rate);
		lbe_set(c, "options", j);
	}
	if (x->timing_mode != NULL) {
		json_t *t = json_object();
		lbe_set(t, "mode", lbe_str(x->timing_mode));
		lbe_set(t, "sample_every", json_integer(x->timing_sample_every));
		lbe_set(t, "overhead_ns_per_acquisition", lbe_num(x->timing_overhead_ns));
		lbe_set_str(t, "overhead_method", x->timing_overhead_method);
		lbe_set(c, "timing", t);
	}
	lbe_set(c, "busy_before_run", lbe_num(x->busy_before_run));
	if (x->interrupted)
		lbe_set(c, "interrupted", json_true());
	if (x->merged_from != NULL)
		lbe_set(c, "merged_from", lbe_strings(x->merged_from, x->nmerged_from));
	lbe_set_str(c, "merged_by", x->merged_by);
	if (x->machines != NULL) {
		json_t *ms = json_array();
		for (size_t i = 0; i < x->nmachines; i++)
			json_array_append_new(ms, machine_json(&x->machines[i]));
		lbe_set(c, "machines", ms);
	}
	return c;
}

/* context.machines[i] of a merged result: name, hosts, shards and its own context. */
static json_t *machine_json(const struct lb_machine *m)
{
	json_t *o = json_object(), *shards = json_array();
	lbe_set(o, "name", lbe_str(m->name ? m->name : ""));
	lbe_set(o, "hosts", lbe_strings(m->hosts, m->nhosts));
	for (size_t i = 0; i < m->nshards; i++) {
		const struct lb_shard_info *sh = &m->shards[i];
		json_t *e = json_object();
		lbe_set(e, "shard", json_integer(sh->shard));
		lbe_set(e, "result", lbe_str_or_null(sh->result));
		lbe_set(e, "state", lbe_str_or_null(sh->state));
		lbe_set(e, "host", lbe_str_or_null(sh->host));
		json_array_append_new(shards, e);
	}
	lbe_set(o, "shards", shards);
	lbe_set(o, "context", m->context ? context_json(m->context) : json_null());
	return o;
}

/* The summary's metrics of one kind: the headline ones, or (roles) the reader-writer ones. */
static void summary_metrics(json_t *o, const struct lb_summary *sum, bool roles)
{
	for (size_t m = 0; m < LB_M_COUNT; m++) {
		if (lb_metrics[m].summary_key == NULL || lb_metrics[m].roles != roles)
			continue;
		const struct lb_stat *st = &sum->stat[m];
		json_t *j = json_object();
		lbe_set(j, "n", json_integer((json_int_t)st->n));
		if (st->n > 0) {
			lbe_set(j, "median", lbe_num(st->median));
			lbe_set(j, "min", lbe_num(st->min));
			lbe_set(j, "max", lbe_num(st->max));
			lbe_set(j, "ci95_low", lbe_num(st->ci95_low));
			lbe_set(j, "ci95_high", lbe_num(st->ci95_high));
			lbe_set(j, "ci95_reached", json_boolean(st->ci95_reached));
		}
		lbe_set(o, lb_metrics[m].summary_key, j);
	}
}

static json_t *summary_json(const struct lb_summary *sum)
{
	json_t *o = json_object();
	summary_metrics(o, sum, false);
	lbe_set(o, "starved", json_boolean(sum->starved));
	lbe_set(o, "unsteady", json_boolean(sum->unsteady));
	lbe_set(o, "scheduler_bound", json_boolean(sum->scheduler_bound));
	if (sum->has_roles) {
		summary_metrics(o, sum, true);
		lbe_set(o, "reader_starved", json_boolean(sum->reader_starved));
		lbe_set(o, "writer_starved", json_boolean(sum->writer_starved));
	}
	return o;
}

static json_t *config_json(const struct lb_config *c)
{
	json_t *o = json_object();
	lbe_set_str(o, "id", c->id_built ? NULL : c->id);
	json_t *l = json_object();
	lbe_set_str(l, "name", c->lock_name);
	lbe_set(l, "params", params_json(&c->lock_params));
	lbe_set_str(l, "plugin", c->lock_plugin);
	lbe_set_str(l, "timed", c->lock_timed);
	lbe_set(o, "lock", l);
	json_t *w = json_object();
	lbe_set_str(w, "name", c->workload_name);
	lbe_set(w, "params", params_json(&c->workload_params));
	lbe_set(o, "workload", w);
	lbe_set(o, "threads", json_integer(c->threads));
	json_t *p = json_object();
	lbe_set_str(p, "policy", c->pin_policy);
	json_t *pa = json_array();
	for (size_t i = 0; i < c->npus; i++)
		json_array_append_new(pa, c->pus[i] >= 0 ? json_integer(c->pus[i]) : json_null());
	lbe_set(p, "pus", pa);
	lbe_set(p, "oversubscribed", json_boolean(c->oversubscribed));
	lbe_set(o, "pin", p);
	lbe_set(o, "status", json_string(lb_result_status_name(c->status)));
	lbe_set_str(o, "machine", c->machine);
	json_t *samples = json_array();
	for (size_t i = 0; i < c->nsamples; i++)
		json_array_append_new(samples, lbe_sample(&c->samples[i]));
	lbe_set(o, "samples", samples);
	if (c->summary.present)
		lbe_set(o, "summary", summary_json(&c->summary));
	return o;
}

int lb_result_emit(FILE *f, const struct lb_result *r)
{
	json_t *doc = json_object();
	if (doc == NULL)
		return -1;
	lbe_set(doc, "schema", lbe_str(r->schema ? r->schema : LB_SCHEMA));
	lbe_set(doc, "context", context_json(&r->context));
	json_t *configs = json_array();
	for (size_t i = 0; i < r->nconfigs; i++)
		json_array_append_new(configs, config_json(&r->configs[i]));
	lbe_set(doc, "configs", configs);
	if (r->has_missing) {
		json_t *missing = json_array();
		for (size_t i = 0; i < r->nmissing; i++) {
			const struct lb_missing *m = &r->missing[i];
			json_t *e = json_object();
			lbe_set(e, "machine", lbe_str(m->machine ? m->machine : ""));
			lbe_set(e, "shard", json_integer(m->shard));
			lbe_set(e, "config", lbe_str_or_null(m->config));
			lbe_set(e, "state", lbe_str_or_null(m->state));
			lbe_set(e, "reason", lbe_str(m->reason ? m->reason : ""));
			json_array_append_new(missing, e);
		}
		lbe_set(doc, "missing", missing);
	}
	int rc = json_dumpf(doc, f, DUMP_FLAGS) != 0 || fputc('\n', f) == EOF ? -1 : 0;
	json_decref(doc);
	return rc;
}


static int emit(FILE *f, void *r)
{
	return lb_result_emit(f, r);
}

int lb_result_write(const struct lb_result *r, const char *path, char *err, size_t errlen)
{
	return lb_output_write(path, emit, (void *)r, err, errlen);
}