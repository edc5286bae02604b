/*
 * render/plot_int.h — what the render/plot_*.c files share (see plot.h for
 * who does what). Not for use outside render/.
 */
#ifndef LB_RENDER_PLOT_INT_H
#define LB_RENDER_PLOT_INT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include "model/model.h"
#include "render/plot.h"

struct lb_verdict;
struct lb_identity;
struct lb_history;

#define PLOT_MAX_CHARTS LB_PLOT_MAX_CHARTS

/* A config of a series with at least one usable sample: one x of the throughput chart. */
struct plot_point {
	const struct lb_config *config;
	const struct lb_sample *median; /* the ok sample with the median throughput */
	size_t nok;                     /* the ok samples it was chosen from */
	size_t index;                   /* of the config in the result */
};

/* One line of a chart: a lock variant under one workload, on one machine of a merged result. */
struct plot_series {
	const char *lock_key; /* "gil:interval=5ms,force_switch=1" (lb_identity_lock_key); in m->lock_keys */
	const char *wl_key;   /* "cs:cs_ns=0ns,..."; in m->wl_keys */
	const char *machine;  /* its configs' machine (lockbench merge); NULL: a plain result */
	char label[512];      /* key title: the name and the parameters that tell it from its namesakes,
			       * then " @ machine" in a result of machines */
	size_t lock_index, wl_index, machine_index;
	unsigned rgb;         /* colour and marker: the lock's (plot_style_of), on every machine */
	int pt;
	unsigned dash;        /* gnuplot dashtype: one per workload and machine */
	size_t first, npoints;         /* its points: m->points[first ..], by ascending thread count */
	const struct plot_point *pick; /* its point at m->threads; NULL: none */
};

struct plot_model {
	const char *source;              /* the input's basename */
	struct lb_plot_report *rep;      /* notes go there */
	/* a result */
	const struct lb_result *result;
	struct plot_series *series;
	size_t nseries;
	char **lock_keys, **wl_keys;     /* distinct, in order of first appearance in the result */
	size_t nlocks, nwls;
	size_t nmachines;                /* distinct config machines (untagged counts as one) */
	bool by_machine;                 /* some config names its machine: series per machine */
	char *wl_labels;                 /* short label of each workload, 256 bytes apart */
	struct plot_point *points;
	size_t npoints;
	unsigned *tcounts;               /* thread counts with a usable sample, ascending */
	size_t ntcounts;
	unsigned threads;                /* of the per-thread charts */
	unsigned pus;
	size_t *blocks;                  /* scratch: the series of each block of the table being written */
	/* a verdict */
	const struct lb_verdict *verdict;
	/* a series of results (lockbench history) */
	const struct lb_history *history;
	/* what to draw: script names without .gp */
	char charts[PLOT_MAX_CHARTS][16];
	size_t ncharts;
};

/* ---- plot_style.c: how a series looks, and text laid out for a chart ---- */

/* Colour (24 distinct ones) and marker (12 shapes) of the lock_index-th lock. */
void plot_style_of(size_t lock_index, unsigned *rgb, int *pt);
/*
 * `name_lines = N` and `array name[N]`: text wrapped at spaces into lines of
 * at most `width` characters (a longer word is cut; a newline ends a line),
 * each a gnuplot string.
 */
void plot_gp_wrapped(FILE *f, const char *name, const char *text, size_t width);
/*
 * The legend of a chart's nb blocks (m->blocks): `<chart>_blocks`, and per
 * block `<chart>_key[]` (its legend text: the series label, then `suffix(b)`
 * when given), `_name[]` (the label alone), `_rgb[]`, `_pt[]`, `_dt[]`; `<chart>_key_cols` and
 * `<chart>_key_rows`: the grid that fits the legend into a chart's width.
 */
void plot_meta_legend(FILE *f, const char *chart, const struct plot_model *m, size_t nb,
		      void (*suffix)(const struct plot_model *m, size_t b, char *buf, size_t len));
