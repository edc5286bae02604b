/*
 * tests/fuzz/fuzz_plugin.c — the checks a plug-in's ops table must pass
 * before lockbench calls anything in it: a table made of fuzzed sizes,
 * capability bits, present or missing hooks, and up to four parameter
 * declarations with fuzzed names, types, bounds and defaults.
 */
#include "fuzz.h"

#include "engine/params.h"
#include "engine/plugin.h"

static int f_init(void *s, const union lb_value *p, unsigned n, char *e, size_t l)
{
	(void)s, (void)p, (void)n, (void)e, (void)l;
	return 0;
}
static void f_acquire(void *s, void *n) { (void)s, (void)n; }
static int f_release(void *s, void *n) { (void)s, (void)n; return 0; }
static bool f_try(void *s, void *n) { (void)s, (void)n; return true; }
static bool f_until(void *s, void *n, uint64_t d) { (void)s, (void)n, (void)d; return true; }
static void f_poll(void *s, void *n) { (void)s, (void)n; }

/* Take n bytes (fewer at the end of the input) as an integer. */
static uint64_t take(const uint8_t **p, const uint8_t *end, size_t n)
{
	uint64_t v = 0;
	for (size_t i = 0; i < n && *p < end; i++)
		v = v << 8 | *(*p)++;
	return v;
}

/* Take a string up to a NUL or the end; strings live in the caller's copy of the input. */
static const char *take_string(char **p, char *end)
{
	const char *s = *p;
	while (*p < end && **p != '\0')
		(*p)++;
	if (*p < end)
		(*p)++;
	return s;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	const uint8_t *p = data, *end = data + size;
	uint64_t hooks = take(&p, end, 1);
	struct lb_lock_ops ops = {
		.abi_version = (take(&p, end, 1) & 1) ? LB_LOCK_ABI_VERSION : (uint32_t)take(&p, end, 4),
		.state_size = take(&p, end, 3),
		.state_align = take(&p, end, 2),
		.node_size = take(&p, end, 3),
		.caps = (uint32_t)take(&p, end, 2),
		.init = (hooks & 1) ? f_init : NULL,
		.acquire = (hooks & 2) ? f_acquire : NULL,
		.release = (hooks & 4) ? f_release : NULL,
		.try_acquire = (hooks & 8) ? f_try : NULL,
		.acquire_until = (hooks & 16) ? f_until : NULL,
		.poll = (hooks & 32) ? f_poll : NULL,
	};
	/* The rest of the input is NUL-separated strings: name, summary, then per parameter name, default. */
	size_t nrest = (size_t)(end - p);
	char *rest = malloc(nrest + 1);
	if (rest == NULL)
		abort();
	memcpy(rest, p, nrest);
	rest[nrest] = '\0';
	char *q = rest, *qend = rest + nrest;
	ops.name = (hooks & 64) ? take_string(&q, qend) : NULL;
	ops.summary = take_string(&q, qend);
	struct lb_param params[5] = { { 0 } };
	unsigned nparams = (unsigned)(hooks >> 7) * 4 + (nrest % 4);
	for (unsigned i = 0; i < nparams && i < 4 && q < qend; i++) {
		params[i].name = take_string(&q, qend);
		params[i].type = (enum lb_param_type)(q < qend ? (unsigned char)*q++ % 5 : 0);
		params[i].def = take_string(&q, qend);
		params[i].help = "fuzzed";
		params[i].min = q < qend ? (int8_t)*q++ : 0;
		params[i].max = q < qend ? (int64_t)(unsigned char)*q++ * 1000 : 0;
	}
	ops.params = (hooks & 128) ? params : NULL;
	char err[512];
	lb_plugin_validate(&ops, err, sizeof err);
	free(rest);
	return 0;
}
