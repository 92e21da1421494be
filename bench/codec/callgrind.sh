#!/usr/bin/env bash
# callgrind.sh counts the instructions per call of the sessiongen and
# tinylib/msgp encode and decode functions with valgrind's callgrind, counting
# only inside the function (--toggle-collect, callees included). Instruction
# counts do not move with the load of other processes, unlike time. Each
# benchmark runs twice, for N1 and N2 iterations; the difference divided by
# N2-N1 is the count per call. GOGC=off and GOMAXPROCS=1 keep garbage
# collection and scheduling out of the count (allocation itself stays in it);
# cpu.rdtscp=off because valgrind 3.19 cannot execute the RDTSCP instruction
# the Go runtime uses when the CPU has it.
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
pkg=github.com/sessiongen/sessiongen/bench/codec
count() { # binary bench function n -> instructions inside function
	GOGC=off GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind \
		--callgrind-out-file=/dev/null --toggle-collect="$3" \
		"$1" -test.run '^$' -test.bench "$2" -test.benchtime "${4}x" 2>&1 >/dev/null |
		sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
# AppendSession is inlined into the benchmark: its callee appendOursSession is counted.
while read -r bench fn; do
	for bin in "$@"; do
		a=$(count "$bin" "$bench" "$pkg.$fn" "$n1") b=$(count "$bin" "$bench" "$pkg.$fn" "$n2")
		awk -v bin="$bin" -v fn="$fn" -v a="$a" -v b="$b" -v n="$((n2 - n1))" \
			'BEGIN { printf "%-28s %-24s %8.1f instructions/call\n", bin, fn, (b-a)/n }'
	done
done <<'LIST'
^BenchmarkEncode$/^codec=sessiongen$ appendOursSession
^BenchmarkDecode$/^codec=sessiongen$ (*Ours).DecodeSession
^BenchmarkEncode$/^codec=msgp$ (*Msgp).MarshalMsg
^BenchmarkDecode$/^codec=msgp$ (*Msgp).UnmarshalMsg
LIST
