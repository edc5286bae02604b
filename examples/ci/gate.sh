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
# side's repetitions (scripts/merge-results.py) and asks `lockbench compare`
# of the new build for the verdict. Exit status is compare's: 0 no
# regression, 1 regression (or a config that failed, hung or starved in NEW
# only), 2 a usage, build or input error — one line on stderr. The Markdown
# verdict is appended to $GITHUB_STEP_SUMMARY when that is set; compare.md,
# compare.json and all results stay in OUT_DIR (default: a new directory
# under results/). It says what it is doing as it goes ("gate: ...").
#
# Both sides are measured alike, or the gate would judge the settings instead
# of the code: every run option is given explicitly to both builds (so a
# default that changed between the revisions changes nothing), and one
# busy-loop rate is fixed for every process — left to calibrate alone, the
# new build's processes once took 1448-2793 iterations/us against 1297-1447
# for base, and the gate reported -49% for locks the change never touched.
# `compare` refuses results whose options, timing, busy rate or machine
# differ anyway.
#
# BASE_REV and NEW_REV must be two commits: in a fresh clone `origin/main`
# is HEAD, and comparing a commit with itself proves nothing, so the gate
# refuses it (GATE_ALLOW_SAME=1 runs it anyway: an A/A check of the gate).
# A revision this clone does not have is fetched from origin once.
#
# Why one repetition per process: repetitions in one process share its
# fate (the load while it ran, where the host put its threads), and on a
# shared 2-vCPU machine that between-process spread was larger than the
# spread within a process; compare's U test assumes independent repetitions.
# For a lock library, `lockbench ab` (docs/ci-gate.md) runs both builds in
# one process and needs far fewer runs.
#
# Settings (environment); the defaults are the suite scripts/gate-check.sh measures:
#   GATE_LOCKS=pthread,ticket,mcs   GATE_THREADS=1,2
#   GATE_WORKLOAD=cs:cs_ns=1000     GATE_REPEAT=10
#   GATE_DURATION=200ms             GATE_WARMUP=100ms
#   GATE_PIN=compact  GATE_TIMING=sample:16  GATE_SLICE=10ms  GATE_GRACE=5s
#   GATE_LOG_CAP=1048576
#   GATE_BUSY_RATE=                 busy-loop iterations per us for every run
#                                   (default: the fastest of 5 calibrations
#                                   of the base build, measured once)
#   GATE_COMPARE_ARGS=""            extra compare options, e.g. "--threshold 8"
#   GATE_SETUP=""                   a shell command run in each checkout
#                                   before `make` (e.g. to copy in files that
#                                   are not in git)
#   GATE_KEEP=0                     1 keeps the worktrees
#   GATE_ALLOW_SAME=0               1 accepts BASE_REV and NEW_REV being one commit
set -euo pipefail

die() {
	echo "gate: $*" >&2
	exit 2
}
say() {
	echo "gate: $*" >&2
}

