/*
 * model/json_legacy.c — building the result document as jansson objects.
 */
#define _GNU_SOURCE
#include "model/json_legacy.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>

#include "analysis/stats.h"
#include "engine/topo.h"
#include "engine/version.h"
#include "model/output.h"


/* A number, or null when it is not finite (an undefined ratio, say). */
static json_t *num(double v)
{
	return isfinite(v) ? json_real(v) : json_null();
}

/* First line of a file, trimmed; NULL if unreadable. */
static char *read_line(const char *path, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char *r = fgets(buf, (int)len, f);
	fclose(f);
	if (r == NULL)
		return NULL;
	buf[strcspn(buf, "\n")] = '\0';
	return buf;
}

/* Value of "key<ws>: value" in a file of such lines (/proc/cpuinfo), or of key="value" (os-release). */
static char *read_keyed(const char *path, const char *key, char *buf, size_t len)
{
	FILE *f = fopen(path, "r");
	if (f == NULL)
		return NULL;
	char line[512];
	char *found = NULL;
	size_t klen = strlen(key);
	while (fgets(line, sizeof line, f)) {
		if (strncmp(line, key, klen) != 0)
			continue;
		char *p = line + klen;
		while (*p == ' ' || *p == '\t')
			p++;
		if (*p != ':' && *p != '=')
			continue;
		p++;
		while (*p == ' ' || *p == '"')
			p++;
		p[strcspn(p, "\"\n")] = '\0';
		snprintf(buf, len, "%s", p);
		found = buf;
		break;
	}
	fclose(f);
	return found;
}

static json_t *str_or_null(const char *s)
{
	return s ? json_string(s) : json_null();
}

json_t *lb_context_json(int argc, char **argv, const struct lb_topo *topo)
{
	json_t *c = json_object();
	json_object_set_new(c, "version", json_string(LB_VERSION));
	json_object_set_new(c, "git_commit", json_string(LB_GIT_COMMIT));

	size_t need = 1;
	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 3;
	char *cmd = calloc(1, need);
	json_t *argv_json = json_array();
	for (int i = 0; i < argc && cmd; i++) {
		if (i)
			strcat(cmd, " ");
		strcat(cmd, argv[i]);
		json_array_append_new(argv_json, json_string(argv[i]));
	}
	json_object_set_new(c, "command_line", json_string(cmd ? cmd : ""));
	json_object_set_new(c, "argv", argv_json);
	free(cmd);

	char buf[512];
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
	json_object_set_new(c, "started_utc", json_string(buf));

	struct utsname u;
	if (uname(&u) == 0) {
		json_object_set_new(c, "host", json_string(u.nodename));
		snprintf(buf, sizeof buf, "%s %s %s", u.sysname, u.release, u.version);
		json_object_set_new(c, "kernel", json_string(buf));
		json_object_set_new(c, "arch", json_string(u.machine));
	}
	json_object_set_new(c, "os", str_or_null(read_keyed("/etc/os-release", "PRETTY_NAME", buf, sizeof buf)));
	json_object_set_new(c, "cpu_model", str_or_null(read_keyed("/proc/cpuinfo", "model name", buf, sizeof buf)));

	struct lb_topo_summary s;
	lb_topo_summary(topo, &s);
	json_t *tj = json_object();
	json_object_set_new(tj, "packages", json_integer(s.packages));
	json_object_set_new(tj, "numa_nodes", json_integer(s.numa_nodes));
	json_object_set_new(tj, "cores", json_integer(s.cores));
	json_object_set_new(tj, "pus", json_integer(s.pus));
	json_object_set_new(tj, "smt", json_boolean(s.smt));
	json_object_set_new(c, "topology", tj);
	json_object_set_new(c, "allowed_cpus", json_string(s.allowed_cpus));
	json_object_set_new(c, "online_cpus", json_integer(sysconf(_SC_NPROCESSORS_ONLN)));

	json_object_set_new(c, "compiler", json_string(__VERSION__));
	json_object_set_new(c, "cflags", json_string(LB_CFLAGS));

	json_t *timer = json_object();
	json_object_set_new(timer, "source", json_string(lb_timer.source));
	json_object_set_new(timer, "cost_ns", num(lb_timer.cost_ns));
	json_object_set_new(timer, "ns_per_tick", num(lb_timer.ns_per_tick));
	if (lb_timer.tsc_hz > 0)
		json_object_set_new(timer, "tsc_hz", num(lb_timer.tsc_hz));
	json_object_set_new(c, "timer", timer);
	json_object_set_new(c, "busy_iterations_per_us", num(lb_busy_iters_per_ns * 1000.0));

	json_object_set_new(c, "cpufreq_governor",
			    str_or_null(read_line("/sys/devices/system/cpu/cpu0/cpufreq/scaling_governor", buf, sizeof buf)));
	json_object_set_new(c, "smt_control", str_or_null(read_line("/sys/devices/system/cpu/smt/control", buf, sizeof buf)));
	double load[3];
	if (getloadavg(load, 3) == 3) {
		json_t *la = json_array();
		for (int i = 0; i < 3; i++)
			json_array_append_new(la, json_real(load[i]));
		json_object_set_new(c, "loadavg", la);
	}
	return c;
}

