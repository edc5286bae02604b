/*
 * engine/stackdump.h — where a stuck thread is: its stack, symbolised, and
 * what the OS says of it (state, CPU time). The faulthandler of this suite.
 *
 * A thread's stack is taken by the thread itself: lb_stack_capture sends it
 * a signal (tgkill), whose handler calls backtrace() into a buffer the
 * caller then reads. That works for a thread spinning in a lock, asleep in
 * a futex (the handler runs and the wait resumes, SA_RESTART) or stuck in
 * an init that never returns. Symbols come from libdw (elfutils): function
 * names of static functions too, and file:line where there is debug info,
 * for lockbench and for plug-ins alike.
 */
#ifndef LB_ENGINE_STACKDUMP_H
#define LB_ENGINE_STACKDUMP_H

#include <stddef.h>
#include <stdint.h>

#define LB_STACK_MAX 48

/* Install the handler and load what backtrace() needs. Once, before threads start; 0 or -1. */
int lb_stackdump_init(void);

/*
 * Thread tid's (of this process) return addresses, innermost first, the
 * handler's own frames included (lb_stack_symbolise drops them). Returns
 * how many, or -1 when the thread did not answer within timeout_ns (gone,
 * or never scheduled).
 */
int lb_stack_capture(int tid, void **frames, int max, int64_t timeout_ns);

/*
 * Frames as text, "function (file.c:123)" or "function+0x1f (libfoo.so)",
 * innermost first, starting below the signal trampoline when there is one
 * (the frames of a handler are not the thread's). The addresses must be of
 * this process or of a fork of it that loaded nothing since. Returns a
 * malloc'd array of *n malloc'd strings (lb_strings_free), NULL when n is 0.
 */
char **lb_stack_symbolise(void *const *frames, int nframes, size_t *n);

/* CPU time of thread tid of this process in ns, and its state letter (R, S, D, ...); -1 if unknown. */
int64_t lb_thread_cpu_ns(int tid, char *state);
/* "running", "asleep", "disk", "stopped", "zombie" for a state letter; NULL for an unknown one. */
const char *lb_thread_state_name(char state);

/* A thread of a run that did not finish, as reported (engine/run.c fills it, model/fill.c copies it). */
struct lb_stuck {
	unsigned id;
	int tid, pu;
	char state;        /* /proc state letter; 0: unknown */
	int64_t cpu_ns;    /* -1: unknown */
	uint64_t waiting;  /* its published wait word (engine/multilock.h); 0: none */
	int holder;        /* the holder of the lock it waits for (first signaller of its condition); -1 */
	unsigned *holds;   /* locks it holds (malloc'd) */
	size_t nholds;
	char **stack;      /* lb_stuck_symbolise */
	size_t nstack;
	void *frames[LB_STACK_MAX]; /* as captured */
	int nframes;
};

struct lb_run;
/*
 * Describe the threads of r listed in ids (n of them): state, CPU time,
 * published wait and holds, the holder of what each waits for, and the
 * stack's raw frames (quick: a signal each). Returns a malloc'd array of n
 * (NULL when out of memory). lb_stuck_symbolise then names the frames,
 * which takes a while (debug information is read).
 */
struct lb_stuck *lb_stuck_describe(const struct lb_run *r, const unsigned *ids, size_t n);
void lb_stuck_symbolise(struct lb_stuck *s, size_t n);
void lb_stuck_free(struct lb_stuck *s, size_t n);

#endif
