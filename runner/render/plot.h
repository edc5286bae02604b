/*
 * render/plot.h — charts of a result or of a compare verdict: .dat tables,
 * meta.gp, and the gnuplot scripts of plots/ run on them.
 *
 * `lockbench plot` (cmd/plot.c) parses the options into a struct
 * lb_plot_request and calls lb_plot; everything else lives in render/plot_*.c:
 *
 *   plot.c           the sequence: load, check, stage, write, draw, commit
 *   plot_series.c    series of a result: keys, colours, the thread count
 *                    and the repetition the per-thread charts show
 *   plot_labels.c    numbering keys and short key titles, by sorting
 *   plot_dat.c       a result's tables and its meta.gp
 *   plot_compare.c   a verdict's compare.dat and its meta.gp
 *   plot_history.c   a series' history-METRIC.dat tables and its meta.gp
 *   plot_text.c      the only writers of text into a table or meta.gp
 *   plot_stage.c     the temporary directory and moving it into place
 *   plot_gnuplot.c   finding gnuplot and the scripts; running one script
 */
#ifndef LB_RENDER_PLOT_H
#define LB_RENDER_PLOT_H

#include <stdbool.h>
#include <stddef.h>

struct lb_filter;

struct lb_plot_request {
	const char *input;
	const struct lb_filter *filter; /* only the configs (rows of a verdict) it keeps; NULL: all */
	const char *output;     /* NULL: plots/out/<input's basename without .json> */
	const char *formats[2]; /* "png", "svg" */
	size_t nformats;
	/*
	 * 0: the per-thread charts at the largest thread count, into output.
	 * N: at N threads, the whole chart set into output/threads-N/, so the
	 * sets of several thread counts live side by side.
	 */
	unsigned threads;
	bool data_only;         /* tables and meta.gp only; gnuplot is not needed */
};

enum lb_plot_status { LB_PLOT_OK, LB_PLOT_FAILED, LB_PLOT_INTERRUPTED };

#define LB_PLOT_MAX_NOTES 64
#define LB_PLOT_MAX_CHARTS 8
#define LB_PLOT_PATH_MAX 4096

/* What a render says beside its outcome. */
struct lb_plot_report {
	char output[LB_PLOT_PATH_MAX];   /* where the charts went */
	char output_shown[LB_PLOT_PATH_MAX]; /* the same, one line of text for a terminal */
	char *notes[LB_PLOT_MAX_NOTES];  /* what was left out and why; one line each */
	size_t nnotes;
	char err[3 * LB_PLOT_PATH_MAX];  /* LB_PLOT_FAILED / INTERRUPTED: one line, why */
	char charts[LB_PLOT_MAX_CHARTS][16]; /* LB_PLOT_OK: the charts drawn ("throughput", ...), in order */
	size_t ncharts;
	unsigned threads;                /* a result: the thread count of its per-thread charts */
	/* a result's fairness chart: "bars" (a bar per thread) or "lorenz" (the sorted share curve) */
	char fairness_view[8];
};

/*
 * Render req. Nothing is written unless everything succeeds: a failure or an
 * interrupt (SIGINT/SIGTERM while gnuplot runs) leaves the output as it was.
 * Free the report's notes with lb_plot_report_free.
 */
enum lb_plot_status lb_plot(const struct lb_plot_request *req, struct lb_plot_report *rep);
/*
 * The charts of a series of results (`lockbench history`): one per metric,
 * every config's median with its 95% CI over the series (plots/history.gp).
 * req->input is not read; req->output is where they go (required).
 */
struct lb_history;
enum lb_plot_status lb_plot_history(const struct lb_plot_request *req, const struct lb_history *h,
				    struct lb_plot_report *rep);
void lb_plot_report_free(struct lb_plot_report *rep);

#endif