json_t *lb_params_json(const struct lb_param *decl, const union lb_value *vals)
{
	json_t *o = json_object();
	size_t n = lb_params_count(decl);
	for (size_t i = 0; i < n; i++) {
		json_t *v;
		switch (decl[i].type) {
		case LB_PARAM_BOOL:
			v = json_boolean(vals[i].i);
			break;
		case LB_PARAM_STRING:
			v = json_string(vals[i].s ? vals[i].s : "");
			break;
		default:
			v = json_integer(vals[i].i);
			break;
		}
		json_object_set_new(o, decl[i].name, v);
	}
	return o;
}

json_t *lb_config_json(const char *id, const struct lb_lock_choice *lock, const struct lb_wl_choice *wl,
		       unsigned nthreads, const char *pin_policy, const int *pus, bool oversubscribed)
{
	json_t *c = json_object();
	json_object_set_new(c, "id", json_string(id));
	json_t *l = json_object();
	json_object_set_new(l, "name", json_string(lock->ops->name));
	json_object_set_new(l, "params", lb_params_json(lock->ops->params, lock->params));
	if (lock->source)
		json_object_set_new(l, "plugin", json_string(lock->source));
	json_object_set_new(c, "lock", l);
	json_t *w = json_object();
	json_object_set_new(w, "name", json_string(wl->wl->name));
	json_object_set_new(w, "params", lb_params_json(wl->wl->params, wl->params));
	json_object_set_new(c, "workload", w);
	json_object_set_new(c, "threads", json_integer(nthreads));
	json_t *p = json_object();
	json_object_set_new(p, "policy", json_string(pin_policy));
	json_t *pa = json_array();
	for (unsigned i = 0; i < nthreads; i++)
		json_array_append_new(pa, pus[i] >= 0 ? json_integer(pus[i]) : json_null());
	json_object_set_new(p, "pus", pa);
	json_object_set_new(p, "oversubscribed", json_boolean(oversubscribed));
	json_object_set_new(c, "pin", p);
	json_object_set_new(c, "status", json_string("ok"));
	json_object_set_new(c, "samples", json_array());
	return c;
}

json_t *lb_latency_json(const struct lb_hist *h)
{
	if (h->count == 0)
		return json_null();
	static const struct { const char *key; double pct; } pts[] = {
		{ "p50", 50 }, { "p90", 90 }, { "p99", 99 }, { "p999", 99.9 }, { "p9999", 99.99 },
	};
	json_t *o = json_object();
	json_object_set_new(o, "count", json_integer((json_int_t)h->count));
	json_object_set_new(o, "mean", num(lb_hist_mean(h) * lb_timer.ns_per_tick));
	for (size_t i = 0; i < sizeof pts / sizeof pts[0]; i++)
		json_object_set_new(o, pts[i].key, num(lb_ticks_to_ns(lb_hist_value_at(h, pts[i].pct))));
	json_object_set_new(o, "max", num(lb_ticks_to_ns(h->max)));
	return o;
}

