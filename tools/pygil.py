#!/usr/bin/env python3
"""pygil — measure real CPython's GIL with CPU-bound and I/O-bound threads.

The CPython side of `make validate-python`: the same scenario as
`lockbench run -l gil -w interp:...`, with the same figures under the same
names, as one JSON object on stdout.

    python3 tools/pygil.py --cpu 2 --io socket --io-ns 1ms --interval 5ms -d 2s

Threads: --cpu CPU-bound threads (a tight loop, as interp's ticks) and, unless
--io none, one I/O thread that works --burst of busy loop holding the GIL, then
does one operation: time.sleep(io) (one release of the GIL), or a send to a
peer process that answers after io, and the recv of that answer (two releases).

How the figures are read off (names as interp's workload_figures):
  io_op_*_ns       duration of one operation, from before the first call to after
                   the last one returned (the GIL is held again then)
  io_ops_per_s     operations completed in the window
  slice_*_ns       a CPU thread's tenures: it reads perf_counter_ns every iteration,
                   and a gap longer than --gap (10 µs) ends a run; the runs of all
                   threads and the I/O thread's holds (after each call returns
                   until the next call) sorted by start, consecutive holds of one
                   thread are one tenure — a gap in which no other thread ran is
                   the OS preempting the holder, not the GIL changing hands
  cpu_share        the CPU threads' tenures together over the window
  handoffs_per_s   changes of holder between consecutive tenures
The gap threshold misses holds elsewhere shorter than it; those are rare
next to the millisecond intervals measured.
"""
import argparse
import json
import os
import platform
import socket
import sys
import threading
import time

NS = {"ns": 1, "us": 1000, "ms": 1_000_000, "s": 1_000_000_000}


def duration(text):
    for unit in ("ns", "us", "ms", "s"):
        if text.endswith(unit) and not (unit == "s" and text[-2:] in ("ns", "us", "ms")):
            try:
                v = float(text[: -len(unit)])
            except ValueError:
                break
            if v >= 0:
                return int(v * NS[unit])
    raise argparse.ArgumentTypeError(f'"{text}" is not a time with a unit (ns, us, ms, s)')


