/*
 * render/plot.c — `lockbench plot FILE`: charts of a result or of a compare
 * verdict.
 *
 * The division of labour: this file only prepares data; the gnuplot scripts
 * in plots/ do all the drawing. For a result (schema "lockbench/1") it
 * writes throughput.dat, latency.dat, fairness.dat and timeline.dat; for a
 * verdict of `lockbench compare --json` (schema "lockbench-compare/1") it
 * writes compare.dat. Every .dat is a plain whitespace table whose first
 * lines are `#` comments naming each column with its unit; one block per
 * lock, blocks separated by two blank lines (gnuplot's `index`). Beside them
 * goes meta.gp: plain gnuplot assignments (titles, the PU count, the chosen
 * thread count, one key title per block) that every script loads. So a
 * script runs on its own: gnuplot -e "datadir='plots/out/x'" plots/throughput.gp
 *
 * Colours: a lock keeps one colour in every chart. It is taken from a fixed
 * palette by the lock's position in the result (first appearance in
 * "configs") and written into every row as a 24-bit integer, which the
 * scripts use with `lc rgb variable`.
 *
 * With several repetitions, the per-thread charts (latency,
 * fairness, timeline) show one real repetition rather than a blend that never
 * happened: the one whose throughput is the median (the lower median for an
 * even count). Each block's comment names it.
 *
 * Nothing is half-written: all input is checked, gnuplot and the scripts are
 * found, then everything is produced in a temporary directory next to the
 * output and only moved into place when every chart rendered. gnuplot is
 * started with posix_spawn and its variables passed as one -e argument, never
 * through a shell; strings from the result are quoted for gnuplot, so a host
 * name cannot become a command.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <jansson.h>
#include <limits.h>
#include <math.h>
#include <signal.h>
#include <spawn.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cmd/cli.h"
#include "engine/params.h"

extern char **environ;

#define SCHEMA_RESULT "lockbench/1"
#define SCHEMA_COMPARE "lockbench-compare/1"

#ifdef LB_DATADIR
#define LB_DATADIR_TEXT LB_DATADIR
#else
#define LB_DATADIR_TEXT "/usr/local/share/lockbench"
#endif
static const char plot_help[] =
	"usage: lockbench plot FILE [options]\n"
	"  FILE is a result (lockbench run) or a verdict (lockbench compare --json).\n"
	"  -o, --output DIR       where the charts go (default plots/out/<FILE without .json>)\n"
	"  -f, --format FMT       png | svg | both (default both)\n"
	"  -t, --threads N        thread count of the latency, fairness and timeline charts\n"
	"                         (default: the largest in the result)\n"
	"      --data-only        write the .dat tables and meta.gp, do not run gnuplot\n"
	"  -q, --quiet            no notes, no closing line\n"
	"  -h, --help             this text\n"
	"gnuplot is looked up on PATH; the scripts in $LOCKBENCH_PLOTS_DIR, else in\n"
	"<directory of the lockbench binary>/plots, else <that directory>/../share/lockbench/plots,\n"
	"else " LB_DATADIR_TEXT "/plots.\n"
	"exit codes: 0 ok, 2 usage or input error (nothing is left behind), 130 interrupted\n";

/* Okabe & Ito's colour-blind-safe palette; a lock's colour is palette[index % 8]. */
static const unsigned palette[] = {
	0x0072b2, /* blue */
	0xd55e00, /* vermillion */
	0x009e73, /* bluish green */
	0xcc79a7, /* reddish purple */
	0xe69f00, /* orange */
	0x56b4e9, /* sky blue */
	0x000000, /* black */
	0x999999, /* grey */
};
#define PALETTE_LEN (sizeof palette / sizeof palette[0])

/* Verdicts of `lockbench compare`, in the order the compare chart's key lists them. */
static const struct {
	const char *name;
	unsigned rgb;
} verdicts[] = {
	{ "regression", 0xd55e00 }, { "improvement", 0x009e73 }, { "ok", 0x0072b2 },
	{ "inconclusive", 0xe69f00 }, { "n/a", 0x999999 },
};
#define N_VERDICTS (sizeof verdicts / sizeof verdicts[0])

/* Every file plot may write into an output directory: stale ones are removed on a re-render. */
static const char *const known_files[] = {
	"meta.gp",        "throughput.dat", "throughput.png", "throughput.svg", "latency.dat",
	"latency.png",    "latency.svg",    "fairness.dat",   "fairness.png",   "fairness.svg",
	"timeline.dat",   "timeline.png",   "timeline.svg",   "compare.dat",    "compare.png",
	"compare.svg",
};
#define N_KNOWN (sizeof known_files / sizeof known_files[0])

#define MAX_CHARTS 4

struct options {
	const char *input;
	const char *output;
	const char *formats[2]; /* "png", "svg" */
	size_t nformats;
	unsigned threads; /* 0: the largest */
	bool data_only, quiet;
};

/* One line of a chart: a lock (with its parameters) under one workload. */
struct series {
	char *lock_key; /* "gil:interval=5ms,force_switch=1", unique per lock variant */
	char *lock_name;
	char *wl_key;
	char label[512];
	size_t lock_index, wl_index;
	unsigned rgb;
};

struct model {
	json_t *doc;
	const char *source;   /* basename of the input */
	struct series *series;
	size_t nseries;
	char **lock_keys, **wl_keys;
	size_t nlocks, nwls;
	size_t nconfigs;
	size_t *config_series; /* series of each config */
	unsigned threads;      /* the chosen thread count */
	json_t **pick;         /* per series: its sample shown at that thread count, or NULL */
	size_t *pick_nok;      /* per series: the ok samples it was picked from */
	size_t *blocks;        /* scratch: the series of each block of the .dat being written */
	unsigned pus;
	char charts[MAX_CHARTS][16]; /* scripts to run, without .gp */
	size_t ncharts;
	char *notes[64];
	size_t nnotes;
};

/* Where output is being assembled, for cleanup on failure. */
struct staging {
	char tmp[PATH_MAX];
	char *created[64]; /* parent directories we made, outermost first */
	size_t ncreated;
};

static volatile sig_atomic_t plot_interrupted;

static void on_signal(int sig)
{
	(void)sig;
	plot_interrupted = 1;
}

/* ---- small helpers ---- */

static json_t *jget(const json_t *o, const char *key)
{
	return json_is_object(o) ? json_object_get(o, key) : NULL;
}

static double jnum(const json_t *v)
{
	return json_is_number(v) ? json_number_value(v) : NAN;
}

static const char *jstr(const json_t *v, const char *fallback)
{
	return json_is_string(v) ? json_string_value(v) : fallback;
}

/* A count or an id: a non-negative JSON integer, else 0. */
static unsigned jcount(const json_t *v)
{
	json_int_t i = json_is_integer(v) ? json_integer_value(v) : 0;
	return i > 0 && i <= UINT_MAX ? (unsigned)i : 0;
}