static json_t *thread_json(const struct lb_thread *t, double duration_s, int64_t tick_ns, uint32_t slices,
			   bool starved)
{
	json_t *o = json_object();
	json_object_set_new(o, "id", json_integer(t->id));
	json_object_set_new(o, "pu", t->pu >= 0 ? json_integer(t->pu) : json_null());
	json_object_set_new(o, "acquisitions", json_integer((json_int_t)t->acquisitions));
	json_object_set_new(o, "throughput_per_s", num(duration_s > 0 ? (double)t->acquisitions / duration_s : NAN));
	json_object_set_new(o, "timed", json_integer((json_int_t)t->timed));
	json_object_set_new(o, "latency_ns", lb_latency_json(t->wait));
	json_object_set_new(o, "hold_ns", lb_latency_json(t->hold));
	json_object_set_new(o, "longest_gap_ns", json_integer((json_int_t)t->max_gap_ticks * tick_ns));
	json_object_set_new(o, "max_bypass", t->timed ? json_integer((json_int_t)t->max_bypass) : json_null());
	json_object_set_new(o, "try_failures", json_integer((json_int_t)t->try_failures));
	json_object_set_new(o, "poll_handoffs", json_integer((json_int_t)t->poll_handoffs));
	json_object_set_new(o, "violations", json_integer((json_int_t)t->violations));
	json_object_set_new(o, "starved", json_boolean(starved));
	json_t *tl = json_array();
	for (uint32_t i = 0; i < slices; i++)
		json_array_append_new(tl, json_integer(t->timeline[i]));
	json_object_set_new(o, "timeline", tl);
	return o;
}

json_t *lb_latency_curve_json(const struct lb_hist *h)
{
	/* The HdrHistogram-style axis: dense towards the tail. */
	static const double pcts[] = { 0,  10, 20, 30,   40,    50,    60,     70,     75,     80,   85,
				       90, 95, 97, 98,   99,    99.5,  99.7,   99.9,   99.95,  99.97, 99.99,
				       99.995, 99.999, 99.9995, 99.9999, 100 };
	if (h->count == 0)
		return json_null();
	json_t *a = json_array();
	for (size_t i = 0; i < sizeof pcts / sizeof pcts[0]; i++) {
		json_t *pt = json_array();
		json_array_append_new(pt, json_real(pcts[i]));
		json_array_append_new(pt, num(lb_ticks_to_ns(lb_hist_value_at(h, pcts[i]))));
		json_array_append_new(a, pt);
	}
	return a;
}

static json_t *fairness_json(const struct lb_fairness *f)
{
	json_t *o = json_object();
	json_object_set_new(o, "jain", num(f->jain));
	json_object_set_new(o, "rsd", num(f->rsd));
	json_object_set_new(o, "fairness_factor", num(f->fairness_factor));
	json_object_set_new(o, "max_min_ratio", num(f->max_min_ratio));
	json_object_set_new(o, "min", json_integer((json_int_t)f->min));
	json_object_set_new(o, "max", json_integer((json_int_t)f->max));
	json_object_set_new(o, "locktorture_starved", json_boolean(f->starved));
	return o;
}

static json_t *short_term_json(const struct lb_outcome *out)
{
	unsigned n = out->run.nthreads;
	size_t bytes = lb_short_term_scratch_size(n, out->norder);
	void *scratch = bytes == SIZE_MAX ? NULL : malloc(bytes ? bytes : 1);
	if (scratch == NULL)
		return json_null();
	struct lb_short_term st;
	lb_short_term_compute(out->order, out->norder, n, 0, scratch, &st);
	free(scratch);
	json_t *o = json_object();
	json_object_set_new(o, "covered", json_integer((json_int_t)st.covered));
	json_object_set_new(o, "window", json_integer(st.window));
	json_object_set_new(o, "lwss", num(st.lwss));
	json_object_set_new(o, "mttr", num(st.mttr));
	json_object_set_new(o, "handover_ratio", num(st.handover_ratio));
	return o;
}

