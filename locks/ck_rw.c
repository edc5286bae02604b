/*
 * locks/ck_rw.c — Concurrency Kit's reader-writer locks, as reference locks.
 *
 * Source: Concurrency Kit (S. Bahra, concurrencykit.org), Debian's
 * libck-dev, header-only: ck_rwlock.h, ck_brlock.h, ck_pflock.h,
 * ck_tflock.h. As in ck.c (the CK spinlocks), one file holds the thin
 * wrappers of one library; each adds nothing to the hot path but what the
 * ABI needs.
 *
 *	ck-rwlock	ck_rwlock_{write,read}_{lock,unlock,trylock}: one writer
 *			flag and one reader count. A writer takes the flag (fas)
 *			and waits for the count to drain; a reader waits while
 *			the flag is set, counts itself in, and backs out if a
 *			writer came meanwhile. Writer preference.
 *	ck-brlock	ck_brlock_*: the big-reader lock; each reader has its
 *			own ck_brlock_reader_t (in our per-thread node, on its
 *			own lines), registered on the lock at its first read
 *			(ck_brlock_read_register, which takes the write side
 *			once). A writer takes the flag and waits for every
 *			registered reader. Writer preference. try forms with
 *			CK's `factor` 1 (give up at the first obstacle).
 *	ck-pflock	ck_pflock_*: phase-fair (Brandenburg & Anderson's PF-T,
 *			as locks/rw_phasefair.c, but all four counters on one
 *			line). No try in CK.
 *	ck-tflock	ck_tflock_ticket_*: task-fair: one request ticket and
 *			one completion ticket, each with a reader half and a
 *			writer half; requests are served in arrival order,
 *			consecutive readers together (FIFO). No try in CK.
 *
 * All spin and never sleep. In the validation build (LB_LOCK_CHECKS,
 * locks/registry.h) releases report -1 where CK's state shows that nobody
 * holds that side (best effort; a relaxed ck_pr_load of CK's state before
 * CK's unlock, [K] below); lockbench's build leaves those loads out, so a
 * reference lock adds nothing to CK's hot path, and returns 0 like ck.c.
 * ck-pflock's read side and ck-tflock cannot tell and always return 0.
 *
 * Memory ordering is CK's (on x86-64, TSO: its RMWs are locked
 * instructions and ck_pr_fence_lock/unlock compiler barriers). Under
 * ThreadSanitizer each wrapper describes the lock as ck.c does
 * (ck_tsan.h). Built only with <ck_rwlock.h> etc. (LB_HAVE_CK_RW).
 */
#include "registry.h"

#ifdef LB_HAVE_CK_RW

#include <ck_brlock.h>
#include <ck_pflock.h>
#include <ck_rwlock.h>
#include <ck_tflock.h>
#include <stdalign.h>

#include "ck_tsan.h"

/* init for the tables whose state is zeroed CK state: nothing to do but CK's init. */
#define CK_RW_INIT(name, type, initfn)                                                                  \
	static int name(void *state, const union lb_value *params, unsigned nthreads, char *err,        \
			size_t errlen)                                                                  \
	{                                                                                               \
		(void)params, (void)nthreads, (void)err, (void)errlen;                                  \
		initfn((type *)state);                                                                  \
		return 0;                                                                               \
	}

/* A locking call inside TSan's ignore region, then the acquire it stands for. */
#define CK_LOCKED(state, call)                                                                          \
	do {                                                                                            \
		ck_tsan_hide();                                                                         \
		call;                                                                                   \
		ck_tsan_show();                                                                         \
		ck_tsan_acquired(state);                                                                \
	} while (0)

#define CK_UNLOCKING(state, call)                                                                       \
	do {                                                                                            \
		ck_tsan_releasing(state);                                                               \
		ck_tsan_hide();                                                                         \
		call;                                                                                   \
		ck_tsan_show();                                                                         \
	} while (0)

/* A try call: true and the acquire when it took the lock. */
static inline bool ck_tried(void *state, bool locked)
{
	if (locked)
		ck_tsan_acquired(state);
	return locked;
}

/* ---- ck-rwlock ---- */

struct ck_rwlock_state {
	alignas(LB_CACHELINE) ck_rwlock_t rw;
};

