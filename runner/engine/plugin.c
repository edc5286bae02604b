/*
 * engine/plugin.c — load a user's lock from a shared object and refuse anything
 * that would fail later.
 *
 * Order of the checks: the file (exists, is a regular file), the loader
 * (dlopen with RTLD_NOW so an unresolved symbol fails here, not at the first
 * acquire; RTLD_LOCAL so two plug-ins cannot see each other), the symbol
 * (present, an object at least as large as the version field), the ABI
 * version (read first and alone: a version lockbench does not know may lay
 * out the rest differently; an older one it knows is copied into a table
 * of today's layout, the fields it never had NULL), then the table field
 * by field, and last the declared
 * parameters, whose defaults are parsed exactly as a user's value would be.
 *
 * A rejected shared object is closed again; an accepted one stays loaded
 * for the life of the process, because its table and code are used until
 * the last result is written.
 */
#define _GNU_SOURCE
#include "engine/plugin.h"

#include <dlfcn.h>
#include <errno.h>
#include <limits.h>
#include <link.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/params.h"

/* The capability bits each ABI version knows. */
#define KNOWN_CAPS_V1                                                                                  \
	(LB_CAP_FIFO | LB_CAP_SPINS | LB_CAP_SLEEPS | LB_CAP_TRY | LB_CAP_TIMED | LB_CAP_POLL |       \
	 LB_CAP_REENTRANT | LB_CAP_NO_EXCLUSION | LB_CAP_CHECKS_RELEASE | LB_CAP_KNOWS_OWNER |         \
	 LB_CAP_TIMED_EMULATED | LB_CAP_LIVE_COUNTERS)
#define KNOWN_CAPS_V2 (KNOWN_CAPS_V1 | LB_CAP_RW | LB_CAP_READER_PREF | LB_CAP_WRITER_PREF | LB_CAP_PHASE_FAIR)
#define POLICY_CAPS (LB_CAP_READER_PREF | LB_CAP_WRITER_PREF | LB_CAP_PHASE_FAIR)

bool lb_plugin_is_path(const char *name)
{
	size_t n = strlen(name);
	return strchr(name, '/') != NULL || (n > 3 && strcmp(name + n - 3, ".so") == 0);
}

static bool is_power_of_two(size_t v)
{
	return v != 0 && (v & (v - 1)) == 0;
}

/* Every character of s is in allowed, and there is at least one. */
static bool only_chars(const char *s, const char *allowed, size_t maxlen)
{
	size_t n = strlen(s);
	return n > 0 && n <= maxlen && strspn(s, allowed) == n;
}

/* The declared parameters: terminated, typed, bounded, unique, defaults that parse. */
static int validate_params(const struct lb_lock_ops *ops, char *err, size_t errlen)
{
	const struct lb_param *p = ops->params;
	if (p == NULL)
		return 0;
	size_t n = 0;
	while (n <= LB_MAX_PARAMS && p[n].name != NULL)
		n++;
	if (n > LB_MAX_PARAMS) {
		snprintf(err, errlen,
			 "params: more than %d entries before the NULL-name terminator (is it terminated?)",
			 LB_MAX_PARAMS);
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		if (!only_chars(p[i].name, "abcdefghijklmnopqrstuvwxyz0123456789_", 64)) {
			snprintf(err, errlen, "params[%zu]: name \"%.64s\" is not [a-z0-9_]+", i, p[i].name);
			return -1;
		}
		if (p[i].type != LB_PARAM_INT && p[i].type != LB_PARAM_DURATION && p[i].type != LB_PARAM_BOOL &&
		    p[i].type != LB_PARAM_STRING) {
			snprintf(err, errlen, "params[%zu] \"%s\": unknown type %d", i, p[i].name, (int)p[i].type);
			return -1;
		}
		if (p[i].def == NULL || p[i].help == NULL) {
			snprintf(err, errlen, "params[%zu] \"%s\": %s is NULL", i, p[i].name,
				 p[i].def == NULL ? "def" : "help");
			return -1;
		}
		if ((p[i].type == LB_PARAM_INT || p[i].type == LB_PARAM_DURATION) && p[i].min > p[i].max) {
			snprintf(err, errlen, "params[%zu] \"%s\": min > max", i, p[i].name);
			return -1;
		}
		for (size_t j = 0; j < i; j++)
			if (strcmp(p[i].name, p[j].name) == 0) {
				snprintf(err, errlen, "params: \"%s\" declared twice", p[i].name);
				return -1;
			}
	}
	union lb_value vals[LB_MAX_PARAMS];
	char why[256];
	if (lb_params_parse(ops->name, p, NULL, vals, why, sizeof why) != 0) {
		snprintf(err, errlen, "bad default: %s", why);
		return -1;
	}
	lb_params_free(p, vals);
	return 0;
}

