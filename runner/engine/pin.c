/*
 * engine/pin.c — pin policies: parse --pin, plan the PU of every thread from
 * the orders topo.c computed, bind a thread, and print a plan.
 */
#define _POSIX_C_SOURCE 200809L
#include "engine/topo.h"

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "engine/topo_int.h"

const char *lb_pin_policy_name(enum lb_pin_policy p)
{
	switch (p) {
	case LB_PIN_COMPACT:
		return "compact";
	case LB_PIN_SCATTER:
		return "scatter";
	case LB_PIN_CORES:
		return "cores";
	case LB_PIN_NONE:
		return "none";
	case LB_PIN_CPUS:
		return "cpus";
	}
	return "?";
}

/* Parse a decimal cpu index at *p, advancing *p. Only digits; no sign, no overflow. */
static bool parse_cpu_number(const char **p, int *out)
{
	const char *s = *p;
	long v = 0;

	if (*s < '0' || *s > '9')
		return false;
	while (*s >= '0' && *s <= '9') {
		v = v * 10 + (*s - '0');
		if (v > INT_MAX)
			return false;
		s++;
	}
	*p = s;
	*out = (int)v;
	return true;
}

/* Parse LIST of "cpus:LIST" into out->cpus; text is the whole option for messages. */
static int parse_cpu_list(const char *text, const char *list, struct lb_pin_spec *out, char *err,
			  size_t errlen)
{
	const char *p = list;

	if (*p == '\0') {
		lb_topo_err(err, errlen, "--pin: \"%s\" needs a list of cpus, e.g. cpus:0,2,4-7", text);
		return -1;
	}
	out->ncpus = 0;
	for (;;) {
		const char *item = p;
		int lo, hi;

		if (!parse_cpu_number(&p, &lo)) {
			lb_topo_err(err, errlen,
				"--pin: \"%s\": \"%.*s\" is not a cpu number or range N-M", text,
				(int)strcspn(item, ","), item);
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (!parse_cpu_number(&p, &hi)) {
				lb_topo_err(err, errlen,
					"--pin: \"%s\": \"%.*s\" is not a cpu number or range N-M",
					text, (int)strcspn(item, ","), item);
				return -1;
			}
		}
		if (*p != ',' && *p != '\0') {
			lb_topo_err(err, errlen,
				"--pin: \"%s\": \"%.*s\" is not a cpu number or range N-M", text,
				(int)strcspn(item, ","), item);
			return -1;
		}
		if (hi < lo) {
			lb_topo_err(err, errlen, "--pin: \"%s\": range %d-%d is reversed", text, lo, hi);
			return -1;
		}
		if ((unsigned long)hi - (unsigned long)lo + 1 > LB_PIN_MAX_CPUS - out->ncpus) {
			lb_topo_err(err, errlen, "--pin: \"%s\" lists more than %d cpus", text,
				LB_PIN_MAX_CPUS);
			return -1;
		}
		for (int c = lo;; c++) {
			out->cpus[out->ncpus++] = c;
			if (c == hi)
				break;
		}
		if (*p == '\0')
			return 0;
		p++; /* the comma; an empty item after it fails above */
	}
}

int lb_pin_parse(const char *text, struct lb_pin_spec *out, char *err, size_t errlen)
{
	static const struct {
		const char *name;
		enum lb_pin_policy policy;
	} simple[] = {
		{ "compact", LB_PIN_COMPACT },
		{ "scatter", LB_PIN_SCATTER },
		{ "cores", LB_PIN_CORES },
		{ "none", LB_PIN_NONE },
	};

	if (!text) {
		lb_topo_err(err, errlen, "--pin: missing value");
		return -1;
	}
	out->ncpus = 0;
	for (size_t i = 0; i < sizeof(simple) / sizeof(simple[0]); i++) {
		if (strcmp(text, simple[i].name) == 0) {
			out->policy = simple[i].policy;
			return 0;
		}
	}
	if (strncmp(text, "cpus:", 5) == 0) {
		out->policy = LB_PIN_CPUS;
		return parse_cpu_list(text, text + 5, out, err, errlen);
	}
	lb_topo_err(err, errlen, "--pin: \"%s\" is not compact, scatter, cores, none or cpus:LIST",
		text);
	return -1;
}

/* Thread i → seq[i mod n]. */
static void fill_round_robin(int *pus, unsigned nthreads, const int *seq, unsigned n)
{
	for (unsigned i = 0; i < nthreads; i++)
		pus[i] = seq[i % n];
}

static int plan_cpus(const struct lb_topo *t, const struct lb_pin_spec *spec, unsigned nthreads,
		     int *pus, bool *oversubscribed, char *err, size_t errlen)
{
	hwloc_bitmap_t listed;
	unsigned distinct;

	/* lb_pin_parse never yields these; a hand-built spec might. */
	if (spec->ncpus == 0 || spec->ncpus > LB_PIN_MAX_CPUS) {
		lb_topo_err(err, errlen, "--pin: cpus:LIST must name 1 to %d cpus, not %u",
			LB_PIN_MAX_CPUS, spec->ncpus);
		return -1;
	}
	for (unsigned i = 0; i < spec->ncpus; i++) {
		if (spec->cpus[i] < 0 || !hwloc_bitmap_isset(t->usable, (unsigned)spec->cpus[i])) {
			char allowed[256];

			hwloc_bitmap_list_snprintf(allowed, sizeof(allowed), t->usable);
			lb_topo_err(err, errlen, "--pin: cpu %d is not in the allowed set %s",
				spec->cpus[i], allowed);
			return -1;
		}
	}
	listed = hwloc_bitmap_alloc();
	if (!listed) {
		lb_topo_err(err, errlen, "--pin: out of memory");
		return -1;
	}
	for (unsigned i = 0; i < spec->ncpus; i++)
		hwloc_bitmap_set(listed, (unsigned)spec->cpus[i]);
	distinct = (unsigned)hwloc_bitmap_weight(listed);
	hwloc_bitmap_free(listed);

	fill_round_robin(pus, nthreads, spec->cpus, spec->ncpus);
	*oversubscribed = nthreads > distinct;
	return 0;
}

