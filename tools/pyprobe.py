#!/usr/bin/env python3
"""pyprobe — the suite's workloads on CPython's own threading primitives.

Runs each workload with N Python threads on threading.Lock, RLock, a
Condition-guarded buffer, queue.Queue, Semaphore/BoundedSemaphore, Event and
Barrier, and writes one `lockbench/1` result (results/schema.json) that
`lockbench plot` and `lockbench compare` read as they read the C runner's.
Standard library only; runs on whatever python3 runs it and records which
(version, implementation, build, switch interval, free-threaded or not) in
context.python.

    python3 tools/pyprobe.py -w cs -l py-lock,py-rlock -t 1,2,4 -d 1s -r 3 -o results/py.json

What an "acquisition" is, per workload (each is timed from the call to its
return; every 16th per thread, and each thread's first, go into the wait
percentiles; every one counts for throughput, fairness and starvation):
  cs         `with lock:` around cs_ns of work and a shared counter; think_ns after
  nest       the lock taken `depth` times nested (RLock); every take counts
  trylock    acquire(blocking=False); a failure backs off backoff_ns
  timedlock  acquire(timeout=timeout_ns); a timeout backs off backoff_ns
  condition  one entry into the Condition's lock (py-condition: producers
             wait not_full, consumers not_empty, as queue.Queue does), or one
             put()/get() on a queue.Queue (py-queue), including its blocking;
             notify_all=1 (py-condition only) and timeout_ns as in C
  semaphore  acquire() of a permit, held cs_ns; over_release=N as in C
  event      a worker's work item (cs_ns under a Lock of its own) after
             Event.wait(); thread 0 sets the Event, works open_ns, clears it,
             works closed_ns (the C workload's gate)
  barrier    one Barrier.wait() after work_ns
condition, semaphore and event also write the C workloads' workload_figures
(those CPython lets a program see: futile wake-ups for py-condition, not
inside queue.Queue).
The probe's own bookkeeping (two perf_counter_ns calls and some arithmetic per
acquisition) is inside every figure, as the harness's is on the C side.

Exit codes: 0 ok, 1 a check failed (violation, lost update, verify), 2 bad input.
"""
import argparse
import datetime
import json
import math
import os
import platform
import socket
import subprocess
import sys
import sysconfig
import tempfile
import threading
import time

import pyprobe_sync
import pyprobe_workloads as wl
from pyprobe_metrics import fairness, latency_curve, latency_json, median, median_ci95, short_term, value_at  # noqa: F401

SCHEMA = "lockbench/1"
STARVE_SHARE = 0.1          # runner/engine/run.h LB_STARVE_*
STARVE_GAP = 0.5
STARVE_GAP_MIN_NS = 100e6
WARM, MEASURE, STOP = 0, wl.MEASURE_PHASE, wl.STOP_PHASE
WORKLOADS = {**wl.WORKLOADS, **pyprobe_sync.WORKLOADS}  # name -> class: over one lock, then the others
LOCKS = wl.LOCKS + pyprobe_sync.LOCKS
NS = {"ns": 1, "us": 1000, "ms": 1_000_000, "s": 1_000_000_000}


class UsageError(Exception):
    pass


def parse_duration(text, what, bare_ns):
    """'1.5ms' → ns; a bare number means ns only where bare_ns (workload parameters, as in C)."""
    t = text.strip()
    for unit in ("ns", "us", "ms", "s"):
        if t.endswith(unit) and (unit != "s" or not t.endswith(("ns", "us", "ms"))):
            num, mult = t[: -len(unit)], NS[unit]
            break
    else:
        if not bare_ns:
            raise UsageError(f'{what}: "{text}" needs a unit (ns, us, ms, s)')
        num, mult = t, 1
    try:
        v = float(num)
    except ValueError:
        raise UsageError(f'{what}: "{text}" is not a time') from None
    if not math.isfinite(v) or v < 0:
        raise UsageError(f'{what}: "{text}" is not a time')
    return int(round(v * mult))


def format_duration(ns):
    """As runner/engine/params.c lb_format_duration, so config ids read alike."""
    for unit, mult in (("s", NS["s"]), ("ms", NS["ms"]), ("us", NS["us"])):
        if ns != 0 and ns % mult == 0:
            return f"{ns // mult}{unit}"
    return f"{ns}ns"