/* printf onto the end of the string in buf, truncating at len. */
static void append(char *buf, size_t len, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void append(char *buf, size_t len, const char *fmt, ...)
{
	size_t used = strlen(buf);
	if (used + 1 >= len)
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(buf + used, len - used, fmt, ap);
	va_end(ap);
}

static char *xstrdup(const char *s)
{
	char *d = strdup(s);
	if (d == NULL) {
		fputs("lockbench: plot: out of memory\n", stderr);
		exit(LB_EXIT_USAGE);
	}
	return d;
}

static void note(struct model *m, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void note(struct model *m, const char *fmt, ...)
{
	if (m->nnotes == sizeof m->notes / sizeof m->notes[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	if (vasprintf(&m->notes[m->nnotes], fmt, ap) >= 0)
		m->nnotes++;
	va_end(ap);
}

/* A number for a .dat table: NaN where the value is undefined (JSON null). */
static void put_num(FILE *f, double v)
{
	if (isfinite(v))
		fprintf(f, " %.10g", v);
	else
		fputs(" NaN", f);
}

/* A gnuplot single-quoted string: a quote is doubled, nothing else is special there. */
static void gp_string(FILE *f, const char *s)
{
	fputc('\'', f);
	for (; *s; s++) {
		if (*s == '\'')
			fputs("''", f);
		else
			fputc((unsigned char)*s < 0x20 ? ' ' : *s, f);
	}
	fputc('\'', f);
}

/* A double-quoted string column of a .dat table (gnuplot's strcol). */
static void dat_string(FILE *f, const char *s)
{
	fputs(" \"", f);
	for (; *s; s++)
		fputc(*s == '"' ? '\'' : (unsigned char)*s < 0x20 ? ' ' : *s, f);
	fputc('"', f);
}

/* Field k (0-based) of a '|'-separated config id, into buf; false if absent. */
static bool id_field(const char *id, size_t k, char *buf, size_t len)
{
	for (size_t i = 0; i < k && id; i++) {
		id = strchr(id, '|');
		if (id)
			id++;
	}
	if (id == NULL)
		return false;
	size_t n = strcspn(id, "|");
	if (n >= len)
		n = len - 1;
	memcpy(buf, id, n);
	buf[n] = '\0';
	return true;
}

/* Number of CPUs in a list such as "0-3,8,10-11"; 0 if it does not parse. */
static unsigned count_cpu_list(const char *s)
{
	unsigned n = 0;
	while (s && *s) {
		char *end;
		unsigned long a = strtoul(s, &end, 10), b = a;
		if (end == s)
			return 0;
		if (*end == '-') {
			s = end + 1;
			b = strtoul(s, &end, 10);
			if (end == s || b < a)
				return 0;
		}
		n += (unsigned)(b - a + 1);
		s = *end == ',' ? end + 1 : end;
		if (*end != ',' && *end != '\0')
			return 0;
	}
	return n;
}

/* ---- reading the input ---- */

static bool sample_usable(const json_t *s)
{
	return strcmp(jstr(jget(s, "status"), ""), "ok") == 0 && json_is_number(jget(s, "throughput_per_s"));
}

/*
 * The repetition shown where only one can be: the ok sample with the median
 * throughput (the lower median for an even count). NULL if none is ok.
 */
static json_t *median_sample(const json_t *config, size_t *nok)
{
	json_t *samples = jget(config, "samples"), *s, *median;
	size_t i, n = 0;
	*nok = 0;
	if (jcount(jget(config, "threads")) == 0 || json_array_size(samples) == 0)
		return NULL;
	json_t **ok = malloc(json_array_size(samples) * sizeof *ok);
	if (ok == NULL)
		return NULL;
	json_array_foreach(samples, i, s)
		if (sample_usable(s))
			ok[n++] = s;
	*nok = n;
	/* Insertion sort by throughput, stable: ties keep repetition order. */
	for (size_t a = 1; a < n; a++) {
		json_t *x = ok[a];
		size_t b = a;
		while (b > 0 && jnum(jget(ok[b - 1], "throughput_per_s")) > jnum(jget(x, "throughput_per_s"))) {
			ok[b] = ok[b - 1];
			b--;
		}
		ok[b] = x;
	}
	median = n ? ok[(n - 1) / 2] : NULL;
	free(ok);
	return median;
}

static size_t intern(char ***keys, size_t *n, const char *key)
{
	for (size_t i = 0; i < *n; i++)
		if (strcmp((*keys)[i], key) == 0)
			return i;
	char **grown = realloc(*keys, (*n + 1) * sizeof **keys);
	if (grown == NULL) {
		fputs("lockbench: plot: out of memory\n", stderr);
		exit(LB_EXIT_USAGE);
	}
	*keys = grown;
	(*keys)[*n] = xstrdup(key);
	return (*n)++;
}

/* A lock's or workload's identity: from the config id when there is one, else name + parameters. */
static void config_key(const json_t *config, size_t field, const char *obj, char *buf, size_t len)
{
	const char *id = jstr(jget(config, "id"), NULL);
	if (id != NULL && id_field(id, field, buf, len) && buf[0] != '\0') {
		size_t n = strlen(buf);
		if (buf[n - 1] == ':') /* "ticket:" — a lock without parameters */
			buf[n - 1] = '\0';
		return;
	}
	const json_t *o = jget(config, obj);
	char *params = json_dumps(jget(o, "params"), JSON_COMPACT | JSON_SORT_KEYS);
	const char *name = jstr(jget(o, "name"), "?");
	if (params != NULL && strcmp(params, "{}") != 0)
		snprintf(buf, len, "%s:%s", name, params);
	else
		snprintf(buf, len, "%s", name);
	free(params);
}

/* Whether the comma-separated list params holds the item p[0..plen). */
static bool has_param(const char *params, const char *p, size_t plen)
{
	while (*params) {
		size_t n = strcspn(params, ",");
		if (n == plen && strncmp(params, p, plen) == 0)
			return true;
		params += n;
		if (*params == ',')
			params++;
	}
	return false;
}

/*
 * A short label for a lock or workload key "name:k=v,k2=v2": the name, plus
 * only the parameters in which it differs from another key of the same name
 * ("gil:interval=1ms" beside "gil:interval=5ms"; "ticket" alone).
 */
static void short_variant(const char *key, char *const *keys, size_t nkeys, char *buf, size_t len)
{
	size_t name_len = strcspn(key, ":");
	snprintf(buf, len, "%.*s", (int)name_len, key);
	if (key[name_len] == '\0')
		return;
	const char *params = key + name_len + 1;
	char sep = ':';
	for (const char *p = params; *p;) {
		size_t plen = strcspn(p, ",");
		bool differs = false;
		for (size_t k = 0; k < nkeys; k++)
			if (keys[k] != key && strncmp(keys[k], key, name_len + 1) == 0)
				differs |= !has_param(keys[k] + name_len + 1, p, plen);
		if (differs) {
			append(buf, len, "%c%.*s", sep, (int)plen, p);
			sep = ',';
		}
		p += plen;
		if (*p == ',')
			p++;
	}
}

static int build_series(struct model *m, char *err, size_t errlen)
{
	json_t *configs = jget(m->doc, "configs"), *c;
	size_t i;
	m->nconfigs = json_array_size(configs);
	m->config_series = calloc(m->nconfigs ? m->nconfigs : 1, sizeof *m->config_series);
	m->series = calloc(m->nconfigs ? m->nconfigs : 1, sizeof *m->series);
	m->pick = calloc(m->nconfigs ? m->nconfigs : 1, sizeof *m->pick);
	m->pick_nok = calloc(m->nconfigs ? m->nconfigs : 1, sizeof *m->pick_nok);
	m->blocks = calloc(m->nconfigs ? m->nconfigs : 1, sizeof *m->blocks);
	if (m->config_series == NULL || m->series == NULL || m->pick == NULL || m->pick_nok == NULL ||
	    m->blocks == NULL) {
		snprintf(err, errlen, "out of memory");
		return -1;
	}
	json_array_foreach(configs, i, c) {
		char lk[512], wk[512];
		config_key(c, 0, "lock", lk, sizeof lk);
		config_key(c, 1, "workload", wk, sizeof wk);
		size_t li = intern(&m->lock_keys, &m->nlocks, lk), wi = intern(&m->wl_keys, &m->nwls, wk), s;
		for (s = 0; s < m->nseries; s++)
			if (m->series[s].lock_index == li && m->series[s].wl_index == wi)
				break;
		if (s == m->nseries) {
			struct series *se = &m->series[m->nseries++];
			se->lock_key = m->lock_keys[li];
			se->lock_name = xstrdup(jstr(jget(jget(c, "lock"), "name"), "?"));
			se->wl_key = m->wl_keys[wi];
			se->lock_index = li;
			se->wl_index = wi;
			se->rgb = palette[li % PALETTE_LEN];
		}
		m->config_series[i] = s;
	}
	for (size_t s = 0; s < m->nseries; s++) {
		struct series *se = &m->series[s];
		char lock[256], wl[256];
		short_variant(se->lock_key, m->lock_keys, m->nlocks, lock, sizeof lock);
		short_variant(se->wl_key, m->wl_keys, m->nwls, wl, sizeof wl);
		se->label[0] = '\0';
		append(se->label, sizeof se->label, "%s", lock);
		if (m->nwls > 1)
			append(se->label, sizeof se->label, " / %s", wl);
	}
	return 0;
}

/*
 * The sample shown for series s at the chosen thread count: the median-
 * throughput ok sample of its config there; *nok is how many ok samples
 * it was chosen from. NULL when the series has no such config.
 */
static json_t *pick_sample(const struct model *m, size_t s, size_t *nok)
{
	json_t *configs = jget(m->doc, "configs"), *c, *smp;
	size_t i;
	*nok = 0;
	json_array_foreach(configs, i, c)
		if (m->config_series[i] == s && jcount(jget(c, "threads")) == m->threads &&
		    (smp = median_sample(c, nok)) != NULL)
			return smp;
	return NULL;
}

/* The largest thread count with a usable sample, or check that the asked one has one. */
static int choose_threads(struct model *m, unsigned asked, char *err, size_t errlen)
{
	json_t *configs = jget(m->doc, "configs"), *c;
	size_t i, nok;
	unsigned largest = 0;
	bool found = false;
	char have[256] = "";
	json_array_foreach(configs, i, c) {
		unsigned t = jcount(jget(c, "threads"));
		if (median_sample(c, &nok) == NULL)
			continue;
		largest = t > largest ? t : largest;
		found |= t == asked;
	}
	if (asked != 0 && !found) {
		/* Name the thread counts there are, in ascending order. */
		for (unsigned t = 1; t <= largest; t++) {
			bool has = false;
			json_array_foreach(configs, i, c)
				has |= jcount(jget(c, "threads")) == t && median_sample(c, &nok) != NULL;
			if (has)
				append(have, sizeof have, "%s%u", have[0] ? "," : "", t);
		}
		snprintf(err, errlen, "--threads: %s has no ok sample at %u threads (it has %s)", m->source, asked,
			 have);
		return -1;
	}
	m->threads = asked ? asked : largest;
	for (size_t s = 0; s < m->nseries; s++)
		m->pick[s] = pick_sample(m, s, &m->pick_nok[s]);
	return 0;
}

/* ---- the output directory ---- */

static int path_join(char *buf, size_t len, const char *dir, const char *name, char *err, size_t errlen)
{
	if ((size_t)snprintf(buf, len, "%s/%s", dir, name) >= len) {
		snprintf(err, errlen, "%s/%s: path too long", dir, name);
		return -1;
	}
	return 0;
}

static FILE *open_dat(const struct staging *st, const char *name, char *err, size_t errlen)
{
	char path[PATH_MAX];
	if (path_join(path, sizeof path, st->tmp, name, err, errlen) != 0)
		return NULL;
	FILE *f = fopen(path, "w");
	if (f == NULL)
		snprintf(err, errlen, "%s: cannot create: %s", path, strerror(errno));
	return f;
}

static int close_dat(FILE *f, const char *name, char *err, size_t errlen)
{
	if (ferror(f) | fclose(f)) {
		snprintf(err, errlen, "%s: write failed: %s", name, strerror(errno));
		return -1;
	}
	return 0;
}

/* Remove every file of a flat directory we made, then the directory. */
static void remove_flat_dir(const char *dir)
{
	DIR *d = opendir(dir);
	if (d != NULL) {
		struct dirent *e;
		char path[PATH_MAX];
		while ((e = readdir(d)) != NULL)
			if (strcmp(e->d_name, ".") != 0 && strcmp(e->d_name, "..") != 0 &&
			    (size_t)snprintf(path, sizeof path, "%s/%s", dir, e->d_name) < sizeof path)
				unlink(path);
		closedir(d);
	}
	rmdir(dir);
}

static void staging_abandon(struct staging *st)
{
	if (st->tmp[0] != '\0')
		remove_flat_dir(st->tmp);
	for (size_t i = st->ncreated; i-- > 0;)
		rmdir(st->created[i]);
	for (size_t i = 0; i < st->ncreated; i++)
		free(st->created[i]);
	st->ncreated = 0;
	st->tmp[0] = '\0';
}

/* Check the output path, make its missing parents, and a temporary directory beside it. */
static int staging_begin(struct staging *st, const char *out, char *err, size_t errlen)
{
	struct stat sb;
	if (stat(out, &sb) == 0 && !S_ISDIR(sb.st_mode)) {
		snprintf(err, errlen, "--output: %s exists and is not a directory", out);
		return -1;
	}
	char parent[PATH_MAX], base[NAME_MAX + 1];
	if (snprintf(parent, sizeof parent, "%s", out) >= (int)sizeof parent) {
		snprintf(err, errlen, "--output: path too long");
		return -1;
	}
	size_t n = strlen(parent);
	while (n > 1 && parent[n - 1] == '/')
		parent[--n] = '\0';
	char *slash = strrchr(parent, '/');
	const char *last = slash ? slash + 1 : parent;
	if (strlen(last) > NAME_MAX) {
		snprintf(err, errlen, "--output: name too long");
		return -1;
	}
	memcpy(base, last, strlen(last) + 1);
	if (slash == parent)
		parent[1] = '\0';
	else if (slash != NULL)
		*slash = '\0';
	else
		strcpy(parent, ".");
	if (base[0] == '\0' || strcmp(base, ".") == 0 || strcmp(base, "..") == 0) {
		snprintf(err, errlen, "--output: \"%s\" does not name a directory to create or fill", out);
		return -1;
	}
	/* mkdir -p the parent, remembering what we made so a failure can undo it. */
	for (char *p = parent + 1;; p++) {
		if (*p != '/' && *p != '\0')
			continue;
		char saved = *p;
		*p = '\0';
		if (mkdir(parent, 0777) == 0) {
			if (st->ncreated < sizeof st->created / sizeof st->created[0])
				st->created[st->ncreated++] = xstrdup(parent);
		} else if (errno != EEXIST || stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode)) {
			snprintf(err, errlen, "--output: cannot create %s: %s", parent,
				 errno == EEXIST ? "not a directory" : strerror(errno));
			*p = saved;
			staging_abandon(st);
			return -1;
		}
		*p = saved;
		if (saved == '\0')
			break;
	}
	if ((size_t)snprintf(st->tmp, sizeof st->tmp, "%s/.%s.plot-XXXXXX", parent, base) >= sizeof st->tmp ||
	    mkdtemp(st->tmp) == NULL) {
		snprintf(err, errlen, "--output: cannot create a directory in %s: %s", parent, strerror(errno));
		st->tmp[0] = '\0';
		staging_abandon(st);
		return -1;
	}
	return 0;
}

/*
 * Move what was made into place: a new directory is renamed into place as a
 * whole; into an existing one the files are moved one by one (other files
 * there are left alone), and files of an earlier render that this one did
 * not make are removed so no stale chart survives.
 */
static int staging_commit(struct staging *st, const char *out, char *err, size_t errlen)
{
	struct stat sb;
	mode_t mask = umask(0);
	umask(mask);
	if (stat(out, &sb) != 0) {
		chmod(st->tmp, 0777 & ~mask); /* mkdtemp made it 0700 */
		if (rename(st->tmp, out) != 0) {
			snprintf(err, errlen, "--output: cannot create %s: %s", out, strerror(errno));
			return -1;
		}
	} else {
		for (size_t i = 0; i < N_KNOWN; i++) {
			char from[PATH_MAX], to[PATH_MAX];
			if (path_join(from, sizeof from, st->tmp, known_files[i], err, errlen) != 0 ||
			    path_join(to, sizeof to, out, known_files[i], err, errlen) != 0)
				return -1;
			if (access(from, F_OK) == 0) {
				if (rename(from, to) != 0) {
					snprintf(err, errlen, "--output: cannot write %s: %s", to, strerror(errno));
					return -1;
				}
			} else {
				unlink(to);
			}
		}
		remove_flat_dir(st->tmp);
	}
	for (size_t i = 0; i < st->ncreated; i++)
		free(st->created[i]);
	st->ncreated = 0;
	st->tmp[0] = '\0';
	return 0;
}

/* ---- data of a result ---- */

static void dat_header(FILE *f, const char *name, const char *what, const struct model *m)
{
	fprintf(f, "# %s (lockbench plot, from %s): %s\n", name, m->source, what);
}

/* <chart>_blocks and the key title of each block, for the script of a chart. */
static void meta_blocks(FILE *f, const char *chart, const struct model *m, size_t nb)
{
	fprintf(f, "%s_blocks = %zu\n", chart, nb);
	if (nb == 0)
		return;
	fprintf(f, "array %s_key[%zu] = [", chart, nb);
	for (size_t b = 0; b < nb; b++) {
		fputs(b ? ", " : "", f);
		gp_string(f, m->series[m->blocks[b]].label);
	}
	fputs("]\n", f);
}

/* array <name>[nb] of one number of each block's picked sample (obj may be NULL: top level). */
static void meta_sample_array(FILE *f, const char *name, const struct model *m, size_t nb, const char *obj,
			      const char *key)
{
	if (nb == 0)
		return;
	fprintf(f, "array %s[%zu] = [", name, nb);
	for (size_t b = 0; b < nb; b++) {
		const json_t *smp = m->pick[m->blocks[b]];
		double v = jnum(jget(obj ? jget(smp, obj) : smp, key));
		fputs(b ? ", " : "", f);
		if (isfinite(v))
			fprintf(f, "%.10g", v);
		else
			fputs("NaN", f);
	}
	fputs("]\n", f);
}

/* The line above each block of a per-thread chart: which lock and which repetition. */
static void block_comment(FILE *f, const struct model *m, size_t b)
{
	size_t s = m->blocks[b];
	fprintf(f, "%s# block %zu: %s, repetition %.0f (the median throughput of %zu ok)\n", b ? "\n\n" : "", b,
		m->series[s].label, jnum(jget(m->pick[s], "repetition")), m->pick_nok[s]);
}

static int write_throughput(const struct staging *st, struct model *m, FILE *meta, char *err, size_t errlen)
{
	FILE *f = open_dat(st, "throughput.dat", err, errlen);
	if (f == NULL)
		return -1;
	dat_header(f, "throughput.dat", "acquisitions per second against thread count, one block per lock", m);
	fputs("# median and 95% CI of the median over the ok repetitions (config.summary.throughput_per_s);\n"
	      "# with fewer than 6 repetitions the CI is [min, max] (ci95_reached 0); a single sample is its own CI\n",
	      f);
	fputs("# threads  median_per_s  ci95_low_per_s  ci95_high_per_s  n  ci95_reached  oversubscribed  rgb\n", f);
	json_t *configs = jget(m->doc, "configs");
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		/* This series' configs with an ok sample, in thread order (selection sort: few configs). */
		bool started = false;
		double last = 0;
		for (;;) {
			json_t *c, *next = NULL;
			size_t i, nok;
			json_array_foreach(configs, i, c) {
				double t = jcount(jget(c, "threads"));
				if (m->config_series[i] == s && (!started || t > last) && median_sample(c, &nok) != NULL &&
				    (next == NULL || t < jcount(jget(next, "threads"))))
					next = c;
			}
			if (next == NULL)
				break;
			if (!started)
				fprintf(f, "%s# block %zu: %s (lock %s, workload %s)\n", nb ? "\n\n" : "", nb,
					m->series[s].label, m->series[s].lock_key, m->series[s].wl_key);
			started = true;
			last = jcount(jget(next, "threads"));
			const json_t *sum = jget(jget(next, "summary"), "throughput_per_s");
			double med = jnum(jget(sum, "median")), lo = jnum(jget(sum, "ci95_low")),
			       hi = jnum(jget(sum, "ci95_high")), reps = jnum(jget(sum, "n"));
			bool reached = json_is_true(jget(sum, "ci95_reached"));
			if (!isfinite(med) || !(reps >= 1)) {
				/* No summary: the median ok sample stands alone. */
				med = lo = hi = jnum(jget(median_sample(next, &nok), "throughput_per_s"));
				reps = 1;
				reached = false;
			}
			fprintf(f, "%.0f", last);
			put_num(f, med);
			put_num(f, lo);
			put_num(f, hi);
			fprintf(f, " %.0f %d %d %u\n", reps, reached, json_is_true(jget(jget(next, "pin"), "oversubscribed")),
				m->series[s].rgb);
		}
		if (started)
			m->blocks[nb++] = s;
		else
			note(m, "throughput: %s has no ok sample", m->series[s].label);
	}
	meta_blocks(meta, "throughput", m, nb);
	if (nb > 0) {
		fprintf(meta, "array throughput_workload[%zu] = [", nb);
		for (size_t b = 0; b < nb; b++)
			fprintf(meta, "%s%zu", b ? ", " : "", m->series[m->blocks[b]].wl_index + 1);
		fputs("]\n", meta);
	}
	if (close_dat(f, "throughput.dat", err, errlen) != 0)
		return -1;
	snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "throughput");
	return 0;
}

static int write_latency(const struct staging *st, struct model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	char skipped[1024] = "";
	for (size_t s = 0; s < m->nseries; s++) {
		if (m->pick[s] == NULL)
			continue;
		if (json_array_size(jget(m->pick[s], "latency_curve")) > 0) {
			m->blocks[nb++] = s;
			continue;
		}
		append(skipped, sizeof skipped, "%s%s", skipped[0] ? ", " : "", m->series[s].label);
	}
	fputs("latency_skipped = ", meta);
	gp_string(meta, skipped);
	fputc('\n', meta);
	meta_blocks(meta, "latency", m, nb);
	meta_sample_array(meta, "latency_repetition", m, nb, NULL, "repetition");
	if (skipped[0] != '\0')
		note(m, "latency: %s at %u threads: no latency curve (timing off); left out", skipped, m->threads);
	if (nb == 0)
		return 0;
	FILE *f = open_dat(st, "latency.dat", err, errlen);
	if (f == NULL)
		return -1;
	char what[128];
	snprintf(what, sizeof what, "acquisition latency (wait) percentiles at %u threads, one block per lock",
		 m->threads);
	dat_header(f, "latency.dat", what, m);
	fputs("# from samples[].latency_curve of the repetition with the median throughput; percentiles finer\n"
	      "# than one timed acquisition (1/(1-p) > latency_ns.count) and p = 100 (x infinite) are left out\n",
	      f);
	fputs("# percentile  one_over_1_minus_p  wait_ns  rgb\n", f);
	for (size_t b = 0; b < nb; b++) {
		const json_t *smp = m->pick[m->blocks[b]], *pt;
		double count = jnum(jget(jget(smp, "latency_ns"), "count"));
		size_t i;
		block_comment(f, m, b);
		json_array_foreach(jget(smp, "latency_curve"), i, pt) {
			double p = jnum(json_array_get(pt, 0)), x = 100.0 / (100.0 - p);
			if (!(p >= 0 && p < 100) || (isfinite(count) && x > count * (1 + 1e-9)))
				continue;
			fprintf(f, "%.10g", p);
			put_num(f, x);
			put_num(f, jnum(json_array_get(pt, 1)));
			fprintf(f, " %u\n", m->series[m->blocks[b]].rgb);
		}
	}
	if (close_dat(f, "latency.dat", err, errlen) != 0)
		return -1;
	snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "latency");
	return 0;
}

