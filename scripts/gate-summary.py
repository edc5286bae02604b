#!/usr/bin/python3
"""gate-summary.py — judge the trials gate-check.sh collected; print and save the rates.

usage: gate-summary.py --dir DIR [--lockbench PATH] [--chunk N] [--eval-repeats "5 10"]
                       [--settings "OPTS;OPTS"] [--describe KEY=VALUE]...

DIR holds trial-NN/{base,again,slower,slower5}-CC.json, the chunks of the
process gate gate-check.sh ran, and trial-NN/ab-{aa,10,5}.{json,rc}, the
verdicts and exit codes of its `lockbench ab` runs. For every repetition
count k in --eval-repeats the first k/chunk chunks of each side are merged
(scripts/merge-results.py; the slower sides relabelled to pair with base),
and for the compare defaults and every set of options in --settings, each
trial is judged three times:

  compare base again     exit 1 is a false alarm
  compare base slower    exit 1 is a detection of the 10% loss
  compare base slower5   exit 1 is a detection of the 5% loss

An A/B trial's three verdicts were reached when it ran (ab's defaults and
AB_ARGS): ab-aa exit 1 is a false alarm, ab-10 and ab-5 exit 1 detections.
Both gates go into one table with the time each took (DIR/times.txt).

Per config we also count how often its throughput row alone was flagged on
the slower side (a real regression may hit one lock only, so this is the
stricter figure) and how much throughput the injected cost actually took.
Rates come with a 95% Wilson interval: 0 alarms in 20 trials still allows a
true rate of 16%.

Writes DIR/summary.txt (what it prints) and DIR/summary.json; the verdict
documents of every comparison stay in DIR/judged/.
"""
import argparse
import glob
import json
import math
import os
import shlex
import statistics
import subprocess
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MERGE = os.path.join(HERE, "merge-results.py")
SIDES = ("base", "again", "slower", "slower5")
FALSE_ALARM_TARGET = 0.05
DETECTION_TARGET = 0.90


class Failure(Exception):
    pass


def wilson(k, n, z=1.96):
    """95% Wilson score interval of a proportion k/n; (0, 1) when n is 0."""
    if n == 0:
        return 0.0, 1.0
    p = k / n
    centre = (p + z * z / (2 * n)) / (1 + z * z / n)
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / (1 + z * z / n)
    return max(0.0, centre - half), min(1.0, centre + half)


def rate(k, n):
    lo, hi = wilson(k, n)
    return {"count": k, "trials": n, "rate": k / n if n else None, "ci95": [lo, hi]}


