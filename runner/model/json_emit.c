/*
 * model/json_emit.c — a result model as a lockbench/1 document.
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
#include "model/output.h"

#define DUMP_FLAGS (JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10))

/* A number, or null when it is not finite (an undefined ratio, say). */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

static json_t *count(uint64_t v)
{
	return json_integer((json_int_t)v);
}

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
static json_t *jstr(const char *s)
{
	char *clean = utf8_clean(s);
	json_t *v = json_string(clean ? clean : s);
	free(clean);
	return v;
}

static void set(json_t *o, const char *key, json_t *v)
{
	char *clean = utf8_clean(key);
	json_object_set_new(o, clean ? clean : key, v);
	free(clean);
}

/* Set key to the string s; leave the key out when s is NULL. */
static void set_str(json_t *o, const char *key, const char *s)
{
	if (s != NULL)
		set(o, key, jstr(s));
}

static json_t *str_or_null(const char *s)
{
	return s ? jstr(s) : json_null();
}

static json_t *latency_json(const struct lb_latency *l)
{
	if (!l->present)
		return json_null();
	json_t *o = json_object();
	set(o, "count", count(l->count));
	set(o, "mean", num(l->mean));
	set(o, "p50", num(l->p50));
	set(o, "p90", num(l->p90));
	set(o, "p99", num(l->p99));
	set(o, "p999", num(l->p999));
	set(o, "p9999", num(l->p9999));
	set(o, "max", num(l->max));
	return o;
}

static json_t *params_json(const struct lb_kvs *kv)
{
	json_t *o = json_object();
	for (size_t i = 0; i < kv->n; i++) {
		const struct lb_kv *p = &kv->v[i];
		json_t *v = p->type == LB_KV_BOOL     ? json_boolean(p->i)
			    : p->type == LB_KV_STRING ? jstr(p->s ? p->s : "")
						      : json_integer(p->i);
		set(o, p->name, v);
	}
	return o;
}

static json_t *strings_json(char *const *v, size_t n)
{
	json_t *a = json_array();
	for (size_t i = 0; i < n; i++)
		json_array_append_new(a, jstr(v[i]));
	return a;
}

static json_t *machine_json(const struct lb_machine *m);

static json_t *context_json(const struct lb_context *x)
{
	json_t *c = json_object();
	set_str(c, "version", x->version);
	set_str(c, "git_commit", x->git_commit);
	set_str(c, "command_line", x->command_line);
	if (x->argv != NULL) {
		json_t *a = json_array();
		for (size_t i = 0; i < x->argc; i++)
			json_array_append_new(a, jstr(x->argv[i]));
		set(c, "argv", a);
	}
	set_str(c, "started_utc", x->started_utc);
	set_str(c, "host", x->host);
	set_str(c, "kernel", x->kernel);
	set_str(c, "arch", x->arch);
	set(c, "os", str_or_null(x->os));
	set(c, "cpu_model", str_or_null(x->cpu_model));
	if (x->has_topology) {
		json_t *t = json_object();
		set(t, "packages", json_integer(x->topo_packages));
		set(t, "numa_nodes", json_integer(x->topo_numa_nodes));
		set(t, "cores", json_integer(x->topo_cores));
		set(t, "pus", json_integer(x->topo_pus));
		if (x->has_topo_smt)
			set(t, "smt", json_boolean(x->topo_smt));
		set(c, "topology", t);
	}
	set_str(c, "allowed_cpus", x->allowed_cpus);
	if (x->online_cpus >= 0)
		set(c, "online_cpus", json_integer(x->online_cpus));
	set_str(c, "compiler", x->compiler);
	set_str(c, "cflags", x->cflags);
	if (x->timer_source != NULL) {
		json_t *t = json_object();
		set(t, "source", jstr(x->timer_source));
		set(t, "cost_ns", num(x->timer_cost_ns));
		set(t, "ns_per_tick", num(x->timer_ns_per_tick));
		if (isfinite(x->timer_tsc_hz))
			set(t, "tsc_hz", num(x->timer_tsc_hz));
		set(c, "timer", t);
	}
	set(c, "busy_iterations_per_us", num(x->busy_iterations_per_us));
	set(c, "cpufreq_governor", str_or_null(x->cpufreq_governor));
	set(c, "smt_control", str_or_null(x->smt_control));
	if (x->has_loadavg) {
		json_t *la = json_array();
		for (int i = 0; i < 3; i++)
			json_array_append_new(la, json_real(x->loadavg[i]));
		set(c, "loadavg", la);
	}
	const struct lb_run_options *o = &x->options;
	if (o->present) {
		json_t *j = json_object();
		set(j, "duration_ns", json_integer(o->duration_ns));
		set(j, "warmup_ns", json_integer(o->warmup_ns));
		set(j, "repeat", json_integer(o->repeat));
		set_str(j, "pin", o->pin);
		set(j, "timing_sample_every", json_integer(o->timing_sample_every));
		set(j, "slice_ns", json_integer(o->slice_ns));
		if (o->grace_ns >= 0)
			set(j, "grace_ns", json_integer(o->grace_ns));
		if (o->order_log_cap >= 0)
			set(j, "order_log_cap", json_integer(o->order_log_cap));
		set_str(j, "busy_rate", o->busy_rate);
		set(c, "options", j);
	}
	if (x->timing_mode != NULL) {
		json_t *t = json_object();
		set(t, "mode", jstr(x->timing_mode));
		set(t, "sample_every", json_integer(x->timing_sample_every));
		set(t, "overhead_ns_per_acquisition", num(x->timing_overhead_ns));
		set_str(t, "overhead_method", x->timing_overhead_method);
		set(c, "timing", t);
	}
	set(c, "busy_before_run", num(x->busy_before_run));
	if (x->interrupted)
		set(c, "interrupted", json_true());
	if (x->merged_from != NULL)
		set(c, "merged_from", strings_json(x->merged_from, x->nmerged_from));
	set_str(c, "merged_by", x->merged_by);
	if (x->machines != NULL) {
		json_t *ms = json_array();
		for (size_t i = 0; i < x->nmachines; i++)
			json_array_append_new(ms, machine_json(&x->machines[i]));
		set(c, "machines", ms);
	}
	return c;
}

