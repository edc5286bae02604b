#!/usr/bin/env bash
#
# gate-check.sh — measure the regression gate (`lockbench compare`) on this
# machine: how often it cries wolf, and how often it catches a known loss.
#
#   A/A       the same build run twice ("base" and "again"): any regression
#             compare reports is a false alarm.
#   injected  the same build with a known extra cost ("slower": the critical
#             section made INJECT instead of WORKLOAD, about 10% less
#             throughput); compare must report a regression.
#
# Each trial runs the three sides as REPEAT/CHUNK short `lockbench run`
# processes of CHUNK repetitions each, alternated (base, again, slower,
# again, slower, base, ...; the order rotates so no side always goes
# first), so drift of a shared machine hits all sides alike and each side's
# repetitions come from many processes. scripts/merge-results.py joins the
# chunks of a side; the slower side is relabelled to pair with base.
#
# Then scripts/gate-summary.py judges every trial with compare under the
# default settings and under the alternatives in SETTINGS, using the first
# k repetitions for every k in EVAL_REPEATS, and prints the false-alarm and
# detection rates (summary.txt, summary.json in OUT). Judging again is
# cheap, so one expensive collection answers "which settings work here".
#
# A benchmark, not a test: `make gate-check` runs it, `make test` does not.
# With the defaults it takes 25-30 minutes on a 2-CPU machine.
# Everything is set through the environment:
#
#   PAIRS=20          trials (A/A pairs and injected pairs: one of each per trial)
#   REPEAT=10         repetitions per side and trial
#   CHUNK=1           repetitions per lockbench process (REPEAT must be a multiple)
#   DURATION=200ms    measured window per repetition
#   WARMUP=100ms      warm-up before each window
#   LOCKS=pthread,ticket,mcs
#   THREADS=1,2
#   WORKLOAD=cs:cs_ns=1000     what base and again run
#   INJECT=cs:cs_ns=1125       what slower runs: +125 ns of critical section
#   SETTINGS="--alpha 0.05;--metric throughput;--threshold 8"
#                     compare options to judge with besides the defaults, ';' between sets
#   EVAL_REPEATS="5 10"        repetition counts to judge with (multiples of CHUNK, <= REPEAT)
#   LOCKBENCH=./lockbench      the binary under test
#   BUSY_RATE=                 busy-loop iterations per us for every run (default: the
#                              fastest of 5 calibrations, measured once)
#   OUT=results/gate-check-<UTC stamp>
#
# Exit status: 0 measured (whatever the rates), 2 bad setting or a run that
# could not start, 130 interrupted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
PAIRS=${PAIRS:-20}
REPEAT=${REPEAT:-10}
CHUNK=${CHUNK:-1}
DURATION=${DURATION:-200ms}
WARMUP=${WARMUP:-100ms}
LOCKS=${LOCKS:-pthread,ticket,mcs}
THREADS=${THREADS:-1,2}
WORKLOAD=${WORKLOAD:-cs:cs_ns=1000}
INJECT=${INJECT:-cs:cs_ns=1125}
SETTINGS=${SETTINGS-"--alpha 0.05;--metric throughput;--threshold 8"}
LOCKBENCH=${LOCKBENCH:-$root/lockbench}
OUT=${OUT:-results/gate-check-$(date -u +%Y%m%dT%H%M%SZ)}

die() {
	echo "gate-check: $*" >&2
	exit 2
}

for var in PAIRS REPEAT CHUNK; do
	[[ ${!var} =~ ^[1-9][0-9]*$ ]] || die "$var: \"${!var}\" is not a positive integer"
done
((REPEAT % CHUNK == 0)) || die "REPEAT ($REPEAT) is not a multiple of CHUNK ($CHUNK)"
if [[ -z ${EVAL_REPEATS:-} ]]; then
	half=$((REPEAT / 2 / CHUNK * CHUNK))
	EVAL_REPEATS=$REPEAT
	((half >= 4 && half < REPEAT)) && EVAL_REPEATS="$half $REPEAT"
fi
for k in $EVAL_REPEATS; do
	if ! [[ $k =~ ^[1-9][0-9]*$ ]] || ((k > REPEAT || k % CHUNK != 0)); then
		die "EVAL_REPEATS: \"$k\" is not a multiple of CHUNK ($CHUNK) up to REPEAT ($REPEAT)"
	fi
