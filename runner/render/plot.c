/*
 * render/plot.c — one render, start to end: load the result or verdict,
 * check everything that can be wrong with it or the machine, then make the
 * tables in a temporary directory, run the scripts on them and move the lot
 * into place. Nothing is written before every check passed; nothing stays
 * behind when a later step fails or is interrupted.
 *
 * The data work is in plot_series.c, plot_dat.c and plot_compare.c; all the
 * drawing is in the gnuplot scripts in plots/, which run on their own too:
 *   gnuplot -e "datadir='plots/out/x'" plots/throughput.gp
 */
#define _GNU_SOURCE
#include <math.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "analysis/filter.h"
#include "model/json.h"
#include "model/schema.h"
#include "model/verdict.h"
#include "render/plot_int.h"

static volatile sig_atomic_t plot_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	plot_interrupted = 1;
}

/* What the charts of a result are made of; the thread count of the per-thread charts. */
static int prepare_result(const struct lb_plot_request *req, struct plot_model *m, char *err, size_t errlen)
{
	if (plot_series_build(m, err, errlen) != 0)
		return -1;
	if (m->npoints == 0) {
		snprintf(err, errlen, "%s: no ok samples to plot (every config failed, or none had finished)", req->input);
		return -1;
	}
	return plot_choose_threads(m, req->threads, err, errlen);
}

static int prepare_verdict(const struct lb_plot_request *req, struct plot_model *m, char *err, size_t errlen)
{
	size_t finite = 0;
	for (size_t i = 0; i < m->verdict->nrows; i++)
		finite += isfinite(m->verdict->rows[i].ratio);
	if (finite == 0) {
		snprintf(err, errlen, "%s: no compared rows to plot (every row is n/a)", req->input);
		return -1;
	}
	return 0;
}

/*
 * The input as a result or, failing that, a verdict. A result is parsed
 * once; only when it does not load is the file's schema asked for, to say
 * what it is instead or to load it as a verdict.
 */
static int load_input(const struct lb_plot_request *req, struct plot_model *m, struct lb_result **result,
		      struct lb_verdict **verdict, char *err, size_t errlen)
{
	char schema[128], why[sizeof ((struct lb_plot_report *)0)->err];
	if (lb_result_load(req->input, result, why, sizeof why) == 0) {
		m->result = *result;
		if (lb_filter_result(req->filter, *result, req->input, err, errlen) != 0)
			return -1;
		return prepare_result(req, m, err, errlen);
	}
	if (lb_json_schema_of(req->input, schema, sizeof schema, err, errlen) != 0)
		return -1;
	if (strcmp(schema, LB_SCHEMA) == 0) {
		snprintf(err, errlen, "%s", why);
		return -1;
	}
	if (strcmp(schema, LB_VERDICT_SCHEMA) == 0) {
		if (req->threads != 0) {
			snprintf(err, errlen, "--threads: %s is a compare verdict; --threads is for a result", req->input);
			return -1;
		}
		if (lb_verdict_load(req->input, verdict, err, errlen) != 0 ||
		    lb_filter_verdict(req->filter, *verdict, req->input, err, errlen) != 0)
			return -1;
		m->verdict = *verdict;
		return prepare_verdict(req, m, err, errlen);
	}
	if (schema[0] != '\0')
		snprintf(err, errlen, "%s: schema \"%s\" is neither " LB_SCHEMA " nor " LB_VERDICT_SCHEMA, req->input,
			 schema);
	else
		snprintf(err, errlen, "%s: not a lockbench result or compare verdict (no \"schema\")", req->input);
	return -1;
}

/*
 * plots/out/<input's basename without .json>, or -o; a chosen thread count's
 * set goes into threads-N/ below it, beside the default set and the others.
 */
static int output_dir(const struct lb_plot_request *req, char *buf, size_t len, char *err, size_t errlen)
{
	int n;
	if (req->output != NULL) {
		n = snprintf(buf, len, "%s", req->output);
	} else {
		const char *base = strrchr(req->input, '/');
		base = base ? base + 1 : req->input;
		size_t blen = strlen(base);
		if (blen > 5 && strcmp(base + blen - 5, ".json") == 0)
			blen -= 5;
		n = snprintf(buf, len, "plots/out/%.*s", (int)blen, base);
	}
	if (n >= 0 && (size_t)n < len && req->threads != 0)
		n += snprintf(buf + n, len - (size_t)n, "/threads-%u", req->threads);
	if (n < 0 || (size_t)n >= len) {
		snprintf(err, errlen, "--output: path too long");
		return -1;
	}
	return 0;
}

