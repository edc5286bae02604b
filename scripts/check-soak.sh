#!/usr/bin/env bash
# The soak's code path for a few seconds (part of make test): a correct lock
# passes and is reported with its verified acquisitions; the negative control
# `none` fails the soak; bad input is one line and exit 2.
set -uo pipefail
bin=${1:-./lockbench}
dir=$(cd "$(dirname "$0")" && pwd)
pass=0 fail=0
check() { if "$@"; then pass=$((pass + 1)); else fail=$((fail + 1)); echo "check-soak: failed: $*"; fi; }
out=$("$dir/soak.py" --lockbench "$bin" --duration 1s --chunk 100ms --locks pthread --threads 2 2>/dev/null); rc=$?
check test "$rc" -eq 0
check grep -Eq 'pthread +verified +[1-9][0-9,]*' <<<"$out"
"$dir/soak.py" --lockbench "$bin" --duration 200ms --chunk 100ms --locks none --threads 2 >/dev/null 2>&1; rc=$?
check test "$rc" -eq 1
err=$("$dir/soak.py" --lockbench "$bin" --duration 3x 2>&1); rc=$?
check test "$rc" -eq 2
check test "$(printf '%s\n' "$err" | wc -l)" -eq 1
echo "check-soak: $pass passed, $fail failed"
[ "$fail" -eq 0 ]
