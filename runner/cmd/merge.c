/*
 * cmd/merge.c — `lockbench merge`: shard results (or a sweep directory)
 * into one result. The joining itself is model/merge.c.
 */
#define _GNU_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "cmd/cli.h"
#include "model/merge.h"
#include "model/result.h"
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
	json_t *doc = NULL;
	struct stat st;
	size_t n = (size_t)(argc - optind);
	if (stat(argv[optind], &st) == 0 && S_ISDIR(st.st_mode)) {
		if (n != 1) {
			lb_error("merge: a sweep directory is merged alone (\"%s\" follows it)", argv[optind + 1]);
			return LB_EXIT_USAGE;
		}
		struct lb_sweep sw;
		if (lb_sweep_open(&sw, argv[optind], err, sizeof err) == 0)
			doc = lb_sweep_merge(&sw, argc, argv, err, sizeof err);
		lb_sweep_close(&sw);
	} else {
		struct lb_merge_input *in = calloc(n, sizeof *in);
		if (in == NULL) {
			lb_error("merge: out of memory");
			return LB_EXIT_USAGE;
		}
		for (size_t i = 0; i < n; i++) {
			in[i].path = argv[optind + (int)i];
			in[i].shard = (int)i;
		}
		doc = lb_merge_results(in, n, argc, argv, err, sizeof err);
		free(in);
	}
	if (doc == NULL) {
		lb_error("merge: %s", err);
		return LB_EXIT_USAGE;
	}
	int rc = LB_EXIT_OK;
	if (lb_json_write_atomic(doc, output, err, sizeof err) != 0) {
		lb_error("merge: %s", err);
		rc = LB_EXIT_USAGE;
	} else {
		size_t missing = json_array_size(json_object_get(doc, "missing"));
		fprintf(stderr, "merged %zu configs%s%s", json_array_size(json_object_get(doc, "configs")),
			strcmp(output, "-") ? " into " : "", strcmp(output, "-") ? output : "");
		if (missing)
			fprintf(stderr, "; %zu missing (see its \"missing\")", missing);
		fputc('\n', stderr);
	}
	json_decref(doc);
	return rc;
}