static bool abi_known(uint32_t v)
{
	return v >= LB_LOCK_ABI_MIN_VERSION && v <= LB_LOCK_ABI_VERSION;
}

/* The reader-writer side: functions and capability bits agree. */
static int validate_rw(const struct lb_lock_ops *ops, char *err, size_t errlen)
{
	uint32_t caps = ops->caps;
	bool rw = caps & LB_CAP_RW;
	if (rw && (ops->read_acquire == NULL || ops->read_release == NULL)) {
		snprintf(err, errlen, "caps claim LB_CAP_RW but %s is NULL",
			 ops->read_acquire == NULL ? "read_acquire" : "read_release");
		return -1;
	}
	if (!rw && (ops->read_acquire || ops->read_release || ops->read_try_acquire || ops->read_acquire_until)) {
		snprintf(err, errlen, "read_* functions are set but caps lack LB_CAP_RW");
		return -1;
	}
	if (rw && (caps & LB_CAP_TRY) && ops->read_try_acquire == NULL) {
		snprintf(err, errlen, "caps claim LB_CAP_RW and LB_CAP_TRY but read_try_acquire is NULL");
		return -1;
	}
	if (rw && (caps & LB_CAP_TIMED) && ops->read_acquire_until == NULL) {
		snprintf(err, errlen, "caps claim LB_CAP_RW and LB_CAP_TIMED but read_acquire_until is NULL");
		return -1;
	}
	if ((caps & POLICY_CAPS) && !rw) {
		snprintf(err, errlen, "caps claim a reader-writer policy without LB_CAP_RW");
		return -1;
	}
	if (__builtin_popcount(caps & POLICY_CAPS) > 1) {
		snprintf(err, errlen, "caps claim more than one of reader preference, writer preference, phase-fair");
		return -1;
	}
	return 0;
}

