/*
 * render/plot_rw.c — the reader-writer chart's table: read and write
 * throughput of every lock against thread count, and whether a role
 * starved, for plots/rw.gp.
 *
 * Only configs whose samples have roles (a workload that used the read and
 * write role wrappers, such as rw) make rows, so a result without them gets
 * no rw.dat, no lines in meta.gp and no chart. Figures come from the
 * config's summary (read_throughput_per_s, write_throughput_per_s,
 * reader_starved, writer_starved), or from its median ok sample when it has
 * none, as throughput.dat does.
 *
 * Both axes of the chart are logarithmic, where a role that got nothing (a
 * writer shut out by readers) would vanish; meta.gp's rw_zero is where the
 * script draws 0 instead: a tenth of the smallest rate above 0 in the table.
 * rw_max is the largest rate, rw_reads and rw_writes the rows with a read
 * and a write median (a panel without any says so rather than plot nothing).
 */
#include <math.h>
#include <stdio.h>

#include "render/plot_int.h"

/* A role's rate at one point: median and CI, from the summary or the median sample. */
struct rate {
	double med, lo, hi;
};

static struct rate rate_of(const struct plot_point *p, enum lb_metric_id id, enum lb_sample_role r)
{
	const struct lb_config *c = p->config;
	const struct lb_stat *st = &c->summary.stat[id];
	if (c->summary.present && c->summary.has_roles && st->n > 0)
		return (struct rate){ st->median, st->ci95_low, st->ci95_high };
	double v = p->median->has_roles ? p->median->roles[r].throughput_per_s : NAN;
	return (struct rate){ v, v, v };
}

static bool has_roles(const struct plot_point *p)
{
	const struct lb_config *c = p->config;
	return c->summary.present ? c->summary.has_roles : p->median->has_roles;
}

static bool starved(const struct plot_point *p, enum lb_sample_role r)
{
	const struct lb_config *c = p->config;
	if (c->summary.present && c->summary.has_roles)
		return r == LB_SR_READ ? c->summary.reader_starved : c->summary.writer_starved;
	return p->median->has_roles && p->median->roles[r].starved;
}

/* The smallest rate above 0 among v[0..n), or INFINITY. */
static double least_positive(const double *v, size_t n, double least)
{
	for (size_t i = 0; i < n; i++)
		if (v[i] > 0 && v[i] < least)
			least = v[i];
	return least;
}

/* What the script needs to know of the whole table: its range, and whether each panel has a point. */
struct extent {
	double least, most;   /* the smallest rate above 0, the largest */
	size_t reads, writes; /* rows with a read / write median */
};

static void rw_row(FILE *f, const struct plot_point *p, unsigned rgb, struct extent *e)
{
	const struct lb_config *c = p->config;
	struct rate rd = rate_of(p, LB_M_READ_THROUGHPUT, LB_SR_READ), wr = rate_of(p, LB_M_WRITE_THROUGHPUT, LB_SR_WRITE);
	const struct lb_stat *tp = &c->summary.stat[LB_M_THROUGHPUT];
	size_t reps = c->summary.present && tp->n > 0 ? tp->n : 1;
	double all[] = { rd.med, rd.lo, rd.hi, wr.med, wr.lo, wr.hi };
	e->least = least_positive(all, sizeof all / sizeof all[0], e->least);
	for (size_t i = 0; i < sizeof all / sizeof all[0]; i++)
		if (isfinite(all[i]) && all[i] > e->most)
			e->most = all[i];
	e->reads += isfinite(rd.med);
	e->writes += isfinite(wr.med);
	fprintf(f, "%u", c->threads);
	plot_num(f, rd.med);
	plot_num(f, rd.lo);
	plot_num(f, rd.hi);
	plot_num(f, wr.med);
	plot_num(f, wr.lo);
	plot_num(f, wr.hi);
	fprintf(f, " %zu %d %d %d %u\n", reps, starved(p, LB_SR_READ), starved(p, LB_SR_WRITE), c->oversubscribed, rgb);
}

int plot_write_rw(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const struct plot_series *se = &m->series[s];
		bool any = false;
		for (size_t i = 0; i < se->npoints && !any; i++)
			any = has_roles(&m->points[se->first + i]);
		if (any)
			m->blocks[nb++] = s;
	}
	if (nb == 0)
		return 0;
	FILE *f = plot_table_begin(
		dir, m, "rw.dat", "read and write acquisitions per second against thread count", false,
		"# medians and 95% CI of the median over the ok repetitions (config.summary.read_throughput_per_s,\n"
		"# write_throughput_per_s); with fewer than 6 repetitions the CI is [min, max]; a single sample is its\n"
		"# own CI; NaN: no thread had that role; reader_starved, writer_starved: 1 if a thread of that role\n"
		"# starved in any repetition (config.summary.reader_starved, writer_starved); n: ok repetitions\n"
		"# threads  read_per_s  read_ci95_low_per_s  read_ci95_high_per_s  write_per_s  write_ci95_low_per_s"
		"  write_ci95_high_per_s  n  reader_starved  writer_starved  oversubscribed  rgb\n",
		err, errlen);
	if (f == NULL)
		return -1;
	struct extent e = { .least = INFINITY };
	for (size_t b = 0; b < nb; b++) {
		const struct plot_series *se = &m->series[m->blocks[b]];
		if (b > 0)
			fputs("\n\n", f);
		plot_comment(f, "block %zu: %s (lock %s, workload %s)", b, se->label, se->lock_key, se->wl_key);
		for (size_t i = 0; i < se->npoints; i++)
			if (has_roles(&m->points[se->first + i]))
				rw_row(f, &m->points[se->first + i], se->rgb, &e);
	}
	plot_meta_blocks(meta, "rw", m, nb);
	fprintf(meta, "rw_reads = %zu\nrw_writes = %zu\n", e.reads, e.writes);
	fprintf(meta, "rw_max = %.10g\n", e.most > 0 ? e.most : 1.0);
	/* the dash type of each line, as throughput.dat's: one per workload and machine */
	fprintf(meta, "array rw_workload[%zu] = [", nb);
	for (size_t b = 0; b < nb; b++)
		fprintf(meta, "%s%u", b ? ", " : "", m->series[m->blocks[b]].dash);
	fputs("]\n", meta);
	fprintf(meta, "rw_zero = %.10g\n", isfinite(e.least) ? e.least / 10 : 1.0);
	return plot_table_end(f, m, "rw.dat", "rw", err, errlen);
}