(($# == 2 || $# == 3)) || die "usage: $0 BASE_REV NEW_REV [OUT_DIR]"

here=$(cd "$(dirname "$0")" && pwd)
repo=$(git -C "$here" rev-parse --show-toplevel)
merge=$repo/scripts/merge-results.py
LOCKS=${GATE_LOCKS:-pthread,ticket,mcs}
THREADS=${GATE_THREADS:-1,2}
WORKLOAD=${GATE_WORKLOAD:-cs:cs_ns=1000}
REPEAT=${GATE_REPEAT:-10}
DURATION=${GATE_DURATION:-200ms}
WARMUP=${GATE_WARMUP:-100ms}
PIN=${GATE_PIN:-compact}
TIMING=${GATE_TIMING:-sample:16}
SLICE=${GATE_SLICE:-10ms}
GRACE=${GATE_GRACE:-5s}
LOG_CAP=${GATE_LOG_CAP:-1048576}
BUSY_RATE=${GATE_BUSY_RATE:-}
read -r -a compare_args <<<"${GATE_COMPARE_ARGS:-}"

[[ $REPEAT =~ ^[1-9][0-9]*$ ]] || die "GATE_REPEAT: \"$REPEAT\" is not a positive integer"
[[ -z $BUSY_RATE || $BUSY_RATE =~ ^[1-9][0-9]*$ ]] || die "GATE_BUSY_RATE: \"$BUSY_RATE\" is not a positive integer"

# resolve REV: its commit; a revision this clone lacks is fetched from origin first.
resolve() {
	local sha
	if sha=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}"); then
		echo "$sha"
		return
	fi
	if git -C "$repo" remote get-url origin >/dev/null 2>&1; then
		say "$1: not in this clone; fetching it from origin"
		if git -C "$repo" fetch --quiet origin "$1" 2>/dev/null &&
			sha=$(git -C "$repo" rev-parse --verify --quiet "$1^{commit}" ||
				git -C "$repo" rev-parse --verify --quiet "FETCH_HEAD^{commit}"); then
			echo "$sha"
			return
		fi
	fi
	die "$1: not a commit (not in this clone, nor fetched from origin)"
}
base_rev=$(resolve "$1")
new_rev=$(resolve "$2")
if [[ $base_rev == "$new_rev" && ${GATE_ALLOW_SAME:-0} != 1 ]]; then
	die "$1 and $2 are the same commit (${base_rev:0:12}): nothing to compare; in a fresh clone origin/main is HEAD — commit the change, or name its base (GATE_ALLOW_SAME=1 for an A/A run)"
fi
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
	progress "building $1 (${2:0:12}) in $dir"
	git -C "$repo" worktree add --quiet --detach "$dir" "$2" || die "$2: cannot check out"
	if [[ -n ${GATE_SETUP:-} ]]; then
		(cd "$dir" && eval "$GATE_SETUP") >>"$out/build-$1.log" 2>&1 || die "$1: GATE_SETUP failed, see $out/build-$1.log"
	fi
	make -C "$dir" -j"$(nproc)" lockbench >>"$out/build-$1.log" 2>&1 ||
		die "$1 (${2:0:12}): build failed, see $out/build-$1.log"
}
say "base ${base_rev:0:12}, new ${new_rev:0:12}; results in $out"
build base "$base_rev"
build new "$new_rev"

# One busy-loop rate for both builds: the fastest of a few calibrations (a
# slow one means the host was busy, not that the loop is slow).
if [[ -z $BUSY_RATE ]]; then
	for i in 1 2 3 4 5; do
		"$trees/base/lockbench" run -q -l none -t 1 -d 1ms --warmup 0ns -o "$out/calibrate-$i.json" 2>>"$out/run.log" ||
			die "base: lockbench run failed while calibrating the busy loop (see $out/run.log)"
	done
	BUSY_RATE=$(/usr/bin/python3 -c 'import json, sys
print(max(round(json.load(open(f))["context"]["busy_iterations_per_us"]) for f in sys.argv[1:]))' "$out"/calibrate-*.json)
	rm -f "$out"/calibrate-*.json
fi
say "busy-loop rate $BUSY_RATE iterations/us for every run of both builds"

# run SIDE N: repetition N of one side; a failed check (exit 1) is recorded
# in the result for compare to judge, anything else ends the gate.
run() {
	local rc=0
	progress "run $((runs_done + 1)) of $runs_total: $1, repetition $2 of $REPEAT"
	"$trees/$1/lockbench" run -q -l "$LOCKS" -t "$THREADS" -w "$WORKLOAD" -r 1 -d "$DURATION" \
		--warmup "$WARMUP" -p "$PIN" --timing "$TIMING" --slice "$SLICE" --grace "$GRACE" \
		--log-cap "$LOG_CAP" --busy-rate "$BUSY_RATE" \
		-o "$(printf '%s/%s-%03d.json' "$out" "$1" "$2")" 2>>"$out/run.log" || rc=$?
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

progress "$runs_done runs done; merging, and comparing with the new build's lockbench compare"
/usr/bin/python3 "$merge" -o "$out/base.json" "$out"/base-[0-9]*.json
/usr/bin/python3 "$merge" -o "$out/new.json" "$out"/new-[0-9]*.json

rc=0
"$trees/new/lockbench" compare "$out/base.json" "$out/new.json" --json "$out/compare.json" \
	--markdown "$out/compare.md" "${compare_args[@]}" || rc=$?
if [[ -n ${GITHUB_STEP_SUMMARY:-} && -f $out/compare.md ]]; then
	cat "$out/compare.md" >>"$GITHUB_STEP_SUMMARY"
fi
say "verdict: exit $rc (0 no regression, 1 regression, 2 error); $out/compare.md"
exit "$rc"
