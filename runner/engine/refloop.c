/*
 * engine/refloop.c — the reference for `bare`: the same lock, inlined, in the
 * smallest loop that still counts and stops.
 *
 * `bare` (workloads/cs.c) calls a lock through its ops table: two indirect
 * calls per acquisition, and the loop of a workload (lb_running, the
 * counter word the sampler reads). Whether that costs enough to run built-in
 * locks through loops specialised at compile time is a measurement: this
 * loop is one, for the locks whose code is inline (ticket_core.h,
 * mcs_core.h: the very functions locks/ticket.c and locks/mcs.c call) and
 * for pthread (the C library's mutex, called directly). Each thread:
 *
 *	while (phase is unchanged) { acquire; bump the counter line (cs_lines
 *	of them); release; count++ }
 *
 * with the count in a register, published when the phase changes, and the
 * same pinning, warm-up and window as a run. `lockbench selftest overhead`
 * compares bare with it (target: within 5% at one thread).
 */
#define _GNU_SOURCE
#include "engine/refloop.h"

#include <math.h>
#include <pthread.h>
#include <stdalign.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "engine/timer.h"
#include "engine/topo.h"
#include "locks/cpu.h"
#include "locks/mcs_core.h"
#include "locks/ticket_core.h"

enum ref_lock { REF_TICKET, REF_MCS, REF_PTHREAD, REF_NONE };

static enum ref_lock ref_of(const char *name)
{
	if (strcmp(name, "ticket") == 0)
		return REF_TICKET;
	if (strcmp(name, "mcs") == 0)
		return REF_MCS;
	if (strcmp(name, "pthread") == 0)
		return REF_PTHREAD;
	return REF_NONE;
}

bool lb_refloop_has(const char *lock)
{
	return ref_of(lock) != REF_NONE;
}

struct ref_line {
	alignas(LB_CACHELINE) _Atomic uint64_t v;
};

struct ref_shared {
	alignas(LB_CACHELINE) struct lb_ticket ticket;
	alignas(LB_CACHELINE) struct lb_mcs_queue mcs;
	alignas(LB_CACHELINE) pthread_mutex_t mutex;
	alignas(LB_CACHELINE) _Atomic uint32_t phase; /* 0 warm-up, 1 window, 2 stop */
	struct ref_line *lines;
	unsigned nlines;
	const struct lb_topo *topo;
	pthread_barrier_t barrier;
};

struct ref_thread {
	alignas(2 * LB_CACHELINE) struct lb_mcs_node node;
	struct ref_shared *sh;
	int pu;
	uint64_t count0, count1; /* at the window's opening and closing */
	int64_t cpu0, cpu1;      /* the thread's CPU time then, ns; -1 unknown */
};

