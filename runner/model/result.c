/*
 * model/result.c — the result model's lifecycle and the per-config summary.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/stats.h"
#include "model/model.h"

static const char *const status_names[LB_RS_COUNT] = {
	[LB_RS_OK] = "ok",	     [LB_RS_FAILED] = "failed",		  [LB_RS_HUNG] = "hung",
	[LB_RS_ERROR] = "error", [LB_RS_INTERRUPTED] = "interrupted", [LB_RS_DEADLOCK] = "deadlock",
	[LB_RS_CRASHED] = "crashed", [LB_RS_NOT_RUN] = "not_run",
};

const char *lb_result_status_name(enum lb_result_status s)
{
	return (unsigned)s < LB_RS_COUNT ? status_names[s] : "?";
}

const char *lb_timing_mode_name(int64_t sample_every, char *buf, size_t len)
{
	if (sample_every == 0)
		snprintf(buf, len, "off");
	else if (sample_every == 1)
		snprintf(buf, len, "all");
	else
		snprintf(buf, len, "sample:%lld", (long long)sample_every);
	return buf;
}

int lb_result_status_parse(const char *name)
{
	for (int i = 0; i < LB_RS_COUNT; i++)
		if (strcmp(status_names[i], name) == 0)
			return i;
	return -1;
}

/* Out of memory while building a result: nothing sensible is left to do. */
static void out_of_memory(void)
{
	fputs("lockbench: out of memory\n", stderr);
	exit(2);
}

char *lb_strdup(const char *s)
{
	if (s == NULL)
		return NULL;
	char *d = strdup(s);
	if (d == NULL)
		out_of_memory();
	return d;
}

void lb_context_init(struct lb_context *x)
{
	memset(x, 0, sizeof *x);
	x->online_cpus = -1;
	x->options.grace_ns = x->options.order_log_cap = -1;
	x->timer_cost_ns = x->timer_ns_per_tick = x->timer_tsc_hz = NAN;
	x->busy_iterations_per_us = x->busy_before_run = NAN;
	x->timing_overhead_ns = NAN;
}

struct lb_result *lb_result_new(void)
{
	struct lb_result *r = calloc(1, sizeof *r);
	if (r == NULL)
		return NULL;
	r->schema = strdup(LB_SCHEMA);
	if (r->schema == NULL) {
		free(r);
		return NULL;
	}
	lb_context_init(&r->context);
	return r;
}

/* Grow *arr (of *cap elements of size each) to hold n + 1; false when out of memory. */
static bool grow(void **arr, size_t *cap, size_t n, size_t size)
{
	if (n < *cap)
		return true;
	size_t ncap = *cap ? 2 * *cap : 4;
	void *p = realloc(*arr, ncap * size);
	if (p == NULL)
		return false;
	*arr = p;
	*cap = ncap;
	return true;
}

struct lb_config *lb_result_add_config(struct lb_result *r)
{
	if (!grow((void **)&r->configs, &r->configs_cap, r->nconfigs, sizeof *r->configs))
		return NULL;
	struct lb_config *c = &r->configs[r->nconfigs++];
	memset(c, 0, sizeof *c);
	return c;
}

struct lb_sample *lb_config_add_sample(struct lb_config *c)
{
	if (!grow((void **)&c->samples, &c->samples_cap, c->nsamples, sizeof *c->samples))
		return NULL;
	struct lb_sample *s = &c->samples[c->nsamples++];
	memset(s, 0, sizeof *s);
	s->pingpong_ns = NAN;
	s->starvation.max_wait_ns = NAN;
	return s;
}

const struct lb_config *lb_result_find(const struct lb_result *r, const char *id)
{
	for (size_t i = 0; r != NULL && i < r->nconfigs; i++)
		if (r->configs[i].id != NULL && strcmp(r->configs[i].id, id) == 0)
			return &r->configs[i];
	return NULL;
}

const struct lb_config *lb_result_find_on(const struct lb_result *r, const char *machine, const char *id)
{
	for (size_t i = 0; r != NULL && i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		if (c->id != NULL && strcmp(c->id, id) == 0 &&
		    (machine && c->machine ? strcmp(machine, c->machine) == 0 : machine == c->machine))
			return c;
	}
	return NULL;
}

