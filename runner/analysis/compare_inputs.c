/*
 * analysis/compare_inputs.c — were BASE and NEW measured alike?
 *
 * A gate that compares a 200 ms run with a 300 ms run, or a process whose
 * busy loop calibrated at 1448 iterations/us with one at 2793, reports the
 * difference of the settings as a difference of the code. So before any
 * figure is judged, the contexts are compared field by field, and what
 * changes what a repetition measures is refused unless the user says it is
 * meant (--allow-mismatch):
 *
 *   options    duration, warm-up, pin policy, timeline slice, order-log
 *              capacity (repeat and grace do not change a repetition)
 *   timing     the timing mode (off, all, sample:N): it costs per acquisition
 *   busy-rate  busy-loop iterations per us, beyond LB_BUSY_RATE_TOLERANCE:
 *              cs_ns and think_ns are that many iterations per ns
 *   machine    host or CPU model
 *
 * A different lockbench version, or a build with uncommitted changes, is
 * said aloud but not refused: the commits of BASE and NEW differ by design.
 * A field either result does not record (an older or hand-made result) is
 * not checked.
 */
#include "analysis/compare.h"

#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

static const struct {
	unsigned bit;
	const char *name;
} kinds[] = {
	{ LB_MISMATCH_OPTIONS, "options" },
	{ LB_MISMATCH_TIMING, "timing" },
	{ LB_MISMATCH_BUSY_RATE, "busy-rate" },
	{ LB_MISMATCH_MACHINE, "machine" },
};
#define NKINDS (sizeof(kinds) / sizeof(kinds[0]))

const char *lb_mismatch_name(unsigned bit)
{
	for (size_t i = 0; i < NKINDS; i++)
		if (kinds[i].bit == bit)
			return kinds[i].name;
	return "?";
}

void lb_mismatch_text(unsigned mask, char *buf, size_t len)
{
	buf[0] = '\0';
	for (size_t i = 0; i < NKINDS; i++)
		if (mask & kinds[i].bit)
			snprintf(buf + strlen(buf), len - strlen(buf), "%s%s", buf[0] ? "," : "", kinds[i].name);
}

int lb_mismatch_parse(const char *list, unsigned *mask, char *err, size_t errlen)
{
	char copy[256];

	*mask = 0;
	if (strlen(list) >= sizeof(copy) || !*list) {
		snprintf(err, errlen, "\"%.64s\" is not a list of options, timing, busy-rate, machine or all", list);
		return -1;
	}
	strcpy(copy, list);
	for (char *item = copy, *next; item; item = next) {
		size_t i = 0;

		next = strchr(item, ',');
		if (next)
			*next++ = '\0';
		if (strcmp(item, "all") == 0) {
			*mask = LB_MISMATCH_ALL;
			continue;
		}
		while (i < NKINDS && strcmp(item, kinds[i].name) != 0)
			i++;
		if (i == NKINDS) {
			snprintf(err, errlen, "\"%s\" is none of options, timing, busy-rate, machine, all", item);
			return -1;
		}
		*mask |= kinds[i].bit;
	}
	return 0;
}

/* ---- the differences found, as text ---- */

struct found {
	char refused[768]; /* "; "-separated differences not allowed */
	char allowed[768];
	unsigned refused_kinds, allowed_kinds;
	unsigned allow;
};