static json_t *starvation_json(const struct lb_outcome *out)
{
	json_t *o = json_object();
	uint64_t max_gap = 0, bypass = 0, timed = 0;
	json_t *ids = json_array();
	for (unsigned i = 0; i < out->run.nthreads; i++) {
		const struct lb_thread *t = &out->run.threads[i];
		if (t->max_gap_ticks > max_gap)
			max_gap = t->max_gap_ticks;
		if (t->max_bypass > bypass)
			bypass = t->max_bypass;
		timed += t->timed;
		if (out->starved && out->starved[i])
			json_array_append_new(ids, json_integer(i));
	}
	json_object_set_new(o, "starved", json_boolean(out->nstarved > 0));
	json_object_set_new(o, "starved_threads", ids);
	json_object_set_new(o, "max_wait_ns", out->wait->count ? num(lb_ticks_to_ns(out->wait->max)) : json_null());
	json_object_set_new(o, "longest_gap_ns", json_integer((json_int_t)(max_gap * (uint64_t)out->tick_ns)));
	json_object_set_new(o, "coarse_resolution_ns", json_integer(out->tick_ns));
	json_object_set_new(o, "max_bypass", timed ? json_integer((json_int_t)bypass) : json_null());
	json_object_set_new(o, "share_threshold", json_real(LB_STARVE_SHARE));
	json_object_set_new(o, "gap_threshold", json_real(LB_STARVE_GAP));
	return o;
}

/* One metric of every ok sample: median, min, max and a 95% CI of the median. */
static json_t *summarize(json_t *samples, const char *obj, const char *key)
{
	size_t n = json_array_size(samples), k = 0, i;
	double *v = calloc(n ? n : 1, sizeof *v);
	json_t *s;
	json_array_foreach(samples, i, s) {
		if (strcmp(json_string_value(json_object_get(s, "status")) ?: "", "ok") != 0)
			continue;
		json_t *holder = obj ? json_object_get(s, obj) : s;
		json_t *x = json_object_get(holder, key);
		if (json_is_number(x))
			v[k++] = json_number_value(x);
	}
	json_t *o = json_object();
	json_object_set_new(o, "n", json_integer((json_int_t)k));
	if (k > 0) {
		double lo, hi, mn = v[0], mx = v[0];
		for (size_t j = 1; j < k; j++) {
			mn = v[j] < mn ? v[j] : mn;
			mx = v[j] > mx ? v[j] : mx;
		}
		bool exact = lb_stats_median_ci95(v, k, &lo, &hi);
		json_object_set_new(o, "median", num(lb_stats_median(v, k)));
		json_object_set_new(o, "min", num(mn));
		json_object_set_new(o, "max", num(mx));
		json_object_set_new(o, "ci95_low", num(lo));
		json_object_set_new(o, "ci95_high", num(hi));
		json_object_set_new(o, "ci95_reached", json_boolean(exact));
	}
	free(v);
	return o;
}

