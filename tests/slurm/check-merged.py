#!/usr/bin/python3
"""check-merged.py — is a merged sweep result what its shards say it must be?

usage: check-merged.py RESULT REPS [LOST_SHARD[!]...]

RESULT is DIR/result.json of a sweep with one machine and REPS shards.
LOST_SHARD: a shard that was killed, whose configs may be missing; with a
"!", one that never ran: every config of it must be missing.
Checks, for every config:
  - every shard that was not lost gave exactly one sample;
  - a lost shard either gave a sample or has one "missing" entry for the
    config, never both and never neither;
  - repetitions are 0..n-1 in shard order; summary.throughput_per_s.n is n;
and that "missing" names nothing else (no other shard, no unknown config),
that a shard that never ran misses every config, and that every missing
entry carries the shard's state.
Exit 0 if all hold; 1 with the first violation on stderr.
"""
import json
import sys


def fail(msg):
    print(f"check-merged: {msg}", file=sys.stderr)
    sys.exit(1)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    doc = json.load(open(sys.argv[1]))
    reps = int(sys.argv[2])
    lost = {int(x.rstrip("!")) for x in sys.argv[3:]}
    never_ran = {int(x.rstrip("!")) for x in sys.argv[3:] if x.endswith("!")}
    configs = doc["configs"]
    ids = {c["id"] for c in configs}
    missing = doc.get("missing")
    if not isinstance(missing, list):
        fail("no missing list")
    holes = {}
    for m in missing:
        key = (m["shard"], m["config"])
        if m["shard"] not in lost:
            fail(f"missing names shard {m['shard']}, which was not lost: {m}")
        if m["config"] not in ids:
            fail(f"missing names an unknown config: {m}")
        if key in holes:
            fail(f"missing names {key} twice")
        if not m.get("state"):
            fail(f"missing entry without the shard's state: {m}")
        holes[key] = m
    for c in configs:
        shards = [s["shard"] for s in c["samples"]]
        if [s["repetition"] for s in c["samples"]] != list(range(len(shards))):
            fail(f"{c['id']}: repetitions {[s['repetition'] for s in c['samples']]} are not 0..n-1")
        if shards != sorted(shards):
            fail(f"{c['id']}: samples not in shard order: {shards}")
        for k in range(reps):
            n = shards.count(k)
            hole = (k, c["id"]) in holes
            if k not in lost and n != 1:
                fail(f"{c['id']}: shard {k} gave {n} samples, expected 1")
            if k in lost and n + hole != 1:
                fail(f"{c['id']}: lost shard {k}: {n} samples and {'a' if hole else 'no'} missing entry")
        if c["summary"]["throughput_per_s"]["n"] != len(shards):
            fail(f"{c['id']}: summary counts {c['summary']['throughput_per_s']['n']} samples, it has {len(shards)}")
    for k in never_ran:
        if sum(h[0] == k for h in holes) != len(ids):
            fail(f"shard {k} never ran but not all {len(ids)} configs of it are missing")
    return 0


if __name__ == "__main__":
    sys.exit(main())
