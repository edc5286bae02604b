#!/usr/bin/env bash
#
# gate-check.sh — measure the regression gates on this machine: how often
# they cry wolf, and how often they catch a known loss of 10% and of 5%.
# Two gates are measured, each trial of each:
#
# the process gate (`lockbench compare`, as examples/ci/gate.sh runs it)
#   A/A       the same build run twice ("base" and "again"): any regression
#             compare reports is a false alarm.
#   injected  the same build with a known extra cost: "slower" runs INJECT
#             (a critical section 12.5% longer, about 10% less throughput),
#             "slower5" INJECT5 (6.3% longer, about 5%); compare must report
#             a regression.
#   The sides run as REPEAT/CHUNK short `lockbench run` processes of CHUNK
#   repetitions each, alternated (the order rotates so no side always goes
#   first), so drift of a shared machine hits all sides alike and each side's
#   repetitions come from many processes. scripts/merge-results.py joins the
#   chunks of a side; the slower sides are relabelled to pair with base.
#
# the one-process A/B gate (`lockbench ab`, for lock libraries)
#   AB_LOCK (the example plug-in) against itself (A/A: a second copy of the
#   .so is loaded), and against itself with delay_iters set to the work of
#   the same extra critical section as INJECT and INJECT5 at the busy-loop
#   rate every run uses: 10% and 5% less throughput, added inside the lock.
#   AB_PAIRS window pairs of AB_WINDOW per config, WORKLOAD, THREADS.
#
# Then scripts/gate-summary.py judges every process-gate trial with compare
# under the default settings and under the alternatives in SETTINGS, using
# the first k repetitions for every k in EVAL_REPEATS, reads the A/B
# verdicts, and prints the table: false alarms, detection of the 10% and the
# 5% loss, repetitions, and the time each gate took (summary.txt and
# summary.json in OUT). Judging again is cheap, so one expensive collection
# answers "which settings work here".
#
# A benchmark, not a test: `make gate-check` runs it, `make test` does not.
# With the defaults (20 trials) it takes about 45 minutes on a 2-CPU machine.
# Everything is set through the environment:
#
#   PAIRS=20          trials (one A/A and one injected pair of each loss per trial and gate)
#   GATES="process ab"         which gates to measure
#   REPEAT=10         repetitions per side and trial (process gate)
#   CHUNK=1           repetitions per lockbench process (REPEAT must be a multiple)
#   DURATION=200ms    measured window per repetition
#   WARMUP=100ms      warm-up before each window
#   LOCKS=pthread,ticket,mcs
#   THREADS=1,2
#   WORKLOAD=cs:cs_ns=1000     what base and again run (and ab's workload)
#   INJECT=cs:cs_ns=1125       what slower runs: +125 ns of critical section
#   INJECT5=cs:cs_ns=1063      what slower5 runs: +63 ns
#   SETTINGS="--alpha 0.05;--metric throughput;--threshold 8"
#                     compare options to judge with besides the defaults, ';' between sets
#   EVAL_REPEATS="5 10"        repetition counts to judge with (multiples of CHUNK, <= REPEAT)
#   AB_LOCK=examples/plugin/mylock.so (built if missing)   AB_PAIRS=20
#   AB_WINDOW=100ms   AB_WARMUP=20ms   AB_ARGS=""  (more `ab` options, e.g. "--alpha 0.05")
#   LOCKBENCH=./lockbench      the binary under test
#   BUSY_RATE=                 busy-loop iterations per us for every run (default: the
#                              fastest of 5 calibrations, measured once)
#   OUT=results/gate-check-<UTC stamp>
#
# Exit status: 0 measured (whatever the rates), 2 bad setting or a run that
# could not start, 130 interrupted.
set -euo pipefail