void lb_config_summarize_json(json_t *config)
{
	static const struct { const char *name, *obj, *key; } metrics[] = {
		{ "throughput_per_s", NULL, "throughput_per_s" },
		{ "p50_ns", "latency_ns", "p50" },
		{ "p99_ns", "latency_ns", "p99" },
		{ "p999_ns", "latency_ns", "p999" },
		{ "max_wait_ns", "latency_ns", "max" },
		{ "jain", "fairness", "jain" },
		{ "fairness_factor", "fairness", "fairness_factor" },
		{ "handover_ratio", "short_term", "handover_ratio" },
		{ "longest_gap_ns", "starvation", "longest_gap_ns" },
		{ "pingpong_ns", NULL, "pingpong_ns" },
	};
	json_t *samples = json_object_get(config, "samples");
	json_t *sum = json_object();
	for (size_t i = 0; i < sizeof metrics / sizeof metrics[0]; i++)
		json_object_set_new(sum, metrics[i].name, summarize(samples, metrics[i].obj, metrics[i].key));
	bool starved = false;
	size_t i;
	json_t *s;
	json_array_foreach(samples, i, s)
		starved |= json_is_true(json_object_get(json_object_get(s, "starvation"), "starved"));
	json_object_set_new(sum, "starved", json_boolean(starved));
	json_object_set_new(config, "summary", sum);
}

json_t *lb_sample_json(const struct lb_outcome *out, unsigned repetition, int64_t sample_every)
{
	json_t *s = json_object();
	json_object_set_new(s, "repetition", json_integer(repetition));
	json_object_set_new(s, "status", json_string(lb_status_name(out->status)));
	if (out->message[0])
		json_object_set_new(s, "message", json_string(out->message));
	json_object_set_new(s, "duration_s", json_real(out->duration_s));
	if (out->status == LB_STATUS_HUNG || out->run.threads == NULL)
		return s;
	json_object_set_new(s, "acquisitions", json_integer((json_int_t)out->acquisitions));
	json_object_set_new(s, "throughput_per_s",
			    num(out->duration_s > 0 ? (double)out->acquisitions / out->duration_s : NAN));
	json_object_set_new(s, "latency_ns", lb_latency_json(out->wait));
	json_object_set_new(s, "hold_ns", lb_latency_json(out->hold));
	json_object_set_new(s, "handoff_ns", lb_latency_json(out->handoff));
	json_object_set_new(s, "violations", json_integer((json_int_t)out->violations));
	json_object_set_new(s, "release_errors", json_integer((json_int_t)out->release_errors));
	json_object_set_new(s, "verify_failures", json_integer(out->verify_failures));
	json_t *timing = json_object();
	json_object_set_new(timing, "sample_every", json_integer(sample_every));
	json_object_set_new(timing, "coarse_tick_ns", json_integer(out->tick_ns));
	json_object_set_new(timing, "slice_ns", json_integer(out->slice_ns));
	json_object_set_new(s, "timing", timing);
	json_t *lc = json_object();
	for (size_t i = 0; i < out->ncounters; i++)
		json_object_set_new(lc, out->counters[i].name, json_integer((json_int_t)out->counters[i].value));
	json_object_set_new(s, "lock_counters", lc);

	json_object_set_new(s, "latency_curve", lb_latency_curve_json(out->wait));
	json_object_set_new(s, "pingpong_ns", num(out->pingpong_ns));
	json_object_set_new(s, "fairness", fairness_json(&out->fair));
	json_object_set_new(s, "short_term", short_term_json(out));
	json_object_set_new(s, "starvation", starvation_json(out));

	uint32_t slices = out->run.nthreads ? out->run.threads[0].timeline_len : 0;
	uint32_t used = (uint32_t)(out->duration_s * 1e9 / (double)out->slice_ns) + 1;
	if (used < slices)
		slices = used;
	json_t *threads = json_array();
	for (unsigned i = 0; i < out->run.nthreads; i++)
		json_array_append_new(threads, thread_json(&out->run.threads[i], out->duration_s, out->tick_ns, slices,
							   out->starved && out->starved[i]));
	json_object_set_new(s, "threads", threads);
	return s;
}

static int dump(FILE *f, void *doc)
{
	const size_t flags = JSON_INDENT(1) | JSON_PRESERVE_ORDER | JSON_REAL_PRECISION(10);
	return json_dumpf(doc, f, flags) != 0 || fputc('\n', f) == EOF ? -1 : 0;
}

int lb_json_write_atomic(json_t *doc, const char *path, char *err, size_t errlen)
{
	return lb_output_write(path, dump, doc, err, errlen);
}
