/*
 * engine/lockset.c — the locks of one run (see lockset.h).
 */
#define _GNU_SOURCE
#include "engine/lockset.h"

#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "engine/run.h"

#define GUARD_BYTE 0xa5
/* Per-lock wait histograms above this are refused rather than allocated. */
#define HIST_BUDGET ((size_t)1 << 30)

struct lb_lockset {
	const struct lb_lock_ops *ops;
	unsigned n, nthreads;
	size_t stride, log_cap;
	char *states;                  /* n strides: state, then guard bytes */
	struct lb_harness_line *hls;   /* locks 1..: n - 1 lines */
	uint16_t *logs;                /* locks 1..: (n - 1) * log_cap entries */
	char *nodes;                   /* locks 1..: (n - 1) * nthreads nodes */
	size_t node_stride;
	struct lb_thread *views;       /* locks 1..: (n - 1) * nthreads views, lock-major */
	char *hists;                   /* locks 1..: one wait histogram per view; then n merged ones */
	size_t hist_stride;
	struct lb_thread **lk;         /* nthreads tables of n views */
	struct lb_lock_figures *figs;  /* n */
	unsigned initialised;          /* locks whose init returned 0 */
};

static size_t round_up(size_t v, size_t a)
{
	return (v + a - 1) / a * a;
}

static void *zalloc(size_t align, size_t size)
{
	size = round_up(size ? size : 1, align);
	void *p = aligned_alloc(align, size);
	if (p != NULL)
		memset(p, 0, size);
	return p;
}

struct lb_lockset *lb_lockset_new(const struct lb_lock_ops *ops, unsigned n, unsigned nthreads, size_t log_cap,
				  char *err, size_t errlen)
{
	if (n == 0 || n > LB_MAX_RUN_LOCKS) {
		snprintf(err, errlen, "%u locks: a run takes 1 to %u", n, LB_MAX_RUN_LOCKS);
		return NULL;
	}
	size_t hist_stride = round_up(sizeof(struct lb_hist), LB_CACHELINE);
	size_t extra = (size_t)(n - 1) * nthreads;
	if ((extra + n) * hist_stride > HIST_BUDGET) {
		snprintf(err, errlen, "%u threads x %u locks: the per-lock wait histograms would take %zu MiB", nthreads,
			 n, (extra + n) * hist_stride >> 20);
		return NULL;
	}
	struct lb_lockset *ls = calloc(1, sizeof *ls);
	if (ls == NULL)
		goto oom;
	ls->ops = ops;
	ls->n = n;
	ls->nthreads = nthreads;
	size_t align = ops->state_align > LB_CACHELINE ? ops->state_align : LB_CACHELINE;
	/* At least one whole line of guard bytes, and locks two lines apart (adjacent-line prefetch). */
	ls->stride = round_up(ops->state_size + LB_CACHELINE, align > 2 * LB_CACHELINE ? align : 2 * LB_CACHELINE);
	/* Only lock 0's order feeds the short-term figures: the others' logs share its memory budget. */
	size_t cap = log_cap;
	while (cap > 1024 && cap * (n - 1) > log_cap)
		cap /= 2;
	ls->log_cap = cap;
	ls->node_stride = round_up(ops->node_size ? ops->node_size : 1, 2 * LB_CACHELINE);
	ls->hist_stride = hist_stride;
	ls->states = zalloc(align, ls->stride * n);
	ls->hls = zalloc(LB_CACHELINE, sizeof(struct lb_harness_line) * (n - 1));
	ls->logs = zalloc(LB_CACHELINE, sizeof(uint16_t) * ls->log_cap * (n - 1));
	ls->nodes = ops->node_size ? zalloc(2 * LB_CACHELINE, ls->node_stride * extra) : NULL;
	ls->views = zalloc(LB_CACHELINE, sizeof(struct lb_thread) * extra);
	ls->hists = zalloc(LB_CACHELINE, hist_stride * (extra + n));
	ls->lk = calloc((size_t)nthreads * n, sizeof *ls->lk);
	ls->figs = calloc(n, sizeof *ls->figs);
	if (!ls->states || !ls->hls || !ls->logs || (ops->node_size && extra && !ls->nodes) || !ls->views ||
	    !ls->hists || !ls->lk || !ls->figs) {
		lb_lockset_free(ls);
		goto oom;
	}
	for (unsigned k = 0; k < n; k++) {
		char *s = ls->states + ls->stride * k;
		memset(s + ops->state_size, GUARD_BYTE, ls->stride - ops->state_size);
		ls->figs[k].wait = (struct lb_hist *)(ls->hists + hist_stride * (extra + k));
		lb_hist_reset(ls->figs[k].wait);
	}
	return ls;
oom:
	snprintf(err, errlen, "out of memory for %u locks and %u threads", n, nthreads);
	return NULL;
}

