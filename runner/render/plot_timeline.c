/*
 * render/plot_timeline.c — the starvation timeline's table: acquisitions
 * per thread per time slice of the measured window, one block per lock.
 *
 * Up to PLOT_TIMELINE_MAX_ROWS threads each thread is a row, by its id, so
 * the chart says which thread starved and when. Beyond that a row would be
 * under a pixel high (1,024 threads in 265 px), so the threads are sorted
 * by their acquisitions over the window, from the fewest up, and cut into
 * PLOT_TIMELINE_MAX_ROWS equal groups; a row is a group and its value the
 * mean acquisitions per thread of the group in that slice. The starved end
 * of the distribution is then the bottom rows, whatever the thread ids.
 *
 * All panels share one colour scale (timeline_cmin to timeline_cmax: the
 * smallest value above 0, at most 1, and the largest of any lock in any
 * slice): a lock that acquires a hundred times less than
 * another looks darker, as it should.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "render/plot_int.h"

#define PLOT_TIMELINE_MAX_ROWS 64

static double repetition_of(const struct lb_sample *s)
{
	return s->repetition;
}

static double slice_of(const struct lb_sample *s)
{
	return s->has_timing ? (double)s->timing_slice_ns : NAN;
}

static void repetition_suffix(const struct plot_model *m, size_t b, char *buf, size_t len)
{
	snprintf(buf, len, " (repetition %u)", plot_pick_of(m, b)->repetition + 1);
}

/* Slices of a sample that lie mostly inside its window (a last slice less than half inside is left out). */
static size_t slices_of(const struct lb_sample *s, const struct lb_thread_figs *t)
{
	double slice_ns = (double)s->timing_slice_ns, window_ns = s->duration_s * 1e9;
	size_t k = 0;
	while (k < t->ntimeline && !(isfinite(window_ns) && window_ns - (double)k * slice_ns < slice_ns / 2))
		k++;
	return k;
}

struct ranked {
	uint64_t total;
	size_t thread;
};

static int by_total(const void *a, const void *b)
{
	const struct ranked *x = a, *y = b;
	if (x->total != y->total)
		return x->total < y->total ? -1 : 1;
	return (x->thread > y->thread) - (x->thread < y->thread);
}

/*
 * The rows of one block: rows x nslices values into v (row-major), from the
 * threads themselves or from groups of them. 0, or -1 out of memory.
 */
static int block_rows(const struct lb_sample *s, size_t rows, size_t nslices, double *v)
{
	size_t n = s->nthreads;
	if (rows == n) {
		for (size_t i = 0; i < n; i++)
			for (size_t k = 0; k < nslices; k++)
				v[i * nslices + k] = k < s->threads[i].ntimeline ? (double)s->threads[i].timeline[k] : 0;
		return 0;
	}
	struct ranked *r = plot_alloc_n(n, sizeof *r);
	if (r == NULL)
		return -1;
	for (size_t i = 0; i < n; i++) {
		r[i].thread = i;
		for (size_t k = 0; k < s->threads[i].ntimeline; k++)
			r[i].total += s->threads[i].timeline[k];
	}
	qsort(r, n, sizeof *r, by_total);
	for (size_t g = 0; g < rows; g++) {
		size_t lo = g * n / rows, hi = (g + 1) * n / rows;
		for (size_t k = 0; k < nslices; k++) {
			double sum = 0;
			for (size_t i = lo; i < hi; i++) {
				const struct lb_thread_figs *t = &s->threads[r[i].thread];
				sum += k < t->ntimeline ? (double)t->timeline[k] : 0;
			}
			v[g * nslices + k] = hi > lo ? sum / (double)(hi - lo) : 0;
		}
	}
	free(r);
	return 0;
}

