/*
 * render/plot_series.c — what a result's charts are made of: one series per
 * lock variant and workload, its points (one config per thread count), its
 * colour and key title, and the one repetition the per-thread charts show.
 *
 * A series' keys are parts of the config id read with the identity codec
 * (model/identity.h), never rebuilt from the config's names and parameters,
 * so plot groups configs exactly as compare pairs them.
 *
 * Colours: a lock keeps one colour in every chart, taken from a fixed
 * palette by the lock's position in the result (first appearance in
 * "configs").
 *
 * A merged result of several machines (lockbench merge) holds a config id
 * once per machine: a series is then a lock variant and workload on one
 * machine, titled "lock @ machine", in the lock's colour with a dash type
 * of its own, so the throughput chart shows a lock's scaling on each
 * machine side by side.
 *
 * With several repetitions the per-thread charts (latency, fairness,
 * timeline) show one real repetition rather than a blend that never
 * happened: the one whose throughput is the median (the lower median for an
 * even count).
 *
 * Everything here sorts (plot_labels.c) rather than scanning once per
 * item, so n configs, locks or parameters cost n log n, whatever the input
 * holds.
 */
#define _GNU_SOURCE
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/identity.h"
#include "render/plot_int.h"

/* Okabe & Ito's colour-blind-safe palette; a lock's colour is palette[index % 8]. */
static const unsigned palette[] = {
	0x0072b2, /* blue */
	0xd55e00, /* vermillion */
	0x009e73, /* bluish green */
	0xcc79a7, /* reddish purple */
	0xe69f00, /* orange */
	0x56b4e9, /* sky blue */
	0x000000, /* black */
	0x999999, /* grey */
};
#define PALETTE_LEN (sizeof palette / sizeof palette[0])

void plot_note(struct plot_model *m, const char *fmt, ...)
{
	struct lb_plot_report *rep = m->rep;
	if (rep == NULL || rep->nnotes == LB_PLOT_MAX_NOTES)
		return;
	va_list ap;
	va_start(ap, fmt);
	char *text;
	if (vasprintf(&text, fmt, ap) >= 0) {
		plot_clean(text);
		rep->notes[rep->nnotes++] = text;
	}
	va_end(ap);
}

bool plot_sample_usable(const struct lb_sample *s)
{
	return s->status == LB_RS_OK && s->has_figures && isfinite(s->throughput_per_s);
}

/* ---- the median repetition ---- */

static int by_throughput(const void *a, const void *b)
{
	const struct lb_sample *x = *(const struct lb_sample *const *)a, *y = *(const struct lb_sample *const *)b;
	if (x->throughput_per_s != y->throughput_per_s)
		return x->throughput_per_s < y->throughput_per_s ? -1 : 1;
	return (x > y) - (x < y); /* ties in repetition order: the samples are one array */
}

/* The usable sample of c with the median throughput (the lower median), NULL if none; *nok: usable ones. */
static const struct lb_sample *median_sample(const struct lb_config *c, size_t *nok, bool *oom)
{
	*nok = 0;
	if (c->nsamples == 0)
		return NULL;
	const struct lb_sample **ok = plot_alloc_n(c->nsamples, sizeof *ok);
	if (ok == NULL) {
		*oom = true;
		return NULL;
	}
	size_t n = 0;
	for (size_t i = 0; i < c->nsamples; i++)
		if (plot_sample_usable(&c->samples[i]))
			ok[n++] = &c->samples[i];
	qsort(ok, n, sizeof *ok, by_throughput);
	const struct lb_sample *median = n ? ok[(n - 1) / 2] : NULL;
	*nok = n;
	free(ok);
	return median;
}

/* ---- series and points ---- */

/* What the identity codec says of one config, for the time of plot_series_build. */
struct cfg_text {
	char *lock_key, *lock_name, *lock_params, *wl_key, *wl_name, *wl_params;
};

static void cfg_text_free(struct cfg_text *t)
{
	free(t->lock_key), free(t->lock_name), free(t->lock_params), free(t->wl_key), free(t->wl_name), free(t->wl_params);
}

/* Per config: its text, and the numbers of its lock, workload, machine and series; per number its first config. */
struct cfg_keys {
	const struct lb_result *r;
	struct cfg_text *t;
	size_t *lock_id, *wl_id, *machine_id, *series_id, *lock_first, *wl_first, *machine_first, *series_first;
};

static const char *machine_of(const struct cfg_keys *k, size_t i)
{
	return k->r->configs[i].machine ? k->r->configs[i].machine : "";
}

static int machine_cmp(size_t a, size_t b, void *ctx)
{
	return strcmp(machine_of(ctx, a), machine_of(ctx, b));
}

