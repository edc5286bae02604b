"""pyprobe_sync — the workloads of tools/pyprobe.py over CPython's primitives other than a lock.

condition (a Condition-guarded buffer, or queue.Queue), semaphore (Semaphore,
BoundedSemaphore), event (Event as a gate) and barrier (Barrier), each
mirroring the C workload of the same name (workloads/*.c) and checking its
own invariants the way the C verify() does: the items produced against those
consumed, holders of a semaphore against its permits, a plain shared counter
under each worker's lock, equal rounds at a barrier. Those that have them
report the C workloads' workload_figures, counted per thread (Counts).

The per-thread records, the phases and the busy loop are
pyprobe_workloads.py's, as are the workloads over one lock (cs, nest,
trylock, timedlock); pyprobe.py takes the tables of both.
"""
import itertools
import queue
import threading
import time

from pyprobe_workloads import MEASURE_PHASE, STOP_PHASE, _sum, busy, iters

class Counts:
    """Per-thread window counts a workload reports as workload_figures (summed after the run)."""

    def __init__(self):
        self.by_thread = {}

    def add(self, r, *keys):
        """One each to keys, all in the window or none (the phase is read once)."""
        if r.ctl.phase == MEASURE_PHASE:
            d = self.by_thread.setdefault(r.tid, {})
            for key in keys:
                d[key] = d.get(key, 0) + 1

    def total(self, key):
        return sum(d.get(key, 0) for d in self.by_thread.values())


class Condition:
    """condition: producers and consumers on a bounded buffer.

    py-condition builds it as queue.Queue does, from one Lock and two
    Conditions; an acquisition is one entry into that lock. py-queue is
    queue.Queue itself; an acquisition is one put() or get(). notify_all=1
    wakes every waiter (py-condition only: queue.Queue notifies one);
    timeout_ns > 0 makes each wait a wait(timeout), and one that expires
    with the buffer still full or empty gives the put/get up (Full/Empty)."""
    params = (("producers", "1"), ("capacity", "8"), ("item_ns", "1us"), ("notify_all", "0"), ("timeout_ns", "0"))
    ints = ("producers", "capacity")
    bools = ("notify_all",)
    locks = ("py-condition", "py-queue")
    STOP_ITEM = -1

    @staticmethod
    def refuses(lock, p):
        if lock == "py-queue" and p["notify_all"]:
            return "notify_all=1: queue.Queue notifies one waiter; run it on py-condition"
        return None

    def __init__(self, lock, p, n):
        self.kind, self.cap, self.item = lock, p["capacity"], iters(p["item_ns"])
        self.producers = min(p["producers"], n)
        self.timeout = p["timeout_ns"] / 1e9 or None
        self.notify_all = bool(p["notify_all"])
        self.q = queue.Queue(maxsize=self.cap)
        self.mutex = threading.Lock()
        self.not_empty, self.not_full = threading.Condition(self.mutex), threading.Condition(self.mutex)
        self.buf = []
        self.stopping = False
        self.made = {}      # tid → items put
        self.taken = {}     # tid → (count, sum) of items taken
        self.drained = [0, 0]
        self.counts = Counts()
        self.recs = []

    def thread(self, r):
        if r.tid < self.producers:
            self._produce(r)
        else:
            self._consume(r)

    def _notify(self, cond):
        if self.notify_all:
            cond.notify_all()
        else:
            cond.notify()

    def _wait_for(self, r, cond, ready):
        """As Condition.wait_for, counting waits, futile wake-ups and timeouts; False: give up."""
        while not ready() and not self.stopping:
            self.counts.add(r, "waits")
            if not cond.wait(self.timeout):
                if ready() or self.stopping:
                    break
                self.counts.add(r, "wait_timeouts")
                self.counts.add(r, "gave_up")
                return False
            if not ready() and not self.stopping:
                self.counts.add(r, "futile_wakeups")
        return True

    def _produce(self, r):
        ctl, clock, k = r.ctl, time.perf_counter_ns, 0
        made = False
        while ctl.phase != STOP_PHASE:
            if not made:
                busy(self.item)
                made = True
            item = (r.tid << 40) | k
            t0 = clock()
            if self.kind == "py-queue":
                try:
                    self.q.put(item, timeout=self.timeout)
                except queue.Full:
                    r.failed(t0)
                    self.counts.add(r, "gave_up")
                    continue
                r.got(t0, clock())
            else:
                with self.mutex:
                    r.got(t0, clock())
                    if not self._wait_for(r, self.not_full, lambda: len(self.buf) < self.cap):
                        continue
                    if self.stopping:
                        return
                    self.buf.append(item)
                    self._notify(self.not_empty)
            made = False
            k += 1
            self.made[r.tid] = k

    def _consume(self, r):
        ctl, clock, count, total = r.ctl, time.perf_counter_ns, 0, 0
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            if self.kind == "py-queue":
                try:
                    item = self.q.get(timeout=self.timeout)
                except queue.Empty:
                    r.failed(t0)
                    self.counts.add(r, "gave_up")
                    continue
                r.got(t0, clock())
                if item == self.STOP_ITEM:
                    return
            else:
                with self.mutex:
                    r.got(t0, clock())
                    if not self._wait_for(r, self.not_empty, lambda: bool(self.buf)):
                        continue
                    if not self.buf:
                        return
                    item = self.buf.pop(0)
                    self._notify(self.not_full)
            count, total = count + 1, total + item
            self.taken[r.tid] = (count, total)
            self.counts.add(r, "taken")
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

    def figures(self, dur):
        c = self.counts
        waits = c.total("waits")
        out = {"gave_up": c.total("gave_up"), "items_per_s": c.total("taken") / dur if dur > 0 else None}
        if self.kind == "py-condition":  # queue.Queue's waits happen inside it, out of sight
            out.update(waits=waits, futile_wakeups=c.total("futile_wakeups"),
                       futile_per_wait=c.total("futile_wakeups") / waits if waits else None,
                       wait_timeouts=c.total("wait_timeouts"))
        return out


