#!/usr/bin/env bash
# Run every command the README and docs/ show, as written, in a fresh copy of
# the tree: a command that exits 2 (usage or input error) or crashes is a
# documentation bug. `make check-docs` runs it; it is a check, not part of
# `make test`, because the documented runs take a few minutes.
#
# A command is a line inside a ``` block that starts with ./lockbench, make,
# gnuplot, examples/, scripts/ or python3 tools/ (a leading "$ " is dropped, and so is a
# trailing "# comment"); a block fenced ```text is a listing, not commands,
# and is passed over. Lines of one file run in order, in one directory, so
# a later line may use a result an earlier one wrote. Targets that are their
# own long-running checks or benchmarks (make bench, overhead, soak, test, asan, tsan,
# gate-check, validate-python, check-*) and the two-commit gate script are
# listed, not run.
set -uo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
files=("$@")
[ ${#files[@]} -gt 0 ] || files=(README.md CONTRIBUTING.md docs/*.md)

work=$(mktemp -d /tmp/lockbench-docs.XXXXXX)
trap 'rm -rf "$work"' EXIT
# The committed tree plus the working copy's changes, without build products.
(cd "$top" && git ls-files -z --cached --others --exclude-standard | xargs -0 cp --parents -t "$work" 2>/dev/null)
make -C "$work" --no-print-directory -s lockbench >"$work/.build.log" 2>&1 || { cat "$work/.build.log"; exit 2; }

skip_re='^(make (bench|overhead|soak|test|asan|tsan|gate-check|validate-python|check-[a-z-]+)( |$)|examples/ci/gate\.sh)'
ran=0 failed=0 skipped=0
for f in "${files[@]}"; do
	[ -f "$top/$f" ] || continue
	while IFS= read -r cmd; do
		if [[ $cmd =~ $skip_re ]]; then
			echo "skip  $f: $cmd"; skipped=$((skipped + 1)); continue
		fi
		out=$(cd "$work" && timeout 600 bash -c "$cmd" </dev/null 2>&1)
		rc=$?
		ran=$((ran + 1))
		# 1 is a verdict (a regression, a failed check), not a usage error.
		if [ $rc -eq 0 ] || [ $rc -eq 1 ]; then
			echo "ok    $f: $cmd (exit $rc)"
		else
			failed=$((failed + 1))
			echo "FAIL  $f: $cmd (exit $rc)"
			printf '%s\n' "$out" | tail -n 5 | sed 's/^/      /'
		fi
	done < <(awk '/^```/{if (inb) inb = 0; else { inb = 1; listing = ($0 ~ /^```text/) }; next} inb && !listing' "$top/$f" |
		 sed -E 's/^\$ //' | grep -E '^(\./lockbench|make|gnuplot|examples/|scripts/|python3 tools/)' |
		 sed -E 's/[[:space:]]+#[^"'"'"']*$//')
done
echo "check-docs: $ran passed or judged, $failed failed, $skipped listed (long-running targets)"
[ $failed -eq 0 ]
