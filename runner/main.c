/*
 * main.c — `lockbench <command>`: dispatch, `list` and `topo`.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "compare.h"
#include "locks/registry.h"
#include "params.h"
#include "topo.h"
#include "version.h"
#include "workloads/registry.h"

void lb_error(const char *fmt, ...)
{
	va_list ap;
	fputs("lockbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

static void usage(FILE *f)
{
	fputs("usage: lockbench <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  run      run locks x workloads x thread counts and write a JSON result\n"
	      "  list     every lock and workload with its parameters\n"
	      "  topo     the machine's topology and a pin plan\n"
	      "  compare  compare two results; exit 1 on a significant regression\n"
	      "  help     this text; `lockbench <command> --help` for a command's options\n"
	      "\n"
	      "exit codes: 0 ok, 1 a check failed (violation, hung, starvation or regression gate),\n"
	      "            2 usage or input error, 130 interrupted\n",
	      f);
}

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

int lb_cmd_topo(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "synthetic", required_argument, NULL, 's' }, { "pin", required_argument, NULL, 'p' },
		{ "threads", required_argument, NULL, 't' },   { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *synthetic = NULL, *pin = "compact";
	int64_t nthreads = 0;
	char err[512];
	int c;
	opterr = 0;
	while ((c = getopt_long(argc, argv, ":s:p:t:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's': synthetic = optarg; break;
		case 'p': pin = optarg; break;
		case 't':
			if (lb_parse_int(optarg, 1, 4096, &nthreads, err, sizeof err) != 0) {
				lb_error("--threads: %s", err);
				return LB_EXIT_USAGE;
			}
			break;
		case 'h':
			puts("usage: lockbench topo [--synthetic \"pack:2 core:4 pu:2\"] [-p/--pin POLICY] [-t/--threads N]\n"
			     "  POLICY: compact | scatter | cores | none | cpus:LIST (default compact)");
			return LB_EXIT_OK;
		case ':':
			lb_error("topo: option %s needs a value", argv[optind - 1]);
			return LB_EXIT_USAGE;
		default:
			lb_error("topo: unknown option \"%s\"", argv[optind - 1]);
			return LB_EXIT_USAGE;
		}
	}
	if (optind < argc) {
		lb_error("topo: unexpected argument \"%s\"", argv[optind]);
		return LB_EXIT_USAGE;
	}
	struct lb_pin_spec spec;
	if (lb_pin_parse(pin, &spec, err, sizeof err) != 0) {
		lb_error("%s", err);
		return LB_EXIT_USAGE;
	}
	struct lb_topo *topo;
	if (lb_topo_load(&topo, synthetic, err, sizeof err) != 0) {
		lb_error("%s", err);
		return LB_EXIT_USAGE;
	}
	int *pus = calloc(nthreads ? (size_t)nthreads : 1, sizeof *pus);
	bool over = false;
	int rc = LB_EXIT_OK;
	if (pus == NULL || lb_pin_plan(topo, &spec, (unsigned)nthreads, pus, &over, err, sizeof err) != 0) {
		lb_error("%s", pus ? err : "out of memory");
		rc = LB_EXIT_USAGE;
	} else {
		lb_topo_print_plan(stdout, topo, &spec, pus, (unsigned)nthreads, over);
	}
	free(pus);
	lb_topo_free(topo);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc < 2) {
		usage(stderr);
		return LB_EXIT_USAGE;
	}
	const char *cmd = argv[1];
	if (strcmp(cmd, "help") == 0 || strcmp(cmd, "-h") == 0 || strcmp(cmd, "--help") == 0) {
		usage(stdout);
		return LB_EXIT_OK;
	}
	if (strcmp(cmd, "--version") == 0) {
		puts("lockbench " LB_VERSION);
		return LB_EXIT_OK;
	}
	static const struct { const char *name; int (*fn)(int, char **); } cmds[] = {
		{ "run", lb_cmd_run }, { "list", lb_cmd_list }, { "topo", lb_cmd_topo },
		{ "compare", lb_compare_main },
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	lb_error("unknown command \"%s\" (try: lockbench help)", cmd);
	return LB_EXIT_USAGE;
}