static int write_rows(FILE *f, struct plot_model *m, size_t nb, size_t max_rows, double *cmin, double *cmax)
{
	for (size_t b = 0; b < nb; b++) {
		const struct lb_sample *s = plot_pick_of(m, b);
		size_t rows = s->nthreads > max_rows ? max_rows : s->nthreads, nslices = 0;
		for (size_t i = 0; i < s->nthreads; i++) {
			size_t k = slices_of(s, &s->threads[i]);
			nslices = k > nslices ? k : nslices;
		}
		double *v = plot_alloc_n(rows * (nslices ? nslices : 1), sizeof *v);
		if (v == NULL || block_rows(s, rows, nslices, v) != 0) {
			free(v);
			return -1;
		}
		double slice_ns = (double)s->timing_slice_ns;
		plot_block_comment(f, m, b);
		for (size_t r = 0; r < rows; r++) {
			if (r > 0)
				fputc('\n', f);
			for (size_t k = 0; k < nslices; k++) {
				double start = (double)k * slice_ns, x = v[r * nslices + k];
				*cmax = fmax(*cmax, x);
				if (x > 0)
					*cmin = fmin(*cmin, x);
				fprintf(f, "%.10g", start / 1e6);
				plot_num(f, (start + slice_ns) / 1e6);
				fprintf(f, " %u", rows == s->nthreads ? s->threads[r].id : (unsigned)r);
				plot_num(f, x);
				fputc('\n', f);
			}
		}
		free(v);
	}
	return 0;
}

int plot_write_timeline(const char *dir, struct plot_model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const struct plot_point *p = m->series[s].pick;
		if (p != NULL && p->median->nthreads > 0 && p->median->threads[0].ntimeline > 0 && p->median->has_timing &&
		    p->median->timing_slice_ns > 0)
			m->blocks[nb++] = s;
	}
	bool grouped = m->threads > PLOT_TIMELINE_MAX_ROWS;
	unsigned rows = grouped ? PLOT_TIMELINE_MAX_ROWS : m->threads;
	plot_meta_legend(meta, "timeline", m, nb, repetition_suffix);
	plot_meta_sample_array(meta, "timeline_repetition", m, nb, repetition_of);
	plot_meta_sample_array(meta, "timeline_slice_ns", m, nb, slice_of);
	fprintf(meta, "timeline_rows = %u\ntimeline_grouped = %d\n", rows, grouped);
	if (nb == 0) {
		fputs("timeline_cmin = 1\ntimeline_cmax = 10\n", meta);
		plot_note(m, "timeline: no per-thread timeline at %u threads; no timeline chart", m->threads);
		return 0;
	}
	FILE *f = plot_table_begin(
		dir, m, "timeline.dat", "acquisitions per thread per time slice", true,
		grouped ? "# from samples[].threads[].timeline of the repetition with the median throughput; time from the\n"
			  "# start of the measured window; a last slice less than half inside the window is left out.\n"
			  "# More threads than rows: threads sorted by acquisitions over the window, fewest first, cut\n"
			  "# into timeline_rows equal groups; `row` is the group and `acquisitions` the mean per thread\n"
			  "# of the group in the slice. One scan per row (time varies fastest), separated by a blank line\n"
			  "# slice_start_ms  slice_end_ms  row  acquisitions\n"
			: "# from samples[].threads[].timeline of the repetition with the median throughput; time from the\n"
			  "# start of the measured window; a last slice less than half inside the window is left out;\n"
			  "# within a block one scan per thread (time varies fastest), scans separated by one blank line\n"
			  "# slice_start_ms  slice_end_ms  thread  acquisitions\n",
		err, errlen);
	if (f == NULL)
		return -1;
	/* A scale of at least 1 to 10, so an idle chart still has a legend; below 1 for a group's mean. */
	double cmin = 1, cmax = 10;
	if (write_rows(f, m, nb, rows, &cmin, &cmax) != 0) {
		fclose(f);
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	fprintf(meta, "timeline_cmin = %.10g\ntimeline_cmax = %.10g\n", cmin, cmax);
	return plot_table_end(f, m, "timeline.dat", "timeline", err, errlen);
}
