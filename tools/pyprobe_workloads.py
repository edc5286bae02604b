"""pyprobe_workloads — the per-thread loops of tools/pyprobe.py and their checks.

Each workload mirrors the C one of the same name (workloads/*.c) on CPython's
own primitives, and checks its own invariants the way the C verify() does:
an owner canary and a plain shared counter inside exclusive sections, the
items produced against those consumed, holders of a semaphore against its
permits, one token in an event ring, equal rounds at a barrier.

The state the threads share is plain Python attributes: under a lock they
are what the lock protects (a broken lock shows as a canary violation or a
lost update); outside one they are only touched by one C-level call
(set.add, next(itertools.count)), which CPython makes atomic.
"""
import itertools
import queue
import threading
import time

STOP_PHASE, MEASURE_PHASE = 2, 1
SAMPLE_EVERY = 16
SLICE_NS = 10_000_000
ORDER_LOG_CAP = 1 << 20
BUSY_PER_US = [1.0]  # set by pyprobe.main from calibrate_busy()


def calibrate_busy():
    """Iterations per µs of `for _ in range(n): pass`: the fastest of five rounds."""
    best = 0.0
    for _ in range(5):
        n = 200_000
        t0 = time.perf_counter_ns()
        for _ in range(n):
            pass
        best = max(best, n * 1000 / max(time.perf_counter_ns() - t0, 1))
    return best


def iters(ns):
    return int(ns * BUSY_PER_US[0] / 1000 + 0.5)


def busy(n):
    for _ in range(n):
        pass


class Control:
    """The phase every thread reads in its loop, the window's start, the acquisition order."""

    def __init__(self):
        self.phase = 0
        self.t0 = 0
        self.seq = itertools.count()  # next() is one C call: atomic under the GIL
        self.order = [0] * ORDER_LOG_CAP


class Rec:
    """One thread's figures, written by that thread only (engine/harness.h's lb_thread)."""

    def __init__(self, tid, ctl, slices):
        self.tid, self.ctl = tid, ctl
        self.total = 0                  # warm-up included: verify() counts everything
        self.acq = self.timed = self.try_failures = self.violations = 0
        self.waits, self.holds = [], []
        self.countdown = 1              # the first acquisition of the window is timed
        self.gap = self.gap_end = 0     # longest time trying without success, and its end
        self.trying = 0                 # start of a run of failed attempts, or 0
        self.timeline = [0] * slices
        self.hold_t0 = 0

    def got(self, t0, t1):
        """An acquisition that was asked for at t0 and returned at t1 (perf_counter_ns).
        True when it is a timed one: then call released() when it is given back."""
        ctl = self.ctl
        ctl.order[next(ctl.seq) & (ORDER_LOG_CAP - 1)] = self.tid
        self.total += 1
        since = self.trying or t0
        self.trying = 0
        if ctl.phase != MEASURE_PHASE:
            return False
        self.acq += 1
        if t1 - since > self.gap:
            self.gap, self.gap_end = t1 - since, t1
        i = (t1 - ctl.t0) // SLICE_NS
        tl = self.timeline
        tl[i if 0 <= i < len(tl) else -1] += 1
        self.countdown -= 1
        if self.countdown:
            return False
        self.countdown = SAMPLE_EVERY
        self.timed += 1
        self.waits.append(t1 - t0)
        self.hold_t0 = t1
        return True

    def failed(self, t0):
        """A try or timed attempt that began at t0 failed; the thread keeps trying."""
        if not self.trying:
            self.trying = t0
        if self.ctl.phase == MEASURE_PHASE:
            self.try_failures += 1

    def released(self):
        self.holds.append(time.perf_counter_ns() - self.hold_t0)


def _sum(recs, key):
    return sum(getattr(r, key) for r in recs)


class Exclusive:
    """Base of the workloads over one lock: the owner canary and the plain counter."""
    locks = ("py-lock", "py-rlock")

    def __init__(self, lock, p, n):
        self.lock = threading.RLock() if lock == "py-rlock" else threading.Lock()
        self.owner = -1
        self.counter = 0
        self.recs = []

    def enter(self, r):
        if self.owner != -1:
            r.violations += 1
        self.owner = r.tid
        self.counter += 1

    def leave(self, r):
        if self.owner != r.tid:
            r.violations += 1
        self.owner = -1

    def stop(self):
        pass

    def verify(self):
        total = _sum(self.recs, "total")
        if self.counter != total:
            return 1, f"shared counter {self.counter} != {total} acquisitions"
        return 0, ""


class CS(Exclusive):
    """cs: lock, bump the counter, cs_ns of work, unlock, think_ns."""
    params = (("cs_ns", "0"), ("think_ns", "0"))

    def __init__(self, lock, p, n):
        super().__init__(lock, p, n)
        self.cs, self.think = iters(p["cs_ns"]), iters(p["think_ns"])

    def thread(self, r):
        lock, ctl, clock = self.lock, r.ctl, time.perf_counter_ns
        cs, think = self.cs, self.think
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            lock.acquire()
            timed = r.got(t0, clock())
            self.enter(r)
            busy(cs)
            self.leave(r)
            if timed:
                r.released()
            lock.release()
            busy(think)


