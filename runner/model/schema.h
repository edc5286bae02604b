/*
 * model/schema.h — which kind of document a file is, before loading it:
 * `plot` takes a result (model/json.h) or a verdict (model/verdict.h) and
 * must say which it was given, or that it is neither.
 */
#ifndef LB_MODEL_SCHEMA_H
#define LB_MODEL_SCHEMA_H

#include <stddef.h>

/*
 * The "schema" string of the JSON document at path into buf ("" when the
 * document has none, or it is not a string). 0, or -1 with a one-line reason
 * naming the file: it cannot be read, or it is not JSON.
 */
int lb_json_schema_of(const char *path, char *buf, size_t len, char *err, size_t errlen);

#endif
