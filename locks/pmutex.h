/*
 * locks/pmutex.h — the operations of a lock that is one pthread_mutex_t.
 *
 * pthread.c defines them; pthread-adaptive uses them too, with an init of
 * its own that picks the mutex type. See pthread.c for the semantics.
 */
#ifndef LB_LOCKS_PMUTEX_H
#define LB_LOCKS_PMUTEX_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

struct pmutex_state {
	pthread_mutex_t mutex;
};

void lb_pmutex_destroy(void *state);
void lb_pmutex_acquire(void *state, void *node);
int lb_pmutex_release(void *state, void *node);
bool lb_pmutex_try_acquire(void *state, void *node);
bool lb_pmutex_acquire_until(void *state, void *node, uint64_t deadline_ns);

#endif
