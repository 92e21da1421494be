#!/usr/bin/env bash
# Counts the client instructions per operation of pgstore's benchmarks with
# callgrind: each benchmark runs at two iteration counts and the difference
# of the totals is divided by the difference of the counts, so that setup
# (creating the database, filling the rows) cancels out. Instruction counts do
# not move with the machine's load, unlike times. GOMAXPROCS=1 keeps idle
# scheduler threads from spinning while a statement waits for the server (that
# would count waiting); cpu.rdtscp=off because valgrind 3.19 cannot execute
# the RDTSCP instruction the Go runtime uses. From the repository root:
#
#   bench/ceiling/callgrind.sh                       # the Load and Save benchmarks
#   BENCH='^BenchmarkLoad$' bench/ceiling/callgrind.sh
#   TEST=/tmp/old.test bench/ceiling/callgrind.sh     # a binary built elsewhere (go test -c ./pgstore)
#
# Needs valgrind and the PostgreSQL server of the tests (internal/testdb).
set -euo pipefail
cd "$(dirname "$0")/../.."
BENCH=${BENCH:-'^Benchmark(Load|LoadPgxScan|LoadRawPgx|LoadMiss|Save|SaveRawPgx)$'}
LOW=${LOW:-500}
HIGH=${HIGH:-2500}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
test=${TEST:-$work/pgstore.test}
[ -n "${TEST:-}" ] || go test -c -o "$test" ./pgstore
names=$("$test" -test.list "$BENCH")
for name in $names; do
	for n in "$LOW" "$HIGH"; do
		GOMAXPROCS=1 GODEBUG=asyncpreemptoff=1,cpu.rdtscp=off valgrind --tool=callgrind --callgrind-out-file="$work/$name.$n" \
			"$test" -test.run '^$' -test.bench "^$name\$" -test.benchtime "${n}x" -test.count 1 >/dev/null 2>&1
	done
	low=$(sed -n 's/^summary: //p' "$work/$name.$LOW")
	high=$(sed -n 's/^summary: //p' "$work/$name.$HIGH")
	echo "$name: $(( (high - low) / (HIGH - LOW) )) instructions per op"
done