class Semaphore:
    """semaphore: hold one of `permits` for cs_ns; never more holders than the permits plus the extra
    releases accepted. over_release=N: every N-th cycle a thread releases once more than it took; a
    Semaphore accepts it, a BoundedSemaphore raises ValueError when the value is back at `permits`
    (counted as refused; then an honest release may be the one refused, as in any Python program)."""
    params = (("permits", "2"), ("cs_ns", "1us"), ("think_ns", "0"), ("over_release", "0"))
    ints = ("permits", "over_release")
    int_min = {"over_release": 0}
    locks = ("py-semaphore", "py-bsemaphore")

    def __init__(self, lock, p, n):
        cls = threading.BoundedSemaphore if lock == "py-bsemaphore" else threading.Semaphore
        self.permits = p["permits"]
        self.sem = cls(self.permits)
        self.holders = set()
        self.extra = 0           # extra releases accepted (one C call, atomic under the GIL)
        self.over_every = p["over_release"]
        self.max_holders = 0
        self.cs, self.think = iters(p["cs_ns"]), iters(p["think_ns"])
        self.counts = Counts()
        self.recs = []

    def _release(self, r, extra):
        """Release; an extra release's outcome is counted with the attempt, in one window."""
        try:
            self.sem.release()
        except ValueError:
            self.counts.add(r, *(("over_releases",) if extra else ()), "refused_releases")
            return
        if extra:
            self.extra += 1
            self.counts.add(r, "over_releases", "over_accepted")

    def thread(self, r):
        sem, ctl, clock, holders = self.sem, r.ctl, time.perf_counter_ns, self.holders
        cycles = 0
        while ctl.phase != STOP_PHASE:
            t0 = clock()
            sem.acquire()
            timed = r.got(t0, clock())
            holders.add(r.tid)
            now = len(holders)
            if now > self.permits + self.extra:
                r.violations += 1
            self.max_holders = max(self.max_holders, now)
            busy(self.cs)
            holders.discard(r.tid)
            if timed:
                r.released()
            self._release(r, False)
            cycles += 1
            if self.over_every and cycles % self.over_every == 0:
                self._release(r, True)
            busy(self.think)

    def stop(self):
        pass

    def verify(self):
        return 0, ""

    def figures(self, dur):
        c = self.counts
        return {"over_releases": c.total("over_releases"), "over_accepted": c.total("over_accepted"),
                "refused_releases": c.total("refused_releases"), "value_end": self.sem._value,
                "max_holders": self.max_holders}


class EventGate:
    """event: threading.Event as a gate. Thread 0 sets it, works open_ns, clears it, works closed_ns;
    the others wait() for it, then do one work item of cs_ns holding a Lock of their own (the Event's
    lock is private), then think_ns. An acquisition is one work item. Needs 2 threads."""
    params = (("open_ns", "20us"), ("closed_ns", "20us"), ("cs_ns", "0"), ("think_ns", "1us"))
    locks = ("py-event",)
    min_threads = 2
    name_for_errors = "event"

    def __init__(self, lock, p, n):
        self.ev = threading.Event()
        self.item_lock = threading.Lock()
        self.open, self.closed = iters(p["open_ns"]), iters(p["closed_ns"])
        self.cs, self.think = iters(p["cs_ns"]), iters(p["think_ns"])
        self.owner = -1
        self.counter = 0
        self.stopping = False
        self.counts = Counts()
        self.recs = []

    def thread(self, r):
        if r.tid == 0:
            self._setter(r)
        else:
            self._worker(r)

    def _setter(self, r):
        ev, ctl = self.ev, r.ctl
        while ctl.phase != STOP_PHASE:
            ev.set()
            self.counts.add(r, "sets")
            busy(self.open)
            if not self.stopping:
                ev.clear()
            busy(self.closed)

    def _worker(self, r):
        ev, ctl, clock, lock = self.ev, r.ctl, time.perf_counter_ns, self.item_lock
        while ctl.phase != STOP_PHASE:
            if not ev.is_set():
                self.counts.add(r, "sleeps")
            ev.wait()
            if self.stopping:
                return
            t0 = clock()
            lock.acquire()
            timed = r.got(t0, clock())
            if self.owner != -1:
                r.violations += 1
            self.owner = r.tid
            self.counter += 1
            busy(self.cs)
            if self.owner != r.tid:
                r.violations += 1
            self.owner = -1
            if timed:
                r.released()
            lock.release()
            self.counts.add(r, "items")
            busy(self.think)

    def stop(self):
        self.stopping = True
        self.ev.set()

    def verify(self):
        total = _sum(self.recs, "total")
        if self.counter != total:
            return 1, f"shared counter {self.counter} != {total} work items"
        return 0, ""

    def figures(self, dur):
        c = self.counts
        return {"sets": c.total("sets"), "items": c.total("items"),
                "items_per_s": c.total("items") / dur if dur > 0 else None, "sleeps": c.total("sleeps")}


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


WORKLOADS = {"condition": Condition, "semaphore": Semaphore, "event": EventGate, "barrier": BarrierRounds}
LOCKS = ("py-condition", "py-queue", "py-semaphore", "py-bsemaphore", "py-event", "py-barrier")
