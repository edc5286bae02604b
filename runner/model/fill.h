/*
 * model/fill.h — the engine's outcome of one run, and the choices that made
 * a config, into the result model.
 */
#ifndef LB_FILL_H
#define LB_FILL_H

#include "engine/run.h"
#include "model/model.h"

/*
 * A planned config: its id and table label, the lock and workload with every
 * parameter (declared order, typed), the pin plan; status ok, no samples.
 */
void lb_config_fill(struct lb_config *c, const char *id, const char *label, const struct lb_lock_choice *lock,
		    const struct lb_wl_choice *wl, unsigned threads, const char *pin_policy, const int *pus,
		    bool oversubscribed);

/*
 * One repetition's figures from the engine's outcome. Runs the analyses
 * (long-term fairness and starvation, short-term fairness) on the way, so
 * out->fair, out->starved and out->nstarved are filled in too.
 */
void lb_sample_fill(struct lb_sample *s, struct lb_outcome *out, unsigned repetition, int64_t timing_sample_every);

#endif