void *lb_lockset_state(struct lb_lockset *ls, unsigned k)
{
	return ls->states + ls->stride * k;
}

unsigned lb_lockset_count(const struct lb_lockset *ls)
{
	return ls->n;
}

/* ---- init, in a thread of its own ---- */

struct init_job {
	struct lb_lockset *ls;
	const union lb_value *params;
	unsigned nthreads;
	_Atomic int tid;
	_Atomic int state; /* 0 running, 1 done (rc set) */
	int rc;
	char err[256];
};

static void *init_main(void *p)
{
	struct init_job *j = p;
	atomic_store(&j->tid, (int)gettid());
	struct lb_lockset *ls = j->ls;
	int rc = 0;
	for (unsigned k = 0; k < ls->n && rc == 0; k++) {
		if (ls->ops->init != NULL)
			rc = ls->ops->init(lb_lockset_state(ls, k), j->params, j->nthreads, j->err, sizeof j->err);
		if (rc == 0)
			ls->initialised++;
	}
	j->rc = rc;
	atomic_store(&j->state, 1);
	return NULL;
}

enum lb_init_result lb_lockset_init(struct lb_lockset *ls, const union lb_value *params, unsigned nthreads,
				    int64_t timeout_ns, int *stuck_tid, char *err, size_t errlen)
{
	*stuck_tid = 0;
	/* The job outlives this call when init is stuck: it is left to the thread. */
	struct init_job *j = calloc(1, sizeof *j);
	if (j == NULL) {
		snprintf(err, errlen, "out of memory");
		return LB_INIT_FAILED;
	}
	j->ls = ls;
	j->params = params;
	j->nthreads = nthreads;
	pthread_t th;
	if (pthread_create(&th, NULL, init_main, j) != 0) {
		free(j);
		snprintf(err, errlen, "could not start a thread for init");
		return LB_INIT_FAILED;
	}
	uint64_t deadline = lb_mono_ns() + (uint64_t)timeout_ns;
	while (!atomic_load(&j->state)) {
		if (lb_interrupted || lb_mono_ns() >= deadline) {
			*stuck_tid = atomic_load(&j->tid);
			pthread_detach(th);
			if (lb_interrupted) {
				snprintf(err, errlen, "interrupted while the lock's init ran");
				return LB_INIT_INTERRUPTED;
			}
			snprintf(err, errlen, "%s: init did not return within %.1f s", ls->ops->name, (double)timeout_ns / 1e9);
			return LB_INIT_STUCK;
		}
		struct timespec ts = { 0, 200000 };
		nanosleep(&ts, NULL);
	}
	pthread_join(th, NULL);
	int rc = j->rc;
	if (rc != 0)
		snprintf(err, errlen, "%s: init failed: %s", ls->ops->name, j->err);
	free(j);
	if (rc != 0) {
		lb_lockset_destroy(ls); /* the locks whose init did succeed */
		return LB_INIT_FAILED;
	}
	return LB_INIT_OK;
}

/* ---- views ---- */

