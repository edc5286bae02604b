/*
 * render/faults.c — deadlock reports, stuck-thread dumps and crashes as text.
 *
 *   deadlock: lockorder under pthread, 2 threads, rep 1, found 0.10 s into the run
 *     thread 0 holds lock 1, waits for lock 0 held by thread 1, which waits for lock 1
 *   thread 0 (tid 4711, pu 0, asleep, 0 ms CPU): waits for lock 0 held by thread 1; holds lock 1
 *     #0 __GI___lll_lock_wait (nptl/futex-internal.h:146)
 *     ...
 */
#include "render/faults.h"

#include <inttypes.h>
#include <math.h>

#include "render/format.h"

static void stack_print(FILE *f, char *const *stack, size_t n)
{
	char line[512];
	for (size_t i = 0; i < n; i++)
		fprintf(f, "    #%zu %s\n", i, lb_one_line(stack[i], line, sizeof line));
	if (n == 0)
		fprintf(f, "    (no stack: the thread did not answer)\n");
}

static void stuck_print(FILE *f, const struct lb_stuck_thread *t, bool in_init)
{
	static const char *const kinds[] = { "", "lock", "lock (timed)", "condition" };
	char cpu[32] = "? ms CPU";
	if (t->cpu_ns >= 0)
		snprintf(cpu, sizeof cpu, "%.0f ms CPU", (double)t->cpu_ns / 1e6);
	if (in_init)
		fprintf(f, "  the lock's init (tid %d, %s, %s):", t->tid, t->state ? t->state : "?", cpu);
	else
		fprintf(f, "  thread %u (tid %d, pu %d, %s, %s):", t->id, t->tid, t->pu, t->state ? t->state : "?", cpu);
	if (t->waits_kind > 0 && t->waits_kind <= 3) {
		fprintf(f, " waits for %s %u", kinds[t->waits_kind], t->waits_index);
		if (t->holder >= 0)
			fprintf(f, " %s thread %d", t->waits_kind == 3 ? "signalled by" : "held by", t->holder);
		else
			fprintf(f, " (held by nobody)");
	}
	for (size_t i = 0; i < t->nholds; i++)
		fprintf(f, "%s%u", i == 0 ? "; holds lock " : ", ", t->holds[i]);
	fputc('\n', f);
	stack_print(f, t->stack, t->nstack);
}

void lb_faults_print(FILE *f, const struct lb_config *c, const struct lb_sample *s)
{
	if (!s->deadlock.present && s->nstuck == 0 && !s->crash.present)
		return;
	char label[256], line[1100];
	fprintf(f, "%s: %s under %s, %u threads, rep %u", lb_result_status_name(s->status),
		c->workload_name ? c->workload_name : "?", lb_one_line(c->label ? c->label : c->lock_name, label, sizeof label),
		c->threads, s->repetition + 1);
	if (s->deadlock.present && isfinite(s->deadlock.after_s))
		fprintf(f, ", found %.2f s into the run", s->deadlock.after_s);
	fputc('\n', f);
	if (s->deadlock.present)
		fprintf(f, "  %s\n", lb_one_line(s->deadlock.report, line, sizeof line));
	if (s->crash.present) {
		const struct lb_crash *k = &s->crash;
		if (k->signal != NULL)
			fprintf(f, "  killed by %s during %s", k->signal, k->stage ? k->stage : "?");
		else
			fprintf(f, "  exited with status %d during %s", k->exit_status, k->stage ? k->stage : "?");
		uint64_t sum = 0;
		for (size_t i = 0; i < k->nthreads; i++)
			sum += k->acquisitions[i];
		fprintf(f, " after %" PRIu64 " acquisitions by %zu threads\n", sum, k->nthreads);
		stack_print(f, k->stack, k->nstack);
	}
	for (size_t i = 0; i < s->nstuck; i++)
		stuck_print(f, &s->stuck[i], s->stuck[i].in_init);
	fflush(f);
}
