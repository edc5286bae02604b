#!/usr/bin/env bash
# `make install DESTDIR=...` into a scratch directory, then what a plug-in
# author does with the installed tree: pkg-config --cflags lockbench, build
# the example plug-in with it, list and run it with the installed lockbench,
# whose plots come from the installed share/lockbench/plots, and read the man page.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
dest=$(mktemp -d /tmp/lockbench-install.XXXXXX)
trap 'rm -rf "$dest"' EXIT
prefix=/opt/lockbench
make -C "$top" --no-print-directory -s install DESTDIR="$dest" PREFIX="$prefix" >/dev/null
export PKG_CONFIG_PATH="$dest$prefix/lib/pkgconfig" PKG_CONFIG_SYSROOT_DIR="$dest"
cflags=$(pkg-config --cflags lockbench | sed "s/ *$//")
[ "$cflags" = "-I$dest$prefix/include" ] || { echo "check-install: pkg-config --cflags lockbench gave '$cflags'"; exit 1; }
cp -r "$dest$prefix/share/doc/lockbench/examples/plugin" "$dest/plugin"
# The example's Makefile must take the header from pkg-config, not from a source tree.
make -C "$dest/plugin" --no-print-directory -s >/dev/null
# (grep reads all of it: an early exit would SIGPIPE the writer under pipefail)
listing=$("$dest$prefix/bin/lockbench" list --plugin "$dest/plugin/mylock.so")
grep -q tatas <<<"$listing"
"$dest$prefix/bin/lockbench" run -q -l "$dest/plugin/mylock.so" -t 1 -d 20ms --warmup 1ms -o "$dest/r.json"
"$dest$prefix/bin/lockbench" plot -q "$dest/r.json" -o "$dest/charts" --format svg
ls "$dest/charts"/throughput.svg >/dev/null
page=$(groff -man -Tascii -P-cbou -ww "$dest$prefix/share/man/man1/lockbench.1" 2>&1)
grep -q "LOCKBENCH RUN" <<<"$page"
echo "check-install: 1 passed, 0 failed"
