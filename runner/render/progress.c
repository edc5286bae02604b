/*
 * render/progress.c — the progress line of a long command (progress.h).
 */
#define _GNU_SOURCE
#include "render/progress.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <time.h>
#include <unistd.h>

#include "render/format.h"

static double now_s(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

void lb_clock_text(double s, char *buf, size_t len)
{
	long t = isfinite(s) && s > 0 ? (long)(s + 0.5) : 0;
	if (t >= 3600)
		snprintf(buf, len, "%ld:%02ld:%02ld", t / 3600, t / 60 % 60, t % 60);
	else
		snprintf(buf, len, "%ld:%02ld", t / 60, t % 60);
}

void lb_progress_init(struct lb_progress *p, bool wanted, size_t total, double step_guess_s)
{
	*p = (struct lb_progress){ .on = wanted && isatty(STDERR_FILENO), .total = total, .start_s = now_s(),
				   .step_guess_s = step_guess_s };
}

void lb_progress_show(struct lb_progress *p, const char *fmt, ...)
{
	if (!p->on)
		return;
	char what[512], line[512], elapsed[32], left[32];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(what, sizeof what, fmt, ap);
	va_end(ap);
	double e = now_s() - p->start_s, per = p->done ? e / (double)p->done : p->step_guess_s;
	lb_clock_text(e, elapsed, sizeof elapsed);
	lb_clock_text(per * (double)(p->total - p->done), left, sizeof left);
	/* One terminal line: what is running is cut to leave room for the times. */
	lb_fit(what, 36, line, sizeof line);
	fprintf(stderr, "\r[%zu/%zu] %s  %s elapsed, ~%s left\033[K", p->done + 1, p->total, line, elapsed, left);
	fflush(stderr);
}

void lb_progress_clear(const struct lb_progress *p)
{
	if (!p->on)
		return;
	fputs("\r\033[K", stderr);
	fflush(stderr);
}

void lb_progress_step(struct lb_progress *p)
{
	if (p->done < p->total)
		p->done++;
}