static int64_t cpu_ns(void)
{
	struct rusage ru;
	if (getrusage(RUSAGE_THREAD, &ru) != 0)
		return -1;
	return ((int64_t)ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000000000 +
	       ((int64_t)ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000;
}

static inline void bump(struct ref_shared *sh)
{
	for (unsigned i = 0; i < sh->nlines; i++)
		atomic_store_explicit(&sh->lines[i].v, atomic_load_explicit(&sh->lines[i].v, memory_order_relaxed) + 1,
				      memory_order_relaxed);
}

/* The loop, once per lock: ACQ and REL are the lock's inline code. */
#define REF_LOOP(ACQ, REL)                                                                            \
	do {                                                                                          \
		uint64_t count = 0;                                                                   \
		uint32_t seen = 0, ph;                                                                \
		for (;;) {                                                                            \
			ph = atomic_load_explicit(&sh->phase, memory_order_relaxed);                  \
			if (__builtin_expect(ph != seen, 0)) {                                        \
				if (ph != 1)                                                          \
					break;                                                        \
				me->count0 = count;                                                   \
				me->cpu0 = cpu_ns();                                                  \
				seen = ph;                                                            \
			}                                                                             \
			ACQ;                                                                          \
			bump(sh);                                                                     \
			REL;                                                                          \
			count++;                                                                      \
		}                                                                                     \
		me->count1 = seen == 1 ? count : me->count0;                                           \
		me->cpu1 = seen == 1 ? cpu_ns() : me->cpu0;                                            \
	} while (0)

/* Pin, then wait for the others, as a run's threads do. */
static void ref_start(struct ref_thread *me)
{
	char err[256];
	if (me->pu >= 0)
		lb_pin_self(me->sh->topo, me->pu, err, sizeof err);
	pthread_barrier_wait(&me->sh->barrier);
}

static void *ref_ticket(void *p)
{
	struct ref_thread *me = p;
	struct ref_shared *sh = me->sh;
	ref_start(me);
	REF_LOOP(
		{
			uint32_t t = lb_ticket_take(&sh->ticket, LB_TICKET_SPIN);
			while (!lb_ticket_turn(&sh->ticket, t, LB_TICKET_SPIN))
				lb_cpu_relax();
		},
		lb_ticket_pass(&sh->ticket, LB_TICKET_SPIN));
	return NULL;
}

static void *ref_mcs(void *p)
{
	struct ref_thread *me = p;
	struct ref_shared *sh = me->sh;
	ref_start(me);
	REF_LOOP(lb_mcs_acquire(&sh->mcs, &me->node, LB_MCS_SPIN, NULL), lb_mcs_release(&sh->mcs, &me->node, LB_MCS_SPIN, NULL));
	return NULL;
}

static void *ref_pthread(void *p)
{
	struct ref_thread *me = p;
	struct ref_shared *sh = me->sh;
	ref_start(me);
	REF_LOOP(pthread_mutex_lock(&sh->mutex), pthread_mutex_unlock(&sh->mutex));
	return NULL;
}

static void sleep_ns(int64_t ns)
{
	struct timespec ts = { (time_t)(ns / 1000000000), (long)(ns % 1000000000) };
	while (clock_nanosleep(CLOCK_MONOTONIC, 0, &ts, &ts) != 0)
		;
}

double lb_refloop_throughput(const char *lock, const void *topo, unsigned n, const int *pus, int64_t warmup_ns,
			     int64_t duration_ns, unsigned cs_lines, bool per_cpu)
{
	enum ref_lock kind = ref_of(lock);
	if (kind == REF_NONE || n == 0)
		return NAN;
	void *(*fn)(void *) = kind == REF_TICKET ? ref_ticket : kind == REF_MCS ? ref_mcs : ref_pthread;
	struct ref_shared *sh = aligned_alloc(LB_CACHELINE, sizeof *sh);
	struct ref_thread *th = aligned_alloc(2 * LB_CACHELINE, sizeof *th * n);
	pthread_t *tids = calloc(n, sizeof *tids);
	struct ref_line *lines = aligned_alloc(LB_CACHELINE, sizeof *lines * (cs_lines ? cs_lines : 1));
	double tp = NAN;
	if (sh == NULL || th == NULL || tids == NULL || lines == NULL)
		goto out;
	memset(sh, 0, sizeof *sh);
	memset(th, 0, sizeof *th * n);
	memset(lines, 0, sizeof *lines * (cs_lines ? cs_lines : 1));
	pthread_mutex_init(&sh->mutex, NULL);
	sh->lines = lines;
	sh->nlines = cs_lines;
	sh->topo = topo;
	pthread_barrier_init(&sh->barrier, NULL, n + 1);
	unsigned started = 0;
	for (; started < n; started++) {
		th[started].sh = sh;
		th[started].pu = pus[started];
		if (pthread_create(&tids[started], NULL, fn, &th[started]) != 0)
			break;
	}
	if (started < n) {
		/* A barrier sized for n + 1 cannot be released: leave it (and them) be. */
		return NAN;
	}
	pthread_barrier_wait(&sh->barrier);
	sleep_ns(warmup_ns);
	uint64_t t0 = lb_mono_ns();
	atomic_store_explicit(&sh->phase, 1, memory_order_relaxed);
	sleep_ns(duration_ns);
	atomic_store_explicit(&sh->phase, 2, memory_order_relaxed);
	uint64_t t1 = lb_mono_ns();
	uint64_t sum = 0;
	int64_t cpu = 0;
	for (unsigned i = 0; i < n; i++) {
		pthread_join(tids[i], NULL);
		sum += th[i].count1 - th[i].count0;
		cpu = cpu >= 0 && th[i].cpu0 >= 0 && th[i].cpu1 >= 0 ? cpu + th[i].cpu1 - th[i].cpu0 : -1;
	}
	pthread_barrier_destroy(&sh->barrier);
	pthread_mutex_destroy(&sh->mutex);
	if (per_cpu)
		tp = cpu > 0 ? (double)sum / ((double)cpu / 1e9) : NAN;
	else
		tp = (double)sum / ((double)(t1 - t0) / 1e9);
out:
	free(lines);
	free(tids);
	free(th);
	free(sh);
	return tp;
}
