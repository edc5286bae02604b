/*
 * engine/spec.c — lock and workload specs: parsing, ids, labels.
 */
#define _GNU_SOURCE
#include "engine/spec.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/params.h"
#include "engine/plugin.h"
#include "locks/registry.h"
#include "workloads/registry.h"

/* The file name of a plug-in's path. */
static const char *plugin_file(const struct lb_lock_choice *c)
{
	const char *slash = strrchr(c->source, '/');
	return slash ? slash + 1 : c->source;
}

void lb_lock_id_name(const struct lb_lock_choice *c, char *buf, size_t len)
{
	if (c->source != NULL)
		snprintf(buf, len, "%s@%s", c->ops->name, plugin_file(c));
	else
		snprintf(buf, len, "%s", c->ops->name);
}

void lb_lock_label(const struct lb_lock_choice *c, char *buf, size_t len)
{
	/* A plug-in named like a built-in lock is told apart in the table too. */
	size_t used;
	if (c->source != NULL && lb_lock_find(c->ops->name) != NULL)
		used = (size_t)snprintf(buf, len, "%s@%s", c->ops->name, plugin_file(c));
	else
		used = (size_t)snprintf(buf, len, "%s", c->ops->name);
	const struct lb_param *decl = c->ops->params;
	union lb_value defs[LB_MAX_PARAMS];
	char e[256];
	if (lb_params_parse(c->ops->name, decl, NULL, defs, e, sizeof e) != 0)
		return;
	char sep = ':';
	for (size_t i = 0; i < lb_params_count(decl) && used < len; i++) {
		/* Compare the canonical texts: that works for every type. */
		char a[256], b[256];
		lb_param_value_format(&decl[i], defs[i], a, sizeof a);
		lb_param_value_format(&decl[i], c->params[i], b, sizeof b);
		if (strcmp(a, b) != 0) {
			used += (size_t)snprintf(buf + used, len - used, "%c%s=%s", sep, decl[i].name, b);
			sep = ',';
		}
	}
	lb_params_free(decl, defs);
}

/*
 * Some parameters are wrong in ways only the lock's init can tell (rlock's
 * base=nosuch): a built-in lock's init is tried once, on scratch state for
 * one thread, while the options are parsed, so such a mistake is a usage
 * error before anything runs rather than a failed config in a written
 * result. A plug-in's init is not run here: it is untrusted code, run only
 * where a crash or a hang costs its own config.
 */
