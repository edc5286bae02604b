/*
 * render/id_label.c — short names for a set of config ids (id_label.h).
 *
 * Which fields vary is found once for all ids, so the labels cost one pass
 * over the ids whatever their number or what they hold.
 */
#define _GNU_SOURCE
#include "render/id_label.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/identity.h"
#include "render/plot_int.h"

#define NFIELDS 4

/* The fields of one row's config id; a text that is not an id is one field, itself. */
struct row_fields {
	char *field[NFIELDS];
	size_t n;
};

static int split_row(const char *config, struct row_fields *rf)
{
	static struct lb_identity id; /* 5 KiB: not on the stack */
	static char lock[PLOT_KEY_MAX], wl[PLOT_KEY_MAX];
	char buf[sizeof id.pin + 8], why[128];
	memset(rf, 0, sizeof *rf);
	if (config == NULL || lb_identity_parse(config, &id, why, sizeof why) != 0) {
		rf->field[0] = strdup(config ? config : "");
		rf->n = 1;
		return rf->field[0] ? 0 : -1;
	}
	plot_identity_keys(&id, lock, wl, sizeof lock);
	rf->field[0] = strdup(lock);
	rf->field[1] = strdup(wl);
	snprintf(buf, sizeof buf, "threads=%u", id.threads);
	rf->field[2] = strdup(buf);
	snprintf(buf, sizeof buf, "pin=%s", id.pin);
	rf->field[3] = strdup(buf);
	rf->n = NFIELDS;
	for (size_t k = 0; k < NFIELDS; k++)
		if (rf->field[k] == NULL)
			return -1;
	return 0;
}

static void free_fields(struct row_fields *rf, size_t nrows)
{
	for (size_t r = 0; rf && r < nrows; r++)
		for (size_t k = 0; k < NFIELDS; k++)
			free(rf[r].field[k]);
	free(rf);
}

/* varies[k]: whether field k differs between rows (a row without it counts as differing). */
static void find_varying(const struct row_fields *rf, size_t nrows, bool *varies)
{
	for (size_t k = 0; k < NFIELDS; k++) {
		varies[k] = nrows == 0 || k >= rf[0].n;
		for (size_t r = 1; r < nrows && !varies[k]; r++)
			varies[k] = k >= rf[r].n || strcmp(rf[r].field[k], rf[0].field[k]) != 0;
	}
}

int lb_id_labels_make(const char *const *ids, size_t n, struct lb_id_labels *out)
{
	struct row_fields *rf = plot_alloc_n(n, sizeof *rf);
	bool varies[NFIELDS];
	*out = (struct lb_id_labels){ .label = plot_alloc_n(n, sizeof *out->label) };
	if (rf == NULL || out->label == NULL)
		goto oom;
	for (size_t r = 0; r < n; r++)
		if (split_row(ids[r], &rf[r]) != 0)
			goto oom;
	find_varying(rf, n, varies);
	/* One id, or the same one n times (a verdict of one config): named by its lock variant. */
	bool any = false;
	for (size_t k = 0; k < NFIELDS; k++)
		any |= varies[k];
	for (size_t r = 0; r < n; r++) {
		char buf[2048] = "";
		for (size_t k = 0; k < rf[r].n; k++)
			if (varies[k] || (k == 0 && (n == 1 || !any)))
				plot_append(buf, sizeof buf, "%s%s", buf[0] ? " " : "", rf[r].field[k]);
		if ((out->label[r] = strdup(buf)) == NULL)
			goto oom;
		out->n = r + 1;
	}
	for (size_t k = 0; n > 1 && k < rf[0].n; k++)
		if (!varies[k])
			plot_append(out->common, sizeof out->common, "%s%s", out->common[0] ? " " : "", rf[0].field[k]);
	free_fields(rf, n);
	return 0;
oom:
	free_fields(rf, n);
	lb_id_labels_free(out);
	return -1;
}

void lb_id_labels_free(struct lb_id_labels *l)
{
	for (size_t i = 0; i < l->n; i++)
		free(l->label[i]);
	free(l->label);
	l->label = NULL;
	l->n = 0;
}
