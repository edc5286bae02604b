/*
 * plot_util.h — what the plot tests share: running `lockbench plot`, reading
 * what it wrote, and variants of the fixture result made with jansson.
 */
#ifndef LB_TEST_PLOT_UTIL_H
#define LB_TEST_PLOT_UTIL_H

#include <jansson.h>
#include <stdbool.h>

#include "cli_util.h"

#define FX "tests/fixtures/plot/"

/* Draw with the scripts in ./plots (a test's .init). */
void use_repo_scripts(void);
/* The contents of path / dir/name, or NULL. */
char *slurp(const char *path);
char *slurp_in(const char *dir, const char *name);
/* "dir/name", allocated. */
char *path_in(const char *dir, const char *name);
bool exists(const char *dir, const char *name);
/* Run lockbench with args (NULL-terminated); free the result. */
struct cli_result *plot(const char *const *args);
/* Run and return only the exit code (stderr shown when not 0). */
int plot_status(const char *const *args);
/* A copy of result.json changed by edit(), in a fresh directory; returns its path. */
char *variant(void (*edit)(json_t *doc));
/* The same of another fixture (a path). */
char *variant_of(const char *fixture, void (*edit)(json_t *doc));
/* The config of `lock` at `threads` in a result document, and one of its samples. */
json_t *config_of(json_t *doc, const char *lock, int threads);
json_t *sample_of(json_t *doc, const char *lock, int threads, size_t rep);
/* The line of text that starts with prefix, allocated, or NULL. */
char *line_starting(const char *text, const char *prefix);
/* Data rows (non-comment, non-blank lines) of a table. */
int data_rows(const char *text);

#endif
