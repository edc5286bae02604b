/*
 * model/model.h — the typed result model: what a run measured, as C structs.
 *
 * The engine fills it (model/fill.c turns an engine outcome into a sample),
 * the analyses read it (summaries, compare, merge), the renderers print it
 * (table, JSON, charts, HTML, CSV). JSON is only its storage format: it is
 * written and loaded in model/json_*.c and nowhere else, so no other layer
 * includes <jansson.h> or knows a JSON key.
 *
 * Ownership: a struct lb_result owns every string and array below it; free
 * it with lb_result_free(). Undefined numbers (a ratio of nothing, a figure
 * that was not measured) are NAN, written as null; optional groups carry a
 * `has_` flag. Units are in field names as in the JSON (_ns, _per_s, _s).
 */
#ifndef LB_MODEL_H
#define LB_MODEL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "analysis/metrics.h"

#define LB_SCHEMA "lockbench/1"

/* ---- building blocks ---- */

/* A typed parameter value as stored in a result (the declaration may be absent: a plug-in). */
enum lb_kv_type { LB_KV_INT, LB_KV_BOOL, LB_KV_STRING };
struct lb_kv {
	char *name;
	enum lb_kv_type type;
	int64_t i; /* INT and BOOL (0/1) */
	char *s;   /* STRING */
};
struct lb_kvs {
	struct lb_kv *v;
	size_t n;
};

/* A latency distribution's summary, in ns; present is false when nothing was timed (null). */
struct lb_latency {
	bool present;
	uint64_t count;
	double mean, p50, p90, p99, p999, p9999, max;
};

/* The percentile curve of the merged wait histogram: [pct, ns] points. */
#define LB_CURVE_MAX 32
struct lb_curve {
	size_t n; /* 0: null */
	double pct[LB_CURVE_MAX], ns[LB_CURVE_MAX];
};

/* A lock's named event counter (the GIL's drop requests, ...). */
struct lb_named_count {
	char *name;
	uint64_t value;
};

/* A workload's own figure (interp's I/O latency, condition's futile wake-ups); NAN: null. */
struct lb_named_value {
	char *name;
	double value;
};

/* What lock_counters cover: unknown (an older result: the whole run), the whole run, the window. */
enum lb_counters_scope { LB_COUNTERS_UNKNOWN, LB_COUNTERS_RUN, LB_COUNTERS_WINDOW };

/* ---- statuses ---- */

enum lb_result_status {
	LB_RS_OK,
	LB_RS_FAILED,
	LB_RS_HUNG,
	LB_RS_ERROR,
	LB_RS_INTERRUPTED,
	LB_RS_DEADLOCK, /* the watchdog found threads waiting for each other (struct lb_deadlock) */
	LB_RS_CRASHED,  /* its isolated process died: a signal, or an exit from inside the lock (struct lb_crash) */
	LB_RS_NOT_RUN, /* configs only: a stopped run never reached it */
	LB_RS_COUNT
};
const char *lb_result_status_name(enum lb_result_status s);
/* The status called name; -1 if there is none. */
int lb_result_status_parse(const char *name);
/* A timing mode by its sample interval, as results name it: "off" (0), "all" (1), "sample:N". */
const char *lb_timing_mode_name(int64_t sample_every, char *buf, size_t len);

/* ---- one repetition of one config ---- */

struct lb_thread_figs {
	unsigned id;
	int pu; /* -1: not bound (null) */
	uint64_t acquisitions;
	double throughput_per_s;
	uint64_t timed;
	struct lb_latency latency, hold;
	uint64_t longest_gap_ns;
	bool has_max_bypass;
	uint64_t max_bypass;
	uint64_t try_failures, poll_handoffs, violations;
	bool starved;
	uint64_t *timeline; /* acquisitions per slice */
	size_t ntimeline;
	/* What the kernel says of the thread over its window (getrusage(RUSAGE_THREAD)); -1: unknown (null). */
	int64_t cpu_ns;               /* user + system CPU time */
	int64_t voluntary_ctxsw, involuntary_ctxsw;
};

/*
 * Which regime a sample's figures are in (analysis/regime.h): a steady rate
 * or not, and whether hand-offs tracked context switches (the scheduler, not
 * the lock, set the pace).
 */
