#!/usr/bin/env python3
"""Soak: `lockbench stress` over every lock, round after round, for a given time.

  scripts/soak.py --duration 10m [--chunk 2s] [--locks all] [--threads LIST] [--lockbench ./lockbench] [--log FILE]

Each round is one `lockbench stress` process over every lock (CHUNK per lock,
a fresh seed each round). After every round it prints, per lock, the
acquisitions verified so far (each one checked by the owner canary, and the
shared counter checked at the end of each window) and the rate, and appends
the round's figures to a JSON-lines log, so an interrupted soak (Ctrl-C, a
killed job) still says what it verified. Exit status: 0 when every round of
every lock passed, 1 when any failed (the failing locks are named), 2 on bad
input, 130 when interrupted before any failure.
"""
import argparse
import json
import os
import re
import signal
import subprocess
import sys
import tempfile
import time

UNITS = {"ns": 1e-9, "us": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}


def seconds(text):
    m = re.fullmatch(r"([0-9]+(?:\.[0-9]+)?)(ns|us|ms|s|m|h)", text)
    if not m:
        raise argparse.ArgumentTypeError(f'"{text}" is not a time with a unit (ns, us, ms, s, m, h)')
    return float(m.group(1)) * UNITS[m.group(2)]


def main():
    class OneLineParser(argparse.ArgumentParser):
        def error(self, message):
            print(f"soak: {message}", file=sys.stderr)
            sys.exit(2)

    ap = OneLineParser(description="stress every lock for a given time; streams verified figures")
    ap.add_argument("--duration", type=seconds, required=True, help="total soak time, e.g. 10m")
    ap.add_argument("--chunk", default="2s", help="stress window per lock and round (default 2s)")
    ap.add_argument("--locks", default="all", help="as `lockbench stress -l` (default all)")
    ap.add_argument("--threads", default=None, help="as `lockbench stress -t` (default: its 2 x PUs + 1)")
    ap.add_argument("--lockbench", default="./lockbench")
    ap.add_argument("--log", default=None, help="JSON-lines log of every round (default: none)")
    try:
        a = ap.parse_args()
        seconds(a.chunk)
    except argparse.ArgumentTypeError as e:
        print(f"soak: {e}", file=sys.stderr)
        return 2
    if not os.access(a.lockbench, os.X_OK):
        print(f"soak: {a.lockbench}: not an executable", file=sys.stderr)
        return 2

    totals, failures, rounds = {}, {}, 0
    t0 = time.monotonic()
    stop = {"now": False}
    signal.signal(signal.SIGTERM, lambda *_: stop.update(now=True))
    log = open(a.log, "a") if a.log else None

    def report(final):
        el = time.monotonic() - t0
        head = "soak: total" if final else f"soak: round {rounds}"
        print(f"{head}, {el:.0f} s elapsed")
        for lock, (acq, secs) in sorted(totals.items()):
            rate = acq / secs if secs > 0 else 0
            to_1e9 = f"{1e9 / rate / 3600:.1f} h to 10^9" if rate > 0 else "-"
            fail = f"  FAILED x{failures[lock]}" if lock in failures else ""
            print(f"  {lock:24} verified {acq:>14,}  {rate:>12,.0f}/s  {to_1e9}{fail}")
        sys.stdout.flush()

    status = 0
    with tempfile.TemporaryDirectory(prefix="lockbench-soak.") as tmp:
        out = os.path.join(tmp, "round.json")
        try:
            while not stop["now"] and time.monotonic() - t0 < a.duration:
                rounds += 1
                cmd = [a.lockbench, "stress", "-q", "-l", a.locks, "-d", a.chunk, "-o", out]
                if a.threads:
                    cmd += ["-t", a.threads]
                rc = subprocess.run(cmd).returncode
                if rc == 2:
                    print(f"soak: {' '.join(cmd)}: usage or input error", file=sys.stderr)
                    return 2
                if rc == 130:
                    stop["now"] = True
                with open(out) as f:
                    doc = json.load(f)
                for cfg in doc.get("configs", []):
                    lock = cfg["lock"]["name"]
                    acq = sum(s.get("acquisitions", 0) for s in cfg.get("samples", []))
                    secs = sum(s.get("duration_s", 0) for s in cfg.get("samples", []))
                    a0, s0 = totals.get(lock, (0, 0.0))
                    totals[lock] = (a0 + acq, s0 + secs)
                    # stress's Fail: violations + lost updates + bad releases; or a run that did not finish.
                    fails = sum(s.get("violations", 0) + s.get("verify_failures", 0) + s.get("release_errors", 0)
                                for s in cfg.get("samples", []))
                    bad = fails > 0 or cfg.get("status") not in ("ok", "not_run")
                    if bad and rc != 130:
                        failures[lock] = failures.get(lock, 0) + 1
                        status = 1
                    if log:
                        log.write(json.dumps({"round": rounds, "lock": lock, "status": cfg.get("status"),
                                              "acquisitions": acq, "seconds": secs}) + "\n")
                if log:
                    log.flush()
                report(False)
        except KeyboardInterrupt:
            stop["now"] = True
    report(True)
    if failures:
        print("soak: FAILED: " + ", ".join(sorted(failures)), file=sys.stderr)
        return 1
    return 130 if stop["now"] and status == 0 and time.monotonic() - t0 < a.duration else status


if __name__ == "__main__":
    sys.exit(main())