def parse_int_list(text, what):
    out = []
    for part in text.split(","):
        lo, _, hi = part.partition("-")
        try:
            a, b = int(lo), int(hi or lo)
        except ValueError:
            raise UsageError(f'{what}: "{text}" is not a list of positive integers') from None
        if a < 1 or b < a or b > 1024:
            raise UsageError(f'{what}: "{text}" is not a list of positive integers (1..1024)')
        out.extend(range(a, b + 1))
    return out


# ---- one config ----

def others_acquired(recs, self_id, start_ns, end_ns, t0):
    """runner/engine/run.c: did another thread acquire in a slice wholly inside the gap?"""
    first = max(math.ceil((start_ns - t0) / wl.SLICE_NS), 0)
    last = min(math.floor((end_ns - t0) / wl.SLICE_NS) - 1, len(recs[0].timeline) - 1)
    return any(r.timeline[s] for r in recs if r.tid != self_id for s in range(first, last + 1))


def run_config(wcls, lock, params, n, warmup_ns, duration_ns, grace_s=5.0):
    """Warm-up, measured window, stop, join, verify; returns the sample's figures."""
    ctl = wl.Control()
    slices = duration_ns // wl.SLICE_NS + 2
    if n < getattr(wcls, "min_threads", 1):
        return {"status": "error", "duration_s": 0.0,
                "message": f"{wcls.name_for_errors}: needs {wcls.min_threads} threads or more, not {n}"}
    w = wcls(lock, params, n)
    recs = [wl.Rec(i, ctl, slices) for i in range(n)]
    w.recs = recs
    start = threading.Barrier(n + 1)
    errors = []

    def body(r):
        start.wait()
        try:
            w.thread(r)
        except Exception as e:  # a primitive misbehaving is a finding, reported as such
            errors.append(f"thread {r.tid}: {type(e).__name__}: {e}")

    threads = [threading.Thread(target=body, args=(r,), daemon=True) for r in recs]
    w.threads = threads
    for t in threads:
        t.start()
    start.wait()
    time.sleep(warmup_ns / 1e9)
    seq_start = next(ctl.seq) + 1
    ctl.t0 = time.perf_counter_ns()
    ctl.phase = MEASURE
    time.sleep(duration_ns / 1e9)
    ctl.phase = STOP
    t1 = time.perf_counter_ns()
    seq_end = next(ctl.seq)
    w.stop()
    deadline = time.monotonic() + grace_s
    for t in threads:
        t.join(max(deadline - time.monotonic(), 0))
    dur = (t1 - ctl.t0) / 1e9
    if any(t.is_alive() for t in threads):
        return {"status": "hung", "message": f"threads did not stop within {grace_s:g}s", "duration_s": dur}
    nfail, msg = w.verify()
    if errors:
        nfail, msg = nfail + len(errors), "; ".join(errors[:3])
    k = min(max(seq_end - seq_start, 0), wl.ORDER_LOG_CAP)
    order = [ctl.order[(seq_end - k + i) & (wl.ORDER_LOG_CAP - 1)] for i in range(k)]
    s = judge(recs, order, dur, ctl.t0, nfail, msg)
    if hasattr(w, "figures"):
        s["workload_figures"] = w.figures(dur)
    return s


