package faulttest

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

const (
	// deadline is the budget the configuration gives a store call.
	deadline = 300 * time.Millisecond
	// slack is what a loaded, shared CI machine may add to it: the bound
	// checked is deadline+slack, far below the unbounded wait being ruled out.
	slack = 2 * time.Second
)

// A store call blocked behind another transaction's row lock, or waiting for
// a pooled connection, ends at the configured deadline with an error that
// matches ErrUnavailable; through the middleware the visitor gets a 503.
func TestBoundedLatency(t *testing.T) {
	cases := []struct {
		name string
		// setup returns the pool the application uses and blocks it: it
		// takes the session's row lock or all the pool's connections.
		setup func(t *testing.T, pool *pgxpool.Pool) *pgxpool.Pool
		// wrap gives the requests their deadline (nil: the server's own).
		wrap func(http.Handler) http.Handler
	}{
		{name: "row lock, request deadline", setup: lockRows, wrap: withDeadline(deadline)},
		{name: "row lock, statement_timeout", setup: func(t *testing.T, pool *pgxpool.Pool) *pgxpool.Pool {
			cfg := pool.Config()
			cfg.ConnConfig.RuntimeParams["statement_timeout"] = deadline.String()
			limited, err := pgxpool.NewWithConfig(context.Background(), cfg)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(limited.Close)
			lockRows(t, pool)
			return limited
		}},
		{name: "pool exhausted, request deadline", setup: exhaust, wrap: withDeadline(deadline)},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			pool := smallPool(t)
			v := newVisitor(t, serveApp(t, pool, nil))
			v.mustDo(http.MethodPost, "/incr") // the session to block
			key := onlyKey(t, pool)
			appPool := tc.setup(t, pool)

			// The store alone: typed error within the bound.
			ctx := context.Background()
			if tc.wrap != nil {
				var cancel context.CancelFunc
				ctx, cancel = context.WithTimeout(ctx, deadline)
				defer cancel()
			}
			start := time.Now()
			_, err := pgstore.New(appPool).Save(ctx, session.Record{
				Key: key, Data: []byte{0x80}, Version: 1, IdleExpiresAt: time.Now().Add(time.Hour),
			}, time.Now())
			took := time.Since(start)
			if !errors.Is(err, session.ErrUnavailable) {
				t.Errorf("Save: %v, want an error matching ErrUnavailable", err)
			}
			if took > deadline+slack {
				t.Errorf("Save took %s, want at most %s", took, deadline+slack)
			}
			t.Logf("store: %s after %s", err, took.Round(time.Millisecond))

			// Through the middleware: a 503 within the bound.
			blocked := serveApp(t, appPool, tc.wrap)
			v.base = blocked.url
			r := v.do(http.MethodPost, "/incr")
			if r.err != nil || r.code != http.StatusServiceUnavailable || r.setCookie {
				t.Errorf("POST /incr: status %d, Set-Cookie %v, error %v; want 503 without cookie", r.code, r.setCookie, r.err)
			}
			if r.took > deadline+slack {
				t.Errorf("POST /incr took %s, want at most %s", r.took, deadline+slack)
			}
			t.Logf("http: %d after %s", r.code, r.took.Round(time.Millisecond))
		})
	}
}

// smallPool is a migrated database behind a pool of at most two connections.
func smallPool(t *testing.T) *pgxpool.Pool {
	pool := testdb.Pool(t)
	cfg := pool.Config()
	cfg.MaxConns = 2
	small, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(small.Close)
	return small
}

// lockRows holds every session row's lock in an open transaction until t ends.
func lockRows(t *testing.T, pool *pgxpool.Pool) *pgxpool.Pool {
	conn, err := pgxpool.New(context.Background(), pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	tx, err := conn.Begin(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		tx.Rollback(context.Background())
		conn.Close()
	})
	if _, err := tx.Exec(context.Background(), "SELECT 1 FROM sessiongen_sessions FOR UPDATE"); err != nil {
		t.Fatal(err)
	}
	return pool
}

// exhaust acquires every connection of pool until t ends.
func exhaust(t *testing.T, pool *pgxpool.Pool) *pgxpool.Pool {
	for range pool.Config().MaxConns {
		conn, err := pool.Acquire(context.Background())
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(conn.Release)
	}
	return pool
}

// onlyKey returns the key of the single stored session.
func onlyKey(t *testing.T, pool *pgxpool.Pool) session.Key {
	var b []byte
	if err := pool.QueryRow(context.Background(), "SELECT key FROM sessiongen_sessions").Scan(&b); err != nil {
		t.Fatal(err)
	}
	key, err := storekit.StoredKey("onlyKey", "key", b)
	if err != nil {
		t.Fatal(err)
	}
	return key
}