/* context.machines[i] of a merged result: name, hosts, shards and its own context. */
static json_t *machine_json(const struct lb_machine *m)
{
	json_t *o = json_object(), *shards = json_array();
	set(o, "name", jstr(m->name ? m->name : ""));
	set(o, "hosts", strings_json(m->hosts, m->nhosts));
	for (size_t i = 0; i < m->nshards; i++) {
		const struct lb_shard_info *sh = &m->shards[i];
		json_t *e = json_object();
		set(e, "shard", json_integer(sh->shard));
		set(e, "result", str_or_null(sh->result));
		set(e, "state", str_or_null(sh->state));
		set(e, "host", str_or_null(sh->host));
		json_array_append_new(shards, e);
	}
	set(o, "shards", shards);
	set(o, "context", m->context ? context_json(m->context) : json_null());
	return o;
}

static json_t *thread_json(const struct lb_thread_figs *t)
{
	json_t *o = json_object();
	set(o, "id", json_integer(t->id));
	set(o, "pu", t->pu >= 0 ? json_integer(t->pu) : json_null());
	set(o, "acquisitions", count(t->acquisitions));
	set(o, "throughput_per_s", num(t->throughput_per_s));
	set(o, "timed", count(t->timed));
	set(o, "latency_ns", latency_json(&t->latency));
	set(o, "hold_ns", latency_json(&t->hold));
	set(o, "longest_gap_ns", count(t->longest_gap_ns));
	set(o, "max_bypass", t->has_max_bypass ? count(t->max_bypass) : json_null());
	set(o, "try_failures", count(t->try_failures));
	set(o, "poll_handoffs", count(t->poll_handoffs));
	set(o, "violations", count(t->violations));
	set(o, "starved", json_boolean(t->starved));
	json_t *tl = json_array();
	for (size_t i = 0; i < t->ntimeline; i++)
		json_array_append_new(tl, count(t->timeline[i]));
	set(o, "timeline", tl);
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
		json_array_append_new(pt, num(c->ns[i]));
		json_array_append_new(a, pt);
	}
	return a;
}

static json_t *fairness_json(const struct lb_fairness *f)
{
	json_t *o = json_object();
	set(o, "jain", num(f->jain));
	set(o, "rsd", num(f->rsd));
	set(o, "fairness_factor", num(f->fairness_factor));
	set(o, "max_min_ratio", num(f->max_min_ratio));
	set(o, "min", count(f->min));
	set(o, "max", count(f->max));
	set(o, "locktorture_starved", json_boolean(f->starved));
	return o;
}

