/*
 * cmd/ab.c — `lockbench ab BASE NEW [options]`: the gate for a lock library.
 *
 * Parses the two lock specs and the options, loads a second copy of a
 * plug-in named twice (engine/plugin.h), runs both locks in alternating
 * windows in this one process (engine/ab.h), judges the window pairs
 * (analysis/compare.h, lb_compare_paired) and writes the verdict as
 * `compare` does (cmd/verdict_opts.h): same table, JSON, Markdown and exit
 * codes.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "analysis/compare.h"
#include "analysis/stats.h"
#include "cmd/cli.h"
#include "cmd/options.h"
#include "cmd/verdict_opts.h"
#include "engine/ab.h"
#include "engine/params.h"
#include "engine/plugin.h"
#include "model/json.h"

#define AB_PAIRS_DEFAULT 20
#define AB_WINDOW_NS 100000000LL
#define AB_WARMUP_NS 20000000LL

static const char ab_help[] =
	"usage: lockbench ab BASE NEW [options]\n"
	"\n"
	"Run two locks in one process, in alternating windows (base new, new base,\n"
	"base new, ...), and tell per config and metric whether NEW regressed against\n"
	"BASE: the Wilcoxon signed-rank test on the window pairs' log ratios, p < alpha,\n"
	"AND a median pair ratio worse than the threshold; the rules and exit codes of\n"
	"`compare`. BASE and NEW are lock specs as --locks takes one: two builds of a\n"
	"plug-in (./base.so ./new.so), a built-in and a plug-in (ticket ./myticket.so),\n"
	"or one plug-in twice with other parameters (a second copy is loaded).\n"
	"\n"
	"  -w, --workload W   workload and parameters (default cs); repeat for several\n"
	"  -t, --threads LIST thread counts (default 1,2)\n"
	"      --pairs N      window pairs per config (default 20; 8 is the fewest with\n"
	"                     which p < 0.01 is possible)\n"
	"  -d, --duration TIME  measured time of one window (default 100ms)\n"
	"      --warmup TIME  warm-up before each window (default 20ms)\n"
	"  -p, --pin POLICY   compact | scatter | cores | none | cpus:LIST\n"
	"                     (default compact)\n"
	"      --timing MODE, --slice TIME, --grace TIME, --log-cap N, --busy-rate N\n"
	"                     as for `run`: one setting for both locks\n"
	"      --save DIR     also write the windows as results DIR/base.json and\n"
	"                     DIR/new.json\n";

static const char ab_help_tail[] =
	"  -h, --help         this text\n"
	"\n"
	"Exit status: 0 no regression, 1 a regression (a window of NEW failed, hung or\n"
	"starved where BASE's did not counts too), 2 usage or input error,\n"
	"130 interrupted (no verdict).\n";

enum { O_PAIRS = 0x280, O_SAVE };

struct ab_cmd {
	struct lb_verdict_opts vo;
	int64_t pairs;
	const char *save;
	bool tty;
	time_t started;
};

static int parse_own(void *ctx, int c, const char *arg)
{
	struct ab_cmd *a = ctx;
	char err[256];

	if (c == O_PAIRS) {
		if (lb_parse_int(arg, 1, 100000, &a->pairs, err, sizeof err) == 0)
			return 0;
		lb_error("ab: --pairs: %s", err);
		return -1;
	}
	if (c == O_SAVE) {
		a->save = arg;
		return 0;
	}
	return lb_verdict_opts_parse(&a->vo, c, arg) == 0 ? 0 : -1;
}

static void progress(void *arg, size_t done, size_t total)
{
	struct ab_cmd *a = arg;
	long secs = (long)(time(NULL) - a->started);

	if (a->tty)
		fprintf(stderr, "ab: %zu/%zu window pairs, %lds\033[K\r", done, total, secs);
	else if (done == total || done % (total / 4 ? total / 4 : 1) == 0)
		fprintf(stderr, "ab: %zu/%zu window pairs, %lds\n", done, total, secs);
}

/* One lock from spec into *out (exactly one). 0, or -1 after a one-line error naming which. */
static int parse_lock(const char *which, const char *spec, struct lb_lock_choice **out)
{
	char err[512];
	size_t n = 0;

	*out = NULL;
	if (lb_parse_lock_list(spec, out, &n, err, sizeof err) != 0) {
		lb_error("ab: %s: %s", which, err);
		lb_locks_free(*out, n);
		*out = NULL;
		return -1;
	}
	if (n != 1) {
		lb_error("ab: %s: \"%s\" names %zu locks; give one", which, spec, n);
		lb_locks_free(*out, n);
		*out = NULL;
		return -1;
	}
	return 0;
}

/*
 * NEW as a lock of its own. The loader hands out one table per file: the
 * same plug-in named twice (or a hard link to it) would share code and
 * globals with BASE, so NEW gets a private copy.
 */
static int separate(const struct lb_lock_choice *base, struct lb_lock_choice *nw)
{
	char err[512];
	const struct lb_lock_ops *copy;

	/* the same code is the same object (an older-ABI table is a copy per load: compare the code) */
	if (nw->source == NULL || base->source == NULL || nw->ops->acquire != base->ops->acquire)
		return 0;
	if ((copy = lb_plugin_load_copy(nw->source, err, sizeof err)) == NULL) {
		lb_error("ab: NEW: %s", err);
		return -1;
	}
	nw->ops = copy; /* the same file: the same declared parameters for the values parsed */
	return 0;
}

