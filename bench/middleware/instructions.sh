#!/usr/bin/env bash
# Counts the CPU instructions of one middleware request (Manager.serve, the
# handler included) for each git revision given, alternating revisions in
# every round, with callgrind: unlike time/op, instruction counts do not move
# with machine load. Prints "rev round instructions/request".
#
#   bench/middleware/instructions.sh main HEAD       # compare two revisions
#   ROUNDS=5 N=10000 bench/middleware/instructions.sh HEAD~3 HEAD
#
# Settings that make callgrind usable on Go test binaries: asyncpreemptoff
# (no signal-based preemption), cpu.rdtscp=off (valgrind 3.19 cannot run the
# RDTSCP the runtime's lock profiling uses; without it runs die with SIGILL),
# GOGC=off (no GC assists inside the counted function: N requests allocate
# a few MB), GOMAXPROCS=1.
set -euo pipefail
ROUNDS=${ROUNDS:-3}
N=${N:-5000}
repo=$(git -C "$(dirname "$0")" rev-parse --show-toplevel)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
bin() { echo "$tmp/bin-${1//\//_}.test"; }
for rev in "$@"; do
	src=$(mktemp -d -p "$tmp")
	git -C "$repo" archive "$rev" | tar -x -C "$src"
	(cd "$src/bench" && go test -c -o "$(bin "$rev")" ./middleware)
done
for round in $(seq "$ROUNDS"); do
	for rev in "$@"; do
		GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind \
			'--toggle-collect=*session.(*Manager*).serve*' --callgrind-out-file="$tmp/out" \
			"$(bin "$rev")" -test.run '^$' -test.bench 'BenchmarkRequest/sessiongen-generated$' \
			-test.benchtime "${N}x" -test.cpu 1 >"$tmp/stdout" 2>"$tmp/stderr"
		grep -q '^PASS' "$tmp/stdout" || { cat "$tmp/stderr" >&2; exit 1; }
		echo "$rev $round $(($(awk '/^summary:/ {print $2}' "$tmp/out") / N))"
	done
done