def pct(sorted_v, p):
    if not sorted_v:
        return None
    k = max(1, -(-len(sorted_v) * p // 100))
    return float(sorted_v[min(int(k), len(sorted_v)) - 1])


def peer(sock, io_s):
    """Child process: answer each byte after io_s, until EOF."""
    while True:
        b = sock.recv(1)
        if not b:
            os._exit(0)
        if io_s:
            time.sleep(io_s)
        sock.sendall(b)


def main(argv):
    ap = argparse.ArgumentParser(prog="pygil.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("--cpu", type=int, default=1, help="CPU-bound threads (default 1)")
    ap.add_argument("--io", choices=("sleep", "socket", "none"), default="sleep", help="I/O kind (default sleep)")
    ap.add_argument("--io-ns", type=duration, default=duration("1ms"), help="blocking time of one I/O (1ms)")
    ap.add_argument("--burst", type=duration, default=duration("10us"), help="I/O thread's work holding the GIL (10us)")
    ap.add_argument("--interval", type=duration, default=duration("5ms"), help="sys.setswitchinterval (5ms)")
    ap.add_argument("-d", "--duration", type=duration, default=duration("2s"), help="measured window (2s)")
    ap.add_argument("--warmup", type=duration, default=duration("200ms"), help="before the window (200ms)")
    ap.add_argument("--gap", type=duration, default=duration("10us"), help="a CPU run ends at a longer gap (10us)")

    def error(msg):
        print(f"pygil: {msg}", file=sys.stderr)
        sys.exit(2)
    ap.error = error
    o = ap.parse_args(argv)
    if o.cpu < 0 or o.cpu > 64 or (o.cpu == 0 and o.io == "none"):
        error("--cpu: want 0..64 CPU threads, and some thread at all")
    if o.duration == 0 or o.interval == 0:
        error("--duration and --interval must be above 0")

    io_s = o.io_ns / 1e9
    sock = None
    if o.io == "socket":  # the peer is forked before any thread exists
        sock, theirs = socket.socketpair()
        if os.fork() == 0:
            sock.close()
            peer(theirs, io_s)
        theirs.close()

    # Busy-loop rate for the I/O thread's burst, before the GIL is contended.
    n, t0 = 200_000, time.perf_counter_ns()
    for _ in range(n):
        pass
    burst_iters = int(o.burst * n / max(time.perf_counter_ns() - t0, 1))

    sys.setswitchinterval(o.interval / 1e9)
    phase = [0]  # 0 warm-up, 1 window, 2 stop
    win = [0, 0]
    cpu_runs = [[] for _ in range(o.cpu)]  # (thread, start, end) in the window
    io_holds, io_ops = [], []
    gap = o.gap
    clock = time.perf_counter_ns

    def cpu(i):
        runs = cpu_runs[i]
        start = last = clock()
        while phase[0] != 2:
            t = clock()
            if t - last > gap:
                if phase[0] == 1 and start >= win[0]:
                    runs.append((i, start, last))
                start = t
            last = t
        if phase[0] and start >= win[0]:
            runs.append((i, start, min(last, win[1])))

    def io():
        me = o.cpu
        held_since = clock()
        while phase[0] != 2:
            for _ in range(burst_iters):
                pass
            t0 = clock()
            if phase[0] == 1 and held_since >= win[0]:
                io_holds.append((me, held_since, t0))
            if o.io == "sleep":
                time.sleep(io_s)
                held_since = t1 = clock()
            else:
                sock.send(b"x")
                a = clock()
                sock.recv(1)
                held_since = t1 = clock()
                if phase[0] == 1 and t0 >= win[0]:
                    io_holds.append((me, a, a))  # back after send, released again for recv
            if phase[0] == 1 and t0 >= win[0]:
                io_ops.append(t1 - t0)

    threads = [threading.Thread(target=cpu, args=(i,), daemon=True) for i in range(o.cpu)]
    if o.io != "none":
        threads.append(threading.Thread(target=io, daemon=True))
    for t in threads:
        t.start()
    time.sleep(o.warmup / 1e9)
    win[0] = clock()
    phase[0] = 1
    time.sleep(o.duration / 1e9)
    win[1] = clock()
    phase[0] = 2
    for t in threads:
        t.join(10)
    if sock is not None:
        sock.close()
        os.wait()
    window_s = (win[1] - win[0]) / 1e9

    # A gap in a thread's loop is the GIL held elsewhere only if another thread ran in it; else the
    # OS preempted the holder. Consecutive holds of one thread, by start, are one tenure.
    holds = sorted([r for rs in cpu_runs for r in rs] + io_holds, key=lambda h: h[1])
    tenures = []
    for who, start, end in holds:
        if tenures and tenures[-1][0] == who:
            tenures[-1][2] = max(tenures[-1][2], end)
        else:
            tenures.append([who, start, end])
    handoffs = len(tenures) - 1 if tenures else 0
    slices = sorted(e - s for who, s, e in tenures if who < o.cpu)
    ops = sorted(io_ops)
    out = {
        "python": platform.python_version(), "implementation": platform.python_implementation(),
        "switch_interval_s": sys.getswitchinterval(), "cpu_threads": o.cpu, "io": o.io, "io_ns": o.io_ns,
        "burst_ns": o.burst, "window_s": window_s,
        "io_ops": len(ops), "io_ops_per_s": len(ops) / window_s if o.io != "none" else None,
        "io_op_p50_ns": pct(ops, 50), "io_op_p90_ns": pct(ops, 90), "io_op_p99_ns": pct(ops, 99),
        "handoffs": handoffs, "handoffs_per_s": handoffs / window_s,
        "cpu_share": sum(slices) / (win[1] - win[0]) if o.cpu else None,
        "slices": len(slices), "slice_p50_ns": pct(slices, 50), "slice_p90_ns": pct(slices, 90),
        "slice_p99_ns": pct(slices, 99),
    }
    json.dump(out, sys.stdout)
    print()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