class Nest(Exclusive):
    """nest: the RLock taken depth times nested; every take counts, as in workloads/nest.c."""
    params = (("depth", "3"), ("cs_ns", "0"), ("think_ns", "0"))
    locks = ("py-rlock",)
    ints = ("depth",)

    def __init__(self, lock, p, n):
        super().__init__(lock, p, n)
        self.depth, self.cs, self.think = p["depth"], iters(p["cs_ns"]), iters(p["think_ns"])

    def enter(self, r):
        pass  # the canary is set once, at the outermost level (see thread)

    def thread(self, r):
        lock, ctl, clock = self.lock, r.ctl, time.perf_counter_ns
        while ctl.phase != STOP_PHASE:
            timed_outer = False
            for level in range(self.depth):
                t0 = clock()
                lock.acquire()
                timed = r.got(t0, clock())
                if level == 0:
                    timed_outer = timed
                    if self.owner != -1:
                        r.violations += 1
                    self.owner = r.tid
                self.counter += 1
                if timed and level:
                    r.released()  # an inner hold is held only until the next take
            busy(self.cs)
            self.leave(r)
            for _ in range(self.depth - 1):
                lock.release()
            if timed_outer:
                r.released()
            lock.release()
            busy(self.think)


class Try(Exclusive):
    """trylock / timedlock: try or acquire(timeout=), back off on failure."""
    params = (("backoff_ns", "1us"), ("cs_ns", "1us"), ("think_ns", "0"))
    timeout = False

    def __init__(self, lock, p, n):
        super().__init__(lock, p, n)
        self.backoff, self.cs, self.think = iters(p["backoff_ns"]), iters(p["cs_ns"]), iters(p["think_ns"])
        self.timeout_s = p.get("timeout_ns", 0) / 1e9

    def thread(self, r):
        lock, ctl, clock = self.lock, r.ctl, time.perf_counter_ns
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            ok = lock.acquire(timeout=self.timeout_s) if self.timeout else lock.acquire(blocking=False)
            if not ok:
                r.failed(t0)
                busy(self.backoff)
                continue
            timed = r.got(t0, clock())
            self.enter(r)
            busy(self.cs)
            self.leave(r)
            if timed:
                r.released()
            lock.release()
            busy(self.think)


class Timed(Try):
    params = Try.params + (("timeout_ns", "50us"),)
    timeout = True


