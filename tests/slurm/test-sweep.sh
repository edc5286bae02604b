#!/bin/bash
# tests/slurm/test-sweep.sh — `lockbench sweep` through a real Slurm cluster:
# a private single-node one (tests/slurm/cluster.sh) started here and stopped
# here by PID, also when a check fails or the script is interrupted.
#
#   LOCKBENCH=./lockbench tests/slurm/test-sweep.sh      (make check-slurm)
#
# What it checks, each with the failure it would catch:
#   - unknown partition, node or feature, an unreachable controller, a bad
#     spec: one line, exit 2, no sweep directory (a sweep that would fail on
#     every node, or hang on a dead controller)
#   - a sweep of 2 locks x 2 thread counts x 3 repetitions, one task
#     cancelled while running and one while pending: their Slurm states, a
#     merged result valid against results/schema.json whose "missing" names
#     exactly the configs the killed shards did not measure
#     (tests/slurm/check-merged.py; negative controls: a doctored list and a
#     doctored entry must be refused)
#   - --resume reruns only those two shards; the result is then complete
#   - --cancel cancels running and pending tasks (CANCELLED, not VANISHED)
#   - two machines (by partition, by node): one job array and one context each
#   - --status with the controller gone: one line, exit 2
# If Slurm cannot start here, it says why and fails.
# Ends with "N passed, N failed"; exit 1 if any failed.
set -u

here=$(cd "$(dirname "$0")" && pwd)
repo=$(cd "$here/../.." && pwd)
LB=$(realpath "${LOCKBENCH:-$repo/lockbench}")
[ -x "$LB" ] || { echo "test-sweep: no lockbench at $LB (make lockbench)" >&2; exit 2; }
tmp=$(mktemp -d /tmp/lockbench-slurm-test.XXXXXX)
chmod 0711 "$tmp" # munged wants its socket's directories searchable by all
cluster=$tmp/cluster
passed=0
failed=0

t0=$SECONDS
ok() { echo "ok   $((SECONDS - t0))s $*"; passed=$((passed + 1)); }
bad() { echo "FAIL $*"; failed=$((failed + 1)); }
check() { local what=$1; shift; if "$@"; then ok "$what"; else bad "$what"; fi; }

cleanup() {
	if [ -f "$cluster/pids" ]; then
		"$here/cluster.sh" stop "$cluster" >/dev/null || echo "test-sweep: stopping the cluster failed" >&2
	fi
	[ "${KEEP:-0}" = 1 ] && echo "kept $tmp" || rm -rf "$tmp"
}
trap cleanup EXIT
trap 'echo "test-sweep: interrupted"; exit 130' INT TERM

if ! "$here/cluster.sh" start "$cluster"; then
	echo "FAIL Slurm cannot start here (see the reason above); the sweep tests cannot run"
	echo "0 passed, 1 failed"
	exit 1
fi
export SLURM_CONF=$cluster/slurm.conf

# spec FILE DURATION [JSON members to add]: 2 locks x 2 thread counts.
spec() {
	cat >"$1" <<EOF
{"locks": ["ticket", "pthread"], "threads": [1, 2], "duration": "$2", "warmup": "10ms"${3:-}}
EOF
}

# usage_error NAME NEEDLE DIR cmd...: exit 2, one "lockbench: " line naming NEEDLE, DIR not created.
usage_error() {
	local name=$1 needle=$2 dir=$3
	shift 3
	local err rc
	err=$("$@" 2>&1 >/dev/null)
	rc=$?
	if [ $rc = 2 ] && [ "$(printf '%s\n' "$err" | wc -l)" = 1 ] && [[ $err == "lockbench: "*"$needle"* ]] &&
		{ [ -z "$dir" ] || [ ! -e "$dir" ]; }; then
		ok "$name"
	else
		bad "$name: exit $rc, stderr: $err"
	fi
}

# state DIR SHARD: the shard's state in the manifest.
state() {
	/usr/bin/python3 -c 'import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json"))
print(next(s["state"] for s in m["shards"] if s["shard"] == int(sys.argv[2])))' "$1" "$2"
}
attempts() {
	/usr/bin/python3 -c 'import json, sys; m = json.load(open(sys.argv[1] + "/manifest.json"))
print(" ".join(str(s["attempts"]) for s in m["shards"]))' "$1"
}
job_of() {
	/usr/bin/python3 -c 'import json, sys; print(json.load(open(sys.argv[1] + "/manifest.json"))["submissions"][-1]["job_id"])' "$1"
}

