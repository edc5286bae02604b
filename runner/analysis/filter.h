/*
 * analysis/filter.h — `--filter lock=…,threads=…`: which configs of a result
 * (or rows of a verdict) a command looks at. `compare`, `plot`, `report` and
 * `export` take it.
 *
 * Text: KEY=VALUE items joined by ','; an item without '=' is one more value
 * of the key before it, so `lock=ticket,mcs,threads=1,2` is lock ticket or
 * mcs, and threads 1 or 2. Values of one key are alternatives; keys must all
 * match. The option may be given more than once: every one must match.
 *
 *   lock=PATTERN       the lock's name ("gil", "mylock@./mylock.so") or the
 *                      name with its parameters ("gil:interval=1ms,force_switch=1")
 *   workload=PATTERN   likewise for the workload ("cs", "cs:cs_ns=1us,...")
 *   threads=N|A-B      a thread count or a range
 *   pin=PATTERN        the pin policy as given to --pin ("compact", "cpus:0-3")
 *   machine=PATTERN    the machine of a merged result (lockbench merge)
 *
 * PATTERNs are shell globs (fnmatch: `ck-*`, `gil:interval=1ms*`); since ','
 * joins items, a value cannot hold one: match parameters with a glob. A
 * config is matched by its id, read with the identity codec, never by
 * re-assembling its names.
 */
#ifndef LB_FILTER_H
#define LB_FILTER_H

#include <stdbool.h>
#include <stddef.h>

#include "model/model.h"
#include "model/verdict.h"

enum lb_filter_key { LB_F_LOCK, LB_F_WORKLOAD, LB_F_THREADS, LB_F_PIN, LB_F_MACHINE, LB_F_COUNT };

/* One key of one --filter: its alternatives (patterns, or thread ranges). */
struct lb_filter_term {
	unsigned option; /* which --filter it came from: terms of one option with the same key are alternatives */
	enum lb_filter_key key;
	char *pattern;   /* lock, workload, pin, machine */
	unsigned lo, hi; /* threads */
};

struct lb_filter {
	struct lb_filter_term *terms;
	size_t n;
	unsigned noptions;
	char text[1024]; /* the options as given, ' & '-joined, for messages */
};

/* Add one --filter's text to f. 0, or -1 with a one-line reason ("threads=x: ..."). */
int lb_filter_parse(struct lb_filter *f, const char *text, char *err, size_t errlen);
void lb_filter_free(struct lb_filter *f);
/* Whether f has any term (an empty filter keeps everything). */
bool lb_filter_active(const struct lb_filter *f);

/* Whether the config with this id (and machine, NULL: none) passes f. An id that does not parse never does. */
bool lb_filter_match(const struct lb_filter *f, const char *id, const char *machine);

/*
 * Keep only the configs of r that pass f (the others are freed). 0, or -1
 * with a one-line reason when none is left: "FILE: no config matches --filter ...".
 */
int lb_filter_result(const struct lb_filter *f, struct lb_result *r, const char *file, char *err, size_t errlen);
/*
 * Keep only the rows (and unpaired ids) of v whose config passes f, and
 * count the judgements and the overall one again over what is left. 0, or
 * -1 with a one-line reason when no row is left.
 */
int lb_filter_verdict(const struct lb_filter *f, struct lb_verdict *v, const char *file, char *err, size_t errlen);

#endif