CK_RW_INIT(ck_rwlock_init_state, ck_rwlock_t, ck_rwlock_init)

static void ck_rwlock_w_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_rwlock_write_lock(state));
}

static int ck_rwlock_w_release(void *state, void *node)
{
	(void)node;
	if (LB_CHECKED && (ck_pr_load_uint(&((ck_rwlock_t *)state)->writer) == 0)) /* [K] */
		return -1;
	CK_UNLOCKING(state, ck_rwlock_write_unlock(state));
	return 0;
}

static bool ck_rwlock_w_try(void *state, void *node)
{
	bool locked;

	(void)node;
	ck_tsan_hide();
	locked = ck_rwlock_write_trylock(state);
	ck_tsan_show();
	return ck_tried(state, locked);
}

static void ck_rwlock_r_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_rwlock_read_lock(state));
}

static int ck_rwlock_r_release(void *state, void *node)
{
	(void)node;
	if (LB_CHECKED && (ck_pr_load_uint(&((ck_rwlock_t *)state)->n_readers) == 0)) /* [K] */
		return -1;
	CK_UNLOCKING(state, ck_rwlock_read_unlock(state));
	return 0;
}

static bool ck_rwlock_r_try(void *state, void *node)
{
	bool locked;

	(void)node;
	ck_tsan_hide();
	locked = ck_rwlock_read_trylock(state);
	ck_tsan_show();
	return ck_tried(state, locked);
}

const struct lb_lock_ops lb_lock_ck_rwlock = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-rwlock",
	.summary = "Concurrency Kit ck_rwlock (reference): writer flag + reader count, writer preference, spins",
	.state_size = sizeof(struct ck_rwlock_state),
	.state_align = _Alignof(struct ck_rwlock_state),
	.caps = LB_CAP_RW | LB_CAP_WRITER_PREF | LB_CAP_SPINS | LB_CAP_TRY | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = ck_rwlock_init_state,
	.acquire = ck_rwlock_w_acquire,
	.release = ck_rwlock_w_release,
	.try_acquire = ck_rwlock_w_try,
	.read_acquire = ck_rwlock_r_acquire,
	.read_release = ck_rwlock_r_release,
	.read_try_acquire = ck_rwlock_r_try,
};

/* ---- ck-brlock ---- */

struct ck_brlock_state {
	alignas(LB_CACHELINE) ck_brlock_t br;
};

struct ck_brlock_node {
	ck_brlock_reader_t reader;
	bool registered;
};

CK_RW_INIT(ck_brlock_init_state, ck_brlock_t, ck_brlock_init)

/* The reader of this thread, registered on the lock at its first read. */
static ck_brlock_reader_t *ck_brlock_reader_of(void *state, struct ck_brlock_node *n)
{
	if (!n->registered) {
		CK_LOCKED(state, ck_brlock_read_register(state, &n->reader));
		/* register took and dropped the write side: describe the drop too */
		ck_tsan_releasing(state);
		n->registered = true;
	}
	return &n->reader;
}

static void ck_brlock_w_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_brlock_write_lock(state));
}

static int ck_brlock_w_release(void *state, void *node)
{
	(void)node;
	if (LB_CHECKED && (ck_pr_load_uint(&((ck_brlock_t *)state)->writer) == 0)) /* [K] */
		return -1;
	CK_UNLOCKING(state, ck_brlock_write_unlock(state));
	return 0;
}

static bool ck_brlock_w_try(void *state, void *node)
{
	bool locked;

	(void)node;
	ck_tsan_hide();
	locked = ck_brlock_write_trylock(state, 1);
	ck_tsan_show();
	return ck_tried(state, locked);
}

static void ck_brlock_r_acquire(void *state, void *node)
{
	ck_brlock_reader_t *r = ck_brlock_reader_of(state, node);

	CK_LOCKED(state, ck_brlock_read_lock(state, r));
}

static int ck_brlock_r_release(void *state, void *node)
{
	struct ck_brlock_node *n = node;

	if (LB_CHECKED && (!n->registered || ck_pr_load_uint(&n->reader.n_readers) == 0)) /* [K] */
		return -1;
	CK_UNLOCKING(state, ck_brlock_read_unlock(&n->reader));
	return 0;
}

