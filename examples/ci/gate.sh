#!/usr/bin/env bash
#
# gate.sh — the lockbench regression gate for one change, as a CI job runs it.
#
#   examples/ci/gate.sh BASE_REV NEW_REV [OUT_DIR]
#
# Builds both revisions in two temporary git worktrees, runs the benchmark
# suite with each build GATE_REPEAT times, one repetition per process,
# alternating in ABBA order (base new, new base, new base, base new, ...) on
# this machine so that drift and other jobs hit both sides alike, joins each
# side's repetitions
# (scripts/merge-results.py) and asks `lockbench compare` of the new build
# for the verdict. Exit status is compare's: 0 no regression, 1 regression
# (or a config that failed or hung in NEW only), 2 a usage, build or input
# error. The Markdown verdict is appended to $GITHUB_STEP_SUMMARY when that
# is set; compare.md, compare.json and all results stay in OUT_DIR
# (default: a new directory under results/).
#
# Why one repetition per process: repetitions in one process share its
# fate (its busy-loop calibration, the load while it ran), and on a shared
# 2-vCPU machine that between-process spread was larger than the spread
# within a process; compare's U test assumes independent repetitions.
#
# Settings (environment); the defaults are the suite scripts/gate-check.sh measures:
#   GATE_LOCKS=pthread,ticket,mcs   GATE_THREADS=1,2
#   GATE_WORKLOAD=cs:cs_ns=1000     GATE_REPEAT=10
#   GATE_DURATION=200ms             GATE_WARMUP=100ms
#   GATE_COMPARE_ARGS=""            extra compare options, e.g. "--threshold 8"
#   GATE_SETUP=""                   a shell command run in each checkout
#                                   before `make` (e.g. to copy in files that
#                                   are not in git)
#   GATE_KEEP=0                     1 keeps the worktrees
set -euo pipefail

usage() {
	echo "usage: $0 BASE_REV NEW_REV [OUT_DIR]" >&2
	exit 2
}
(($# == 2 || $# == 3)) || usage

here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
merge=$repo/scripts/merge-results.py
LOCKS=${GATE_LOCKS:-pthread,ticket,mcs}
THREADS=${GATE_THREADS:-1,2}
WORKLOAD=${GATE_WORKLOAD:-cs:cs_ns=1000}
REPEAT=${GATE_REPEAT:-10}
DURATION=${GATE_DURATION:-200ms}
WARMUP=${GATE_WARMUP:-100ms}
read -r -a compare_args <<<"${GATE_COMPARE_ARGS:-}"

die() {
	echo "gate: $*" >&2
	exit 2
}

[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "GATE_REPEAT: \"$REPEAT\" is not a positive integer"
base_rev=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}") || die "$1: not a commit"
new_rev=$(git -C "$repo" rev-parse --verify --quiet "$2^{commit}") || die "$2: not a commit"
out=${3:-$repo/results/gate-$(date -u +%Y%m%dT%H%M%SZ)}
mkdir -p "$out"
out=$(cd "$out" && pwd)
trees=$(mktemp -d "${TMPDIR:-/tmp}/lockbench-gate.XXXXXX")

# shellcheck disable=SC2317 # called by the trap
cleanup() {
	if [[ ${GATE_KEEP:-0} != 1 ]]; then
		git -C "$repo" worktree remove --force "$trees/base" 2>/dev/null || true
		git -C "$repo" worktree remove --force "$trees/new" 2>/dev/null || true
		rm -rf "$trees"
	fi
}
trap cleanup EXIT

# progress WHAT: one line on stderr with the time so far and, once a run is done, what is left
# (runs done so far set the pace). A line each, not a rewritten one: CI logs are read later.
runs_total=$((2 * REPEAT))
runs_done=0
runs_start=0
clock() { printf '%d:%02d' $(($1 / 60)) $(($1 % 60)); }
progress() {
	local left=""
	if ((runs_done > 0)); then
		left=", ~$(clock $(((SECONDS - runs_start) * (runs_total - runs_done) / runs_done))) left"
	fi
	echo "gate: $1 ($(clock "$SECONDS") elapsed$left)" >&2
}

# build SIDE REV: a detached worktree of REV in $trees/SIDE with ./lockbench built.
build() {
	local dir=$trees/$1
	progress "building $1 ($2)"
	git -C "$repo" worktree add --quiet --detach "$dir" "$2" || die "$2: cannot check out"
	if [[ -n ${GATE_SETUP:-} ]]; then
		(cd "$dir" && eval "$GATE_SETUP") || die "$1: GATE_SETUP failed"
	fi
	make -C "$dir" -j"$(nproc)" >"$out/build-$1.log" 2>&1 || die "$1 ($2): build failed, see $out/build-$1.log"
}
echo "gate: base $base_rev, new $new_rev; results in $out"
build base "$base_rev"
build new "$new_rev"

# run SIDE N: repetition N of one side; a failed check (exit 1) is recorded
# in the result for compare to judge, anything else ends the gate.
run() {
	local rc=0
	progress "run $((runs_done + 1)) of $runs_total: $1, repetition $2 of $REPEAT"
	"$trees/$1/lockbench" run -q -l "$LOCKS" -t "$THREADS" -w "$WORKLOAD" -r 1 -d "$DURATION" \
		--warmup "$WARMUP" -o "$(printf '%s/%s-%03d.json' "$out" "$1" "$2")" 2>>"$out/run.log" || rc=$?
	((rc == 0 || rc == 1)) || die "$1: lockbench run exited $rc (see $out/run.log)"
	runs_done=$((runs_done + 1))
}
runs_start=$SECONDS
for ((i = 1; i <= REPEAT; i++)); do
	# ABBA order: neither side is always first after the other's run
	if (((i / 2) % 2 == 0)); then
		run base "$i"
		run new "$i"
	else
		run new "$i"
		run base "$i"
	fi
done

progress "$runs_done runs done; merging and comparing"
/usr/bin/python3 "$merge" -o "$out/base.json" "$out"/base-[0-9]*.json
/usr/bin/python3 "$merge" -o "$out/new.json" "$out"/new-[0-9]*.json

rc=0
"$trees/new/lockbench" compare "$out/base.json" "$out/new.json" --json "$out/compare.json" \
	--markdown "$out/compare.md" "${compare_args[@]}" || rc=$?
if [[ -n ${GITHUB_STEP_SUMMARY:-} && -f $out/compare.md ]]; then
	cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
exit "$rc"
