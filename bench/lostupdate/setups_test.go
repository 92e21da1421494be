package lostupdate

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"testing"
	"time"

	"github.com/alexedwards/scs/pgxstore"
	scsmemstore "github.com/alexedwards/scs/v2/memstore"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/bench/ceiling/freshdb"
	"github.com/sessiongen/sessiongen/bench/httpload/app"
	"github.com/sessiongen/sessiongen/bench/httpload/visit"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// setup is one library on one store.
type setup struct {
	name    string
	ours    bool // sessiongen: losses fail the test
	handler func(t *testing.T) http.Handler
}

var setups = []setup{
	{name: "scs + memstore", handler: func(t *testing.T) http.Handler {
		store := scsmemstore.New()
		t.Cleanup(store.StopCleanup)
		return app.SCS(store)
	}},
	{name: "scs + pgxstore", handler: func(t *testing.T) http.Handler {
		pool := freshPool(t)
		if _, err := pool.Exec(context.Background(), `CREATE TABLE sessions (
	token TEXT PRIMARY KEY, data BYTEA NOT NULL, expiry TIMESTAMPTZ NOT NULL);
CREATE INDEX sessions_expiry_idx ON sessions (expiry);`); err != nil {
			t.Fatal(err)
		}
		store := pgxstore.New(pool)
		t.Cleanup(store.StopCleanup)
		return app.SCS(store)
	}},
	{name: "sessiongen + memstore", ours: true, handler: func(t *testing.T) http.Handler {
		return app.Ours(memstore.New(), quiet)
	}},
	{name: "sessiongen + pgstore", ours: true, handler: func(t *testing.T) http.Handler {
		pool := freshPool(t)
		if err := pgstore.Migrate(context.Background(), pool); err != nil {
			t.Fatal(err)
		}
		return app.Ours(pgstore.New(pool), quiet)
	}},
}

// quiet keeps the session lifecycle log out of the test output.
func quiet(m *session.Manager[visit.Visit, *visit.Visit]) {
	m.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
}

// freshPool returns a pool on a database of its own, dropped when t ends.
func freshPool(t *testing.T) *pgxpool.Pool {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	db, err := freshdb.Create(ctx, freshdb.ServerURL(), "sessiongen_lostupdate_")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
		defer cancel()
		if err := db.Drop(ctx); err != nil {
			t.Error(err)
		}
	})
	pool, err := pgxpool.New(ctx, db.URL)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pool
}
