#!/usr/bin/python3
"""merge-results.py — join several `lockbench run` results of one build into one.

usage: merge-results.py -o OUT.json [--relabel-like REF.json] IN.json...

Why: `lockbench compare` takes exactly two files, one per side, and trusts
that the repetitions of a side are independent. Repetitions that share one
process are not quite: they share its memory layout, its busy-loop
calibration, the CPUs' state at the time. A regression gate that runs the
base and the new build as short chunks, alternated (base, new, base, new
...), spreads drift of a shared machine over both sides and gives each side
many processes. This script joins the chunks of one side back into one
result that compare reads.

Every input must be a lockbench/1 document of the same build (git commit),
host and plan (the same config ids). Per config the samples are concatenated
in input order and renumbered; each keeps the index of its input as "chunk".
A config's status is the first one that is not "ok" in any input, so a
failure in one chunk is not lost. The per-config "summary" described one
chunk only and is dropped (compare does not read it). The context is the
first input's, with options.repeat the total and "merged_from" listing the
inputs.

--relabel-like REF gives config k of the result the identity (id, lock,
workload) of REF's config k, after checking that both have the same lock
name, thread count and pin policy; the measured identity is kept in
"measured_as". It exists to measure the gate: a run of the same locks with
a known extra cost (a longer critical section) is made to pair with the
base in compare, as a slower build of the same code would.

Exit status: 0 written; 2 usage or input error (one line on stderr, OUT
untouched).

For joining results in general use `lockbench merge` (docs/sweeps.md): the
same pairing by id and renumbering, with summaries recomputed, one context per
machine and a list of what is missing. This script stays for the gate, whose
base side is built from an older revision that may not have `lockbench
merge`, and for --relabel-like.
"""
import json
import os
import sys
import tempfile

SCHEMA = "lockbench/1"


class InputError(Exception):
    pass


def load(path):
    try:
        with open(path) as f:
            doc = json.load(f)
    except OSError as e:
        raise InputError(f"{path}: {e.strerror}")
    except ValueError as e:
        raise InputError(f"{path}: invalid JSON: {e}")
    if not isinstance(doc, dict) or doc.get("schema") != SCHEMA:
        raise InputError(f"{path}: not a lockbench result (schema {SCHEMA!r} expected)")
    if not isinstance(doc.get("configs"), list) or not isinstance(doc.get("context"), dict):
        raise InputError(f"{path}: no configs or context")
    return doc


def config_ids(doc, path):
    ids = []
    for i, cfg in enumerate(doc["configs"]):
        if not isinstance(cfg, dict) or not isinstance(cfg.get("id"), str):
            raise InputError(f"{path}: configs[{i}] has no id")
        ids.append(cfg["id"])
    if len(set(ids)) != len(ids):
        raise InputError(f"{path}: duplicate config id")
    return ids


def merge(paths):
    docs = [load(p) for p in paths]
    first, first_path = docs[0], paths[0]
    ids = config_ids(first, first_path)
    for key in ("git_commit", "host"):
        want = first["context"].get(key)
        for doc, path in zip(docs[1:], paths[1:]):
            if doc["context"].get(key) != want:
                raise InputError(f"{path}: {key} {doc['context'].get(key)!r} differs from "
                                 f"{first_path}'s {want!r}: not one side of a comparison")
    for doc, path in zip(docs[1:], paths[1:]):
        if config_ids(doc, path) != ids:
            raise InputError(f"{path}: configs differ from {first_path}'s: not the same plan")

    out = {"schema": SCHEMA, "context": dict(first["context"]), "configs": []}
    for k, cfg in enumerate(first["configs"]):
        merged = {key: value for key, value in cfg.items() if key not in ("samples", "summary")}
        merged["status"] = "ok"
        merged["samples"] = []
        for chunk, doc in enumerate(docs):
            part = doc["configs"][k]
            if merged["status"] == "ok" and part.get("status", "ok") != "ok":
                merged["status"] = part["status"]
            for sample in part.get("samples", []):
                sample = dict(sample)
                sample["repetition"] = len(merged["samples"])
                sample["chunk"] = chunk
                merged["samples"].append(sample)
        out["configs"].append(merged)

    ctx = out["context"]
    if isinstance(ctx.get("options"), dict):
        ctx["options"] = dict(ctx["options"])
        ctx["options"]["repeat"] = sum(doc["context"].get("options", {}).get("repeat", 0)
                                       for doc in docs)
    ctx["merged_from"] = list(paths)
    if any(doc["context"].get("interrupted") for doc in docs):
        ctx["interrupted"] = True
    return out


def relabel(doc, ref_path):
    ref = load(ref_path)
    if len(ref["configs"]) != len(doc["configs"]):
        raise InputError(f"{ref_path}: {len(ref['configs'])} configs, the result has "
                         f"{len(doc['configs'])}")
    for k, (cfg, like) in enumerate(zip(doc["configs"], ref["configs"])):
        same = (cfg.get("lock", {}).get("name") == like.get("lock", {}).get("name")
                and cfg.get("threads") == like.get("threads")
                and cfg.get("pin", {}).get("policy") == like.get("pin", {}).get("policy"))
        if not same:
            raise InputError(f"{ref_path}: configs[{k}] is {like.get('id')!r}, the result's is "
                             f"{cfg.get('id')!r}: lock, threads or pin differ")
        cfg["measured_as"] = cfg["id"]
        for key in ("id", "lock", "workload"):
            cfg[key] = like[key]


def write_atomically(doc, path):
    directory = os.path.dirname(path) or "."
    fd, tmp = tempfile.mkstemp(prefix=os.path.basename(path) + ".", dir=directory)
    try:
        with os.fdopen(fd, "w") as f:
            json.dump(doc, f, indent=1)
            f.write("\n")
        os.chmod(tmp, 0o644)
        os.rename(tmp, path)
    except BaseException:
        os.unlink(tmp)
        raise


def main(argv):
    out_path, ref_path, inputs = None, None, []
    args = iter(argv)
    for arg in args:
        if arg in ("-o", "--relabel-like"):
            value = next(args, None)
            if value is None:
                raise InputError(f"{arg}: missing value")
            if arg == "-o":
                out_path = value
            else:
                ref_path = value
        elif arg in ("-h", "--help"):
            print(__doc__)
            return 0
        elif arg.startswith("-") and arg != "-":
            raise InputError(f"unknown option {arg!r} (see --help)")
        else:
            inputs.append(arg)
    if out_path is None or not inputs:
        raise InputError("usage: merge-results.py -o OUT.json [--relabel-like REF.json] IN.json...")
    doc = merge(inputs)
    if ref_path is not None:
        relabel(doc, ref_path)
    try:
        write_atomically(doc, out_path)
    except OSError as e:
        raise InputError(f"{out_path}: cannot write: {e.strerror}")
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(sys.argv[1:]))
    except InputError as e:
        print(f"merge-results: {e}", file=sys.stderr)
        sys.exit(2)
