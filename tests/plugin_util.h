/*
 * plugin_util.h — build a test plug-in from source with the system compiler.
 */
#ifndef LB_TEST_PLUGIN_UTIL_H
#define LB_TEST_PLUGIN_UTIL_H

/*
 * Compile src (a path from the repository root, e.g.
 * "tests/fixtures/plugins/starver.c") with extra compiler arguments (may be
 * NULL) into NAME.so in a fresh temporary directory. Returns the .so's path
 * (caller frees), or NULL if the compiler failed.
 */
char *plugin_build(const char *src, const char *extra, const char *name);

#endif