const struct lb_machine *lb_result_machine(const struct lb_result *r, const char *name)
{
	for (size_t i = 0; r != NULL && i < r->context.nmachines; i++)
		if (strcmp(r->context.machines[i].name, name) == 0)
			return &r->context.machines[i];
	return NULL;
}

static void kvs_clear(struct lb_kvs *kv)
{
	for (size_t i = 0; i < kv->n; i++) {
		free(kv->v[i].name);
		free(kv->v[i].s);
	}
	free(kv->v);
	kv->v = NULL;
	kv->n = 0;
}

void lb_sample_clear(struct lb_sample *s)
{
	free(s->message);
	for (size_t i = 0; i < s->ncounters; i++)
		free(s->counters[i].name);
	free(s->counters);
	for (size_t i = 0; i < s->nfigures; i++)
		free(s->figures[i].name);
	free(s->figures);
	free(s->starvation.starved_threads);
	for (int r = 0; r < LB_SR_COUNT; r++) {
		free(s->roles[r].starved_threads);
		free(s->roles[r].per_thread);
	}
	for (size_t i = 0; i < s->nthreads; i++)
		free(s->threads[i].timeline);
	free(s->threads);
	lb_sample_clear_faults(s);
	memset(s, 0, sizeof *s);
}

void lb_config_clear(struct lb_config *c)
{
	free(c->id);
	free(c->label);
	free(c->lock_name);
	kvs_clear(&c->lock_params);
	free(c->lock_plugin);
	free(c->lock_timed);
	free(c->workload_name);
	kvs_clear(&c->workload_params);
	free(c->pin_policy);
	free(c->pus);
	for (size_t i = 0; i < c->nsamples; i++)
		lb_sample_clear(&c->samples[i]);
	free(c->samples);
	free(c->machine);
	memset(c, 0, sizeof *c);
}

/* Every string a context owns directly (lb_context_clear and lb_context_copy go through it). */
#define CONTEXT_STRINGS(x)                                                                                     \
	&(x)->version, &(x)->git_commit, &(x)->command_line, &(x)->started_utc, &(x)->host, &(x)->kernel,       \
		&(x)->arch, &(x)->os, &(x)->cpu_model, &(x)->allowed_cpus, &(x)->compiler, &(x)->cflags,       \
		&(x)->timer_source, &(x)->cpufreq_governor, &(x)->smt_control, &(x)->options.pin,             \
		&(x)->options.busy_rate, &(x)->timing_mode, &(x)->timing_overhead_method, &(x)->merged_by

static char **strings_copy(char *const *v, size_t n)
{
	if (v == NULL)
		return NULL;
	char **out = calloc(n ? n : 1, sizeof *out);
	if (out == NULL)
		out_of_memory();
	for (size_t i = 0; i < n; i++)
		out[i] = lb_strdup(v[i]);
	return out;
}

static void strings_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

static void machine_clear(struct lb_machine *m)
{
	free(m->name);
	strings_free(m->hosts, m->nhosts);
	for (size_t i = 0; i < m->nshards; i++) {
		free(m->shards[i].result);
		free(m->shards[i].state);
		free(m->shards[i].host);
	}
	free(m->shards);
	if (m->context != NULL)
		lb_context_clear(m->context);
	free(m->context);
}

void lb_context_clear(struct lb_context *x)
{
	char **strings[] = { CONTEXT_STRINGS(x) };
	for (size_t i = 0; i < sizeof strings / sizeof strings[0]; i++)
		free(*strings[i]);
	strings_free(x->argv, x->argc);
	strings_free(x->merged_from, x->nmerged_from);
	for (size_t i = 0; i < x->nmachines; i++)
		machine_clear(&x->machines[i]);
	free(x->machines);
	memset(x, 0, sizeof *x);
}