static json_t *short_term_json(const struct lb_sample *s)
{
	if (!s->has_short_term)
		return json_null();
	json_t *o = json_object();
	set(o, "covered", count(s->short_term.covered));
	set(o, "window", json_integer(s->short_term.window));
	set(o, "lwss", num(s->short_term.lwss));
	set(o, "mttr", num(s->short_term.mttr));
	set(o, "handover_ratio", num(s->short_term.handover_ratio));
	return o;
}

static json_t *starvation_json(const struct lb_starvation *v)
{
	json_t *o = json_object();
	set(o, "starved", json_boolean(v->starved));
	json_t *ids = json_array();
	for (size_t i = 0; i < v->nstarved_threads; i++)
		json_array_append_new(ids, json_integer(v->starved_threads[i]));
	set(o, "starved_threads", ids);
	set(o, "max_wait_ns", num(v->max_wait_ns));
	set(o, "longest_gap_ns", count(v->longest_gap_ns));
	set(o, "coarse_resolution_ns", json_integer(v->coarse_resolution_ns));
	set(o, "max_bypass", v->has_max_bypass ? count(v->max_bypass) : json_null());
	set(o, "share_threshold", num(v->share_threshold));
	set(o, "gap_threshold", num(v->gap_threshold));
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
	set(o, "signal", str_or_null(c->signal));
	set(o, "exit_status", c->exit_status >= 0 ? json_integer(c->exit_status) : json_null());
	set_str(o, "stage", c->stage);
	set(o, "stack", strings_json(c->stack, c->nstack));
	json_t *a = json_array();
	for (size_t i = 0; i < c->nthreads; i++)
		json_array_append_new(a, count(c->acquisitions[i]));
	set(o, "acquisitions_so_far", a);
	return o;
}

static json_t *deadlock_json(const struct lb_deadlock *d)
{
	json_t *o = json_object();
	set_str(o, "report", d->report);
	set(o, "threads", uints_json(d->threads, d->nthreads));
	json_t *a = json_array();
	for (size_t i = 0; i < d->ncycle; i++) {
		json_t *e = json_object();
		set(e, "thread", json_integer(d->cycle[i].thread));
		set(e, "waits_for", json_string(d->cycle[i].condition ? "condition" : "lock"));
		set(e, "index", json_integer(d->cycle[i].index));
		set(e, "held_by", json_integer(d->cycle[i].next));
		json_array_append_new(a, e);
	}
	set(o, "cycle", a);
	set(o, "after_s", num(d->after_s));
	return o;
}

static json_t *stuck_json(const struct lb_stuck_thread *t)
{
	json_t *o = json_object();
	set(o, "id", json_integer(t->id));
	if (t->in_init)
		set(o, "in_init", json_true());
	set(o, "tid", json_integer(t->tid));
	set(o, "pu", t->pu >= 0 ? json_integer(t->pu) : json_null());
	set(o, "state", str_or_null(t->state));
	set(o, "cpu_ns", t->cpu_ns >= 0 ? json_integer(t->cpu_ns) : json_null());
	if (t->waits_kind > 0 && t->waits_kind <= 3) {
		json_t *w = json_object();
		set(w, "kind", json_string(wait_kinds[t->waits_kind]));
		set(w, "index", json_integer(t->waits_index));
		set(o, "waits_for", w);
	} else {
		set(o, "waits_for", json_null());
	}
	set(o, "holder", t->holder >= 0 ? json_integer(t->holder) : json_null());
	set(o, "holds", uints_json(t->holds, t->nholds));
	set(o, "stack", strings_json(t->stack, t->nstack));
	return o;
}

static json_t *locks_json(const struct lb_sample *s)
{
	json_t *a = json_array();
	for (size_t i = 0; i < s->nlocks; i++) {
		const struct lb_lock_figs *l = &s->locks[i];
		json_t *o = json_object();
		set(o, "index", json_integer(l->index));
		set(o, "acquisitions", count(l->acquisitions));
		set(o, "violations", count(l->violations));
		set(o, "timed", count(l->timed));
		set(o, "sampled", count(l->sampled));
		set(o, "found_held", count(l->found_held));
		set(o, "contention", num(l->contention));
		set(o, "latency_ns", latency_json(&l->wait));
		json_array_append_new(a, o);
	}
	return a;
}