static int write_fairness(const struct staging *st, struct model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++)
		if (json_array_size(jget(m->pick[s], "threads")) > 0)
			m->blocks[nb++] = s;
	meta_blocks(meta, "fairness", m, nb);
	meta_sample_array(meta, "fairness_repetition", m, nb, NULL, "repetition");
	meta_sample_array(meta, "fairness_jain", m, nb, "fairness", "jain");
	meta_sample_array(meta, "fairness_factor", m, nb, "fairness", "fairness_factor");
	meta_sample_array(meta, "fairness_acquisitions", m, nb, NULL, "acquisitions");
	if (nb == 0)
		return 0;
	FILE *f = open_dat(st, "fairness.dat", err, errlen);
	if (f == NULL)
		return -1;
	char what[128];
	snprintf(what, sizeof what, "each thread's share of the acquisitions at %u threads, one block per lock",
		 m->threads);
	dat_header(f, "fairness.dat", what, m);
	fputs("# from samples[].threads[] of the repetition with the median throughput; fair_pct = 100/threads\n", f);
	fputs("# thread  share_pct  acquisitions  fair_pct  starved  rgb\n", f);
	for (size_t b = 0; b < nb; b++) {
		const json_t *smp = m->pick[m->blocks[b]], *threads = jget(smp, "threads"), *t;
		size_t i;
		double total = 0;
		block_comment(f, m, b);
		json_array_foreach(threads, i, t)
			total += jnum(jget(t, "acquisitions"));
		json_array_foreach(threads, i, t) {
			double acq = jnum(jget(t, "acquisitions"));
			fprintf(f, "%u", jcount(jget(t, "id")));
			put_num(f, total > 0 ? 100.0 * acq / total : NAN);
			put_num(f, acq);
			put_num(f, 100.0 / (double)json_array_size(threads));
			fprintf(f, " %d %u\n", json_is_true(jget(t, "starved")), m->series[m->blocks[b]].rgb);
		}
	}
	if (close_dat(f, "fairness.dat", err, errlen) != 0)
		return -1;
	snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "fairness");
	return 0;
}

