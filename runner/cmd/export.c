/*
 * cmd/export.c — `lockbench export RESULT --csv|--markdown [-o FILE]`: a
 * result as a table for other tools (render/export.h), through the atomic
 * writer.
 */
#include <getopt.h>
#include <stdio.h>
#include <string.h>

#include "analysis/filter.h"
#include "cmd/cli.h"
#include "model/json.h"
#include "model/output.h"
#include "render/export.h"

static const char export_help[] =
	"usage: lockbench export RESULT --csv|--markdown [-o FILE] [--filter F]\n"
	"  RESULT             a result (lockbench run, stress, merge)\n"
	"      --csv          CSV: a header, then a row per config and repetition (columns: docs/reports.md)\n"
	"      --markdown     a Markdown table, a row per config and repetition\n"
	"  -o, --output FILE  where it goes (default - : standard output); written whole or not at all\n"
	"      --filter F     only the configs F keeps, e.g. lock=ticket,mcs,threads=1-8 (as for plot)\n"
	"  -h, --help         this text\n"
	"exit codes: 0 written, 2 usage or input error (nothing is written)\n";

enum { O_CSV = 0x100, O_MARKDOWN, O_FILTER };

struct export_job {
	const struct lb_result *result;
	const char *source;
	bool markdown;
};

static int emit(FILE *f, void *arg)
{
	const struct export_job *j = arg;
	return j->markdown ? lb_export_markdown(f, j->result, j->source) : lb_export_csv(f, j->result);
}

int lb_cmd_export(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "csv", no_argument, NULL, O_CSV },         { "markdown", no_argument, NULL, O_MARKDOWN },
		{ "output", required_argument, NULL, 'o' },  { "filter", required_argument, NULL, O_FILTER },
		{ "help", no_argument, NULL, 'h' },          { NULL, 0, NULL, 0 },
	};
	struct lb_filter filter = { 0 };
	struct lb_result *r = NULL;
	const char *output = "-";
	int format = 0, c, rc = LB_EXIT_USAGE;
	char err[1024];
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:h", longopts, NULL)) != -1) {
		switch (c) {
		case O_CSV:
		case O_MARKDOWN:
			if (format != 0 && format != c) {
				lb_error("export: --csv or --markdown, not both (run export twice)");
				goto out;
			}
			format = c;
			break;
		case 'o':
			if (optarg[0] == '\0') {
				lb_error("export: --output: an empty file name");
				goto out;
			}
			output = optarg;
			break;
		case O_FILTER:
			if (lb_filter_parse(&filter, optarg, err, sizeof err) != 0) {
				lb_error("export: --filter: %s", err);
				goto out;
			}
			break;
		case 'h':
			fputs(export_help, stdout);
			rc = LB_EXIT_OK;
			goto out;
		default:
			rc = lb_option_error("export", c, argv);
			goto out;
		}
	}
	if (optind >= argc) {
		lb_error("export: which result? (usage: lockbench export RESULT --csv|--markdown [-o FILE])");
		goto out;
	}
	if (optind + 1 < argc) {
		lb_error("export: one result at a time (\"%s\" follows it)", argv[optind + 1]);
		goto out;
	}
	if (format == 0) {
		lb_error("export: --csv or --markdown?");
		goto out;
	}
	if (lb_output_check(output, err, sizeof err) != 0) {
		lb_error("export: --output: %s", err);
		goto out;
	}
	if (lb_result_load(argv[optind], &r, err, sizeof err) != 0 ||
	    lb_filter_result(&filter, r, argv[optind], err, sizeof err) != 0) {
		lb_error("export: %s", err);
		goto out;
	}
	const char *slash = strrchr(argv[optind], '/');
	struct export_job job = { r, slash ? slash + 1 : argv[optind], format == O_MARKDOWN };
	if (lb_output_write(output, emit, &job, err, sizeof err) != 0) {
		lb_error("export: --output: %s", err);
		goto out;
	}
	rc = LB_EXIT_OK;
out:
	lb_result_free(r);
	lb_filter_free(&filter);
	return rc;
}
