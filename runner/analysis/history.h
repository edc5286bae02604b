/*
 * analysis/history.h — many results of one suite over time (commits, nights,
 * releases): every config's median and 95% CI per metric at every result,
 * as `lockbench history` prints and charts it. The regression verdict of
 * the last result against the baseline is compare's (analysis/compare.h).
 */
#ifndef LB_HISTORY_H
#define LB_HISTORY_H

#include <stddef.h>

#include "model/model.h"

/* One result of the series. */
struct lb_history_point {
	const struct lb_result *result; /* not owned */
	const char *file;               /* not owned */
	char label[48];                 /* "#3 abc1234def" (its number and commit) */
};

struct lb_history {
	struct lb_history_point *points; /* in the order of the series */
	size_t npoints;
	size_t baseline; /* index into points */
	const struct lb_metric *metrics[LB_M_COUNT];
	size_t nmetrics;
	/* Every config of any result, by key (the id, " @ machine" added in a merged result), in order of
	 * first appearance with the baseline's first. */
	char **configs;
	size_t nconfigs;
	/* stats[(c * npoints + p) * nmetrics + m]: config c at point p, metric m; n == 0: absent there. */
	struct lb_stat *stats;
};

/*
 * The series of results[0..n-1] (files name them), baseline one of them,
 * for the metrics given. Every config is summarized over its ok samples
 * (lb_config_summarize: the results are updated). 0, or -1 with a reason
 * (out of memory). Free with lb_history_free.
 */
int lb_history_build(struct lb_history *h, struct lb_result **results, const char *const *files, size_t n,
		     size_t baseline, const struct lb_metric *const *metrics, size_t nmetrics, char *err,
		     size_t errlen);
void lb_history_free(struct lb_history *h);

/* The stat of config c at point p for metric m. */
const struct lb_stat *lb_history_stat(const struct lb_history *h, size_t c, size_t p, size_t m);

#endif