# wait_task JOB STATE: the first array task of JOB in STATE (R, PD), within 30 s.
wait_task() {
	local t
	for _ in $(seq 300); do
		t=$(squeue -h -r -j "$1" -t "$2" -o %K 2>/dev/null | head -n 1)
		[ -n "$t" ] && { echo "$t"; return 0; }
		sleep 0.1
	done
	return 1
}

# settle DIR: sweep --status until no shard is live (60 s at most).
settle() {
	for _ in $(seq 120); do
		"$LB" sweep --status "$1" >"$tmp/status.out" 2>&1 || return 1
		grep -qE ' (NEW|PENDING|RUNNING|COMPLETING|CONFIGURING|SUSPENDED|REQUEUED) ' "$tmp/status.out" || return 0
		sleep 0.5
	done
	return 1
}

valid() { /usr/bin/python3 "$repo/tests/validate_schema.py" "$repo/results/schema.json" "$1"; }

# --- refused before anything is submitted
spec "$tmp/nopart.json" 50ms ', "repetitions": 1, "machines": [{"name": "x", "partition": "nosuch"}]'
usage_error "unknown partition" 'partition "nosuch" does not exist' "$tmp/d1" "$LB" sweep "$tmp/nopart.json" -o "$tmp/d1"
spec "$tmp/nonode.json" 50ms ', "repetitions": 1, "machines": [{"name": "x", "node": "nosuchnode"}]'
usage_error "unknown node" 'node "nosuchnode"' "$tmp/d2" "$LB" sweep "$tmp/nonode.json" -o "$tmp/d2"
spec "$tmp/nofeat.json" 50ms ', "repetitions": 1, "machines": [{"name": "x", "constraint": "nosuchfeature"}]'
usage_error "unknown feature" '"nosuchfeature"' "$tmp/d3" "$LB" sweep "$tmp/nofeat.json" -o "$tmp/d3"
spec "$tmp/badkey.json" 50ms ', "repetitions": 1, "colour": "blue"'
usage_error "bad spec" 'unknown key "colour"' "$tmp/d4" "$LB" sweep "$tmp/badkey.json" -o "$tmp/d4"
# A controller nobody runs: the same cluster with the controller's port moved to a free one.
dead_port=$(/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
sed "s/^SlurmctldPort=.*/SlurmctldPort=$dead_port/" "$SLURM_CONF" >"$tmp/dead.conf"
spec "$tmp/ok1.json" 50ms ', "repetitions": 1'
start=$(date +%s)
SLURM_CONF=$tmp/dead.conf usage_error "unreachable controller" "does not answer" "$tmp/d5" \
	"$LB" sweep "$tmp/ok1.json" -o "$tmp/d5"
check "unreachable controller is reported within 10 s" [ $(($(date +%s) - start)) -lt 10 ]

# --- a sweep with one task cancelled while running and one while pending
sweep=$tmp/sweep
spec "$tmp/sweep.json" 50ms ', "repetitions": 3, "machines": [{"name": "node1", "partition": "debug"}]'
if "$LB" sweep "$tmp/sweep.json" -o "$sweep" >"$tmp/submit.out" 2>&1; then
	ok "sweep submitted: $(head -n 1 "$tmp/submit.out")"
else
	bad "sweep submit: $(cat "$tmp/submit.out")"
fi
job=$(job_of "$sweep" 2>/dev/null)
# While one task runs, the others wait (whole node, --exclusive): cancel the last
# waiting one first, then the running one, which by then may have ended.
running=$(wait_task "$job" R)
pending=$(squeue -h -r -j "$job" -t PD -o %K 2>/dev/null | tail -n 1)
[ -n "$pending" ] && scancel "${job}_$pending" 2>/dev/null
[ -n "$running" ] && scancel "${job}_$running" 2>/dev/null
check "one task cancelled while running (${job}_${running:-?}), one while pending (${job}_${pending:-?})" \
	test -n "$running" -a -n "$pending"
check "every task ends (sweep --status)" settle "$sweep"
check "the running task's state is CANCELLED" [ "$(state "$sweep" "$running")" = CANCELLED ]
# A pending array task cancelled outside lockbench may leave no record in Slurm (when
# other tasks of the array still wait, it is cut out of their record): VANISHED then.
check "the pending task's state is CANCELLED or VANISHED ($(state "$sweep" "$pending"))" \
	grep -qxE 'CANCELLED|VANISHED' <<<"$(state "$sweep" "$pending")"
check "the other shard COMPLETED" [ "$(state "$sweep" $((3 - running - pending)))" = COMPLETED ]
check "the merged result is valid against results/schema.json" valid "$sweep/result.json"
check "missing names exactly what the killed shards did not measure" \
	/usr/bin/python3 "$here/check-merged.py" "$sweep/result.json" 3 "$running" "$pending!"
# Negative controls: a list with an entry dropped, and an entry without its machine.
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); d["missing"].pop(); json.dump(d, open(sys.argv[2], "w"))' \
	"$sweep/result.json" "$tmp/short.json"
