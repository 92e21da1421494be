#!/usr/bin/env bash
# Runs the whole comparison against PostgreSQL and scs and writes the raw
# outputs to bench/out/ (gitignored). Run from anywhere:
#
#   bench/run.sh                      # full run (about 25 minutes)
#   DURATION=2s HTTP_DURATION=2s REPS=1 OTHERS= bench/run.sh   # smoke run
#
# Needs a PostgreSQL server ($SESSIONGEN_TEST_DATABASE_URL, default
# postgres://postgres@127.0.0.1:5432/postgres, a role that may create
# databases) and pgbench on PATH. Each part makes its own databases and drops
# them. The docs/bench/*.md tables are copied from these outputs.
set -euo pipefail
cd "$(dirname "$0")"
DURATION=${DURATION:-10s}     # ceiling: each pgbench / raw pgx / pgstore measurement
HTTP_DURATION=${HTTP_DURATION:-15s}
REPS=${REPS:-3}               # ceiling, httpload: alternating rounds per cell
COUNT=${COUNT:-5}             # go test -bench -count for the micro-benchmarks
OTHERS=${OTHERS-codec middleware cleanup store burst}  # other parts' benchmark folders to run
out=out
mkdir -p "$out"

step() { echo "== $* ($(date -u +%T))" >&2; }

step "ceiling: pgbench vs raw pgx vs pgstore, same statements"
go run ./ceiling -duration "$DURATION" -reps "$REPS" -out "$out/ceiling.md" -cpuprofile "$out/ceiling.pprof" 2>"$out/ceiling.log"
go tool pprof -top -nodecount=30 "$out/ceiling.pprof" >"$out/ceiling-top.txt" 2>/dev/null || true

step "httpload: sessiongen + pgstore vs scs + pgxstore"
go run ./httpload -duration "$HTTP_DURATION" -reps "$REPS" -out "$out/http.md" -cpuprofile "$out/http" 2>"$out/http.log"
for p in "$out"/http-*.pprof; do
	go tool pprof -top -nodecount=30 "$p" >"${p%.pprof}-top.txt" 2>/dev/null || true
done

step "lostupdate: scs vs sessiongen, memory and PostgreSQL"
LOSTUPDATE_REPORT="$PWD/$out/lostupdate.md" go test -count=1 -v ./lostupdate >"$out/lostupdate.txt" 2>&1

# Benchmarks other parts keep in their own folders, when present. The
# cleanup benchmark seeds a million rows and measures one long run per case:
# it runs once (-benchtime 1x), as its doc comment asks.
for dir in $OTHERS; do
	[ -d "$dir" ] || continue
	step "go test -bench ./$dir"
	flags=(-count "$COUNT")
	[ "$dir" = cleanup ] && flags=(-count 1 -benchtime 1x -timeout 60m)
	go test -run '^$' -bench . -benchmem "${flags[@]}" "./$dir/..." >"$out/$dir.txt" 2>&1
done
step "done: outputs in bench/$out"
