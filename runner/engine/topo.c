/*
 * runner/topo.c — load the topology with hwloc, plan where threads run, bind them.
 *
 * The policies are defined in topo.h. This file reduces each of them to one
 * fixed sequence of PU OS indexes, computed once when the topology is loaded:
 *
 *   compact  every usable PU in logical order (hwloc numbers PUs depth
 *            first, so siblings are adjacent and packages contiguous);
 *   cores    the first usable PU of every core, in logical order;
 *   scatter  the usable PUs sorted by (rank of the PU within its core, rank
 *            of its core within its package, package) — the least
 *            significant level varies fastest, which is exactly "round-robin
 *            across packages, then cores, then siblings".
 *
 * A plan is then thread i → sequence[i mod length], so any thread count
 * works and the wrap is the same for every policy. hwloc_distrib() is not
 * used for scatter because it hands out contiguous blocks (threads 0..n/2-1
 * on package 0), and the order we want keeps threads 0 and 1 apart.
 *
 * "Usable" means in the topology's cpuset and in its allowed cpuset. For this
 * machine the topology is loaded with HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING
 * so PUs outside the process binding (taskset) are gone, and hwloc drops PUs
 * outside the cgroup cpuset by default; checking the allowed cpuset as well
 * keeps a disallowed PU out of every plan even if a future hwloc or an
 * environment variable (HWLOC_ALLOW=all) changes those defaults.
 *
 * Binding goes through hwloc_set_cpubind(HWLOC_CPUBIND_THREAD), which on
 * Linux is sched_setaffinity on the calling thread only.
 */
#define _POSIX_C_SOURCE 200809L /* strdup */
#include "engine/topo.h"

#include <errno.h>
#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <hwloc.h>

struct lb_topo {
	hwloc_topology_t topo;
	bool synthetic;
	char *description;     /* the synthetic description, NULL for this machine */
	hwloc_bitmap_t usable; /* PUs plans may use: topology cpuset ∩ allowed cpuset */
	unsigned npus;         /* entries in compact and scatter */
	int *compact;
	int *scatter;
	unsigned ncores; /* entries in cores */
	int *cores;
};