struct lb_regime {
	bool has_steady;              /* false: too few slices to tell (null) */
	bool steady;
	double first_half_per_s, second_half_per_s; /* acquisitions per s in each half of the window; NAN: null */
	double half_ratio;            /* second / first; NAN when the first half had none */
	uint64_t slices, stalled_slices; /* whole slices compared; those in which no thread acquired */
	bool has_handoffs;            /* false: no order of acquisitions (bare) */
	uint64_t handoffs;            /* acquisitions after another thread's: handover ratio x acquisitions */
	double handoffs_per_s;
	int64_t cpu_ns, voluntary_ctxsw, involuntary_ctxsw; /* all threads; -1: unknown (null) */
	double cpu_share;             /* cpu_ns / (window x threads); NAN: unknown */
	double ctxsw_per_s;           /* voluntary + involuntary; NAN: unknown */
	bool has_scheduler_bound;     /* false: not known (no hand-off or switch counts) */
	bool scheduler_bound;
};

struct lb_starvation {
	bool starved;
	unsigned *starved_threads;
	size_t nstarved_threads;
	double max_wait_ns; /* NAN: null */
	uint64_t longest_gap_ns;
	int64_t coarse_resolution_ns;
	bool has_max_bypass;
	uint64_t max_bypass;
	double share_threshold, gap_threshold;
};

/* One lock of a run that takes several (engine/multilock.h). */
struct lb_lock_figs {
	unsigned index;
	uint64_t acquisitions, violations, timed;
	/* Of the sampled attempts (timing on), the share that found the lock held; NAN: none sampled. */
	uint64_t sampled, found_held;
	double contention;
	struct lb_latency wait;
};

/* One step of a wait-for cycle: thread waits for a lock (or on a condition) that `next` holds (signals). */
struct lb_wait_step {
	unsigned thread;
	bool condition; /* false: a lock */
	unsigned index;
	unsigned next;
};

/* What the deadlock watchdog found (engine/deadlock.c). */
struct lb_deadlock {
	bool present;
	char *report;               /* "thread 0 holds lock 1, waits for lock 0 held by thread 1, which ..." */
	unsigned *threads;          /* every thread that can never go on */
	size_t nthreads;
	struct lb_wait_step *cycle; /* one cycle among them, in order */
	size_t ncycle;
	double after_s;             /* into the run (warm-up included) when it was found */
};

/* A thread that did not finish: where it is and what it waits for (engine/stackdump.c). */
struct lb_stuck_thread {
	unsigned id;
	bool in_init;               /* the thread that ran the lock's init, not a workload thread */
	int tid, pu;
	char *state;                /* "running", "asleep", "disk", ... from /proc; NULL: unknown */
	int64_t cpu_ns;             /* CPU time so far; -1: unknown */
	int waits_kind;             /* 0 nothing published, 1 lock, 2 timed lock, 3 condition */
	unsigned waits_index;
	int holder;                 /* the lock's holder (the first signaller); -1: none or unknown */
	unsigned *holds;            /* locks it holds */
	size_t nholds;
	char **stack;               /* symbolised frames, innermost first */
	size_t nstack;
};

/* How an isolated run's process ended when it did not hand back its sample (engine/isolate.c). */
struct lb_crash {
	bool present;
	char *signal;               /* "SIGSEGV"; NULL when it exited */
	int exit_status;            /* -1 when killed by a signal */
	char *stage;                /* "init", "window", ...: where the run was */
	char **stack;               /* symbolised frames of the thread that crashed or called exit */
	size_t nstack;
	uint64_t *acquisitions;     /* per thread since the start, warm-up included: the partial figures */
	size_t nthreads;
};

/*
 * One role of a reader-writer run (a workload that used the read/write role
 * wrappers): who tried it, how often they got it, how long they waited, how
 * fairly, who starved in it; readers also how many were inside together.
 */
enum lb_sample_role { LB_SR_READ, LB_SR_WRITE, LB_SR_COUNT };
/* "read", "write" */
const char *lb_sample_role_name(enum lb_sample_role r);

