/*
 * engine/run.h — running one configuration: a lock, a workload, a thread count and
 * a pin plan, for one warm-up and one measured window.
 */
#ifndef LB_RUN_H
#define LB_RUN_H

#include <signal.h>

#include "engine/harness.h"
#include "analysis/metrics.h"

/* A lock as chosen on the command line: its table and parameter values. */
struct lb_lock_choice {
	const struct lb_lock_ops *ops;
	union lb_value params[LB_MAX_PARAMS];
	const char *source; /* NULL for built-in, else the plug-in's path */
};

/* A workload as chosen on the command line. */
struct lb_wl_choice {
	const struct lb_workload *wl;
	union lb_value params[LB_MAX_PARAMS];
};

struct lb_run_opts {
	int64_t duration_ns;
	int64_t warmup_ns;
	int64_t slice_ns;      /* timeline slice */
	int64_t tick_ns;       /* coarse clock period */
	int64_t grace_ns;      /* how long stopped threads may take to leave */
	uint32_t sample_every; /* 0 off, 1 all, N sample:N */
	size_t order_log_cap;  /* power of two */
};

enum lb_status { LB_STATUS_OK, LB_STATUS_FAILED, LB_STATUS_HUNG, LB_STATUS_ERROR, LB_STATUS_INTERRUPTED, LB_STATUS_DEADLOCK };
const char *lb_status_name(enum lb_status s);

/*
 * One role of a reader-writer run. lb_run_config fills `wait` (merged over
 * the threads); the rest is analysis/roles.c's (lb_outcome_judge_roles).
 */
struct lb_role_outcome {
	struct lb_hist *wait;     /* merged over threads */
	unsigned nthreads;        /* threads that tried this role (0: the run had no such role) */
	uint64_t acquisitions;    /* in the measured window */
	struct lb_fairness fair;  /* over the role's threads' acquisitions in the role */
	bool *starved;            /* per thread id; false for threads not in the role */
	unsigned nstarved;
	uint32_t max_gap_ticks;   /* longest wait in the role, finished or still waiting at the stop */
};

/* Everything one run leaves behind for the report. */
struct lb_outcome {
	enum lb_status status;
	char message[512];        /* why, when status is not OK */
	double duration_s;        /* measured window, by the runner's clock */
	int64_t slice_ns;         /* timeline slice actually used */
	int64_t tick_ns;
	uint32_t measure_tick0;   /* coarse tick at which the measured window began */
	struct lb_run run;        /* threads with all their figures */
	uint64_t acquisitions;
	uint64_t violations;
	uint64_t release_errors;
	unsigned verify_failures;
	struct lb_hist *wait, *hold, *handoff; /* merged over threads */
	struct lb_counter counters[32];
	size_t ncounters;
	bool counters_window;     /* counters cover the measured window only (else the whole run) */
	struct lb_figure figures[48]; /* the workload's own, measured window only */
	size_t nfigures;
	uint16_t *order;          /* the acquisition order, oldest first */
	size_t norder;
	/* Filled by lb_outcome_judge (analysis/starvation.h), not by lb_run_config: */
	struct lb_fairness fair;  /* over per-thread acquisitions */
	bool *starved;            /* per thread, see analysis/starvation.h */
	unsigned nstarved;
	double pingpong_ns;       /* one-way cache-line transfer between the first two PUs; NAN if not measured */
	/* Reader-writer workloads (has_roles: some thread used a role wrapper); by lb_outcome_judge_roles. */
	bool has_roles;
	struct lb_role_outcome role[LB_NROLES];
	double readers_mean;      /* shared readers inside seen on a read entry, self included; NAN without */
	uint32_t readers_max;

	struct lb_deadlock_found *deadlock; /* what the watchdog found (engine/deadlock.h), or NULL */
	double deadlock_after_s;  /* into the run, warm-up included, when it was found */
	struct lb_stuck *stuck;   /* threads that did not finish (engine/stackdump.h) */
	size_t nstuck;
	bool stuck_in_init;       /* stuck[0] is the thread running the lock's init */
	bool abandoned;           /* deadlocked threads still use the memory: never freed */

	/* private: what to free */
	void *mem_lock, *mem_nodes, *mem_hists, *mem_timeline, *mem_log, *mem_clock, *mem_hl;
};

extern volatile sig_atomic_t lb_interrupted;

/* Where lb_run_config is, for a crash report (engine/isolate.c). */
enum lb_stage { LB_STAGE_IDLE, LB_STAGE_INIT, LB_STAGE_SETUP, LB_STAGE_WARMUP, LB_STAGE_WINDOW, LB_STAGE_STOP,
		LB_STAGE_VERIFY, LB_STAGE_DESTROY };
extern volatile sig_atomic_t lb_stage;
const char *lb_stage_name(int stage);

/* How often the deadlock watchdog looks: a deadlock is reported one to two periods after it forms. */
#define LB_DEADLOCK_PERIOD_NS 50000000

/*
 * Run one configuration. pus[i] is the OS index of thread i's PU (-1: not
 * bound). Returns 0 when the outcome is filled in (whatever its status), -1
 * on a setup error with the reason in out->message.
 */
int lb_run_config(const struct lb_run_opts *opts, const void *topo, const struct lb_lock_choice *lock,
		  const struct lb_wl_choice *wl, unsigned nthreads, const int *pus, struct lb_outcome *out);


/* Free an outcome. A hung run's memory is still in use and is not freed. */
void lb_outcome_free(struct lb_outcome *out);

#endif
