/*
 * analysis/history.c — a config's figures across a series of results.
 *
 * Configs are keyed by id, as compare pairs them (and by machine in a merged
 * result, where an id may be on several machines). A config may come and go
 * along the series; where a result lacks it the series has a hole (n == 0),
 * never a made-up value.
 */
#include "analysis/history.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* "id" or "id @ machine": a config's key in the series. */
static char *config_key(const struct lb_config *c)
{
	size_t len = strlen(c->id) + (c->machine ? strlen(c->machine) + 3 : 0) + 1;
	char *k = malloc(len);

	if (k)
		snprintf(k, len, c->machine ? "%s @ %s" : "%s", c->id, c->machine ? c->machine : "");
	return k;
}

/* The index of key among h's configs, adding it when new; SIZE_MAX when out of memory. */
static size_t find_or_add(struct lb_history *h, char *key, size_t cap)
{
	for (size_t i = 0; i < h->nconfigs; i++)
		if (strcmp(h->configs[i], key) == 0) {
			free(key);
			return i;
		}
	if (h->nconfigs == cap) {
		free(key);
		return SIZE_MAX;
	}
	h->configs[h->nconfigs] = key;
	return h->nconfigs++;
}

static void point_label(struct lb_history_point *pt, size_t i)
{
	const char *commit = pt->result->context.git_commit;

	snprintf(pt->label, sizeof pt->label, "#%zu %.24s", i + 1, commit ? commit : "?");
}

int lb_history_build(struct lb_history *h, struct lb_result **results, const char *const *files, size_t n,
		     size_t baseline, const struct lb_metric *const *metrics, size_t nmetrics, char *err,
		     size_t errlen)
{
	size_t cap = 0;

	memset(h, 0, sizeof *h);
	for (size_t p = 0; p < n; p++)
		cap += results[p]->nconfigs;
	h->points = calloc(n + 1, sizeof *h->points);
	h->configs = calloc(cap + 1, sizeof *h->configs);
	if (!h->points || !h->configs)
		goto oom;
	h->npoints = n;
	h->baseline = baseline;
	h->nmetrics = nmetrics;
	memcpy(h->metrics, metrics, nmetrics * sizeof *metrics);
	for (size_t p = 0; p < n; p++) {
		h->points[p] = (struct lb_history_point){ .result = results[p], .file = files[p] };
		point_label(&h->points[p], p);
		for (size_t c = 0; c < results[p]->nconfigs; c++)
			lb_config_summarize(&results[p]->configs[c]);
	}
	/* the baseline's configs first, in its order; then what the others add, in series order */
	for (size_t i = 0; i < n; i++) {
		const struct lb_result *r = results[i == 0 ? baseline : i - 1 + (i - 1 >= baseline)];

		for (size_t c = 0; c < r->nconfigs; c++) {
			char *key = config_key(&r->configs[c]);

			if (!key || find_or_add(h, key, cap) == SIZE_MAX)
				goto oom;
		}
	}
	h->stats = calloc(h->nconfigs * n * (nmetrics ? nmetrics : 1) + 1, sizeof *h->stats);
	if (!h->stats)
		goto oom;
	for (size_t p = 0; p < n; p++)
		for (size_t c = 0; c < results[p]->nconfigs; c++) {
			const struct lb_config *cfg = &results[p]->configs[c];
			char *key = config_key(cfg);
			size_t k;

			if (!key)
				goto oom;
			k = find_or_add(h, key, cap);
			for (size_t m = 0; m < nmetrics; m++)
				h->stats[(k * n + p) * nmetrics + m] = cfg->summary.stat[metrics[m]->id];
		}
	return 0;
oom:
	lb_history_free(h);
	snprintf(err, errlen, "out of memory");
	return -1;
}

void lb_history_free(struct lb_history *h)
{
	for (size_t i = 0; h->configs && i < h->nconfigs; i++)
		free(h->configs[i]);
	free(h->configs);
	free(h->points);
	free(h->stats);
	memset(h, 0, sizeof *h);
}

const struct lb_stat *lb_history_stat(const struct lb_history *h, size_t c, size_t p, size_t m)
{
	return &h->stats[(c * h->npoints + p) * h->nmetrics + m];
}
