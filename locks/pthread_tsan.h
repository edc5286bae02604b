/*
 * locks/pthread_tsan.h — tell ThreadSanitizer about pthread_mutex_clocklock.
 *
 * ThreadSanitizer as shipped with gcc 12 does not intercept
 * pthread_mutex_clocklock: it would miss the acquisition and then report
 * the matching unlock as "unlock of an unlocked mutex". Under TSan we
 * describe the timed lock to it as the try-lock it resembles (it may fail);
 * in ordinary builds these functions are empty. Used by every lock built
 * on a pthread mutex with a timed acquire, and (the _rw forms) by
 * pthread-rw for pthread_rwlock_clockrdlock/clockwrlock, which it does not
 * intercept either.
 */
#ifndef LB_LOCKS_PTHREAD_TSAN_H
#define LB_LOCKS_PTHREAD_TSAN_H

#include <pthread.h>
#include <stdbool.h>

#if defined(__has_feature)
#if __has_feature(thread_sanitizer)
#define LB_PTHREAD_TSAN 1
#endif
#endif
#if defined(__SANITIZE_THREAD__)
#define LB_PTHREAD_TSAN 1
#endif

#ifdef LB_PTHREAD_TSAN
#include <sanitizer/tsan_interface.h>

static inline void lb_tsan_before_timed_lock(pthread_mutex_t *mutex)
{
	__tsan_mutex_pre_lock(mutex, __tsan_mutex_try_lock);
}

static inline void lb_tsan_after_timed_lock(pthread_mutex_t *mutex, bool locked)
{
	__tsan_mutex_post_lock(mutex,
			       __tsan_mutex_try_lock | (locked ? 0 : __tsan_mutex_try_lock_failed),
			       0);
}

static inline void lb_tsan_before_timed_rwlock(pthread_rwlock_t *rw, bool read)
{
	__tsan_mutex_pre_lock(rw, __tsan_mutex_try_lock | (read ? __tsan_mutex_read_lock : 0));
}

static inline void lb_tsan_after_timed_rwlock(pthread_rwlock_t *rw, bool read, bool locked)
{
	__tsan_mutex_post_lock(rw,
			       __tsan_mutex_try_lock | (read ? __tsan_mutex_read_lock : 0) |
				       (locked ? 0 : __tsan_mutex_try_lock_failed),
			       0);
}
#else
static inline void lb_tsan_before_timed_lock(pthread_mutex_t *mutex)
{
	(void)mutex;
}

static inline void lb_tsan_after_timed_lock(pthread_mutex_t *mutex, bool locked)
{
	(void)mutex;
	(void)locked;
}

static inline void lb_tsan_before_timed_rwlock(pthread_rwlock_t *rw, bool read)
{
	(void)rw;
	(void)read;
}

static inline void lb_tsan_after_timed_rwlock(pthread_rwlock_t *rw, bool read, bool locked)
{
	(void)rw;
	(void)read;
	(void)locked;
}
#endif

#endif