struct lb_role_thread {
	unsigned id;
	uint64_t acquisitions;
	bool starved;
};

struct lb_role_figs {
	unsigned threads;            /* threads that tried the role */
	uint64_t acquisitions;
	double throughput_per_s;     /* NAN: null */
	struct lb_latency latency;
	struct lb_fairness fairness; /* over the role's threads */
	bool starved;
	unsigned *starved_threads;
	size_t nstarved_threads;
	uint64_t longest_wait_ns;    /* a wait unfinished when the window closed included */
	struct lb_role_thread *per_thread;
	size_t nper_thread;
	bool has_concurrency;        /* readers: shared readers inside seen on a read entry, self included */
	double concurrency_mean;     /* NAN: null */
	uint64_t concurrency_max;
};

struct lb_sample {
	unsigned repetition;
	enum lb_result_status status; /* never NOT_RUN */
	char *message;                /* NULL: none */
	double duration_s;
	/* Everything below is absent (has_figures false) for a hung run or one that never started. */
	bool has_figures;
	uint64_t acquisitions;
	double throughput_per_s;
	struct lb_latency latency, hold, handoff;
	uint64_t violations, release_errors, verify_failures;
	bool has_timing;
	int64_t timing_sample_every, timing_coarse_tick_ns, timing_slice_ns;
	struct lb_named_count *counters;
	size_t ncounters;
	enum lb_counters_scope counters_scope;
	struct lb_named_value *figures; /* the workload's, measured window only */
	size_t nfigures;
	struct lb_curve curve;
	double pingpong_ns;
	bool has_fairness;
	struct lb_fairness fairness;
	bool has_short_term;
	struct lb_short_term short_term;
	bool has_starvation;
	struct lb_starvation starvation;
	bool has_regime;
	struct lb_regime regime;
	bool has_roles; /* a reader-writer workload: roles[LB_SR_READ], roles[LB_SR_WRITE] */
	struct lb_role_figs roles[LB_SR_COUNT];
	struct lb_thread_figs *threads;
	size_t nthreads;
	/* Optional groups, written only when there is something to say. */
	struct lb_lock_figs *locks;        /* per lock, when the run took more than one */
	size_t nlocks;
	struct lb_deadlock deadlock;
	struct lb_stuck_thread *stuck;     /* hung, deadlocked or stuck-in-init threads */
	size_t nstuck;
	struct lb_crash crash;
	bool isolated;                     /* ran in a process of its own (--isolate) */
	/* lockbench merge: the shard (input) the sample came from; has_shard false in a plain run. */
	bool has_shard;
	unsigned shard;
};

/* ---- per config: median, spread and the CI of the median over ok repetitions ---- */

struct lb_stat {
	size_t n;                  /* ok repetitions with a value; the rest are NAN when 0 */
	double median, min, max, ci95_low, ci95_high;
	bool ci95_reached;         /* the order-statistic CI reaches 95% (n >= 6) */
};

/*
 * The headline metrics: what summaries, the table, compare and the charts
 * speak of. One table (model/metric.c) names each, says where it is in a
 * sample and which way is bad, so adding a metric is one line there.
 */