/* Run every script of m->charts in every format on the tables in dir. */
static int draw(const struct plot_model *m, const struct lb_plot_request *req, const char *gnuplot,
		const char *scripts, const char *dir, char *err, size_t errlen)
{
	for (size_t i = 0; i < m->ncharts && !plot_interrupted; i++) {
		char script[LB_PLOT_PATH_MAX], name[32];
		snprintf(name, sizeof name, "%s.gp", m->charts[i]);
		if (plot_path_join(script, sizeof script, scripts, name, err, errlen) != 0)
			return -1;
		for (size_t k = 0; k < req->nformats && !plot_interrupted; k++)
			if (plot_run_gnuplot(gnuplot, script, dir, req->formats[k], err, errlen) != 0 && !plot_interrupted)
				return -1;
	}
	return 0;
}

/*
 * Everything after the input is loaded into m: the checks of the machine
 * and the output, then the tables (write) in a temporary directory, the
 * scripts on them, and the move into place. need: the script whose
 * directory is the scripts' directory.
 */
static enum lb_plot_status render(const struct lb_plot_request *req, struct plot_model *m, const char *need,
				  int (*write)(const char *dir, struct plot_model *m, char *err, size_t errlen),
				  struct lb_plot_report *rep)
{
	struct plot_staging st = { 0 };
	struct sigaction sa = { 0 }, old_int, old_term;
	bool handlers_set = false;
	char *err = rep->err, gnuplot[LB_PLOT_PATH_MAX], scripts[LB_PLOT_PATH_MAX];
	size_t errlen = sizeof rep->err;
	enum lb_plot_status status = LB_PLOT_FAILED;

	if (output_dir(req, rep->output, sizeof rep->output, err, errlen) != 0)
		goto out;
	if (!req->data_only &&
	    (plot_find_gnuplot(gnuplot, sizeof gnuplot, err, errlen) != 0 ||
	     plot_find_scripts(scripts, sizeof scripts, need, err, errlen) != 0 ||
	     plot_check_gp_path("--output", rep->output, err, errlen) != 0))
		goto out;

	/* From here on an interrupt (which gnuplot, in our process group, gets too) unwinds, not kills. */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	handlers_set = true;
	if (plot_stage_begin(&st, rep->output, err, errlen) != 0)
		goto out;
	if (write(st.tmp, m, err, errlen) != 0)
		goto out;
	if (!req->data_only && draw(m, req, gnuplot, scripts, st.tmp, err, errlen) != 0)
		goto out;
	if (plot_interrupted) {
		status = LB_PLOT_INTERRUPTED;
		snprintf(err, errlen, "interrupted; nothing written");
		goto out;
	}
	if (plot_stage_commit(&st, rep->output, err, errlen) != 0)
		goto out;
	status = LB_PLOT_OK;
	err[0] = '\0';
	for (size_t i = 0; i < m->ncharts; i++)
		snprintf(rep->charts[i], sizeof rep->charts[i], "%s", m->charts[i]);
	rep->ncharts = m->ncharts;
	rep->threads = m->threads;
out:
	if (status != LB_PLOT_OK)
		plot_stage_abandon(&st);
	if (handlers_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	plot_clean(err); /* it may quote the input: one line on a terminal */
	snprintf(rep->output_shown, sizeof rep->output_shown, "%s", rep->output);
	plot_clean(rep->output_shown);
	return status;
}

enum lb_plot_status lb_plot(const struct lb_plot_request *req, struct lb_plot_report *rep)
{
	struct plot_model m = { 0 };
	struct lb_result *result = NULL;
	struct lb_verdict *verdict = NULL;
	enum lb_plot_status status = LB_PLOT_FAILED;

	m.rep = rep;
	const char *slash = strrchr(req->input, '/');
	m.source = slash ? slash + 1 : req->input;
	plot_interrupted = 0;

	/* Everything that can be wrong with the input, before anything is written. */
	if (load_input(req, &m, &result, &verdict, rep->err, sizeof rep->err) == 0)
		status = render(req, &m, verdict ? "compare.gp" : "throughput.gp",
				verdict ? plot_write_compare : plot_write_result, rep);
	else {
		plot_clean(rep->err);
		snprintf(rep->output_shown, sizeof rep->output_shown, "%s", rep->output);
		plot_clean(rep->output_shown);
	}
	plot_model_free(&m);
	lb_result_free(result);
	lb_verdict_free(verdict);
	return status;
}

enum lb_plot_status lb_plot_history(const struct lb_plot_request *req, const struct lb_history *h,
				    struct lb_plot_report *rep)
{
	struct plot_model m = { 0 };
	enum lb_plot_status status;

	m.rep = rep;
	m.source = "history";
	m.history = h;
	plot_interrupted = 0;
	status = render(req, &m, "history.gp", plot_write_history, rep);
	plot_model_free(&m);
	return status;
}

void lb_plot_report_free(struct lb_plot_report *rep)
{
	for (size_t i = 0; i < rep->nnotes; i++)
		free(rep->notes[i]);
	rep->nnotes = 0;
}
