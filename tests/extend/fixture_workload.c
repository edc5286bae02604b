/*
 * fixture_workload.c — `extend-fixture`, a workload that is not part of
 * lockbench. `make check-extend-workload` copies the tree, drops this file
 * into workloads/ and appends LB_WORKLOAD(extend_fixture) to
 * workloads/registry.def — the whole recipe for adding a workload — then
 * builds the copy, runs the generic workload test (which must find and
 * pass this workload) and `lockbench run -w extend-fixture`.
 *
 * Each pass takes the lock, bumps a shared counter, works cs_ns and
 * releases; each thread counts its passes in its own tally, and verify()
 * compares the counter with the sum of the tallies.
 */
#include "engine/workload.h"

enum { P_CS_NS };

static const struct lb_param fixture_params[] = {
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work inside the critical section", 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct fixture_state {
	_Alignas(LB_CACHELINE) _Atomic uint64_t counter;
	uint64_t cs_iters;
};

struct fixture_tally {
	uint64_t passes;
};

static int fixture_setup(struct lb_run *run, char *err, size_t errlen)
{
	(void)err, (void)errlen;
	struct fixture_state *s = run->wl_state;
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	return 0;
}

static void fixture_thread(struct lb_thread *t)
{
	struct fixture_state *s = t->run->wl_state;
	struct fixture_tally *me = t->tally;
	while (lb_running(t)) {
		lb_acquire(t);
		lb_bump(&s->counter);
		lb_busy(s->cs_iters);
		lb_release(t);
		me->passes++;
	}
}

static unsigned fixture_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct fixture_state *s = run->wl_state;
	uint64_t passes = LB_TALLY_SUM(run, struct fixture_tally, passes);
	return lb_verify_count(run, lb_relaxed_load(&s->counter), passes, "passes", msg, msglen) != 0;
}

const struct lb_workload lb_workload_extend_fixture = {
	.name = "extend-fixture",
	.summary = "test fixture: lock, bump a shared counter, work cs_ns, unlock (make check-extend-workload)",
	.params = fixture_params,
	.state_size = sizeof(struct fixture_state),
	.tally_size = sizeof(struct fixture_tally),
	.setup = fixture_setup,
	.thread = fixture_thread,
	.verify = fixture_verify,
};
