/*
 * pick.h — a per-thread random generator for the workloads that choose
 * locks, accounts or counters at random (striped, bank, lockorder): no
 * shared state, a few cycles per draw, the same sequence for the same
 * thread id and seed.
 */
#ifndef LB_WORKLOADS_PICK_H
#define LB_WORKLOADS_PICK_H

#include <stdint.h>

/* splitmix64 of (seed, thread id): well-mixed, distinct and never 0. */
static inline uint64_t lb_pick_seed(uint64_t seed, unsigned id)
{
	uint64_t z = seed + 0x9e3779b97f4a7c15ull * (id + 1);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	z ^= z >> 31;
	return z ? z : 1;
}

/* xorshift64* (Vigna): a value in [0, n), n > 0. */
static inline uint64_t lb_pick(uint64_t *x, uint64_t n)
{
	*x ^= *x >> 12;
	*x ^= *x << 25;
	*x ^= *x >> 27;
	return (*x * 0x2545f4914f6cdd1dull >> 11) % n;
}

#endif