def judge(recs, order, dur, t0, nfail, msg):
    n = len(recs)
    counts = [r.acq for r in recs]
    total = sum(counts)
    viol = sum(r.violations for r in recs)
    waits = [x for r in recs for x in r.waits]
    holds = [x for r in recs for x in r.holds]
    used = int(dur * 1e9 / wl.SLICE_NS) + 1
    starved = []
    for r in recs:
        shut_out = n > 1 and r.acq < STARVE_SHARE * total / n
        long_gap = (n > 1 and r.gap >= STARVE_GAP * dur * 1e9 and r.gap >= STARVE_GAP_MIN_NS
                    and others_acquired(recs, r.tid, r.gap_end - r.gap, r.gap_end, t0))
        if shut_out or long_gap:
            starved.append(r.tid)
    ok = viol == 0 and nfail == 0
    s = {"status": "ok" if ok else "failed", "duration_s": dur, "acquisitions": total,
         "throughput_per_s": total / dur if dur > 0 else None,
         "latency_ns": latency_json(waits), "hold_ns": latency_json(holds), "handoff_ns": None,
         "violations": viol, "release_errors": 0, "verify_failures": nfail,
         "timing": {"sample_every": wl.SAMPLE_EVERY, "coarse_tick_ns": 1, "slice_ns": wl.SLICE_NS},
         "lock_counters": {"try_failures": sum(r.try_failures for r in recs)},
         "latency_curve": latency_curve(waits), "pingpong_ns": None,
         "fairness": fairness(counts), "short_term": short_term(order, n),
         "starvation": {"starved": bool(starved), "starved_threads": starved,
                        "max_wait_ns": float(max(waits)) if waits else None,
                        "longest_gap_ns": max(r.gap for r in recs),
                        "coarse_resolution_ns": 1,
                        "max_bypass": None, "share_threshold": STARVE_SHARE, "gap_threshold": STARVE_GAP},
         "threads": [{"id": r.tid, "pu": None, "acquisitions": r.acq,
                      "throughput_per_s": r.acq / dur if dur > 0 else None, "timed": r.timed,
                      "latency_ns": latency_json(r.waits), "hold_ns": latency_json(r.holds),
                      "longest_gap_ns": r.gap, "max_bypass": None, "try_failures": r.try_failures,
                      "poll_handoffs": 0, "violations": r.violations, "starved": r.tid in starved,
                      "timeline": r.timeline[:min(used, len(r.timeline))]} for r in recs]}
    if not ok:
        s["message"] = msg or f"{viol} mutual-exclusion violations"
    return s


SUMMARY = (("throughput_per_s", None, "throughput_per_s"), ("p50_ns", "latency_ns", "p50"),
           ("p99_ns", "latency_ns", "p99"), ("p999_ns", "latency_ns", "p999"),
           ("max_wait_ns", "latency_ns", "max"), ("jain", "fairness", "jain"),
           ("fairness_factor", "fairness", "fairness_factor"),
           ("handover_ratio", "short_term", "handover_ratio"),
           ("longest_gap_ns", "starvation", "longest_gap_ns"), ("pingpong_ns", None, "pingpong_ns"))


def summarize(config):
    """model/result.c lb_config_summarize: median, min, max, 95% CI of the median over ok samples."""
    out = {}
    ok = [s for s in config["samples"] if s["status"] == "ok"]
    for name, obj, key in SUMMARY:
        vals = []
        for s in ok:
            holder = s.get(obj) if obj else s
            v = holder.get(key) if isinstance(holder, dict) else None
            if isinstance(v, (int, float)) and not isinstance(v, bool):
                vals.append(float(v))
        m = {"n": len(vals)}
        if vals:
            lo, hi, reached = median_ci95(vals)
            m.update(median=median(vals), min=min(vals), max=max(vals), ci95_low=lo, ci95_high=hi,
                     ci95_reached=reached)
        out[name] = m
    out["starved"] = any(s.get("starvation", {}).get("starved") for s in config["samples"])
    config["summary"] = out


# ---- context ----

def _read(path):
    try:
        with open(path) as f:
            return f.read()
    except OSError:
        return ""


def _cpu_list(cpus):
    cpus, out, i = sorted(cpus), [], 0
    while i < len(cpus):
        j = i
        while j + 1 < len(cpus) and cpus[j + 1] == cpus[j] + 1:
            j += 1
        out.append(str(cpus[i]) if i == j else f"{cpus[i]}-{cpus[j]}")
        i = j + 1
    return ",".join(out)


def python_context():
    free = bool(sysconfig.get_config_var("Py_GIL_DISABLED"))
    gil = sys._is_gil_enabled() if hasattr(sys, "_is_gil_enabled") else True
    return {"version": platform.python_version(), "implementation": platform.python_implementation(),
            "build": " ".join(platform.python_build()), "compiler": platform.python_compiler(),
            "executable": sys.executable, "switch_interval_s": sys.getswitchinterval(),
            "free_threaded_build": free, "gil_enabled": bool(gil)}


