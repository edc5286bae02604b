/*
 * cli.c — what every subcommand shares: the one-line error.
 */
#include <stdarg.h>
#include <stdio.h>

#include "cli.h"

void lb_error(const char *fmt, ...)
{
	va_list ap;
	fputs("lockbench: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}
