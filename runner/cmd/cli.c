/*
 * cmd/cli.c — what every subcommand shares: the one-line error.
 */
#include <getopt.h>
#include <stdarg.h>
#include <stdio.h>

#include "cmd/cli.h"
#include "engine/params.h"

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

void lb_caps_text(uint32_t caps, char *buf, size_t len)
{
	static const struct { uint32_t bit; const char *name; } names[] = {
		{ LB_CAP_FIFO, "fifo" }, { LB_CAP_SPINS, "spins" }, { LB_CAP_SLEEPS, "sleeps" },
		{ LB_CAP_TRY, "try" }, { LB_CAP_TIMED, "timed" }, { LB_CAP_POLL, "poll" },
		{ LB_CAP_REENTRANT, "reentrant" }, { LB_CAP_NO_EXCLUSION, "no-exclusion" },
		{ LB_CAP_CHECKS_RELEASE, "checks-release" }, { LB_CAP_KNOWS_OWNER, "knows-owner" },
	};
	size_t used = 0;
	buf[0] = '\0';
	for (size_t i = 0; i < sizeof names / sizeof names[0] && used < len; i++)
		if (caps & names[i].bit)
			used += (size_t)snprintf(buf + used, len - used, "%s%s", used ? "," : "", names[i].name);
}

int lb_time_option(const char *name, const char *text, int64_t min_ns, int64_t *out)
{
	char err[256];
	int64_t v;
	if (lb_parse_duration(text, false, &v, err, sizeof err) != 0) {
		lb_error("%s: %s", name, err);
		return -1;
	}
	if (v < min_ns) {
		char min[32];
		lb_format_duration(min_ns, min, sizeof min);
		lb_error("%s: \"%s\" is too short (at least %s)", name, text, min);
		return -1;
	}
	if (v > 86400000000000LL) {
		lb_error("%s: \"%s\" is longer than a day", name, text);
		return -1;
	}
	*out = v;
	return 0;
}