void lb_context_copy(struct lb_context *dst, const struct lb_context *src)
{
	*dst = *src; /* numbers and flags; every pointer is replaced below */
	char **to[] = { CONTEXT_STRINGS(dst) };
	char *const *from[] = { CONTEXT_STRINGS(src) };
	for (size_t i = 0; i < sizeof to / sizeof to[0]; i++)
		*to[i] = lb_strdup(*from[i]);
	dst->argv = strings_copy(src->argv, src->argc);
	dst->merged_from = strings_copy(src->merged_from, src->nmerged_from);
	if (src->machines == NULL)
		return;
	dst->machines = calloc(src->nmachines ? src->nmachines : 1, sizeof *dst->machines);
	if (dst->machines == NULL)
		out_of_memory();
	for (size_t i = 0; i < src->nmachines; i++) {
		const struct lb_machine *a = &src->machines[i];
		struct lb_machine *b = &dst->machines[i];
		b->name = lb_strdup(a->name);
		b->hosts = strings_copy(a->hosts, a->nhosts);
		b->nhosts = a->nhosts;
		b->nshards = a->nshards;
		b->shards = calloc(a->nshards ? a->nshards : 1, sizeof *b->shards);
		if (b->shards == NULL)
			out_of_memory();
		for (size_t k = 0; k < a->nshards; k++)
			b->shards[k] = (struct lb_shard_info){ a->shards[k].shard, lb_strdup(a->shards[k].result),
							       lb_strdup(a->shards[k].state),
							       lb_strdup(a->shards[k].host) };
		if (a->context != NULL) {
			b->context = malloc(sizeof *b->context);
			if (b->context == NULL)
				out_of_memory();
			lb_context_copy(b->context, a->context);
		}
	}
}

void lb_result_free(struct lb_result *r)
{
	if (r == NULL)
		return;
	for (size_t i = 0; i < r->nconfigs; i++)
		lb_config_clear(&r->configs[i]);
	free(r->configs);
	lb_context_clear(&r->context);
	for (size_t i = 0; i < r->nmissing; i++) {
		free(r->missing[i].machine);
		free(r->missing[i].config);
		free(r->missing[i].state);
		free(r->missing[i].reason);
	}
	free(r->missing);
	free(r->schema);
	free(r);
}

/* One metric over the ok samples: median, min, max and the order-statistic 95% CI of the median. */
static void summarize_metric(const struct lb_config *c, const struct lb_metric *m, double *scratch,
			     struct lb_stat *out)
{
	size_t k = 0;
	for (size_t i = 0; i < c->nsamples; i++) {
		if (c->samples[i].status != LB_RS_OK)
			continue;
		double v = m->get(&c->samples[i]);
		if (isfinite(v)) /* as stored: a non-finite figure is written as null */
			scratch[k++] = v;
	}
	*out = (struct lb_stat){ .n = k, .median = NAN, .min = NAN, .max = NAN, .ci95_low = NAN, .ci95_high = NAN };
	if (k == 0)
		return;
	out->min = out->max = scratch[0];
	for (size_t j = 1; j < k; j++) {
		out->min = scratch[j] < out->min ? scratch[j] : out->min;
		out->max = scratch[j] > out->max ? scratch[j] : out->max;
	}
	out->ci95_reached = lb_stats_median_ci95(scratch, k, &out->ci95_low, &out->ci95_high);
	out->median = lb_stats_median(scratch, k);
}

void lb_config_summarize(struct lb_config *c)
{
	double *scratch = malloc((c->nsamples ? c->nsamples : 1) * sizeof *scratch);
	if (scratch == NULL)
		out_of_memory();
	memset(&c->summary, 0, sizeof c->summary);
	c->summary.present = true;
	for (size_t m = 0; m < LB_M_COUNT; m++)
		summarize_metric(c, &lb_metrics[m], scratch, &c->summary.stat[m]);
	for (size_t i = 0; i < c->nsamples; i++) {
		const struct lb_sample *s = &c->samples[i];
		c->summary.starved |= s->has_starvation && s->starvation.starved;
		c->summary.unsteady |= s->has_regime && s->regime.has_steady && !s->regime.steady;
		c->summary.scheduler_bound |= s->has_regime && s->regime.has_scheduler_bound && s->regime.scheduler_bound;
		c->summary.has_roles |= s->has_roles;
		c->summary.reader_starved |= s->has_roles && s->roles[LB_SR_READ].starved;
		c->summary.writer_starved |= s->has_roles && s->roles[LB_SR_WRITE].starved;
	}
	free(scratch);
}
