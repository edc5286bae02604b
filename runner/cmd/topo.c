/*
 * cmd/topo.c — `lockbench topo`: the topology (this machine's or a synthetic
 * one) and the PU each thread would get under a pin policy.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/params.h"
#include "engine/topo.h"

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
		default:
			return lb_option_error("topo", c, argv);
		}
	}
	if (lb_no_operands("topo", argc, argv) != 0)
		return LB_EXIT_USAGE;
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
