/*
 * cmd/list.c — `lockbench list`: every lock and workload, with capabilities
 * and declared parameters (name=default, type, range, help); with
 * `--plugin FILE`, a user's plug-in too, checked as `--locks FILE` would.
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "locks/registry.h"
#include "engine/params.h"
#include "engine/plugin.h"
#include "workloads/registry.h"

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

static void print_lock(const struct lb_lock_ops *ops)
{
	char caps[128];
	lb_caps_text(ops->caps, caps, sizeof caps);
	printf("  %-16s %s\n  %-16s [%s]\n", ops->name, ops->summary, "", caps);
	print_params(ops->params);
}

int lb_cmd_list(int argc, char **argv)
{
	/* `--plugin FILE` (repeatable) adds plug-ins; everything is loaded before anything is printed. */
	const struct lb_lock_ops *plugins[16];
	const char *paths[16];
	size_t nplugins = 0;
	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
			puts("usage: lockbench list [--plugin FILE]...\n"
			     "  every lock (capabilities, parameters) and workload (parameters);\n"
			     "  --plugin FILE also loads, checks and shows a plug-in lock (a shared object)");
			return LB_EXIT_OK;
		}
		if (strcmp(argv[i], "--plugin") == 0 && i + 1 < argc && nplugins < 16) {
			char err[512];
			paths[nplugins] = argv[++i];
			const char *source;
			plugins[nplugins] = lb_plugin_load_once(paths[nplugins], &source, err, sizeof err);
			if (plugins[nplugins] == NULL) {
				lb_error("--plugin: %s", err);
				return LB_EXIT_USAGE;
			}
			nplugins++;
			continue;
		}
		if (strcmp(argv[i], "--plugin") == 0)
			lb_error("list: --plugin needs a file%s", i + 1 < argc ? " (at most 16)" : "");
		else
			lb_error("list: unexpected argument \"%s\"", argv[i]);
		return LB_EXIT_USAGE;
	}
	puts("locks (use as --locks name or name:key=value,...):");
	for (size_t i = 0; lb_locks[i] != NULL; i++)
		print_lock(lb_locks[i]);
	if (nplugins > 0)
		puts("\nplug-ins (use as --locks FILE or FILE:key=value,...):");
	for (size_t i = 0; i < nplugins; i++) {
		printf("  %s\n", paths[i]);
		print_lock(plugins[i]);
	}
	puts("\nworkloads (use as --workload name or name:key=value,...):");
	for (size_t i = 0; lb_workloads[i] != NULL; i++) {
		printf("  %-16s %s\n", lb_workloads[i]->name, lb_workloads[i]->summary);
		if (lb_workloads[i]->needs_caps) {
			char caps[128];
			lb_caps_text(lb_workloads[i]->needs_caps, caps, sizeof caps);
			printf("  %-16s [needs a lock with: %s]\n", "", caps);
		}
		print_params(lb_workloads[i]->params);
	}
	return LB_EXIT_OK;
}