static void set_err(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void set_err(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	if (!err || errlen == 0)
		return;
	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
}

/* Where one PU sits, for ordering scatter: fields compared in this order. */
struct scatter_key {
	unsigned pu_in_core;   /* 0 for the first usable PU of its core */
	unsigned core_in_pack; /* 0 for the first core of its package */
	unsigned pack;         /* package logical index */
	unsigned compact_pos;  /* tie-break so the sort is deterministic */
	int os_index;
};

static int scatter_key_cmp(const void *a, const void *b)
{
	const struct scatter_key *x = a, *y = b;

	if (x->pu_in_core != y->pu_in_core)
		return x->pu_in_core < y->pu_in_core ? -1 : 1;
	if (x->core_in_pack != y->core_in_pack)
		return x->core_in_pack < y->core_in_pack ? -1 : 1;
	if (x->pack != y->pack)
		return x->pack < y->pack ? -1 : 1;
	if (x->compact_pos != y->compact_pos)
		return x->compact_pos < y->compact_pos ? -1 : 1;
	return 0;
}

/*
 * Fill t->compact, t->cores and t->scatter from the loaded topology.
 * A machine without Core objects (some virtual ones) counts each PU as its
 * own core; without Package objects, everything is package 0.
 */
static int build_orders(struct lb_topo *t, char *err, size_t errlen)
{
	hwloc_topology_t topo = t->topo;
	int nall = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PU);
	int nall_cores = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_CORE);
	int nall_packs = hwloc_get_nbobjs_by_type(topo, HWLOC_OBJ_PACKAGE);
	unsigned *pus_seen_in_core = NULL; /* by core logical index */
	unsigned *core_rank = NULL;        /* by core logical index: its rank in its package */
	unsigned *cores_seen_in_pack = NULL; /* by package logical index */
	struct scatter_key *keys = NULL;
	int ret = -1;

	if (nall <= 0) {
		set_err(err, errlen, "topology: no PUs found");
		return -1;
	}
	if (nall_cores < 0)
		nall_cores = 0;
	if (nall_packs < 0)
		nall_packs = 0;

	t->compact = calloc((size_t)nall, sizeof(int));
	t->scatter = calloc((size_t)nall, sizeof(int));
	t->cores = calloc((size_t)nall, sizeof(int));
	keys = calloc((size_t)nall, sizeof(*keys));
	pus_seen_in_core = calloc((size_t)nall_cores + 1, sizeof(unsigned));
	core_rank = calloc((size_t)nall_cores + 1, sizeof(unsigned));
	cores_seen_in_pack = calloc((size_t)nall_packs + 1, sizeof(unsigned));
	if (!t->compact || !t->scatter || !t->cores || !keys || !pus_seen_in_core || !core_rank ||
	    !cores_seen_in_pack) {
		set_err(err, errlen, "topology: out of memory");
		goto out;
	}

	t->npus = 0;
	t->ncores = 0;
	for (int i = 0; i < nall; i++) {
		hwloc_obj_t pu = hwloc_get_obj_by_type(topo, HWLOC_OBJ_PU, (unsigned)i);
		hwloc_obj_t core = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_CORE, pu);
		hwloc_obj_t pack = hwloc_get_ancestor_obj_by_type(topo, HWLOC_OBJ_PACKAGE, pu);
		unsigned pack_idx = pack ? pack->logical_index : 0;
		struct scatter_key *k;

		if (!hwloc_bitmap_isset(t->usable, pu->os_index))
			continue;
		k = &keys[t->npus];
		k->pack = pack_idx;
		k->compact_pos = t->npus;
		k->os_index = (int)pu->os_index;
		if (core) {
			if (pus_seen_in_core[core->logical_index] == 0) {
				core_rank[core->logical_index] = cores_seen_in_pack[pack_idx]++;
				t->cores[t->ncores++] = (int)pu->os_index;
			}
			k->pu_in_core = pus_seen_in_core[core->logical_index]++;
			k->core_in_pack = core_rank[core->logical_index];
		} else {
			k->pu_in_core = 0;
			k->core_in_pack = cores_seen_in_pack[pack_idx]++;
			t->cores[t->ncores++] = (int)pu->os_index;
		}
		t->compact[t->npus++] = (int)pu->os_index;
	}
	if (t->npus == 0) {
		set_err(err, errlen, "topology: none of its PUs is in the allowed set");
		goto out;
	}

	qsort(keys, t->npus, sizeof(*keys), scatter_key_cmp);
	for (unsigned i = 0; i < t->npus; i++)
		t->scatter[i] = keys[i].os_index;
	ret = 0;
out:
	free(keys);
	free(pus_seen_in_core);
	free(core_rank);
	free(cores_seen_in_pack);
	return ret;
}

/*
 * Bounds on a synthetic description, checked before hwloc sees it: hwloc
 * builds one level's children in time quadratic in their number (a flat
 * "8192" takes 12 s here, "33334" minutes), and nothing lockbench plans
 * needs more PUs than it can run threads.
 */
#define SYNTHETIC_MAX_ARITY 1024
#define SYNTHETIC_MAX_PUS 16384

/*
 * The product of a synthetic description's arities ("pack:2 core:4 pu:2",
 * "2 4 2"; bracketed memory children and parenthesised attributes do not
 * multiply). 0 and a reason when an arity is missing or over the bounds.
 */
static unsigned long synthetic_size(const char *s, char *why, size_t whylen)
{
	unsigned long total = 1;
	size_t levels = 0;
	while (*s) {
		while (*s == ' ' || *s == '\t' || *s == '\n')
			s++;
		if (*s == '\0')
			break;
		const char *tok = s;
		int depth = 0;
		while (*s && (depth > 0 || (*s != ' ' && *s != '\t' && *s != '\n'))) {
			depth += (*s == '(' || *s == '[') - (*s == ')' || *s == ']');
			s++;
		}
		if (*tok == '[')
			continue; /* a memory child: no arity */
		const char *colon = memchr(tok, ':', (size_t)(s - tok));
		const char *num = colon ? colon + 1 : tok;
		if (*num < '0' || *num > '9') {
			snprintf(why, whylen, "a level without a number of children");
			return 0;
		}
		unsigned long n = 0;
		while (*num >= '0' && *num <= '9' && n <= SYNTHETIC_MAX_ARITY)
			n = n * 10 + (unsigned long)(*num++ - '0');
		if (n > SYNTHETIC_MAX_ARITY) {
			snprintf(why, whylen, "more than %d children on one level", SYNTHETIC_MAX_ARITY);
			return 0;
		}
		total *= n ? n : 1;
		if (total > SYNTHETIC_MAX_PUS) {
			snprintf(why, whylen, "more than %d PUs", SYNTHETIC_MAX_PUS);
			return 0;
		}
		levels++;
	}
	if (levels == 0)
		snprintf(why, whylen, "no levels");
	return levels ? total : 0;
}

