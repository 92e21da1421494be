#!/usr/bin/env bash
# callgrind.sh counts the instructions per op of the sessiongen encode and
# decode benchmarks with valgrind's callgrind. Instruction counts do not move
# with the load of other processes, unlike time. Each benchmark runs twice, for
# N1 and N2 iterations; the difference divided by N2-N1 is the count per op,
# without the start-up and harness costs. cpu.rdtscp=off: valgrind 3.19 cannot
# execute the RDTSCP instruction the Go runtime uses when the CPU has it.
# Usage (from bench/): codec/callgrind.sh [test binary...]
#   (default: builds out/codec.test from ./codec). Pass the binaries of two
#   builds (go test -c -o old.test ./codec in each) to compare them.
set -euo pipefail
cd "$(dirname "$0")/.."
mkdir -p out
if [ $# -eq 0 ]; then
	go test -c -o out/codec.test ./codec
	set -- out/codec.test
fi
n1=20000 n2=120000
count() { # binary bench n -> total instructions
	GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind --callgrind-out-file=/dev/null \
		"$1" -test.run '^$' -test.bench "$2" -test.benchtime "${3}x" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
for bench in '^BenchmarkEncode$/^codec=sessiongen$' '^BenchmarkDecode$/^codec=sessiongen$' \
	'^BenchmarkEncode$/^codec=msgp$' '^BenchmarkDecode$/^codec=msgp$'; do
	for bin in "$@"; do
		a=$(count "$bin" "$bench" "$n1") b=$(count "$bin" "$bench" "$n2")
		awk -v bin="$bin" -v bench="$bench" -v a="$a" -v b="$b" -v n="$((n2 - n1))" \
			'BEGIN { printf "%-32s %-40s %8.1f instructions/op\n", bin, bench, (b-a)/n }'
	done
done