check "negative control: a missing list with one entry dropped is refused" \
	bash -c '! /usr/bin/python3 "$0" "$1" 3 "$2" "$3" 2>/dev/null' "$here/check-merged.py" "$tmp/short.json" "$running" "$pending!"
/usr/bin/python3 -c 'import json, sys; d = json.load(open(sys.argv[1])); del d["missing"][0]["machine"]; json.dump(d, open(sys.argv[2], "w"))' \
	"$sweep/result.json" "$tmp/nomachine.json"
check "negative control: the schema refuses a missing entry without its machine" \
	bash -c '! /usr/bin/python3 "$0" "$1" "$2" 2>/dev/null' "$repo/tests/validate_schema.py" "$repo/results/schema.json" "$tmp/nomachine.json"
check "lockbench merge DIR gives the same missing list" bash -c \
	'"$0" merge "$1" -o "$2" 2>/dev/null && /usr/bin/python3 -c "import json, sys; a, b = (json.load(open(p))[\"missing\"] for p in sys.argv[1:]); sys.exit(a != b)" "$1/result.json" "$2"' \
	"$LB" "$sweep" "$tmp/merged.json"

# --- resume: only the two killed shards run again
if "$LB" sweep --resume "$sweep" --wait --poll 100ms >"$tmp/resume.out" 2>&1; then
	ok "sweep --resume --wait exits 0"
else
	bad "sweep --resume: $(tail -n 3 "$tmp/resume.out")"
fi
want=$(for k in 0 1 2; do if [ "$k" = "$running" ] || [ "$k" = "$pending" ]; then printf '2 '; else printf '1 '; fi; done)
check "resume reran only the killed shards (attempts: $(attempts "$sweep"))" [ "$(attempts "$sweep") " = "$want" ]
check "after resume the result is valid" valid "$sweep/result.json"
check "after resume nothing is missing and every config has 3 samples" \
	/usr/bin/python3 "$here/check-merged.py" "$sweep/result.json" 3
check "negative control: the checker refuses the killed result as complete" \
	bash -c '! /usr/bin/python3 "$0" "$1" 3 2>/dev/null' "$here/check-merged.py" "$tmp/merged.json"

# --- sweep --cancel: every live task, running or pending, ends CANCELLED
spec "$tmp/long.json" 2s ', "repetitions": 2'
"$LB" sweep "$tmp/long.json" -o "$tmp/long" >/dev/null 2>&1
job=$(job_of "$tmp/long" 2>/dev/null)
wait_task "$job" R >/dev/null
check "sweep --cancel exits 0" "$LB" sweep --cancel "$tmp/long"
check "cancelled tasks end" settle "$tmp/long"
check "both shards CANCELLED (running and pending)" \
	[ "$(state "$tmp/long" 0) $(state "$tmp/long" 1)" = "CANCELLED CANCELLED" ]

# --- two machines (the one node, named by partition and by node): one context each
node=$(sinfo -h -N -o %N | head -n 1)
cat >"$tmp/two.json" <<EOF
{"locks": ["ticket"], "threads": [1], "repetitions": 1, "duration": "20ms", "warmup": "5ms",
 "machines": [{"name": "by-partition", "partition": "debug"}, {"name": "by-node", "node": "$node"}]}
EOF
if "$LB" sweep "$tmp/two.json" -o "$tmp/two" --wait --poll 100ms >"$tmp/two.out" 2>&1; then
	ok "a sweep over two machines"
else
	bad "a sweep over two machines: $(tail -n 3 "$tmp/two.out")"
fi
check "its result is valid" valid "$tmp/two/result.json"
check "one config per machine, each tagged, each machine with its context" /usr/bin/python3 -c '
import json, sys
d = json.load(open(sys.argv[1]))
assert [c["machine"] for c in d["configs"]] == ["by-partition", "by-node"], [c.get("machine") for c in d["configs"]]
assert [m["name"] for m in d["context"]["machines"]] == ["by-partition", "by-node"]
assert all(m["context"]["host"] and m["shards"][0]["state"] == "COMPLETED" for m in d["context"]["machines"])
' "$tmp/two/result.json"

# --- the controller goes away
SLURM_CONF=$tmp/dead.conf usage_error "sweep --status without a controller" "does not answer" "" \
	"$LB" sweep --status "$sweep"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]
