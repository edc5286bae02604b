/*
 * cmd_list.c — `lockbench list`: every lock and workload, with capabilities
 * and declared parameters (name=default, type, range, help).
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "locks/registry.h"
#include "params.h"
#include "workloads/registry.h"

static void caps_text(uint32_t caps, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ LB_CAP_FIFO, "fifo" }, { LB_CAP_SPINS, "spins" }, { LB_CAP_SLEEPS, "sleeps" },
		{ LB_CAP_TRY, "try" }, { LB_CAP_TIMED, "timed" }, { LB_CAP_POLL, "poll" },
		{ LB_CAP_REENTRANT, "reentrant" }, { LB_CAP_NO_EXCLUSION, "no-exclusion" },
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0] && used < len; i++)
		if (caps & names[i].bit)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i].name);
}

static void print_params(const struct lb_param *p)
{
	static const char *types[] = { "int", "time", "bool", "text" };
	for (size_t i = 0; p != NULL && p[i].name != NULL; i++) {
		char range[96] = "";
		if (p[i].type == LB_PARAM_INT)
			snprintf(range, sizeof range, " [%" PRId64 "..%" PRId64 "]", p[i].min, p[i].max);
		else if (p[i].type == LB_PARAM_DURATION) {
			char lo[32], hi[32];
			lb_format_duration(p[i].min, lo, sizeof lo);
			lb_format_duration(p[i].max, hi, sizeof hi);
			snprintf(range, sizeof range, " [%s..%s]", lo, hi);
		}
		char kv[128];
		snprintf(kv, sizeof kv, "%s=%s", p[i].name, p[i].def);
		printf("      %-22s %s%s  %s\n", kv, types[p[i].type], range, p[i].help);
	}
}

int lb_cmd_list(int argc, char **argv)
{
	if (argc > 1) {
		if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
			puts("usage: lockbench list\n  every lock (capabilities, parameters) and workload (parameters)");
			return LB_EXIT_OK;
		}
		lb_error("list: unexpected argument \"%s\"", argv[1]);
		return LB_EXIT_USAGE;
	}
	puts("locks (use as --locks name or name:key=value,...):");
	for (size_t i = 0; lb_locks[i] != NULL; i++) {
		char caps[128];
		caps_text(lb_locks[i]->caps, caps, sizeof caps);
		printf("  %-16s %s\n  %-16s [%s]\n", lb_locks[i]->name, lb_locks[i]->summary, "", caps);
		print_params(lb_locks[i]->params);
	}
	puts("\nworkloads (use as --workload name or name:key=value,...):");
	for (size_t i = 0; lb_workloads[i] != NULL; i++) {
		printf("  %-16s %s\n", lb_workloads[i]->name, lb_workloads[i]->summary);
		print_params(lb_workloads[i]->params);
	}
	return LB_EXIT_OK;
}