static int trial_init(const struct lb_lock_choice *c, char *err, size_t errlen)
{
	const struct lb_lock_ops *ops = c->ops;
	if (c->source != NULL || ops->init == NULL)
		return 0;
	size_t align = ops->state_align > LB_CACHELINE ? ops->state_align : LB_CACHELINE;
	size_t size = (ops->state_size + align - 1) / align * align;
	void *state = aligned_alloc(align, size);
	if (state == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	memset(state, 0, size);
	char why[256] = "";
	int rc = ops->init(state, c->params, 1, why, sizeof why);
	if (rc == 0 && ops->destroy != NULL)
		ops->destroy(state);
	free(state);
	if (rc != 0)
		snprintf(err, errlen, "%s", why[0] ? why : "the lock refused its parameters");
	return rc == 0 ? 0 : -1;
}

static int add_lock(const char *spec, struct lb_lock_choice **out, size_t *n, char *err, size_t errlen)
{
	if (*n == LB_MAX_LOCKS) {
		snprintf(err, errlen, "more than %d locks", LB_MAX_LOCKS);
		return -1;
	}
	char name[256];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= sizeof name) {
		snprintf(err, errlen, "\"%s\" is not a lock name", spec);
		return -1;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	struct lb_lock_choice c = { 0 };
	const char *kv = colon ? colon + 1 : NULL;
	char *rest = NULL;
	int plugin = lb_plugin_resolve(name, kv, &c.ops, &c.source, &rest, err, errlen);
	if (plugin < 0)
		return -1;
	if (plugin)
		kv = rest;
	else
		c.ops = lb_lock_find(name);
	if (c.ops == NULL) {
		snprintf(err, errlen, "unknown lock \"%s\" (see: lockbench list)", name);
		return -1;
	}
	int rc = lb_params_parse(c.ops->name, c.ops->params, kv, c.params, err, errlen);
	free(rest);
	if (rc != 0)
		return -1;
	if (trial_init(&c, err, errlen) != 0) {
		lb_params_free(c.ops->params, c.params);
		return -1;
	}
	struct lb_lock_choice *grown = realloc(*out, (*n + 1) * sizeof **out);
	if (grown == NULL) {
		lb_params_free(c.ops->params, c.params);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = grown;
	(*out)[(*n)++] = c;
	return 0;
}

int lb_parse_lock_list(const char *text, struct lb_lock_choice **out, size_t *n, char *err, size_t errlen)
{
	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "empty lock list");
		return -1;
	}
	/* Regroup "gil:a=1,b=2,ticket" into "gil:a=1,b=2" and "ticket". */
	char *copy = strdup(text), *save = NULL;
	char *cur = NULL;
	size_t curlen = 0;
	int rc = 0;
	for (char *item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		bool continues = strchr(item, '=') != NULL && strchr(item, ':') == NULL;
		if (continues) {
			if (cur == NULL || strchr(cur, ':') == NULL) {
				snprintf(err, errlen, "\"%s\" is a parameter but follows no lock:key=value", item);
				rc = -1;
				break;
			}
			size_t il = strlen(item);
			char *g = realloc(cur, curlen + il + 2);
			if (g == NULL) {
				rc = -1;
				break;
			}
			cur = g;
			cur[curlen++] = ',';
			memcpy(cur + curlen, item, il + 1);
			curlen += il;
			continue;
		}
		if (cur != NULL)
			rc = add_lock(cur, out, n, err, errlen);
		free(cur);
		cur = NULL;
		if (rc == 0 && (strcmp(item, "all") == 0 || strcmp(item, "all-rw") == 0)) {
			/* Every built-in lock that excludes (all-rw: and has a read side); the negative
			 * control is asked for by name. */
			uint32_t need = strcmp(item, "all-rw") == 0 ? LB_CAP_RW : 0;
			for (size_t i = 0; lb_locks[i] != NULL && rc == 0; i++)
				if (!(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION) && (lb_locks[i]->caps & need) == need)
					rc = add_lock(lb_locks[i]->name, out, n, err, errlen);
			continue;
		}
		cur = strdup(item);
		curlen = strlen(item);
	}
	if (rc == 0 && cur != NULL)
		rc = add_lock(cur, out, n, err, errlen);
	if (rc == 0 && *n == 0) {
		snprintf(err, errlen, "empty lock list");
		rc = -1;
	}
	free(cur);
	free(copy);
	return rc;
}

int lb_parse_workload(const char *text, struct lb_wl_choice *out, char *err, size_t errlen)
{
	char name[128];
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	if (len == 0 || len >= sizeof name) {
		snprintf(err, errlen, "\"%s\" is not a workload name", text);
		return -1;
	}
	memcpy(name, text, len);
	name[len] = '\0';
	memset(out, 0, sizeof *out);
	out->wl = lb_workload_find(name);
	if (out->wl == NULL) {
		snprintf(err, errlen, "unknown workload \"%s\" (see: lockbench list)", name);
		return -1;
	}
	return lb_params_parse(name, out->wl->params, colon ? colon + 1 : NULL, out->params, err, errlen);
}

void lb_locks_free(struct lb_lock_choice *locks, size_t n)
{
	for (size_t i = 0; i < n; i++)
		lb_params_free(locks[i].ops->params, locks[i].params);
	free(locks);
}

void lb_workload_free(struct lb_wl_choice *wl)
{
	if (wl->wl != NULL)
		lb_params_free(wl->wl->params, wl->params);
	wl->wl = NULL;
}
