/*
 * locks/rw_phasefair.c — the phase-fair ticket reader-writer lock (PF-T).
 *
 * Algorithm: B. B. Brandenburg and J. H. Anderson, "Reader-Writer
 * Synchronization for Shared-Memory Multiprocessor Real-Time Systems",
 * ECRTS 2009, section 3.3 and listing 2 ("PF-T"). Four counters:
 *
 *	rin	readers that entered, * RINC, plus in its low bits the writer bits
 *		PRES (a writer is present) and PHID (that writer's phase id)
 *	rout	readers that left, * RINC
 *	win	writer tickets handed out
 *	wout	writer tickets served
 *	phid	the phase id of the last write phase (only the ticket holder
 *		touches it)
 *
 * Writers queue on a ticket lock (win/wout). The writer at the head puts
 * PRES | its phase id into rin: readers arriving from then on see the bits
 * and wait; the readers that arrived before (their count is the rin value
 * the writer's add returned) drain, and the writer waits until rout has
 * caught up with that count. On release the writer clears the bits, which
 * admits every reader that arrived during its phase at once — before the
 * next writer, whose bits carry the other phase id, so a waiting reader
 * sees the bits change even when the next writer sets them at once.
 *
 *	read phase	-> a writer arrives: readers inside finish, new ones wait
 *	write phase	-> the writer leaves: all waiting readers enter together
 *	read phase	-> the next writer ...
 *
 * Policy: phase-fair (LB_CAP_PHASE_FAIR): reader and writer phases
 * alternate while both are waiting, so a reader waits for at most one
 * writer phase and a writer for at most one reader phase plus the writers
 * ahead of it (FIFO among writers). Spins; never sleeps.
 *
 * Layout: rin/rout on one line (every reader writes both), win/wout on
 * another (only writers touch them), so waiting writers do not take the
 * readers' line away from them.
 *
 * Counters wrap; only equality of rout and rin (and wout and win) is ever
 * tested, and the writer bits stay below RINC, so wrapping is harmless as
 * long as fewer than 2^24 readers are inside at once.
 *
 * The phase id must differ between two consecutive write phases that
 * readers can see: a reader waiting for bits w to change that found w
 * again would wait for a writer that waits for it (it is counted), a
 * deadlock. The paper takes the id from the ticket (t & 1); here it is
 * flipped per write phase instead (phid), because a writer's try can give
 * its ticket back unseen, and two ids taken from tickets around a skipped
 * one would be equal (lockbench's stress found exactly that deadlock in a
 * first version).
 *
 * try forms: a reader's try enters only when no writer bits are set (a CAS
 * on rin, so it is counted before any writer's bits or not at all). A
 * writer's try takes the next ticket only when no writer holds or waits,
 * and then sets its bits only if no reader is inside (rin's count equals
 * rout, checked and set by one CAS); otherwise it hands the ticket on
 * without ever having shown its bits. It must not set its bits and then
 * undo them: that would be a visible write phase that did not wait for
 * the readers counted before it, and a reader that missed it could see
 * its predecessor's id again in the next one. No timed
 * forms: a reader counted in rin and a writer holding a ticket can neither
 * leave the queue without being waited for, so giving up at a deadline is
 * not possible.
 *
 * Memory ordering:
 *
 *  read_acquire: w = fetch_add(rin, RINC, acquire) & WBITS		[RA]
 *	With w == 0 we are in. Every writer's [WX] (the RMW that clears its
 *	bits) heads a release sequence of the later RMWs of rin (readers'
 *	adds, writers' [WP]), so [RA] synchronizes-with the last [WX]: the
 *	last writer's critical section happens-before ours.
 *
 *  read_acquire: spin until (load(rin, acquire) & WBITS) != w		[RS]
 *	With w != 0, we wait for the writer whose bits we saw to leave. The
 *	value without its bits was written by its [WX] or by an RMW in that
 *	release sequence, so [RS] synchronizes-with [WX]. A next writer may
 *	already have set its own bits; it still waits for us, because our
 *	RINC is in the rin it read (see [WP]).
 *
 *  read_release: fetch_add(rout, RINC, release)			[RR]
 *	Pairs with a writer's [WD]: all readers' [RR] are RMWs of rout, so
 *	the value [WD] waits for lies in the release sequence of every
 *	earlier reader's [RR].
 *
 *  write_acquire: t = fetch_add(win, 1, relaxed)			[WT]
 *	Takes a ticket; hands out nothing but the number (modification
 *	order of win makes tickets unique).
 *
 *  write_acquire: spin until load(wout, acquire) == t			[WW]
 *	Reads the value of the previous writer's [WO]: its critical section,
 *	and its [WX], happen-before ours.
 *
 *  write_acquire: phid flipped: load and store (relaxed)		[PH]
 *	Only the ticket holder touches phid, so [WW] and [WO] order it like
 *	everything else the ticket protects.
 *
 *  write_acquire: r = fetch_add(rin, PRES | phid, relaxed)		[WP]
 *	Splits the readers in two by the modification order of rin: those
 *	whose [RA] came before are counted in r and we wait for them at
 *	[WD]; those after see our bits and wait at [RS] for our [WX]. The
 *	RMW needs no order of its own: [WD] below provides the
 *	happens-before with the readers, and [WX] the one for later ones.
 *	After [WW], rin's writer bits are clear (the previous writer's [WX]
 *	happens-before it), so r is a plain multiple of RINC.
 *
 *  write_acquire: spin until load(rout, acquire) == r			[WD]
 *	Every reader counted in r has run its [RR]; reading the value of the
 *	last of them synchronizes-with each [RR] (release sequence), so their
 *	read sections happen-before our write section. No reader counted
 *	after r can advance rout first: it waits for our [WX].
 *
 *  write_release: fetch_and(rin, ~WBITS, release)			[WX]
 *	Ends our phase: pairs with [RS] (and [RA], [RT] of later readers).
 *
 *  write_release: fetch_add(wout, 1, release)				[WO]
 *	Serves the next ticket: pairs with its [WW]. Sequenced after [WX],
 *	so the next writer's [WP] comes after our bits are gone.
 *
 *  write_release, validation build only: load(rin, relaxed)		[K]
 *	returns -1 when PRES is clear (no writer inside; best effort); left
 *	out of lockbench's build for the reason rw_rpref.c gives.
 *
 *  read_try_acquire: CAS(rin, v -> v + RINC, acquire), v & WBITS == 0	[RT]
 *	As [RA] with w == 0; a failed CAS with still no bits is retried (no
 *	waiting for the lock, only for the word). v comes from a relaxed load
 *	[RV] that only picks the value to try.
 *
 *  write_try_acquire: o = load(wout, acquire); CAS(win, o -> o+1, relaxed)	[WY]
 *	As the ticket lock's try: it succeeds only if no writer holds or
 *	waits, and [WY]'s load synchronizes with the last [WO] (so rin's
 *	writer bits are clear).
 *
 *  write_try_acquire: c = load(rout, acquire); CAS(rin, c -> c | bits, acquire)	[WZ]
 *	Succeeds only if rin still counts exactly the readers that have
 *	left: nobody inside, and from now on new readers see our bits. The
 *	load synchronizes with every [RR] (release sequence), so their
 *	sections happen-before ours. On failure [WO] hands the ticket on;
 *	readers never saw our bits. The phase id is read [PH] before and
 *	stored [PH] only on success: it is ours while we hold the ticket.
 */
