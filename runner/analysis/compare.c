/*
 * analysis/compare.c — `lockbench compare BASE NEW`: is NEW slower, less fair or
 * laggier than BASE, beyond noise?
 *
 * Configs are paired by their "id" (or, when a config has none, by an identity
 * built from lock, workload, their parameters, threads and pin policy). For
 * every pair and chosen metric we take the per-repetition values of both
 * sides and report the medians, the change of the median, a bootstrap 95% CI
 * of the ratio of medians and the Mann–Whitney U p-value (the method of
 * Google Benchmark's compare.py; the statistics live in stats.c).
 *
 * A change is a regression only when it is both significant (p < alpha) and
 * larger than the threshold in the metric's bad direction: with enough
 * repetitions the U test finds any difference significant, and a 0.5% drift
 * of a noisy VM is not worth failing a CI job for. Improvements are the
 * mirror image. A config that was "ok" in BASE and is not in NEW ("failed":
 * a mutual-exclusion violation or a lost update; "hung"; "error";
 * "interrupted") is a regression of every metric, whatever its figures: the
 * gate must not pass a change that breaks a lock because its throughput
 * looks fine. With fewer repetitions than the U test needs to ever reach
 * p < alpha (5 per side at the default alpha 0.01, 4 at 0.05) a row is "inconclusive": it cannot
 * fail the gate, so the gate says loudly on stderr that it did not judge it.
 *
 * Output files are written to a temporary file in the same directory and
 * renamed over the target, so a reader never sees half a file.
 */
#define _GNU_SOURCE /* getopt_long, open_memstream */
#include "analysis/compare.h"

#include <errno.h>
#include <getopt.h>
#include <jansson.h>
#include <math.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "analysis/stats.h"

#define SCHEMA_IN "lockbench/1"
#define SCHEMA_OUT "lockbench-compare/1"
#define DEFAULT_METRICS "throughput,p99,jain"

/* Where a metric lives in a sample, and which way is good. */
struct metric {
	const char *name;   /* as given to --metric */
	const char *group;  /* sub-object of the sample, or NULL for a top-level key */
	const char *key;
	bool higher_better;
	const char *unit;   /* for the JSON output; "" for pure numbers */
};

static const struct metric metrics[] = {
	{ "throughput", NULL, "throughput_per_s", true, "per_s" },
	{ "mean", "latency_ns", "mean", false, "ns" },
	{ "p50", "latency_ns", "p50", false, "ns" },
	{ "p90", "latency_ns", "p90", false, "ns" },
	{ "p99", "latency_ns", "p99", false, "ns" },
	{ "p999", "latency_ns", "p999", false, "ns" },
	{ "p9999", "latency_ns", "p9999", false, "ns" },
	{ "max", "latency_ns", "max", false, "ns" },
	{ "jain", "fairness", "jain", true, "" },
	{ "fairness_factor", "fairness", "fairness_factor", false, "" },
};
#define N_METRICS (sizeof(metrics) / sizeof(metrics[0]))

enum verdict { V_REGRESSION, V_IMPROVEMENT, V_OK, V_INCONCLUSIVE, V_NA, V_COUNT };
static const char *const verdict_names[V_COUNT] = {
	"regression", "improvement", "ok", "inconclusive", "n/a",
};

struct options {
	const struct metric *metrics[N_METRICS];
	size_t nmetrics;
	double threshold_pct;
	double alpha;
	size_t min_repeats;
	const char *json_path;
	const char *md_path;
	bool quiet;
	const char *base_path;
	const char *new_path;
};

/* One config of a result document and the identity it is paired by. */
struct config {
	char *id;
	json_t *cfg; /* borrowed from the document */
};

/* One loaded result document. */
struct result {
	const char *path;
	json_t *root;
	struct config *configs;
	size_t nconfigs;
	const char *host;      /* NULL when absent */
	const char *cpu_model; /* NULL when absent */
};

/* One line of the verdict: a paired config and one metric. */
struct row {
	const char *id;
	const struct metric *m;
	size_t nb, nn; /* repetitions with a value on each side */
	double base_med, new_med, ratio, change_pct, ci_lo, ci_hi, p;
	enum verdict v;
	char why[96]; /* what made it n/a, or what inconclusive lacks */
};

struct report {
	const struct options *opt;
	const struct result *base, *nw;
	struct row *rows;
	size_t nrows;
	size_t counts[V_COUNT];
	const char **only_base, **only_new;
	size_t n_only_base, n_only_new;
	enum verdict overall; /* V_REGRESSION, V_INCONCLUSIVE or V_OK */
};

static void msg(const char *prefix, const char *fmt, va_list ap)
{
	fprintf(stderr, "lockbench: compare: %s", prefix);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
}

