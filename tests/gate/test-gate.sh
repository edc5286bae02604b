#!/bin/bash
# tests/gate/test-gate.sh — examples/ci/gate.sh end to end, in a throwaway
# git repository made of this tree (its files as they are, one commit).
#
#   LOCKBENCH=./lockbench tests/gate/test-gate.sh        (make check-gate)
#
# What it checks, each with the failure it would catch:
#   - the same commit twice: refused, one line, exit 2, nothing run (the
#     README's `gate.sh origin/main HEAD` in a fresh clone compared a commit
#     with itself and passed, silently)
#   - a revision that is not there: one line, exit 2
#   - two commits with identical trees (A/A): exit 0 — the gate does not cry
#     wolf when nothing changed; both sides ran with the same busy-loop rate
#     and options (compare would refuse them otherwise)
#   - a commit that halves ticket's speed: exit 1, a regression of ticket and
#     of nothing else. The slowdown is a deterministic knob, not timing: the
#     commit adds to ticket's acquire as many iterations of the busy loop as
#     the workload's critical section (cs_ns=1us) is worth at the rate the
#     gate is given, so a ticket acquisition does twice the work.
#
# Speed: the suite is tiny (ticket and pthread, 1 thread, 10 repetitions of
# 50 ms), and the checkouts reuse this tree's objects (GATE_SETUP copies
# build/ in and touches what the commits changed), so each build compiles one
# file or none; what is tested is gate.sh, not make. About 1 minute on a
# 2-vCPU machine (up to 3 when a verdict needs another try, below), most of
# it process start-up; a separate target for that.
# TEST_GATE_KEEP=1 keeps the repository and the gate's outputs.
# Ends with "N passed, N failed"; exit 1 if any failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
LB=$(realpath "${LOCKBENCH:-$repo/lockbench}")
[ -x "$LB" ] || { echo "test-gate: no lockbench at $LB (make lockbench)" >&2; exit 2; }
[ -d "$repo/build/runner" ] || { echo "test-gate: no objects in $repo/build (make lockbench)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/lockbench-gate-test.XXXXXX)
passed=0
failed=0

t0=$SECONDS
ok() { echo "ok   $((SECONDS - t0))s $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
# shellcheck disable=SC2317 # called by the trap
cleanup() { if [ "${TEST_GATE_KEEP:-0}" = 1 ]; then echo "test-gate: kept $tmp"; else rm -rf "$tmp"; fi; }
trap cleanup EXIT

# The throwaway repository: this tree's files (tracked and new, as they are now).
work=$tmp/repo
mkdir -p "$work"
(cd "$repo" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work") ||
	{ echo "test-gate: cannot copy the tree" >&2; exit 2; }
git() { command git -C "$work" -c user.name=gate-test -c user.email=gate-test@localhost "$@"; }
if ! { git init -q && git add -A && git commit -qm base; }; then
	echo "test-gate: git init failed" >&2
	exit 2
fi
base=$(git rev-parse HEAD)
git commit -q --allow-empty -m "same tree" && same=$(git rev-parse HEAD)

# One busy-loop rate for the gate and for the knob: the fastest of 3 calibrations.
for i in 1 2 3; do
	"$LB" run -q -l none -t 1 -d 1ms --warmup 0ns -o "$tmp/cal-$i.json" 2>/dev/null || { echo "test-gate: calibration failed" >&2; exit 2; }
done
rate=$(/usr/bin/python3 -c 'import json, sys
print(max(round(json.load(open(f))["context"]["busy_iterations_per_us"]) for f in sys.argv[1:]))' "$tmp"/cal-*.json)

# The knob: after ticket's acquire has the lock, the work of cs_ns=1us at that rate.
/usr/bin/python3 - "$work/locks/ticket.c" "$rate" <<'EOF' || { echo "test-gate: cannot patch ticket" >&2; exit 2; }
import sys
path, rate = sys.argv[1], int(sys.argv[2])
src = open(path).read()
old = "\t\tlb_cpu_relax();\n}\n\nstatic int ticket_release"
assert old in src, "ticket_acquire is not as expected"
knob = ("\t\tlb_cpu_relax();\n\tfor (unsigned long i = 0; i < %dul; i++) /* test-gate: half speed */\n"
        "\t\t__asm__ volatile(\"\" : \"+r\"(i));\n}\n\nstatic int ticket_release" % rate)
open(path, "w").write(src.replace(old, knob))
EOF
git commit -qam "ticket at half speed" && slow=$(git rev-parse HEAD)

# gate.sh with the tiny suite; GATE_SETUP reuses this tree's objects.
gate() {
	local out=$1
	shift
	GATE_LOCKS=ticket,pthread GATE_THREADS=1 GATE_WORKLOAD=cs:cs_ns=1000 GATE_REPEAT=10 GATE_DURATION=50ms \
		GATE_WARMUP=10ms GATE_BUSY_RATE=$rate GATE_COMPARE_ARGS="--metric throughput --threshold 25" \
		GATE_SETUP="cp -r '$repo/build' . && rm -rf build/tests build/asan build/tsan build/fuzz build/checked && git diff --name-only $base HEAD | xargs -r touch" \
		"$work/examples/ci/gate.sh" "$@" "$out" >"$out.out" 2>"$out.err"
}
one_line() { [ "$(wc -l <"$1")" -eq 1 ]; }
# The locks (first field of the config ids) with a row of the given verdict in a compare.json.
locks_judged() {
	/usr/bin/python3 -c 'import json, sys
v = json.load(open(sys.argv[1]))
print(",".join(sorted({r["config"].split("|")[0].split(":")[0] for r in v["rows"] if r["verdict"] == sys.argv[2]})))' "$1" "$2" 2>/dev/null
}

gate "$tmp/g-same" "$base" "$base"
rc=$?
if [ $rc -eq 2 ] && one_line "$tmp/g-same.err" && grep -q "are the same commit" "$tmp/g-same.err" &&
	[ ! -e "$tmp/g-same/base-001.json" ]; then
	ok "the same commit twice: refused in one line, nothing run"
else
	bad "the same commit twice: exit $rc, $(cat "$tmp/g-same.err")"
fi

gate "$tmp/g-none" "$base" "no-such-rev"
rc=$?
if [ $rc -eq 2 ] && one_line "$tmp/g-none.err" && grep -q "no-such-rev: not a commit" "$tmp/g-none.err"; then
	ok "a revision that is not there: one line, exit 2"
else
	bad "a missing revision: exit $rc, $(cat "$tmp/g-none.err")"
fi

# The verdicts are timing: on a shared machine one gate run in a few may meet
# a spell of other tenants' load that no alternation evens out (seen: every
# process 100% busy before the run, 73k-353k acquisitions/s for one build).
# Each verdict gets up to 3 gate runs; a gate that is wrong by construction
# (options or busy rate differing between the sides, the wrong side slowed,
# a lock named that did not change) is wrong in all of them.
aa_ok() {
	[ "$1" -eq 0 ] && grep -q "busy-loop rate $rate iterations/us" "$2.err" &&
		grep -q "run 20 of 20: .*, repetition 10 of 10" "$2.err" && grep -q "20 runs done; merging" "$2.err" && [ "$(locks_judged "$2/compare.json" ok)" = pthread,ticket ]
}
slow_ok() {
	[ "$1" -eq 1 ] && [ "$(locks_judged "$2/compare.json" regression)" = ticket ] &&
		[ "$(locks_judged "$2/compare.json" ok)" = pthread ]
}
for attempt in 1 2 3; do
	gate "$tmp/g-aa$attempt" "$base" "$same"
	rc=$?
	aa_ok $rc "$tmp/g-aa$attempt" && break
	echo "     A/A attempt $attempt: exit $rc; $(grep -h '^| ' "$tmp/g-aa$attempt/compare.md" 2>/dev/null | tail -n 2 | tr '\n' ' ')"
done
if aa_ok $rc "$tmp/g-aa$attempt"; then
	ok "two commits of one tree: exit 0, progress shown, no regression (attempt $attempt)"
else
	bad "A/A: exit $rc in 3 attempts; $(tail -n 3 "$tmp/g-aa$attempt.err")"
fi

for attempt in 1 2 3; do
	gate "$tmp/g-slow$attempt" "$base" "$slow"
	rc=$?
	slow_ok $rc "$tmp/g-slow$attempt" && break
	echo "     half-speed attempt $attempt: exit $rc; $(grep -h '^| ' "$tmp/g-slow$attempt/compare.md" 2>/dev/null | tail -n 2 | tr '\n' ' ')"
done
if slow_ok $rc "$tmp/g-slow$attempt"; then
	ok "ticket at half speed: exit 1, ticket regressed, pthread did not (attempt $attempt)"
else
	bad "half-speed ticket: exit $rc in 3 attempts; $(tail -n 3 "$tmp/g-slow$attempt.err")"
fi

echo "test-gate: $passed passed, $failed failed ($((SECONDS - t0))s)"
[ "$failed" -eq 0 ]
