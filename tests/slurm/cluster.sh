#!/bin/bash
# tests/slurm/cluster.sh — a private single-node Slurm cluster on this machine,
# for the sweep tests and for trying `lockbench sweep` without a real cluster.
#
#   tests/slurm/cluster.sh start DIR    write DIR/slurm.conf, start munged, slurmctld
#                                       and slurmd as root, wait until the node is idle
#   tests/slurm/cluster.sh status DIR   which daemons live, and sinfo
#   tests/slurm/cluster.sh stop DIR     cancel its jobs, stop the daemons by PID
#
# Then `export SLURM_CONF=DIR/slurm.conf` (or `. DIR/env`) points sbatch, sinfo,
# squeue, scontrol and scancel at it.
#
# Everything lives in DIR: the munge key and socket, Slurm's state, spool and
# logs, the PIDs (DIR/pids). Nothing in /etc is read or changed, so it runs
# beside a system Slurm and beside other such clusters (the ports are free
# ones, picked at start). The node is this host, addressed as 127.0.0.1: no
# traffic leaves the machine. No cgroups (proctrack/linuxproc, task/none): a
# sandbox may not let us use them, and benchmarks need none.
#
# Debian packages: slurm-wlm (slurmctld, slurmd, client commands) and munge
# (`make deps` installs them). Exit 0 on success; 1 with the reason (and the
# daemons' log tails) when the cluster cannot start or stop.
set -u

die() { echo "cluster.sh: $*" >&2; exit 1; }

