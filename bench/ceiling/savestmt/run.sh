#!/usr/bin/env bash
# Issue 14's record of the server-side cost of Save's diagnostic sub-select:
# the statement before (old.sql: a CTE that also read the current version on
# every save) against the one since (new.sql: UPDATE ... RETURNING), in
# pgbench, prepared, 8 clients, 10 s each, 4 alternating pairs, on a fresh
# database (dropped at the end) with our migrations and 100k rows like
# bench/ceiling's. Both use the version walk of bench/ceiling (8 clients x
# 12,500 rows). Run from anywhere: bench/ceiling/savestmt/run.sh
# (PostgreSQL at 127.0.0.1:5432, user postgres, pgbench and psql on PATH).
set -euo pipefail
cd "$(dirname "$0")"
db=sessiongen_savestmt_$$
psql="psql -h 127.0.0.1 -U postgres -q -v ON_ERROR_STOP=1"
$psql -c "CREATE DATABASE $db"
trap '$psql -c "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
for f in ../../../schema/postgres/*.up.sql; do $psql -d $db -f "$f"; done
now=$(date -u +%Y-%m-%dT%H:%M:%SZ); idle=$(date -u -d '+1 day' +%Y-%m-%dT%H:%M:%SZ); abs=$(date -u -d '+2 day' +%Y-%m-%dT%H:%M:%SZ)
$psql -d $db -c "INSERT INTO sessiongen_sessions (key, owner, data, version, created_at, idle_expires_at, absolute_expires_at)
SELECT decode(lpad(to_hex(i), 64, '0'), 'hex'), NULL, substring(decode(repeat(md5(i::text), 19), 'hex') FROM 1 FOR 300), 1, now(), '$idle', '$abs' FROM generate_series(1, 100000) i"
data='\x'$(head -c 300 /dev/urandom | xxd -p | tr -d '\n')
for round in 1 2 3 4; do
  for s in old new; do
    $psql -d $db -c "UPDATE sessiongen_sessions SET version = 1 WHERE version <> 1" -c "VACUUM (ANALYZE) sessiongen_sessions" -c CHECKPOINT
    tps=$(pgbench -n -M prepared -T 10 -c 8 -j 8 -D i=0 -D "data=$data" -D "idle=$idle" -D "now=$now" -f $s.sql "host=127.0.0.1 user=postgres dbname=$db" 2>&1 | sed -n 's/^tps = \([0-9.]*\).*/\1/p')
    echo "round $round $s $tps load $(cut -d' ' -f1 /proc/loadavg)"
  done
done
