/*
 * cmd/run.c — `lockbench run`: parse and validate every option, plan the
 * matrix (workloads x locks x thread counts), run it with repetitions
 * interleaved (A B C A B C ...) so drift hits every config alike, print a
 * row per finished run, write one JSON document.
 *
 * Everything after option parsing is lb_execute_plan(), which `lockbench
 * stress` calls too (with its own per-run report), so both commands write
 * the same document the same way.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "locks/registry.h"
#include "engine/overhead.h"
#include "engine/params.h"
#include "engine/pingpong.h"
#include "engine/plugin.h"
#include "analysis/stats.h"
#include "model/json_legacy.h"
#include "model/output.h"
#include "engine/topo.h"
#include "workloads/registry.h"

#define MAX_LOCKS 64
#define MAX_WORKLOADS 16
#define MAX_THREAD_COUNTS 64
#define MAX_THREADS 1024

static const char run_help[] =
	"usage: lockbench run [options]\n"
	"  -l, --locks LIST       locks to run, e.g. ticket,mcs or gil:interval=1ms,force_switch=0,pthread;\n"
	"                         `all` is every built-in lock except the negative control `none`;\n"
	"                         a plug-in: ./mylock.so[:key=value] or plugin:path=FILE[,key=value]\n"
	"                         (default pthread,ticket,mcs,gil; see `lockbench list`)\n"
	"  -w, --workload W       workload and parameters, e.g. cs:cs_ns=200,think_ns=100 (default cs);\n"
	"                         repeat the option to run several\n"
	"  -t, --threads LIST     thread counts: 1,2,4 or 1-8 (default: powers of two up to 2x the PUs, at least 4)\n"
	"  -d, --duration TIME    measured window per run (default 1s); units ns, us, ms, s\n"
	"      --warmup TIME      warm-up before each window (default 100ms)\n"
	"  -p, --pin POLICY       compact | scatter | cores | none | cpus:LIST (default compact)\n"
	"  -r, --repeat N         repetitions of every config, interleaved (default 1)\n"
	"      --timing MODE      all | sample:N | off: which acquisitions get TSC timestamps (default sample:16)\n"
	"      --slice TIME       starvation timeline slice (default 10ms)\n"
	"      --grace TIME       how long stopped threads may take before the run is declared hung (default 5s)\n"
	"      --log-cap N        acquisition-order log entries, a power of two (default 1048576)\n"
	"      --fail-on-starvation  exit 1 if any thread starved (see README: Starvation)\n"
	"      --busy-rate N      busy-loop iterations per us instead of calibrating: cs_ns etc. then mean\n"
	"                         the same work in every process (take it from a result's\n"
	"                         context.busy_iterations_per_us)\n"
	"  -o, --output FILE      result file (default results/<UTC stamp>-<host>.json; - for stdout)\n"
	"  -q, --quiet            no progress and no table\n"
	"  -h, --help             this text\n"
	"exit codes: 0 ok, 1 a check failed (violation, hung), 2 usage or input error, 130 interrupted\n";

struct plan_item {
	size_t lock, wl;
	unsigned threads;
	int *pus;
	bool oversubscribed;
	json_t *config;   /* borrowed from the document */
	char id[2048];
	char label[256];
};

void lb_human_ns(double ns, char *buf, size_t len)
{
	if (!isfinite(ns))
		snprintf(buf, len, "-");
	else if (ns < 1e3)
		snprintf(buf, len, "%.0fns", ns);
	else if (ns < 1e6)
		snprintf(buf, len, "%.3gus", ns / 1e3);
	else if (ns < 1e9)
		snprintf(buf, len, "%.3gms", ns / 1e6);
	else
		snprintf(buf, len, "%.3gs", ns / 1e9);
}

/* The file name of a plug-in's path. */
static const char *plugin_file(const struct lb_lock_choice *c)
{
	const char *slash = strrchr(c->source, '/');
	return slash ? slash + 1 : c->source;
}

