/*
 * engine/version.h — build identity; the Makefile defines the real values.
 */
#ifndef LB_VERSION_H
#define LB_VERSION_H

#ifndef LB_VERSION
#define LB_VERSION "0.0.0"
#endif
#ifndef LB_GIT_COMMIT
#define LB_GIT_COMMIT "unknown"
#endif
#ifndef LB_CFLAGS
#define LB_CFLAGS "unknown"
#endif

#endif