root=$(cd "$(dirname "$0")/.." && pwd)
load_start=$(cut -d' ' -f1-3 /proc/loadavg)
PAIRS=${PAIRS:-20}
REPEAT=${REPEAT:-10}
CHUNK=${CHUNK:-1}
DURATION=${DURATION:-200ms}
WARMUP=${WARMUP:-100ms}
LOCKS=${LOCKS:-pthread,ticket,mcs}
THREADS=${THREADS:-1,2}
WORKLOAD=${WORKLOAD:-cs:cs_ns=1000}
INJECT=${INJECT:-cs:cs_ns=1125}
INJECT5=${INJECT5:-cs:cs_ns=1063}
GATES=${GATES:-process ab}
AB_LOCK=${AB_LOCK:-$root/examples/plugin/mylock.so}
AB_PAIRS=${AB_PAIRS:-20}
AB_WINDOW=${AB_WINDOW:-100ms}
AB_WARMUP=${AB_WARMUP:-20ms}
read -r -a ab_args <<<"${AB_ARGS:-}"
SETTINGS=${SETTINGS-"--alpha 0.05;--metric throughput;--threshold 8"}
LOCKBENCH=${LOCKBENCH:-$root/lockbench}
OUT=${OUT:-results/gate-check-$(date -u +%Y%m%dT%H%M%SZ)}

die() {
	echo "gate-check: $*" >&2
	exit 2
}

for var in PAIRS REPEAT CHUNK AB_PAIRS; do
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
for g in $GATES; do
	[[ $g == process || $g == ab ]] || die "GATES: \"$g\" is neither process nor ab"
done
gate_on() { [[ " $GATES " == *" $1 "* ]]; }
# cs_ns of a workload spec "cs:cs_ns=1125" (the injections are critical sections made longer)
cs_ns() {
	[[ $1 =~ cs_ns=([0-9]+)(ns)?(,|$) ]] || die "\"$1\": no cs_ns=N (in ns) to derive the A/B injection from"
	echo "${BASH_REMATCH[1]}"
}
if gate_on ab; then
	if [[ ! -e $AB_LOCK && $AB_LOCK == "$root/examples/plugin/mylock.so" ]]; then
		make -s -C "$root/examples/plugin" >/dev/null || die "cannot build the example plug-in"
	fi
	[[ -f $AB_LOCK ]] || die "AB_LOCK: $AB_LOCK: no such file"
	extra10=$(($(cs_ns "$INJECT") - $(cs_ns "$WORKLOAD")))
	extra5=$(($(cs_ns "$INJECT5") - $(cs_ns "$WORKLOAD")))
fi
[[ -e $OUT ]] && die "$OUT: already exists"

# Refuse bad options now, not after the first trial: a 1 ms dry run of each side.
for wl in "$WORKLOAD" "$INJECT" "$INJECT5"; do
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
sides=(base again slower slower5)
if gate_on ab; then
	# the injected critical sections' extra work as busy-loop iterations at the one rate
	delay10=$(((extra10 * BUSY_RATE + 500) / 1000))
	delay5=$(((extra5 * BUSY_RATE + 500) / 1000))
	echo "gate-check: ab injects delay_iters=$delay10 (${extra10} ns) and $delay5 (${extra5} ns) into $AB_LOCK"
fi

# run_side SIDE FILE LOG: one chunk of one side; a failed check (exit 1) is
# the gate's business and recorded in the result, anything else stops us.
run_side() {
	local wl=$WORKLOAD rc=0
	[[ $1 == slower ]] && wl=$INJECT
	[[ $1 == slower5 ]] && wl=$INJECT5
	"$LOCKBENCH" run -q -l "$LOCKS" -t "$THREADS" -w "$wl" -r "$CHUNK" -d "$DURATION" \
		--warmup "$WARMUP" --busy-rate "$BUSY_RATE" -o "$2" 2>>"$3" || rc=$?
	case $rc in
	0 | 1) ;;
	130) echo "gate-check: interrupted; what was collected is in $OUT" >&2; exit 130 ;;
	*) die "lockbench run exited $rc (see $3)" ;;
	esac
}