[ $# -eq 2 ] || { echo "usage: cluster.sh start|stop|status DIR" >&2; exit 2; }
cmd=$1
case $2 in /*) dir=$2 ;; *) dir=$PWD/$2 ;; esac

# The daemons in start order; stopped in reverse.
DAEMONS="munged slurmctld slurmd"

pid_of() { sed -n "s/^$1 //p" "$dir/pids" 2>/dev/null; }

# Alive and still the program we started (a PID can be reused).
alive() {
	local pid=$1 name=$2
	[ -n "$pid" ] && [ -r "/proc/$pid/comm" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = "$name" ]
}

logs() {
	for f in "$dir"/log/*.log "$dir"/log/*.out; do
		[ -s "$f" ] || continue
		echo "--- $f (last lines)" >&2
		tail -n 15 "$f" >&2
	done
}

# A TCP port on 127.0.0.1 nobody listens on now.
free_port() {
	/usr/bin/python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'
}

start() {
	for p in munged slurmctld slurmd sinfo mungekey; do
		command -v "$p" >/dev/null 2>&1 || PATH=$PATH:/usr/sbin
		command -v "$p" >/dev/null 2>&1 || die "$p not found: install slurm-wlm and munge (make deps)"
	done
	[ "$(id -u)" = 0 ] || die "must run as root (slurmd starts jobs as their users)"
	if [ -f "$dir/pids" ]; then
		for d in $DAEMONS; do
			alive "$(pid_of "$d")" "$d" && die "$dir: a cluster already runs there ($d, PID $(pid_of "$d"))"
		done
	fi
	# munged wants execute permission for all on its socket's directories,
	# and nobody else writing to them.
	mkdir -p "$dir" && chmod 0711 "$dir" || die "$dir: cannot create"
	rm -rf "$dir/munge" "$dir/state" "$dir/spool" "$dir/log"
	mkdir -m 0700 "$dir/state" "$dir/spool" "$dir/log" && mkdir -m 0711 "$dir/munge" ||
		die "$dir: cannot create subdirectories"
	: >"$dir/pids"

	# munged refuses a key that others can read, and directories others can write.
	mungekey --create --keyfile="$dir/munge/munge.key" --bits=1024 2>"$dir/log/mungekey.out" ||
		{ logs; die "mungekey failed"; }
	chmod 0400 "$dir/munge/munge.key"

	local node host cport dport
	node=$(slurmd -C 2>/dev/null | head -n 1)
	case $node in NodeName=*) ;; *) die "slurmd -C printed no node line: \"$node\"" ;; esac
	host=${node#NodeName=}
	host=${host%% *}
	cport=$(free_port) && dport=$(free_port) || die "no free TCP port on 127.0.0.1"
	[ "$cport" != "$dport" ] || dport=$(free_port)

	cat >"$dir/slurm.conf" <<EOF
# Written by tests/slurm/cluster.sh: a single-node cluster on this host.
ClusterName=lockbench
SlurmctldHost=$host(127.0.0.1)
SlurmctldPort=$cport
SlurmdPort=$dport
SlurmUser=root
SlurmdUser=root
AuthType=auth/munge
CredType=cred/munge
AuthInfo=socket=$dir/munge/munge.socket
StateSaveLocation=$dir/state
SlurmdSpoolDir=$dir/spool
SlurmctldPidFile=$dir/slurmctld.pid
SlurmdPidFile=$dir/slurmd.pid
SlurmctldLogFile=$dir/log/slurmctld.log
SlurmdLogFile=$dir/log/slurmd.log
SlurmctldDebug=info
SlurmdDebug=info
ProctrackType=proctrack/linuxproc
TaskPlugin=task/none
JobAcctGatherType=jobacct_gather/none
AccountingStorageType=accounting_storage/none
JobCompType=jobcomp/none
SchedulerType=sched/builtin
# Start the next task as soon as the node is free (defaults wait up to 3 s).
SchedulerParameters=batch_sched_delay=0,sched_min_interval=0
SelectType=select/cons_tres
SelectTypeParameters=CR_Core
MpiDefault=none
ReturnToService=2
# Finished jobs stay visible to scontrol for 10 minutes: without slurmdbd,
# that is where a task's final state (CANCELLED, TIMEOUT, ...) is read.
MinJobAge=600
KillWait=5
InactiveLimit=0
$node NodeAddr=127.0.0.1 State=UNKNOWN
PartitionName=debug Nodes=$host Default=YES MaxTime=INFINITE State=UP
EOF
	printf 'export SLURM_CONF=%s/slurm.conf\n' "$dir" >"$dir/env"
	export SLURM_CONF=$dir/slurm.conf

	# Each daemon in the foreground (-F, -D) as our own child, in its own
	# session so that a terminal's ^C does not reach it: $! is its PID.
	setsid munged -F --key-file="$dir/munge/munge.key" --socket="$dir/munge/munge.socket" \
		--pid-file="$dir/munge/munged.pid" --seed-file="$dir/munge/munged.seed" \
		--log-file="$dir/log/munged.log" </dev/null >"$dir/log/munged.out" 2>&1 &
	echo "munged $!" >>"$dir/pids"
	for i in $(seq 50); do [ -S "$dir/munge/munge.socket" ] && break; sleep 0.1; done
	[ -S "$dir/munge/munge.socket" ] || { logs; stop_daemons; die "munged did not start"; }

	setsid slurmctld -D -f "$dir/slurm.conf" </dev/null >"$dir/log/slurmctld.out" 2>&1 &
	echo "slurmctld $!" >>"$dir/pids"
	setsid slurmd -D -f "$dir/slurm.conf" -N "$host" </dev/null >"$dir/log/slurmd.out" 2>&1 &
	echo "slurmd $!" >>"$dir/pids"

	# The node registers, then turns idle.
	local state=
	for i in $(seq 300); do
		for d in $DAEMONS; do
			alive "$(pid_of "$d")" "$d" || { logs; stop_daemons; die "$d exited during start-up"; }
		done
		state=$(sinfo -h -N -n "$host" -o %T 2>/dev/null)
		[ "$state" = idle ] && break
		sleep 0.1
	done
	if [ "$state" != idle ]; then
		logs
		stop_daemons
		die "node $host is \"${state:-unknown}\" after 30 s, not idle"
	fi
	echo "cluster.sh: node $host idle; controller 127.0.0.1:$cport; export SLURM_CONF=$dir/slurm.conf"
}

# SIGTERM to each daemon we started, newest first; SIGKILL after 10 s.
stop_daemons() {
	local rc=0
	for d in slurmd slurmctld munged; do
		local pid
		pid=$(pid_of "$d")
		alive "$pid" "$d" || continue
		kill -TERM "$pid" 2>/dev/null
		for i in $(seq 100); do alive "$pid" "$d" || break; sleep 0.1; done
		if alive "$pid" "$d"; then
			echo "cluster.sh: $d (PID $pid) ignored SIGTERM for 10 s; SIGKILL" >&2
			kill -KILL "$pid" 2>/dev/null
			rc=1
		fi
	done
	return $rc
}

stop() {
	[ -f "$dir/pids" ] || die "$dir: no cluster was started there (no $dir/pids)"
	export SLURM_CONF=$dir/slurm.conf
	# Jobs first: a batch step's slurmstepd outlives slurmd otherwise.
	if alive "$(pid_of slurmctld)" slurmctld; then
		local jobs
		jobs=$(squeue -h -o %A 2>/dev/null | sort -u)
		if [ -n "$jobs" ]; then
			# shellcheck disable=SC2086
			scancel $jobs 2>/dev/null
			for i in $(seq 150); do [ -z "$(squeue -h -t R,CG 2>/dev/null)" ] && break; sleep 0.1; done
		fi
	fi
	stop_daemons
	local rc=$?
	for d in $DAEMONS; do
		alive "$(pid_of "$d")" "$d" && { echo "cluster.sh: $d still alive" >&2; rc=1; }
	done
	[ $rc = 0 ] && echo "cluster.sh: stopped"
	return $rc
}

status() {
	[ -f "$dir/pids" ] || die "$dir: no cluster was started there (no $dir/pids)"
	local up=0
	for d in $DAEMONS; do
		local pid
		pid=$(pid_of "$d")
		if alive "$pid" "$d"; then echo "$d: PID $pid running"; up=$((up + 1)); else echo "$d: not running"; fi
	done
	SLURM_CONF=$dir/slurm.conf sinfo -N 2>&1
	[ $up = 3 ]
}

case $cmd in
start) start ;;
stop) stop ;;
status) status ;;
*) echo "usage: cluster.sh start|stop|status DIR" >&2; exit 2 ;;
esac