enum lb_metric_id {
	LB_M_THROUGHPUT,
	LB_M_MEAN,
	LB_M_P50,
	LB_M_P90,
	LB_M_P99,
	LB_M_P999,
	LB_M_P9999,
	LB_M_MAX_WAIT,
	LB_M_JAIN,
	LB_M_FAIRNESS_FACTOR,
	LB_M_HANDOVER_RATIO,
	LB_M_LONGEST_GAP,
	LB_M_PINGPONG,
	/* reader-writer runs only (struct lb_metric.roles) */
	LB_M_READ_THROUGHPUT,
	LB_M_WRITE_THROUGHPUT,
	LB_M_READ_P99,
	LB_M_WRITE_P99,
	LB_M_READ_JAIN,
	LB_M_WRITE_JAIN,
	LB_M_READ_CONCURRENCY,
	/* the gate's: fairness, starvation and hold/hand-off beyond the headline ones */
	LB_M_MAX_BYPASS,
	LB_M_HOLD_P50,
	LB_M_HOLD_P99,
	LB_M_HANDOFF_P50,
	LB_M_HANDOFF_P99,
	LB_M_STARVED,
	LB_M_SCHEDULER_BOUND,
	LB_M_COUNT
};
struct lb_metric {
	enum lb_metric_id id;
	const char *name;        /* as --metric takes it: "throughput", "p99", ... */
	const char *summary_key; /* key in a config's "summary": "throughput_per_s", "p99_ns", ... ; NULL: not summarized */
	const char *unit;        /* "per_s", "ns", "" */
	bool higher_better;
	/* The metric's value in one sample; NAN when the sample does not have it. */
	double (*get)(const struct lb_sample *s);
	/* A reader-writer metric: in a summary only when a sample had roles (lb_summary.has_roles). */
	bool roles;
	/*
	 * A yes/no figure of a run (1 yes, 0 no): starved, scheduler_bound. Yes
	 * is the bad side; a config whose runs mostly say yes in NEW and never
	 * did in BASE is a regression whatever its other figures
	 * (analysis/compare.h, "flag rule").
	 */
	bool flag;
};
extern const struct lb_metric lb_metrics[LB_M_COUNT];
/* The metric called name (its --metric name); NULL if none. */
const struct lb_metric *lb_metric_find(const char *name);
/*
 * The metrics a --metric group name stands for, as a comma-separated list
 * ("fairness" -> "jain,fairness_factor"; "all" -> every metric); NULL when
 * name is no group. The groups are listed in lb_metric_groups.
 */
const char *lb_metric_group(const char *name);
struct lb_metric_group {
	const char *name, *metrics, *what;
};
extern const struct lb_metric_group lb_metric_groups[];

struct lb_summary {
	bool present;
	struct lb_stat stat[LB_M_COUNT]; /* only metrics with a summary_key are written */
	bool starved;                    /* any repetition starved */
	bool unsteady;                   /* any repetition labelled not steady */
	bool scheduler_bound;            /* any repetition labelled scheduler-bound */
	/* Reader-writer runs: the role metrics are summarized, and which role starved in any repetition. */
	bool has_roles;
	bool reader_starved, writer_starved;
};

/* ---- one config: identity, parameters, its repetitions and their summary ---- */

struct lb_config {
	char *id; /* the identity string (model/identity.h); never NULL in a loaded result */
	bool id_built; /* the document had no "id": built by lb_identity_legacy() when loaded */
	char *label;   /* the table's name of the lock variant (not stored; NULL when loaded) */
	char *lock_name;
	struct lb_kvs lock_params;
	char *lock_plugin; /* the plug-in's path; NULL for a built-in lock */
	char *lock_timed;  /* its timed acquire: "native", "emulated" (try polled); NULL: none, or not recorded */
	char *workload_name;
	struct lb_kvs workload_params;
	unsigned threads;
	char *pin_policy;
	int *pus; /* npus entries (threads, when the engine fills it); -1: not bound */
	size_t npus;
	bool oversubscribed;
	enum lb_result_status status;
	struct lb_sample *samples;
	size_t nsamples, samples_cap;
	struct lb_summary summary;
	/* lockbench merge: the machine it ran on (a context.machines[].name); NULL in a plain run. A
	 * merged result may hold one config id once per machine: (machine, id) names a config. */
	char *machine;
};

/* ---- the run's context: what makes a result reproducible and comparable ---- */

struct lb_run_options {
	bool present;
	int64_t duration_ns, warmup_ns, repeat;
	char *pin;
	int64_t timing_sample_every, slice_ns, grace_ns, order_log_cap; /* grace, log cap -1: absent */
	char *busy_rate; /* "given" | "calibrated"; NULL: absent */
};