static bool ck_brlock_r_try(void *state, void *node)
{
	ck_brlock_reader_t *r = ck_brlock_reader_of(state, node);
	bool locked;

	ck_tsan_hide();
	locked = ck_brlock_read_trylock(state, r, 1);
	ck_tsan_show();
	return ck_tried(state, locked);
}

const struct lb_lock_ops lb_lock_ck_brlock = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-brlock",
	.summary = "Concurrency Kit ck_brlock (reference): big-reader lock, a counter per reader, spins",
	.state_size = sizeof(struct ck_brlock_state),
	.state_align = _Alignof(struct ck_brlock_state),
	.node_size = sizeof(struct ck_brlock_node),
	.caps = LB_CAP_RW | LB_CAP_WRITER_PREF | LB_CAP_SPINS | LB_CAP_TRY | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = ck_brlock_init_state,
	.acquire = ck_brlock_w_acquire,
	.release = ck_brlock_w_release,
	.try_acquire = ck_brlock_w_try,
	.read_acquire = ck_brlock_r_acquire,
	.read_release = ck_brlock_r_release,
	.read_try_acquire = ck_brlock_r_try,
};

/* ---- ck-pflock ---- */

struct ck_pflock_state {
	alignas(LB_CACHELINE) ck_pflock_t pf;
};

CK_RW_INIT(ck_pflock_init_state, ck_pflock_t, ck_pflock_init)

static void ck_pflock_w_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_pflock_write_lock(state));
}

static int ck_pflock_w_release(void *state, void *node)
{
	(void)node;
	if (LB_CHECKED && (!(ck_pr_load_32(&((ck_pflock_t *)state)->rin) & CK_PFLOCK_PRES))) /* [K] */
		return -1;
	CK_UNLOCKING(state, ck_pflock_write_unlock(state));
	return 0;
}

static void ck_pflock_r_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_pflock_read_lock(state));
}

static int ck_pflock_r_release(void *state, void *node)
{
	(void)node;
	CK_UNLOCKING(state, ck_pflock_read_unlock(state));
	return 0;
}

const struct lb_lock_ops lb_lock_ck_pflock = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-pflock",
	.summary = "Concurrency Kit ck_pflock (reference): phase-fair ticket RW lock, spins",
	.state_size = sizeof(struct ck_pflock_state),
	.state_align = _Alignof(struct ck_pflock_state),
	.caps = LB_CAP_RW | LB_CAP_PHASE_FAIR | LB_CAP_SPINS | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = ck_pflock_init_state,
	.acquire = ck_pflock_w_acquire,
	.release = ck_pflock_w_release,
	.read_acquire = ck_pflock_r_acquire,
	.read_release = ck_pflock_r_release,
};

/* ---- ck-tflock ---- */

struct ck_tflock_state {
	alignas(LB_CACHELINE) ck_tflock_ticket_t tf;
};

CK_RW_INIT(ck_tflock_init_state, ck_tflock_ticket_t, ck_tflock_ticket_init)

static void ck_tflock_w_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_tflock_ticket_write_lock(state));
}

static int ck_tflock_w_release(void *state, void *node)
{
	(void)node;
	CK_UNLOCKING(state, ck_tflock_ticket_write_unlock(state));
	return 0;
}

static void ck_tflock_r_acquire(void *state, void *node)
{
	(void)node;
	CK_LOCKED(state, ck_tflock_ticket_read_lock(state));
}

static int ck_tflock_r_release(void *state, void *node)
{
	(void)node;
	CK_UNLOCKING(state, ck_tflock_ticket_read_unlock(state));
	return 0;
}

const struct lb_lock_ops lb_lock_ck_tflock = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "ck-tflock",
	.summary = "Concurrency Kit ck_tflock_ticket (reference): task-fair ticket RW lock, FIFO, spins",
	.state_size = sizeof(struct ck_tflock_state),
	.state_align = _Alignof(struct ck_tflock_state),
	.caps = LB_CAP_RW | LB_CAP_FIFO | LB_CAP_SPINS,
	.init = ck_tflock_init_state,
	.acquire = ck_tflock_w_acquire,
	.release = ck_tflock_w_release,
	.read_acquire = ck_tflock_r_acquire,
	.read_release = ck_tflock_r_release,
};

#endif /* LB_HAVE_CK_RW */
