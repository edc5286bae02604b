/*
 * cmd/cli.c — what every subcommand shares: the one-line error.
 */
#define _GNU_SOURCE /* vasprintf */
#include <getopt.h>
#include <stdlib.h>
#include <stdarg.h>
#include <stdio.h>

#include "cmd/cli.h"
#include "engine/params.h"

void lb_error(const char *fmt, ...)
{
	/* Whatever the message quotes (a value typed with a newline in it, a plug-in's text), it stays one line. */
	char *msg = NULL;
	va_list ap;
	va_start(ap, fmt);
	int n = vasprintf(&msg, fmt, ap);
	va_end(ap);
	fputs("lockbench: ", stderr);
	for (int i = 0; i < n; i++)
		fputc((unsigned char)msg[i] < 0x20 || msg[i] == 0x7f ? '?' : msg[i], stderr);
	fputc('\n', stderr);
	free(msg);
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
		{ LB_CAP_RW, "rw" }, { LB_CAP_READER_PREF, "reader-pref" }, { LB_CAP_WRITER_PREF, "writer-pref" },
		{ LB_CAP_PHASE_FAIR, "phase-fair" },
		{ LB_CAP_TIMED_EMULATED, "timed-emulated" }, { LB_CAP_LIVE_COUNTERS, "live-counters" },
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