/*
 * A lock's name in a config id: a plug-in's is name@file.so, so that it can
 * never pair with a built-in of the same name (or another plug-in's) in
 * `compare`, and stays the same on another machine with another path.
 */
static void lock_id_name(const struct lb_lock_choice *c, char *buf, size_t len)
{
	if (c->source != NULL)
		snprintf(buf, len, "%s@%s", c->ops->name, plugin_file(c));
	else
		snprintf(buf, len, "%s", c->ops->name);
}

void lb_lock_label(const struct lb_lock_choice *c, char *buf, size_t len)
{
	/* A plug-in named like a built-in lock is told apart in the table too. */
	size_t used;
	if (c->source != NULL && lb_lock_find(c->ops->name) != NULL)
		used = (size_t)snprintf(buf, len, "%s@%s", c->ops->name, plugin_file(c));
	else
		used = (size_t)snprintf(buf, len, "%s", c->ops->name);
	const struct lb_param *decl = c->ops->params;
	union lb_value defs[LB_MAX_PARAMS];
	char e[256];
	if (lb_params_parse(c->ops->name, decl, NULL, defs, e, sizeof e) != 0)
		return;
	char sep = ':';
	for (size_t i = 0; i < lb_params_count(decl) && used < len; i++) {
		/* Compare the canonical texts: that works for every type. */
		char a[256], b[256];
		lb_param_value_format(&decl[i], defs[i], a, sizeof a);
		lb_param_value_format(&decl[i], c->params[i], b, sizeof b);
		if (strcmp(a, b) != 0) {
			used += (size_t)snprintf(buf + used, len - used, "%c%s=%s", sep, decl[i].name, b);
			sep = ',';
		}
	}
	lb_params_free(decl, defs);
}

