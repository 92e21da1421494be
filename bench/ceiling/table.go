package main

import (
	"context"
	"encoding/binary"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/session"
)

// dataSize is the payload of every row and every save: a typical small
// session (a user id, a CSRF token, a flash message, a few flags).
const dataSize = 300

// keyOf is row id's key: 32 bytes, id big-endian in the last 8. pgbench builds
// the same bytes with keySQL, so that neither side pays for hashing.
func keyOf(id int64) session.Key {
	var k session.Key
	binary.BigEndian.PutUint64(k[session.KeySize-8:], uint64(id))
	return k
}

// keySQL is keyOf in SQL, for pgbench: two cheap string functions.
const keySQL = "decode(lpad(to_hex(:id::bigint), 64, '0'), 'hex')"

// expiries are fixed for the whole run: the fill sets idle expiry idle, and
// every save on every side writes the same value, as the runtime does for
// most saves (it moves the idle expiry lazily). The idle-expiry index then
// needs no update and every side gets HOT updates alike; now is the clock
// every side passes, so that all of them send the same parameters.
type expiries struct {
	now, idle, absolute time.Time
}

func newExpiries() expiries {
	now := time.Now().UTC().Truncate(time.Second)
	return expiries{now: now, idle: now.Add(24 * time.Hour), absolute: now.Add(48 * time.Hour)}
}

// fill inserts rows sessions with ids 1..rows, each with dataSize bytes of
// data, owner NULL and version 1, then vacuums and analyzes the table.
func fill(ctx context.Context, pool *pgxpool.Pool, rows int, exp expiries) error {
	// md5 of the id, repeated: incompressible enough that TOAST compression
	// does not shrink rows below dataSize (it only starts at ~2 kB anyway).
	_, err := pool.Exec(ctx, `
INSERT INTO sessiongen_sessions (key, owner, data, version, created_at, idle_expires_at, absolute_expires_at)
SELECT decode(lpad(to_hex(i), 64, '0'), 'hex'), NULL,
       substring(decode(repeat(md5(i::text), 19), 'hex') FROM 1 FOR $2::int),
       1, now(), $3, $4
  FROM generate_series(1, $1::int) AS i`, rows, dataSize, exp.idle, exp.absolute)
	if err != nil {
		return fmt.Errorf("fill: %w", err)
	}
	return vacuum(ctx, pool)
}

// resetVersions sets every version back to 1 and vacuums away the dead rows,
// so that each write run starts from the same table and the version-checked
// updates can predict the version they must name.
func resetVersions(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `UPDATE sessiongen_sessions SET version = 1 WHERE version <> 1`); err != nil {
		return fmt.Errorf("reset versions: %w", err)
	}
	return vacuum(ctx, pool)
}

// savedCount is how many version-checked updates succeeded since the last
// resetVersions: each success raised one row's version by one.
func savedCount(ctx context.Context, pool *pgxpool.Pool) (int64, error) {
	var n int64
	err := pool.QueryRow(ctx, `SELECT COALESCE(sum(version - 1), 0)::bigint FROM sessiongen_sessions`).Scan(&n)
	return n, err
}

func vacuum(ctx context.Context, pool *pgxpool.Pool) error {
	if _, err := pool.Exec(ctx, `VACUUM (ANALYZE) sessiongen_sessions`); err != nil {
		return fmt.Errorf("vacuum: %w", err)
	}
	_, err := pool.Exec(ctx, `CHECKPOINT`)
	return err
}

// walk is the key sequence of one client of a write run: client c of n owns
// the contiguous ids c*span+1 .. (c+1)*span and visits them in turn, so that
// the version of the i-th visited row is known in advance (1 + i/span) on
// both sides without any extra read.
type walk struct {
	client, span int64
}

func newWalk(client, clients, rows int) walk {
	return walk{client: int64(client), span: int64(rows / clients)}
}

// step returns the id and expected version of the i-th save.
func (w walk) step(i int64) (id, version int64) {
	return w.client*w.span + i%w.span + 1, 1 + i/w.span
}