/* One-line error on stderr; returns the usage/input exit code for `return fail(...)`. */
static int fail(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int fail(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg("", fmt, ap);
	va_end(ap);
	return LB_COMPARE_EXIT_ERROR;
}

static void warnf(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warnf(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	msg("warning: ", fmt, ap);
	va_end(ap);
}

static void usage(FILE *f)
{
	fprintf(f,
		"usage: lockbench compare BASE.json NEW.json [options]\n"
		"\n"
		"Pair the configs of two `lockbench run` results and tell, per config and\n"
		"metric, whether NEW regressed: significant (Mann-Whitney U, p < alpha) AND\n"
		"worse than the threshold. A config that was ok in BASE and failed, hung,\n"
		"errored or was interrupted in NEW is a regression of every metric.\n"
		"\n"
		"  --metric LIST      comma-separated, default " DEFAULT_METRICS "; known:\n"
		"                     throughput, mean, p50, p90, p99, p999, p9999, max\n"
		"                     (latency, ns), jain, fairness_factor\n"
		"  --threshold PCT    smallest change that counts, in percent: 5 or 5%%\n"
		"                     mean the same (default %g%%)\n"
		"  --alpha P          significance level, 0 < P < 1 (default %g)\n"
		"  --min-repeats N    repetitions per side below which a row is inconclusive\n"
		"                     (default: the fewest with which p < alpha is possible)\n"
		"  --json FILE        write the verdict as JSON (" SCHEMA_OUT ")\n"
		"  --markdown FILE    write a Markdown summary table (for a CI job summary)\n"
		"  -q, --quiet        print nothing on stdout (errors and warnings still go\n"
		"                     to stderr)\n"
		"  -h, --help         this text\n"
		"\n"
		"Exit status: 0 no regression (inconclusive rows are warned about on stderr\n"
		"but pass), 1 at least one regression, 2 usage or input error.\n",
		LB_COMPARE_THRESHOLD_PCT_DEFAULT, LB_COMPARE_ALPHA_DEFAULT);
}

/* ---- options ---- */

static int parse_metrics(const char *list, struct options *opt)
{
	char *copy = strdup(list), *save = NULL, *name;
	int rc = 0;

	if (!copy)
		return fail("out of memory");
	opt->nmetrics = 0;
	/* strtok_r would skip empty items silently; "a,,b" is a typo worth reporting */
	for (name = copy; name && rc == 0; name = save) {
		const struct metric *m = NULL;
		bool dup = false;

		save = strchr(name, ',');
		if (save)
			*save++ = '\0';
		if (!*name) {
			rc = fail("--metric: empty metric name in \"%s\"", list);
			break;
		}
		for (size_t i = 0; i < N_METRICS; i++)
			if (strcmp(name, metrics[i].name) == 0)
				m = &metrics[i];
		if (!m) {
			rc = fail("--metric: unknown metric \"%s\" (known: throughput, mean, p50, p90, "
				  "p99, p999, p9999, max, jain, fairness_factor)", name);
			break;
		}
		for (size_t i = 0; i < opt->nmetrics; i++)
			dup |= opt->metrics[i] == m;
		if (!dup)
			opt->metrics[opt->nmetrics++] = m;
	}
	free(copy);
	return rc;
}

/* "5" and "5%" both mean five percent; a fraction like 0.05 would mean 0.05%. */
static int parse_threshold(const char *s, double *pct)
{
	char *end;

	errno = 0;
	*pct = strtod(s, &end);
	if (end != s && *end == '%')
		end++;
	if (end == s || *end != '\0' || errno || !isfinite(*pct) || *pct < 0)
		return fail("--threshold: \"%s\" is not a percentage >= 0 (e.g. 5 or 5%%)", s);
	return 0;
}

static int parse_alpha(const char *s, double *alpha)
{
	char *end;

	errno = 0;
	*alpha = strtod(s, &end);
	if (end == s || *end != '\0' || errno || !(*alpha > 0 && *alpha < 1))
		return fail("--alpha: \"%s\" is not a probability between 0 and 1", s);
	return 0;
}

static int parse_count(const char *s, size_t *n)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (s[0] < '0' || s[0] > '9' || *end != '\0' || errno || v == 0 || v > 1000000)
		return fail("--min-repeats: \"%s\" is not a positive integer", s);
	*n = v;
	return 0;
}

enum { OPT_METRIC = 256, OPT_THRESHOLD, OPT_ALPHA, OPT_MIN_REPEATS, OPT_JSON, OPT_MARKDOWN };

/* Fills opt; returns -1 after --help (exit 0), 0 to go on, or the error exit code. */
static int parse_options(int argc, char **argv, struct options *opt)
{
	static const struct option longopts[] = {
		{ "metric", required_argument, NULL, OPT_METRIC },
		{ "threshold", required_argument, NULL, OPT_THRESHOLD },
		{ "alpha", required_argument, NULL, OPT_ALPHA },
		{ "min-repeats", required_argument, NULL, OPT_MIN_REPEATS },
		{ "json", required_argument, NULL, OPT_JSON },
		{ "markdown", required_argument, NULL, OPT_MARKDOWN },
		{ "quiet", no_argument, NULL, 'q' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	const char *metric_list = DEFAULT_METRICS;
	bool min_repeats_given = false;
	int c, rc = 0;

	opt->threshold_pct = LB_COMPARE_THRESHOLD_PCT_DEFAULT;
	opt->alpha = LB_COMPARE_ALPHA_DEFAULT;
	optind = 0; /* full re-initialisation: we may be called more than once */
	opterr = 0; /* our own one-line messages instead of getopt's */
	while (rc == 0 && (c = getopt_long(argc, argv, ":qh", longopts, NULL)) != -1) {
		switch (c) {
		case OPT_METRIC:
			metric_list = optarg;
			break;
		case OPT_THRESHOLD:
			rc = parse_threshold(optarg, &opt->threshold_pct);
			break;
		case OPT_ALPHA:
			rc = parse_alpha(optarg, &opt->alpha);
			break;
		case OPT_MIN_REPEATS:
			rc = parse_count(optarg, &opt->min_repeats);
			min_repeats_given = true;
			break;
		case OPT_JSON:
			opt->json_path = optarg;
			break;
		case OPT_MARKDOWN:
			opt->md_path = optarg;
			break;
		case 'q':
			opt->quiet = true;
			break;
		case 'h':
			usage(stdout);
			return -1;
		case ':':
			rc = fail("%s: missing value", argv[optind - 1]);
			break;
		default:
			if (optopt == 'q' || optopt == 'h')
				rc = fail("%s: takes no value", argv[optind - 1]);
			else if (optopt)
				rc = fail("unknown option \"-%c\" (see --help)", optopt);
			else
				rc = fail("unknown or ambiguous option \"%s\" (see --help)",
					  argv[optind - 1]);
			break;
		}
	}
	if (rc)
		return rc;
	if (argc - optind != 2)
		return fail("expected two result files, BASE and NEW, got %d (see --help)",
			    argc - optind);
	opt->base_path = argv[optind];
	opt->new_path = argv[optind + 1];
	rc = parse_metrics(metric_list, opt);
	if (rc)
		return rc;
	if (!min_repeats_given) {
		opt->min_repeats = lb_stats_mann_whitney_min_n(opt->alpha);
		if (opt->min_repeats == 0)
			return fail("--alpha: %g is too small for any number of repetitions", opt->alpha);
	}
	return 0;
}

/* ---- reading results ---- */

static void print_scalar(FILE *f, const json_t *v)
{
	char *s;

	switch (json_typeof(v)) {
	case JSON_STRING:
		fputs(json_string_value(v), f);
		break;
	case JSON_INTEGER:
		fprintf(f, "%" JSON_INTEGER_FORMAT, json_integer_value(v));
		break;
	case JSON_REAL:
		fprintf(f, "%.17g", json_real_value(v));
		break;
	default: /* true, false, null, or something nested: its compact JSON */
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY | JSON_SORT_KEYS);
		fputs(s ? s : "?", f);
		free(s);
		break;
	}
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* "name" or "name:k=v,k=v" with keys sorted, as in the ids `lockbench run` writes. */
static void print_named(FILE *f, const json_t *obj)
{
	const json_t *name = json_object_get(obj, "name");
	const json_t *params = json_object_get(obj, "params");
	const char **keys;
	const char *key;
	json_t *v;
	size_t n = 0;

	fputs(json_is_string(name) ? json_string_value(name) : "?", f);
	if (!json_is_object(params) || json_object_size(params) == 0)
		return;
	keys = malloc(json_object_size(params) * sizeof(*keys));
	if (!keys)
		return;
	json_object_foreach((json_t *)params, key, v)
		keys[n++] = key;
	qsort(keys, n, sizeof(*keys), cmp_str);
	for (size_t i = 0; i < n; i++) {
		fprintf(f, "%c%s=", i ? ',' : ':', keys[i]);
		print_scalar(f, json_object_get(params, keys[i]));
	}
	free(keys);
}

/* The identity of a config without "id": lock|workload|threads=N|pin=policy. */
static char *build_id(const json_t *cfg)
{
	const json_t *pin = json_object_get(cfg, "pin");
	const json_t *threads = json_object_get(cfg, "threads");
	const json_t *policy = json_object_get(pin, "policy");
	char *buf = NULL;
	size_t len;
	FILE *f = open_memstream(&buf, &len);

	if (!f)
		return NULL;
	print_named(f, json_object_get(cfg, "lock"));
	fputc('|', f);
	print_named(f, json_object_get(cfg, "workload"));
	fputs("|threads=", f);
	if (threads)
		print_scalar(f, threads);
	else
		fputc('?', f);
	fprintf(f, "|pin=%s", json_is_string(policy) ? json_string_value(policy) : "?");
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	return buf;
}

static const char *context_string(const json_t *root, const char *key)
{
	const json_t *v = json_object_get(json_object_get(root, "context"), key);

	return json_is_string(v) ? json_string_value(v) : NULL;
}

static void free_result(struct result *r)
{
	for (size_t i = 0; i < r->nconfigs; i++)
		free(r->configs[i].id);
	free(r->configs);
	json_decref(r->root);
	r->configs = NULL;
	r->root = NULL;
	r->nconfigs = 0;
}

/* Loads and checks one result document; on error prints why and returns the exit code. */
static int load_result(const char *path, struct result *r)
{
	json_error_t jerr;
	const json_t *schema, *configs;
	struct stat st;
	FILE *f;

	r->path = path;
	f = fopen(path, "r");
	if (!f)
		return fail("%s: %s", path, strerror(errno));
	if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
		fclose(f);
		return fail("%s: %s", path, strerror(EISDIR));
	}
	r->root = json_loadf(f, 0, &jerr);
	fclose(f);
	if (!r->root)
		return fail("%s: invalid JSON at line %d: %s", path, jerr.line, jerr.text);

	schema = json_object_get(r->root, "schema");
	if (!json_is_object(r->root) || !schema)
		return fail("%s: not a lockbench result (no \"schema\")", path);
	if (!json_is_string(schema))
		return fail("%s: not a lockbench result (\"schema\" is not a string)", path);
	if (strcmp(json_string_value(schema), SCHEMA_IN) != 0)
		return fail("%s: not a lockbench result (schema \"%s\", expected \"" SCHEMA_IN "\")",
			    path, json_string_value(schema));
	configs = json_object_get(r->root, "configs");
	if (!json_is_array(configs))
		return fail("%s: \"configs\" is missing or not an array", path);
	r->host = context_string(r->root, "host");
	r->cpu_model = context_string(r->root, "cpu_model");

	r->configs = calloc(json_array_size(configs) + 1, sizeof(*r->configs));
	if (!r->configs)
		return fail("out of memory");
	for (size_t i = 0; i < json_array_size(configs); i++) {
		json_t *cfg = json_array_get(configs, i);
		const json_t *id = json_object_get(cfg, "id");
		struct config *c = &r->configs[r->nconfigs];

		if (!json_is_object(cfg))
			return fail("%s: configs[%zu] is not an object", path, i);
		c->cfg = cfg;
		c->id = json_is_string(id) ? strdup(json_string_value(id)) : build_id(cfg);
		if (!c->id)
			return fail("out of memory");
		r->nconfigs++;
		for (size_t j = 0; j + 1 < r->nconfigs; j++)
			if (strcmp(r->configs[j].id, c->id) == 0)
				return fail("%s: configs[%zu]: duplicate id \"%s\"", path, i, c->id);
	}
	return 0;
}

static const struct config *find_config(const struct result *r, const char *id)
{
	for (size_t i = 0; i < r->nconfigs; i++)
		if (strcmp(r->configs[i].id, id) == 0)
			return &r->configs[i];
	return NULL;
}

/* The metric's value in every sample that has one (null or missing: skipped). */
static double *metric_values(const json_t *cfg, const struct metric *m, size_t *n)
{
	const json_t *samples = json_object_get(cfg, "samples");
	double *v = malloc((json_array_size(samples) + 1) * sizeof(*v));

	*n = 0;
	if (!v)
		return NULL;
	for (size_t i = 0; i < json_array_size(samples); i++) {
		const json_t *s = json_array_get(samples, i);
		const json_t *x;

		if (m->group)
			s = json_object_get(s, m->group);
		x = json_object_get(s, m->key);
		if (json_is_number(x))
			v[(*n)++] = json_number_value(x);
	}
	return v;
}

/* The config's status if it is present and not "ok", else NULL. */
static const char *bad_status(const json_t *cfg)
{
	const json_t *s = json_object_get(cfg, "status");

	if (json_is_string(s) && strcmp(json_string_value(s), "ok") != 0)
		return json_string_value(s);
	return NULL;
}

/* ---- judging ---- */

static enum verdict judge(const struct row *r, const struct options *opt)
{
	bool worse, better;

	if (r->nb < opt->min_repeats || r->nn < opt->min_repeats)
		return V_INCONCLUSIVE;
	if (!(r->p < opt->alpha))
		return V_OK;
	worse = r->m->higher_better ? r->change_pct < -opt->threshold_pct
				    : r->change_pct > opt->threshold_pct;
	better = r->m->higher_better ? r->change_pct > opt->threshold_pct
				     : r->change_pct < -opt->threshold_pct;
	return worse ? V_REGRESSION : better ? V_IMPROVEMENT : V_OK;
}

/* Fills r for one pair and metric; returns -1 only when memory runs out. */
static int compare_metric(const struct config *b, const struct config *n, const struct metric *m,
			  const struct options *opt, struct row *r)
{
	double *bv = metric_values(b->cfg, m, &r->nb);
	double *nv = metric_values(n->cfg, m, &r->nn);
	const char *bs = bad_status(b->cfg), *ns = bad_status(n->cfg);

	r->id = b->id;
	r->m = m;
	r->base_med = r->new_med = r->ratio = r->change_pct = r->ci_lo = r->ci_hi = r->p = NAN;
	if (!bv || !nv) {
		free(bv);
		free(nv);
		return -1;
	}
	if (ns && !bs) {
		/* it worked before and does not now: whatever the figures say, the gate fails */
		r->v = V_REGRESSION;
		snprintf(r->why, sizeof(r->why), "new status \"%s\", base ok", ns);
	} else if (bs) {
		/* nothing sound to compare against; if new is fine, that may well be a fix */
		r->v = V_NA;
		snprintf(r->why, sizeof(r->why), "base status \"%s\"", bs);
	} else if (r->nb == 0 || r->nn == 0) {
		r->v = V_NA;
		snprintf(r->why, sizeof(r->why), "no %s in %s", m->name,
			 r->nb == 0 && r->nn == 0 ? "either" : r->nb == 0 ? "base" : "new");
	} else {
		r->base_med = lb_stats_median(bv, r->nb);
		r->new_med = lb_stats_median(nv, r->nn);
		if (r->base_med != 0)
			r->ratio = r->new_med / r->base_med;
		else
			r->ratio = r->new_med == 0 ? 1.0 : copysign(INFINITY, r->new_med);
		r->change_pct = (r->ratio - 1.0) * 100.0;
		r->p = lb_stats_mann_whitney_p(bv, r->nb, nv, r->nn);
		lb_stats_bootstrap_ratio_ci(bv, r->nb, nv, r->nn, LB_COMPARE_BOOTSTRAP_ITERS,
					    LB_COMPARE_BOOTSTRAP_SEED, &r->ci_lo, &r->ci_hi);
		r->v = judge(r, opt);
		if (r->v == V_INCONCLUSIVE)
			snprintf(r->why, sizeof(r->why), "need %zu reps, have %zu/%zu",
				 opt->min_repeats, r->nb, r->nn);
	}
	free(bv);
	free(nv);
	return 0;
}

/* Pairs the configs and judges every pair and metric. Returns 0 or the error exit code. */
static int build_report(struct report *rep)
{
	const struct options *opt = rep->opt;
	const struct result *base = rep->base, *nw = rep->nw;
	size_t npairs = 0;

	rep->rows = calloc(base->nconfigs * opt->nmetrics + 1, sizeof(*rep->rows));
	rep->only_base = calloc(base->nconfigs + 1, sizeof(*rep->only_base));
	rep->only_new = calloc(nw->nconfigs + 1, sizeof(*rep->only_new));
	if (!rep->rows || !rep->only_base || !rep->only_new)
		return fail("out of memory");

	for (size_t i = 0; i < base->nconfigs; i++) {
		const struct config *b = &base->configs[i];
		const struct config *n = find_config(nw, b->id);
		const char *status;

		if (!n) {
			rep->only_base[rep->n_only_base++] = b->id;
			continue;
		}
		npairs++;
		status = bad_status(n->cfg);
		if (status && !bad_status(b->cfg))
			warnf("%s: new status \"%s\" (base was ok): counted as a regression", b->id,
			      status);
		for (size_t k = 0; k < opt->nmetrics; k++) {
			struct row *r = &rep->rows[rep->nrows++];

			if (compare_metric(b, n, opt->metrics[k], opt, r))
				return fail("out of memory");
			rep->counts[r->v]++;
		}
	}
	for (size_t i = 0; i < nw->nconfigs; i++)
		if (!find_config(base, nw->configs[i].id))
			rep->only_new[rep->n_only_new++] = nw->configs[i].id;
	if (npairs == 0)
		return fail("%s and %s have no config in common", base->path, nw->path);

	rep->overall = rep->counts[V_REGRESSION] ? V_REGRESSION
		       : rep->counts[V_INCONCLUSIVE] ? V_INCONCLUSIVE
						     : V_OK;
	return 0;
}

/* ---- terminal table ---- */

/* 3 significant digits with k/M/G/T above 10^4 (12.3M), "%.4g" below, "-" if undefined. */
static void fmt_value(char *buf, size_t len, double x)
{
	static const char suffix[] = " kMGTPE";
	double a = fabs(x);
	int e = 0;

	if (!isfinite(x)) {
		snprintf(buf, len, "-");
		return;
	}
	if (a < 1e4) {
		snprintf(buf, len, "%.4g", x);
		return;
	}
	while (a >= 1000 && e < 6) {
		a /= 1000;
		x /= 1000;
		e++;
	}
	snprintf(buf, len, a >= 100 ? "%.0f%c" : a >= 10 ? "%.1f%c" : "%.2f%c", x, suffix[e]);
}

static void fmt_pct(char *buf, size_t len, double pct)
{
	if (fabs(pct) < 0.05)
		pct = 0; /* no "-0.0%" */
	if (isnan(pct))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%+.1f%%", pct);
}

/* The CI of the ratio, shown as changes in percent like the change column. */
static void fmt_ci(char *buf, size_t len, double lo, double hi)
{
	char a[32], b[32];

	if (isnan(lo) || isnan(hi)) {
		snprintf(buf, len, "-");
		return;
	}
	fmt_pct(a, sizeof(a), (lo - 1) * 100);
	fmt_pct(b, sizeof(b), (hi - 1) * 100);
	snprintf(buf, len, "[%s, %s]", a, b);
}

static void fmt_p(char *buf, size_t len, double p)
{
	if (isnan(p))
		snprintf(buf, len, "-");
	else
		snprintf(buf, len, "%.3g", p);
}

static void fmt_verdict(char *buf, size_t len, const struct row *r)
{
	if (r->why[0])
		snprintf(buf, len, "%s (%s)", verdict_names[r->v], r->why);
	else
		snprintf(buf, len, "%s", verdict_names[r->v]);
}

enum { COL_CONFIG, COL_METRIC, COL_BASE, COL_NEW, COL_CHANGE, COL_CI, COL_P, COL_VERDICT, N_COLS };
#define CELL_LEN 160

/* The cells of one row as text; cells[COL_CONFIG] points at the id itself. */
static void row_cells(const struct row *r, char cells[N_COLS][CELL_LEN])
{
	snprintf(cells[COL_METRIC], CELL_LEN, "%s", r->m->name);
	fmt_value(cells[COL_BASE], CELL_LEN, r->base_med);
	fmt_value(cells[COL_NEW], CELL_LEN, r->new_med);
	fmt_pct(cells[COL_CHANGE], CELL_LEN, r->change_pct);
	fmt_ci(cells[COL_CI], CELL_LEN, r->ci_lo, r->ci_hi);
	fmt_p(cells[COL_P], CELL_LEN, r->p);
	fmt_verdict(cells[COL_VERDICT], CELL_LEN, r);
}

static void print_table(const struct report *rep, FILE *f)
{
	static const char *const head[N_COLS] = {
		"config", "metric", "base", "new", "change", "95% CI", "p", "verdict",
	};
	static const bool right[N_COLS] = { false, false, true, true, true, true, true, false };
	char cells[N_COLS][CELL_LEN];
	size_t width[N_COLS];

	for (int c = 0; c < N_COLS; c++)
		width[c] = strlen(head[c]);
	for (size_t i = 0; i < rep->nrows; i++) {
		row_cells(&rep->rows[i], cells);
		for (int c = 0; c < N_COLS; c++) {
			size_t w = strlen(c == COL_CONFIG ? rep->rows[i].id : cells[c]);

			width[c] = w > width[c] ? w : width[c];
		}
	}
	for (size_t i = 0; i <= rep->nrows; i++) {
		const char *text[N_COLS];

		if (i == 0) {
			memcpy(text, head, sizeof(text));
		} else {
			row_cells(&rep->rows[i - 1], cells);
			for (int c = 0; c < N_COLS; c++)
				text[c] = cells[c];
			text[COL_CONFIG] = rep->rows[i - 1].id;
		}
		for (int c = 0; c < N_COLS; c++) {
			if (c == N_COLS - 1)
				fprintf(f, "%s\n", text[c]); /* no trailing blanks */
			else
				fprintf(f, right[c] ? "%*s  " : "%-*s  ", (int)width[c], text[c]);
		}
	}
}

static void print_summary(const struct report *rep, FILE *f)
{
	const struct options *opt = rep->opt;

	for (size_t i = 0; i < rep->n_only_base; i++)
		fprintf(f, "only in base: %s\n", rep->only_base[i]);
	for (size_t i = 0; i < rep->n_only_new; i++)
		fprintf(f, "only in new: %s\n", rep->only_new[i]);
	fprintf(f,
		"compare: %s: %zu regression, %zu improvement, %zu ok, %zu inconclusive, %zu n/a"
		" (threshold %g%%, alpha %g, min %zu reps)\n",
		verdict_names[rep->overall], rep->counts[V_REGRESSION], rep->counts[V_IMPROVEMENT],
		rep->counts[V_OK], rep->counts[V_INCONCLUSIVE], rep->counts[V_NA],
		opt->threshold_pct, opt->alpha, opt->min_repeats);
}

/* ---- output files ---- */

/* Writes path through emit() into a temporary file, then renames it into place. */
static int write_atomically(const char *path, int (*emit)(FILE *, const struct report *),
			    const struct report *rep)
{
	size_t len = strlen(path) + sizeof(".XXXXXX");
	char *tmp = malloc(len);
	mode_t mask;
	FILE *f;
	int fd, err = 0;

	if (!tmp)
		return fail("out of memory");
	snprintf(tmp, len, "%s.XXXXXX", path);
	fd = mkstemp(tmp);
	if (fd < 0) {
		err = errno;
		free(tmp);
		return fail("%s: cannot create: %s", path, strerror(err));
	}
	/* mkstemp makes it 0600; give it the mode a plain fopen would have */
	mask = umask(0);
	umask(mask);
	fchmod(fd, 0666 & ~mask);
	f = fdopen(fd, "w");
	if (!f) {
		err = errno;
		close(fd);
	} else {
		errno = 0;
		if (emit(f, rep) || fflush(f) || ferror(f) || fsync(fd))
			err = errno ? errno : EIO;
		if (fclose(f) && !err)
			err = errno ? errno : EIO;
	}
	if (!err && rename(tmp, path))
		err = errno;
	if (err)
		unlink(tmp);
	free(tmp);
	if (err)
		return fail("%s: cannot write: %s", path, strerror(err));
	return 0;
}

/* A JSON number, or null where the value is undefined (JSON has no NaN or infinity). */
static json_t *jnum(double x)
{
	return isfinite(x) ? json_real(x) : json_null();
}

static json_t *json_side(const struct result *r)
{
	const char *commit = context_string(r->root, "git_commit");

	return json_pack("{s:s, s:s?, s:s?, s:s?}", "file", r->path, "host", r->host, "cpu_model",
			 r->cpu_model, "git_commit", commit);
}

static json_t *json_row(const struct row *r, const struct options *opt)
{
	json_t *o = json_pack("{s:s, s:s, s:s, s:s, s:I, s:I, s:o, s:o, s:o, s:o, s:[o,o], s:o, s:s}",
			      "config", r->id, "metric", r->m->name, "unit", r->m->unit,
			      "better", r->m->higher_better ? "higher" : "lower",
			      "base_n", (json_int_t)r->nb, "new_n", (json_int_t)r->nn,
			      "base_median", jnum(r->base_med), "new_median", jnum(r->new_med),
			      "ratio", jnum(r->ratio), "change_pct", jnum(r->change_pct),
			      "ratio_ci95", jnum(r->ci_lo), jnum(r->ci_hi), "p_value", jnum(r->p),
			      "verdict", verdict_names[r->v]);

	if (o && r->why[0])
		json_object_set_new(o, "reason", json_string(r->why));
	if (o && r->v == V_INCONCLUSIVE)
		json_object_set_new(o, "repeats_needed", json_integer((json_int_t)opt->min_repeats));
	return o;
}

static json_t *json_strings(const char *const *s, size_t n)
{
	json_t *a = json_array();

	for (size_t i = 0; a && i < n; i++)
		json_array_append_new(a, json_string(s[i]));
	return a;
}

static json_t *json_report(const struct report *rep)
{
	const struct options *opt = rep->opt;
	json_t *counts = json_object(), *metric_names = json_array(), *rows = json_array();

	for (int v = 0; counts && v < V_COUNT; v++)
		json_object_set_new(counts, verdict_names[v], json_integer((json_int_t)rep->counts[v]));
	for (size_t k = 0; metric_names && k < opt->nmetrics; k++)
		json_array_append_new(metric_names, json_string(opt->metrics[k]->name));
	for (size_t i = 0; rows && i < rep->nrows; i++)
		json_array_append_new(rows, json_row(&rep->rows[i], opt));
	/* "o" steals each reference, and json_pack releases them all if it fails */
	return json_pack("{s:s, s:s, s:o, s:{s:o, s:f, s:f, s:I, s:I, s:I}, s:o, s:o, s:o, s:o, s:o}",
			 "schema", SCHEMA_OUT, "verdict", verdict_names[rep->overall],
			 "counts", counts,
			 "settings", "metrics", metric_names, "threshold_pct", opt->threshold_pct,
			 "alpha", opt->alpha, "min_repeats", (json_int_t)opt->min_repeats,
			 "bootstrap_iters", (json_int_t)LB_COMPARE_BOOTSTRAP_ITERS,
			 "bootstrap_seed", (json_int_t)LB_COMPARE_BOOTSTRAP_SEED,
			 "base", json_side(rep->base), "new", json_side(rep->nw), "rows", rows,
			 "only_in_base", json_strings(rep->only_base, rep->n_only_base),
			 "only_in_new", json_strings(rep->only_new, rep->n_only_new));
}

static int emit_json(FILE *f, const struct report *rep)
{
	json_t *doc = json_report(rep);
	int rc;

	if (!doc) {
		errno = ENOMEM;
		return -1;
	}
	rc = json_dumpf(doc, f, JSON_INDENT(2) | JSON_REAL_PRECISION(15));
	json_decref(doc);
	if (rc == 0)
		fputc('\n', f);
	return rc;
}

/* Text in a Markdown table cell: '|' would end the cell; '*', '_' etc. would format. */
static void md_escaped(FILE *f, const char *s)
{
	for (; *s; s++) {
		if (strchr("\\|*_`<>[]", *s))
			fputc('\\', f);
		fputc(*s, f);
	}
}

static int emit_markdown(FILE *f, const struct report *rep)
{
	const struct options *opt = rep->opt;
	char cells[N_COLS][CELL_LEN];

	fprintf(f, "### lockbench compare: %s\n\n", verdict_names[rep->overall]);
	fprintf(f,
		"%zu regression, %zu improvement, %zu ok, %zu inconclusive, %zu n/a "
		"(threshold %g%%, alpha %g, at least %zu repetitions per side).\n\n",
		rep->counts[V_REGRESSION], rep->counts[V_IMPROVEMENT], rep->counts[V_OK],
		rep->counts[V_INCONCLUSIVE], rep->counts[V_NA], opt->threshold_pct, opt->alpha,
		opt->min_repeats);
	fputs("| config | metric | base | new | change | 95% CI | p | verdict |\n", f);
	fputs("|---|---|--:|--:|--:|--:|--:|---|\n", f);
	for (size_t i = 0; i < rep->nrows; i++) {
		const struct row *r = &rep->rows[i];

		row_cells(r, cells);
		fputs("| ", f);
		md_escaped(f, r->id);
		for (int c = COL_METRIC; c < N_COLS; c++) {
			fputs(" | ", f);
			if (c == COL_VERDICT && r->v == V_REGRESSION)
				fputs("**", f);
			md_escaped(f, cells[c]);
			if (c == COL_VERDICT && r->v == V_REGRESSION)
				fputs("**", f);
		}
		fputs(" |\n", f);
	}
	for (size_t i = 0; i < rep->n_only_base; i++) {
		fputs(i ? ", " : "\nOnly in base: ", f);
		md_escaped(f, rep->only_base[i]);
	}
	for (size_t i = 0; i < rep->n_only_new; i++) {
		fputs(i ? ", " : "\nOnly in new: ", f);
		md_escaped(f, rep->only_new[i]);
	}
	if (rep->n_only_base || rep->n_only_new)
		fputc('\n', f);
	return 0;
}

/* ---- entry point ---- */

static void warn_context(const struct result *base, const struct result *nw)
{
	if (base->host && nw->host && strcmp(base->host, nw->host) != 0)
		warnf("results come from different hosts (base \"%s\", new \"%s\")", base->host,
		     nw->host);
	if (base->cpu_model && nw->cpu_model && strcmp(base->cpu_model, nw->cpu_model) != 0)
		warnf("results come from different CPUs (base \"%s\", new \"%s\")", base->cpu_model,
		     nw->cpu_model);
}

static void warn_verdict(const struct report *rep)
{
	size_t judged = rep->counts[V_REGRESSION] + rep->counts[V_IMPROVEMENT] +
			rep->counts[V_OK] + rep->counts[V_INCONCLUSIVE];

	if (rep->counts[V_INCONCLUSIVE])
		warnf("inconclusive: %zu rows need >= %zu repetitions per side; they were not judged",
		     rep->counts[V_INCONCLUSIVE], rep->opt->min_repeats);
	if (judged == 0)
		warnf("nothing was compared: no chosen metric has values on both sides");
}

int lb_compare_main(int argc, char **argv)
{
	struct options opt = { 0 };
	struct result base = { 0 }, nw = { 0 };
	struct report rep = { 0 };
	int rc;

	rc = parse_options(argc, argv, &opt);
	if (rc)
		return rc < 0 ? LB_COMPARE_EXIT_OK : rc;
	rc = load_result(opt.base_path, &base);
	if (rc == 0)
		rc = load_result(opt.new_path, &nw);
	if (rc == 0) {
		warn_context(&base, &nw);
		rep.opt = &opt;
		rep.base = &base;
		rep.nw = &nw;
		rc = build_report(&rep);
	}
	if (rc == 0) {
		if (!opt.quiet) {
			print_table(&rep, stdout);
			print_summary(&rep, stdout);
			fflush(stdout);
		}
		warn_verdict(&rep);
		if (opt.json_path)
			rc = write_atomically(opt.json_path, emit_json, &rep);
		if (rc == 0 && opt.md_path)
			rc = write_atomically(opt.md_path, emit_markdown, &rep);
		if (rc == 0 && rep.overall == V_REGRESSION)
			rc = LB_COMPARE_EXIT_REGRESSION;
	}
	free(rep.rows);
	free(rep.only_base);
	free(rep.only_new);
	free_result(&base);
	free_result(&nw);
	return rc;
}
