#!/usr/bin/env python3
"""validate-python — the GIL model against real CPython, side by side.

For each scenario, runs tools/pygil.py on this machine's python3 and
`lockbench run -l gil:interval=I -w interp:...` (unpinned, as CPython's
threads are) in the same setting, --repeat times interleaved, and takes the
median of each figure. Then tools/pyrace.py (the unlocked counter). Writes
both tables into docs/python.md between its generated-section markers,
leaving the rest of the file alone.

    scripts/validate-python.py [--duration 3s] [--repeat 5] [--doc docs/python.md]

A benchmark: run it on a quiet machine (a few minutes). `make validate-python`.
"""
import argparse
import datetime
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BEGIN, END = "<!-- validate-python: begin (generated) -->", "<!-- validate-python: end -->"

# name, CPU threads, I/O kind (None: no I/O thread), switch interval
SCENARIOS = [
    ("1 CPU + 1 I/O, sleep, 5 ms", 1, "sleep", "5ms"),
    ("1 CPU + 1 I/O, sleep, 1 ms", 1, "sleep", "1ms"),
    ("1 CPU + 1 I/O, socket, 5 ms", 1, "socket", "5ms"),
    ("1 CPU + 1 I/O, socket, 1 ms", 1, "socket", "1ms"),
    ("2 CPU, 5 ms", 2, None, "5ms"),
    ("2 CPU + 1 I/O, sleep, 5 ms", 2, "sleep", "5ms"),
    ("2 CPU + 1 I/O, socket, 5 ms", 2, "socket", "5ms"),
]
# figure, label, scale to the unit shown, unit
FIGURES = [
    ("io_op_p50_ns", "I/O latency p50", 1e-3, "µs"),
    ("io_op_p99_ns", "I/O latency p99", 1e-3, "µs"),
    ("io_ops_per_s", "I/O ops/s", 1, ""),
    ("handoffs_per_s", "hand-offs/s", 1, ""),
    ("cpu_share", "CPU share", 1, ""),
    ("slice_p50_ns", "slice p50", 1e-3, "µs"),
    ("slice_p90_ns", "slice p90", 1e-3, "µs"),
]
IO_NS, BURST = "1ms", "10us"


def cpython(cpu, io, interval, duration):
    cmd = [sys.executable, os.path.join(ROOT, "tools/pygil.py"), "--cpu", str(cpu), "--io", io or "none",
           "--io-ns", IO_NS, "--burst", BURST, "--interval", interval, "-d", duration]
    return json.loads(subprocess.run(cmd, check=True, capture_output=True, text=True).stdout)


def model(cpu, io, interval, duration):
    n = cpu + (1 if io else 0)
    wl = f"interp:cpu_threads={cpu},io={io or 'sleep'},io_ns={IO_NS},burst_ns={BURST}"
    with tempfile.TemporaryDirectory() as d:
        out = os.path.join(d, "m.json")
        subprocess.run([os.path.join(ROOT, "lockbench"), "run", "-q", "-l", f"gil:interval={interval}", "-w", wl,
                        "-t", str(n), "-p", "none", "-d", duration, "--warmup", "200ms", "-o", out],
                       check=True, capture_output=True, text=True)
        with open(out) as f:
            doc = json.load(f)
    return doc["configs"][0]["samples"][0].get("workload_figures", {})


def med(samples, key):
    vals = [s.get(key) for s in samples if isinstance(s.get(key), (int, float))]
    return statistics.median(vals) if vals else None


def fmt(v, scale):
    if v is None:
        return "–"
    v *= scale
    return f"{v:.3f}" if abs(v) < 10 else f"{v:.0f}"


def loadavg():
    with open("/proc/loadavg") as f:
        return f.read().split()[:3]