def run(cmd):
    proc = subprocess.run(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    return proc.returncode, proc.stderr.strip()


def merge_trial(trial_dir, k, chunk):
    """The three sides of one trial, merged from their first k/chunk chunks."""
    out_dir = os.path.join(trial_dir, f"r{k}")
    os.makedirs(out_dir, exist_ok=True)
    merged = {}
    for side in SIDES:
        chunks = sorted(glob.glob(os.path.join(trial_dir, f"{side}-*.json")))
        if len(chunks) * chunk < k:
            return None  # an interrupted collection: this trial has too few
        merged[side] = os.path.join(out_dir, f"{side}.json")
        cmd = [MERGE, "-o", merged[side]]
        if side.startswith("slower"):
            cmd += ["--relabel-like", merged["base"]]
        rc, err = run(cmd + chunks[: k // chunk])
        if rc != 0:
            raise Failure(err or f"{MERGE} exited {rc}")
    return merged


def not_ok(trial_name, merged):
    """'trial-02 slower ticket t=2 hung' for every config that failed, hung or errored."""
    found = []
    for side in SIDES:
        with open(merged[side]) as f:
            doc = json.load(f)
        for cfg in doc["configs"]:
            if cfg.get("status", "ok") != "ok":
                found.append(f"{trial_name} {side} {short_id(cfg['id'])} {cfg['status']}")
    return found


def judge(lockbench, base, new, options, verdict_path):
    """compare's exit code and verdict document for one pair."""
    rc, err = run([lockbench, "compare", base, new, "-q", "--json", verdict_path] + options)
    if rc not in (0, 1):
        raise Failure(f"compare {base} {new} {' '.join(options)} exited {rc}: {err}")
    with open(verdict_path) as f:
        return rc, json.load(f)


def noise(merged_path):
    """Per config: standard deviation of log(throughput) over the side's repetitions.

    About the relative spread of one repetition (0.05 is +-5%): what the gate
    has to see a 10% loss through.
    """
    with open(merged_path) as f:
        doc = json.load(f)
    out = {}
    for cfg in doc["configs"]:
        logs = [math.log(s["throughput_per_s"]) for s in cfg["samples"]
                if isinstance(s.get("throughput_per_s"), (int, float)) and s["throughput_per_s"] > 0]
        if len(logs) >= 2:
            out[cfg["id"]] = statistics.stdev(logs)
    return out


def throughput_rows(verdict):
    return {row["config"]: row for row in verdict["rows"] if row["metric"] == "throughput"}


def flagged_configs(verdict):
    return {row["config"] for row in verdict["rows"] if row["verdict"] == "regression"}


def evaluate(args, trials, k, options, label):
    """False-alarm and detection figures of one (repetitions, settings) cell."""
    judged_dir = os.path.join(args.dir, "judged", f"r{k}-{label}")
    os.makedirs(judged_dir, exist_ok=True)
    alarms = detections = detections5 = n = 0
    per_config = {}
    settings = None
    for name, merged in trials:
        if merged is None:
            continue
        n += 1
        rc_aa, aa = judge(args.lockbench, merged["base"], merged["again"], options,
                          os.path.join(judged_dir, f"{name}-aa.json"))
        rc_ab, ab = judge(args.lockbench, merged["base"], merged["slower"], options,
                          os.path.join(judged_dir, f"{name}-ab.json"))
        rc_ab5, ab5 = judge(args.lockbench, merged["base"], merged["slower5"], options,
                            os.path.join(judged_dir, f"{name}-ab5.json"))
        settings = aa["settings"]
        alarms += rc_aa == 1
        detections += rc_ab == 1
        detections5 += rc_ab5 == 1
        tp5 = throughput_rows(ab5)
        aa_flagged, aa_tp = flagged_configs(aa), throughput_rows(aa)
        base_noise = noise(merged["base"])
        for config, row in throughput_rows(ab).items():
            c = per_config.setdefault(config, {"aa_alarms": 0, "aa_change_pct": [], "noise": [],
                                               "detected": 0, "injected_change_pct": [],
                                               "injected5_change_pct": []})
            if config in base_noise:
                c["noise"].append(base_noise[config])
            c["aa_alarms"] += config in aa_flagged
            c["detected"] += row["verdict"] == "regression"
            if aa_tp.get(config, {}).get("change_pct") is not None:
                c["aa_change_pct"].append(aa_tp[config]["change_pct"])
            if row.get("change_pct") is not None:
                c["injected_change_pct"].append(row["change_pct"])
            if tp5.get(config, {}).get("change_pct") is not None:
                c["injected5_change_pct"].append(tp5[config]["change_pct"])
    rows_detected = sum(c["detected"] for c in per_config.values())
    configs = []
    for config, c in per_config.items():
        configs.append({
            "config": config,
            "false_alarms": rate(c["aa_alarms"], n),
            "throughput_detected": rate(c["detected"], n),
            "throughput_noise_sd_log": spread(c["noise"]),
            "aa_throughput_change_pct": spread(c["aa_change_pct"]),
            "injected_throughput_change_pct": spread(c["injected_change_pct"]),
            "injected5_throughput_change_pct": spread(c["injected5_change_pct"]),
        })
    return {
        "repeats": k, "options": options, "label": label, "settings": settings,
        "false_alarm": rate(alarms, n), "detection": rate(detections, n), "detection5": rate(detections5, n),
        "throughput_rows_detected": rate(rows_detected, n * len(per_config)),
        "configs": configs,
    }


def evaluate_ab(trial_dirs):
    """False alarms and detections of the A/B gate, from the verdicts its runs wrote."""
    counts = {"aa": 0, "10": 0, "5": 0}
    changes = {"aa": [], "10": [], "5": []}
    n = 0
    pairs = None
    for d in trial_dirs:
        rcs = {}
        for kind in counts:
            try:
                with open(os.path.join(d, f"ab-{kind}.rc")) as f:
                    rcs[kind] = int(f.read().strip())
                with open(os.path.join(d, f"ab-{kind}.json")) as f:
                    verdict = json.load(f)
            except (OSError, ValueError):
                break
            for row in verdict["rows"]:
                if row["metric"] == "throughput" and row.get("change_pct") is not None:
                    changes[kind].append(row["change_pct"])
                if row["metric"] == "throughput" and pairs is None:
                    pairs = row["base_n"]
        if len(rcs) < len(counts):
            continue  # an interrupted collection: this trial has not all three
        n += 1
        for kind, rc in rcs.items():
            counts[kind] += rc == 1
    return {
        "trials": n, "pairs": pairs,
        "false_alarm": rate(counts["aa"], n), "detection": rate(counts["10"], n),
        "detection5": rate(counts["5"], n),
        "aa_throughput_change_pct": spread(changes["aa"]),
        "injected_throughput_change_pct": spread(changes["10"]),
        "injected5_throughput_change_pct": spread(changes["5"]),
    }


def times(path):
    """Seconds each gate took, summed over the trials (gate-check.sh's times.txt)."""
    out = {}
    try:
        with open(path) as f:
            for line in f:
                gate, secs = line.split()
                out[gate] = out.get(gate, 0) + int(secs)
    except OSError:
        pass
    return out


def gates_table(cells, ab, took, describe):
    """The one table of both gates: false alarms, detection of 10% and 5%, repetitions, time."""
    lines = ["gates at their defaults (process: compare of the merged processes; ab: one process, "
             "window pairs):",
             f"{'gate':<8} {'per trial':<34} {'A/A false alarms':<22} {'10% loss detected':<22} "
             f"{'5% loss detected':<22} time"]
    default = [c for c in cells if c["label"] == "(defaults)"]
    if default:
        c = max(default, key=lambda c: c["repeats"])
        per = f"{c['repeats']} reps x 4 sides, {len(c['configs'])} configs"
        lines.append(f"{'process':<8} {per:<34} {pct(c['false_alarm']):<22} {pct(c['detection']):<22} "
                     f"{pct(c['detection5']):<22} {fmt_time(took.get('process'))}")
    if ab and ab["trials"]:
        per = f"{ab['pairs']} window pairs x 3 runs, {describe.get('threads', '?')} threads"
        lines.append(f"{'ab':<8} {per:<34} {pct(ab['false_alarm']):<22} {pct(ab['detection']):<22} "
                     f"{pct(ab['detection5']):<22} {fmt_time(took.get('ab'))}")
        lines.append(f"ab throughput change, median [min, max] over rows: A/A {fmt_spread(ab['aa_throughput_change_pct'])}, "
                     f"10% {fmt_spread(ab['injected_throughput_change_pct'])}, "
                     f"5% {fmt_spread(ab['injected5_throughput_change_pct'])}")
    return lines


def fmt_time(secs):
    return "-" if secs is None else f"{secs // 60}m{secs % 60:02d}s"


def spread(values):
    if not values:
        return None
    return {"median": statistics.median(values), "min": min(values), "max": max(values)}


def pct(r):
    if r["rate"] is None:
        return "-"
    lo, hi = r["ci95"]
    return f"{r['count']}/{r['trials']} {100 * r['rate']:3.0f}% [{100 * lo:.0f}-{100 * hi:.0f}%]"


def short_id(config):
    """'ticket:|cs:cs_ns=1us,...|threads=2|pin=compact' -> 'ticket t=2'."""
    parts = config.split("|")
    lock = parts[0].rstrip(":")
    threads = next((p.split("=", 1)[1] for p in parts if p.startswith("threads=")), "?")
    return f"{lock} t={threads}"


def report(cells, describe, ab=None, took=None):
    lines = []
    desc = ", ".join(f"{k}={v}" for k, v in describe.items())
    lines.append(f"gate-check: {desc}")
    lines.append(f"targets: false alarms <= {FALSE_ALARM_TARGET:.0%} of A/A trials, "
                 f"detection >= {DETECTION_TARGET:.0%} of injected trials (95% Wilson intervals)")
    lines.append("")
    width = max([len("compare options")] + [len(cell["label"]) for cell in cells])
    lines += gates_table(cells, ab, took, describe)
    if cells:
        lines.append("")
        lines.append("process gate, every compare setting and repetition count:")
    head = f"{'reps':>4}  {'compare options':<{width}}  {'A/A false alarms':<22} {'10% detected':<22} " \
           f"{'5% detected':<22} {'throughput rows, 10%':<24} worst config"
    if cells:
        lines.append(head)
    for cell in cells:
        worst = min(cell["configs"], key=lambda c: c["throughput_detected"]["count"], default=None)
        worst_text = f"{short_id(worst['config'])} {pct(worst['throughput_detected'])}" if worst else "-"
        lines.append(f"{cell['repeats']:>4}  {cell['label']:<{width}}  {pct(cell['false_alarm']):<22} "
                     f"{pct(cell['detection']):<22} {pct(cell['detection5']):<22} "
                     f"{pct(cell['throughput_rows_detected']):<24} {worst_text}")
    for cell in cells:
        if cell["label"] != "(defaults)":
            continue
        lines.append("")
        lines.append(f"per config, {cell['repeats']} repetitions, compare defaults (noise: spread of one "
                     f"repetition's throughput, sd of its log, median over trials; changes: median "
                     f"[min, max] over trials)")
        lines.append(f"{'config':<16} {'noise':>6}  {'A/A alarms':<18} {'A/A throughput change':<26} "
                     f"{'10% injected change':<26} {'5% injected change':<26} throughput flagged (10%)")
        for c in cell["configs"]:
            sd = c["throughput_noise_sd_log"]
            sd_text = f"{100 * sd['median']:5.1f}%" if sd else "     -"
            lines.append(f"{short_id(c['config']):<16} {sd_text:>6}  {pct(c['false_alarms']):<18} "
                         f"{fmt_spread(c['aa_throughput_change_pct']):<26} "
                         f"{fmt_spread(c['injected_throughput_change_pct']):<26} "
                         f"{fmt_spread(c['injected5_throughput_change_pct']):<26} "
                         f"{pct(c['throughput_detected'])}")
    return "\n".join(lines) + "\n"


def fmt_spread(s):
    if s is None:
        return "-"
    return f"{s['median']:+.1f}% [{s['min']:+.1f}, {s['max']:+.1f}]"


def main():
    parser = argparse.ArgumentParser(description="judge gate-check trials")
    parser.add_argument("--dir", required=True)
    parser.add_argument("--lockbench", default=os.path.join(os.path.dirname(HERE), "lockbench"))
    parser.add_argument("--chunk", type=int, default=1)
    parser.add_argument("--eval-repeats", default="")
    parser.add_argument("--settings", default="")
    parser.add_argument("--describe", action="append", default=[])
    args = parser.parse_args()

    trial_dirs = sorted(glob.glob(os.path.join(args.dir, "trial-*")))
    if not trial_dirs:
        raise Failure(f"{args.dir}: no trial-* directories")
    counts = [len(glob.glob(os.path.join(d, "base-*.json"))) * args.chunk for d in trial_dirs]
    repeats = [int(k) for k in args.eval_repeats.split()] or [max(counts)]
    if max(counts) == 0:
        repeats = []  # the process gate was not measured (GATES=ab)
    option_sets = [("(defaults)", [])]
    option_sets += [(s.strip(), shlex.split(s)) for s in args.settings.split(";") if s.strip()]
    describe = dict(d.split("=", 1) for d in args.describe)

    cells = []
    problems = []
    for k in repeats:
        trials = [(os.path.basename(d), merge_trial(d, k, args.chunk)) for d in trial_dirs]
        for label, options in option_sets:
            cells.append(evaluate(args, trials, k, options, label))
        if k == max(repeats):
            problems = [p for name, merged in trials if merged for p in not_ok(name, merged)]

    ab = evaluate_ab(trial_dirs)
    took = times(os.path.join(args.dir, "times.txt"))
    text = report(cells, describe, ab, took)
    if problems:
        # the gate rightly fails these, but they are not noise: read them apart
        text += "\nconfigs not ok (they count as regressions above):\n"
        text += "".join(f"  {p}\n" for p in problems)
    sys.stdout.write(text)
    with open(os.path.join(args.dir, "summary.txt"), "w") as f:
        f.write(text)
    summary = {
        "schema": "lockbench-gate-check/1",
        "describe": describe,
        "targets": {"false_alarm_max": FALSE_ALARM_TARGET, "detection_min": DETECTION_TARGET},
        "cells": cells,
        "ab": ab,
        "seconds": took,
        "not_ok": problems,
    }
    with open(os.path.join(args.dir, "summary.json"), "w") as f:
        json.dump(summary, f, indent=1)
        f.write("\n")
    print(f"gate-check: {os.path.join(args.dir, 'summary.txt')}, summary.json")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main())
    except Failure as e:
        print(f"gate-summary: {e}", file=sys.stderr)
        sys.exit(2)
