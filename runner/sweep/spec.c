/*
 * sweep/spec.c — reading and checking a sweep spec (see spec.h and
 * docs/sweeps.md). A bad spec must be refused here, in one line, before
 * anything is submitted: a mistake found by every shard on a cluster costs a
 * queue wait and N failed tasks.
 */
#define _GNU_SOURCE
#include "sweep/spec.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/spec.h"
#include "engine/params.h"
#include "engine/topo.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* Options the sweep sets itself: a spec may not override them. */
static const char *const reserved_sbatch[] = { "--array", "--output", "--error", "--parsable", "--wrap", "--wait",
					       "--nodes", "--exclusive", "--job-name", "--chdir", NULL };

static bool in_list(const char *s, const char *const *list)
{
	for (size_t i = 0; list[i]; i++)
		if (strcmp(s, list[i]) == 0)
			return true;
	return false;
}

static int check_time(const char *key, const char *text, int64_t min_ns, char *err, size_t errlen)
{
	int64_t ns;
	char e[256];
	if (text == NULL)
		return 0;
	if (lb_parse_duration(text, false, &ns, e, sizeof e) != 0)
		return ERR("%s: %s", key, e);
	if (ns < min_ns)
		return ERR("%s: \"%s\" is too short", key, text);
	if (ns > 86400000000000LL)
		return ERR("%s: \"%s\" is longer than a day", key, text);
	return 0;
}

/* `run --timing`: all | off | sample:N. */
static int check_timing(const char *text, char *err, size_t errlen)
{
	int64_t n;
	char e[256];
	if (text == NULL || strcmp(text, "all") == 0 || strcmp(text, "off") == 0)
		return 0;
	if (strncmp(text, "sample:", 7) == 0 && lb_parse_int(text + 7, 1, 1000000000, &n, e, sizeof e) == 0)
		return 0;
	return ERR("timing: \"%s\" is not all, sample:N or off", text);
}

/*
 * The locks and workloads as `run` parses them, and every workload's needed
 * capabilities present in every lock (run refuses the pair otherwise).
 */
static int check_locks_workloads(const struct lb_sweep_spec *s, char *err, size_t errlen)
{
	struct lb_lock_choice *locks = NULL;
	size_t nlocks = 0;
	char e[512];
	int rc = 0;
	for (size_t i = 0; i < s->nlocks && rc == 0; i++) {
		size_t before = nlocks;
		if (lb_parse_lock_list(s->locks[i], &locks, &nlocks, e, sizeof e) != 0)
			rc = ERR("locks[%zu]: %s", i, e);
		else if (nlocks - before != 1 && strcmp(s->locks[i], "all") != 0)
			rc = ERR("locks[%zu]: \"%s\" is more than one lock: give each its own entry", i, s->locks[i]);
	}
	for (size_t w = 0; w < s->nworkloads && rc == 0; w++) {
		struct lb_wl_choice wl;
		if (lb_parse_workload(s->workloads[w], &wl, e, sizeof e) != 0) {
			rc = ERR("workloads[%zu]: %s", w, e);
			break;
		}
		for (size_t l = 0; l < nlocks && rc == 0; l++)
			if ((wl.wl->needs_caps & locks[l].ops->caps) != wl.wl->needs_caps) {
				char missing[128];
				lb_caps_text(wl.wl->needs_caps & ~locks[l].ops->caps, missing, sizeof missing);
				rc = ERR("workloads[%zu]: %s needs a lock with \"%s\", which %s lacks", w, wl.wl->name,
					 missing, locks[l].ops->name);
			}
		lb_params_free(wl.wl->params, wl.params);
	}
	for (size_t i = 0; i < nlocks; i++)
		lb_params_free(locks[i].ops->params, locks[i].params);
	free(locks);
	return rc;
}

static bool name_ok(const char *s)
{
	if (*s == '\0' || *s == '.' || strlen(s) > 64)
		return false;
	for (; *s; s++)
		if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z') || (*s >= '0' && *s <= '9') || *s == '_' ||
		      *s == '-' || *s == '.'))
			return false;
	return true;
}

