/*
 * engine/plan.c — running the matrix of configs and filling the result.
 *
 * Everything the user typed is valid by now; what can still fail is the
 * machine (topology, pinning, a plug-in that will not start) and the
 * output. The output is checked before anything runs, so a typo in -o does
 * not cost a long run, and a final write that fails after all keeps the
 * results in a recovery file (exit 3) rather than losing them.
 */
#define _GNU_SOURCE
#include "engine/plan.h"

#include <inttypes.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "engine/context.h"
#include "engine/isolate.h"
#include "engine/overhead.h"
#include "engine/params.h"
#include "engine/pingpong.h"
#include "engine/spec.h"
#include "engine/topo.h"
#include "model/fill.h"
#include "model/identity.h"
#include "model/json.h"
#include "model/output.h"
#include "render/faults.h"
#include "render/progress.h"

#define MAX_THREAD_COUNTS 64

struct plan_item {
	size_t lock, wl, config; /* indexes into the plan's locks, workloads and the result's configs */
	unsigned threads;
	int *pus;
	bool oversubscribed;
};

/* Counted: a second SIGINT or SIGTERM kills an isolated run that did not answer the first. */
static void on_signal(int sig)
{
	(void)sig;
	if (lb_interrupted < 100)
		lb_interrupted = lb_interrupted + 1;
}

static void default_output(char *buf, size_t len)
{
	char host[128] = "host", stamp[64];
	gethostname(host, sizeof host - 1);
	for (char *p = host; *p; p++)
		if (*p == '/' || *p == ' ' || (unsigned char)*p < 0x20)
			*p = '_';
	time_t now = time(NULL);
	struct tm tm;
	gmtime_r(&now, &tm);
	strftime(stamp, sizeof stamp, "%Y%m%dT%H%M%SZ", &tm);
	snprintf(buf, len, "results/%s-%s.json", stamp, host);
}

/* Every workload's needed capabilities are among every lock's. 0, or -1 after saying which are not. */
static int check_caps(const struct lb_plan *p)
{
	for (size_t w = 0; w < p->nwls; w++)
		for (size_t l = 0; l < p->nlocks; l++) {
			uint32_t need = p->wls[w].wl->needs_caps;
			if ((need & p->locks[l].ops->caps) == need)
				continue;
			char missing[128];
			lb_caps_text(need & ~p->locks[l].ops->caps, missing, sizeof missing);
			lb_error("--workload: %s needs a lock with \"%s\", which %s lacks (see: lockbench list)",
				 p->wls[w].wl->name, missing, p->locks[l].ops->name);
			return -1;
		}
	return 0;
}

/* Every workload's parameters against every thread count (its check hook). 0, or -1 after saying why. */
static int check_params(const struct lb_plan *p, const unsigned *tc, size_t ntc)
{
	char err[512];
	for (size_t w = 0; w < p->nwls; w++)
		for (size_t ti = 0; ti < ntc && p->wls[w].wl->check != NULL; ti++)
			if (p->wls[w].wl->check(p->wls[w].params, tc[ti], err, sizeof err) != 0) {
				lb_error("--workload: %s", err);
				return -1;
			}
	return 0;
}

/* The config id of a lock, a workload, a thread count and a pin text. 0, or -1 when it does not fit. */
static int make_id(const struct lb_lock_choice *lock, const struct lb_wl_choice *wl, unsigned threads,
		   const char *pin_text, char *buf, size_t len)
{
	struct lb_identity id = { .threads = threads };
	lb_lock_id_name(lock, id.lock, sizeof id.lock);
	snprintf(id.workload, sizeof id.workload, "%s", wl->wl->name);
	snprintf(id.pin, sizeof id.pin, "%s", pin_text);
	if (lb_params_format(lock->ops->params, lock->params, id.lock_params, sizeof id.lock_params) != 0 ||
	    lb_params_format(wl->wl->params, wl->params, id.workload_params, sizeof id.workload_params) != 0 ||
	    strlen(pin_text) >= sizeof id.pin)
		return -1;
	return lb_identity_format(&id, buf, len);
}

