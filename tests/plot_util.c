/*
 * plot_util.c — helpers of the plot tests (plot_util.h).
 */
#define _GNU_SOURCE
#include "plot_util.h"

#include <criterion/criterion.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void use_repo_scripts(void)
{
	setenv("LOCKBENCH_PLOTS_DIR", "plots", 1);
}

char *slurp(const char *path)
{
	FILE *f = fopen(path, "rb");
	if (f == NULL)
		return NULL;
	fseek(f, 0, SEEK_END);
	long n = ftell(f);
	rewind(f);
	char *buf = calloc(1, (size_t)n + 1);
	size_t got = fread(buf, 1, (size_t)n, f);
	fclose(f);
	buf[got] = '\0';
	return buf;
}

char *path_in(const char *dir, const char *name)
{
	char *p;
	cr_assert(asprintf(&p, "%s/%s", dir, name) > 0);
	return p;
}

bool exists(const char *dir, const char *name)
{
	char *p = path_in(dir, name);
	bool yes = access(p, F_OK) == 0;
	free(p);
	return yes;
}

struct cli_result *plot(const char *const *args)
{
	struct cli_result *r = calloc(1, sizeof *r);
	cli_run(r, args);
	return r;
}

int plot_status(const char *const *args)
{
	struct cli_result *r = plot(args);
	int status = r->status;
	if (status != 0)
		fprintf(stderr, "%s", r->err);
	free(r);
	return status;
}

char *slurp_in(const char *dir, const char *name)
{
	char *p = path_in(dir, name), *text = slurp(p);
	free(p);
	return text;
}

char *variant(void (*edit)(json_t *doc))
{
	return variant_of(FX "result.json", edit);
}

char *variant_of(const char *fixture, void (*edit)(json_t *doc))
{
	json_error_t je;
	json_t *doc = json_load_file(fixture, 0, &je);
	cr_assert_not_null(doc, "%s", je.text);
	edit(doc);
	char *dir = cli_tmpdir(), *path = path_in(dir, "variant.json");
	cr_assert_eq(json_dump_file(doc, path, JSON_INDENT(1)), 0);
	json_decref(doc);
	free(dir);
	return path;
}

json_t *config_of(json_t *doc, const char *lock, int threads)
{
	size_t i;
	json_t *c;
	json_array_foreach(json_object_get(doc, "configs"), i, c)
		if (strcmp(json_string_value(json_object_get(json_object_get(c, "lock"), "name")), lock) == 0 &&
		    json_integer_value(json_object_get(c, "threads")) == threads)
			return c;
	cr_assert_fail("no %s at %d threads in the fixture", lock, threads);
	return NULL;
}

json_t *sample_of(json_t *doc, const char *lock, int threads, size_t rep)
{
	return json_array_get(json_object_get(config_of(doc, lock, threads), "samples"), rep);
}

char *line_starting(const char *text, const char *prefix)
{
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (strncmp(l, prefix, strlen(prefix)) == 0)
			return strndup(l, strcspn(l, "\n"));
	return NULL;
}

int data_rows(const char *text)
{
	int n = 0;
	for (const char *l = text; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL)
		if (*l != '#' && *l != '\n')
			n++;
	return n;
}