void lb_lockset_bind(struct lb_lockset *ls, struct lb_run *r)
{
	unsigned n = ls->n;
	for (unsigned i = 0; i < r->nthreads; i++) {
		struct lb_thread *t = &r->threads[i];
		struct lb_thread **lk = ls->lk + (size_t)i * n;
		lk[0] = t;
		t->lk = lk;
		t->nlocks = n;
		for (unsigned k = 1; k < n; k++) {
			size_t x = (size_t)(k - 1) * ls->nthreads + i;
			struct lb_thread *v = &ls->views[x];
			*v = *t; /* the thread's ids, clock, timeline, hold/hand-off histograms, tally */
			v->lock = lb_lockset_state(ls, k);
			v->node = ls->ops->node_size ? ls->nodes + ls->node_stride * x : NULL;
			v->hl = &ls->hls[k - 1];
			v->order_log = ls->logs + ls->log_cap * (k - 1);
			v->order_mask = ls->log_cap - 1;
			v->wait = (struct lb_hist *)(ls->hists + ls->hist_stride * x);
			lb_hist_reset(v->wait);
			lk[k] = v;
		}
	}
}

void lb_lockset_phase(struct lb_thread *t, uint32_t phase, lb_phase_fn one)
{
	for (unsigned k = 1; k < t->nlocks; k++)
		one(t->lk[k], phase);
}

/* ---- figures ---- */

static void add_lock(struct lb_lock_figures *f, const struct lb_thread *v)
{
	f->acquisitions += v->acquisitions;
	f->violations += v->violations;
	f->timed += v->timed;
	f->sampled += v->sampled;
	f->found_held += v->found_held;
	lb_hist_merge(f->wait, v->wait);
}

static void fold(struct lb_thread *t, const struct lb_thread *v)
{
	t->acquisitions += v->acquisitions;
	t->total += v->total;
	t->timed += v->timed;
	t->violations += v->violations;
	t->release_errors += v->release_errors;
	t->try_failures += v->try_failures;
	t->poll_handoffs += v->poll_handoffs;
	t->sampled += v->sampled;
	t->found_held += v->found_held;
	if (v->max_bypass > t->max_bypass)
		t->max_bypass = v->max_bypass;
	if (v->max_gap_ticks > t->max_gap_ticks) {
		t->max_gap_ticks = v->max_gap_ticks;
		t->max_gap_end = v->max_gap_end;
	}
	lb_hist_merge(t->wait, v->wait);
}

void lb_lockset_collect(struct lb_lockset *ls, struct lb_run *r)
{
	for (unsigned k = 0; k < ls->n; k++)
		for (unsigned i = 0; i < r->nthreads; i++)
			add_lock(&ls->figs[k], r->threads[i].lk[k]);
	for (unsigned i = 0; i < r->nthreads; i++)
		for (unsigned k = 1; k < ls->n; k++)
			fold(&r->threads[i], r->threads[i].lk[k]);
}

const struct lb_lock_figures *lb_lockset_figures(const struct lb_lockset *ls, unsigned k)
{
	return &ls->figs[k];
}

bool lb_lockset_guards_ok(const struct lb_lockset *ls, char *msg, size_t msglen)
{
	size_t size = ls->ops->state_size;
	for (unsigned k = 0; k < ls->n; k++) {
		const unsigned char *s = (const unsigned char *)ls->states + ls->stride * k;
		size_t first = SIZE_MAX, last = 0;
		for (size_t b = size; b < ls->stride; b++)
			if (s[b] != GUARD_BYTE) {
				first = first == SIZE_MAX ? b : first;
				last = b;
			}
		if (first != SIZE_MAX) {
			snprintf(msg, msglen,
				 "%s wrote past its declared state of %zu bytes: lock %u's bytes %zu..%zu changed",
				 ls->ops->name, size, k, first, last);
			return false;
		}
	}
	return true;
}

void lb_lockset_destroy(struct lb_lockset *ls)
{
	if (ls->ops->destroy != NULL)
		for (unsigned k = 0; k < ls->initialised; k++)
			ls->ops->destroy(lb_lockset_state(ls, k));
	ls->initialised = 0;
}

void lb_lockset_free(struct lb_lockset *ls)
{
	if (ls == NULL)
		return;
	free(ls->states);
	free(ls->hls);
	free(ls->logs);
	free(ls->nodes);
	free(ls->views);
	free(ls->hists);
	free(ls->lk);
	free(ls->figs);
	free(ls);
}
