/*
 * bank.c — transfers between accounts, each under a lock of its own
 * (libslock's bank test): a pass picks two accounts at random, takes the
 * lower-numbered one's lock first (one global order, so it cannot
 * deadlock), moves a random amount from one to the other if it is covered,
 * works cs_ns and releases both. Every audit_every transfers a thread
 * audits: it takes every account's lock in order and adds the balances up.
 *
 * verify(): no audit saw a total other than accounts x initial, and the
 * total at the end is that too. Two holders of one account's lock lose or
 * invent money (each reads the balance, then writes it back changed).
 */
#include "engine/multilock.h"
#include "engine/workload.h"
#include "workloads/pick.h"

enum { P_ACCOUNTS, P_INITIAL, P_AUDIT_EVERY, P_CS_NS, P_THINK_NS };

static const struct lb_param bank_params[] = {
	[P_ACCOUNTS] = { "accounts", LB_PARAM_INT, "16", "accounts, each under a lock of its own", 2, 4096 },
	[P_INITIAL] = { "initial", LB_PARAM_INT, "1000", "balance of every account at the start", 1, 1000000000 },
	[P_AUDIT_EVERY] = { "audit_every", LB_PARAM_INT, "1000",
			    "transfers between two audits by a thread (all locks, in order; 0: none)", 0, 1000000000 },
	[P_CS_NS] = { "cs_ns", LB_PARAM_DURATION, "0", "busy work while both accounts are held", 0, 1000000000 },
	[P_THINK_NS] = { "think_ns", LB_PARAM_DURATION, "0", "busy work between transfers", 0, 1000000000 },
	{ NULL, 0, NULL, NULL, 0, 0 },
};

struct bank_tally {
	uint64_t audits, bad_audits, last_bad_total;
};

struct bank_state {
	unsigned accounts;
	uint64_t initial, audit_every, cs_iters, think_iters;
	struct lb_line *balance;
};

static unsigned bank_nlocks(const union lb_value *p)
{
	return (unsigned)p[P_ACCOUNTS].i;
}

static int bank_setup(struct lb_run *run, char *err, size_t errlen)
{
	struct bank_state *s = run->wl_state;
	s->accounts = (unsigned)lb_param(run, P_ACCOUNTS);
	s->initial = (uint64_t)lb_param(run, P_INITIAL);
	s->audit_every = (uint64_t)lb_param(run, P_AUDIT_EVERY);
	s->cs_iters = lb_param_iters(run, P_CS_NS);
	s->think_iters = lb_param_iters(run, P_THINK_NS);
	if ((s->balance = lb_wl_alloc(run, s->accounts, sizeof *s->balance)) == NULL)
		return lb_setup_fail(run, err, errlen, "out of memory");
	for (unsigned i = 0; i < s->accounts; i++)
		lb_relaxed_store(&s->balance[i].v, s->initial);
	return 0;
}

static void audit(struct lb_thread *t, const struct bank_state *s, struct bank_tally *me)
{
	uint64_t sum = 0;
	for (unsigned k = 0; k < s->accounts; k++)
		lb_acquire_k(t, k);
	for (unsigned k = 0; k < s->accounts; k++)
		sum += lb_relaxed_load(&s->balance[k].v);
	for (unsigned k = s->accounts; k-- > 0;)
		lb_release_k(t, k);
	me->audits++;
	if (sum != (uint64_t)s->accounts * s->initial) {
		me->bad_audits++;
		me->last_bad_total = sum;
	}
}

static void bank_thread(struct lb_thread *t)
{
	const struct bank_state *s = t->run->wl_state;
	struct bank_tally *me = t->tally;
	uint64_t x = lb_pick_seed(2, t->id), since_audit = 0;
	while (lb_running(t)) {
		unsigned from = (unsigned)lb_pick(&x, s->accounts);
		unsigned to = (from + 1 + (unsigned)lb_pick(&x, s->accounts - 1)) % s->accounts;
		unsigned lo = from < to ? from : to, hi = from < to ? to : from;
		lb_acquire_k(t, lo);
		lb_acquire_k(t, hi);
		uint64_t a = lb_relaxed_load(&s->balance[from].v);
		uint64_t amount = lb_pick(&x, s->initial) + 1;
		if (amount <= a) {
			lb_relaxed_store(&s->balance[from].v, a - amount);
			lb_relaxed_store(&s->balance[to].v, lb_relaxed_load(&s->balance[to].v) + amount);
		}
		if (s->cs_iters)
			lb_busy(s->cs_iters);
		lb_release_k(t, hi);
		lb_release_k(t, lo);
		if (s->think_iters)
			lb_busy(s->think_iters);
		if (s->audit_every && ++since_audit == s->audit_every) {
			since_audit = 0;
			audit(t, s, me);
		}
	}
}

static unsigned bank_verify(struct lb_run *run, char *msg, size_t msglen)
{
	struct bank_state *s = run->wl_state;
	uint64_t want = (uint64_t)s->accounts * s->initial, sum = 0;
	for (unsigned i = 0; i < s->accounts; i++)
		sum += lb_relaxed_load(&s->balance[i].v);
	uint64_t bad = LB_TALLY_SUM(run, struct bank_tally, bad_audits);
	if (sum != want)
		return lb_verify_fail(run, msg, msglen, "total %" PRIu64 " at the end, not %" PRIu64 " (%" PRIu64
				      " of %" PRIu64 " audits wrong too)", sum, want, bad,
				      LB_TALLY_SUM(run, struct bank_tally, audits));
	if (bad != 0)
		return lb_verify_fail(run, msg, msglen, "%" PRIu64 " audits saw a total other than %" PRIu64
				      " (one saw %" PRIu64 ")", bad, want, LB_TALLY_MAX(run, struct bank_tally, last_bad_total));
	return 0;
}

const struct lb_workload lb_workload_bank = {
	.name = "bank",
	.summary = "transfers between accounts, each under its own lock, locks in global order; the total must hold",
	.params = bank_params,
	.state_size = sizeof(struct bank_state),
	.tally_size = sizeof(struct bank_tally),
	.setup = bank_setup,
	.thread = bank_thread,
	.verify = bank_verify,
	.nlocks = bank_nlocks,
};
