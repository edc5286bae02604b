/*
 * model/json.h — the result model's storage format, schema "lockbench/1"
 * (results/schema.json). The only place that knows JSON keys of a result.
 *
 * Loading is strict about what it uses and lenient about what it does not:
 * a key of the wrong type, a config without an id, a sample that is not an
 * object is an error naming the file and the place ("configs[3].samples[0].
 * status: not a string"); unknown keys are ignored, as the schema promises.
 */
#ifndef LB_MODEL_JSON_H
#define LB_MODEL_JSON_H

#include <stdio.h>

#include "model/model.h"

/* Load a result document. 0 with *out set, or -1 with a one-line reason (err names the file). */
int lb_result_load(const char *path, struct lb_result **out, char *err, size_t errlen);
/* Write r as a JSON document to f (for lb_output_write). 0, or -1. */
int lb_result_emit(FILE *f, const struct lb_result *r);
/* Write r to path through the atomic writer (model/output.h). 0, or -1 with a reason. */
int lb_result_write(const struct lb_result *r, const char *path, char *err, size_t errlen);

/*
 * One sample as compact JSON text (malloc'd; NULL when out of memory), and
 * back: how an isolated run's process hands its sample to lockbench
 * (engine/isolate.c). 0, or -1 with a one-line reason.
 */
char *lb_sample_to_json(const struct lb_sample *s);
int lb_sample_from_json(const char *text, size_t len, struct lb_sample *out, char *err, size_t errlen);

#endif
