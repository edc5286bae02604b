/*
 * analysis/merge.c — joining shard results into one (see merge.h), on the
 * result model: inputs are loaded by model/json.h, the merged result is
 * written by it, and nothing here knows a JSON key.
 */
#define _GNU_SOURCE
#include "analysis/merge.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "model/json.h"

#define ERR(...) (snprintf(err, errlen, __VA_ARGS__), -1)

/* A config of one input, found by id. */
struct entry {
	const char *id;
	struct lb_config *config;
};

struct shard {
	const struct lb_merge_input *in;
	size_t pos;             /* in the input order */
	struct lb_result *r;    /* NULL if absent */
	struct entry *by_id;    /* r's configs sorted by id */
	const char *machine;
	size_t mi;              /* index in the machine list */
};

struct merge {
	struct shard *sh;
	size_t n;
	const char **machines; /* names in order of first appearance */
	size_t nmachines;
	const char **ids;      /* every config id, in order of first appearance */
	size_t nids;
	struct lb_result *out;
};

static void *alloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size);
	if (p == NULL) {
		fputs("lockbench: out of memory\n", stderr);
		exit(2);
	}
	return p;
}

static int cmp_entry(const void *a, const void *b)
{
	return strcmp(((const struct entry *)a)->id, ((const struct entry *)b)->id);
}

/* Index a shard's configs by id; one id twice (a merged result's several machines) is refused. */
static int index_ids(struct shard *s, char *err, size_t errlen)
{
	s->by_id = alloc(s->r->nconfigs, sizeof *s->by_id);
	for (size_t i = 0; i < s->r->nconfigs; i++)
		s->by_id[i] = (struct entry){ s->r->configs[i].id, &s->r->configs[i] };
	qsort(s->by_id, s->r->nconfigs, sizeof *s->by_id, cmp_entry);
	for (size_t i = 1; i < s->r->nconfigs; i++)
		if (strcmp(s->by_id[i - 1].id, s->by_id[i].id) == 0)
			return ERR("%s: config id \"%.200s\" appears twice (a merged result is merged from its shards)",
				   s->in->path, s->by_id[i].id);
	return 0;
}

static struct lb_config *find(const struct shard *s, const char *id)
{
	if (s->r == NULL)
		return NULL;
	struct entry key = { id, NULL };
	struct entry *e = bsearch(&key, s->by_id, s->r->nconfigs, sizeof key, cmp_entry);
	return e ? e->config : NULL;
}

/* An id and where it appears first among all inputs' configs, in input order. */
struct seen {
	const char *id;
	size_t pos;
};

static int cmp_seen(const void *a, const void *b)
{
	const struct seen *x = a, *y = b;
	int c = strcmp(x->id, y->id);
	return c ? c : (x->pos > y->pos) - (x->pos < y->pos);
}

/* Every id of every input, once, in order of first appearance (n log n: sorted, ties by position). */
static void collect_ids(struct merge *m)
{
	size_t total = 0, k = 0;
	for (size_t i = 0; i < m->n; i++)
		total += m->sh[i].r ? m->sh[i].r->nconfigs : 0;
	struct seen *all = alloc(total, sizeof *all);
	const char **at = alloc(total, sizeof *at);
	for (size_t i = 0; i < m->n; i++)
		for (size_t c = 0; m->sh[i].r && c < m->sh[i].r->nconfigs; c++, k++)
			all[k] = (struct seen){ m->sh[i].r->configs[c].id, k };
	qsort(all, total, sizeof *all, cmp_seen);
	for (size_t i = 0; i < total; i++)
		if (i == 0 || strcmp(all[i - 1].id, all[i].id) != 0)
			at[all[i].pos] = all[i].id;
	m->ids = alloc(total, sizeof *m->ids);
	for (size_t p = 0; p < total; p++)
		if (at[p])
			m->ids[m->nids++] = at[p];
	free(at);
	free(all);
}

static int by_machine_then_shard(const void *a, const void *b)
{
	const struct shard *x = a, *y = b;
	if (x->mi != y->mi)
		return x->mi < y->mi ? -1 : 1;
	if (x->in->shard != y->in->shard)
		return x->in->shard < y->in->shard ? -1 : 1;
	return (x->pos > y->pos) - (x->pos < y->pos);
}

static void add_missing(struct lb_result *out, const struct shard *s, const char *id, const char *reason)
{
	struct lb_missing *m = realloc(out->missing, (out->nmissing + 1) * sizeof *m);
	if (m == NULL) {
		fputs("lockbench: out of memory\n", stderr);
		exit(2);
	}
	out->missing = m;
	out->missing[out->nmissing++] = (struct lb_missing){ lb_strdup(s->machine), s->in->shard, lb_strdup(id),
							     lb_strdup(s->in->state), lb_strdup(reason) };
}

static void kvs_copy(struct lb_kvs *dst, const struct lb_kvs *src)
{
	dst->v = alloc(src->n, sizeof *dst->v);
	for (dst->n = 0; dst->n < src->n; dst->n++) {
		const struct lb_kv *a = &src->v[dst->n];
		dst->v[dst->n] = (struct lb_kv){ lb_strdup(a->name), a->type, a->i, lb_strdup(a->s) };
	}
}

