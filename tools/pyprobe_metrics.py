"""pyprobe_metrics — the figures of tools/pyprobe.py, by the C definitions.

Fairness and short-term fairness as runner/analysis/metrics.c computes
them, percentiles by engine/hist.c's rank rule, the median and its 95%
interval as runner/analysis/stats.c (tests/test_pyprobe.c holds the two
sides to the same values on fixed inputs).
"""
import math
import sys

CURVE_PCTS = (0, 10, 20, 30, 40, 50, 60, 70, 75, 80, 85, 90, 95, 97, 98, 99, 99.5, 99.7, 99.9,
              99.95, 99.97, 99.99, 99.995, 99.999, 99.9995, 99.9999, 100)


def fairness(counts):
    n, total = len(counts), sum(counts)
    out = {"jain": 1.0, "rsd": 0.0, "fairness_factor": 0.5, "max_min_ratio": 1.0,
           "min": 0, "max": 0, "locktorture_starved": False}
    if n == 0:
        return out
    mn, mx = min(counts), max(counts)
    out.update(min=mn, max=mx, locktorture_starved=n >= 2 and mx // 2 > mn)
    if total == 0:
        return out
    mean = total / n
    rsd = math.sqrt(sum((c - mean) ** 2 for c in counts) / n) / mean
    # share of the busier half, the middle thread counting half when n is odd
    order = sorted(range(n), key=lambda i: (-counts[i], i))
    top = sum(counts[i] for i in order[: n // 2])
    middle = counts[order[n // 2]] if n % 2 else 0
    out.update(rsd=rsd, jain=1 / (1 + rsd * rsd), fairness_factor=(top + middle / 2) / total,
               max_min_ratio=None if mn == 0 else mx / mn)
    return out


def _median_of_ints(values):
    s = sorted(values)
    return (s[(len(s) - 1) // 2] + s[len(s) // 2]) / 2


def short_term(owners, nthreads, window=0):
    k = window or max(nthreads, 1)
    n = len(owners)
    out = {"covered": n, "window": k, "lwss": 0.0, "mttr": None, "handover_ratio": 0.0}
    if n == 0:
        return out
    slot = [o if o < nthreads else nthreads for o in owners]
    size = k if n >= k else n
    windows = [slot[w * size:(w + 1) * size] for w in range(n // k if n >= k else 1)]
    out["lwss"] = _median_of_ints([len(set(w)) for w in windows])
    last, gaps = {}, []
    for i, o in enumerate(slot):
        if o in last:
            gaps.append(i - last[o] - 1)
        last[o] = i
    out["mttr"] = _median_of_ints(gaps) if gaps else None
    if n >= 2:
        out["handover_ratio"] = sum(1 for i in range(1, n) if slot[i] != slot[i - 1]) / (n - 1)
    return out


def value_at(sorted_ns, pct):
    """Nearest rank, ceil(pct/100 * count), as hist.c's rank_of (exact values, no buckets)."""
    n = len(sorted_ns)
    if pct <= 0:
        return sorted_ns[0]
    if pct >= 100:
        return sorted_ns[-1]
    r = pct / 100 * n
    rank = min(max(math.ceil(r - r * 4 * sys.float_info.epsilon), 1), n)
    return sorted_ns[rank - 1]


def latency_json(values):
    if not values:
        return None
    s = sorted(values)
    out = {"count": len(s), "mean": sum(s) / len(s)}
    for key, pct in (("p50", 50), ("p90", 90), ("p99", 99), ("p999", 99.9), ("p9999", 99.99)):
        out[key] = float(value_at(s, pct))
    out["max"] = float(s[-1])
    return out


def latency_curve(values):
    if not values:
        return None
    s = sorted(values)
    return [[float(p), float(value_at(s, p))] for p in CURVE_PCTS]


def median(v):
    s = sorted(v)
    n = len(s)
    return s[n // 2] if n % 2 else (s[n // 2 - 1] + s[n // 2]) / 2


def median_ci95(v):
    """runner/analysis/stats.c: order-statistic interval; [min, max] below 6 values."""
    s, n = sorted(v), len(v)
    if n < 6:
        return s[0], s[-1], False
    cdf, j = 0.0, 0
    while True:
        cdf += math.comb(n, j) / 2 ** n
        if 2 * cdf > 0.05:
            break
        j += 1
    return s[j - 1], s[n - j], True