int lb_plugin_validate(const struct lb_lock_ops *ops, char *err, size_t errlen)
{
	if (!abi_known(ops->abi_version)) {
		snprintf(err, errlen, "abi_version is %u, this lockbench loads %u to %u (rebuild against its lock.h)",
			 ops->abi_version, LB_LOCK_ABI_MIN_VERSION, LB_LOCK_ABI_VERSION);
		return -1;
	}
	/* init and destroy may be NULL: a zeroed state can be the initial state. */
	static const char *const fields[] = { "name", "summary", "acquire", "release" };
	const bool null[] = { ops->name == NULL, ops->summary == NULL, ops->acquire == NULL, ops->release == NULL };
	for (size_t i = 0; i < sizeof fields / sizeof fields[0]; i++)
		if (null[i]) {
			snprintf(err, errlen, "%s is NULL", fields[i]);
			return -1;
		}
	if (!only_chars(ops->name, "abcdefghijklmnopqrstuvwxyz0123456789-", LB_PLUGIN_MAX_NAME)) {
		snprintf(err, errlen, "name \"%.64s\" is not [a-z0-9-]+ of at most %u characters", ops->name,
			 LB_PLUGIN_MAX_NAME);
		return -1;
	}
	if (strcmp(ops->name, "plugin") == 0) {
		snprintf(err, errlen, "name \"plugin\" is reserved for --locks plugin:path=FILE");
		return -1;
	}
	if (ops->state_size == 0 || ops->state_size > LB_PLUGIN_MAX_STATE) {
		snprintf(err, errlen, "state_size %zu is not in [1, %u]", ops->state_size, LB_PLUGIN_MAX_STATE);
		return -1;
	}
	if (!is_power_of_two(ops->state_align) || ops->state_align > LB_PLUGIN_MAX_ALIGN) {
		snprintf(err, errlen, "state_align %zu is not a power of two up to %u", ops->state_align,
			 LB_PLUGIN_MAX_ALIGN);
		return -1;
	}
	if (ops->node_size > LB_PLUGIN_MAX_NODE) {
		snprintf(err, errlen, "node_size %zu is larger than %u", ops->node_size, LB_PLUGIN_MAX_NODE);
		return -1;
	}
	uint32_t known = ops->abi_version == 1 ? KNOWN_CAPS_V1 : KNOWN_CAPS_V2;
	if (ops->caps & ~known) {
		snprintf(err, errlen, "caps 0x%x has unknown bits 0x%x%s", ops->caps, ops->caps & ~known,
			 ops->abi_version == 1 && (ops->caps & ~known & KNOWN_CAPS_V2) ? " (ABI 2 bits in an ABI-1 table)"
											: "");
		return -1;
	}
	if ((ops->caps & LB_CAP_TRY) && ops->try_acquire == NULL) {
		snprintf(err, errlen, "caps claim LB_CAP_TRY but try_acquire is NULL");
		return -1;
	}
	if ((ops->caps & LB_CAP_TIMED) && ops->acquire_until == NULL) {
		snprintf(err, errlen, "caps claim LB_CAP_TIMED but acquire_until is NULL");
		return -1;
	}
	if ((ops->caps & LB_CAP_TIMED_EMULATED) && !(ops->caps & LB_CAP_TIMED)) {
		snprintf(err, errlen, "caps claim LB_CAP_TIMED_EMULATED without LB_CAP_TIMED");
		return -1;
	}
	if ((ops->caps & LB_CAP_LIVE_COUNTERS) && ops->counters == NULL) {
		snprintf(err, errlen, "caps claim LB_CAP_LIVE_COUNTERS but counters is NULL");
		return -1;
	}
	if ((ops->caps & LB_CAP_POLL) && ops->poll == NULL) {
		snprintf(err, errlen, "caps claim LB_CAP_POLL but poll is NULL");
		return -1;
	}
	if (validate_rw(ops, err, errlen) != 0)
		return -1;
	return validate_params(ops, err, errlen);
}

/* dlerror's text on one line. */
static void one_line(char *s)
{
	for (; *s; s++)
		if (*s == '\n' || *s == '\r')
			*s = ' ';
}

