/*
 * analysis/filter.c — `--filter`: which configs a command looks at (filter.h).
 */
#define _GNU_SOURCE
#include "analysis/filter.h"

#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/identity.h"

static const char *const key_names[LB_F_COUNT] = {
	[LB_F_LOCK] = "lock", [LB_F_WORKLOAD] = "workload", [LB_F_THREADS] = "threads",
	[LB_F_PIN] = "pin",   [LB_F_MACHINE] = "machine",
};

bool lb_filter_active(const struct lb_filter *f)
{
	return f != NULL && f->n > 0;
}

void lb_filter_free(struct lb_filter *f)
{
	for (size_t i = 0; i < f->n; i++)
		free(f->terms[i].pattern);
	free(f->terms);
	*f = (struct lb_filter){ 0 };
}

/* "N" or "A-B" into [lo, hi]. 0, or -1. */
static int parse_threads(const char *v, unsigned *lo, unsigned *hi)
{
	char *end;
	errno = 0;
	unsigned long a = strtoul(v, &end, 10), b = a;
	if (end == v || v[0] == '-' || v[0] == '+' || errno)
		return -1;
	if (*end == '-') {
		const char *s = end + 1;
		if (*s < '0' || *s > '9')
			return -1;
		b = strtoul(s, &end, 10);
	}
	if (*end != '\0' || errno || a > b || b > 1u << 24)
		return -1;
	*lo = (unsigned)a, *hi = (unsigned)b;
	return 0;
}