static int lock_cmp(size_t a, size_t b, void *ctx)
{
	const struct cfg_keys *k = ctx;
	return strcmp(k->t[a].lock_key, k->t[b].lock_key);
}

static int wl_cmp(size_t a, size_t b, void *ctx)
{
	const struct cfg_keys *k = ctx;
	return strcmp(k->t[a].wl_key, k->t[b].wl_key);
}

static int pair_cmp(size_t a, size_t b, void *ctx)
{
	const struct cfg_keys *k = ctx;
	if (k->lock_id[a] != k->lock_id[b])
		return (k->lock_id[a] > k->lock_id[b]) - (k->lock_id[a] < k->lock_id[b]);
	if (k->wl_id[a] != k->wl_id[b])
		return (k->wl_id[a] > k->wl_id[b]) - (k->wl_id[a] < k->wl_id[b]);
	return (k->machine_id[a] > k->machine_id[b]) - (k->machine_id[a] < k->machine_id[b]);
}

static char *dup_or_null(const char *s, bool *oom)
{
	char *d = strdup(s);
	*oom |= d == NULL;
	return d;
}

/* The lock key without the ':' of a lock without parameters ("ticket:" is "ticket"). */
static void trim_colon(char *key)
{
	size_t n = strlen(key);
	if (n > 0 && key[n - 1] == ':')
		key[n - 1] = '\0';
}

void plot_identity_keys(const struct lb_identity *id, char *lock, char *wl, size_t len)
{
	static struct lb_identity w; /* 5 KiB: not on the stack */
	lb_identity_lock_key(id, lock, len);
	trim_colon(lock);
	/* The workload field, escaped as the codec escapes the lock's. */
	snprintf(w.lock, sizeof w.lock, "%s", id->workload);
	snprintf(w.lock_params, sizeof w.lock_params, "%s", id->workload_params);
	lb_identity_lock_key(&w, wl, len);
	trim_colon(wl);
}

/* Read every config id with the codec into k. */
static int read_ids(const struct lb_result *r, struct cfg_keys *k, char *err, size_t errlen)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX], why[256];
	bool oom = false;
	for (size_t i = 0; i < r->nconfigs && !oom; i++) {
		const struct lb_config *c = &r->configs[i];
		if (c->id == NULL || lb_identity_parse(c->id, &id, why, sizeof why) != 0) {
			snprintf(err, errlen, "configs[%zu].id: %s", i, c->id == NULL ? "missing" : why);
			return -1;
		}
		plot_identity_keys(&id, lock, wl, PLOT_KEY_MAX);
		struct cfg_text *t = &k->t[i];
		t->lock_key = dup_or_null(lock, &oom), t->lock_name = dup_or_null(id.lock, &oom);
		t->lock_params = dup_or_null(id.lock_params, &oom), t->wl_key = dup_or_null(wl, &oom);
		t->wl_name = dup_or_null(id.workload, &oom), t->wl_params = dup_or_null(id.workload_params, &oom);
	}
	if (oom) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	return 0;
}

/* Key titles: the lock's short label, and the workload's when there are several. */
static int label_series(struct plot_model *m, const struct cfg_keys *k)
{
	const char **names = plot_alloc_n(m->nlocks + m->nwls, sizeof *names);
	const char **params = plot_alloc_n(m->nlocks + m->nwls, sizeof *params);
	char *lock_labels = plot_alloc_n(m->nlocks, 256);
	m->wl_labels = plot_alloc_n(m->nwls, 256);
	int rc = -1;
	if (names == NULL || params == NULL || lock_labels == NULL || m->wl_labels == NULL)
		goto out;
	for (size_t i = 0; i < m->nlocks; i++)
		names[i] = k->t[k->lock_first[i]].lock_name, params[i] = k->t[k->lock_first[i]].lock_params;
	for (size_t i = 0; i < m->nwls; i++)
		names[m->nlocks + i] = k->t[k->wl_first[i]].wl_name, params[m->nlocks + i] = k->t[k->wl_first[i]].wl_params;
	if (plot_short_labels(names, params, m->nlocks, lock_labels, 256) != 0 ||
	    plot_short_labels(names + m->nlocks, params + m->nlocks, m->nwls, m->wl_labels, 256) != 0)
		goto out;
	for (size_t s = 0; s < m->nseries; s++) {
		struct plot_series *se = &m->series[s];
		snprintf(se->label, sizeof se->label, "%s", lock_labels + se->lock_index * 256);
		if (m->nwls > 1)
			plot_append(se->label, sizeof se->label, " / %s", m->wl_labels + se->wl_index * 256);
		if (m->by_machine)
			plot_append(se->label, sizeof se->label, " @ %s", se->machine ? se->machine : "?");
	}
	rc = 0;
out:
	free(names), free(params), free(lock_labels);
	return rc;
}