/* What went wrong, in any sample that has it: the isolated process's end, a deadlock, stuck threads. */
static void faults_json(json_t *o, const struct lb_sample *s)
{
	if (s->isolated)
		set(o, "isolated", json_true());
	if (s->crash.present)
		set(o, "crash", crash_json(&s->crash));
	if (s->deadlock.present)
		set(o, "deadlock", deadlock_json(&s->deadlock));
	if (s->nstuck != 0) {
		json_t *a = json_array();
		for (size_t i = 0; i < s->nstuck; i++)
			json_array_append_new(a, stuck_json(&s->stuck[i]));
		set(o, "stuck_threads", a);
	}
}

/* One role of a reader-writer sample (results/schema.json, $defs/role). */
static json_t *role_json(const struct lb_role_figs *r)
{
	json_t *o = json_object();
	set(o, "threads", json_integer(r->threads));
	set(o, "acquisitions", count(r->acquisitions));
	set(o, "throughput_per_s", num(r->throughput_per_s));
	set(o, "latency_ns", latency_json(&r->latency));
	set(o, "fairness", fairness_json(&r->fairness));
	set(o, "starved", json_boolean(r->starved));
	json_t *ids = json_array(), *per = json_array();
	for (size_t i = 0; i < r->nstarved_threads; i++)
		json_array_append_new(ids, json_integer(r->starved_threads[i]));
	for (size_t i = 0; i < r->nper_thread; i++) {
		json_t *pt = json_object();
		set(pt, "id", json_integer(r->per_thread[i].id));
		set(pt, "acquisitions", count(r->per_thread[i].acquisitions));
		set(pt, "starved", json_boolean(r->per_thread[i].starved));
		json_array_append_new(per, pt);
	}
	set(o, "starved_threads", ids);
	set(o, "longest_wait_ns", count(r->longest_wait_ns));
	set(o, "per_thread", per);
	if (r->has_concurrency) {
		json_t *c = json_object();
		set(c, "mean", num(r->concurrency_mean));
		set(c, "max", count(r->concurrency_max));
		set(o, "concurrency", c);
	}
	return o;
}

/* A sample's figures, after its status (a hung sample has none). */
static void sample_figures(json_t *o, const struct lb_sample *s)
{
	set(o, "acquisitions", count(s->acquisitions));
	set(o, "throughput_per_s", num(s->throughput_per_s));
	set(o, "latency_ns", latency_json(&s->latency));
	set(o, "hold_ns", latency_json(&s->hold));
	set(o, "handoff_ns", latency_json(&s->handoff));
	set(o, "violations", count(s->violations));
	set(o, "release_errors", count(s->release_errors));
	set(o, "verify_failures", count(s->verify_failures));
	if (s->has_timing) {
		json_t *t = json_object();
		set(t, "sample_every", json_integer(s->timing_sample_every));
		set(t, "coarse_tick_ns", json_integer(s->timing_coarse_tick_ns));
		set(t, "slice_ns", json_integer(s->timing_slice_ns));
		set(o, "timing", t);
	}
	json_t *lc = json_object();
	for (size_t i = 0; i < s->ncounters; i++)
		set(lc, s->counters[i].name, count(s->counters[i].value));
	set(o, "lock_counters", lc);
	if (s->counters_scope != LB_COUNTERS_UNKNOWN)
		set(o, "lock_counters_scope", json_string(s->counters_scope == LB_COUNTERS_WINDOW ? "window" : "run"));
	if (s->nfigures > 0) {
		json_t *wf = json_object();
		for (size_t i = 0; i < s->nfigures; i++)
			set(wf, s->figures[i].name, num(s->figures[i].value));
		set(o, "workload_figures", wf);
	}
	set(o, "latency_curve", curve_json(&s->curve));
	set(o, "pingpong_ns", num(s->pingpong_ns));
	if (s->has_fairness)
		set(o, "fairness", fairness_json(&s->fairness));
	set(o, "short_term", short_term_json(s));
	if (s->has_starvation)
		set(o, "starvation", starvation_json(&s->starvation));
	if (s->has_roles) {
		json_t *roles = json_object();
		for (int r = 0; r < LB_SR_COUNT; r++)
			set(roles, lb_sample_role_name((enum lb_sample_role)r), role_json(&s->roles[r]));
		set(o, "roles", roles);
	}
	json_t *threads = json_array();
	for (size_t i = 0; i < s->nthreads; i++)
		json_array_append_new(threads, thread_json(&s->threads[i]));
	set(o, "threads", threads);
	if (s->nlocks != 0)
		set(o, "locks", locks_json(s));
}

