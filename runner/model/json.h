/*
 * model/json.h — the result model's storage format, schema "lockbench/1"
 * (results/schema.json). The only place that knows JSON keys of a result.
 *
 * Loading is strict about what it uses and lenient about what it does not:
 * a key of the wrong type, a sample that is not an object, two configs with
 * one id (on one machine: a merged result holds an id once per machine) are
 * an error naming the file and the place ("configs[3].samples[0].status:
 * not a string"); unknown keys are ignored, as the schema promises;
 * an absent key leaves its figure absent (NAN, has_ false, NULL), since
 * older and hand-made results lack groups `run` writes today. A config
 * without "id" gets the identity results were always paired by
 * (lb_identity_legacy; id_built says so, and it is not written back). A
 * sample without "status" is ok.
 *
 * Messages, for the commands that quote them: "FILE: No such file or
 * directory", "FILE: invalid JSON at line N: ...", "FILE: not a lockbench
 * result (no \"schema\")", "FILE: not a lockbench result (schema \"X\",
 * expected \"lockbench/1\")", "FILE: \"configs\" is missing or not an
 * array", "FILE: configs[i]: duplicate id \"...\"" (and " on machine \"M\""
 * in a merged result). Every message is one line.
 *
 * A merged result (lockbench merge) adds context.merged_from, merged_by and
 * machines (each with its own context), configs[].machine, samples[].shard
 * and the document's "missing"; they are read and written here too
 * (json_load_merged.c).
 */
#ifndef LB_MODEL_JSON_H
#define LB_MODEL_JSON_H

#include <stdio.h>

#include "model/model.h"

/* Load a result document. 0 with *out set, or -1 with a one-line reason (err names the file). */
int lb_result_load(const char *path, struct lb_result **out, char *err, size_t errlen);
/* Write r as a JSON document to f, byte for byte what `run` writes (strings that are not UTF-8
 * get their bad bytes written as the text \xNN). 0, or -1. */
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
