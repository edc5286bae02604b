/*
 * model/faults.c — the optional groups of a sample: per-lock figures, the
 * deadlock found, stuck threads, and how an isolated run's process ended.
 */
#include <stdlib.h>

#include "model/model.h"

void lb_strings_free(char **v, size_t n)
{
	for (size_t i = 0; v != NULL && i < n; i++)
		free(v[i]);
	free(v);
}

void lb_sample_clear_faults(struct lb_sample *s)
{
	free(s->locks);
	s->locks = NULL;
	s->nlocks = 0;
	free(s->deadlock.report);
	free(s->deadlock.threads);
	free(s->deadlock.cycle);
	s->deadlock = (struct lb_deadlock){ 0 };
	for (size_t i = 0; i < s->nstuck; i++) {
		free(s->stuck[i].state);
		free(s->stuck[i].holds);
		lb_strings_free(s->stuck[i].stack, s->stuck[i].nstack);
	}
	free(s->stuck);
	s->stuck = NULL;
	s->nstuck = 0;
	free(s->crash.signal);
	free(s->crash.stage);
	lb_strings_free(s->crash.stack, s->crash.nstack);
	free(s->crash.acquisitions);
	s->crash = (struct lb_crash){ 0 };
}