static int write_timeline(const struct staging *st, struct model *m, FILE *meta, char *err, size_t errlen)
{
	size_t nb = 0;
	for (size_t s = 0; s < m->nseries; s++) {
		const json_t *t0 = json_array_get(jget(m->pick[s], "threads"), 0);
		if (json_array_size(jget(t0, "timeline")) > 0 && jnum(jget(jget(m->pick[s], "timing"), "slice_ns")) > 0)
			m->blocks[nb++] = s;
	}
	meta_blocks(meta, "timeline", m, nb);
	meta_sample_array(meta, "timeline_repetition", m, nb, NULL, "repetition");
	meta_sample_array(meta, "timeline_slice_ns", m, nb, "timing", "slice_ns");
	if (nb == 0) {
		note(m, "timeline: no per-thread timeline at %u threads; no timeline chart", m->threads);
		return 0;
	}
	FILE *f = open_dat(st, "timeline.dat", err, errlen);
	if (f == NULL)
		return -1;
	char what[128];
	snprintf(what, sizeof what, "acquisitions per thread per time slice at %u threads, one block per lock",
		 m->threads);
	dat_header(f, "timeline.dat", what, m);
	fputs("# from samples[].threads[].timeline of the repetition with the median throughput; time from the\n"
	      "# start of the measured window; a last slice less than half inside the window is left out;\n"
	      "# within a block one scan per thread (time varies fastest), scans separated by one blank line\n",
	      f);
	fputs("# slice_start_ms  slice_end_ms  thread  acquisitions\n", f);
	for (size_t b = 0; b < nb; b++) {
		const json_t *smp = m->pick[m->blocks[b]], *t, *v;
		double slice_ns = jnum(jget(jget(smp, "timing"), "slice_ns"));
		double window_ns = jnum(jget(smp, "duration_s")) * 1e9;
		size_t i, k;
		block_comment(f, m, b);
		json_array_foreach(jget(smp, "threads"), i, t) {
			if (i > 0)
				fputc('\n', f);
			json_array_foreach(jget(t, "timeline"), k, v) {
				double start = (double)k * slice_ns;
				if (isfinite(window_ns) && window_ns - start < slice_ns / 2)
					break;
				fprintf(f, "%.10g", start / 1e6);
				put_num(f, (start + slice_ns) / 1e6);
				fprintf(f, " %u", jcount(jget(t, "id")));
				put_num(f, jnum(v));
				fputc('\n', f);
			}
		}
	}
	if (close_dat(f, "timeline.dat", err, errlen) != 0)
		return -1;
	snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "timeline");
	return 0;
}