/* The identity and parameters of c (not its samples, summary or status). */
static void copy_identity(struct lb_config *dst, const struct lb_config *c, const char *machine)
{
	dst->id = lb_strdup(c->id);
	dst->id_built = c->id_built;
	dst->lock_name = lb_strdup(c->lock_name);
	kvs_copy(&dst->lock_params, &c->lock_params);
	dst->lock_plugin = lb_strdup(c->lock_plugin);
	dst->lock_timed = lb_strdup(c->lock_timed);
	dst->workload_name = lb_strdup(c->workload_name);
	kvs_copy(&dst->workload_params, &c->workload_params);
	dst->threads = c->threads;
	dst->pin_policy = lb_strdup(c->pin_policy);
	dst->npus = c->npus;
	dst->pus = c->npus ? memcpy(alloc(c->npus, sizeof *c->pus), c->pus, c->npus * sizeof *c->pus) : NULL;
	dst->oversubscribed = c->oversubscribed;
	dst->machine = lb_strdup(machine);
}

/* Config `id` of the machine of shards [lo, hi) into m->out, unless no shard has it. */
static void merge_config(struct merge *m, size_t lo, size_t hi, const char *id)
{
	struct lb_config *out = NULL;
	int status = -1;
	for (size_t i = lo; i < hi; i++) {
		const struct shard *s = &m->sh[i];
		struct lb_config *c = find(s, id);
		if (c == NULL) {
			add_missing(m->out, s, id, s->r ? "not in the shard's result" : "no result");
			continue;
		}
		if (out == NULL) {
			out = lb_result_add_config(m->out);
			if (out == NULL) {
				fputs("lockbench: out of memory\n", stderr);
				exit(2);
			}
			copy_identity(out, c, s->machine);
		}
		if (c->nsamples == 0) {
			char reason[128];
			snprintf(reason, sizeof reason, "no sample (config status %s)", lb_result_status_name(c->status));
			add_missing(m->out, s, id, c->status == LB_RS_NOT_RUN ? "not run (the shard stopped early)" : reason);
		}
		/* The first failure of any shard is the config's: one bad repetition is not lost. */
		if (status < 0 && c->status != LB_RS_OK && c->status != LB_RS_NOT_RUN && c->status != LB_RS_INTERRUPTED)
			status = (int)c->status;
		for (size_t k = 0; k < c->nsamples; k++) {
			/* Cut short when the shard was stopped: not a measurement of the config. */
			if (c->samples[k].status == LB_RS_INTERRUPTED) {
				add_missing(m->out, s, id, "interrupted (the shard was stopped during this config)");
				continue;
			}
			struct lb_sample *d = lb_config_add_sample(out);
			if (d == NULL) {
				fputs("lockbench: out of memory\n", stderr);
				exit(2);
			}
			*d = c->samples[k];
			memset(&c->samples[k], 0, sizeof c->samples[k]);
			d->repetition = (unsigned)(out->nsamples - 1);
			d->has_shard = true;
			d->shard = s->in->shard;
		}
	}
	if (out == NULL)
		return;
	out->status = status >= 0 ? (enum lb_result_status)status : out->nsamples ? LB_RS_OK : LB_RS_NOT_RUN;
	lb_config_summarize(out);
}

/* context.machines[]: the machine of shards [lo, hi): its hosts, shards and first result's context. */
static void machine_info(const struct merge *m, size_t lo, size_t hi, struct lb_machine *mach)
{
	mach->name = lb_strdup(m->sh[lo].machine);
	mach->hosts = alloc(hi - lo, sizeof *mach->hosts);
	mach->shards = alloc(hi - lo, sizeof *mach->shards);
	for (size_t i = lo; i < hi; i++) {
		const struct shard *s = &m->sh[i];
		const char *host = s->r ? s->r->context.host : NULL;
		mach->shards[mach->nshards++] = (struct lb_shard_info){ s->in->shard, s->r ? lb_strdup(s->in->path) : NULL,
									lb_strdup(s->in->state), lb_strdup(host) };
		if (s->r && mach->context == NULL) {
			mach->context = alloc(1, sizeof *mach->context);
			lb_context_copy(mach->context, &s->r->context);
		}
		bool seen = false;
		for (size_t k = 0; k < mach->nhosts && host; k++)
			seen |= strcmp(mach->hosts[k], host) == 0;
		if (host && !seen)
			mach->hosts[mach->nhosts++] = lb_strdup(host);
	}
}

static char *command_line(int argc, char **argv)
{
	size_t need = 1;
	for (int i = 0; i < argc; i++)
		need += strlen(argv[i]) + 1;
	char *cmd = alloc(need, 1);
	for (int i = 0; i < argc; i++) {
		strcat(cmd, argv[i]);
		if (i + 1 < argc)
			strcat(cmd, " ");
	}
	return cmd;
}