#include <stdalign.h>
#include <stdatomic.h>

#include "cpu.h"
#include "registry.h"

#define PFT_RINC 0x100u
#define PFT_WBITS 0x3u
#define PFT_PRES 0x2u
#define PFT_PHID 0x1u

struct pft_lock {
	alignas(LB_CACHELINE) _Atomic uint32_t rin;
	_Atomic uint32_t rout;
	alignas(LB_CACHELINE) _Atomic uint32_t win;
	_Atomic uint32_t wout;
	_Atomic uint32_t phid; /* id of the last write phase, 0 or PHID */
};

static void pft_read_acquire(void *state, void *node)
{
	struct pft_lock *l = state;
	uint32_t w = atomic_fetch_add_explicit(&l->rin, PFT_RINC, memory_order_acquire) & PFT_WBITS; /* [RA] */

	(void)node;
	if (w == 0)
		return;
	while ((atomic_load_explicit(&l->rin, memory_order_acquire) & PFT_WBITS) == w) /* [RS] */
		lb_cpu_relax();
}

static int pft_read_release(void *state, void *node)
{
	struct pft_lock *l = state;

	(void)node;
	atomic_fetch_add_explicit(&l->rout, PFT_RINC, memory_order_release); /* [RR] */
	return 0;
}

static bool pft_read_try_acquire(void *state, void *node)
{
	struct pft_lock *l = state;
	uint32_t v = atomic_load_explicit(&l->rin, memory_order_relaxed); /* [RV] */

	(void)node;
	while (!(v & PFT_WBITS))
		if (atomic_compare_exchange_weak_explicit(&l->rin, &v, v + PFT_RINC, memory_order_acquire, /* [RT] */
							  memory_order_relaxed))
			return true;
	return false;
}