/* The options and the timing mode's measured cost, into the context. */
static void context_options(struct lb_context *x, const struct lb_plan *p)
{
	const struct lb_run_opts *o = &p->opts;
	lb_context_options(x, o, p->repeat, p->pin_text, p->busy_rate);
	/* What the chosen timing mode costs per acquisition, against the bare loop. */
	x->timing_overhead_ns = lb_overhead_ns_per_acquisition(o->sample_every, 5, 20000000);
	x->timing_overhead_method =
		lb_strdup("1 thread, lock none, cs vs bare, median of 5 interleaved 20 ms pairs, per CPU-second of the thread");
}

/* Thread counts: as given, or the default of the plan. n in, count out. */
static size_t thread_counts(const struct lb_plan *p, const struct lb_topo *topo, unsigned *tc)
{
	size_t n = p->ntcounts;
	memcpy(tc, p->tcounts, n * sizeof *tc);
	struct lb_topo_summary ts;
	lb_topo_summary(topo, &ts);
	if (n == 0 && p->oversubscribe) {
		tc[n++] = 2 * ts.pus + 1;
	} else if (n == 0) {
		unsigned top = 2 * ts.pus < 4 ? 4 : 2 * ts.pus;
		for (unsigned t = 1; t <= top && n < MAX_THREAD_COUNTS; t *= 2)
			tc[n++] = t;
	}
	return n;
}

/* The configs of the plan, in the result and as items. 0, or -1 after an error. */
static int build(const struct lb_plan *p, const struct lb_topo *topo, const struct lb_pin_spec *pin,
		 const unsigned *tc, size_t ntc, struct lb_result *res, struct plan_item *items)
{
	char err[512], id[16384], label[256];
	size_t k = 0;
	for (size_t w = 0; w < p->nwls; w++)
		for (size_t l = 0; l < p->nlocks; l++)
			for (size_t ti = 0; ti < ntc; ti++, k++) {
				struct plan_item *it = &items[k];
				*it = (struct plan_item){ .lock = l, .wl = w, .threads = tc[ti] };
				it->pus = calloc(it->threads, sizeof *it->pus);
				if (it->pus == NULL ||
				    lb_pin_plan(topo, pin, it->threads, it->pus, &it->oversubscribed, err, sizeof err) != 0) {
					lb_error("%s", it->pus ? err : "out of memory");
					return -1;
				}
				if (make_id(&p->locks[l], &p->wls[w], it->threads, p->pin_text, id, sizeof id) != 0) {
					lb_error("%s: parameters too long for a config id", p->locks[l].ops->name);
					return -1;
				}
				lb_lock_label(&p->locks[l], label, sizeof label);
				struct lb_config *c = lb_result_add_config(res);
				if (c == NULL) {
					lb_error("out of memory");
					return -1;
				}
				it->config = res->nconfigs - 1;
				lb_config_fill(c, id, label, &p->locks[l], &p->wls[w], it->threads,
					       lb_pin_policy_name(pin->policy), it->pus, it->oversubscribed);
			}
	return 0;
}

/* Run one item once; returns the exit code so far and sets *stop when the plan must end. */
/*
 * One run's sample, in this process or (isolated) in a child: 0 with *s
 * filled and *stuck_here telling whether threads of it are left stuck in
 * this process; -1 when it could not start (reason in msg, *hard when
 * threads may be stuck on a barrier).
 */
static int sample_of(const struct lb_plan *p, const struct lb_topo *topo, const struct plan_item *it, unsigned rep,
		     double pp, struct lb_sample *s, bool *stuck_here, char *msg, size_t msglen, bool *hard)
{
	const struct lb_lock_choice *lock = &p->locks[it->lock];
	const struct lb_wl_choice *wl = &p->wls[it->wl];
	*stuck_here = *hard = false;
	if (lb_isolate_wanted(p->isolate, lock, wl))
		return lb_run_isolated(&p->opts, topo, lock, wl, it->threads, it->pus, rep, pp, s, msg, msglen);
	struct lb_outcome out;
	if (lb_run_config(&p->opts, topo, lock, wl, it->threads, it->pus, &out) != 0) {
		snprintf(msg, msglen, "%s", out.message);
		*hard = out.status == LB_STATUS_ERROR;
		return -1;
	}
	out.pingpong_ns = pp;
	memset(s, 0, sizeof *s);
	lb_sample_fill(s, &out, rep, p->opts.sample_every);
	*stuck_here = out.status == LB_STATUS_HUNG || out.abandoned;
	lb_outcome_free(&out);
	return 0;
}