class Condition:
    """condition: producers and consumers on a bounded buffer.

    py-condition builds it as queue.Queue does, from one Lock and two
    Conditions; an acquisition is one entry into that lock. py-queue is
    queue.Queue itself; an acquisition is one put() or get()."""
    params = (("producers", "1"), ("capacity", "8"), ("item_ns", "1us"))
    ints = ("producers", "capacity")
    locks = ("py-condition", "py-queue")
    STOP_ITEM = -1

    def __init__(self, lock, p, n):
        self.kind, self.cap, self.item = lock, p["capacity"], iters(p["item_ns"])
        self.producers = min(p["producers"], n)
        self.q = queue.Queue(maxsize=self.cap)
        self.mutex = threading.Lock()
        self.not_empty, self.not_full = threading.Condition(self.mutex), threading.Condition(self.mutex)
        self.buf = []
        self.stopping = False
        self.made = {}      # tid → items put
        self.taken = {}     # tid → (count, sum) of items taken
        self.drained = [0, 0]
        self.recs = []

    def thread(self, r):
        if r.tid < self.producers:
            self._produce(r)
        else:
            self._consume(r)

    def _produce(self, r):
        ctl, clock, k = r.ctl, time.perf_counter_ns, 0
        while ctl.phase != STOP_PHASE:
            busy(self.item)
            item = (r.tid << 40) | k
            t0 = clock()
            if self.kind == "py-queue":
                self.q.put(item)
                r.got(t0, clock())
            else:
                with self.mutex:
                    r.got(t0, clock())
                    while len(self.buf) >= self.cap and not self.stopping:
                        self.not_full.wait()
                    if self.stopping:
                        return
                    self.buf.append(item)
                    self.not_empty.notify()
            k += 1
            self.made[r.tid] = k

    def _consume(self, r):
        ctl, clock, count, total = r.ctl, time.perf_counter_ns, 0, 0
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            if self.kind == "py-queue":
                item = self.q.get()
                r.got(t0, clock())
                if item == self.STOP_ITEM:
                    return
            else:
                with self.mutex:
                    r.got(t0, clock())
                    while not self.buf and not self.stopping:
                        self.not_empty.wait()
                    if not self.buf:
                        return
                    item = self.buf.pop(0)
                    self.not_full.notify()
            count, total = count + 1, total + item
            self.taken[r.tid] = (count, total)
            busy(self.item)

    def stop(self):
        """Wake every sleeper: set the flag under the lock (py-condition), or keep draining the
        queue (unblocks producers) and offering stop items (unblocks consumers) till all left."""
        with self.mutex:
            self.stopping = True
            self.not_empty.notify_all()
            self.not_full.notify_all()
        if self.kind != "py-queue":
            return
        consumers = self.threads[self.producers:]
        deadline = time.monotonic() + 5
        for turn in itertools.count():
            if not any(t.is_alive() for t in self.threads) or time.monotonic() > deadline:
                return
            if turn % 2 == 0:  # drain: a producer blocked on a full queue gets room, puts, and leaves
                while True:
                    try:
                        x = self.q.get_nowait()
                    except queue.Empty:
                        break
                    if x != self.STOP_ITEM:
                        self.drained[0] += 1
                        self.drained[1] += x
            else:  # one stop item per consumer still there
                for _ in range(sum(t.is_alive() for t in consumers)):
                    try:
                        self.q.put_nowait(self.STOP_ITEM)
                    except queue.Full:
                        break
            time.sleep(0.002)

    def verify(self):
        left = [x for x in (self.buf if self.kind != "py-queue" else list(self.q.queue)) if x != self.STOP_ITEM]
        made = sum(self.made.values())
        made_sum = sum(c * (t << 40) + c * (c - 1) // 2 for t, c in self.made.items())
        got = sum(c for c, _ in self.taken.values()) + self.drained[0] + len(left)
        got_sum = sum(s for _, s in self.taken.values()) + self.drained[1] + sum(left)
        if made != got or made_sum != got_sum:
            return 1, f"{made} items made, {got} taken or left (sums {made_sum} vs {got_sum})"
        return 0, ""


class Semaphore:
    """semaphore: hold one of `permits` for cs_ns; never more holders than permits."""
    params = (("permits", "2"), ("cs_ns", "1us"), ("think_ns", "0"))
    ints = ("permits",)
    locks = ("py-semaphore", "py-bsemaphore")

    def __init__(self, lock, p, n):
        cls = threading.BoundedSemaphore if lock == "py-bsemaphore" else threading.Semaphore
        self.permits = p["permits"]
        self.sem = cls(self.permits)
        self.holders = set()
        self.over = 0
        self.cs, self.think = iters(p["cs_ns"]), iters(p["think_ns"])
        self.recs = []

    def thread(self, r):
        sem, ctl, clock, holders = self.sem, r.ctl, time.perf_counter_ns, self.holders
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            sem.acquire()
            timed = r.got(t0, clock())
            holders.add(r.tid)
            if len(holders) > self.permits:
                r.violations += 1
            busy(self.cs)
            holders.discard(r.tid)
            if timed:
                r.released()
            sem.release()
            busy(self.think)

    def stop(self):
        pass

    def verify(self):
        return 0, ""


class EventRing:
    """event: one token passed round a ring of threads, each waiting on its own Event."""
    params = (("work_ns", "0"),)
    locks = ("py-event",)

    def __init__(self, lock, p, n):
        self.events = [threading.Event() for _ in range(n)]
        self.events[0].set()
        self.work = iters(p["work_ns"])
        self.holder = -1
        self.passes = 0
        self.stopping = False
        self.recs = []

    def thread(self, r):
        ctl, clock, n = r.ctl, time.perf_counter_ns, len(self.events)
        mine, nxt = self.events[r.tid], self.events[(r.tid + 1) % n]
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            mine.wait()
            if self.stopping:
                return
            mine.clear()
            timed = r.got(t0, clock())
            if self.holder != -1:
                r.violations += 1
            self.holder = r.tid
            self.passes += 1
            busy(self.work)
            self.holder = -1
            if timed:
                r.released()
            nxt.set()

    def stop(self):
        self.stopping = True
        for e in self.events:
            e.set()

    def verify(self):
        total = _sum(self.recs, "total")
        if self.passes != total:
            return 1, f"{self.passes} token passes != {total} receipts"
        return 0, ""


class BarrierRounds:
    """barrier: work_ns, then Barrier.wait(); every thread passes the same rounds."""
    params = (("work_ns", "1us"),)
    locks = ("py-barrier",)

    def __init__(self, lock, p, n):
        self.barrier = threading.Barrier(n)
        self.work = iters(p["work_ns"])
        self.rounds = [0] * n
        self.recs = []

    def thread(self, r):
        ctl, clock = r.ctl, time.perf_counter_ns
        while ctl.phase != STOP_PHASE:
            busy(self.work)
            t0 = clock()
            try:
                self.barrier.wait()
            except threading.BrokenBarrierError:
                return
            if r.got(t0, clock()):
                r.released()
            self.rounds[r.tid] += 1

    def stop(self):
        self.barrier.abort()

    def verify(self):
        if max(self.rounds) - min(self.rounds) > 1:
            return 1, f"barrier rounds differ by more than one: {min(self.rounds)}..{max(self.rounds)}"
        return 0, ""


WORKLOADS = {
    "cs": CS, "nest": Nest, "trylock": Try, "timedlock": Timed, "condition": Condition,
    "semaphore": Semaphore, "event": EventRing, "barrier": BarrierRounds,
}
LOCKS = ("py-lock", "py-rlock", "py-condition", "py-queue", "py-semaphore", "py-bsemaphore",
         "py-event", "py-barrier")
