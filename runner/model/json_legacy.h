/*
 * model/json_legacy.h — the result document built directly as jansson
 * objects, as `run` did before the typed model (model/model.h). Goes away
 * once the engine fills the model.
 */
#ifndef LB_JSON_LEGACY_H
#define LB_JSON_LEGACY_H

#include <jansson.h>
#include <stdbool.h>

#include "engine/run.h"

#define LB_SCHEMA "lockbench/1"

struct lb_topo;

/* The reproducibility context of this process and machine. */
json_t *lb_context_json(int argc, char **argv, const struct lb_topo *topo);

/* A config's identity and parameters, with an empty "samples" array. */
json_t *lb_config_json(const char *id, const struct lb_lock_choice *lock, const struct lb_wl_choice *wl,
		       unsigned nthreads, const char *pin_policy, const int *pus, bool oversubscribed);

/* One repetition's figures. */
json_t *lb_sample_json(const struct lb_outcome *out, unsigned repetition, int64_t timing_sample_every);

/* {"mean","p50","p90","p99","p999","p9999","max"} in ns, or null if nothing was timed. */
json_t *lb_latency_json(const struct lb_hist *h);

/* [[percentile, ns], ...] on a log-tail axis, or null if nothing was timed. */
json_t *lb_latency_curve_json(const struct lb_hist *h);

/* Add "summary" (median, min, max, 95% CI of the median per headline metric) from "samples". */
void lb_config_summarize_json(json_t *config);

/* Parameters as an object, typed values, declared order. */
json_t *lb_params_json(const struct lb_param *decl, const union lb_value *vals);

/* Write doc to path ("-" = stdout) atomically. 0, or -1 with a reason. */
int lb_json_write_atomic(json_t *doc, const char *path, char *err, size_t errlen);

#endif
