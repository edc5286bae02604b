/*
 * engine/plugin.h — a user's lock from a shared object, checked before use.
 *
 * `--locks ./mylock.so`, `--locks mylock.so:backoff=4` and
 * `--locks plugin:path=/abs/mylock.so,backoff=4` load a shared object with
 * dlopen and take its `lockbench_lock` table (LB_PLUGIN_SYMBOL). Everything
 * the runner relies on is validated up front — ABI version, names, sizes,
 * alignment, capabilities against function pointers, declared parameters
 * and their defaults — so a bad plug-in is a one-line usage error, never a
 * crash in the middle of a run. The shared object stays loaded until exit.
 */
#ifndef LB_PLUGIN_H
#define LB_PLUGIN_H

#include <stdbool.h>
#include <stddef.h>

#include "lockbench/lock.h"

/* Limits beyond which a table is taken to be garbage rather than a lock. */
#define LB_PLUGIN_MAX_STATE (1u << 20)
#define LB_PLUGIN_MAX_NODE (1u << 20)
#define LB_PLUGIN_MAX_ALIGN 4096u
#define LB_PLUGIN_MAX_NAME 64u

/*
 * Load path and return its validated ops table, or NULL with one line in
 * err naming the file and the problem. A path without '/' is taken relative
 * to the current directory, never searched for on the library path.
 */
const struct lb_lock_ops *lb_plugin_load(const char *path, char *err, size_t errlen);

/*
 * lb_plugin_load, once per file (by absolute path) for the life of the
 * process: *source is that path as recorded in results (owned here), and
 * the table, with the copy an older ABI's table gets, stays reachable.
 */
const struct lb_lock_ops *lb_plugin_load_once(const char *path, const char **source, char *err, size_t errlen);

/*
 * Load path again as an object of its own, even when that file (or a hard
 * link to it) is loaded already: dlopen hands out one object per file, so
 * two copies of one .so would share their code and globals. The file is
 * copied into a private directory under $TMPDIR (or /tmp; beside the
 * original when that cannot map code, a noexec mount), loaded from there,
 * and the copy removed again (the mapping stays). `lockbench ab` uses it when BASE and NEW
 * name the same plug-in. NULL with one line in err when it fails.
 */
const struct lb_lock_ops *lb_plugin_load_copy(const char *path, char *err, size_t errlen);

/* Check a table as lb_plugin_load does (abi_version included). 0, or -1 with a reason. */
int lb_plugin_validate(const struct lb_lock_ops *ops, char *err, size_t errlen);

/* Whether a --locks item names a plug-in file: it contains '/' or ends in ".so". */
bool lb_plugin_is_path(const char *name);

/*
 * Resolve one --locks item already split at its first ':' into name and kv
 * (kv may be NULL). Returns 0 when it names no plug-in (nothing is set);
 * 1 when it does: *ops is the loaded table, *source its absolute path (to
 * record; owned here, lives as long as the program), *rest the lock
 * parameters left once "path=" is taken out (NULL if none, else malloc'd:
 * the caller frees it); -1 with a reason in err. A file named twice is
 * loaded once.
 */
int lb_plugin_resolve(const char *name, const char *kv, const struct lb_lock_ops **ops, const char **source,
		      char **rest, char *err, size_t errlen);

#endif