/* The titles every chart of a result shares. */
static void write_result_meta(FILE *f, const struct model *m)
{
	const json_t *ctx = jget(m->doc, "context"), *opt = jget(ctx, "options");
	char buf[1024], a[32], b[32];
	fprintf(f, "# meta.gp (lockbench plot, from %s): gnuplot assignments every chart script loads:\n"
		   "# titles, the PU count, the thread count of the per-thread charts, and per block of each\n"
		   "# .dat table its key title (<chart>_key) and figures (see README.md, Charts)\n",
		m->source);
	fputs("kind = 'result'\nsource = ", f);
	gp_string(f, m->source);
	/* One workload in full; several by what tells them apart (the .dat block comments have them in full). */
	buf[0] = '\0';
	for (size_t w = 0; w < m->nwls; w++) {
		char wl[256];
		short_variant(m->wl_keys[w], m->wl_keys, m->nwls, wl, sizeof wl);
		append(buf, sizeof buf, "%s%s", w ? ", " : "", m->nwls > 1 ? wl : m->wl_keys[w]);
	}
	fputs("\nworkload = ", f);
	gp_string(f, buf);

	unsigned topo_pus = jcount(jget(jget(ctx, "topology"), "pus"));
	snprintf(buf, sizeof buf, "%s, %s, %u PU%s", jstr(jget(ctx, "host"), "unknown host"),
		 jstr(jget(ctx, "cpu_model"), "unknown CPU"), m->pus, m->pus == 1 ? "" : "s");
	if (topo_pus > m->pus)
		append(buf, sizeof buf, " allowed of %u", topo_pus);
	fputs("\nmachine = ", f);
	gp_string(f, buf);

	double every = jnum(jget(opt, "timing_sample_every"));
	char timing[32];
	if (every == 0)
		snprintf(timing, sizeof timing, "off");
	else if (every == 1 || !isfinite(every))
		snprintf(timing, sizeof timing, "all");
	else
		snprintf(timing, sizeof timing, "sample:%.0f", every);
	lb_human_ns(jnum(jget(opt, "duration_ns")), a, sizeof a);
	lb_human_ns(jnum(jget(opt, "warmup_ns")), b, sizeof b);
	double reps = jnum(jget(opt, "repeat"));
	snprintf(buf, sizeof buf, "%s window, %s warm-up, %.0f repetition%s, pin %s, timing %s", a, b,
		 isfinite(reps) ? reps : 1, reps == 1 ? "" : "s", jstr(jget(opt, "pin"), "?"), timing);
	fputs("\nrun = ", f);
	gp_string(f, buf);
	snprintf(buf, sizeof buf, "%s, lockbench %s (%s), %s", m->source, jstr(jget(ctx, "version"), "?"),
		 jstr(jget(ctx, "git_commit"), "?"), jstr(jget(ctx, "started_utc"), "?"));
	fputs("\nfooter = ", f);
	gp_string(f, buf);
	fprintf(f, "\npus = %u\nthreads = %u\n", m->pus, m->threads);
}

static int write_result(const struct staging *st, struct model *m, char *err, size_t errlen)
{
	const json_t *ctx = jget(m->doc, "context");
	m->pus = count_cpu_list(jstr(jget(ctx, "allowed_cpus"), ""));
	if (m->pus == 0)
		m->pus = jcount(jget(jget(ctx, "topology"), "pus"));
	FILE *meta = open_dat(st, "meta.gp", err, errlen);
	if (meta == NULL)
		return -1;
	write_result_meta(meta, m);
	int rc = write_throughput(st, m, meta, err, errlen);
	if (rc == 0)
		rc = write_latency(st, m, meta, err, errlen);
	if (rc == 0)
		rc = write_fairness(st, m, meta, err, errlen);
	if (rc == 0)
		rc = write_timeline(st, m, meta, err, errlen);
	if (close_dat(meta, "meta.gp", err, errlen) != 0)
		rc = -1;
	return rc;
}