static int add_lock(const char *spec, struct lb_lock_choice **out, size_t *n, char *err, size_t errlen)
{
	if (*n == MAX_LOCKS) {
		snprintf(err, errlen, "more than %d locks", MAX_LOCKS);
		return -1;
	}
	char name[256];
	const char *colon = strchr(spec, ':');
	size_t len = colon ? (size_t)(colon - spec) : strlen(spec);
	if (len == 0 || len >= sizeof name) {
		snprintf(err, errlen, "\"%s\" is not a lock name", spec);
		return -1;
	}
	memcpy(name, spec, len);
	name[len] = '\0';
	struct lb_lock_choice c = { 0 };
	const char *kv = colon ? colon + 1 : NULL;
	char *rest = NULL;
	int plugin = lb_plugin_resolve(name, kv, &c.ops, &c.source, &rest, err, errlen);
	if (plugin < 0)
		return -1;
	if (plugin)
		kv = rest;
	else
		c.ops = lb_lock_find(name);
	if (c.ops == NULL) {
		snprintf(err, errlen, "unknown lock \"%s\" (see: lockbench list)", name);
		return -1;
	}
	int rc = lb_params_parse(c.ops->name, c.ops->params, kv, c.params, err, errlen);
	free(rest);
	if (rc != 0)
		return -1;
	struct lb_lock_choice *grown = realloc(*out, (*n + 1) * sizeof **out);
	if (grown == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	*out = grown;
	(*out)[(*n)++] = c;
	return 0;
}

int lb_parse_lock_list(const char *text, struct lb_lock_choice **out, size_t *n, char *err, size_t errlen)
{
	if (text == NULL || *text == '\0') {
		snprintf(err, errlen, "empty lock list");
		return -1;
	}
	/* Regroup "gil:a=1,b=2,ticket" into "gil:a=1,b=2" and "ticket". */
	char *copy = strdup(text), *save = NULL;
	char *cur = NULL;
	size_t curlen = 0;
	int rc = 0;
	for (char *item = strtok_r(copy, ",", &save); item != NULL && rc == 0;
	     item = strtok_r(NULL, ",", &save)) {
		bool continues = strchr(item, '=') != NULL && strchr(item, ':') == NULL;
		if (continues) {
			if (cur == NULL || strchr(cur, ':') == NULL) {
				snprintf(err, errlen, "\"%s\" is a parameter but follows no lock:key=value", item);
				rc = -1;
				break;
			}
			size_t il = strlen(item);
			char *g = realloc(cur, curlen + il + 2);
			if (g == NULL) {
				rc = -1;
				break;
			}
			cur = g;
			cur[curlen++] = ',';
			memcpy(cur + curlen, item, il + 1);
			curlen += il;
			continue;
		}
		if (cur != NULL)
			rc = add_lock(cur, out, n, err, errlen);
		free(cur);
		cur = NULL;
		if (rc == 0 && strcmp(item, "all") == 0) {
			/* Every built-in lock that excludes: the negative control is asked for by name. */
			for (size_t i = 0; lb_locks[i] != NULL && rc == 0; i++)
				if (!(lb_locks[i]->caps & LB_CAP_NO_EXCLUSION))
					rc = add_lock(lb_locks[i]->name, out, n, err, errlen);
			continue;
		}
		cur = strdup(item);
		curlen = strlen(item);
	}
	if (rc == 0 && cur != NULL)
		rc = add_lock(cur, out, n, err, errlen);
	if (rc == 0 && *n == 0) {
		snprintf(err, errlen, "empty lock list");
		rc = -1;
	}
	free(cur);
	free(copy);
	return rc;
}

int lb_parse_workload(const char *text, struct lb_wl_choice *out, char *err, size_t errlen)
{
	char name[128];
	const char *colon = strchr(text, ':');
	size_t len = colon ? (size_t)(colon - text) : strlen(text);
	if (len == 0 || len >= sizeof name) {
		snprintf(err, errlen, "\"%s\" is not a workload name", text);
		return -1;
	}
	memcpy(name, text, len);
	name[len] = '\0';
	memset(out, 0, sizeof *out);
	out->wl = lb_workload_find(name);
	if (out->wl == NULL) {
		snprintf(err, errlen, "unknown workload \"%s\" (see: lockbench list)", name);
		return -1;
	}
	return lb_params_parse(name, out->wl->params, colon ? colon + 1 : NULL, out->params, err, errlen);
}

static void on_signal(int sig)
{
	(void)sig;
	lb_interrupted = 1;
}

static void default_output(char *buf, size_t len)
{
	char host[128] = "host", stamp[64];
	gethostname(host, sizeof host - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ')
			*p = '_';
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/%s-%s.json", stamp, host);
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

static void print_header(FILE *f)
{
	fprintf(f, "%-22s %7s %4s %10s %9s %9s %9s %6s %6s %8s %6s  %s\n", "lock", "threads", "rep", "Mops/s",
		"p50 wait", "p99 wait", "max wait", "Jain", "FF", "starved", "viol", "status");
}

static void print_row(FILE *f, const struct plan_item *it, unsigned rep, const struct lb_outcome *o)
{
	char p50[32] = "-", p99[32] = "-", mx[32] = "-", starved[16];
	if (o->wait && o->wait->count) {
		lb_human_ns(lb_ticks_to_ns(lb_hist_value_at(o->wait, 50)), p50, sizeof p50);
		lb_human_ns(lb_ticks_to_ns(lb_hist_value_at(o->wait, 99)), p99, sizeof p99);
		lb_human_ns(lb_ticks_to_ns(o->wait->max), mx, sizeof mx);
	}
	snprintf(starved, sizeof starved, o->nstarved ? "YES(%u)" : "no", o->nstarved);
	double mops = o->duration_s > 0 ? (double)o->acquisitions / o->duration_s / 1e6 : 0;
	fprintf(f, "%-22s %7u %4u %10.4g %9s %9s %9s %6.3f %6.3f %8s %6" PRIu64 "  %s%s%s\n", it->label,
		it->threads, rep + 1, mops, p50, p99, mx, o->fair.jain, o->fair.fairness_factor, starved,
		o->violations, lb_status_name(o->status), o->message[0] ? ": " : "", o->message);
	fflush(f);
}

static double summary_value(json_t *config, const char *metric, const char *field)
{
	json_t *v = json_object_get(json_object_get(json_object_get(config, "summary"), metric), field);
	return json_is_number(v) ? json_number_value(v) : NAN;
}

/* With repetitions: one line per config, medians with the 95% CI of the median. */
static void print_summary(FILE *f, const struct plan_item *items, size_t n)
{
	fprintf(f, "\nsummary (median of repetitions, [95%% CI of the median; min, max with fewer than 6])\n");
	fprintf(f, "%-22s %7s %24s %9s %9s %6s %6s %8s %6s\n", "lock", "threads", "Mops/s", "p99 wait", "max wait",
		"Jain", "FF", "starved", "status");
	for (size_t i = 0; i < n; i++) {
		json_t *c = items[i].config;
		char tp[64], p99[32], mx[32];
		snprintf(tp, sizeof tp, "%.4g [%.4g, %.4g]", summary_value(c, "throughput_per_s", "median") / 1e6,
			 summary_value(c, "throughput_per_s", "ci95_low") / 1e6,
			 summary_value(c, "throughput_per_s", "ci95_high") / 1e6);
		lb_human_ns(summary_value(c, "p99_ns", "median"), p99, sizeof p99);
		lb_human_ns(summary_value(c, "max_wait_ns", "median"), mx, sizeof mx);
		bool starved = json_is_true(json_object_get(json_object_get(c, "summary"), "starved"));
		fprintf(f, "%-22s %7u %24s %9s %9s %6.3f %6.3f %8s %6s\n", items[i].label, items[i].threads, tp, p99, mx,
			summary_value(c, "jain", "median"), summary_value(c, "fairness_factor", "median"),
			starved ? "YES" : "no", json_string_value(json_object_get(c, "status")));
	}
}

/*
 * Fraction of CPU time the machine spent busy over `ms` before the run,
 * from /proc/stat; negative if unreadable. Someone else's load is the most
 * common reason two runs of the same lock disagree.
 */
static double machine_busy(unsigned ms)
{
	unsigned long long a[2][8] = { { 0 } };
	for (int k = 0; k < 2; k++) {
		FILE *f = fopen("/proc/stat", "r");
		if (f == NULL)
			return -1;
		int got = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &a[k][0], &a[k][1], &a[k][2],
				 &a[k][3], &a[k][4], &a[k][5], &a[k][6], &a[k][7]);
		fclose(f);
		if (got != 8)
			return -1;
		if (k == 0) {
			struct timespec ts = { 0, (long)ms * 1000000L };
			nanosleep(&ts, NULL);
		}
	}
	unsigned long long total = 0, idle = (a[1][3] - a[0][3]) + (a[1][4] - a[0][4]);
	for (int i = 0; i < 8; i++)
		total += a[1][i] - a[0][i];
	return total ? 1.0 - (double)idle / (double)total : -1;
}

int lb_cmd_run(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "locks", required_argument, NULL, 'l' },   { "workload", required_argument, NULL, 'w' },
		{ "threads", required_argument, NULL, 't' }, { "duration", required_argument, NULL, 'd' },
		{ "warmup", required_argument, NULL, 'W' },  { "pin", required_argument, NULL, 'p' },
		{ "repeat", required_argument, NULL, 'r' },  { "timing", required_argument, NULL, 'T' },
		{ "slice", required_argument, NULL, 'S' },   { "grace", required_argument, NULL, 'G' },
		{ "log-cap", required_argument, NULL, 'L' }, { "output", required_argument, NULL, 'o' },
		{ "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
		{ "fail-on-starvation", no_argument, NULL, 'F' },
		{ "busy-rate", required_argument, NULL, 'B' },
		{ NULL, 0, NULL, 0 },
	};
	char err[512];
	struct lb_lock_choice *locks = NULL;
	size_t nlocks = 0;
	struct lb_wl_choice wls[MAX_WORKLOADS];
	size_t nwls = 0;
	unsigned tcounts[MAX_THREAD_COUNTS];
	size_t ntcounts = 0;
	struct lb_run_opts o = {
		.duration_ns = 1000000000, .warmup_ns = 100000000, .slice_ns = 10000000,
		.tick_ns = 1000000, .grace_ns = 5000000000LL, .sample_every = 16, .order_log_cap = 1u << 20,
	};
	int64_t repeat = 1, v, busy_rate = 0;
	const char *pin_text = "compact", *output = NULL;
	bool quiet = false, fail_on_starvation = false;
	int c, rc = LB_EXIT_USAGE;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":l:w:t:d:p:r:o:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'l':
			if (lb_parse_lock_list(optarg, &locks, &nlocks, err, sizeof err) != 0) {
				lb_error("--locks: %s", err);
				goto out;
			}
			break;
		case 'w':
			if (nwls == MAX_WORKLOADS) {
				lb_error("--workload: more than %d workloads", MAX_WORKLOADS);
				goto out;
			}
			if (lb_parse_workload(optarg, &wls[nwls], err, sizeof err) != 0) {
				lb_error("--workload: %s", err);
				goto out;
			}
			nwls++;
			break;
		case 't':
			if (lb_parse_uint_list(optarg, MAX_THREADS, tcounts, MAX_THREAD_COUNTS, &ntcounts, err,
					       sizeof err) != 0) {
				lb_error("--threads: %s", err);
				goto out;
			}
			break;
		case 'd':
			if (lb_time_option("--duration", optarg, 1000000, &o.duration_ns) != 0)
				goto out;
			break;
		case 'W':
			if (lb_time_option("--warmup", optarg, 0, &o.warmup_ns) != 0)
				goto out;
			break;
		case 'S':
			if (lb_time_option("--slice", optarg, 1000000, &o.slice_ns) != 0)
				goto out;
			break;
		case 'G':
			if (lb_time_option("--grace", optarg, 100000000, &o.grace_ns) != 0)
				goto out;
			break;
		case 'p':
			pin_text = optarg;
			break;
		case 'r':
			if (lb_parse_int(optarg, 1, 10000, &repeat, err, sizeof err) != 0) {
				lb_error("--repeat: %s", err);
				goto out;
			}
			break;
		case 'T':
			if (parse_timing(optarg, &o.sample_every, err, sizeof err) != 0) {
				lb_error("--timing: %s", err);
				goto out;
			}
			break;
		case 'L':
			if (lb_parse_int(optarg, 1, 1 << 28, &v, err, sizeof err) != 0 || (v & (v - 1)) != 0) {
				lb_error("--log-cap: \"%s\" is not a power of two in [1, 268435456]", optarg);
				goto out;
			}
			o.order_log_cap = (size_t)v;
			break;
		case 'o':
			output = optarg;
			break;
		case 'q':
			quiet = true;
			break;
		case 'F':
			fail_on_starvation = true;
			break;
		case 'B':
			if (lb_parse_int(optarg, 1, 1000000000, &busy_rate, err, sizeof err) != 0) {
				lb_error("--busy-rate: %s", err);
				goto out;
			}
			break;
		case 'h':
			fputs(run_help, stdout);
			rc = LB_EXIT_OK;
			goto out;
		default:
			rc = lb_option_error("run", c, argv);
			goto out;
		}
	}
	if ((rc = lb_no_operands("run", argc, argv)) != 0)
		goto out;
	rc = LB_EXIT_USAGE;

	/* Everything the user typed is valid; now the defaults and the plan. */
	if (nlocks == 0 && lb_parse_lock_list("pthread,ticket,mcs,gil", &locks, &nlocks, err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}
	if (nwls == 0 && lb_parse_workload("cs", &wls[nwls++], err, sizeof err) != 0) {
		lb_error("%s", err);
		goto out;
	}
	struct lb_plan plan = {
		.argc = argc, .argv = argv, .locks = locks, .nlocks = nlocks, .wls = wls, .nwls = nwls,
		.tcounts = tcounts, .ntcounts = ntcounts, .opts = o, .repeat = repeat, .pin_text = pin_text,
		.output = output, .quiet = quiet, .fail_on_starvation = fail_on_starvation, .busy_rate = busy_rate,
	};
	rc = lb_execute_plan(&plan);
out:
	for (size_t i = 0; i < nlocks; i++)
		lb_params_free(locks[i].ops->params, locks[i].params);
	free(locks);
	return rc;
}

