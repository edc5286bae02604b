/*
 * locks/ck_tsan.h — describing Concurrency Kit's locks to ThreadSanitizer.
 *
 * TSan cannot see CK's atomics (inline assembly), so under TSan each CK
 * wrapper (ck.c, ck_rw.c) describes the lock to it instead: a release on
 * the lock state's address before unlocking, an acquire after locking.
 * CK's own plain accesses, ordered only by its invisible atomics, are
 * hidden from TSan by running the CK calls in an ignore region. Ordinary
 * builds compile all of it to nothing.
 */
#ifndef LB_LOCKS_CK_TSAN_H
#define LB_LOCKS_CK_TSAN_H

#if defined(__SANITIZE_THREAD__)
#define CK_TSAN 1
#elif defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define CK_TSAN 1
#endif
#endif

#ifdef CK_TSAN
#include <sanitizer/tsan_interface.h>
/* Exported by the TSan runtime; gcc 12's header does not declare them. */
void __tsan_ignore_thread_begin(void);
void __tsan_ignore_thread_end(void);
#define ck_tsan_hide() __tsan_ignore_thread_begin()
#define ck_tsan_show() __tsan_ignore_thread_end()
#define ck_tsan_acquired(state) __tsan_acquire(state)
#define ck_tsan_releasing(state) __tsan_release(state)
#else
#define ck_tsan_hide() ((void)0)
#define ck_tsan_show() ((void)0)
#define ck_tsan_acquired(state) ((void)(state))
#define ck_tsan_releasing(state) ((void)(state))
#endif

#endif
