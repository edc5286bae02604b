#!/usr/bin/env bash
# Write lockbench(1) in roff to stdout, from the same text as --help: the
# command's usage, then every subcommand's `--help`. `make man` and
# `make install` run it, so the page never drifts from the program.
#   scripts/manpage.sh ./lockbench > lockbench.1
set -euo pipefail
bin=${1:?usage: manpage.sh LOCKBENCH}
version=$("$bin" --version | awk '{print $2}')

# roff: a backslash is \e; a line starting with . or ' would be a request.
esc() { sed -e 's/\\/\\e/g' -e "s/^\([.']\)/\\\\\&\1/"; }

cat <<ROFF
.TH LOCKBENCH 1 "" "lockbench $version" "User Commands"
.SH NAME
lockbench \- lock benchmark, fairness and starvation study, and torture test
.SH SYNOPSIS
.B lockbench
.I command
.RI [ options ]
.SH DESCRIPTION
lockbench runs pluggable locks under configurable workloads, pins threads with hwloc,
checks mutual exclusion on every acquisition, and writes one JSON result per run
(throughput, wait/hold/hand-off percentiles, fairness, short-term fairness,
starvation, per-thread timelines, the context to reproduce it).
.PP
.nf
ROFF
"$bin" --help | esc
echo ".fi"
for cmd in $("$bin" --help | awk '/^commands:/{on=1; next} on && /^$/{exit} on {print $1}'); do
	[ "$cmd" = help ] && continue
	echo ".SH \"LOCKBENCH ${cmd^^}\""
	echo ".nf"
	"$bin" "$cmd" --help | esc
	echo ".fi"
done
cat <<'ROFF'
.SH FILES
.TP
.I PREFIX/share/lockbench/plots/*.gp
the gnuplot scripts `lockbench plot` runs
.TP
.I PREFIX/include/lockbench/lock.h
the lock interface a plug-in is built against; `pkg-config --cflags lockbench` finds it
.SH SEE ALSO
.BR gnuplot (1),
.BR hwloc (7)
ROFF