/* The inputs read: machines named, one build, ids indexed. 0, or -1 with err. */
static int check_inputs(struct merge *m, const struct shard **first, char *err, size_t errlen)
{
	*first = NULL;
	for (size_t i = 0; i < m->n; i++) {
		struct shard *s = &m->sh[i];
		s->machine = s->in->machine ? s->in->machine : s->r ? s->r->context.host : NULL;
		if (s->machine == NULL)
			return ERR("%s: no machine name and no context.host", s->in->path);
		if (s->r && *first == NULL)
			*first = s;
		/* One build: a merge of two builds' samples would hide the change between them. */
		const char *want = *first ? (*first)->r->context.git_commit : NULL;
		const char *got = s->r ? s->r->context.git_commit : NULL;
		if (got && want && strcmp(got, want) != 0)
			return ERR("%s: built from commit %s, %s from %s: not one build", s->in->path, got,
				   (*first)->in->path, want);
		if (s->r && index_ids(s, err, errlen) != 0)
			return -1;
		for (s->mi = 0; s->mi < m->nmachines && strcmp(m->machines[s->mi], s->machine) != 0; s->mi++)
			;
		if (s->mi == m->nmachines)
			m->machines[m->nmachines++] = s->machine;
	}
	if (*first == NULL)
		return ERR("no shard left a result: nothing to merge");
	return 0;
}

/* A merged input's own merge record (merged_from, merged_by, machines): replaced by this merge's. */
static void drop_merge_record(struct lb_context *x)
{
	struct lb_context rec = { .merged_from = x->merged_from, .nmerged_from = x->nmerged_from,
				  .merged_by = x->merged_by, .machines = x->machines, .nmachines = x->nmachines };
	x->merged_from = NULL, x->nmerged_from = 0, x->merged_by = NULL, x->machines = NULL, x->nmachines = 0;
	lb_context_clear(&rec);
}

/* Every machine's configs, context and missing shards into m->out. */
static void join(struct merge *m, int argc, char **argv)
{
	struct lb_context *ctx = &m->out->context;
	size_t most = 0;
	bool interrupted = false;
	drop_merge_record(ctx);
	ctx->machines = alloc(m->nmachines, sizeof *ctx->machines);
	ctx->merged_from = alloc(m->n, sizeof *ctx->merged_from);
	for (size_t lo = 0, hi; lo < m->n; lo = hi) {
		for (hi = lo; hi < m->n && m->sh[hi].mi == m->sh[lo].mi; hi++)
			;
		most = hi - lo > most ? hi - lo : most;
		machine_info(m, lo, hi, &ctx->machines[ctx->nmachines++]);
		for (size_t k = 0; k < m->nids; k++)
			merge_config(m, lo, hi, m->ids[k]);
		for (size_t i = lo; i < hi; i++) {
			/* With no config known anywhere, say at least which shards are gone. */
			if (m->nids == 0)
				add_missing(m->out, &m->sh[i], NULL, "no result");
			if (m->sh[i].r) {
				ctx->merged_from[ctx->nmerged_from++] = lb_strdup(m->sh[i].in->path);
				interrupted |= m->sh[i].r->context.interrupted;
			}
		}
	}
	if (ctx->options.present)
		ctx->options.repeat = (int64_t)most;
	ctx->interrupted |= interrupted;
	ctx->merged_by = command_line(argc, argv);
	m->out->has_missing = true;
}

int lb_merge(const struct lb_merge_input *in, struct lb_result *const *results, size_t n, int argc, char **argv,
	     struct lb_result **out, char *err, size_t errlen)
{
	struct merge m = { .sh = alloc(n, sizeof *m.sh), .n = n, .machines = alloc(n, sizeof *m.machines) };
	const struct shard *first;
	int rc = -1;
	*out = NULL;
	for (size_t i = 0; i < n; i++)
		m.sh[i] = (struct shard){ .in = &in[i], .pos = i, .r = in[i].absent ? NULL : results[i] };
	if (check_inputs(&m, &first, err, errlen) != 0)
		goto done;
	collect_ids(&m);
	m.out = lb_result_new();
	if (m.out == NULL) {
		rc = ERR("out of memory");
		goto done;
	}
	/* The first result's context heads the document; its own is also in machines[]. */
	lb_context_clear(&m.out->context);
	lb_context_copy(&m.out->context, &first->r->context);
	qsort(m.sh, n, sizeof *m.sh, by_machine_then_shard);
	join(&m, argc, argv);
	*out = m.out;
	rc = 0;
done:
	for (size_t i = 0; i < n; i++)
		free(m.sh[i].by_id);
	free(m.sh);
	free(m.machines);
	free(m.ids);
	return rc;
}

int lb_merge_files(const struct lb_merge_input *in, size_t n, int argc, char **argv, struct lb_result **out,
		   char *err, size_t errlen)
{
	struct lb_result **r = alloc(n, sizeof *r);
	int rc = 0;
	*out = NULL;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (!in[i].absent)
			rc = lb_result_load(in[i].path, &r[i], err, errlen);
	if (rc == 0)
		rc = lb_merge(in, r, n, argc, argv, out, err, errlen);
	for (size_t i = 0; i < n; i++)
		lb_result_free(r[i]);
	free(r);
	return rc;
}
