#!/usr/bin/env bash
# cputime.sh measures the CPU time (user+sys, GC workers included) per op of
# each codec benchmark, running each in its own process for a fixed number of
# iterations. On a shared machine, wall-clock ns/op swings with the load of
# other processes; CPU time per op does much less, so the ratios stay readable.
# Usage (from bench/): codec/cputime.sh [rounds] [test binary...]
#   rounds defaults to 3; without binaries it builds out/codec.test from
#   ./codec. Pass the binaries of two builds (go test -c -o old.test ./codec in
#   each) to compare them in the same run: every round runs each benchmark in
#   each binary, one after the other, so a burst of load hits both alike.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
rounds=${1:-3}
shift || true
if [ $# -eq 0 ]; then
	go test -c -o out/codec.test ./codec
	set -- out/codec.test
fi
for round in $(seq "$rounds"); do
	for spec in RoundTrip/codec=sessiongen:200000 RoundTrip/codec=msgp:200000 \
		RoundTrip/codec=msgpack-reflect:50000 RoundTrip/codec=json:20000 RoundTrip/codec=gob:5000 \
		Encode/codec=sessiongen:1000000 Encode/codec=msgp:1000000 \
		Decode/codec=sessiongen:200000 Decode/codec=msgp:200000; do
		name=${spec%:*} n=${spec##*:}
		for bin in "$@"; do
			TIMEFORMAT='%U %S'
			cpu=$( { time "$bin" -test.run '^$' -test.bench "^Benchmark${name%%/*}\$/^${name#*/}\$" -test.benchtime "${n}x" >/dev/null; } 2>&1 )
			awk -v bin="$bin" -v name="$name" -v n="$n" -v cpu="$cpu" -v r="$round" \
				'BEGIN { split(cpu, t, " "); printf "%d %-24s %-28s %10.0f cpu-ns/op\n", r, bin, name, (t[1]+t[2])*1e9/n }'
		done
	done
done
