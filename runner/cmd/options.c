/*
 * cmd/options.c — the shared run options: one table, one set of defaults,
 * one parser for `run`, `stress` and `selftest`.
 */
#define _GNU_SOURCE
#include "cmd/options.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/params.h"
#include "engine/spec.h"

/* Codes of the long-only shared options: above every character a command may use. */
enum { O_WARMUP = 0x100, O_TIMING, O_SLICE, O_GRACE, O_LOG_CAP, O_BUSY_RATE, O_ISOLATE, O_NO_ISOLATE };

static const struct {
	unsigned bit;
	struct option opt;
} shared[] = {
	{ LB_OPT_LOCKS, { "locks", required_argument, NULL, 'l' } },
	{ LB_OPT_WORKLOAD, { "workload", required_argument, NULL, 'w' } },
	{ LB_OPT_THREADS, { "threads", required_argument, NULL, 't' } },
	{ LB_OPT_DURATION, { "duration", required_argument, NULL, 'd' } },
	{ LB_OPT_WARMUP, { "warmup", required_argument, NULL, O_WARMUP } },
	{ LB_OPT_PIN, { "pin", required_argument, NULL, 'p' } },
	{ LB_OPT_REPEAT, { "repeat", required_argument, NULL, 'r' } },
	{ LB_OPT_TIMING, { "timing", required_argument, NULL, O_TIMING } },
	{ LB_OPT_SLICE, { "slice", required_argument, NULL, O_SLICE } },
	{ LB_OPT_GRACE, { "grace", required_argument, NULL, O_GRACE } },
	{ LB_OPT_LOG_CAP, { "log-cap", required_argument, NULL, O_LOG_CAP } },
	{ LB_OPT_BUSY_RATE, { "busy-rate", required_argument, NULL, O_BUSY_RATE } },
	{ LB_OPT_OUTPUT, { "output", required_argument, NULL, 'o' } },
	{ LB_OPT_QUIET, { "quiet", no_argument, NULL, 'q' } },
	{ LB_OPT_ISOLATE, { "isolate", no_argument, NULL, O_ISOLATE } },
	{ LB_OPT_ISOLATE, { "no-isolate", no_argument, NULL, O_NO_ISOLATE } },
};
#define NSHARED (sizeof shared / sizeof shared[0])
#define MAX_OWN 16

void lb_run_args_init(struct lb_run_args *a)
{
	*a = (struct lb_run_args){
		.opts = { .duration_ns = 1000000000, .warmup_ns = 100000000, .slice_ns = 10000000,
			  .tick_ns = 1000000, .grace_ns = 5000000000LL, .sample_every = 16,
			  .order_log_cap = 1u << 20 },
		.repeat = 1,
		.pin_text = "compact",
		.isolate = -1,
	};
}

void lb_run_args_free(struct lb_run_args *a)
{
	lb_locks_free(a->locks, a->nlocks);
	a->locks = NULL;
	a->nlocks = 0;
	for (size_t i = 0; i < a->nwls; i++)
		lb_workload_free(&a->wls[i]);
	a->nwls = 0;
}

static int parse_timing(const char *s, uint32_t *every, char *err, size_t errlen)
{
	if (strcmp(s, "all") == 0) {
		*every = 1;
		return 0;
	}
	if (strcmp(s, "off") == 0) {
		*every = 0;
		return 0;
	}
	if (strncmp(s, "sample:", 7) == 0) {
		int64_t n;
		if (lb_parse_int(s + 7, 1, 1000000000, &n, err, errlen) != 0)
			return -1;
		*every = (uint32_t)n;
		return 0;
	}
	snprintf(err, errlen, "\"%s\" is not all, sample:N or off", s);
	return -1;
}