static void add(struct found *f, unsigned kind, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void add(struct found *f, unsigned kind, const char *fmt, ...)
{
	bool ok = f->allow & kind;
	char *buf = ok ? f->allowed : f->refused;
	size_t len = sizeof(f->refused), used = strlen(buf);
	va_list ap;

	if (used)
		used += (size_t)snprintf(buf + used, used < len ? len - used : 0, "; ");
	va_start(ap, fmt);
	if (used < len)
		vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
	if (ok)
		f->allowed_kinds |= kind;
	else
		f->refused_kinds |= kind;
}

/* A duration as the options take it: 200ms, 1s, 1500us, 7ns. */
static void fmt_ns(char *buf, size_t len, int64_t ns)
{
	static const struct {
		int64_t per;
		const char *unit;
	} units[] = { { 1000000000, "s" }, { 1000000, "ms" }, { 1000, "us" } };

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
		if (ns != 0 && ns % units[i].per == 0) {
			snprintf(buf, len, "%" PRId64 "%s", ns / units[i].per, units[i].unit);
			return;
		}
	snprintf(buf, len, "%" PRId64 "ns", ns);
}

static void time_option(struct found *f, const char *name, int64_t b, int64_t n)
{
	char bt[32], nt[32];

	if (b < 0 || n < 0 || b == n)
		return;
	fmt_ns(bt, sizeof(bt), b);
	fmt_ns(nt, sizeof(nt), n);
	add(f, LB_MISMATCH_OPTIONS, "%s (base %s, new %s)", name, bt, nt);
}

static bool differ(const char *a, const char *b)
{
	return a && b && strcmp(a, b) != 0;
}

static void check_options(struct found *f, const struct lb_run_options *b, const struct lb_run_options *n)
{
	if (!b->present || !n->present)
		return;
	time_option(f, "duration", b->duration_ns, n->duration_ns);
	time_option(f, "warmup", b->warmup_ns, n->warmup_ns);
	time_option(f, "slice", b->slice_ns, n->slice_ns);
	if (differ(b->pin, n->pin))
		add(f, LB_MISMATCH_OPTIONS, "pin (base \"%.64s\", new \"%.64s\")", b->pin, n->pin);
	if (b->order_log_cap > 0 && n->order_log_cap > 0 && b->order_log_cap != n->order_log_cap)
		add(f, LB_MISMATCH_OPTIONS, "log-cap (base %" PRId64 ", new %" PRId64 ")", b->order_log_cap,
		    n->order_log_cap);
}

static void check_busy_rate(struct found *f, const struct lb_context *b, const struct lb_context *n)
{
	double x = b->busy_iterations_per_us, y = n->busy_iterations_per_us;

	if (!(x > 0) || !(y > 0) || fabs(y / x - 1) <= LB_BUSY_RATE_TOLERANCE)
		return;
	add(f, LB_MISMATCH_BUSY_RATE, "busy-loop rate (base %.0f iterations/us %s, new %.0f %s; give both runs "
	    "one --busy-rate)", x, b->options.busy_rate ? b->options.busy_rate : "", y,
	    n->options.busy_rate ? n->options.busy_rate : "");
}

static void check_machine(struct found *f, const struct lb_context *b, const struct lb_context *n)
{
	if (differ(b->host, n->host))
		add(f, LB_MISMATCH_MACHINE, "host (base \"%.64s\", new \"%.64s\")", b->host, n->host);
	if (differ(b->cpu_model, n->cpu_model))
		add(f, LB_MISMATCH_MACHINE, "CPU (base \"%.64s\", new \"%.64s\")", b->cpu_model, n->cpu_model);
}

/* Ends with "-dirty": built from a tree with uncommitted changes (the Makefile's GIT_COMMIT). */
static bool dirty(const char *commit)
{
	size_t len = commit ? strlen(commit) : 0;

	return len > 6 && strcmp(commit + len - 6, "-dirty") == 0;
}

static void warn(lb_compare_warn_fn *fn, void *arg, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void warn(lb_compare_warn_fn *fn, void *arg, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;

	if (!fn)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	fn(arg, msg);
}

int lb_compare_check_context(const struct lb_context *b, const struct lb_context *n, const char *prefix,
			     unsigned allow, lb_compare_warn_fn *warn_fn, void *warn_arg, char *err, size_t errlen)
{
	struct found f = { .allow = allow };
	char kinds_text[64];

	check_options(&f, &b->options, &n->options);
	if (differ(b->timing_mode, n->timing_mode))
		add(&f, LB_MISMATCH_TIMING, "timing (base %.32s, new %.32s)", b->timing_mode, n->timing_mode);
	check_busy_rate(&f, b, n);
	check_machine(&f, b, n);
	if (differ(b->version, n->version))
		warn(warn_fn, warn_arg, "%sresults come from different lockbench versions (base %.32s, new %.32s): "
		     "what is measured may have changed", prefix, b->version, n->version);
	if (dirty(b->git_commit) || dirty(n->git_commit))
		warn(warn_fn, warn_arg, "%s%s built with uncommitted changes (%.64s): it cannot be rebuilt from a commit",
		     prefix, dirty(b->git_commit) ? "base was" : "new was",
		     dirty(b->git_commit) ? b->git_commit : n->git_commit);
	if (f.allowed_kinds) {
		lb_mismatch_text(f.allowed_kinds, kinds_text, sizeof(kinds_text));
		warn(warn_fn, warn_arg, "%smeasured differently, allowed by --allow-mismatch %s: %s", prefix, kinds_text,
		     f.allowed);
	}
	if (!f.refused_kinds)
		return 0;
	lb_mismatch_text(f.refused_kinds, kinds_text, sizeof(kinds_text));
	snprintf(err, errlen, "%sbase and new were measured differently: %s (compare results measured alike, "
		 "or --allow-mismatch %s)", prefix, f.refused, kinds_text);
	return -1;
}
