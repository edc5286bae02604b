/*
 * engine/deadlock.c — the deadlock watchdog (see deadlock.h).
 */
#define _GNU_SOURCE
#include "engine/deadlock.h"

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "engine/multilock.h"
#include "engine/timer.h"

struct lb_deadlock_watch {
	struct lb_run *r;
	int64_t period_ns;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stopping;
	_Atomic size_t nstuck;
	struct lb_deadlock_found *found;
};

/* Whether thread i's wait can only be ended by candidates (so i stays one). */
static bool stays(unsigned i, unsigned nthreads, unsigned nlocks, const uint64_t *now, const uint8_t *held_prev,
		  const uint8_t *held_now, const uint32_t *signals, const bool *cand, int *next)
{
	unsigned kind = lb_wait_kind_of(now[i]), index = lb_wait_index_of(now[i]);
	*next = -1;
	for (unsigned j = 0; j < nthreads; j++) {
		bool ends_it = kind == LB_WAIT_COND ? signals[j] == index + 1
						    : index < nlocks && held_prev[j * nlocks + index] &&
							      held_now[j * nlocks + index];
		if (!ends_it)
			continue;
		if (!cand[j])
			return false;
		if (*next < 0)
			*next = (int)j;
	}
	return *next >= 0; /* nobody holds it / nobody signals it: not a cycle */
}

static void describe(struct lb_deadlock_found *d)
{
	char *p = d->report;
	size_t left = sizeof d->report;
#define ADD(...)                                                              \
	do {                                                                  \
		int w_ = snprintf(p, left, __VA_ARGS__);                      \
		if (w_ > 0 && (size_t)w_ < left) {                            \
			p += w_;                                              \
			left -= (size_t)w_;                                   \
		}                                                             \
	} while (0)
	size_t m = d->ncycle;
	if (m == 1 && !d->cycle[0].condition) {
		ADD("thread %u holds lock %u and waits for it again: a lock that is not reentrant, taken twice by its owner",
		    d->cycle[0].thread, d->cycle[0].index);
	} else {
		ADD("thread %u", d->cycle[0].thread);
		if (d->cycle[m - 1].condition)
			ADD(" (the one to signal condition %u)", d->cycle[m - 1].index);
		else
			ADD(" holds lock %u", d->cycle[m - 1].index);
		for (size_t j = 0; j < m; j++) {
			bool c = d->cycle[j].condition;
			ADD("%s %s %u", j == 0 ? "," : ", which", c ? "waits on condition" : "waits for lock",
			    d->cycle[j].index);
			if (j + 1 < m)
				ADD(" %s thread %u", c ? "signalled by" : "held by", d->cycle[j].next);
		}
	}
	if (d->nthreads > m) {
		ADD("; stuck behind them:");
		for (size_t i = 0; i < d->nthreads; i++) {
			bool in_cycle = false;
			for (size_t j = 0; j < m; j++)
				in_cycle |= d->cycle[j].thread == d->threads[i];
			if (!in_cycle)
				ADD(" thread %u", d->threads[i]);
		}
	}
#undef ADD
}