static json_t *sample_json(const struct lb_sample *s)
{
	json_t *o = json_object();
	set(o, "repetition", json_integer(s->repetition));
	set(o, "status", json_string(lb_result_status_name(s->status)));
	set_str(o, "message", s->message);
	if (isfinite(s->duration_s))
		set(o, "duration_s", json_real(s->duration_s));
	faults_json(o, s);
	if (s->has_figures)
		sample_figures(o, s);
	if (s->has_shard)
		set(o, "shard", json_integer(s->shard));
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
		set(j, "n", json_integer((json_int_t)st->n));
		if (st->n > 0) {
			set(j, "median", num(st->median));
			set(j, "min", num(st->min));
			set(j, "max", num(st->max));
			set(j, "ci95_low", num(st->ci95_low));
			set(j, "ci95_high", num(st->ci95_high));
			set(j, "ci95_reached", json_boolean(st->ci95_reached));
		}
		set(o, lb_metrics[m].summary_key, j);
	}
}

static json_t *summary_json(const struct lb_summary *sum)
{
	json_t *o = json_object();
	summary_metrics(o, sum, false);
	set(o, "starved", json_boolean(sum->starved));
	if (sum->has_roles) {
		summary_metrics(o, sum, true);
		set(o, "reader_starved", json_boolean(sum->reader_starved));
		set(o, "writer_starved", json_boolean(sum->writer_starved));
	}
	return o;
}

static json_t *config_json(const struct lb_config *c)
{
	json_t *o = json_object();
	set_str(o, "id", c->id_built ? NULL : c->id);
	json_t *l = json_object();
	set_str(l, "name", c->lock_name);
	set(l, "params", params_json(&c->lock_params));
	set_str(l, "plugin", c->lock_plugin);
	set_str(l, "timed", c->lock_timed);
	set(o, "lock", l);
	json_t *w = json_object();
	set_str(w, "name", c->workload_name);
	set(w, "params", params_json(&c->workload_params));
	set(o, "workload", w);
	set(o, "threads", json_integer(c->threads));
	json_t *p = json_object();
	set_str(p, "policy", c->pin_policy);
	json_t *pa = json_array();
	for (size_t i = 0; i < c->npus; i++)
		json_array_append_new(pa, c->pus[i] >= 0 ? json_integer(c->pus[i]) : json_null());
	set(p, "pus", pa);
	set(p, "oversubscribed", json_boolean(c->oversubscribed));
	set(o, "pin", p);
	set(o, "status", json_string(lb_result_status_name(c->status)));
	set_str(o, "machine", c->machine);
	json_t *samples = json_array();
	for (size_t i = 0; i < c->nsamples; i++)
		json_array_append_new(samples, sample_json(&c->samples[i]));
	set(o, "samples", samples);
	if (c->summary.present)
		set(o, "summary", summary_json(&c->summary));
	return o;
}

int lb_result_emit(FILE *f, const struct lb_result *r)
{
	json_t *doc = json_object();
	if (doc == NULL)
		return -1;
	set(doc, "schema", jstr(r->schema ? r->schema : LB_SCHEMA));
	set(doc, "context", context_json(&r->context));
	json_t *configs = json_array();
	for (size_t i = 0; i < r->nconfigs; i++)
		json_array_append_new(configs, config_json(&r->configs[i]));
	set(doc, "configs", configs);
	if (r->has_missing) {
		json_t *missing = json_array();
		for (size_t i = 0; i < r->nmissing; i++) {
			const struct lb_missing *m = &r->missing[i];
			json_t *e = json_object();
			set(e, "machine", jstr(m->machine ? m->machine : ""));
			set(e, "shard", json_integer(m->shard));
			set(e, "config", str_or_null(m->config));
			set(e, "state", str_or_null(m->state));
			set(e, "reason", jstr(m->reason ? m->reason : ""));
			json_array_append_new(missing, e);
		}
		set(doc, "missing", missing);
	}
	int rc = json_dumpf(doc, f, DUMP_FLAGS) != 0 || fputc('\n', f) == EOF ? -1 : 0;
	json_decref(doc);
	return rc;
}

char *lb_sample_to_json(const struct lb_sample *s)
{
	json_t *o = sample_json(s);
	char *text = o != NULL ? json_dumps(o, JSON_COMPACT | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(17)) : NULL;
	json_decref(o);
	return text;
}

static int emit(FILE *f, void *r)
{
	return lb_result_emit(f, r);
}

int lb_result_write(const struct lb_result *r, const char *path, char *err, size_t errlen)
{
	return lb_output_write(path, emit, (void *)r, err, errlen);
}