int lb_topo_load(struct lb_topo **out, const char *synthetic, char *err, size_t errlen)
{
	struct lb_topo *t;
	unsigned long expect_pus = 0;

	*out = NULL;
	t = calloc(1, sizeof(*t));
	if (!t) {
		set_err(err, errlen, "topology: out of memory");
		return -1;
	}
	if (hwloc_topology_init(&t->topo) < 0) {
		set_err(err, errlen, "topology: hwloc init failed: %s", strerror(errno));
		free(t);
		return -1;
	}

	if (synthetic) {
		t->synthetic = true;
		t->description = strdup(synthetic);
		if (!t->description) {
			set_err(err, errlen, "topology: out of memory");
			goto fail;
		}
		char why[96];
		if ((expect_pus = synthetic_size(synthetic, why, sizeof why)) == 0) {
			set_err(err, errlen, "--synthetic: \"%s\": %s", synthetic, why);
			goto fail;
		}
		if (hwloc_topology_set_synthetic(t->topo, synthetic) < 0) {
			set_err(err, errlen,
				"--synthetic: \"%s\" is not a valid hwloc synthetic topology",
				synthetic);
			goto fail;
		}
	} else {
		/* RESTRICT_TO_CPUBINDING requires IS_THISSYSTEM (see hwloc.h). */
		unsigned long flags = HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
				      HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING;

		if (hwloc_topology_set_flags(t->topo, flags) < 0) {
			set_err(err, errlen, "topology: cannot set hwloc flags: %s",
				strerror(errno));
			goto fail;
		}
	}

	if (hwloc_topology_load(t->topo) < 0) {
		if (synthetic)
			set_err(err, errlen,
				"--synthetic: \"%s\" is not a valid hwloc synthetic topology",
				synthetic);
		else
			set_err(err, errlen, "topology: hwloc cannot load this machine: %s",
				strerror(errno));
		goto fail;
	}

	/*
	 * hwloc accepts explicit PU indexes with duplicates or gaps
	 * (indexes=4,4,4,6,...) and then builds a tree that disagrees with the
	 * description: PUs merged, cores gone. Plan only on what was described.
	 */
	hwloc_const_bitmap_t described = hwloc_topology_get_topology_cpuset(t->topo);
	if (synthetic && (hwloc_get_nbobjs_by_type(t->topo, HWLOC_OBJ_PU) != (int)expect_pus ||
			  hwloc_bitmap_weight(described) != (int)expect_pus ||
			  hwloc_bitmap_last(described) != (int)expect_pus - 1)) {
		set_err(err, errlen, "--synthetic: \"%s\": describes %lu PUs, PU indexes must be 0..%lu once each",
			synthetic, expect_pus, expect_pus - 1);
		goto fail;
	}

	t->usable = hwloc_bitmap_dup(hwloc_topology_get_topology_cpuset(t->topo));
	if (!t->usable) {
		set_err(err, errlen, "topology: out of memory");
		goto fail;
	}
	hwloc_bitmap_and(t->usable, t->usable, hwloc_topology_get_allowed_cpuset(t->topo));

	if (build_orders(t, err, errlen) < 0)
		goto fail;
	*out = t;
	return 0;
fail:
	lb_topo_free(t);
	return -1;
}

void lb_topo_free(struct lb_topo *t)
{
	if (!t)
		return;
	free(t->compact);
	free(t->scatter);
	free(t->cores);
	free(t->description);
	hwloc_bitmap_free(t->usable);
	hwloc_topology_destroy(t->topo);
	free(t);
}

static unsigned count_type(const struct lb_topo *t, hwloc_obj_type_t type)
{
	int n = hwloc_get_nbobjs_by_type(t->topo, type);

	return n > 0 ? (unsigned)n : 0;
}

