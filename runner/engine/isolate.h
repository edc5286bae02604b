/*
 * engine/isolate.h — one config in a process of its own, so that whatever
 * its lock or workload does costs only that config.
 *
 * lockbench forks; the child runs the config (lb_run_config), fills its
 * sample and hands it back through a pipe as JSON (the model's own codec,
 * model/json.h), then leaves with _exit. The parent waits on the pipe and
 * on the child:
 *   - a sample arrives: it is the config's, with "isolated": true (a hung
 *     or deadlocked run inside the child is reported by the child, with
 *     its stuck threads' stacks, and the child's exit frees its threads);
 *   - the child dies of a signal (SIGSEGV, SIGABRT, ...) or exits (a lock
 *     that calls exit()): status "crashed", naming the signal or the exit
 *     status, where the run was (init, window, ...), the stack of the thread
 *     that crashed or called exit (its handler writes the raw addresses into
 *     the pipe; the parent, whose mappings the child shares, symbolises
 *     them) and every thread's acquisitions so far;
 *   - the child does not finish in time (an init, destroy or verify that
 *     never returns, beyond the child's own bounds): it is asked for its
 *     main thread's stack (SIGUSR2), then killed; status "hung";
 *   - SIGINT or SIGTERM: the child is passed the signal and hands back its
 *     interrupted sample; a second signal, or no answer within the grace
 *     period, kills it. Status "interrupted".
 * The child's threads never outlive it, so the next config starts clean.
 */
#ifndef LB_ENGINE_ISOLATE_H
#define LB_ENGINE_ISOLATE_H

#include <stdbool.h>

#include "engine/run.h"
#include "model/model.h"

/* --isolate / --no-isolate, or neither (auto). */
enum lb_isolate_mode { LB_ISOLATE_AUTO = -1, LB_ISOLATE_OFF = 0, LB_ISOLATE_ON = 1 };

/*
 * Without isolation, a lock that calls exit() would end lockbench with that
 * status, no result and no word. Once installed (by the plan), an exit()
 * while a config runs in this process says so on stderr and exits 1.
 */
void lb_exit_guard_install(void);

/* Auto: plug-in locks (code lockbench has never seen) and workloads that may deadlock. */
bool lb_isolate_wanted(int mode, const struct lb_lock_choice *lock, const struct lb_wl_choice *wl);

/*
 * Run one config isolated and fill s (repetition, status, figures, ...),
 * with pingpong_ns as the sample's ping-pong figure. Returns 0, or -1 when
 * the config could not start (as lb_run_config's -1: the reason in msg).
 */
int lb_run_isolated(const struct lb_run_opts *o, const void *topo, const struct lb_lock_choice *lock,
		    const struct lb_wl_choice *wl, unsigned nthreads, const int *pus, unsigned repetition,
		    double pingpong_ns, struct lb_sample *s, char *msg, size_t msglen);

#endif
