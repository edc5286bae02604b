/*
 * render/faults.h — what went wrong in a run, in words, on the terminal: the
 * deadlock report, each stuck thread with its stack, and how an isolated
 * run's process ended. Reads the result model.
 */
#ifndef LB_RENDER_FAULTS_H
#define LB_RENDER_FAULTS_H

#include <stdio.h>

#include "model/model.h"

/* Nothing when s has no deadlock, stuck thread or crash. */
void lb_faults_print(FILE *f, const struct lb_config *c, const struct lb_sample *s);

#endif