static int point_cmp(const void *a, const void *b, void *arg)
{
	const size_t *series_id = arg;
	const struct plot_point *x = a, *y = b;
	/* The configs are one array: their addresses are their order. */
	size_t sx = series_id[x->index], sy = series_id[y->index];
	if (sx != sy)
		return (sx > sy) - (sx < sy);
	if (x->config->threads != y->config->threads)
		return x->config->threads < y->config->threads ? -1 : 1;
	return (x->index > y->index) - (x->index < y->index);
}

static int uint_cmp(const void *a, const void *b)
{
	unsigned x = *(const unsigned *)a, y = *(const unsigned *)b;
	return (x > y) - (x < y);
}

/*
 * Each config with a usable sample is a point of its series; a second config
 * of the same series and thread count (another pin) is left out, as the first
 * one in the result stands for it.
 */
static int build_points(struct plot_model *m, const size_t *series_id)
{
	const struct lb_result *r = m->result;
	m->points = plot_alloc_n(r->nconfigs, sizeof *m->points);
	m->tcounts = plot_alloc_n(r->nconfigs, sizeof *m->tcounts);
	if (m->points == NULL || m->tcounts == NULL)
		return -1;
	bool oom = false;
	for (size_t i = 0; i < r->nconfigs; i++) {
		const struct lb_config *c = &r->configs[i];
		size_t nok;
		const struct lb_sample *med = c->threads > 0 ? median_sample(c, &nok, &oom) : NULL;
		if (med != NULL)
			m->points[m->npoints++] = (struct plot_point){ c, med, nok, i };
	}
	if (oom)
		return -1;
	qsort_r(m->points, m->npoints, sizeof *m->points, point_cmp, (void *)series_id);
	size_t kept = 0;
	for (size_t i = 0; i < m->npoints; i++) {
		const struct plot_point *p = &m->points[i];
		size_t s = series_id[p->index];
		struct plot_series *se = &m->series[s];
		if (se->npoints > 0 && m->points[kept - 1].config->threads == p->config->threads)
			continue;
		if (se->npoints++ == 0)
			se->first = kept;
		m->points[kept++] = *p;
		m->tcounts[m->ntcounts++] = p->config->threads;
	}
	m->npoints = kept;
	qsort(m->tcounts, m->ntcounts, sizeof *m->tcounts, uint_cmp);
	size_t distinct = 0;
	for (size_t i = 0; i < m->ntcounts; i++)
		if (distinct == 0 || m->tcounts[distinct - 1] != m->tcounts[i])
			m->tcounts[distinct++] = m->tcounts[i];
	m->ntcounts = distinct;
	return 0;
}

/* Number the locks, workloads and series of the configs; the keys move into the model. */
static int number_series(struct plot_model *m, struct cfg_keys *k)
{
	size_t n = m->result->nconfigs;
	m->nlocks = plot_number_items(n, lock_cmp, k, k->lock_id, k->lock_first);
	m->nwls = plot_number_items(n, wl_cmp, k, k->wl_id, k->wl_first);
	m->nmachines = plot_number_items(n, machine_cmp, k, k->machine_id, k->machine_first);
	m->nseries = plot_number_items(n, pair_cmp, k, k->series_id, k->series_first);
	if (m->nlocks == (size_t)-1 || m->nwls == (size_t)-1 || m->nmachines == (size_t)-1 ||
	    m->nseries == (size_t)-1) {
		m->nlocks = m->nwls = m->nmachines = m->nseries = 0;
		return -1;
	}
	for (size_t i = 0; i < n && !m->by_machine; i++)
		m->by_machine = m->result->configs[i].machine != NULL;
	m->lock_keys = plot_alloc_n(m->nlocks, sizeof *m->lock_keys);
	m->wl_keys = plot_alloc_n(m->nwls, sizeof *m->wl_keys);
	m->series = plot_alloc_n(m->nseries, sizeof *m->series);
	if (m->lock_keys == NULL || m->wl_keys == NULL || m->series == NULL) {
		m->nlocks = m->nwls = m->nseries = 0;
		return -1;
	}
	for (size_t i = 0; i < m->nlocks; i++)
		m->lock_keys[i] = k->t[k->lock_first[i]].lock_key, k->t[k->lock_first[i]].lock_key = NULL;
	for (size_t i = 0; i < m->nwls; i++)
		m->wl_keys[i] = k->t[k->wl_first[i]].wl_key, k->t[k->wl_first[i]].wl_key = NULL;
	for (size_t s = 0; s < m->nseries; s++) {
		struct plot_series *se = &m->series[s];
		se->lock_index = k->lock_id[k->series_first[s]];
		se->wl_index = k->wl_id[k->series_first[s]];
		se->lock_key = m->lock_keys[se->lock_index];
		se->wl_key = m->wl_keys[se->wl_index];
		se->machine_index = k->machine_id[k->series_first[s]];
		se->machine = m->result->configs[k->series_first[s]].machine;
		se->rgb = palette[se->lock_index % PALETTE_LEN];
		se->dash = (unsigned)(se->wl_index * m->nmachines + se->machine_index + 1);
	}
	return 0;
}

