/*
 * engine/ab.c — two locks in one process, windows alternating ABBA (see ab.h).
 *
 * Everything both locks share is set up once: the topology, the pin plan of
 * each thread count, the timer, the busy-loop rate. Each window is one
 * lb_run_config, exactly as `run` measures a repetition, so a window's
 * figures mean what a sample of `run` means; only the windows are short and
 * the two locks' windows interleave.
 */
#define _GNU_SOURCE
#include "engine/ab.h"

#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmd/cli.h"
#include "engine/context.h"
#include "engine/params.h"
#include "engine/spec.h"
#include "engine/timer.h"
#include "engine/topo.h"
#include "model/fill.h"
#include "model/identity.h"

#define MAX_CONFIGS 1024

/* One config of the plan: a workload and a thread count, with its pin plan. */
struct item {
	size_t wl;
	unsigned threads;
	int *pus;
	bool oversubscribed;
};

static void on_signal(int sig)
{
	(void)sig;
	lb_interrupted = 1;
}

/* Every workload's needed capabilities are both locks'. 0, or -1 after saying which are not. */
static int check_caps(const struct lb_ab_plan *p)
{
	for (size_t w = 0; w < p->nwls; w++)
		for (size_t s = 0; s < 2; s++) {
			uint32_t need = p->wls[w].wl->needs_caps;
			if ((need & p->lock[s]->ops->caps) == need)
				continue;
			char missing[128];
			lb_caps_text(need & ~p->lock[s]->ops->caps, missing, sizeof missing);
			lb_error("ab: --workload: %s needs a lock with \"%s\", which %s (%s) lacks", p->wls[w].wl->name,
				 missing, p->lock[s]->ops->name, s ? "NEW" : "BASE");
			return -1;
		}
	return 0;
}

/* The config id of a lock under a workload, threads and pin text. 0, or -1 when it does not fit. */
static int make_id(const struct lb_lock_choice *lock, const struct lb_wl_choice *wl, unsigned threads,
		   const char *pin_text, char *buf, size_t len)
{
	static struct lb_identity id; /* 5 KiB */
	memset(&id, 0, sizeof id);
	id.threads = threads;
	lb_lock_id_name(lock, id.lock, sizeof id.lock);
	snprintf(id.workload, sizeof id.workload, "%s", wl->wl->name);
	snprintf(id.pin, sizeof id.pin, "%s", pin_text);
	if (lb_params_format(lock->ops->params, lock->params, id.lock_params, sizeof id.lock_params) != 0 ||
	    lb_params_format(wl->wl->params, wl->params, id.workload_params, sizeof id.workload_params) != 0 ||
	    strlen(pin_text) >= sizeof id.pin)
		return -1;
	return lb_identity_format(&id, buf, len);
}

/* What both results record of how they were measured: the same for both, since one process measured both. */
static void fill_context(struct lb_context *x, const struct lb_ab_plan *p, const struct lb_topo *topo)
{
	lb_context_fill(x, p->argc, p->argv, topo);
	lb_context_options(x, &p->opts, (int64_t)p->pairs, p->pin_text, p->busy_rate);
	x->timing_overhead_ns = NAN; /* the same in both locks' windows: not what ab compares */
	x->timing_overhead_method = lb_strdup("not measured by ab: both locks run in the same mode and process");
}

/* The configs (workloads x thread counts) in both results and as items. 0, or -1 after an error. */
static int build(const struct lb_ab_plan *p, const struct lb_topo *topo, const struct lb_pin_spec *pin,
		 const unsigned *tc, size_t ntc, struct lb_result *res[2], struct item *items)
{
	static char id[16384];
	char err[512], label[256];
	size_t k = 0;

	for (size_t w = 0; w < p->nwls; w++)
		for (size_t t = 0; t < ntc; t++, k++) {
			struct item *it = &items[k];
			*it = (struct item){ .wl = w, .threads = tc[t] };
			it->pus = calloc(it->threads, sizeof *it->pus);
			if (it->pus == NULL ||
			    lb_pin_plan(topo, pin, it->threads, it->pus, &it->oversubscribed, err, sizeof err) != 0) {
				lb_error("ab: %s", it->pus ? err : "out of memory");
				return -1;
			}
			for (size_t s = 0; s < 2; s++) {
				struct lb_config *c;
				if (make_id(p->lock[s], &p->wls[w], it->threads, p->pin_text, id, sizeof id) != 0) {
					lb_error("ab: %s: parameters too long for a config id", p->lock[s]->ops->name);
					return -1;
				}
				lb_lock_label(p->lock[s], label, sizeof label);
				if ((c = lb_result_add_config(res[s])) == NULL) {
					lb_error("ab: out of memory");
					return -1;
				}
				lb_config_fill(c, id, label, p->lock[s], &p->wls[w], it->threads,
					       lb_pin_policy_name(pin->policy), it->pus, it->oversubscribed);
			}
		}
	return 0;
}