size_t lb_deadlock_analyse(unsigned nthreads, unsigned nlocks, const uint64_t *prev, const uint64_t *now,
			   const uint8_t *held_prev, const uint8_t *held_now, const uint32_t *signals,
			   const bool *finished, struct lb_deadlock_found *d)
{
	bool *cand = calloc(nthreads ? nthreads : 1, sizeof *cand);
	int *next = calloc(nthreads ? nthreads : 1, sizeof *next);
	size_t n = 0;
	if (cand == NULL || next == NULL)
		goto out;
	for (unsigned i = 0; i < nthreads; i++) {
		unsigned kind = lb_wait_kind_of(now[i]);
		cand[i] = !finished[i] && now[i] == prev[i] && (kind == LB_WAIT_LOCK || kind == LB_WAIT_COND);
	}
	for (bool changed = true; changed;) {
		changed = false;
		for (unsigned i = 0; i < nthreads; i++)
			if (cand[i] && !stays(i, nthreads, nlocks, now, held_prev, held_now, signals, cand, &next[i])) {
				cand[i] = false;
				changed = true;
			}
	}
	for (unsigned i = 0; i < nthreads; i++)
		n += cand[i];
	if (n == 0)
		goto out;
	d->threads = calloc(n, sizeof *d->threads);
	d->nthreads = 0;
	for (unsigned i = 0; d->threads != NULL && i < nthreads; i++)
		if (cand[i])
			d->threads[d->nthreads++] = i;
	/* Follow the first waited-for thread from the first stuck one until a thread repeats: a cycle. */
	unsigned *order = calloc(nthreads, sizeof *order), len = 0;
	int *seen_at = malloc(nthreads * sizeof *seen_at);
	if (order != NULL && seen_at != NULL) {
		for (unsigned i = 0; i < nthreads; i++)
			seen_at[i] = -1;
		unsigned t = d->threads != NULL ? d->threads[0] : 0;
		while (seen_at[t] < 0) {
			seen_at[t] = (int)len;
			order[len++] = t;
			t = (unsigned)next[t];
		}
		d->ncycle = 0;
		for (unsigned j = (unsigned)seen_at[t]; j < len && d->ncycle < LB_CYCLE_MAX; j++) {
			unsigned u = order[j];
			d->cycle[d->ncycle].thread = u;
			d->cycle[d->ncycle].condition = lb_wait_kind_of(now[u]) == LB_WAIT_COND;
			d->cycle[d->ncycle].index = lb_wait_index_of(now[u]);
			d->cycle[d->ncycle].next = (unsigned)next[u];
			d->ncycle++;
		}
		describe(d);
	}
	free(order);
	free(seen_at);
out:
	free(cand);
	free(next);
	return n;
}

struct snapshot {
	uint64_t *wait;
	uint8_t *held;
	uint32_t *signals;
	bool *finished;
};

static void take(const struct lb_run *r, struct snapshot *s)
{
	/* Once stopping, the workload's stop hook wakes its condition waits: they end by themselves. */
	bool conds_end = r->wl->stop != NULL &&
			 atomic_load_explicit(&r->clock->phase, memory_order_relaxed) == LB_PHASE_STOP;
	for (unsigned i = 0; i < r->nthreads; i++) {
		const struct lb_thread *t = &r->threads[i];
		/* Acquire: pairs with lb_wait_begin's release, so a stuck thread's figures can be read. */
		s->wait[i] = atomic_load_explicit(&t->waiting, memory_order_acquire);
		if (conds_end && lb_wait_kind_of(s->wait[i]) == LB_WAIT_COND)
			s->wait[i] = lb_wait_word(s->wait[i] >> 16, LB_WAIT_NONE, 0);
		s->signals[i] = atomic_load_explicit(&t->signals, memory_order_relaxed);
		s->finished[i] = atomic_load(&t->finished);
		for (unsigned k = 0; k < r->nlocks; k++)
			s->held[(size_t)i * r->nlocks + k] = atomic_load_explicit(&t->lk[k]->held, memory_order_relaxed);
	}
}

static bool snapshot_alloc(struct snapshot *s, unsigned n, unsigned nlocks)
{
	s->wait = calloc(n, sizeof *s->wait);
	s->held = calloc((size_t)n * nlocks, 1);
	s->signals = calloc(n, sizeof *s->signals);
	s->finished = calloc(n, sizeof *s->finished);
	return s->wait && s->held && s->signals && s->finished;
}

static void snapshot_free(struct snapshot *s)
{
	free(s->wait);
	free(s->held);
	free(s->signals);
	free(s->finished);
}

