/*
 * engine/settle.c — what a run leaves once its threads are out: each
 * thread's counts read from its progress word and window snapshots, the
 * timelines closed, the order logs merged into one acquisition order, the
 * histograms and counts summed, the lock's counters of the window, the
 * workload's verify() and figures, and from all that the run's status and
 * message. engine/run.c runs the threads; this turns what they left into
 * the outcome (engine/run.h), the same whichever way the run ended.
 */
#include "engine/settle.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/deadlock.h"
#include "engine/orderlog.h"
#include "engine/workload.h"

/*
 * A thread's (or a view's) counts for the rest of the engine: acquisitions
 * since start from its progress word, and in the window from the snapshots
 * it took when it saw the window open and close. A thread still inside when
 * the figures are read (a deadlock) has its window end now.
 */
static void settle_counts(struct lb_thread *t)
{
	t->total = lb_progress_count(atomic_load_explicit(&t->progress, memory_order_relaxed));
	if (t->seen_phase != LB_PHASE_MEASURE && t->window_t1 == 0)
		t->win.total0 = t->win.total1 = t->total; /* never saw the window */
	else if (t->window_t1 == 0)
		t->win.total1 = t->total;
	t->acquisitions = t->win.total1 - t->win.total0;
}

/* Every thread's and view's counts, the timeline and gaps, then the order of lock 0. */
void lb_settle(struct lb_outcome *out, struct lb_sampler *sampler, bool sampled, uint64_t seq_start,
	       uint64_t seq_end, size_t cap)
{
	struct lb_run *r = &out->run;
	for (unsigned i = 0; i < r->nthreads; i++)
		for (unsigned k = 0; k < r->threads[i].nlocks; k++)
			settle_counts(r->threads[i].lk[k]);
	if (sampled)
		lb_sampler_close(sampler);
	/* A workload that never stamps (bare counts with lb_count) logs nothing to merge. */
	out->instrumented = lb_hl_seq(atomic_load_explicit(&r->hl->word, memory_order_relaxed)) != 0;
	struct lb_order ord;
	if (!out->instrumented) {
		out->order = calloc(1, sizeof *out->order);
	} else if (lb_orderlog_merge(r->threads, r->nthreads, seq_start, seq_end, cap, &ord) == 0) {
		out->order = ord.order;
		out->norder = ord.n;
		out->order_conflicts = ord.conflicts;
	}
}

/*
 * The counters of the measured window: the final values less those read
 * when it opened (LB_CAP_LIVE_COUNTERS), matched by position and name.
 * False, changing nothing, if the two lists do not match or a count went
 * down: then the counters stay those of the whole run.
 */
static bool counters_since(struct lb_counter *now, size_t n, const struct lb_counter *start, size_t nstart)
{
	if (n != nstart)
		return false;
	for (size_t i = 0; i < n; i++)
		if (now[i].name == NULL || start[i].name == NULL || strcmp(now[i].name, start[i].name) != 0 ||
		    now[i].value < start[i].value)
			return false;
	for (size_t i = 0; i < n; i++)
		now[i].value -= start[i].value;
	return true;
}

/* Each thread's figures into the run's; its order conflicts are violations too. */
void lb_settle_figures(struct lb_outcome *out)
{
	struct lb_run *r = &out->run;
	for (unsigned i = 0; i < r->nthreads; i++) {
		struct lb_thread *t = &r->threads[i];
		out->acquisitions += t->acquisitions;
		out->violations += t->violations;
		out->release_errors += t->release_errors;
		if (t->timed == 0)
			continue; /* its histograms were never touched: leave their pages alone */
		lb_hist_merge(out->wait, t->wait);
		lb_hist_merge(out->hold, t->hold);
		lb_hist_merge(out->handoff, t->handoff);
		for (int k = 0; k < LB_NROLES; k++)
			lb_hist_merge(out->role[k].wait, t->role[k].wait);
	}
	out->violations += out->order_conflicts;
}

/*
 * The status is the first that applies: deadlock, interrupted, pinning
 * failed, failed (violations, verify, release errors); else ok, with a
 * note when nothing was acquired or the negative control was caught.
 */
void lb_settle_verify(struct lb_outcome *out, bool completed, const struct lb_counter *at_start, size_t nstart,
		      const char *pin_err)
{
	struct lb_run *r = &out->run;
	const struct lb_lock_ops *ops = r->ops;
	const struct lb_deadlock_found *dead = out->deadlock;
	if (ops->counters)
		out->ncounters = ops->counters(r->lock, out->counters, sizeof out->counters / sizeof out->counters[0]);
	out->counters_window = at_start != NULL && counters_since(out->counters, out->ncounters, at_start, nstart);

	char vmsg[256] = "";
	out->verify_failures = r->wl->verify ? r->wl->verify(r, vmsg, sizeof vmsg) : 0;
	if (r->wl->figures)
		out->nfigures = r->wl->figures(r, out->duration_s, out->figures,
					       sizeof out->figures / sizeof out->figures[0]);
	bool excludes = !(ops->caps & LB_CAP_NO_EXCLUSION);
	if (dead != NULL) {
		/* Its threads all left (a stop ended the waits): still a deadlock, whatever verify said. */
		out->status = LB_STATUS_DEADLOCK;
		snprintf(out->message, sizeof out->message, "%.500s", dead->report);
	} else if (!completed) {
		out->status = LB_STATUS_INTERRUPTED;
		snprintf(out->message, sizeof out->message, "interrupted");
	} else if (pin_err != NULL) {
		out->status = LB_STATUS_ERROR;
		snprintf(out->message, sizeof out->message, "pinning failed: %s", pin_err);
	} else if (excludes && (out->violations || out->verify_failures)) {
		out->status = LB_STATUS_FAILED;
		if (out->violations)
			snprintf(out->message, sizeof out->message, "%" PRIu64 " mutual-exclusion violations%s%s",
				 out->violations, vmsg[0] ? "; " : "", vmsg);
		else
			snprintf(out->message, sizeof out->message, "%s", vmsg);
	} else if (out->release_errors) {
		out->status = LB_STATUS_FAILED;
		snprintf(out->message, sizeof out->message, "%" PRIu64 " releases by a thread not holding the lock",
			 out->release_errors);
	} else if (out->acquisitions == 0 && r->nthreads > 0) {
		/* Not a correctness failure, but no figure of this run means anything. */
		snprintf(out->message, sizeof out->message,
			 "no acquisition in the measured window: the lock or the machine stalled every thread");
	} else if (!excludes && (out->violations || out->verify_failures)) {
		/* The negative control did what it is for: say so, but it is no failure. */
		snprintf(out->message, sizeof out->message, "expected: %" PRIu64 " violations caught%s%s",
			 out->violations, vmsg[0] ? "; " : "", vmsg);
	}
}