const struct lb_lock_ops *lb_plugin_load(const char *path, char *err, size_t errlen)
{
	struct stat st;
	if (stat(path, &st) != 0) {
		snprintf(err, errlen, "plug-in \"%s\": %s", path, strerror(errno));
		return NULL;
	}
	if (!S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "plug-in \"%s\": not a regular file", path);
		return NULL;
	}
	/* dlopen searches the library path for a name without '/': never do that. */
	char local[PATH_MAX];
	if (strchr(path, '/') == NULL) {
		snprintf(local, sizeof local, "./%s", path);
		path = local;
	}
	void *h = dlopen(path, RTLD_NOW | RTLD_LOCAL);
	if (h == NULL) {
		char why[512];
		const char *e = dlerror();
		snprintf(why, sizeof why, "%s", e ? e : "unknown error");
		one_line(why);
		snprintf(err, errlen, "plug-in \"%s\": cannot load: %s", path, why);
		return NULL;
	}
	dlerror();
	const struct lb_lock_ops *ops = dlsym(h, LB_PLUGIN_SYMBOL);
	if (ops == NULL) {
		snprintf(err, errlen, "plug-in \"%s\": does not export \"%s\" (const struct lb_lock_ops)", path,
			 LB_PLUGIN_SYMBOL);
		goto reject;
	}
	/* The symbol table knows the object's size: a function or a stray int is no table.
	 * (ELF32_ST_TYPE and ELF64_ST_TYPE are the same macro.) */
	Dl_info info;
	const ElfW(Sym) *sym = NULL;
	if (dladdr1(ops, &info, (void **)&sym, RTLD_DL_SYMENT) != 0 && sym != NULL) {
		if (ELF64_ST_TYPE(sym->st_info) == STT_FUNC || sym->st_size < sizeof ops->abi_version) {
			snprintf(err, errlen, "plug-in \"%s\": \"%s\" is not a struct lb_lock_ops", path,
				 LB_PLUGIN_SYMBOL);
			goto reject;
		}
		size_t need = ops->abi_version == 1 ? LB_LOCK_OPS_V1_SIZE : sizeof *ops;
		if (abi_known(ops->abi_version) && sym->st_size < need) {
			snprintf(err, errlen, "plug-in \"%s\": \"%s\" is %zu bytes, an ABI-%u struct lb_lock_ops is %zu",
				 path, LB_PLUGIN_SYMBOL, (size_t)sym->st_size, ops->abi_version, need);
			goto reject;
		}
	}
	struct lb_lock_ops *copy = NULL;
	if (ops->abi_version < LB_LOCK_ABI_VERSION && abi_known(ops->abi_version)) {
		/* An older table: its own prefix, and NULL/0 for every field it never had. */
		copy = calloc(1, sizeof *copy);
		if (copy == NULL) {
			snprintf(err, errlen, "plug-in \"%s\": out of memory", path);
			goto reject;
		}
		memcpy(copy, ops, LB_LOCK_OPS_V1_SIZE);
		ops = copy;
	}
	char why[384];
	if (lb_plugin_validate(ops, why, sizeof why) != 0) {
		snprintf(err, errlen, "plug-in \"%s\": %s", path, why);
		free(copy);
		goto reject;
	}
	return ops;
reject:
	dlclose(h);
	return NULL;
}

/* Copy the file from into to (created, mode 0700). 0, or -1 with errno set. */
static int copy_file(const char *from, const char *to)
{
	FILE *in = fopen(from, "rb"), *out = in ? fopen(to, "wbx") : NULL;
	char buf[65536];
	size_t n;
	int rc = 0;

	if (!in || !out) {
		int e = errno;
		if (in)
			fclose(in);
		errno = e;
		return -1;
	}
	while ((n = fread(buf, 1, sizeof buf, in)) > 0)
		if (fwrite(buf, 1, n, out) != n)
			rc = -1;
	if (ferror(in))
		rc = -1;
	fclose(in);
	if (fclose(out) != 0)
		rc = -1;
	return rc;
}

/* Copy path into a new directory under parent and load it from there; the copy is removed again. */
static const struct lb_lock_ops *load_copy_in(const char *path, const char *parent, char *err, size_t errlen)
{
	const char *base = strrchr(path, '/');
	char dir[PATH_MAX], copy[PATH_MAX + 256];
	base = base ? base + 1 : path;
	/* The same file name, so that the lock's id (name@file.so) is the same as the original's. */
	if ((size_t)snprintf(dir, sizeof dir, "%s/.lockbench-plugin.XXXXXX", parent) >= sizeof dir || mkdtemp(dir) == NULL) {
		snprintf(err, errlen, "plug-in \"%s\": cannot make a private copy in %s: %s", path, parent, strerror(errno));
		return NULL;
	}
	snprintf(copy, sizeof copy, "%s/%s", dir, base);
	const struct lb_lock_ops *ops = NULL;
	if (copy_file(path, copy) != 0)
		snprintf(err, errlen, "plug-in \"%s\": cannot copy it to %s: %s", path, copy, strerror(errno));
	else
		ops = lb_plugin_load(copy, err, errlen);
	unlink(copy);
	rmdir(dir);
	return ops;
}

/* What lb_plugin_load_copy loaded: kept reachable, as lb_plugin_load_once keeps its own. */
static const struct lb_lock_ops *copies[16];
static size_t ncopies;