/* One shared option; 0, or -1 after a one-line error. */
static int parse_shared(int c, const char *arg, struct lb_run_args *a)
{
	char err[512];
	int64_t v;
	struct lb_run_opts *o = &a->opts;
	switch (c) {
	case 'l':
		if (lb_parse_lock_list(arg, &a->locks, &a->nlocks, err, sizeof err) == 0)
			return 0;
		lb_error("--locks: %s", err);
		return -1;
	case 'w':
		if (a->nwls == LB_MAX_WORKLOADS) {
			lb_error("--workload: more than %d workloads", LB_MAX_WORKLOADS);
			return -1;
		}
		if (lb_parse_workload(arg, &a->wls[a->nwls], err, sizeof err) != 0) {
			lb_error("--workload: %s", err);
			return -1;
		}
		a->nwls++;
		return 0;
	case 't':
		if (lb_parse_uint_list(arg, LB_MAX_THREADS, a->tcounts, LB_MAX_THREAD_COUNTS, &a->ntcounts, err,
				       sizeof err) == 0)
			return 0;
		lb_error("--threads: %s", err);
		return -1;
	case 'd':
		return lb_time_option("--duration", arg, 1000000, &o->duration_ns);
	case O_WARMUP:
		return lb_time_option("--warmup", arg, 0, &o->warmup_ns);
	case O_SLICE:
		return lb_time_option("--slice", arg, 1000000, &o->slice_ns);
	case O_GRACE:
		return lb_time_option("--grace", arg, 100000000, &o->grace_ns);
	case 'p':
		a->pin_text = arg;
		return 0;
	case 'r':
		if (lb_parse_int(arg, 1, 10000, &a->repeat, err, sizeof err) == 0)
			return 0;
		lb_error("--repeat: %s", err);
		return -1;
	case O_TIMING:
		if (parse_timing(arg, &o->sample_every, err, sizeof err) == 0)
			return 0;
		lb_error("--timing: %s", err);
		return -1;
	case O_LOG_CAP:
		if (lb_parse_int(arg, 1, 1 << 28, &v, err, sizeof err) != 0 || (v & (v - 1)) != 0) {
			lb_error("--log-cap: \"%s\" is not a power of two in [1, 268435456]", arg);
			return -1;
		}
		o->order_log_cap = (size_t)v;
		return 0;
	case O_BUSY_RATE:
		if (lb_parse_int(arg, 1, 1000000000, &a->busy_rate, err, sizeof err) == 0)
			return 0;
		lb_error("--busy-rate: %s", err);
		return -1;
	case 'o':
		a->output = arg;
		return 0;
	case 'q':
		a->quiet = true;
		return 0;
	case O_ISOLATE:
	case O_NO_ISOLATE:
		a->isolate = c == O_ISOLATE;
		return 0;
	}
	return -1;
}

int lb_run_args_parse(int argc, char **argv, const struct lb_command *cmd, struct lb_run_args *a)
{
	struct option longopts[NSHARED + MAX_OWN + 2];
	char optstring[64] = ":h";
	size_t n = 0;
	for (size_t i = 0; i < NSHARED; i++) {
		if (!(cmd->shared & shared[i].bit))
			continue;
		longopts[n++] = shared[i].opt;
		if (shared[i].opt.val < 0x100) {
			size_t used = strlen(optstring);
			snprintf(optstring + used, sizeof optstring - used, "%c%s", shared[i].opt.val,
				 shared[i].opt.has_arg ? ":" : "");
		}
	}
	longopts[n++] = (struct option){ "help", no_argument, NULL, 'h' };
	for (size_t i = 0; cmd->own != NULL && cmd->own[i].name != NULL && i < MAX_OWN; i++)
		longopts[n++] = cmd->own[i];
	longopts[n] = (struct option){ NULL, 0, NULL, 0 };
	if (cmd->own_short != NULL)
		strncat(optstring, cmd->own_short, sizeof optstring - strlen(optstring) - 1);

	opterr = 0;
	optind = 1;
	int c;
	while ((c = getopt_long(argc, argv, optstring, longopts, NULL)) != -1) {
		if (c == 'h') {
			fputs(cmd->help, stdout);
			return 1;
		}
		if (c == ':' || c == '?') {
			lb_option_error(cmd->name, c, argv);
			return -1;
		}
		bool is_shared = false;
		for (size_t i = 0; i < NSHARED; i++)
			is_shared |= (cmd->shared & shared[i].bit) && shared[i].opt.val == c;
		if ((is_shared ? parse_shared(c, optarg, a) : cmd->parse(cmd->ctx, c, optarg)) != 0)
			return -1;
	}
	return lb_no_operands(cmd->name, argc, argv) == 0 ? 0 : -1;
}