/* Run one item once; returns the exit code so far and sets *stop when the plan must end. */
static int run_item(const struct lb_plan *p, const struct lb_topo *topo, struct plan_item *it, unsigned rep,
		    struct lb_result *res, FILE *table, int rc, bool *stop, const struct lb_progress *progress)
{
	struct lb_config *c = &res->configs[it->config];
	double pp = it->threads > 1 ? lb_pingpong_ns(topo, it->pus[0], it->pus[1], 20000000) : NAN;
	struct lb_sample got;
	char msg[512];
	bool stuck_here, hard;
	int started = sample_of(p, topo, it, rep, pp, &got, &stuck_here, msg, sizeof msg, &hard);
	lb_progress_clear(progress); /* before any row or message reaches the terminal */
	if (started != 0) {
		lb_error("%s threads=%u: %s", c->label, it->threads, msg);
		c->status = LB_RS_ERROR;
		*stop = hard; /* threads may be stuck on a barrier */
		if (p->report != NULL) {
			struct lb_sample s = { .repetition = rep, .status = LB_RS_ERROR, .message = msg,
					       .duration_s = NAN, .throughput_per_s = NAN, .pingpong_ns = NAN };
			p->report(p->report_arg, table, c, &s, false);
		}
		return LB_EXIT_CHECK;
	}
	struct lb_sample *s = lb_config_add_sample(c);
	if (s == NULL) {
		lb_sample_clear(&got);
		lb_error("out of memory");
		*stop = true;
		return LB_EXIT_USAGE;
	}
	*s = got; /* the config owns what the sample holds from here */
	if (s->has_starvation && s->starvation.starved && p->fail_on_starvation && rc == LB_EXIT_OK)
		rc = LB_EXIT_CHECK;
	if (s->status != LB_RS_OK)
		c->status = s->status;
	if (p->report != NULL)
		p->report(p->report_arg, table, c, s, true);
	if (!p->quiet)
		lb_faults_print(stderr, c, s);
	if (s->status == LB_RS_FAILED || s->status == LB_RS_HUNG || s->status == LB_RS_ERROR ||
	    s->status == LB_RS_DEADLOCK || s->status == LB_RS_CRASHED)
		rc = LB_EXIT_CHECK;
	/* Threads left stuck in this process would skew every later config; an isolated run leaves none. */
	if (s->status == LB_RS_INTERRUPTED || stuck_here)
		*stop = true;
	if (s->status == LB_RS_INTERRUPTED)
		rc = LB_EXIT_INTERRUPTED;
	return rc;
}

static int emit_result(FILE *f, void *r)
{
	return lb_result_emit(f, r);
}

/* Write the result; when that fails, keep it elsewhere. Returns rc, or the write's exit code. */
static int save(const struct lb_result *res, const char *output, bool quiet, int rc)
{
	char err[512], kept[PATH_MAX + 64], why[512];
	if (lb_result_write(res, output, err, sizeof err) == 0) {
		if (!quiet && strcmp(output, "-") != 0)
			fprintf(stderr, "result: %s\n", output);
		return rc;
	}
	if (lb_output_keep(output, emit_result, (void *)res, kept, sizeof kept, why, sizeof why) == 0) {
		lb_error("--output: %s; the results are kept in %s", err, kept);
		return LB_EXIT_KEPT;
	}
	lb_error("--output: %s; no other place took the results either (%s)", err, why);
	return LB_EXIT_LOST;
}

/*
 * Round r runs the configs rotated by r: A B C, B C A, C A B, ... Whatever
 * runs right after another config gains or loses from it (warm caches,
 * frequency, the host's placement of vCPUs: 10-20% at 2 threads on the
 * reference VM); rotating puts every config in every position equally often
 * over `items` rounds, so the bias cancels in medians and in ratios of two
 * configs taken side by side.
 */
size_t lb_plan_rotated(size_t k, unsigned round, size_t items)
{
	return items ? (k + round) % items : 0;
}