def gil_table(duration, repeat, log):
    rows, within, total = [], 0, 0
    for name, cpu, io, interval in SCENARIOS:
        py, mo = [], []
        load = loadavg()[0]  # the machine may be shared: the load next to each scenario's figures
        for r in range(repeat):  # interleaved, so drift hits both alike
            log(f"{name}: repetition {r + 1}/{repeat}")
            py.append(cpython(cpu, io, interval, duration))
            mo.append(model(cpu, io, interval, duration))
        for key, label, scale, unit in FIGURES:
            if io is None and key.startswith("io_"):
                continue
            p, m = med(py, key), med(mo, key)
            ratio = m / p if p and m is not None else None
            ok = ratio is not None and 0.75 <= ratio <= 1.25
            total += ratio is not None
            within += ok
            rows.append(f"| {name} | {load} | {label}{' (' + unit + ')' if unit else ''} | {fmt(p, scale)} | "
                        f"{fmt(m, scale)} | {'–' if ratio is None else f'{ratio:.2f}'} | "
                        f"{'yes' if ok else 'no' if ratio else '–'} |")
    head = ["| scenario | load | figure | CPython | model | model / CPython | within ±25% |",
            "|---|---|---|---|---|---|---|"]
    return head + rows, within, total


def race_table():
    out = json.loads(subprocess.run([sys.executable, os.path.join(ROOT, "tools/pyrace.py")], check=True,
                                    capture_output=True, text=True).stdout)
    rows = [f"{out['threads']} threads × {out['increments_per_thread']} unlocked increments, {out['trials']} trials "
            f"per row, {out['implementation']} {out['python']}"
            f"{' (free-threaded build)' if out['free_threaded_build'] else ''}:", "",
            "| code | switch interval | trials that lost updates | updates lost |", "|---|---|---|---|"]
    code = {"global_iadd": "`counter += 1` (module global)", "attr_iadd": "`obj.n += 1` (attribute)",
            "read_call_write": "`x = counter; f(); counter = x + 1`"}
    for r in out["results"]:
        rows.append(f"| {code[r['form']]} | {r['switch_interval_s'] * 1e3:g} ms | {r['trials_losing']} of "
                    f"{out['trials']} | {r['lost']} |")
    return rows


def main(argv):
    ap = argparse.ArgumentParser(prog="validate-python.py")
    ap.add_argument("--duration", default="3s", help="window per run (default 3s)")
    ap.add_argument("--repeat", type=int, default=5, help="repetitions, medians taken (default 5)")
    ap.add_argument("--doc", default=os.path.join(ROOT, "docs/python.md"))
    o = ap.parse_args(argv)

    def log(msg):
        print(f"validate-python: {msg}", file=sys.stderr)
    if not os.access(os.path.join(ROOT, "lockbench"), os.X_OK):
        print("validate-python: ./lockbench is not built (make lockbench)", file=sys.stderr)
        return 2
    load = loadavg()
    table, within, total = gil_table(o.duration, o.repeat, log)
    load_after = loadavg()
    stamp = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    section = [BEGIN, "",
               f"Measured {stamp} on {platform.node()} ({os.cpu_count()} CPUs, load average "
               f"{' '.join(load)} before the run and {' '.join(load_after)} after it; `load` is the 1-minute "
               f"load average as each scenario began) with {platform.python_implementation()} {platform.python_version()} "
               f"(`{sys.executable}`); {o.repeat} interleaved repetitions of {o.duration}, medians; "
               f"I/O of {IO_NS}, I/O thread burst {BURST}. Model: `lockbench run -l gil:interval=I -w "
               f"interp:cpu_threads=C,io=K,io_ns={IO_NS},burst_ns={BURST} -p none`. "
               f"{within} of {total} figures within ±25%.", ""]
    section += table + ["", "The unlocked counter (`tools/pyrace.py`):", ""] + race_table() + ["", END]
    text = open(o.doc).read() if os.path.exists(o.doc) else ""
    if BEGIN in text and END in text:
        text = text[:text.index(BEGIN)] + "\n".join(section) + text[text.index(END) + len(END):]
    else:
        text += "\n" + "\n".join(section) + "\n"
    tmp = o.doc + ".tmp"
    with open(tmp, "w") as f:
        f.write(text)
    os.replace(tmp, o.doc)
    log(f"{within} of {total} figures within ±25%; tables written to {o.doc}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