/* ---- data of a compare verdict ---- */

/* Whether field k of the config ids ("lock|workload|threads=N|pin=P") differs between rows. */
static bool id_field_varies(const json_t *rows, size_t k)
{
	char first[512], other[512];
	const json_t *row;
	size_t r;
	if (!id_field(jstr(jget(json_array_get(rows, 0), "config"), ""), k, first, sizeof first))
		return true;
	json_array_foreach(rows, r, row)
		if (!id_field(jstr(jget(row, "config"), ""), k, other, sizeof other) || strcmp(first, other) != 0)
			return true;
	return false;
}

/* A row's label: the fields of its config id that differ between rows, then the metric. */
static void compare_label(const json_t *rows, const json_t *row, char *buf, size_t len)
{
	char field[512];
	buf[0] = '\0';
	for (size_t k = 0; id_field(jstr(jget(row, "config"), ""), k, field, sizeof field); k++) {
		if (!id_field_varies(rows, k) && !(k == 0 && json_array_size(rows) == 1))
			continue;
		size_t n = strlen(field);
		if (n > 0 && field[n - 1] == ':') /* "ticket:" — a lock without parameters */
			field[n - 1] = '\0';
		append(buf, len, "%s%s", buf[0] ? " " : "", field);
	}
	append(buf, len, "%s%s", buf[0] ? " " : "", jstr(jget(row, "metric"), "?"));
}

/* The fields of the config ids that every row shares: what the labels leave out. */
static void compare_common(const json_t *rows, char *buf, size_t len)
{
	char field[512];
	buf[0] = '\0';
	for (size_t k = 0; json_array_size(rows) > 1 &&
			   id_field(jstr(jget(json_array_get(rows, 0), "config"), ""), k, field, sizeof field);
	     k++)
		if (!id_field_varies(rows, k))
			append(buf, len, "%s%s", buf[0] ? " " : "", field);
}

static int write_compare(const struct staging *st, struct model *m, char *err, size_t errlen)
{
	const json_t *doc = m->doc, *rows = jget(doc, "rows"), *row;
	const json_t *settings = jget(doc, "settings");
	FILE *meta = open_dat(st, "meta.gp", err, errlen);
	if (meta == NULL)
		return -1;
	fprintf(meta, "# meta.gp (lockbench plot, from %s): gnuplot assignments compare.gp loads:\n"
		      "# titles, the threshold, and the verdict colours (see README.md, Charts)\n",
		m->source);
	fputs("kind = 'compare'\nsource = ", meta);
	gp_string(meta, m->source);
	const char *sides[] = { "base", "new" };
	for (size_t i = 0; i < 2; i++) {
		const json_t *side = jget(doc, sides[i]);
		char buf[1024];
		snprintf(buf, sizeof buf, "%s (%s, %s, commit %s)", jstr(jget(side, "file"), "?"),
			 jstr(jget(side, "host"), "unknown host"), jstr(jget(side, "cpu_model"), "unknown CPU"),
			 jstr(jget(side, "git_commit"), "?"));
		fprintf(meta, "\n%s = ", sides[i]);
		gp_string(meta, buf);
	}
	fputs("\nverdict = ", meta);
	gp_string(meta, jstr(jget(doc, "verdict"), "?"));
	char counts[256] = "";
	for (size_t v = 0; v < N_VERDICTS; v++)
		append(counts, sizeof counts, "%s%u %s", v ? ", " : "", jcount(jget(jget(doc, "counts"), verdicts[v].name)),
		       verdicts[v].name);
	fputs("\ncounts = ", meta);
	gp_string(meta, counts);
	fputc('\n', meta);
	char common[1024];
	compare_common(rows, common, sizeof common);
	fputs("common = ", meta);
	gp_string(meta, common);
	char unpaired[128] = "";
	size_t only_base = json_array_size(jget(doc, "only_in_base")), only_new = json_array_size(jget(doc, "only_in_new"));
	if (only_base + only_new > 0)
		snprintf(unpaired, sizeof unpaired, "%zu config%s only in base, %zu only in new: not compared", only_base,
			 only_base == 1 ? "" : "s", only_new);
	fputs("\nunpaired = ", meta);
	gp_string(meta, unpaired);
	fprintf(meta, "\nthreshold_pct = %.10g\nalpha = %.10g\n", jnum(jget(settings, "threshold_pct")),
		jnum(jget(settings, "alpha")));
	fprintf(meta, "rows = %zu\narray verdict_name[%zu] = [", json_array_size(rows), N_VERDICTS);
	for (size_t v = 0; v < N_VERDICTS; v++) {
		fputs(v ? ", " : "", meta);
		gp_string(meta, verdicts[v].name);
	}
	fprintf(meta, "]\narray verdict_rgb[%zu] = [", N_VERDICTS);
	for (size_t v = 0; v < N_VERDICTS; v++)
		fprintf(meta, "%s%u", v ? ", " : "", verdicts[v].rgb);
	fputs("]\n", meta);
	int rc = close_dat(meta, "meta.gp", err, errlen);
	if (rc != 0)
		return rc;

	FILE *f = open_dat(st, "compare.dat", err, errlen);
	if (f == NULL)
		return -1;
	dat_header(f, "compare.dat", "new against base per config and metric, one row each (rows[] of the verdict)",
		   m);
	fputs("# ratio = new_median/base_median with the bootstrap 95% CI of that ratio; NaN where undefined;\n"
	      "# base/new medians in the metric's unit (per_s, ns, or none); row 0 is the first row of the verdict\n",
	      f);
	fputs("# row  ratio  ci95_low  ci95_high  change_pct  p_value  base_median  new_median  base_n  new_n  rgb"
	      "  label  verdict  unit  better  reason\n",
	      f);
	size_t i;
	json_array_foreach(rows, i, row) {
		const char *v = jstr(jget(row, "verdict"), "n/a");
		unsigned rgb = verdicts[N_VERDICTS - 1].rgb;
		for (size_t k = 0; k < N_VERDICTS; k++)
			if (strcmp(v, verdicts[k].name) == 0)
				rgb = verdicts[k].rgb;
		char label[1024];
		compare_label(rows, row, label, sizeof label);
		const json_t *ci = jget(row, "ratio_ci95");
		fprintf(f, "%zu", i);
		put_num(f, jnum(jget(row, "ratio")));
		put_num(f, jnum(json_array_get(ci, 0)));
		put_num(f, jnum(json_array_get(ci, 1)));
		put_num(f, jnum(jget(row, "change_pct")));
		put_num(f, jnum(jget(row, "p_value")));
		put_num(f, jnum(jget(row, "base_median")));
		put_num(f, jnum(jget(row, "new_median")));
		put_num(f, jnum(jget(row, "base_n")));
		put_num(f, jnum(jget(row, "new_n")));
		fprintf(f, " %u", rgb);
		dat_string(f, label);
		dat_string(f, v);
		dat_string(f, jstr(jget(row, "unit"), ""));
		dat_string(f, jstr(jget(row, "better"), ""));
		dat_string(f, jstr(jget(row, "reason"), ""));
		fputc('\n', f);
	}
	if (close_dat(f, "compare.dat", err, errlen) != 0)
		return -1;
	snprintf(m->charts[m->ncharts++], sizeof m->charts[0], "compare");
	return 0;
}

/* ---- loading and checking the input ---- */

enum kind { KIND_RESULT, KIND_COMPARE };