/* Holding the ticket: the bits of a new write phase, whose id differs from the last one's. */
static uint32_t pft_next_bits(struct pft_lock *l)
{
	uint32_t p = atomic_load_explicit(&l->phid, memory_order_relaxed) ^ PFT_PHID; /* [PH] */
	atomic_store_explicit(&l->phid, p, memory_order_relaxed);                   /* [PH] */
	return PFT_PRES | p;
}

static void pft_write_acquire(void *state, void *node)
{
	struct pft_lock *l = state;
	uint32_t t = atomic_fetch_add_explicit(&l->win, 1, memory_order_relaxed); /* [WT] */

	(void)node;
	while (atomic_load_explicit(&l->wout, memory_order_acquire) != t) /* [WW] */
		lb_cpu_relax();
	uint32_t r = atomic_fetch_add_explicit(&l->rin, pft_next_bits(l), memory_order_relaxed); /* [WP] */
	while (atomic_load_explicit(&l->rout, memory_order_acquire) != r) /* [WD] */
		lb_cpu_relax();
}

static void pft_leave_phase(struct pft_lock *l)
{
	atomic_fetch_and_explicit(&l->rin, ~PFT_WBITS, memory_order_release); /* [WX] */
	atomic_fetch_add_explicit(&l->wout, 1, memory_order_release);       /* [WO] */
}

static int pft_write_release(void *state, void *node)
{
	struct pft_lock *l = state;

	(void)node;
	if (LB_CHECKED && !(atomic_load_explicit(&l->rin, memory_order_relaxed) & PFT_PRES)) /* [K] */
		return -1;
	pft_leave_phase(l);
	return 0;
}

static bool pft_write_try_acquire(void *state, void *node)
{
	struct pft_lock *l = state;
	uint32_t o = atomic_load_explicit(&l->wout, memory_order_acquire); /* [WY] */
	uint32_t expected = o;

	(void)node;
	if (!atomic_compare_exchange_strong_explicit(&l->win, &expected, o + 1, memory_order_relaxed, /* [WY] */
						     memory_order_relaxed))
		return false;
	uint32_t c = atomic_load_explicit(&l->rout, memory_order_acquire); /* [WZ] */
	uint32_t p = atomic_load_explicit(&l->phid, memory_order_relaxed) ^ PFT_PHID; /* [PH] */
	if (atomic_compare_exchange_strong_explicit(&l->rin, &c, c | PFT_PRES | p, /* [WZ] */
						    memory_order_acquire, memory_order_relaxed)) {
		atomic_store_explicit(&l->phid, p, memory_order_relaxed); /* [PH] */
		return true;
	}
	atomic_fetch_add_explicit(&l->wout, 1, memory_order_release); /* [WO] */
	return false;
}

const struct lb_lock_ops lb_lock_rw_phasefair = {
	.abi_version = LB_LOCK_ABI_VERSION,
	.name = "rw-phasefair",
	.summary = "phase-fair ticket RW lock PF-T (Brandenburg & Anderson 2009): phases alternate, spins",
	.state_size = sizeof(struct pft_lock),
	.state_align = _Alignof(struct pft_lock),
	.node_size = 0,
	.caps = LB_CAP_RW | LB_CAP_PHASE_FAIR | LB_CAP_SPINS | LB_CAP_TRY | LB_IF_CHECKED(LB_CAP_CHECKS_RELEASE),
	.init = NULL, /* zeroed counters are a free lock */
	.acquire = pft_write_acquire,
	.release = pft_write_release,
	.try_acquire = pft_write_try_acquire,
	.read_acquire = pft_read_acquire,
	.read_release = pft_read_release,
	.read_try_acquire = pft_read_try_acquire,
};
