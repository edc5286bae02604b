/*
 * cmd/merge.c — `lockbench merge`: shard results (or a sweep directory)
 * into one result. The joining itself is analysis/merge.c.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "analysis/merge.h"
#include "cmd/cli.h"
#include "model/json.h"
#include "model/output.h"
#include "sweep/manifest.h"

static const char merge_help[] =
	"usage: lockbench merge -o OUT RESULT...\n"
	"       lockbench merge -o OUT SWEEP_DIR\n"
	"  Join results of one build into one: configs paired by id within a machine, samples\n"
	"  concatenated (repetitions renumbered, each keeping its \"shard\"), summaries recomputed.\n"
	"  RESULT files: each file is one shard, in the order given; its machine is its host.\n"
	"  SWEEP_DIR (lockbench sweep): every shard of the sweep, with its machine and state; the\n"
	"  shards that left no result, or not every config, are listed in the result's \"missing\".\n"
	"  -o, --output FILE  the merged result (- for stdout)\n"
	"  -h, --help         this text\n"
	"exit codes: 0 written, 2 usage or input error (inputs of different builds, a bad file)\n";

int lb_cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *output = NULL;
	char err[1024];
	int c;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		if (c == 'o') {
			output = optarg;
		} else if (c == 'h') {
			fputs(merge_help, stdout);
			return LB_EXIT_OK;
		} else {
			return lb_option_error("merge", c, argv);
		}
	}
	if (output == NULL) {
		lb_error("merge: no -o OUT given");
		return LB_EXIT_USAGE;
	}
	if (optind >= argc) {
		lb_error("merge: no result to merge (see: lockbench merge --help)");
		return LB_EXIT_USAGE;
	}
	if (lb_output_check(output, err, sizeof err) != 0) {
		lb_error("merge: -o: %s", err);
		return LB_EXIT_USAGE;
	}
	struct lb_result *merged = NULL;
	struct stat st;
	size_t n = (size_t)(argc - optind);
	if (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (n != 1) {
			lb_error("merge: a sweep directory is merged alone (\"%s\" follows it)", argv[optind + 1]);
			return LB_EXIT_USAGE;
		}
		struct lb_sweep sw;
		if (lb_sweep_open(&sw, argv[optind], err, sizeof err) == 0)
			merged = lb_sweep_merge(&sw, argc, argv, err, sizeof err);
		lb_sweep_close(&sw);
	} else {
		struct lb_merge_input *in = calloc(n, sizeof *in);
		if (in == NULL) {
			lb_error("merge: out of memory");
			return LB_EXIT_USAGE;
		}
		for (size_t i = 0; i < n; i++) {
			in[i].path = argv[optind + (int)i];
			in[i].shard = (unsigned)i;
		}
		if (lb_merge_files(in, n, argc, argv, &merged, err, sizeof err) != 0)
			merged = NULL;
		free(in);
	}
	if (merged == NULL) {
		lb_error("merge: %s", err);
		return LB_EXIT_USAGE;
	}
	int rc = LB_EXIT_OK;
	if (lb_result_write(merged, output, err, sizeof err) != 0) {
		lb_error("merge: %s", err);
		rc = LB_EXIT_USAGE;
	} else {
		fprintf(stderr, "merged %zu configs%s%s", merged->nconfigs, strcmp(output, "-") ? " into " : "",
			strcmp(output, "-") ? output : "");
		if (merged->nmissing)
			fprintf(stderr, "; %zu missing (see its \"missing\")", merged->nmissing);
		fputc('\n', stderr);
	}
	lb_result_free(merged);
	return rc;
}