static int load_input(const char *path, struct model *m, enum kind *kind, char *err, size_t errlen)
{
	json_error_t je;
	FILE *f = fopen(path, "r");
	if (f == NULL) {
		snprintf(err, errlen, "%s: cannot read: %s", path, strerror(errno));
		return -1;
	}
	m->doc = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (m->doc == NULL) {
		snprintf(err, errlen, "%s: not valid JSON (line %d: %s)", path, je.line, je.text);
		return -1;
	}
	const char *schema = jstr(jget(m->doc, "schema"), NULL);
	if (schema != NULL && strcmp(schema, SCHEMA_RESULT) == 0) {
		*kind = KIND_RESULT;
		if (!json_is_array(jget(m->doc, "configs"))) {
			snprintf(err, errlen, "%s: a " SCHEMA_RESULT " result without a \"configs\" array", path);
			return -1;
		}
		json_t *c;
		size_t i, nok, usable = 0;
		json_array_foreach(jget(m->doc, "configs"), i, c)
			usable += median_sample(c, &nok) != NULL;
		if (usable == 0) {
			snprintf(err, errlen, "%s: no ok samples to plot (every config failed, or none had finished)", path);
			return -1;
		}
		return 0;
	}
	if (schema != NULL && strcmp(schema, SCHEMA_COMPARE) == 0) {
		*kind = KIND_COMPARE;
		json_t *row;
		size_t i, finite = 0;
		json_array_foreach(jget(m->doc, "rows"), i, row)
			finite += isfinite(jnum(jget(row, "ratio")));
		if (finite == 0) {
			snprintf(err, errlen, "%s: no compared rows to plot (every row is n/a)", path);
			return -1;
		}
		return 0;
	}
	if (schema != NULL)
		snprintf(err, errlen, "%s: schema \"%s\" is neither " SCHEMA_RESULT " nor " SCHEMA_COMPARE, path, schema);
	else
		snprintf(err, errlen, "%s: not a lockbench result or compare verdict (no \"schema\")", path);
	return -1;
}

/* ---- gnuplot ---- */

static int find_gnuplot(char *buf, size_t len, char *err, size_t errlen)
{
	const char *path = getenv("PATH");
	if (path == NULL)
		path = "/usr/bin:/bin";
	for (const char *p = path;; p++) {
		size_t n = strcspn(p, ":");
		struct stat sb;
		if ((size_t)snprintf(buf, len, "%.*s%sgnuplot", (int)n, p, n ? "/" : "") < len && stat(buf, &sb) == 0 &&
		    S_ISREG(sb.st_mode) && access(buf, X_OK) == 0)
			return 0;
		p += n;
		if (*p == '\0')
			break;
	}
	snprintf(err, errlen, "gnuplot not found on PATH (Debian: apt-get install gnuplot-nox, or make deps)");
	return -1;
}

/*
 * Where the gnuplot scripts are: $LOCKBENCH_PLOTS_DIR; else beside the binary
 * (plots/ of a source tree), else in the installed tree relative to the binary
 * (bin/../share/lockbench/plots, so a DESTDIR or moved install works), else
 * where `make install` put them (LB_DATADIR/plots). The first that has
 * throughput.gp wins; with none, the first candidate is named in the error.
 */
#ifndef LB_DATADIR
#define LB_DATADIR "/usr/local/share/lockbench"
#endif
static int find_scripts(char *buf, size_t len, char *err, size_t errlen)
{
	const char *env = getenv("LOCKBENCH_PLOTS_DIR");
	if (env != NULL && env[0] != '\0') {
		snprintf(buf, len, "%s", env);
		return 0;
	}
	char exe[PATH_MAX];
	ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (n <= 0) {
		snprintf(err, errlen, "cannot find the gnuplot scripts: /proc/self/exe unreadable (set LOCKBENCH_PLOTS_DIR)");
		return -1;
	}
	exe[n] = '\0';
	*strrchr(exe, '/') = '\0';
	const char *const fmt[] = { "%s/plots", "%s/../share/lockbench/plots", "%s" };
	for (size_t i = 0; i < sizeof fmt / sizeof fmt[0]; i++) {
		char cand[PATH_MAX], probe[PATH_MAX + 16];
		if ((size_t)snprintf(cand, sizeof cand, fmt[i], i < 2 ? exe : LB_DATADIR "/plots") >= sizeof cand)
			continue;
		snprintf(probe, sizeof probe, "%s/throughput.gp", cand);
		if (i == 0 || access(probe, R_OK) == 0) {
			if ((size_t)snprintf(buf, len, "%s", cand) >= len) {
				snprintf(err, errlen, "cannot find the gnuplot scripts: path too long (set LOCKBENCH_PLOTS_DIR)");
				return -1;
			}
			if (access(probe, R_OK) == 0)
				return 0;
		}
	}
	return 0; /* buf holds the first candidate: the caller names it in its error */
}

/* A path as gnuplot will read it inside '...': no control characters allowed. */
static int check_gp_path(const char *what, const char *p, char *err, size_t errlen)
{
	for (const char *s = p; *s; s++)
		if ((unsigned char)*s < 0x20) {
			snprintf(err, errlen, "%s: a path with a control character cannot be passed to gnuplot", what);
			return -1;
		}
	return 0;
}

/* Append s to buf as a gnuplot single-quoted string. */
static void gp_quote_into(char *buf, size_t len, const char *s)
{
	size_t u = strlen(buf);
	if (u + 1 < len)
		buf[u++] = '\'';
	for (; *s && u + 2 < len; s++) {
		buf[u++] = *s;
		if (*s == '\'')
			buf[u++] = '\'';
	}
	if (u + 1 < len)
		buf[u++] = '\'';
	buf[u] = '\0';
}

