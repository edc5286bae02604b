/*
 * locks/sys_futex.h — the three futex calls the sleeping locks need.
 *
 * glibc has no wrapper for futex(2), so these call syscall(SYS_futex, ...)
 * directly. All use the _PRIVATE operations: the words live in one
 * process's memory, and private futexes skip the shared-mapping lookup.
 *
 * What makes a futex safe against lost wake-ups is the kernel's promise
 * for FUTEX_WAIT: it queues the caller and compares *addr with `expected`
 * as one step, ordered against any FUTEX_WAKE on the same word (the
 * "smp_mb() (A) / (B)" pair in kernel/futex/waitwake.c). So a waiter that
 * publishes "I am going to sleep" in the word itself and then waits for
 * that value cannot miss a waker that changed the word first: the wait
 * returns at once (EAGAIN) instead of sleeping. Every lock built on these
 * re-checks its own condition after any return, because wait also returns
 * on signals (EINTR) and on wakes meant for an earlier use of the word.
 */
#ifndef LB_LOCKS_SYS_FUTEX_H
#define LB_LOCKS_SYS_FUTEX_H

#include <errno.h>
#include <linux/futex.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>

/* Sleep while *word == expected, or until a wake; may return spuriously. */
static inline void lb_futex_wait(_Atomic uint32_t *word, uint32_t expected)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAIT_PRIVATE, expected, NULL, NULL, 0);
}

/*
 * As lb_futex_wait, but give up at deadline_ns on CLOCK_MONOTONIC
 * (FUTEX_WAIT_BITSET takes an absolute time on CLOCK_MONOTONIC unless told
 * FUTEX_CLOCK_REALTIME). Returns false only when the deadline has passed.
 */
static inline bool lb_futex_wait_until(_Atomic uint32_t *word, uint32_t expected,
				       uint64_t deadline_ns)
{
	struct timespec deadline = {
		.tv_sec = (time_t)(deadline_ns / 1000000000u),
		.tv_nsec = (long)(deadline_ns % 1000000000u),
	};

	if (syscall(SYS_futex, (void *)word, FUTEX_WAIT_BITSET_PRIVATE, expected, &deadline,
		    NULL, FUTEX_BITSET_MATCH_ANY) == 0)
		return true;
	return errno != ETIMEDOUT;
}

/* Wake up to n threads sleeping on word. */
static inline void lb_futex_wake(_Atomic uint32_t *word, int n)
{
	syscall(SYS_futex, (void *)word, FUTEX_WAKE_PRIVATE, n, NULL, NULL, 0);
}

#endif