static const struct lb_lock_ops *keep_copy(const struct lb_lock_ops *ops)
{
	if (ops != NULL && ncopies < sizeof copies / sizeof copies[0])
		copies[ncopies++] = ops;
	return ops;
}

const struct lb_lock_ops *lb_plugin_load_copy(const char *path, char *err, size_t errlen)
{
	const char *tmp = getenv("TMPDIR");
	char parent[PATH_MAX];
	if (tmp == NULL || *tmp == '\0')
		tmp = "/tmp";
	const struct lb_lock_ops *ops = load_copy_in(path, tmp, err, errlen);
	if (ops != NULL)
		return keep_copy(ops);
	/* A temporary directory mounted noexec cannot map code: try beside the original. */
	snprintf(parent, sizeof parent, "%s", path);
	char *slash = strrchr(parent, '/');
	if (slash == NULL)
		snprintf(parent, sizeof parent, ".");
	else if (slash == parent)
		parent[1] = '\0';
	else
		*slash = '\0';
	char first[512];
	snprintf(first, sizeof first, "%s", err);
	ops = load_copy_in(path, parent, err, errlen);
	if (ops == NULL)
		snprintf(err, errlen, "%s", first);
	return keep_copy(ops);
}

/*
 * Every plug-in loaded so far, by absolute path: loading the same file
 * twice (two --locks items) gives the same table, and the paths and handles
 * stay reachable for the life of the process.
 */
#define MAX_PLUGINS 64
static struct loaded {
	char *path;
	const struct lb_lock_ops *ops;
} loaded[MAX_PLUGINS];
static size_t nloaded;

const struct lb_lock_ops *lb_plugin_load_once(const char *path, const char **source, char *err, size_t errlen)
{
	char *abs = realpath(path, NULL);
	for (size_t i = 0; abs != NULL && i < nloaded; i++)
		if (strcmp(loaded[i].path, abs) == 0) {
			free(abs);
			*source = loaded[i].path;
			return loaded[i].ops;
		}
	if (nloaded == MAX_PLUGINS) {
		free(abs);
		snprintf(err, errlen, "plug-in \"%s\": more than %d plug-ins", path, MAX_PLUGINS);
		return NULL;
	}
	const struct lb_lock_ops *ops = lb_plugin_load(path, err, errlen);
	if (ops == NULL) {
		free(abs);
		return NULL;
	}
	loaded[nloaded].path = abs ? abs : strdup(path);
	loaded[nloaded].ops = ops;
	*source = loaded[nloaded++].path;
	return ops;
}

int lb_plugin_resolve(const char *name, const char *kv, const struct lb_lock_ops **ops, const char **source,
		      char **rest, char *err, size_t errlen)
{
	char *path = NULL, *others = NULL;
	if (strcmp(name, "plugin") == 0) {
		/* "path=FILE" anywhere in kv; everything else is the lock's own parameters. */
		char *copy = strdup(kv ? kv : ""), *save = NULL;
		size_t cap = strlen(kv ? kv : "") + 1, used = 0;
		others = calloc(1, cap);
		if (copy == NULL || others == NULL) {
			free(copy);
			free(others);
			snprintf(err, errlen, "out of memory");
			return -1;
		}
		for (char *item = strtok_r(copy, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
			if (strncmp(item, "path=", 5) == 0 && path == NULL) {
				path = strdup(item + 5);
				continue;
			}
			used += (size_t)snprintf(others + used, cap - used, "%s%s", used ? "," : "", item);
		}
		free(copy);
		if (path == NULL || *path == '\0') {
			snprintf(err, errlen, "plugin: missing path=FILE (e.g. plugin:path=./mylock.so)");
			free(path);
			free(others);
			return -1;
		}
	} else if (lb_plugin_is_path(name)) {
		path = strdup(name);
		others = kv ? strdup(kv) : NULL;
	} else {
		return 0;
	}
	*ops = lb_plugin_load_once(path, source, err, errlen);
	free(path);
	if (*ops == NULL) {
		free(others);
		return -1;
	}
	if (others != NULL && *others == '\0') {
		free(others);
		others = NULL;
	}
	*rest = others;
	return 1;
}