/* --save: both sides' windows as results. 0, or LB_EXIT_USAGE after saying why. */
static int save(const char *dir, struct lb_result *res[2])
{
	static const char *const names[2] = { "base.json", "new.json" };
	char path[PATH_MAX], err[512];

	if (mkdir(dir, 0777) != 0 && errno != EEXIST) {
		lb_error("ab: --save: %s: %s", dir, strerror(errno));
		return LB_EXIT_USAGE;
	}
	for (size_t s = 0; s < 2; s++) {
		snprintf(path, sizeof path, "%s/%s", dir, names[s]);
		if (lb_result_write(res[s], path, err, sizeof err) != 0) {
			lb_error("ab: --save: %s", err);
			return LB_EXIT_USAGE;
		}
	}
	return 0;
}

static int judge(struct ab_cmd *a, struct lb_result *res[2], const char *base_spec, const char *new_spec)
{
	struct lb_verdict *v = NULL;
	char err[1024];
	int rc;

	if (lb_compare_paired(res[0], base_spec, res[1], new_spec, &a->vo.s, lb_verdict_opts_warn, &a->vo, &v, err,
			      sizeof err) != 0) {
		lb_verdict_opts_error(&a->vo, err);
		return LB_EXIT_USAGE;
	}
	rc = lb_verdict_opts_write(&a->vo, v);
	lb_verdict_free(v);
	return rc;
}

int lb_cmd_ab(int argc, char **argv)
{
	static const struct option own[] = {
		{ "pairs", required_argument, NULL, O_PAIRS },
		{ "save", required_argument, NULL, O_SAVE },
		LB_VERDICT_LONGOPTS,
		{ NULL, 0, NULL, 0 },
	};
	static char help[4096];
	struct ab_cmd a = { .pairs = AB_PAIRS_DEFAULT };
	struct lb_lock_choice *base = NULL, *nw = NULL;
	struct lb_result *res[2] = { NULL, NULL };
	struct lb_run_args args;
	FILE *hf = fmemopen(help, sizeof help, "w");
	int rc = LB_EXIT_USAGE;

	lb_verdict_opts_init(&a.vo, "ab", lb_stats_wilcoxon_min_n);
	if (hf) {
		fputs(ab_help, hf);
		lb_verdict_opts_usage(hf, 0, "window pairs");
		fputs(ab_help_tail, hf);
		fclose(hf);
	}
	const struct lb_command cmd = {
		.name = "ab",
		.shared = LB_OPT_WORKLOAD | LB_OPT_THREADS | LB_OPT_DURATION | LB_OPT_WARMUP | LB_OPT_PIN | LB_OPT_TIMING |
			  LB_OPT_SLICE | LB_OPT_GRACE | LB_OPT_LOG_CAP | LB_OPT_BUSY_RATE | LB_OPT_QUIET,
		.own = own, .help = help, .parse = parse_own, .ctx = &a,
	};
	lb_run_args_init(&args);
	args.opts.duration_ns = AB_WINDOW_NS;
	args.opts.warmup_ns = AB_WARMUP_NS;
	/* BASE and NEW come first, so that no option's value can be taken for them. */
	if (argc >= 2 && (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)) {
		fputs(help, stdout);
		return LB_EXIT_OK;
	}
	if (argc < 3 || argv[1][0] == '-' || argv[2][0] == '-') {
		lb_error("ab: expected two lock specs, BASE and NEW, before any option (see --help)");
		return LB_EXIT_USAGE;
	}
	int parsed = lb_run_args_parse(argc - 2, argv + 2, &cmd, &args);
	if (parsed != 0) {
		rc = parsed > 0 ? LB_EXIT_OK : LB_EXIT_USAGE;
		goto out;
	}
	a.vo.quiet = args.quiet;
	if ((rc = lb_verdict_opts_finish(&a.vo)) != 0 || (rc = lb_verdict_opts_check_outputs(&a.vo)) != 0)
		goto out;
	rc = LB_EXIT_USAGE;
	if (parse_lock("BASE", argv[1], &base) != 0 || parse_lock("NEW", argv[2], &nw) != 0 || separate(base, nw) != 0)
		goto out;
	char err[512];
	if (args.nwls == 0 && lb_parse_workload("cs", &args.wls[args.nwls++], err, sizeof err) != 0) {
		args.nwls--;
		lb_error("ab: %s", err);
		goto out;
	}
	a.tty = !args.quiet && isatty(STDERR_FILENO);
	a.started = time(NULL);
	struct lb_ab_plan plan = {
		.argc = argc, .argv = argv, .lock = { base, nw }, .wls = args.wls, .nwls = args.nwls,
		.tcounts = args.tcounts, .ntcounts = args.ntcounts, .opts = args.opts, .pairs = (size_t)a.pairs,
		.pin_text = args.pin_text, .busy_rate = args.busy_rate,
		.progress = args.quiet ? NULL : progress, .progress_arg = &a,
	};
	rc = lb_ab_execute(&plan, res);
	if (a.tty)
		fputs("\033[K", stderr);
	if (rc == LB_EXIT_OK && a.save)
		rc = save(a.save, res);
	if (rc == LB_EXIT_INTERRUPTED)
		lb_error("ab: interrupted; no verdict");
	else if (rc == LB_EXIT_OK)
		rc = judge(&a, res, argv[1], argv[2]);
out:
	lb_result_free(res[0]);
	lb_result_free(res[1]);
	lb_locks_free(base, base ? 1 : 0);
	lb_locks_free(nw, nw ? 1 : 0);
	lb_run_args_free(&args);
	lb_verdict_opts_free(&a.vo);
	return rc;
}
