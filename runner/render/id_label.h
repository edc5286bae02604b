/*
 * render/id_label.h — short names for a set of config ids: what tells them
 * apart, for a table or a chart that shows several (compare's rows).
 */
#ifndef LB_ID_LABEL_H
#define LB_ID_LABEL_H

#include <stddef.h>

struct lb_id_labels {
	char **label;     /* per id: its fields that differ between the ids, space-joined; "" if none does */
	size_t n;
	char common[1024]; /* the fields every id shares, space-joined ("" for a single id) */
};

/*
 * The fields of each id (read with the identity codec: the lock variant,
 * the workload, threads=N, pin=P) that differ between the n ids; a single
 * id (or one id given n times) is named by its lock variant. A text that is not an id is one field,
 * itself. One pass over the ids whatever they hold. 0, or -1 out of memory.
 */
int lb_id_labels_make(const char *const *ids, size_t n, struct lb_id_labels *out);
void lb_id_labels_free(struct lb_id_labels *l);

#endif
