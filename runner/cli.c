/*
 * cli.c — what every subcommand shares: the one-line error.
 */
#include <getopt.h>
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

int lb_option_error(const char *cmd, int c, char **argv)
{
	if (c == ':')
		lb_error("%s: option %s needs a value", cmd, argv[optind - 1]);
	else
		lb_error("%s: unknown option \"%s\" (see: lockbench %s --help)", cmd, argv[optind - 1], cmd);
	return LB_EXIT_USAGE;
}

int lb_no_operands(const char *cmd, int argc, char **argv)
{
	if (optind >= argc)
		return 0;
	lb_error("%s: unexpected argument \"%s\"", cmd, argv[optind]);
	return LB_EXIT_USAGE;
}