void lb_topo_summary(const struct lb_topo *t, struct lb_topo_summary *out)
{
	memset(out, 0, sizeof(*out));
	out->packages = count_type(t, HWLOC_OBJ_PACKAGE);
	out->numa_nodes = count_type(t, HWLOC_OBJ_NUMANODE);
	out->cores = count_type(t, HWLOC_OBJ_CORE);
	out->pus = count_type(t, HWLOC_OBJ_PU);
	for (unsigned i = 0; i < out->cores; i++) {
		hwloc_obj_t core = hwloc_get_obj_by_type(t->topo, HWLOC_OBJ_CORE, i);

		if (hwloc_bitmap_weight(core->cpuset) > 1)
			out->smt = true;
	}
	out->synthetic = t->synthetic;
	hwloc_bitmap_list_snprintf(out->allowed_cpus, sizeof(out->allowed_cpus), t->usable);
}

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
		set_err(err, errlen, "--pin: \"%s\" needs a list of cpus, e.g. cpus:0,2,4-7", text);
		return -1;
	}
	out->ncpus = 0;
	for (;;) {
		const char *item = p;
		int lo, hi;

		if (!parse_cpu_number(&p, &lo)) {
			set_err(err, errlen,
				"--pin: \"%s\": \"%.*s\" is not a cpu number or range N-M", text,
				(int)strcspn(item, ","), item);
			return -1;
		}
		hi = lo;
		if (*p == '-') {
			p++;
			if (!parse_cpu_number(&p, &hi)) {
				set_err(err, errlen,
					"--pin: \"%s\": \"%.*s\" is not a cpu number or range N-M",
					text, (int)strcspn(item, ","), item);
				return -1;
			}
		}
		if (*p != ',' && *p != '\0') {
			set_err(err, errlen,
				"--pin: \"%s\": \"%.*s\" is not a cpu number or range N-M", text,
				(int)strcspn(item, ","), item);
			return -1;
		}
		if (hi < lo) {
			set_err(err, errlen, "--pin: \"%s\": range %d-%d is reversed", text, lo, hi);
			return -1;
		}
		if ((unsigned long)hi - (unsigned long)lo + 1 > LB_PIN_MAX_CPUS - out->ncpus) {
			set_err(err, errlen, "--pin: \"%s\" lists more than %d cpus", text,
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
		set_err(err, errlen, "--pin: missing value");
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
	set_err(err, errlen, "--pin: \"%s\" is not compact, scatter, cores, none or cpus:LIST",
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
		set_err(err, errlen, "--pin: cpus:LIST must name 1 to %d cpus, not %u",
			LB_PIN_MAX_CPUS, spec->ncpus);
		return -1;
	}
	for (unsigned i = 0; i < spec->ncpus; i++) {
		if (spec->cpus[i] < 0 || !hwloc_bitmap_isset(t->usable, (unsigned)spec->cpus[i])) {
			char allowed[256];

			hwloc_bitmap_list_snprintf(allowed, sizeof(allowed), t->usable);
			set_err(err, errlen, "--pin: cpu %d is not in the allowed set %s",
				spec->cpus[i], allowed);
			return -1;
		}
	}
	listed = hwloc_bitmap_alloc();
	if (!listed) {
		set_err(err, errlen, "--pin: out of memory");
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
	set_err(err, errlen, "--pin: unknown policy %d", (int)spec->policy);
	return -1;
}

int lb_pin_self(const struct lb_topo *t, int pu, char *err, size_t errlen)
{
	hwloc_bitmap_t set;
	int ret;

	if (pu == -1)
		return 0;
	if (t->synthetic) {
		set_err(err, errlen, "--pin: cannot bind to a synthetic topology (\"%s\")",
			t->description);
		return -1;
	}
	if (pu < 0 || !hwloc_bitmap_isset(t->usable, (unsigned)pu)) {
		char allowed[256];

		hwloc_bitmap_list_snprintf(allowed, sizeof(allowed), t->usable);
		set_err(err, errlen, "--pin: cpu %d is not in the allowed set %s", pu, allowed);
		return -1;
	}
	set = hwloc_bitmap_alloc();
	if (!set) {
		set_err(err, errlen, "--pin: out of memory");
		return -1;
	}
	hwloc_bitmap_only(set, (unsigned)pu);
	ret = hwloc_set_cpubind(t->topo, set, HWLOC_CPUBIND_THREAD);
	hwloc_bitmap_free(set);
	if (ret < 0) {
		set_err(err, errlen, "--pin: cannot bind thread to cpu %d: %s", pu,
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
