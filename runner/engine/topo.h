/*
 * runner/topo.h — machine topology and thread pinning.
 *
 * Where a lock's threads run decides what it costs: two SMT siblings share
 * a core's caches, two cores of one package share its last-level cache, two
 * packages share nothing but the interconnect. So every run loads the
 * topology once (with hwloc), turns the user's pin policy and a thread count
 * into a pin plan — the OS index of the PU (hardware thread) each benchmark
 * thread will run on — records that plan in the results, and has each thread
 * bind itself to its PU before the start barrier.
 *
 * The topology is either this machine, restricted to the CPUs the process
 * may use (taskset, cgroup cpuset), or a synthetic hwloc description such as
 * "pack:2 core:4 pu:2". Synthetic topologies let the planning be tested and
 * previewed (`lockbench topo --synthetic ...`) on any machine; they cannot be
 * bound to. Their PU OS indexes are the ones hwloc assigns, equal to the
 * logical indexes.
 *
 * Pin policies (`--pin`):
 *   compact   PUs in topology (logical) order: the SMT siblings of a core
 *             fill before the next core, the cores of a package before the
 *             next package. Threads share as much cache as they can.
 *   scatter   Threads as far apart as possible: round-robin across
 *             packages, then across the cores of a package, then across the
 *             PUs of a core. On "pack:2 core:4 pu:2" thread 0 gets pack0
 *             core0 pu0, thread 1 pack1 core0 pu0, thread 2 pack0 core1 pu0,
 *             ...; a core's second PU is used only once every core has one
 *             thread.
 *   cores     Only the first PU of each core, cores in compact order; no two
 *             threads share a core until there are more threads than cores.
 *   none      No binding; the scheduler places threads (plan entries are -1).
 *   cpus:LIST Exactly these OS PU indexes, in the order given; LIST is like
 *             0,2,4-7. Repeated indexes are allowed and used as listed.
 * With more threads than the policy has PUs, threads wrap round-robin over
 * the policy's PU sequence, and the plan reports itself oversubscribed:
 *   compact, scatter: threads > allowed PUs;  cores: threads > cores;
 *   none: threads > allowed PUs;  cpus:LIST: threads > distinct cpus listed.
 *
 * Errors come back as -1 plus one line in the caller's buffer, naming the
 * option (`--pin:`, `--synthetic:`) so the CLI can print it as is.
 *
 * Thread safety: a loaded topology is read-only. lb_pin_plan, lb_pin_self and
 * the print/summary functions may be called from any number of threads at
 * once; lb_topo_load and lb_topo_free must not race with anything on the same
 * topology. None of this is for hot paths: binding is done once per thread
 * before the measured window.
 */
#ifndef LOCKBENCH_RUNNER_TOPO_H
#define LOCKBENCH_RUNNER_TOPO_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

struct lb_topo; /* opaque: owns the hwloc topology and the precomputed PU orders */

/*
 * Load a topology. synthetic == NULL loads this machine, restricted to the
 * process's allowed CPU set; otherwise synthetic is an hwloc synthetic
 * description. Returns 0 and sets *out, or -1 with a one-line reason in err.
 * Load before binding any thread: on Linux hwloc takes the process's CPU set
 * to be the union of its threads' affinities, so a thread bound (or a helper
 * thread left unbound) at load time widens or narrows what counts as allowed.
 */
int lb_topo_load(struct lb_topo **out, const char *synthetic, char *err, size_t errlen);
void lb_topo_free(struct lb_topo *t);

struct lb_topo_summary {
	unsigned packages, numa_nodes, cores, pus; /* objects in the (restricted) topology */
	bool smt;                                  /* some core has two or more PUs */
	bool synthetic;                            /* not this machine: cannot bind */
	char allowed_cpus[256];                    /* usable PUs as a list, e.g. "0-1" */
};
void lb_topo_summary(const struct lb_topo *t, struct lb_topo_summary *out);

enum lb_pin_policy { LB_PIN_COMPACT, LB_PIN_SCATTER, LB_PIN_CORES, LB_PIN_NONE, LB_PIN_CPUS };

#define LB_PIN_MAX_CPUS 1024

struct lb_pin_spec {
	enum lb_pin_policy policy;
	unsigned ncpus;            /* LB_PIN_CPUS only: entries in cpus */
	int cpus[LB_PIN_MAX_CPUS]; /* LB_PIN_CPUS only: OS PU indexes in the order given */
};

/*
 * Parse "compact" | "scatter" | "cores" | "none" | "cpus:LIST" (LIST = 0,2,4-7).
 * Whether the cpus exist is checked later, against a topology, by lb_pin_plan.
 */
int lb_pin_parse(const char *text, struct lb_pin_spec *out, char *err, size_t errlen);

/* "compact", "scatter", "cores", "none", "cpus" (or "?" for a bad value). */
const char *lb_pin_policy_name(enum lb_pin_policy p);

/*
 * Fill pus[0..nthreads-1] with the OS index of each thread's PU (-1 for
 * policy none). *oversubscribed tells whether threads must share PUs (see the
 * table above). Fails if cpus:LIST names a PU outside the allowed topology.
 */
int lb_pin_plan(const struct lb_topo *t, const struct lb_pin_spec *spec, unsigned nthreads,
		int *pus, bool *oversubscribed, char *err, size_t errlen);

/*
 * Bind the calling thread to the PU with OS index pu; pu == -1 does nothing.
 * Refused for a synthetic topology and for a PU outside the allowed set.
 */
int lb_pin_self(const struct lb_topo *t, int pu, char *err, size_t errlen);

/*
 * Print the topology summary and, when nthreads > 0, one line per thread:
 * thread → PU, with that PU's core and package logical indexes.
 */
void lb_topo_print_plan(FILE *f, const struct lb_topo *t, const struct lb_pin_spec *spec,
			const int *pus, unsigned nthreads, bool oversubscribed);

#endif /* LOCKBENCH_RUNNER_TOPO_H */
