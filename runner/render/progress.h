/*
 * render/progress.h — the line a long command keeps rewriting on a terminal:
 * "[14/189] tas threads=2 rep 1/3  0:42 elapsed, ~3:10 left".
 *
 * Only on a terminal: when stderr is not one (a CI log, a pipe) nothing is
 * written, so logs hold results, not carriage returns. The estimate of
 * what is left is the mean time of the steps done so far times the steps
 * to go (before the first step ends: the caller's guess of one step).
 */
#ifndef LB_RENDER_PROGRESS_H
#define LB_RENDER_PROGRESS_H

#include <stdbool.h>
#include <stddef.h>

struct lb_progress {
	bool on;
	size_t total, done;
	double start_s, step_guess_s;
};

/* Shown when `wanted` (not --quiet) and stderr is a terminal. */
void lb_progress_init(struct lb_progress *p, bool wanted, size_t total, double step_guess_s);
/* The line for the step about to run: "[done+1/total] what  elapsed, left". */
void lb_progress_show(struct lb_progress *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Erase the line (before anything else is printed on the terminal). */
void lb_progress_clear(const struct lb_progress *p);
/* One step done. */
void lb_progress_step(struct lb_progress *p);
/* Seconds as 0:42, 12:05 or 1:02:03. */
void lb_clock_text(double s, char *buf, size_t len);

#endif
