/*
 * render/plot_labels.c — numbering keys by first appearance, and the short
 * key titles of a chart, by sorting: n keys cost n log n, never a scan of
 * every key for each key.
 */
#define _GNU_SOURCE
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/plot_int.h"

void *plot_alloc_n(size_t n, size_t size)
{
	return n > SIZE_MAX / size / 2 ? NULL : calloc(n ? n : 1, size);
}

/* ---- numbering by first appearance, by sorting ---- */

struct sort_ctx {
	plot_item_cmp cmp;
	void *ctx;
};

static int by_item_then_position(const void *a, const void *b, void *arg)
{
	const struct sort_ctx *s = arg;
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	int c = s->cmp(x, y, s->ctx);
	return c ? c : (x > y) - (x < y);
}

static int size_cmp(const void *a, const void *b)
{
	size_t x = *(const size_t *)a, y = *(const size_t *)b;
	return (x > y) - (x < y);
}

size_t plot_number_items(size_t n, plot_item_cmp cmp, void *ctx, size_t *id, size_t *first)
{
	size_t *pos = plot_alloc_n(n, sizeof *pos), *group = plot_alloc_n(n, sizeof *group), *head = plot_alloc_n(n, sizeof *head);
	size_t ngroups = 0;
	if (pos == NULL || group == NULL || head == NULL) {
		free(pos), free(group), free(head);
		return (size_t)-1;
	}
	for (size_t i = 0; i < n; i++)
		pos[i] = i;
	struct sort_ctx s = { cmp, ctx };
	qsort_r(pos, n, sizeof *pos, by_item_then_position, &s);
	/* Equal items are adjacent, the first appearance first among them. */
	for (size_t i = 0; i < n; i++) {
		if (i == 0 || cmp(pos[i], pos[i - 1], ctx) != 0)
			head[ngroups++] = pos[i];
		group[i] = ngroups - 1;
	}
	memcpy(first, head, ngroups * sizeof *first);
	qsort(first, ngroups, sizeof *first, size_cmp);
	for (size_t i = 0; i < n; i++)
		id[pos[i]] = (size_t)((size_t *)bsearch(&head[group[i]], first, ngroups, sizeof *first, size_cmp) - first);
	free(pos), free(group), free(head);
	return ngroups;
}

/* ---- short labels ---- */

/* One parameter "k=v" of one key. */
struct param_ref {
	const char *name; /* the key's name */
	const char *text; /* the parameter, len bytes */
	size_t len;
	size_t key;     /* which key */
	size_t seq;     /* its position in the key */
	size_t holders; /* keys of the same name that hold it */
};

static int span_cmp(const char *a, size_t alen, const char *b, size_t blen)
{
	int c = memcmp(a, b, alen < blen ? alen : blen);
	return c ? c : (alen > blen) - (alen < blen);
}

static int param_by_text(const void *a, const void *b)
{
	const struct param_ref *x = a, *y = b;
	int c = strcmp(x->name, y->name);
	if (c == 0)
		c = span_cmp(x->text, x->len, y->text, y->len);
	return c ? c : (x->key > y->key) - (x->key < y->key);
}

static int param_by_key(const void *a, const void *b)
{
	const struct param_ref *x = a, *y = b;
	if (x->key != y->key)
		return (x->key > y->key) - (x->key < y->key);
	return (x->seq > y->seq) - (x->seq < y->seq);
}

static int name_cmp(size_t a, size_t b, void *ctx)
{
	const char *const *names = ctx;
	return strcmp(names[a], names[b]);
}

/*
 * The label of each key (names[i] with parameters params[i], "k=v,k=v"):
 * the name, plus those parameters some other key of the same name lacks
 * ("gil:interval=1ms" beside "gil:interval=5ms"; "ticket" alone). A
 * parameter is shown when fewer keys of that name hold it than there are
 * keys of that name. labels[i] is at labels + i * len.
 */
int plot_short_labels(const char *const *names, const char *const *params, size_t n, char *labels, size_t len)
{
	size_t np = 0;
	for (size_t i = 0; i < n; i++)
		if (params[i][0] != '\0')
			for (const char *p = params[i]; p != NULL; p = strchr(p + 1, ','))
				np++;
	struct param_ref *pr = plot_alloc_n(np, sizeof *pr);
	size_t *id = plot_alloc_n(n, sizeof *id), *first = plot_alloc_n(n, sizeof *first), *members = plot_alloc_n(n, sizeof *members);
	int rc = -1;
	if (pr == NULL || id == NULL || first == NULL || members == NULL)
		goto out;
	/* Keys per name. */
	if (plot_number_items(n, name_cmp, (void *)names, id, first) == (size_t)-1)
		goto out;
	for (size_t i = 0; i < n; i++)
		members[id[i]]++;
	np = 0;
	for (size_t i = 0; i < n; i++) {
		const char *p = params[i];
		for (size_t seq = 0; *p != '\0'; seq++) {
			size_t plen = strcspn(p, ",");
			pr[np++] = (struct param_ref){ names[i], p, plen, i, seq, 0 };
			p += plen;
			if (*p == ',')
				p++;
		}
	}
	/* Distinct keys holding each (name, parameter): a key may repeat a parameter. */
	qsort(pr, np, sizeof *pr, param_by_text);
	for (size_t i = 0, start = 0; i < np; i++) {
		bool last = i + 1 == np || strcmp(pr[i + 1].name, pr[start].name) != 0 ||
			    span_cmp(pr[i + 1].text, pr[i + 1].len, pr[start].text, pr[start].len) != 0;
		if (!last)
			continue;
		size_t holders = 0;
		for (size_t k = start; k <= i; k++)
			holders += k == start || pr[k].key != pr[k - 1].key;
		for (size_t k = start; k <= i; k++)
			pr[k].holders = holders;
		start = i + 1;
	}
	qsort(pr, np, sizeof *pr, param_by_key);
	for (size_t i = 0; i < n; i++)
		snprintf(labels + i * len, len, "%s", names[i]);
	bool *sep = plot_alloc_n(n, sizeof *sep); /* a parameter already follows the name */
	if (sep == NULL)
		goto out;
	for (size_t k = 0; k < np; k++) {
		size_t key = pr[k].key;
		if (pr[k].holders < members[id[key]]) {
			plot_append(labels + key * len, len, "%c%.*s", sep[key] ? ',' : ':', (int)pr[k].len, pr[k].text);
			sep[key] = true;
		}
	}
	free(sep);
	rc = 0;
out:
	free(pr), free(id), free(first), free(members);
	return rc;
}