int lb_pin_plan(const struct lb_topo *t, const struct lb_pin_spec *spec, unsigned nthreads,
		int *pus, bool *oversubscribed, char *err, size_t errlen)
{
	*oversubscribed = false;
	switch (spec->policy) {
	case LB_PIN_COMPACT:
		fill_round_robin(pus, nthreads, t->compact, t->npus);
		*oversubscribed = nthreads > t->npus;
		return 0;
	case LB_PIN_SCATTER:
		fill_round_robin(pus, nthreads, t->scatter, t->npus);
		*oversubscribed = nthreads > t->npus;
		return 0;
	case LB_PIN_CORES:
		fill_round_robin(pus, nthreads, t->cores, t->ncores);
		*oversubscribed = nthreads > t->ncores;
		return 0;
	case LB_PIN_NONE:
		for (unsigned i = 0; i < nthreads; i++)
			pus[i] = -1;
		*oversubscribed = nthreads > t->npus;
		return 0;
	case LB_PIN_CPUS:
		return plan_cpus(t, spec, nthreads, pus, oversubscribed, err, errlen);
	}
	lb_topo_err(err, errlen, "--pin: unknown policy %d", (int)spec->policy);
	return -1;
}

int lb_pin_self(const struct lb_topo *t, int pu, char *err, size_t errlen)
{
	hwloc_bitmap_t set;
	int ret;

	if (pu == -1)
		return 0;
	if (t->synthetic) {
		lb_topo_err(err, errlen, "--pin: cannot bind to a synthetic topology (\"%s\")",
			t->description);
		return -1;
	}
	if (pu < 0 || !hwloc_bitmap_isset(t->usable, (unsigned)pu)) {
		char allowed[256];

		hwloc_bitmap_list_snprintf(allowed, sizeof(allowed), t->usable);
		lb_topo_err(err, errlen, "--pin: cpu %d is not in the allowed set %s", pu, allowed);
		return -1;
	}
	set = hwloc_bitmap_alloc();
	if (!set) {
		lb_topo_err(err, errlen, "--pin: out of memory");
		return -1;
	}
	hwloc_bitmap_only(set, (unsigned)pu);
	ret = hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	if (ret < 0) {
		lb_topo_err(err, errlen, "--pin: cannot bind thread to cpu %d: %s", pu,
			strerror(errno));
		return -1;
	}
	return 0;
}

/* Logical index of pu's ancestor of type, or -1 when it has none (or pu is -1). */
static int ancestor_index(const struct lb_topo *t, int pu, hwloc_obj_type_t type)
{
	hwloc_obj_t obj, anc;

	if (pu < 0)
		return -1;
	obj = hwloc_get_pu_obj_by_os_index(t->topo, (unsigned)pu);
	if (!obj)
		return -1;
	anc = hwloc_get_ancestor_obj_by_type(t->topo, type, obj);
	return anc ? (int)anc->logical_index : -1;
}

static void print_index(FILE *f, int width, int v)
{
	if (v < 0)
		fprintf(f, " %*s", width, "-");
	else
		fprintf(f, " %*d", width, v);
}

void lb_topo_print_plan(FILE *f, const struct lb_topo *t, const struct lb_pin_spec *spec,
			const int *pus, unsigned nthreads, bool oversubscribed)
{
	struct lb_topo_summary s;

	lb_topo_summary(t, &s);
	if (t->synthetic)
		fprintf(f, "topology: synthetic \"%s\"\n", t->description);
	else
		fprintf(f, "topology: this machine\n");
	fprintf(f, "  packages %u, NUMA nodes %u, cores %u, PUs %u, SMT %s\n", s.packages,
		s.numa_nodes, s.cores, s.pus, s.smt ? "yes" : "no");
	fprintf(f, "  allowed cpus: %s\n", s.allowed_cpus);
	if (nthreads == 0)
		return;

	fprintf(f, "pin: %s", lb_pin_policy_name(spec->policy));
	if (spec->policy == LB_PIN_CPUS) {
		for (unsigned i = 0; i < spec->ncpus && i < LB_PIN_MAX_CPUS; i++)
			fprintf(f, "%c%d", i == 0 ? ':' : ',', spec->cpus[i]);
	}
	fprintf(f, ", %u thread%s%s\n", nthreads, nthreads == 1 ? "" : "s",
		oversubscribed ? " (oversubscribed: threads share PUs)" : "");
	fprintf(f, "  thread    pu  core  package\n");
	for (unsigned i = 0; i < nthreads; i++) {
		fprintf(f, "  %6u", i);
		if (pus[i] < 0)
			fprintf(f, " %5s", "none");
		else
			print_index(f, 5, pus[i]);
		print_index(f, 5, ancestor_index(t, pus[i], HWLOC_OBJ_CORE));
		print_index(f, 8, ancestor_index(t, pus[i], HWLOC_OBJ_PACKAGE));
		fputc('\n', f);
	}
}
