#!/usr/bin/python3
"""gate-model.py — what per-repetition noise the regression gate can see through.

usage: gate-model.py [--rows N] [--gates N] [--seed N]

A model, not a measurement: each repetition's throughput is the true value
times exp(N(0, sd)) — sd is the "noise" column gate-summary.py prints — and
repetitions are independent (what one repetition per process, interleaved,
is for). A gate judges --rows throughput rows (configs) with compare's rule:
a row is a regression when the two-sided exact Mann-Whitney U p-value is
below alpha AND the median fell by more than the threshold. Printed per
noise level, repetitions per side, alpha and threshold:

  false alarms  share of gates with no change that fail on some row
  detected      share of rows with a 10% throughput loss that are flagged

A real machine has heavier tails than a log-normal, correlated rows and
slow drift, so read the table as the best case: where it misses a target,
the machine will too. scripts/gate-check.sh measures the real thing.
"""
import argparse
import functools
import math
import random
import statistics


@functools.lru_cache(maxsize=None)
def ways(m, n, u):
    """Arrangements of m + n distinct values whose U statistic is exactly u."""
    if u < 0:
        return 0
    if m == 0 or n == 0:
        return 1 if u == 0 else 0
    return ways(m - 1, n, u - n) + ways(m, n - 1, u)


def mann_whitney_p(a, b):
    """Exact two-sided p (no ties: the values are continuous)."""
    m, n = len(a), len(b)
    ranked = sorted([(x, True) for x in a] + [(x, False) for x in b])
    rank_sum = sum(i + 1 for i, (_, from_a) in enumerate(ranked) if from_a)
    u = rank_sum - m * (m + 1) // 2
    tail = min(u, m * n - u)
    p = 2 * sum(ways(m, n, k) for k in range(tail + 1)) / math.comb(m + n, m)
    return min(1.0, p)


def regression(rng, n, sd, loss, alpha, threshold_pct):
    base = [math.exp(rng.gauss(0, sd)) for _ in range(n)]
    new = [math.exp(rng.gauss(0, sd)) * (1 - loss) for _ in range(n)]
    change_pct = (statistics.median(new) / statistics.median(base) - 1) * 100
    return mann_whitney_p(base, new) < alpha and change_pct < -threshold_pct


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rows", type=int, default=6, help="throughput rows per gate (default 6)")
    parser.add_argument("--gates", type=int, default=2000, help="simulated gates per cell (default 2000)")
    parser.add_argument("--seed", type=int, default=1)
    args = parser.parse_args()
    rng = random.Random(args.seed)

    print(f"model: log-normal noise, {args.rows} independent throughput rows per gate, "
          f"{args.gates} gates per line; targets <= 5% false alarms, >= 90% detected")
    print(f"{'noise':>5} {'reps':>4} {'alpha':>5} {'thr':>4}  {'false alarms':>12}  {'detected':>8}")
    for n in (5, 10, 20):
        for sd in (0.02, 0.03, 0.04, 0.05, 0.06, 0.08, 0.12):
            for alpha, threshold in ((0.05, 5), (0.01, 5), (0.01, 8)):
                alarms = sum(any(regression(rng, n, sd, 0.0, alpha, threshold) for _ in range(args.rows))
                             for _ in range(args.gates))
                caught = sum(regression(rng, n, sd, 0.10, alpha, threshold) for _ in range(args.gates))
                fa, det = alarms / args.gates, caught / args.gates
                met = "meets both" if fa <= 0.05 and det >= 0.90 else ""
                print(f"{100 * sd:4.0f}% {n:4d} {alpha:5.2f} {threshold:3d}%  {100 * fa:11.1f}%  "
                      f"{100 * det:7.1f}%  {met}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
