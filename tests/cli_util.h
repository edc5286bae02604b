/*
 * cli_util.h — run the lockbench binary from a test and capture what it says.
 */
#ifndef LB_TEST_CLI_UTIL_H
#define LB_TEST_CLI_UTIL_H

#include <stddef.h>

struct cli_result {
	int status;      /* exit code, or 128 + signal */
	char out[65536]; /* stdout, truncated */
	char err[8192];  /* stderr, truncated */
};

/* Run `$LOCKBENCH args...` (NULL-terminated) with stdin from /dev/null. */
void cli_run(struct cli_result *r, const char *const *args);
/* Run argv[0] (a path) with argv, stdin from /dev/null. */
void cli_exec(struct cli_result *r, const char *const *argv);
/* A fresh empty directory under /tmp; caller frees the string. */
char *cli_tmpdir(void);
/* Number of entries in a directory, not counting . and .. */
int cli_count_entries(const char *dir);
/* Number of lines in s. */
int cli_lines(const char *s);

#endif
