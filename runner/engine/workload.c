/*
 * engine/workload.c — the harness's side of a workload: capability check,
 * memory, messages and the sums verify() needs (see workload.h).
 */
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "engine/workload.h"

/*
 * Every lb_wl_alloc block is preceded by one cache line holding the link
 * to the previous block, so the run's blocks form a list freed in one go.
 */
struct wl_block {
	void *next;
};

static size_t round_up(size_t n, size_t to)
{
	return (n + to - 1) / to * to;
}

void *lb_wl_alloc(struct lb_run *run, size_t n, size_t size)
{
	if (size != 0 && n > (SIZE_MAX - 2 * LB_CACHELINE) / size)
		return NULL;
	size_t bytes = LB_CACHELINE + round_up(n * size, LB_CACHELINE);
	char *p = aligned_alloc(LB_CACHELINE, bytes);
	if (p == NULL)
		return NULL;
	memset(p, 0, bytes);
	((struct wl_block *)p)->next = run->wl_mem;
	run->wl_mem = p;
	return p + LB_CACHELINE;
}

static void vformat(const struct lb_run *run, char *buf, size_t len, const char *fmt, va_list ap)
{
	int n = snprintf(buf, len, "%s: ", run->wl->name);
	if (n >= 0 && (size_t)n < len)
		vsnprintf(buf + n, len - (size_t)n, fmt, ap);
}

int lb_setup_fail(const struct lb_run *run, char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(run, err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

unsigned lb_verify_fail(const struct lb_run *run, char *msg, size_t msglen, const char *fmt, ...)
{
	va_list ap;
	va_start(ap, fmt);
	vformat(run, msg, msglen, fmt, ap);
	va_end(ap);
	return 1;
}

uint64_t lb_total(const struct lb_run *run)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < run->nthreads; i++)
		sum += run->threads[i].total;
	return sum;
}

static uint64_t field(const struct lb_run *run, unsigned i, size_t offset)
{
	uint64_t v;
	memcpy(&v, (const char *)run->threads[i].tally + offset, sizeof v);
	return v;
}

uint64_t lb__tally_sum(const struct lb_run *run, size_t offset)
{
	uint64_t sum = 0;
	for (unsigned i = 0; i < run->nthreads; i++)
		sum += field(run, i, offset);
	return sum;
}

uint64_t lb__tally_max(const struct lb_run *run, size_t offset)
{
	uint64_t max = 0;
	for (unsigned i = 0; i < run->nthreads; i++)
		if (field(run, i, offset) > max)
			max = field(run, i, offset);
	return max;
}

uint64_t lb_verify_count(const struct lb_run *run, uint64_t counter, uint64_t counted, const char *what, char *msg,
			 size_t msglen)
{
	if (counter == counted)
		return 0;
	uint64_t lost = counted > counter ? counted - counter : counter - counted;
	lb_verify_fail(run, msg, msglen, "shared counter %" PRIu64 " != %" PRIu64 " %s (%" PRIu64 " lost)", counter,
		       counted, what, lost);
	return lost;
}

/* What a lock without the capability lacks, as the refusal says it. */
static const struct {
	uint32_t bit;
	const char *name, *lacks;
} cap_names[] = {
	{ LB_CAP_FIFO, "fifo", "does not grant in arrival order" },
	{ LB_CAP_SPINS, "spins", "does not spin" },
	{ LB_CAP_SLEEPS, "sleeps", "does not sleep" },
	{ LB_CAP_TRY, "try", "has no try-acquire" },
	{ LB_CAP_TIMED, "timed", "has no timed acquire" },
	{ LB_CAP_POLL, "poll", "has no poll hook" },
	{ LB_CAP_REENTRANT, "reentrant", "is not reentrant: its owner would deadlock taking it again" },
	{ LB_CAP_NO_EXCLUSION, "no-exclusion", "excludes" },
};

/*
 * `lockbench run` refuses such a pair before anything runs; this is for
 * every other caller of lb_run_config. A capability without its hook
 * (try without try_acquire) counts as missing: the wrapper would call NULL.
 */
static int check_caps(const struct lb_run *run, char *err, size_t errlen)
{
	const struct lb_lock_ops *ops = run->ops;
	uint32_t have = ops->caps;
	if (ops->try_acquire == NULL)
		have &= ~(uint32_t)LB_CAP_TRY;
	if (ops->acquire_until == NULL)
		have &= ~(uint32_t)LB_CAP_TIMED;
	uint32_t missing = run->wl->needs_caps & ~have;
	for (size_t i = 0; i < sizeof cap_names / sizeof cap_names[0]; i++)
		if (missing & cap_names[i].bit)
			return lb_setup_fail(run, err, errlen, "lock %s %s (capability \"%s\")", ops->name,
					     cap_names[i].lacks, cap_names[i].name);
	return missing ? lb_setup_fail(run, err, errlen, "lock %s lacks capability bits 0x%x", ops->name, missing) : 0;
}

int lb_workload_setup(struct lb_run *run, char *err, size_t errlen)
{
	const struct lb_workload *wl = run->wl;
	run->wl_state = NULL;
	run->wl_mem = NULL;
	if (check_caps(run, err, errlen) != 0)
		return -1;
	if (wl->check != NULL && wl->check(run->wl_params, run->nthreads, err, errlen) != 0)
		return -1;
	if (wl->state_size != 0 && (run->wl_state = lb_wl_alloc(run, 1, wl->state_size)) == NULL)
		return lb_setup_fail(run, err, errlen, "out of memory");
	if (wl->tally_size != 0) {
		size_t stride = round_up(wl->tally_size, LB_CACHELINE);
		char *tallies = lb_wl_alloc(run, run->nthreads, stride);
		if (tallies == NULL) {
			lb_workload_teardown(run);
			return lb_setup_fail(run, err, errlen, "out of memory");
		}
		for (unsigned i = 0; i < run->nthreads; i++)
			run->threads[i].tally = tallies + stride * i;
	}
	if (wl->setup != NULL && wl->setup(run, err, errlen) != 0) {
		lb_workload_teardown(run);
		return -1;
	}
	return 0;
}

void lb_workload_teardown(struct lb_run *run)
{
	void *p = run->wl_mem;
	while (p != NULL) {
		void *next = ((struct wl_block *)p)->next;
		free(p);
		p = next;
	}
	run->wl_mem = NULL;
	run->wl_state = NULL;
	for (unsigned i = 0; run->threads != NULL && i < run->nthreads; i++)
		run->threads[i].tally = NULL;
}
