/*
 * engine/pingpong.c — cache-line ping-pong between two pinned threads.
 *
 * Thread A writes an odd value and waits for B to answer with the next even
 * one; B does the reverse. A round trip moves the line twice, so the one-way
 * latency is half a round trip. Batches of round trips are timed, and the
 * median batch is kept: a preempted batch is an outlier, not the answer.
 * Both spin with a bound, so a partner that never runs cannot hang us.
 */
#define _GNU_SOURCE
#include "engine/pingpong.h"

#include <math.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>

#include "engine/timer.h"
#include "engine/topo.h"

enum { ROUNDS = 500, MAX_BATCHES = 64 };

struct pp {
	_Alignas(64) _Atomic uint64_t line;
	_Alignas(64) _Atomic int stop;
	const struct lb_topo *topo;
	int pu;
	int failed;
};

static void cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#endif
}

/* Wait for the line to hold `want`; false if told to stop first. */
static int wait_for(struct pp *p, uint64_t want)
{
	while (atomic_load_explicit(&p->line, memory_order_acquire) != want) {
		if (atomic_load_explicit(&p->stop, memory_order_relaxed))
			return 0;
		cpu_relax();
	}
	return 1;
}

static void *responder(void *arg)
{
	struct pp *p = arg;
	char err[128];
	if (p->pu >= 0 && lb_pin_self(p->topo, p->pu, err, sizeof err) != 0)
		p->failed = 1;
	for (uint64_t v = 1;; v += 2) {
		if (!wait_for(p, v))
			return NULL;
		atomic_store_explicit(&p->line, v + 1, memory_order_release);
	}
}

static int cmp_double(const void *x, const void *y)
{
	double a = *(const double *)x, b = *(const double *)y;
	return (a > b) - (a < b);
}

struct caller {
	struct pp *p;
	int pu;
	uint64_t budget_ns;
	double result;
};

static void *initiator(void *arg)
{
	struct caller *c = arg;
	struct pp *p = c->p;
	char err[128];
	c->result = NAN;
	if (c->pu >= 0 && lb_pin_self(p->topo, c->pu, err, sizeof err) != 0)
		return NULL;
	double batches[MAX_BATCHES];
	int nb = 0;
	uint64_t v = 0, end = lb_mono_ns() + c->budget_ns;
	while (nb < MAX_BATCHES && lb_mono_ns() < end) {
		uint64_t t0 = lb_mono_ns();
		for (int i = 0; i < ROUNDS; i++) {
			atomic_store_explicit(&p->line, v + 1, memory_order_release);
			/* Bounded: the partner may be descheduled for long. */
			uint64_t spins = 0;
			while (atomic_load_explicit(&p->line, memory_order_acquire) != v + 2) {
				cpu_relax();
				if (++spins % 4096 == 0 && lb_mono_ns() > end + c->budget_ns)
					goto out;
			}
			v += 2;
		}
		batches[nb++] = (double)(lb_mono_ns() - t0) / ROUNDS / 2.0;
	}
out:
	if (nb > 0) {
		qsort(batches, (size_t)nb, sizeof batches[0], cmp_double);
		c->result = batches[nb / 2];
	}
	return NULL;
}

double lb_pingpong_ns(const struct lb_topo *topo, int a, int b, uint64_t budget_ns)
{
	if (a >= 0 && a == b)
		return NAN;
	struct pp *p = aligned_alloc(64, sizeof *p);
	if (p == NULL)
		return NAN;
	atomic_init(&p->line, 0);
	atomic_init(&p->stop, 0);
	p->topo = topo;
	p->pu = b;
	p->failed = 0;
	struct caller c = { p, a, budget_ns, NAN };
	pthread_t rt, it;
	if (pthread_create(&rt, NULL, responder, p) != 0) {
		free(p);
		return NAN;
	}
	if (pthread_create(&it, NULL, initiator, &c) == 0)
		pthread_join(it, NULL);
	atomic_store(&p->stop, 1);
	pthread_join(rt, NULL);
	double r = p->failed ? NAN : c.result;
	free(p);
	return r;
}