static int add_term(struct lb_filter *f, enum lb_filter_key key, const char *value, char *err, size_t errlen)
{
	struct lb_filter_term t = { .option = f->noptions, .key = key };
	if (value[0] == '\0') {
		snprintf(err, errlen, "%s=: an empty value", key_names[key]);
		return -1;
	}
	if (key == LB_F_THREADS) {
		if (parse_threads(value, &t.lo, &t.hi) != 0) {
			snprintf(err, errlen, "threads=%s: not a thread count or a range A-B", value);
			return -1;
		}
	} else if ((t.pattern = strdup(value)) == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	struct lb_filter_term *grown = realloc(f->terms, (f->n + 1) * sizeof *grown);
	if (grown == NULL) {
		free(t.pattern);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	f->terms = grown;
	f->terms[f->n++] = t;
	return 0;
}

int lb_filter_parse(struct lb_filter *f, const char *text, char *err, size_t errlen)
{
	char *copy = strdup(text), *item, *save = NULL;
	int key = -1, rc = 0;
	if (copy == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	if (text[0] == '\0') {
		snprintf(err, errlen, "an empty filter (e.g. lock=ticket,mcs,threads=2)");
		rc = -1;
	}
	/* strtok would skip an empty item; "lock=a,,b" is a typo worth saying. */
	for (item = copy; rc == 0 && item != NULL; item = save) {
		save = strchr(item, ',');
		if (save != NULL)
			*save++ = '\0';
		char *eq = strchr(item, '=');
		if (eq != NULL) {
			*eq = '\0';
			key = -1;
			for (int k = 0; k < LB_F_COUNT; k++)
				if (strcmp(item, key_names[k]) == 0)
					key = k;
			if (key < 0) {
				snprintf(err, errlen, "\"%s\": not lock, workload, threads, pin or machine", item);
				rc = -1;
				break;
			}
			rc = add_term(f, (enum lb_filter_key)key, eq + 1, err, errlen);
		} else if (key < 0) {
			snprintf(err, errlen, "\"%s\": KEY=VALUE expected (e.g. lock=ticket,threads=2)", item);
			rc = -1;
		} else {
			rc = add_term(f, (enum lb_filter_key)key, item, err, errlen);
		}
	}
	free(copy);
	if (rc == 0) {
		size_t used = strlen(f->text);
		snprintf(f->text + used, sizeof f->text - used, "%s%s", used ? " & " : "", text);
		f->noptions++;
	}
	return rc;
}

/* Whether a glob matches a name, or the name with its parameters ("gil:interval=1ms,..."). */
static bool name_matches(const char *pattern, const char *name, const char *params)
{
	char full[4096];
	if (fnmatch(pattern, name, 0) == 0)
		return true;
	snprintf(full, sizeof full, "%s:%s", name, params);
	return params[0] != '\0' && fnmatch(pattern, full, 0) == 0;
}

static bool term_matches(const struct lb_filter_term *t, const struct lb_identity *id, const char *machine)
{
	switch (t->key) {
	case LB_F_LOCK:
		return name_matches(t->pattern, id->lock, id->lock_params);
	case LB_F_WORKLOAD:
		return name_matches(t->pattern, id->workload, id->workload_params);
	case LB_F_THREADS:
		return id->threads >= t->lo && id->threads <= t->hi;
	case LB_F_PIN:
		return fnmatch(t->pattern, id->pin, 0) == 0;
	case LB_F_MACHINE:
		return machine != NULL && fnmatch(t->pattern, machine, 0) == 0;
	case LB_F_COUNT:
		break;
	}
	return false;
}

bool lb_filter_match(const struct lb_filter *f, const char *id_text, const char *machine)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	char why[128];
	if (!lb_filter_active(f))
		return true;
	if (id_text == NULL || lb_identity_parse(id_text, &id, why, sizeof why) != 0)
		return false;
	/* For each option and key that has terms: one of them must match. */
	for (unsigned o = 0; o < f->noptions; o++)
		for (int k = 0; k < LB_F_COUNT; k++) {
			bool has = false, any = false;
			for (size_t i = 0; i < f->n; i++) {
				const struct lb_filter_term *t = &f->terms[i];
				if (t->option != o || t->key != (enum lb_filter_key)k)
					continue;
				has = true;
				any = any || term_matches(t, &id, machine);
			}
			if (has && !any)
				return false;
		}
	return true;
}

int lb_filter_result(const struct lb_filter *f, struct lb_result *r, const char *file, char *err, size_t errlen)
{
	if (!lb_filter_active(f))
		return 0;
	size_t kept = 0;
	for (size_t i = 0; i < r->nconfigs; i++) {
		if (lb_filter_match(f, r->configs[i].id, r->configs[i].machine))
			r->configs[kept++] = r->configs[i];
		else
			lb_config_clear(&r->configs[i]);
	}
	r->nconfigs = kept;
	if (kept == 0) {
		snprintf(err, errlen, "%s: no config matches --filter %s", file, f->text);
		return -1;
	}
	return 0;
}

/* Keep the ids of list (and their machines, when paired by machine: same index) that pass f; free the others. */
static void filter_ids(const struct lb_filter *f, char **list, char **machines, size_t *n)
{
	size_t kept = 0;
	for (size_t i = 0; i < *n; i++) {
		if (lb_filter_match(f, list[i], machines ? machines[i] : NULL)) {
			if (machines)
				machines[kept] = machines[i];
			list[kept++] = list[i];
		} else {
			free(list[i]);
			if (machines)
				free(machines[i]);
		}
	}
	*n = kept;
}

int lb_filter_verdict(const struct lb_filter *f, struct lb_verdict *v, const char *file, char *err, size_t errlen)
{
	if (!lb_filter_active(f))
		return 0;
	size_t kept = 0;
	memset(v->counts, 0, sizeof v->counts);
	for (size_t i = 0; i < v->nrows; i++) {
		struct lb_verdict_row *row = &v->rows[i];
		if (!lb_filter_match(f, row->config, row->machine)) {
			free(row->config);
			free(row->reason);
			free(row->machine);
			continue;
		}
		if ((unsigned)row->verdict < LB_J_COUNT)
			v->counts[row->verdict]++;
		v->rows[kept++] = *row;
	}
	v->nrows = kept;
	filter_ids(f, v->only_in_base, v->only_in_base_machine, &v->nonly_in_base);
	filter_ids(f, v->only_in_new, v->only_in_new_machine, &v->nonly_in_new);
	v->overall = v->counts[LB_J_REGRESSION]     ? LB_J_REGRESSION
		     : v->counts[LB_J_INCONCLUSIVE] ? LB_J_INCONCLUSIVE
						    : LB_J_OK;
	if (kept == 0) {
		snprintf(err, errlen, "%s: no row matches --filter %s", file, f->text);
		return -1;
	}
	return 0;
}
