/*
 * engine/topo.c — load the topology with hwloc and compute the PU orders the pin plans use.
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

#include "engine/topo_int.h"


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
		lb_topo_err(err, errlen, "topology: no PUs found");
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
		lb_topo_err(err, errlen, "topology: out of memory");
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
		lb_topo_err(err, errlen, "topology: none of its PUs is in the allowed set");
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
		lb_topo_err(err, errlen, "topology: out of memory");
		return -1;
	}
	if (hwloc_topology_init(&t->topo) < 0) {
		lb_topo_err(err, errlen, "topology: hwloc init failed: %s", strerror(errno));
		free(t);
		return -1;
	}

	if (synthetic) {
		t->synthetic = true;
		t->description = strdup(synthetic);
		if (!t->description) {
			lb_topo_err(err, errlen, "topology: out of memory");
			goto fail;
		}
		char why[96];
		if ((expect_pus = synthetic_size(synthetic, why, sizeof why)) == 0) {
			lb_topo_err(err, errlen, "--synthetic: \"%s\": %s", synthetic, why);
			goto fail;
		}
		if (hwloc_topology_set_synthetic(t->topo, synthetic) < 0) {
			lb_topo_err(err, errlen,
				"--synthetic: \"%s\" is not a valid hwloc synthetic topology",
				synthetic);
			goto fail;
		}
	} else {
		/* RESTRICT_TO_CPUBINDING requires IS_THISSYSTEM (see hwloc.h). */
		unsigned long flags = HWLOC_TOPOLOGY_FLAG_IS_THISSYSTEM |
				      HWLOC_TOPOLOGY_FLAG_RESTRICT_TO_CPUBINDING;

		if (hwloc_topology_set_flags(t->topo, flags) < 0) {
			lb_topo_err(err, errlen, "topology: cannot set hwloc flags: %s",
				strerror(errno));
			goto fail;
		}
	}

	if (hwloc_topology_load(t->topo) < 0) {
		if (synthetic)
			lb_topo_err(err, errlen,
				"--synthetic: \"%s\" is not a valid hwloc synthetic topology",
				synthetic);
		else
			lb_topo_err(err, errlen, "topology: hwloc cannot load this machine: %s",
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
		lb_topo_err(err, errlen, "--synthetic: \"%s\": describes %lu PUs, PU indexes must be 0..%lu once each",
			synthetic, expect_pus, expect_pus - 1);
		goto fail;
	}

	t->usable = hwloc_bitmap_dup(hwloc_topology_get_topology_cpuset(t->topo));
	if (!t->usable) {
		lb_topo_err(err, errlen, "topology: out of memory");
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