/* See cli.h. Returns LB_EXIT_*; every error is one line on stderr. */
int lb_execute_plan(const struct lb_plan *p)
{
	const struct lb_lock_choice *locks = p->locks;
	const struct lb_wl_choice *wls = p->wls;
	size_t nlocks = p->nlocks, nwls = p->nwls, ntcounts = p->ntcounts;
	unsigned tcounts[MAX_THREAD_COUNTS];
	const struct lb_run_opts o = p->opts;
	int64_t repeat = p->repeat;
	const char *pin_text = p->pin_text, *output = p->output;
	bool quiet = p->quiet;
	char err[512];
	int rc = LB_EXIT_USAGE;

	if (ntcounts > MAX_THREAD_COUNTS) {
		lb_error("--threads: more than %d thread counts", MAX_THREAD_COUNTS);
		return rc;
	}
	memcpy(tcounts, p->tcounts, ntcounts * sizeof tcounts[0]);
	for (size_t w = 0; w < nwls; w++)
		for (size_t l = 0; l < nlocks; l++)
			if ((wls[w].wl->needs_caps & locks[l].ops->caps) != wls[w].wl->needs_caps) {
				char missing[128];
				lb_caps_text(wls[w].wl->needs_caps & ~locks[l].ops->caps, missing, sizeof missing);
				lb_error("--workload: %s needs a lock with \"%s\", which %s lacks (see: lockbench list)",
					 wls[w].wl->name, missing, locks[l].ops->name);
				return rc;
			}
	struct lb_pin_spec pin;
	if (lb_pin_parse(pin_text, &pin, err, sizeof err) != 0) {
		lb_error("%s", err);
		return rc;
	}
	/* The topology must be loaded before any other thread exists (see topo.h). */
	struct lb_topo *topo;
	if (lb_topo_load(&topo, NULL, err, sizeof err) != 0) {
		lb_error("%s", err);
		return rc;
	}
	struct lb_topo_summary ts;
	lb_topo_summary(topo, &ts);
	if (ntcounts == 0 && p->oversubscribe) {
		tcounts[ntcounts++] = 2 * ts.pus + 1;
	} else if (ntcounts == 0) {
		unsigned top = 2 * ts.pus < 4 ? 4 : 2 * ts.pus;
		for (unsigned t = 1; t <= top && ntcounts < MAX_THREAD_COUNTS; t *= 2)
			tcounts[ntcounts++] = t;
	}
	char outbuf[512];
	if (output == NULL) {
		mkdir("results", 0777);
		default_output(outbuf, sizeof outbuf);
		output = outbuf;
	}
	if (lb_output_check(output, err, sizeof err) != 0) {
		lb_error("--output: %s", err);
		lb_topo_free(topo);
		return rc;
	}

	size_t nitems = nwls * nlocks * ntcounts;
	struct plan_item *items = calloc(nitems, sizeof *items);
	json_t *doc = json_object();
	json_t *configs = json_array();
	json_object_set_new(doc, "schema", json_string(LB_SCHEMA));
	json_object_set_new(doc, "configs", configs);
	if (items == NULL) {
		lb_error("out of memory");
		json_decref(doc);
		lb_topo_free(topo);
		return rc;
	}
	size_t k = 0;
	for (size_t w = 0; w < nwls; w++)
		for (size_t l = 0; l < nlocks; l++)
			for (size_t ti = 0; ti < ntcounts; ti++, k++) {
				struct plan_item *it = &items[k];
				it->lock = l;
				it->wl = w;
				it->threads = tcounts[ti];
				it->pus = calloc(it->threads, sizeof *it->pus);
				if (it->pus == NULL ||
				    lb_pin_plan(topo, &pin, it->threads, it->pus, &it->oversubscribed, err, sizeof err) != 0) {
					lb_error("%s", it->pus ? err : "out of memory");
					goto out_items;
				}
				char lp[512], wp[512];
				lb_params_format(locks[l].ops->params, locks[l].params, lp, sizeof lp);
				lb_params_format(wls[w].wl->params, wls[w].params, wp, sizeof wp);
				char lname[256];
				lock_id_name(&locks[l], lname, sizeof lname);
				snprintf(it->id, sizeof it->id, "%s:%s|%s:%s|threads=%u|pin=%s", lname, lp,
					 wls[w].wl->name, wp, it->threads, pin_text);
				lb_lock_label(&locks[l], it->label, sizeof it->label);
				it->config = lb_config_json(it->id, &locks[l], &wls[w], it->threads,
							    lb_pin_policy_name(pin.policy), it->pus, it->oversubscribed);
				json_array_append_new(configs, it->config);
			}

	lb_timer_init();
	/* A given rate makes cs_ns the same work in every process (see --busy-rate). */
	if (p->busy_rate > 0)
		lb_busy_iters_per_ns = (double)p->busy_rate / 1000.0;
	else
		lb_busy_calibrate();
	json_t *ctx = lb_context_json(p->argc, p->argv, topo);
	json_t *jopts = json_object();
	json_object_set_new(jopts, "duration_ns", json_integer(o.duration_ns));
	json_object_set_new(jopts, "warmup_ns", json_integer(o.warmup_ns));
	json_object_set_new(jopts, "repeat", json_integer(repeat));
	json_object_set_new(jopts, "pin", json_string(pin_text));
	json_object_set_new(jopts, "timing_sample_every", json_integer(o.sample_every));
	json_object_set_new(jopts, "slice_ns", json_integer(o.slice_ns));
	json_object_set_new(jopts, "grace_ns", json_integer(o.grace_ns));
	json_object_set_new(jopts, "order_log_cap", json_integer((json_int_t)o.order_log_cap));
	json_object_set_new(jopts, "busy_rate", json_string(p->busy_rate > 0 ? "given" : "calibrated"));
	json_object_set_new(ctx, "options", jopts);
	/* What the chosen timing mode costs per acquisition, against the bare loop. */
	json_t *jt = json_object();
	char mode[32];
	if (o.sample_every == 0)
		snprintf(mode, sizeof mode, "off");
	else if (o.sample_every == 1)
		snprintf(mode, sizeof mode, "all");
	else
		snprintf(mode, sizeof mode, "sample:%u", o.sample_every);
	double ovh = lb_overhead_ns_per_acquisition(o.sample_every, 5, 20000000);
	json_object_set_new(jt, "mode", json_string(mode));
	json_object_set_new(jt, "sample_every", json_integer(o.sample_every));
	json_object_set_new(jt, "overhead_ns_per_acquisition", isfinite(ovh) ? json_real(ovh) : json_null());
	json_object_set_new(jt, "overhead_method",
			    json_string("1 thread, lock none, cs vs bare, median of 5 interleaved 20 ms pairs"));
	json_object_set_new(ctx, "timing", jt);
	double busy = machine_busy(200);
	json_object_set_new(ctx, "busy_before_run", busy >= 0 ? json_real(busy) : json_null());
	if (busy > 0.25)
		fprintf(stderr, "lockbench: warning: the machine was %.0f%% busy before the run; expect noisy results\n",
			busy * 100);
	json_object_set_new(doc, "context", ctx);
	/* Keys in the documented order: schema, context, configs. */
	json_incref(configs);
	json_object_del(doc, "configs");
	json_object_set_new(doc, "configs", configs);

	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	FILE *table = strcmp(output, "-") == 0 ? stderr : stdout;
	/* A progress line rewritten in place only makes sense on a terminal. */
	bool progress = !quiet && isatty(STDERR_FILENO);
	if (!quiet && p->report == NULL)
		print_header(table);
	rc = LB_EXIT_OK;
	bool stop = false;
	for (unsigned rep = 0; rep < repeat && !stop; rep++) {
		for (size_t i = 0; i < nitems && !stop; i++) {
			struct plan_item *it = &items[i];
			if (progress)
				fprintf(stderr, "[%zu/%zu] %s threads=%u rep %u/%" PRId64 "\r", rep * nitems + i + 1,
					nitems * (size_t)repeat, it->label, it->threads, rep + 1, repeat);
			double pp = it->threads > 1 ? lb_pingpong_ns(topo, it->pus[0], it->pus[1], 20000000) : NAN;
			struct lb_outcome out;
			if (lb_run_config(&o, topo, &locks[it->lock], &wls[it->wl], it->threads, it->pus, &out) != 0) {
				lb_error("%s threads=%u: %s", it->label, it->threads, out.message);
				rc = LB_EXIT_CHECK;
				json_object_set_new(it->config, "status", json_string("error"));
				stop = out.status == LB_STATUS_ERROR; /* threads may be stuck on a barrier */
				if (p->report != NULL) {
					out.status = LB_STATUS_ERROR;
					p->report(p->report_arg, table, it->label, it->threads, rep, &out);
				}
				continue;
			}
			out.pingpong_ns = pp;
			json_array_append_new(json_object_get(it->config, "samples"),
					      lb_sample_json(&out, rep, o.sample_every));
			if (out.nstarved && p->fail_on_starvation && rc == LB_EXIT_OK)
				rc = LB_EXIT_CHECK;
			if (out.status != LB_STATUS_OK)
				json_object_set_new(it->config, "status", json_string(lb_status_name(out.status)));
			if (progress)
				fprintf(stderr, "\033[K");
			if (p->report != NULL)
				p->report(p->report_arg, table, it->label, it->threads, rep, &out);
			else if (!quiet)
				print_row(table, it, rep, &out);
			if (out.status == LB_STATUS_FAILED || out.status == LB_STATUS_HUNG || out.status == LB_STATUS_ERROR)
				rc = LB_EXIT_CHECK;
			if (out.status == LB_STATUS_HUNG || out.status == LB_STATUS_INTERRUPTED)
				stop = true;
			if (out.status == LB_STATUS_INTERRUPTED)
				rc = LB_EXIT_INTERRUPTED;
			lb_outcome_free(&out);
		}
	}
	for (size_t i = 0; i < nitems; i++) {
		/* A run stopped early (hung, interrupted) leaves configs that never ran. */
		if (json_array_size(json_object_get(items[i].config, "samples")) == 0 &&
		    strcmp(json_string_value(json_object_get(items[i].config, "status")), "ok") == 0)
			json_object_set_new(items[i].config, "status", json_string("not_run"));
		lb_config_summarize_json(items[i].config);
	}
	if (!quiet && repeat > 1)
		print_summary(table, items, nitems);
	if (lb_interrupted) {
		rc = LB_EXIT_INTERRUPTED;
		json_object_set_new(ctx, "interrupted", json_true());
	}
	if (lb_json_write_atomic(doc, output, err, sizeof err) != 0) {
		lb_error("--output: %s", err);
		rc = LB_EXIT_USAGE;
	} else if (!quiet && strcmp(output, "-") != 0) {
		fprintf(stderr, "result: %s\n", output);
	}
out_items:
	for (size_t i = 0; i < nitems; i++)
		free(items[i].pus);
	free(items);
	if (json_object_get(doc, "configs") == NULL) /* left before it joined the document */
		json_decref(configs);
	json_decref(doc);
	lb_topo_free(topo);
	return rc;
}
