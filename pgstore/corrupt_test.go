package pgstore_test

import (
	"context"
	"errors"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/session"
)

// The CHECK constraints keep malformed keys out of the table. A table whose
// constraints were dropped (a hand-edited schema, a restore into a table made
// by hand) can hold them: the store must report ErrCorrupt, not panic, not
// truncate, not pretend the session is absent.
func dropKeyChecks(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	_, err := pool.Exec(context.Background(), `ALTER TABLE sessiongen_sessions
		DROP CONSTRAINT sessiongen_sessions_key_len,
		DROP CONSTRAINT sessiongen_sessions_prev_key_len`)
	if err != nil {
		t.Fatal(err)
	}
}

func TestCorruptRowsAreReported(t *testing.T) {
	s, pool := newStore(t)
	ctx := context.Background()
	good := mustCreate(t, s)

	// The constraints are really there: a short key is refused by the database.
	_, err := pool.Exec(ctx, `INSERT INTO sessiongen_sessions
		(key, data, version, created_at, idle_expires_at, absolute_expires_at)
		VALUES ('\x0102', '', 1, now(), now(), now())`)
	if err == nil {
		t.Fatal("the schema accepted a 2-byte key")
	}

	dropKeyChecks(t, pool)
	if _, err := pool.Exec(ctx, `UPDATE sessiongen_sessions
		SET prev_key = '\x0102', prev_expires_at = absolute_expires_at WHERE key = $1`, good.Key[:]); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, good.Key, base); !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("Load of a row with a 2-byte prev_key: %v, want ErrCorrupt", err)
	}

	if _, err := pool.Exec(ctx, `INSERT INTO sessiongen_sessions
		(key, data, version, created_at, idle_expires_at, absolute_expires_at)
		VALUES ('\x0102', '', 1, $1, $1, $1)`, base); err != nil {
		t.Fatal(err)
	}
	if _, err := s.List(ctx, session.Key{}, 10); !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("List over a row with a 2-byte key: %v, want ErrCorrupt", err)
	}
	// Corrupt rows are left in place for inspection.
	var n int
	if err := pool.QueryRow(ctx, "SELECT count(*) FROM sessiongen_sessions").Scan(&n); err != nil || n != 2 {
		t.Errorf("%d rows (%v) after reading corrupt ones, want both kept", n, err)
	}
}