/* Run gnuplot on one script; on failure the last line gnuplot printed goes into err. */
static int run_gnuplot(const char *gnuplot, const char *script, const char *dir, const char *fmt, char *err,
		       size_t errlen)
{
	char expr[3 * PATH_MAX];
	snprintf(expr, sizeof expr, "datadir=");
	gp_quote_into(expr, sizeof expr, dir);
	strncat(expr, "; outdir=", sizeof expr - strlen(expr) - 1);
	gp_quote_into(expr, sizeof expr, dir);
	strncat(expr, "; fmt=", sizeof expr - strlen(expr) - 1);
	gp_quote_into(expr, sizeof expr, fmt);
	char *argv[] = { "gnuplot", "-e", expr, (char *)script, NULL };

	int fds[2];
	if (pipe2(fds, O_CLOEXEC) != 0) {
		snprintf(err, errlen, "cannot start gnuplot: %s", strerror(errno));
		return -1;
	}
	posix_spawn_file_actions_t fa;
	posix_spawn_file_actions_init(&fa);
	posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
	posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
	posix_spawn_file_actions_adddup2(&fa, fds[1], 2);
	pid_t pid;
	int rc = posix_spawn(&pid, gnuplot, &fa, NULL, argv, environ);
	posix_spawn_file_actions_destroy(&fa);
	close(fds[1]);
	if (rc != 0) {
		close(fds[0]);
		snprintf(err, errlen, "cannot start %s: %s", gnuplot, strerror(rc));
		return -1;
	}
	/* Keep the tail of what gnuplot says: its error is the last line. */
	char said[4096];
	size_t used = 0;
	ssize_t n;
	while ((n = read(fds[0], said + used, sizeof said - 1 - used)) != 0) {
		if (n < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		used += (size_t)n;
		if (used == sizeof said - 1) {
			memmove(said, said + used / 2, used - used / 2);
			used -= used / 2;
		}
	}
	said[used] = '\0';
	close(fds[0]);
	int status;
	while (waitpid(pid, &status, 0) < 0 && errno == EINTR)
		;
	if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
		return 0;
	while (used > 0 && (said[used - 1] == '\n' || said[used - 1] == ' '))
		said[--used] = '\0';
	char *last = strrchr(said, '\n');
	last = last ? last + 1 : said;
	const char *name = strrchr(script, '/');
	if (WIFSIGNALED(status))
		snprintf(err, errlen, "gnuplot killed by signal %d on %s", WTERMSIG(status), name ? name + 1 : script);
	else
		snprintf(err, errlen, "gnuplot failed on %s (%s): %s", name ? name + 1 : script, fmt,
			 *last ? last : "no message");
	return -1;
}

/* ---- the command ---- */

static int parse_options(int argc, char **argv, struct options *o)
{
	static const struct option longopts[] = {
		{ "output", required_argument, NULL, 'o' }, { "format", required_argument, NULL, 'f' },
		{ "threads", required_argument, NULL, 't' }, { "data-only", no_argument, NULL, 'D' },
		{ "quiet", no_argument, NULL, 'q' },         { "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 },
	};
	char err[256];
	int64_t v;
	int c;
	o->formats[0] = "png";
	o->formats[1] = "svg";
	o->nformats = 2;
	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, ":o:f:t:qh", longopts, NULL)) != -1) {
		switch (c) {
		case 'o':
			if (optarg[0] == '\0') {
				lb_error("plot: --output: empty directory name");
				return LB_EXIT_USAGE;
			}
			o->output = optarg;
			break;
		case 'f':
			if (strcmp(optarg, "png") != 0 && strcmp(optarg, "svg") != 0 && strcmp(optarg, "both") != 0) {
				lb_error("plot: --format: \"%s\" is not png, svg or both", optarg);
				return LB_EXIT_USAGE;
			}
			o->nformats = strcmp(optarg, "both") == 0 ? 2 : 1;
			o->formats[0] = strcmp(optarg, "both") == 0 ? "png" : optarg;
			break;
		case 't':
			if (lb_parse_int(optarg, 1, 1 << 20, &v, err, sizeof err) != 0) {
				lb_error("plot: --threads: %s", err);
				return LB_EXIT_USAGE;
			}
			o->threads = (unsigned)v;
			break;
		case 'D':
			o->data_only = true;
			break;
		case 'q':
			o->quiet = true;
			break;
		case 'h':
			fputs(plot_help, stdout);
			return -1;
		case ':':
			lb_error("plot: option %s needs a value", argv[optind - 1]);
			return LB_EXIT_USAGE;
		default:
			lb_error("plot: unknown option \"%s\" (see: lockbench plot --help)", argv[optind - 1]);
			return LB_EXIT_USAGE;
		}
	}
	if (optind >= argc) {
		lb_error("plot: which file? (usage: lockbench plot FILE [options])");
		return LB_EXIT_USAGE;
	}
	if (optind + 1 < argc) {
		lb_error("plot: unexpected argument \"%s\"", argv[optind + 1]);
		return LB_EXIT_USAGE;
	}
	o->input = argv[optind];
	return 0;
}

/* plots/out/<input's basename without .json> */
static void default_output(const char *input, char *buf, size_t len)
{
	const char *base = strrchr(input, '/');
	base = base ? base + 1 : input;
	size_t n = strlen(base);
	if (n > 5 && strcmp(base + n - 5, ".json") == 0)
		n -= 5;
	snprintf(buf, len, "plots/out/%.*s", (int)n, base);
}

static void free_model(struct model *m)
{
	for (size_t i = 0; i < m->nseries; i++)
		free(m->series[i].lock_name);
	for (size_t i = 0; i < m->nlocks; i++)
		free(m->lock_keys[i]);
	for (size_t i = 0; i < m->nwls; i++)
		free(m->wl_keys[i]);
	for (size_t i = 0; i < m->nnotes; i++)
		free(m->notes[i]);
	free(m->lock_keys);
	free(m->wl_keys);
	free(m->series);
	free(m->config_series);
	free(m->pick);
	free(m->pick_nok);
	free(m->blocks);
	json_decref(m->doc);
}

int lb_cmd_plot(int argc, char **argv)
{
	struct options o = { 0 };
	struct model m = { 0 };
	struct staging st = { 0 };
	enum kind kind = KIND_RESULT;
	struct sigaction sa = { 0 }, old_int, old_term;
	bool handlers_set = false;
	char err[3 * PATH_MAX], outbuf[PATH_MAX], gnuplot[PATH_MAX], scripts[PATH_MAX];
	int rc = parse_options(argc, argv, &o);
	if (rc != 0)
		return rc < 0 ? LB_EXIT_OK : rc;

	/* Everything that can be wrong with the input or the machine, before anything is written. */
	const char *slash = strrchr(o.input, '/');
	m.source = slash ? slash + 1 : o.input;
	rc = LB_EXIT_USAGE;
	if (load_input(o.input, &m, &kind, err, sizeof err) != 0)
		goto fail;
	if (kind == KIND_COMPARE && o.threads != 0) {
		snprintf(err, sizeof err, "--threads: %s is a compare verdict; --threads is for a result", o.input);
		goto fail;
	}
	if (kind == KIND_RESULT &&
	    (build_series(&m, err, sizeof err) != 0 || choose_threads(&m, o.threads, err, sizeof err) != 0))
		goto fail;
	if (o.output == NULL) {
		default_output(o.input, outbuf, sizeof outbuf);
		o.output = outbuf;
	}
	if (!o.data_only) {
		if (find_gnuplot(gnuplot, sizeof gnuplot, err, sizeof err) != 0 ||
		    find_scripts(scripts, sizeof scripts, err, sizeof err) != 0)
			goto fail;
		const char *need = kind == KIND_COMPARE ? "compare.gp" : "throughput.gp";
		char probe[PATH_MAX];
		if (path_join(probe, sizeof probe, scripts, need, err, sizeof err) != 0)
			goto fail;
		if (access(probe, R_OK) != 0) {
			snprintf(err, sizeof err, "no gnuplot scripts in %s (%s: %s; set LOCKBENCH_PLOTS_DIR)", scripts,
				 need, strerror(errno));
			goto fail;
		}
		if (check_gp_path("--output", o.output, err, sizeof err) != 0 ||
		    check_gp_path("LOCKBENCH_PLOTS_DIR", scripts, err, sizeof err) != 0)
			goto fail;
	}
	/* From here on an interrupt (which gnuplot, in our process group, gets too) unwinds, not kills. */
	sa.sa_handler = on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGINT, &sa, &old_int);
	sigaction(SIGTERM, &sa, &old_term);
	handlers_set = true;
	if (staging_begin(&st, o.output, err, sizeof err) != 0)
		goto fail;
	if ((kind == KIND_RESULT ? write_result(&st, &m, err, sizeof err) : write_compare(&st, &m, err, sizeof err)) != 0)
		goto fail;
	for (size_t i = 0; i < m.ncharts && !o.data_only; i++) {
		char script[PATH_MAX], name[32];
		snprintf(name, sizeof name, "%s.gp", m.charts[i]);
		if (path_join(script, sizeof script, scripts, name, err, sizeof err) != 0)
			goto fail;
		for (size_t k = 0; k < o.nformats && !plot_interrupted; k++)
			if (run_gnuplot(gnuplot, script, st.tmp, o.formats[k], err, sizeof err) != 0 && !plot_interrupted)
				goto fail;
	}
	if (plot_interrupted) {
		rc = LB_EXIT_INTERRUPTED;
		snprintf(err, sizeof err, "interrupted; nothing written");
		goto fail;
	}
	if (staging_commit(&st, o.output, err, sizeof err) != 0)
		goto fail;
	sigaction(SIGINT, &old_int, NULL);
	sigaction(SIGTERM, &old_term, NULL);
	if (!o.quiet) {
		for (size_t i = 0; i < m.nnotes; i++)
			fprintf(stderr, "lockbench: plot: note: %s\n", m.notes[i]);
		fprintf(stderr, "charts: %s\n", o.output);
	}
	free_model(&m);
	return LB_EXIT_OK;
fail:
	staging_abandon(&st);
	if (handlers_set) {
		sigaction(SIGINT, &old_int, NULL);
		sigaction(SIGTERM, &old_term, NULL);
	}
	lb_error("plot: %s", err);
	free_model(&m);
	return rc;
}
