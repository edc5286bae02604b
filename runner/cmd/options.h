/*
 * cmd/options.h — the options `run`, `stress` and `selftest` share, their
 * one set of defaults and the one parser.
 *
 * A command names which shared options it takes (a mask) and adds its own
 * (a getopt table and a callback); the parser does the rest: units, ranges,
 * lists, -h/--help, unknown options, stray operands, one-line errors.
 */
#ifndef LB_OPTIONS_H
#define LB_OPTIONS_H

#include <getopt.h>
#include <stdbool.h>
#include <stdint.h>

#include "engine/run.h"

#define LB_MAX_WORKLOADS 16
#define LB_MAX_THREAD_COUNTS 64
#define LB_MAX_THREADS 1024

enum lb_shared_option {
	LB_OPT_LOCKS = 1 << 0,     /* -l, --locks LIST */
	LB_OPT_WORKLOAD = 1 << 1,  /* -w, --workload W (repeatable) */
	LB_OPT_THREADS = 1 << 2,   /* -t, --threads LIST */
	LB_OPT_DURATION = 1 << 3,  /* -d, --duration TIME */
	LB_OPT_WARMUP = 1 << 4,    /* --warmup TIME */
	LB_OPT_PIN = 1 << 5,       /* -p, --pin POLICY */
	LB_OPT_REPEAT = 1 << 6,    /* -r, --repeat N */
	LB_OPT_TIMING = 1 << 7,    /* --timing all|sample:N|off */
	LB_OPT_SLICE = 1 << 8,     /* --slice TIME */
	LB_OPT_GRACE = 1 << 9,     /* --grace TIME */
	LB_OPT_LOG_CAP = 1 << 10,  /* --log-cap N */
	LB_OPT_BUSY_RATE = 1 << 11, /* --busy-rate N */
	LB_OPT_OUTPUT = 1 << 12,   /* -o, --output FILE */
	LB_OPT_QUIET = 1 << 13,    /* -q, --quiet */
	LB_OPT_ISOLATE = 1 << 14,  /* --isolate, --no-isolate */
};

/* What the shared options set. */
struct lb_run_args {
	struct lb_lock_choice *locks; /* none given: the command's default list */
	size_t nlocks;
	struct lb_wl_choice wls[LB_MAX_WORKLOADS];
	size_t nwls;
	unsigned tcounts[LB_MAX_THREAD_COUNTS];
	size_t ntcounts;
	struct lb_run_opts opts; /* duration, warm-up, slice, tick, grace, timing, log cap */
	int64_t repeat;
	const char *pin_text;
	const char *output; /* NULL: results/<stamp>-<host>.json */
	bool quiet;
	int64_t busy_rate; /* 0: calibrate */
	int isolate;       /* enum lb_isolate_mode: -1 auto (plug-in locks, workloads that may deadlock) */
};

/* The one set of run defaults (1 s windows, 100 ms warm-up, sample:16, compact pinning, ...). */
void lb_run_args_init(struct lb_run_args *a);
void lb_run_args_free(struct lb_run_args *a);

struct lb_command {
	const char *name;       /* "run": errors say "run: ..." */
	unsigned shared;        /* LB_OPT_* it takes */
	const struct option *own; /* its own options, NULL-terminated; NULL: none */
	const char *own_short;  /* their short letters for getopt ("s:"); NULL: none */
	const char *help;       /* printed by -h, --help */
	/* Handle one of its own options; 0, or -1 after saying what is wrong (lb_error). */
	int (*parse)(void *ctx, int c, const char *arg);
	void *ctx;
};

/*
 * Parse argv[1..] (argv[0] is the command) into a. Returns 0 to go on, 1
 * when help was printed (exit 0), -1 after a one-line error (exit 2).
 */
int lb_run_args_parse(int argc, char **argv, const struct lb_command *cmd, struct lb_run_args *a);

#endif