int plot_series_build(struct plot_model *m, char *err, size_t errlen)
{
	size_t n = m->result->nconfigs;
	struct cfg_keys k = { .r = m->result, .t = plot_alloc_n(n, sizeof *k.t) };
	size_t **ids[] = { &k.lock_id,	&k.wl_id,    &k.machine_id,    &k.series_id,
			   &k.lock_first, &k.wl_first, &k.machine_first, &k.series_first };
	bool oom = k.t == NULL;
	int rc = -1;
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		oom |= (*ids[i] = plot_alloc_n(n, sizeof(size_t))) == NULL;
	m->blocks = plot_alloc_n(n, sizeof *m->blocks);
	if (oom || m->blocks == NULL)
		goto oom;
	if (read_ids(m->result, &k, err, errlen) != 0)
		goto out;
	if (number_series(m, &k) != 0 || label_series(m, &k) != 0 || build_points(m, k.series_id) != 0)
		goto oom;
	rc = 0;
	goto out;
oom:
	snprintf(err, errlen, "out of memory");
out:
	for (size_t i = 0; k.t != NULL && i < n; i++)
		cfg_text_free(&k.t[i]);
	free(k.t);
	for (size_t i = 0; i < sizeof ids / sizeof ids[0]; i++)
		free(*ids[i]);
	return rc;
}

int plot_choose_threads(struct plot_model *m, unsigned asked, char *err, size_t errlen)
{
	if (m->ntcounts == 0) {
		snprintf(err, errlen, "no ok samples to plot (every config failed, or none had finished)");
		return -1;
	}
	if (asked != 0 && bsearch(&asked, m->tcounts, m->ntcounts, sizeof *m->tcounts, uint_cmp) == NULL) {
		char have[256] = "";
		for (size_t i = 0; i < m->ntcounts && strlen(have) + 16 < sizeof have; i++)
			plot_append(have, sizeof have, "%s%u", i ? "," : "", m->tcounts[i]);
		if (strlen(have) + 16 >= sizeof have)
			plot_append(have, sizeof have, ",...");
		snprintf(err, errlen, "--threads: %s has no ok sample at %u threads (it has %s)", m->source, asked, have);
		return -1;
	}
	m->threads = asked ? asked : m->tcounts[m->ntcounts - 1];
	/* Each series' point at that thread count: binary search in its points. */
	for (size_t s = 0; s < m->nseries; s++) {
		struct plot_series *se = &m->series[s];
		size_t lo = se->first, hi = se->first + se->npoints;
		se->pick = NULL;
		while (lo < hi) {
			size_t mid = lo + (hi - lo) / 2;
			if (m->points[mid].config->threads < m->threads)
				lo = mid + 1;
			else
				hi = mid;
		}
		if (lo < se->first + se->npoints && m->points[lo].config->threads == m->threads)
			se->pick = &m->points[lo];
	}
	return 0;
}

/* Number of CPUs in a list such as "0-3,8,10-11"; 0 if it does not parse or is absurd. */
static unsigned count_cpu_list(const char *s)
{
	unsigned long n = 0;
	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return 0;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return 0;
		}
		if (b - a >= (1ul << 24) || (n += b - a + 1) >= (1ul << 24))
			return 0;
		if (*end != ',' && *end != '\0')
			return 0;
		s = *end == ',' ? end + 1 : end;
	}
	return (unsigned)n;
}

unsigned plot_pus(const struct lb_context *ctx)
{
	unsigned n = count_cpu_list(ctx->allowed_cpus);
	return n ? n : ctx->topo_pus;
}

void plot_model_free(struct plot_model *m)
{
	for (size_t i = 0; i < m->nlocks; i++)
		free(m->lock_keys[i]);
	for (size_t i = 0; i < m->nwls; i++)
		free(m->wl_keys[i]);
	free(m->lock_keys), free(m->wl_keys), free(m->wl_labels), free(m->series), free(m->points);
	free(m->tcounts), free(m->blocks);
}
