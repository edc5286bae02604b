/*
 * locks/cpu.h — what a spinning waiter does between two looks at the lock.
 *
 * On x86 the `pause` instruction tells the core it is in a spin-wait loop:
 * it stops the loop from flooding the pipeline with speculative loads (and
 * the memory-order machine clear on exit), and hands execution resources to
 * the sibling hyperthread. Elsewhere we only need the compiler to re-read
 * memory on every turn, which a compiler barrier gives; the atomic loads in
 * the loops already force that, so the barrier is belt and braces.
 */
#ifndef LB_LOCKS_CPU_H
#define LB_LOCKS_CPU_H

static inline void lb_cpu_relax(void)
{
#if defined(__x86_64__) || defined(__i386__)
	__builtin_ia32_pause();
#else
	__asm__ __volatile__("" ::: "memory");
#endif
}

#endif
