#!/usr/bin/env bash
#
# check-extend-lock.sh — prove that adding a lock is one file in locks/ and
# one line in locks/registry.def, nothing else.
#
# On a copy of this tree (the files git knows, as they are in the working
# tree, plus untracked ones it does not ignore) it takes exactly the two
# steps CONTRIBUTING and README give:
#
#   cp LOCK_FILE locks/extend_fixture.c
#   echo 'LB_LOCK(extend_fixture)' >> locks/registry.def
#
# then builds lockbench and the tests, runs the lock validation suite
# (tests/test_locks_validate.c: every check the lock's capability flags
# call for, including as rlock's base) on that lock alone, checks that
# `lockbench list` shows it and runs `lockbench run -l extend-fixture -t 2
# -d 100ms`. Exit 0 when all of it passed; the copy is removed either way.
#
#   scripts/check-extend-lock.sh [LOCK_FILE]   (default tests/extend/fixture_lock.c)
#
# `make check-extend-lock` runs it. JOBS (default 2) is passed to make and
# to the test runner.
set -euo pipefail

top=$(cd "$(dirname "$0")/.." && pwd)
src=${1:-tests/extend/fixture_lock.c}
case $src in /*) ;; *) src=$top/$src ;; esac
jobs=${JOBS:-2}
name=extend-fixture
sym=extend_fixture

[ -f "$src" ] || { echo "check-extend-lock: $src: no such file" >&2; exit 2; }

tmp=$(mktemp -d "${TMPDIR:-/tmp}/lockbench-extend.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The tree as git sees it; a file deleted from the working tree stays deleted.
(cd "$top" && git ls-files -z --cached --others --exclude-standard) |
	while IFS= read -r -d '' f; do
		if [ -f "$top/$f" ]; then
			mkdir -p "$tmp/$(dirname "$f")"
			cp -p "$top/$f" "$tmp/$f"
		fi
	done

# The two steps.
cp "$src" "$tmp/locks/$sym.c"
echo "LB_LOCK($sym)" >>"$tmp/locks/registry.def"

cd "$tmp"
echo "check-extend-lock: building a copy with locks/$sym.c and LB_LOCK($sym) in $tmp"
make --no-print-directory -j"$jobs" lockbench build/tests/run-tests

echo "check-extend-lock: ./lockbench list"
./lockbench list | grep -E "^  $name " || { echo "check-extend-lock: $name is not in lockbench list" >&2; exit 1; }

echo "check-extend-lock: LB_TEST_LOCKS=$name build/tests/run-tests --filter 'validate_*/*'"
LB_TEST_LOCKS=$name LOCKBENCH=./lockbench build/tests/run-tests --filter 'validate_*/*' --jobs "$jobs" \
	2>&1 | tee "$tmp/tests.txt"
# Criterion's exit status says whether a test failed; this says that some ran.
grep -Eq 'Tested: [1-9][0-9]* \| Passing: [1-9][0-9]* \| Failing: 0 \| Crashing: 0' "$tmp/tests.txt" ||
	{ echo "check-extend-lock: the validation suite did not pass" >&2; exit 1; }

echo "check-extend-lock: ./lockbench run -l $name -t 2 -d 100ms"
./lockbench run -l "$name" -t 2 -d 100ms -o "$tmp/run.json"
grep -q "\"$name\"" "$tmp/run.json" || { echo "check-extend-lock: the result does not name $name" >&2; exit 1; }

echo "check-extend-lock: ok — one file and one line made $name a lock that builds, validates and runs"
