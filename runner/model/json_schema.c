/*
 * model/json_schema.c — the "schema" of a JSON document (model/schema.h).
 */
#include <errno.h>
#include <jansson.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>

#include "model/schema.h"

int lb_json_schema_of(const char *path, char *buf, size_t len, char *err, size_t errlen)
{
	struct stat sb;
	FILE *f = fopen(path, "r");
	if (f == NULL || (fstat(fileno(f), &sb) == 0 && S_ISDIR(sb.st_mode))) {
		snprintf(err, errlen, "%s: cannot read: %s", path, f ? strerror(EISDIR) : strerror(errno));
		if (f)
			fclose(f);
		return -1;
	}
	json_error_t je;
	json_t *doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (doc == NULL) {
		snprintf(err, errlen, "%s: not valid JSON (line %d: %s)", path, je.line, je.text);
		return -1;
	}
	json_t *schema = json_object_get(doc, "schema");
	snprintf(buf, len, "%s", json_is_string(schema) ? json_string_value(schema) : "");
	json_decref(doc);
	return 0;
}
