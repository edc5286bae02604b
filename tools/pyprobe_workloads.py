"""pyprobe_workloads — the per-thread harness of tools/pyprobe.py and its workloads over one lock.

The harness: the phase every thread reads, the acquisition order, one
thread's figures (Rec: engine/harness.h's lb_thread on the C side) and the
calibrated busy loop. The workloads over one threading.Lock or RLock (cs,
nest, trylock, timedlock) mirror the C ones of the same name (workloads/*.c)
and check their own invariants the way the C verify() does: an owner canary
and a plain shared counter inside exclusive sections. The workloads over
CPython's other primitives (condition, semaphore, event, barrier) are
pyprobe_sync.py's; pyprobe.py takes the tables of both.

The state the threads share, in every workload here and in pyprobe_sync.py,
is plain Python attributes: under a lock they are what the lock protects (a
broken lock shows as a canary violation or a lost update); outside one they
are only touched by one C-level call (set.add, next(itertools.count)), which
CPython makes atomic.
"""
import itertools
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


WORKLOADS = {"cs": CS, "nest": Nest, "trylock": Try, "timedlock": Timed}
LOCKS = ("py-lock", "py-rlock")