def machine_context():
    info = _read("/proc/cpuinfo")
    model = next((ln.split(":", 1)[1].strip() for ln in info.splitlines() if ln.startswith("model name")), None)
    packages, cores, phys = set(), set(), "0"
    for ln in info.splitlines():
        if ln.startswith("physical id"):
            phys = ln.split(":", 1)[1].strip()
            packages.add(phys)
        elif ln.startswith("core id"):
            cores.add((phys, ln.split(":", 1)[1].strip()))
    pus = os.cpu_count() or 1
    nodes = [d for d in os.listdir("/sys/devices/system/node") if d[4:].isdigit()] \
        if os.path.isdir("/sys/devices/system/node") else []
    osname = next((ln.split("=", 1)[1].strip('"') for ln in _read("/etc/os-release").splitlines()
                   if ln.startswith("PRETTY_NAME=")), None)
    u = os.uname()
    return {"host": u.nodename, "kernel": f"{u.sysname} {u.release} {u.version}", "arch": u.machine,
            "os": osname, "cpu_model": model,
            "topology": {"packages": len(packages) or 1, "numa_nodes": len(nodes) or 1,
                         "cores": len(cores) or pus, "pus": pus, "smt": bool(cores) and pus > len(cores)},
            "allowed_cpus": _cpu_list(os.sched_getaffinity(0)), "online_cpus": pus,
            "loadavg": list(os.getloadavg())}


def lockbench_version():
    here = os.path.dirname(os.path.abspath(__file__))
    root = os.path.dirname(here)
    version = next((ln.split(":=", 1)[1].strip() for ln in _read(os.path.join(root, "Makefile")).splitlines()
                    if ln.startswith("VERSION")), "unknown")
    try:
        commit = subprocess.run(["git", "-C", root, "rev-parse", "--short=12", "HEAD"], capture_output=True,
                                text=True, timeout=10).stdout.strip() or "unknown"
    except (OSError, subprocess.SubprocessError):
        commit = "unknown"
    return version, commit


def clock_cost_ns():
    clock, n = time.perf_counter_ns, 100_000
    t0 = clock()
    for _ in range(n):
        clock()
    return (clock() - t0) / n


def bookkeeping_cost_ns():
    """What the probe adds per acquisition: threading.Lock alone vs the cs loop, 1 thread."""
    lock, ctl = threading.Lock(), wl.Control()
    ctl.phase = MEASURE
    rec, clock, n = wl.Rec(0, ctl, 2), time.perf_counter_ns, 50_000
    bare, measured = [], []
    for _ in range(5):
        t0 = clock()
        for _ in range(n):
            lock.acquire()
            lock.release()
        bare.append((clock() - t0) / n)
        ctl.t0 = t0 = clock()
        for _ in range(n):
            a = clock()
            lock.acquire()
            timed = rec.got(a, clock())
            if timed:
                rec.released()
            lock.release()
        measured.append((clock() - t0) / n)
    return max(median(measured) - median(bare), 0.0)


