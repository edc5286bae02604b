/*
 * cmd/main.c — `lockbench <command>`: usage and dispatch.
 */
#include <stdio.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/version.h"

static void usage(FILE *f)
{
	fputs("usage: lockbench <command> [options]\n"
	      "\n"
	      "commands:\n"
	      "  run      run locks x workloads x thread counts and write a JSON result\n"
	      "  stress   torture locks (random holds, stutter, shuffle); exit 1 if one fails\n"
	      "  list     every lock and workload with its parameters\n"
	      "  topo     the machine's topology and a pin plan\n"
	      "  compare  compare two results; exit 1 on a significant regression\n"
	      "  ab       two locks in one process, alternating windows; exit 1 if NEW regressed\n"
	      "  history  results over commits: trend tables, charts, the last against a baseline\n"
	      "  plot     charts (PNG, SVG) of a result or of a compare verdict, with gnuplot\n"
	      "  report   one self-contained HTML page of results and verdicts, charts inline\n"
	      "  export   a result as CSV or Markdown, a row per config and repetition\n"
	      "  sweep    a sweep spec as Slurm job arrays (or --local): shards of `run`, merged\n"
	      "  merge    join shard results (or a sweep directory) into one result\n"
	      "  selftest `selftest overhead`: what the instrumentation costs against the bare lock\n"
	      "  help     this text; `lockbench <command> --help` for a command's options\n"
	      "\n"
	      "exit codes: 0 ok, 1 a check failed (violation, hung, starvation or regression gate),\n"
	      "            2 usage or input error, 3 a result could not be written and was kept in\n"
	      "            the recovery file the error names (4: nowhere to keep it), 130 interrupted\n",
	      f);
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
		{ "compare", lb_cmd_compare }, { "selftest", lb_cmd_selftest }, { "plot", lb_cmd_plot },
		{ "stress", lb_cmd_stress }, { "sweep", lb_cmd_sweep }, { "merge", lb_cmd_merge },
		{ "report", lb_cmd_report }, { "export", lb_cmd_export },
		{ "ab", lb_cmd_ab }, { "history", lb_cmd_history },
	};
	for (size_t i = 0; i < sizeof cmds / sizeof cmds[0]; i++)
		if (strcmp(cmd, cmds[i].name) == 0)
			return cmds[i].fn(argc - 1, argv + 1);
	lb_error("unknown command \"%s\" (try: lockbench help)", cmd);
	return LB_EXIT_USAGE;
}
