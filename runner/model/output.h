/*
 * model/output.h — the one writer every output goes through (results,
 * verdicts, Markdown, CSV, HTML).
 *
 * path "-"            standard output
 * a regular file, or a path that does not exist yet
 *                     written to a temporary file in the same directory,
 *                     fsync'd, renamed over the target on commit: a reader
 *                     never sees half a file, a failed write leaves the old
 *                     file as it was, and no temporary file is left behind
 * a FIFO or a character device (/dev/null, /dev/stdout, a terminal)
 *                     written in place, never replaced nor unlinked
 * anything else (a directory, a block device, a socket), a missing or
 * unwritable directory
 *                     refused by lb_output_check before any work is done
 */
#ifndef LB_OUTPUT_H
#define LB_OUTPUT_H

#include <stdbool.h>
#include <stdio.h>

struct lb_output {
	FILE *f;
	char path[4096];
	char tmp[4200]; /* empty: written in place or to stdout */
	bool is_stdout;
};

/* Can path be written? Call before running anything. 0, or -1 with a one-line reason. */
int lb_output_check(const char *path, char *err, size_t errlen);
/* Start writing path; out->f is the stream. 0, or -1 with a reason (nothing created). */
int lb_output_open(struct lb_output *out, const char *path, char *err, size_t errlen);
/* Finish: flush, fsync, rename into place. 0, or -1 with a reason (the target is untouched). */
int lb_output_commit(struct lb_output *out, char *err, size_t errlen);
/* Give up: close and remove the temporary file; the target is untouched. */
void lb_output_abort(struct lb_output *out);
/* open + emit(f, arg) + commit in one call; emit returns 0 or -1. */
int lb_output_write(const char *path, int (*emit)(FILE *f, void *arg), void *arg, char *err, size_t errlen);

/*
 * After writing `target` failed (a full disk, a file system remounted
 * read-only, a vanished directory): keep what was to be written in a new
 * file, TARGET.recovered-XXXXXX next to the target (for a regular file),
 * else $TMPDIR (or /tmp)/lockbench-NAME.recovered-XXXXXX. 0 with the file's
 * path in kept, or -1 with a reason when no place would take it.
 */
int lb_output_keep(const char *target, int (*emit)(FILE *f, void *arg), void *arg, char *kept, size_t keptlen,
		   char *err, size_t errlen);

#endif