struct lb_context {
	char *version, *git_commit, *command_line;
	char **argv;
	size_t argc;
	char *started_utc, *host, *kernel, *arch, *os, *cpu_model; /* os, cpu_model, arch may be NULL */
	bool has_topology, has_topo_smt;
	unsigned topo_packages, topo_numa_nodes, topo_cores, topo_pus;
	bool topo_smt;
	char *allowed_cpus;
	long online_cpus; /* -1: absent */
	char *compiler, *cflags;
	char *timer_source; /* NULL: no "timer" group */
	double timer_cost_ns, timer_ns_per_tick, timer_tsc_hz; /* tsc_hz NAN when not a TSC */
	double busy_iterations_per_us;                          /* NAN: absent */
	char *cpufreq_governor, *smt_control;                   /* NULL: null */
	bool has_loadavg;
	double loadavg[3];
	double busy_before_run; /* NAN: null */
	bool interrupted;
	struct lb_run_options options;
	char *timing_mode; /* "off", "all", "sample:N"; NULL: no "timing" group */
	int64_t timing_sample_every;
	double timing_overhead_ns; /* NAN: null */
	char *timing_overhead_method;
	/* lockbench merge: the results joined, its command line, and every machine with its own
	 * context (this context is the first result's). NULL: absent (a plain run). */
	char **merged_from;
	size_t nmerged_from;
	char *merged_by;
	struct lb_machine *machines;
	size_t nmachines;
};

/* ---- a merged result (lockbench merge): its machines, and what is missing ---- */

/* One shard (input) of a machine: its result file and how it ended. */
struct lb_shard_info {
	unsigned shard;
	char *result; /* NULL: it left no result (null) */
	char *state;  /* its final state (COMPLETED, CANCELLED, ...); NULL: null (outside a sweep) */
	char *host;   /* its result's context.host; NULL: null */
};

/* A machine: a sweep's machine, else a host. */
struct lb_machine {
	char *name;
	char **hosts; /* distinct hosts of its shards, in shard order */
	size_t nhosts;
	struct lb_shard_info *shards;
	size_t nshards;
	struct lb_context *context; /* its first result's full context; NULL: none left one (null) */
};

/* What a shard should have measured and did not: one per machine, shard and config. */
struct lb_missing {
	char *machine;
	unsigned shard;
	char *config; /* the config id; NULL: no shard of the merge named one (null) */
	char *state;  /* the shard's final state; NULL: null */
	char *reason;
};

/* ---- the document ---- */

struct lb_result {
	char *schema; /* LB_SCHEMA */
	struct lb_context context;
	struct lb_config *configs;
	size_t nconfigs, configs_cap;
	/* lockbench merge: the "missing" list (has_missing: written, even when empty). */
	bool has_missing;
	struct lb_missing *missing;
	size_t nmissing;
};

/* ---- lifecycle (model/result.c) ---- */

/* An empty result (schema set, no configs); NULL when out of memory. */
struct lb_result *lb_result_new(void);
void lb_result_free(struct lb_result *r);
/* Append a zeroed config / sample and return it; NULL when out of memory. Pointers stay valid
 * only until the next append to the same array. */
struct lb_config *lb_result_add_config(struct lb_result *r);
struct lb_sample *lb_config_add_sample(struct lb_config *c);
/* The config with this id, or NULL. */
const struct lb_config *lb_result_find(const struct lb_result *r, const char *id);
/* The config with this id on machine (NULL: a config without machine), or NULL. */
const struct lb_config *lb_result_find_on(const struct lb_result *r, const char *machine, const char *id);
/* context.machines[] called name, or NULL. */
const struct lb_machine *lb_result_machine(const struct lb_result *r, const char *name);
/* An empty context: every optional number absent (NAN, -1). lb_result_new starts with one. */
void lb_context_init(struct lb_context *x);
/* A deep copy of src into dst (which holds nothing); lb_context_clear frees it. */
void lb_context_copy(struct lb_context *dst, const struct lb_context *src);
void lb_context_clear(struct lb_context *x);
/* Free what a sample / config owns (not the struct itself). */
void lb_sample_clear(struct lb_sample *s);
/* Free the optional groups (locks, deadlock, stuck threads, crash) only (model/faults.c). */
void lb_sample_clear_faults(struct lb_sample *s);
/* Free a NULL-terminated or n-long array of strings. */
void lb_strings_free(char **v, size_t n);
void lb_config_clear(struct lb_config *c);
/* Duplicate a string or die trying: NULL in, NULL out. */
char *lb_strdup(const char *s);

/* Recompute c->summary from c->samples (ok ones only), as `run` does after the last repetition. */
void lb_config_summarize(struct lb_config *c);

#endif