/* Sleep period_ns unless stopped; false once stopping. */
static bool nap(struct lb_deadlock_watch *w)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	uint64_t until = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + (uint64_t)w->period_ns;
	ts.tv_sec = (time_t)(until / 1000000000u);
	ts.tv_nsec = (long)(until % 1000000000u);
	pthread_mutex_lock(&w->mu);
	while (!w->stopping && pthread_cond_timedwait(&w->cv, &w->mu, &ts) == 0)
		;
	bool go_on = !w->stopping;
	pthread_mutex_unlock(&w->mu);
	return go_on;
}

static void *watch_main(void *p)
{
	struct lb_deadlock_watch *w = p;
	struct lb_run *r = w->r;
	struct snapshot a, b;
	bool ok = snapshot_alloc(&a, r->nthreads, r->nlocks) & snapshot_alloc(&b, r->nthreads, r->nlocks);
	struct snapshot *prev = &a, *now = &b;
	if (ok)
		take(r, prev);
	while (ok && nap(w)) {
		take(r, now);
		struct lb_deadlock_found *d = calloc(1, sizeof *d);
		if (d == NULL)
			break;
		size_t n = lb_deadlock_analyse(r->nthreads, r->nlocks, prev->wait, now->wait, prev->held, now->held,
					       now->signals, now->finished, d);
		/*
		 * Found, or found more: threads that block later behind the stuck ones
		 * are stuck for good too, and the run must not wait for them.
		 */
		if (n > atomic_load(&w->nstuck)) {
			d->at_ns = w->found != NULL ? w->found->at_ns : lb_mono_ns();
			/*
			 * Their stacks now, while they are stuck (a stop may yet free some: a
			 * condition wait); the names after the stop, which takes a while.
			 */
			d->stuck = lb_stuck_describe(r, d->threads, d->nthreads);
			d->nstuck = d->stuck != NULL ? d->nthreads : 0;
			lb_deadlock_found_free(w->found);
			w->found = d;
			atomic_store(&w->nstuck, n);
			atomic_store_explicit(&r->clock->phase, LB_PHASE_STOP, memory_order_relaxed);
			lb_stuck_symbolise(d->stuck, d->nstuck);
		} else {
			lb_deadlock_found_free(d);
		}
		struct snapshot *t = prev;
		prev = now;
		now = t;
	}
	snapshot_free(&a);
	snapshot_free(&b);
	return NULL;
}

struct lb_deadlock_watch *lb_deadlock_watch_start(struct lb_run *r, int64_t period_ns)
{
	struct lb_deadlock_watch *w = calloc(1, sizeof *w);
	if (w == NULL)
		return NULL;
	w->r = r;
	w->period_ns = period_ns;
	pthread_mutex_init(&w->mu, NULL);
	pthread_condattr_t ca;
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&w->cv, &ca);
	pthread_condattr_destroy(&ca);
	if (pthread_create(&w->th, NULL, watch_main, w) != 0) {
		pthread_cond_destroy(&w->cv);
		pthread_mutex_destroy(&w->mu);
		free(w);
		return NULL;
	}
	return w;
}

size_t lb_deadlock_watch_stuck(struct lb_deadlock_watch *w)
{
	return w != NULL ? atomic_load(&w->nstuck) : 0;
}

struct lb_deadlock_found *lb_deadlock_watch_stop(struct lb_deadlock_watch *w)
{
	if (w == NULL)
		return NULL;
	pthread_mutex_lock(&w->mu);
	w->stopping = true;
	pthread_cond_signal(&w->cv);
	pthread_mutex_unlock(&w->mu);
	pthread_join(w->th, NULL);
	struct lb_deadlock_found *d = w->found;
	pthread_cond_destroy(&w->cv);
	pthread_mutex_destroy(&w->mu);
	free(w);
	return d;
}

void lb_deadlock_found_free(struct lb_deadlock_found *d)
{
	if (d == NULL)
		return;
	free(d->threads);
	lb_stuck_free(d->stuck, d->nstuck);
	free(d);
}