/* One legend entry: its text, the label alone (name), colour, marker and dash. */
struct plot_legend_entry {
	char text[768];
	const char *name;
	unsigned rgb;
	int pt;
	unsigned dash;
};
/* Entry i of a legend into *e (e->name must outlive the call). */
typedef void (*plot_legend_get)(const void *ctx, size_t i, struct plot_legend_entry *e);
/* The same arrays for n entries of any kind (history's configs), each got from get. */
void plot_meta_legend_of(FILE *f, const char *chart, size_t n, plot_legend_get get, const void *ctx);
/* Note a chart to draw (its script's name without .gp). */
void plot_add_chart(struct plot_model *m, const char *chart);


/* ---- plot_series.c ---- */

/* Room for a key: an escaped name and its escaped parameters (up to 3 bytes for each of 2,560). */
#define PLOT_KEY_MAX 8192
/*
 * The keys of an identity, as the codec writes its fields: the lock variant
 * (lb_identity_lock_key: "gil:interval=1ms,force_switch=1", "ticket") and
 * the workload ("cs:cs_ns=0ns,..."), each of len bytes.
 */
void plot_identity_keys(const struct lb_identity *id, char *lock, char *wl, size_t len);

/* Whether a sample counts: ok, with figures and a throughput. */
bool plot_sample_usable(const struct lb_sample *s);
/* Series, labels, colours and points of m->result. 0, or -1 with a reason in err. */
int plot_series_build(struct plot_model *m, char *err, size_t errlen);
/* Choose the per-thread charts' thread count (0: the largest) and each series' pick there. */
int plot_choose_threads(struct plot_model *m, unsigned asked, char *err, size_t errlen);
/* The number of PUs the run could use. */
unsigned plot_pus(const struct lb_context *ctx);
void plot_model_free(struct plot_model *m);
/* A note for the report (printf-style); its text is made safe for a terminal. */
void plot_note(struct plot_model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

/* ---- plot_labels.c ---- */

/* calloc of n elements of size, at least one; NULL when out of memory or n is absurd. */
void *plot_alloc_n(size_t n, size_t size);
/* Compare items a and b (indexes) of ctx: <0, 0, >0. */
typedef int (*plot_item_cmp)(size_t a, size_t b, void *ctx);
/*
 * Number n items by their value (cmp) in order of first appearance: id[i]
 * is item i's number; first[k] (n entries, caller's) the first item of
 * number k. Returns how many distinct values, or (size_t)-1 out of memory.
 */
size_t plot_number_items(size_t n, plot_item_cmp cmp, void *ctx, size_t *id, size_t *first);
/*
 * The key title of each of n keys (a name and its parameters "k=v,k=v"):
 * the name and the parameters that tell it from the other keys of that
 * name. labels[i], of len bytes, is at labels + i * len. 0, or -1 out of memory.
 */
int plot_short_labels(const char *const *names, const char *const *params, size_t n, char *labels, size_t len);

/* ---- plot_dat.c, plot_rw.c, plot_compare.c ---- */

/* The tables and meta.gp of a result / a verdict into dir; charts to draw go into m->charts. */
int plot_write_result(const char *dir, struct plot_model *m, char *err, size_t errlen);
/*
 * For the writers of a result's tables (plot_dat.c, plot_fair.c, plot_timeline.c, plot_rw.c): open
 * a table and write its header (what it shows, at the chosen thread count for a per-thread chart,
 * then `about`: its # lines, the column names last); close it, its chart to be drawn.
 */
FILE *plot_table_begin(const char *dir, const struct plot_model *m, const char *name, const char *what,
		       bool per_thread, const char *about, char *err, size_t errlen);
int plot_table_end(FILE *f, struct plot_model *m, const char *name, const char *chart, char *err, size_t errlen);
/* The picked sample of block b (m->blocks[b]). */
const struct lb_sample *plot_pick_of(const struct plot_model *m, size_t b);
/* The line above each block of a per-thread table: which lock and which repetition. */
void plot_block_comment(FILE *f, const struct plot_model *m, size_t b);
/* array <name>[nb] of one figure of each block's picked sample. */
void plot_meta_sample_array(FILE *f, const char *name, const struct plot_model *m, size_t nb,
			    double (*get)(const struct lb_sample *));
/* plot_fair.c: fairness.dat or lorenz.dat, and balance.dat; plot_timeline.c: timeline.dat. */
int plot_write_fairness(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen);
int plot_write_timeline(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen);
int plot_write_compare(const char *dir, struct plot_model *m, char *err, size_t errlen);
/* A reader-writer result's rw.dat and its meta.gp lines; nothing for a result without roles. */
int plot_write_rw(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen);

/* <chart>_blocks and the key title of each of the nb blocks listed in m->blocks, into meta.gp. */
void plot_meta_blocks(FILE *f, const char *chart, const struct plot_model *m, size_t nb);
/* plot_history.c: history-METRIC.dat per metric and meta.gp for plots/history.gp. */
int plot_write_history(const char *dir, struct plot_model *m, char *err, size_t errlen);

/* ---- plot_text.c: every string that reaches a table or meta.gp goes through these ---- */

/* A gnuplot single-quoted string: quotes doubled, control characters and bad UTF-8 replaced. */
void plot_gp_string(FILE *f, const char *s);
/* ` "s"`: a string column of a .dat table (gnuplot's strcol); '"' becomes '\''. */
void plot_dat_string(FILE *f, const char *s);
/* `# text\n`: one comment line, whatever the arguments hold. */
void plot_comment(FILE *f, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* ` v` for a table, NaN where v is undefined. */
void plot_num(FILE *f, double v);
/* `name = 'value'\n` */
void plot_gp_assign(FILE *f, const char *name, const char *value);
/* s made one line of valid UTF-8 in place: control characters become spaces, bad bytes '?'. */
void plot_clean(char *s);
/* printf onto the end of the string in buf, truncating at len (never mid-character). */
void plot_append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
/* Open dir/name for writing; close it, reporting a write error. */
FILE *plot_open(const char *dir, const char *name, char *err, size_t errlen);
int plot_close(FILE *f, const char *name, char *err, size_t errlen);
/* dir/name into buf; -1 with a reason when it does not fit. */
int plot_path_join(char *buf, size_t len, const char *dir, const char *name, char *err, size_t errlen);

/* ---- plot_stage.c ---- */

struct plot_staging {
	char tmp[LB_PLOT_PATH_MAX];
	char *created[64]; /* parent directories we made, outermost first */
	size_t ncreated;
};
/* Check the output path, make its missing parents, and a temporary directory beside it. */
int plot_stage_begin(struct plot_staging *st, const char *out, char *err, size_t errlen);
/* Move what was made into out (see plot_stage.c); 0, or -1 with a reason. */
int plot_stage_commit(struct plot_staging *st, const char *out, char *err, size_t errlen);
/* Remove what was made: the temporary directory and the parents made for it. */
void plot_stage_abandon(struct plot_staging *st);

/* ---- plot_gnuplot.c ---- */

int plot_find_gnuplot(char *buf, size_t len, char *err, size_t errlen);
/* The scripts' directory: $LOCKBENCH_PLOTS_DIR, else plots/ beside the binary; checks `need` is there. */
int plot_find_scripts(char *buf, size_t len, const char *need, char *err, size_t errlen);
/* A path gnuplot will read inside '...': no control characters. */
int plot_check_gp_path(const char *what, const char *p, char *err, size_t errlen);
/* Run gnuplot on one script with datadir = outdir = dir; on failure its last line goes into err. */
int plot_run_gnuplot(const char *gnuplot, const char *script, const char *dir, const char *fmt, char *err,
		     size_t errlen);

#endif