static int check_machine(const struct lb_sweep_machine *m, size_t i, char *err, size_t errlen)
{
	char where[64];
	snprintf(where, sizeof where, "machines[%zu]", i);
	if (!name_ok(m->name))
		return ERR("%s.name: \"%s\" is not a name of letters, digits, '_', '-' and '.'", where, m->name);
	/* --nodelist takes every node it names: two would make one task span two machines. */
	if (m->node && strpbrk(m->node, ",[ "))
		return ERR("%s.node: \"%s\" is not one node name (a shard runs on one node)", where, m->node);
	for (size_t k = 0; k < m->nextra; k++) {
		const char *a = m->extra[k];
		if (strncmp(a, "--", 2) != 0 || a[2] == '\0')
			return ERR("%s.sbatch_args[%zu]: not a long option (\"--name=value\")", where, k);
		char opt[64];
		snprintf(opt, sizeof opt, "%.*s", (int)strcspn(a, "="), a);
		if (in_list(opt, reserved_sbatch))
			return ERR("%s.sbatch_args[%zu]: %s is set by the sweep itself", where, k, opt);
	}
	return 0;
}

int lb_sweep_spec_check(const struct lb_sweep_spec *s, char *err, size_t errlen)
{
	for (size_t i = 0; i < s->nthreads; i++)
		for (size_t j = 0; j < i; j++)
			if (s->threads[j] == s->threads[i])
				return ERR("threads[%zu]: %u is already in the list", i, s->threads[i]);
	if (check_time("duration", s->duration, 1000000, err, errlen) != 0 ||
	    check_time("warmup", s->warmup, 0, err, errlen) != 0 || check_timing(s->timing, err, errlen) != 0)
		return -1;
	struct lb_pin_spec pin;
	char e[256];
	if (s->pin && lb_pin_parse(s->pin, &pin, e, sizeof e) != 0)
		return ERR("pin: %s", e);
	/* Slurm's own syntax (minutes, MM:SS, HH:MM:SS, D-HH[:MM[:SS]]); sbatch checks the rest. */
	if (s->time_limit && strspn(s->time_limit, "0123456789:-") != strlen(s->time_limit) &&
	    strcmp(s->time_limit, "UNLIMITED") != 0 && strcmp(s->time_limit, "INFINITE") != 0)
		return ERR("time_limit: \"%s\" is not a Slurm time (MM, MM:SS, HH:MM:SS, D-HH:MM:SS)", s->time_limit);
	if (check_locks_workloads(s, err, errlen) != 0)
		return -1;
	for (size_t i = 0; i < s->nmachines; i++) {
		if (check_machine(&s->machines[i], i, err, errlen) != 0)
			return -1;
		for (size_t j = 0; j < i; j++)
			if (strcmp(s->machines[j].name, s->machines[i].name) == 0)
				return ERR("machines[%zu].name: \"%s\" is already used", i, s->machines[i].name);
	}
	return 0;
}

int lb_sweep_spec_load(const char *path, struct lb_sweep_spec *spec, char *err, size_t errlen)
{
	if (lb_sweep_spec_read(path, spec, err, errlen) != 0)
		return -1;
	char e[512];
	if (lb_sweep_spec_check(spec, e, sizeof e) != 0) {
		lb_sweep_spec_free(spec);
		return ERR("%s: %s", path, e);
	}
	return 0;
}

char **lb_sweep_shard_argv(const struct lb_sweep_spec *s, const char *exe, unsigned k, const char *result,
			   size_t *argc)
{
	/* exe run -r 1, 4 options, threads, workloads, locks, output: each at most 2 words */
	const char *a[4 + 2 * (4 + 1 + LB_SWEEP_MAX_WORKLOADS + LB_SWEEP_MAX_ITEMS + 1)];
	char buf[64 * 12];
	size_t n = 0;
	a[n++] = exe;
	a[n++] = "run";
	a[n++] = "-r";
	a[n++] = "1";
	const struct { const char *opt, *value; } opts[] = {
		{ "--duration", s->duration }, { "--warmup", s->warmup },
		{ "--pin", s->pin },           { "--timing", s->timing },
	};
	for (size_t i = 0; i < sizeof opts / sizeof opts[0]; i++)
		if (opts[i].value) {
			a[n++] = opts[i].opt;
			a[n++] = opts[i].value;
		}
	/* Rotated by k: shard k starts with the k-th lock, workload and thread count. */
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < s->nthreads; i++)
		used += (size_t)snprintf(buf + used, sizeof buf - used, "%s%u", i ? "," : "",
					 s->threads[(i + k) % s->nthreads]);
	a[n++] = "--threads";
	a[n++] = buf;
	for (size_t i = 0; i < s->nworkloads; i++) {
		a[n++] = "--workload";
		a[n++] = s->workloads[(i + k) % s->nworkloads];
	}
	for (size_t i = 0; i < s->nlocks; i++) {
		a[n++] = "--locks";
		a[n++] = s->locks[(i + k) % s->nlocks];
	}
	a[n++] = "--output";
	a[n++] = result;
	*argc = n;
	return lb_strv_copy((char *const *)a, n);
}