/*
 * One window of one lock; false when the plan must end (a window that hung,
 * could not start or was interrupted: threads may be stuck, or the user
 * wants out).
 */
static bool window(const struct lb_ab_plan *p, const struct lb_topo *topo, const struct item *it, size_t side,
		   unsigned pair, struct lb_config *c)
{
	struct lb_outcome out;
	struct lb_sample *s;

	if (lb_run_config(&p->opts, topo, p->lock[side], &p->wls[it->wl], it->threads, it->pus, &out) != 0) {
		lb_error("ab: %s (%s) threads=%u: %s", c->label, side ? "NEW" : "BASE", it->threads, out.message);
		c->status = LB_RS_ERROR;
		return false;
	}
	if ((s = lb_config_add_sample(c)) == NULL) {
		lb_error("ab: out of memory");
		lb_outcome_free(&out);
		return false;
	}
	lb_sample_fill(s, &out, pair, p->opts.sample_every);
	if (s->status != LB_RS_OK)
		c->status = s->status;
	lb_outcome_free(&out);
	return s->status != LB_RS_HUNG && s->status != LB_RS_INTERRUPTED && s->status != LB_RS_ERROR;
}

/* Every pair of every config, ABBA. false when stopped early. */
static bool alternate(const struct lb_ab_plan *p, const struct lb_topo *topo, const struct item *items, size_t n,
		      struct lb_result *res[2])
{
	for (size_t pair = 0; pair < p->pairs; pair++)
		for (size_t k = 0; k < n; k++) {
			/* pair 0: base new; pair 1: new base; ... neither lock always runs second */
			for (size_t turn = 0; turn < 2; turn++) {
				size_t side = (pair + turn) % 2;
				if (!window(p, topo, &items[k], side, (unsigned)pair, &res[side]->configs[k]) || lb_interrupted)
					return false;
			}
			if (p->progress)
				p->progress(p->progress_arg, pair * n + k + 1, p->pairs * n);
		}
	return true;
}

int lb_ab_execute(const struct lb_ab_plan *p, struct lb_result *out[2])
{
	static const unsigned default_threads[] = { 1, 2 };
	const unsigned *tc = p->ntcounts ? p->tcounts : default_threads;
	size_t ntc = p->ntcounts ? p->ntcounts : 2, n = p->nwls * ntc;
	struct lb_result *res[2] = { NULL, NULL };
	struct item *items = NULL;
	struct lb_topo *topo = NULL;
	struct lb_pin_spec pin;
	char err[512];
	int rc = LB_EXIT_USAGE;

	out[0] = out[1] = NULL;
	if (n == 0 || n > MAX_CONFIGS) {
		lb_error("ab: %zu configs (workloads x thread counts): between 1 and %d", n, MAX_CONFIGS);
		return LB_EXIT_USAGE;
	}
	if (check_caps(p) != 0)
		return LB_EXIT_USAGE;
	if (lb_pin_parse(p->pin_text, &pin, err, sizeof err) != 0) {
		lb_error("ab: %s", err);
		return LB_EXIT_USAGE;
	}
	/* The topology must be loaded before any other thread exists (see topo.h). */
	if (lb_topo_load(&topo, NULL, err, sizeof err) != 0) {
		lb_error("ab: %s", err);
		return LB_EXIT_USAGE;
	}
	items = calloc(n, sizeof *items);
	res[0] = lb_result_new();
	res[1] = lb_result_new();
	if (items == NULL || res[0] == NULL || res[1] == NULL) {
		lb_error("ab: out of memory");
		goto done;
	}
	if (build(p, topo, &pin, tc, ntc, res, items) != 0)
		goto done;

	lb_timer_init();
	/* One rate for both locks: cs_ns is the same work in every window of either. */
	lb_busy_use_rate(p->busy_rate);
	for (size_t s = 0; s < 2; s++) {
		fill_context(&res[s]->context, p, topo);
		res[s]->context.busy_before_run = NAN;
	}
	struct sigaction sa = { 0 };
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);

	alternate(p, topo, items, n, res);
	for (size_t s = 0; s < 2; s++)
		for (size_t k = 0; k < n; k++) {
			struct lb_config *c = &res[s]->configs[k];
			if (c->nsamples == 0 && c->status == LB_RS_OK)
				c->status = LB_RS_NOT_RUN;
			lb_config_summarize(c);
		}
	rc = lb_interrupted ? LB_EXIT_INTERRUPTED : LB_EXIT_OK;
	for (size_t s = 0; s < 2; s++)
		res[s]->context.interrupted = lb_interrupted;
	out[0] = res[0];
	out[1] = res[1];
	res[0] = res[1] = NULL;
done:
	for (size_t k = 0; items != NULL && k < n; k++)
		free(items[k].pus);
	free(items);
	lb_result_free(res[0]);
	lb_result_free(res[1]);
	lb_topo_free(topo);
	return rc;
}