int lb_execute_plan(const struct lb_plan *p)
{
	char err[512], outbuf[512];
	unsigned tc[MAX_THREAD_COUNTS];
	const char *output = p->output;

	/*
	 * From the start: a signal during the calibrations (long under a
	 * sanitizer or on a loaded machine) then interrupts the first config
	 * and the result is written, rather than killing the process.
	 */
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	lb_exit_guard_install();
	if (p->ntcounts > MAX_THREAD_COUNTS) {
		lb_error("--threads: more than %d thread counts", MAX_THREAD_COUNTS);
		return LB_EXIT_USAGE;
	}
	if (check_caps(p) != 0)
		return LB_EXIT_USAGE;
	struct lb_pin_spec pin;
	if (lb_pin_parse(p->pin_text, &pin, err, sizeof err) != 0) {
		lb_error("%s", err);
		return LB_EXIT_USAGE;
	}
	/* The topology must be loaded before any other thread exists (see topo.h). */
	struct lb_topo *topo;
	if (lb_topo_load(&topo, NULL, err, sizeof err) != 0) {
		lb_error("%s", err);
		return LB_EXIT_USAGE;
	}
	size_t ntc = thread_counts(p, topo, tc);
	if (check_params(p, tc, ntc) != 0) {
		lb_topo_free(topo);
		return LB_EXIT_USAGE;
	}
	if (output == NULL) {
		mkdir("results", 0777);
		default_output(outbuf, sizeof outbuf);
		output = outbuf;
	}
	if (lb_output_check(output, err, sizeof err) != 0) {
		lb_error("--output: %s", err);
		lb_topo_free(topo);
		return LB_EXIT_USAGE;
	}

	size_t nitems = p->nwls * p->nlocks * ntc;
	struct plan_item *items = calloc(nitems ? nitems : 1, sizeof *items);
	struct lb_result *res = lb_result_new();
	int rc = LB_EXIT_USAGE;
	if (items == NULL || res == NULL) {
		lb_error("out of memory");
		goto out;
	}
	if (build(p, topo, &pin, tc, ntc, res, items) != 0)
		goto out;

	lb_timer_init();
	/* A given rate makes cs_ns the same work in every process (see --busy-rate). */
	lb_busy_use_rate(p->busy_rate);
	lb_context_fill(&res->context, p->argc, p->argv, topo);
	context_options(&res->context, p);
	double busy = lb_machine_busy(200);
	res->context.busy_before_run = busy;
	if (busy > 0.25)
		fprintf(stderr, "lockbench: warning: the machine was %.0f%% busy before the run; expect noisy results\n",
			busy * 100);


	FILE *table = strcmp(output, "-") == 0 ? stderr : stdout;
	/* Elapsed time and what is left, on a terminal only (render/progress.h). */
	struct lb_progress progress;
	lb_progress_init(&progress, !p->quiet, nitems * (size_t)p->repeat,
			 (double)(p->opts.warmup_ns + p->opts.duration_ns) / 1e9 + 0.05);
	rc = LB_EXIT_OK;
	bool stop = false;
	for (unsigned rep = 0; rep < p->repeat && !stop; rep++) {
		for (size_t k = 0; k < nitems && !stop; k++) {
			size_t i = lb_plan_rotated(k, rep, nitems);
			lb_progress_show(&progress, "%s threads=%u rep %u/%" PRId64, res->configs[items[i].config].label,
					 items[i].threads, rep + 1, p->repeat);
			rc = run_item(p, topo, &items[i], rep, res, table, rc, &stop, &progress);
			lb_progress_step(&progress);
		}
	}
	for (size_t i = 0; i < res->nconfigs; i++) {
		struct lb_config *c = &res->configs[i];
		/* A run stopped early (hung, interrupted) leaves configs that never ran. */
		if (c->nsamples == 0 && c->status == LB_RS_OK)
			c->status = LB_RS_NOT_RUN;
		lb_config_summarize(c);
	}
	if (p->finished != NULL)
		p->finished(p->report_arg, table, res);
	if (lb_interrupted) {
		rc = LB_EXIT_INTERRUPTED;
		res->context.interrupted = true;
	}
	rc = save(res, output, p->quiet, rc);
out:
	for (size_t i = 0; items != NULL && i < nitems; i++)
		free(items[i].pus);
	free(items);
	lb_result_free(res);
	lb_topo_free(topo);
	return rc;
}