done
[[ -x $LOCKBENCH ]] || die "$LOCKBENCH: not an executable (run make first)"
[[ -e $OUT ]] && die "$OUT: already exists"

# Refuse bad options now, not after the first trial: a 1 ms dry run of each side.
for wl in "$WORKLOAD" "$INJECT"; do
	if ! err=$("$LOCKBENCH" run -q -l "$LOCKS" -t "$THREADS" -w "$wl" -r 1 -d 1ms --warmup 0ns \
		-o /dev/null 2>&1); then
		die "lockbench run rejected the settings: $(tail -n 1 <<<"$err")"
	fi
done
mkdir -p "$OUT"

# One busy-loop rate for every process, the fastest of a few calibrations:
# cs_ns then means the same work in each. Left to calibrate alone, a process
# that starts in a slow spell of the shared host converts cs_ns into up to
# half the work, and that spread between processes swamps a 10% change.
if [[ -z ${BUSY_RATE:-} ]]; then
	for i in 1 2 3 4 5; do
		"$LOCKBENCH" run -q -l none -t 1 -d 1ms --warmup 0ns -o "$OUT/calibrate-$i.json" 2>/dev/null ||
			die "lockbench run failed while calibrating"
	done
	BUSY_RATE=$(/usr/bin/python3 -c 'import json, sys
print(max(round(json.load(open(f))["context"]["busy_iterations_per_us"]) for f in sys.argv[1:]))' "$OUT"/calibrate-*.json)
	rm -f "$OUT"/calibrate-*.json
fi
echo "gate-check: busy-loop rate $BUSY_RATE iterations/us for every process"

chunks=$((REPEAT / CHUNK))
sides=(base again slower)

# run_side SIDE FILE LOG: one chunk of one side; a failed check (exit 1) is
# the gate's business and recorded in the result, anything else stops us.
run_side() {
	local wl=$WORKLOAD rc=0
	[[ $1 == slower ]] && wl=$INJECT
	"$LOCKBENCH" run -q -l "$LOCKS" -t "$THREADS" -w "$wl" -r "$CHUNK" -d "$DURATION" \
		--warmup "$WARMUP" --busy-rate "$BUSY_RATE" -o "$2" 2>>"$3" || rc=$?
	case $rc in
	0 | 1) ;;
	130) echo "gate-check: interrupted; what was collected is in $OUT" >&2; exit 130 ;;
	*) die "lockbench run exited $rc (see $3)" ;;
	esac
}

echo "gate-check: $PAIRS trials x 3 sides x $REPEAT repetitions ($chunks processes of $CHUNK) of" \
	"$LOCKS x threads $THREADS, $WORKLOAD vs $INJECT, $DURATION each; results in $OUT"
start=$SECONDS
for ((t = 1; t <= PAIRS; t++)); do
	dir=$(printf '%s/trial-%02d' "$OUT" "$t")
	mkdir -p "$dir"
	for ((c = 1; c <= chunks; c++)); do
		for ((s = 0; s < 3; s++)); do
			side=${sides[(s + t + c) % 3]}
			run_side "$side" "$(printf '%s/%s-%02d.json' "$dir" "$side" "$c")" "$dir/run.log"
		done
	done
	elapsed=$((SECONDS - start))
	printf 'gate-check: trial %d/%d done, %dm%02ds so far, about %dm left\n' "$t" "$PAIRS" \
		$((elapsed / 60)) $((elapsed % 60)) $(((elapsed * (PAIRS - t) / t + 59) / 60))
done

exec /usr/bin/python3 "$root/scripts/gate-summary.py" --lockbench "$LOCKBENCH" --dir "$OUT" \
	--chunk "$CHUNK" --eval-repeats "$EVAL_REPEATS" --settings "$SETTINGS" \
	--describe "locks=$LOCKS" --describe "threads=$THREADS" --describe "workload=$WORKLOAD" \
	--describe "inject=$INJECT" --describe "duration=$DURATION" --describe "warmup=$WARMUP" \
	--describe "repeat=$REPEAT" --describe "chunk=$CHUNK" --describe "pairs=$PAIRS"