def context(argv, opts, busy_rate):
    version, commit = lockbench_version()
    ctx = {"version": version, "git_commit": commit, "tool": "tools/pyprobe.py",
           "command_line": " ".join(argv), "argv": list(argv),
           "started_utc": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")}
    ctx.update(machine_context())
    py = python_context()
    ctx.update({"compiler": f"{py['implementation']} {py['version']} ({py['compiler']})",
                "cflags": sysconfig.get_config_var("CFLAGS") or "",
                "timer": {"source": "clock_monotonic", "cost_ns": clock_cost_ns(), "ns_per_tick": 1.0},
                "busy_iterations_per_us": busy_rate, "cpufreq_governor": None, "smt_control": None,
                "busy_before_run": None, "python": py,
                "options": {"duration_ns": opts.duration_ns, "warmup_ns": opts.warmup_ns, "repeat": opts.repeat,
                            "pin": "none", "timing_sample_every": wl.SAMPLE_EVERY, "slice_ns": wl.SLICE_NS,
                            "grace_ns": 5_000_000_000, "order_log_cap": wl.ORDER_LOG_CAP,
                            "busy_rate": "calibrated"},
                "timing": {"mode": f"sample:{wl.SAMPLE_EVERY}", "sample_every": wl.SAMPLE_EVERY,
                           "overhead_ns_per_acquisition": bookkeeping_cost_ns(),
                           "overhead_method": "1 thread, threading.Lock, probe loop vs bare acquire/release, "
                                              "median of 5 x 50000"}})
    return ctx


# ---- command line ----

def parse_workload(spec):
    name, _, rest = spec.partition(":")
    if name not in WORKLOADS:
        raise UsageError(f'--workload: unknown workload "{name}" (one of {", ".join(WORKLOADS)})')
    cls = WORKLOADS[name]
    decl = dict(cls.params)
    ints = getattr(cls, "ints", ())
    bools = getattr(cls, "bools", ())
    int_min = getattr(cls, "int_min", {})
    given = {}
    for item in filter(None, rest.split(",")):
        key, eq, val = item.partition("=")
        if not eq or key not in decl:
            raise UsageError(f'--workload: {name}: "{item}" is not one of {", ".join(k + "=" for k in decl)}')
        given[key] = val
    params = {}
    for key, default in cls.params:
        text = given.get(key, default)
        if key in ints:
            lo = int_min.get(key, 1)
            if not text.isdigit() or not lo <= int(text) <= 1 << 20:
                raise UsageError(f'--workload: {name}: {key}: "{text}" is not an integer in [{lo}, {1 << 20}]')
            params[key] = int(text)
        elif key in bools:
            words = {"1": 1, "true": 1, "yes": 1, "on": 1, "0": 0, "false": 0, "no": 0, "off": 0}
            if text.lower() not in words:
                raise UsageError(f'--workload: {name}: {key}: "{text}" is not a boolean (0/1, true/false, yes/no, on/off)')
            params[key] = words[text.lower()]
        else:
            params[key] = parse_duration(text, f"--workload: {name}: {key}", bare_ns=True)
            if params[key] > 1_000_000_000:
                raise UsageError(f'--workload: {name}: {key}: "{text}" is above 1s')
    ident = ",".join(f"{k}={params[k] if k in ints or k in bools else format_duration(params[k])}"
                     for k, _ in cls.params)
    return name, cls, params, ident


def parse_args(argv):
    ap = argparse.ArgumentParser(prog="pyprobe.py", description=__doc__.split("\n\n")[0])
    ap.add_argument("-t", "--threads", default="1,2,4", help="thread counts, e.g. 1,2,4 or 1-8 (default 1,2,4)")
    ap.add_argument("-d", "--duration", default="1s", help="measured window per run (default 1s)")
    ap.add_argument("--warmup", default="100ms", help="warm-up before each window (default 100ms)")
    ap.add_argument("-r", "--repeat", default="1", help="repetitions per config, interleaved (default 1)")
    ap.add_argument("-w", "--workload", action="append", help="workload[:key=value,...]; repeatable (default cs)")
    ap.add_argument("-l", "--locks", help="primitives, e.g. py-lock,py-rlock (default: every one the "
                                          "workloads run on); one of " + ", ".join(LOCKS))
    ap.add_argument("-o", "--output", help="result file; - for stdout (default results/<stamp>-python.json)")
    ap.add_argument("-q", "--quiet", action="store_true", help="no table")

    def error(msg):
        raise UsageError(msg)
    ap.error = error
    o = ap.parse_args(argv)
    o.thread_counts = parse_int_list(o.threads, "--threads")
    o.duration_ns = parse_duration(o.duration, "--duration", bare_ns=False)
    o.warmup_ns = parse_duration(o.warmup, "--warmup", bare_ns=False)
    if o.duration_ns < 1_000_000 or o.duration_ns > 3600 * 10 ** 9:
        raise UsageError(f'--duration: "{o.duration}" is outside [1ms, 3600s]')
    if o.warmup_ns > 3600 * 10 ** 9:
        raise UsageError(f'--warmup: "{o.warmup}" is above 3600s')
    if not o.repeat.isdigit() or not 1 <= int(o.repeat) <= 1000:
        raise UsageError(f'--repeat: "{o.repeat}" is not an integer in [1, 1000]')
    o.repeat = int(o.repeat)
    o.workloads = [parse_workload(s) for s in (o.workload or ["cs"])]
    locks = None if o.locks is None else [x for x in o.locks.split(",")]
    for x in locks or []:
        if x not in LOCKS:
            raise UsageError(f'--locks: unknown primitive "{x}" (one of {", ".join(LOCKS)})')
    o.pairs = []
    for name, cls, params, ident in o.workloads:
        for lock in (cls.locks if locks is None else [x for x in locks if x in cls.locks]):
            why = cls.refuses(lock, params) if hasattr(cls, "refuses") else None
            if why and (locks is not None and lock in locks):
                raise UsageError(f"--workload: {name}: {why}")
            if not why:
                o.pairs.append((lock, name, cls, params, ident))
    for x in locks or []:
        if not any(p[0] == x for p in o.pairs):
            raise UsageError(f'--locks: "{x}" runs none of the workloads given '
                             f'({", ".join(n for n, c, *_ in o.workloads)})')
    return o


def write_atomic(doc, path):
    text = json.dumps(doc, indent=2, allow_nan=False) + "\n"
    if path == "-":
        sys.stdout.write(text)
        return
    d = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=".pyprobe-", suffix=".json", dir=d)
    try:
        with os.fdopen(fd, "w") as f:
            f.write(text)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    try:
        o = parse_args(argv)
        out = o.output or os.path.join(
            "results", time.strftime("%Y%m%dT%H%M%SZ", time.gmtime()) + "-python.json")
        if out != "-":
            d = os.path.dirname(out) or "."
            if o.output is None:
                os.makedirs(d, exist_ok=True)
            if not os.path.isdir(d) or not os.access(d, os.W_OK):
                raise UsageError(f'--output: "{out}": directory "{d}" is missing or not writable')
    except UsageError as e:
        print(f"pyprobe: {e}", file=sys.stderr)
        return 2
    rate = wl.calibrate_busy()
    wl.BUSY_PER_US[0] = rate
    doc = {"schema": SCHEMA, "context": context(["tools/pyprobe.py"] + argv, o, rate), "configs": []}
    table = sys.stderr if out == "-" else sys.stdout
    py = doc["context"]["python"]
    if not o.quiet:
        print(f"pyprobe: {py['implementation']} {py['version']} ({sys.executable}), switch interval "
              f"{py['switch_interval_s'] * 1e3:g} ms, {'free-threaded' if py['free_threaded_build'] else 'GIL'} build"
              f"{'' if py['gil_enabled'] else ', GIL disabled'}", file=table)
    configs = []
    for lock, name, cls, params, ident in o.pairs:
        for n in o.thread_counts:
            c = {"id": f"{lock}:|{name}:{ident}|threads={n}|pin=none",
                 "lock": {"name": lock, "params": {}},
                 "workload": {"name": name, "params": dict(params)},
                 "threads": n, "pin": {"policy": "none", "pus": [None] * n,
                                       "oversubscribed": n > len(os.sched_getaffinity(0))},
                 "status": "ok", "samples": []}
            configs.append((c, cls, lock, params, n))
    worst = 0
    for rep in range(o.repeat):  # interleaved: A B C A B C
        for c, cls, lock, params, n in configs:
            s = {"repetition": rep}
            s.update(run_config(cls, lock, params, n, o.warmup_ns, o.duration_ns))
            c["samples"].append(s)
            if s["status"] != "ok":
                c["status"] = s["status"]
                worst = 1
            if not o.quiet:
                lat = s.get("latency_ns") or {}
                print(f"{c['lock']['name']:<14} {name_of(c):<10} {n:>3} thr rep {rep + 1}  "
                      f"{(s.get('throughput_per_s') or 0) / 1e6:9.4f} M/s  p50 {lat.get('p50', 0):9.0f} ns  "
                      f"p99 {lat.get('p99', 0):10.0f} ns  Jain {s.get('fairness', {}).get('jain', 0):.3f}  "
                      f"{s['status']}{' ' + s['message'] if 'message' in s else ''}", file=table)
    for c, *_ in configs:
        summarize(c)
        doc["configs"].append(c)
    try:
        write_atomic(doc, out)
    except OSError as e:
        print(f"pyprobe: --output: {out}: {e.strerror}", file=sys.stderr)
        return 2
    if not o.quiet and out != "-":
        print(f"result: {out}", file=table)
    return worst


def name_of(c):
    return c["workload"]["name"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