# run_ab NAME NEW DIR: one `lockbench ab` of AB_LOCK against NEW; its exit code into DIR/ab-NAME.rc.
run_ab() {
	local rc=0
	"$LOCKBENCH" ab "$AB_LOCK" "$2" -t "$THREADS" -w "$WORKLOAD" --pairs "$AB_PAIRS" -d "$AB_WINDOW" \
		--warmup "$AB_WARMUP" --busy-rate "$BUSY_RATE" -q --json "$3/ab-$1.json" "${ab_args[@]}" 2>>"$3/ab.log" || rc=$?
	case $rc in
	0 | 1) echo "$rc" >"$3/ab-$1.rc" ;;
	130) echo "gate-check: interrupted; what was collected is in $OUT" >&2; exit 130 ;;
	*) die "lockbench ab exited $rc (see $3/ab.log)" ;;
	esac
}

gate_on process && echo "gate-check: process gate: $PAIRS trials x 4 sides x $REPEAT repetitions ($chunks" \
	"processes of $CHUNK) of $LOCKS x threads $THREADS, $WORKLOAD vs $INJECT and $INJECT5, $DURATION each"
gate_on ab && echo "gate-check: ab gate: $PAIRS trials x 3 runs of $AB_PAIRS window pairs of $AB_WINDOW," \
	"$AB_LOCK x threads $THREADS, $WORKLOAD"
echo "gate-check: results in $OUT"
start=$SECONDS
for ((t = 1; t <= PAIRS; t++)); do
	dir=$(printf '%s/trial-%02d' "$OUT" "$t")
	mkdir -p "$dir"
	if gate_on process; then
		t0=$SECONDS
		for ((c = 1; c <= chunks; c++)); do
			for ((s = 0; s < 4; s++)); do
				side=${sides[(s + t + c) % 4]}
				run_side "$side" "$(printf '%s/%s-%02d.json' "$dir" "$side" "$c")" "$dir/run.log"
			done
		done
		echo "process $((SECONDS - t0))" >>"$OUT/times.txt"
	fi
	if gate_on ab; then
		t0=$SECONDS
		# the order of the three rotates with the trial too
		for ((k = 0; k < 3; k++)); do
			case $(((k + t) % 3)) in
			0) run_ab aa "$AB_LOCK" "$dir" ;;
			1) run_ab 10 "$AB_LOCK:delay_iters=$delay10" "$dir" ;;
			2) run_ab 5 "$AB_LOCK:delay_iters=$delay5" "$dir" ;;
			esac
		done
		echo "ab $((SECONDS - t0))" >>"$OUT/times.txt"
	fi
	elapsed=$((SECONDS - start))
	printf 'gate-check: trial %d/%d done, %dm%02ds so far, about %dm left\n' "$t" "$PAIRS" \
		$((elapsed / 60)) $((elapsed % 60)) $(((elapsed * (PAIRS - t) / t + 59) / 60))
done

exec /usr/bin/python3 "$root/scripts/gate-summary.py" --lockbench "$LOCKBENCH" --dir "$OUT" \
	--chunk "$CHUNK" --eval-repeats "$EVAL_REPEATS" --settings "$SETTINGS" \
	--describe "locks=$LOCKS" --describe "threads=$THREADS" --describe "workload=$WORKLOAD" \
	--describe "inject=$INJECT" --describe "inject5=$INJECT5" --describe "duration=$DURATION" \
	--describe "warmup=$WARMUP" --describe "repeat=$REPEAT" --describe "chunk=$CHUNK" --describe "pairs=$PAIRS" \
	--describe "busy_rate=$BUSY_RATE" --describe "gates=$GATES" --describe "ab_pairs=$AB_PAIRS" \
	--describe "ab_window=$AB_WINDOW" --describe "ab_warmup=$AB_WARMUP" --describe "ab_lock=$(basename "$AB_LOCK")" \
	--describe "loadavg_start=$load_start" --describe "loadavg_end=$(cut -d' ' -f1-3 /proc/loadavg)"
