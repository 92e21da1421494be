package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// A database that is down must never look like "no session".
func TestServerDownIsUnavailable(t *testing.T) {
	pool, err := pgxpool.New(context.Background(),
		"postgres://postgres@"+testdb.ClosedAddr(t)+"/postgres?connect_timeout=2")
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	s := pgstore.New(pool)
	rec := newRecord(t)
	ops := map[string]func(ctx context.Context) error{
		"Create": func(ctx context.Context) error { return s.Create(ctx, rec) },
		"Load": func(ctx context.Context) error {
			_, err := s.Load(ctx, rec.Key, base)
			return err
		},
		"Save": func(ctx context.Context) error {
			_, err := s.Save(ctx, rec, base)
			return err
		},
		"Touch":  func(ctx context.Context) error { return s.Touch(ctx, rec.Key, base.Add(time.Hour), base) },
		"Delete": func(ctx context.Context) error { return s.Delete(ctx, rec.Key, base) },
		"Count": func(ctx context.Context) error {
			_, err := s.Count(ctx, base)
			return err
		},
		"AcquireLease": func(ctx context.Context) error {
			_, err := s.AcquireLease(ctx, "cleanup", "me", time.Minute, base)
			return err
		},
	}
	for name, op := range ops {
		t.Run(name, func(t *testing.T) {
			ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
			defer cancel()
			err := op(ctx)
			if !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrNotFound) {
				t.Errorf("%s on a closed port: %v, want ErrUnavailable and not ErrNotFound", name, err)
			}
		})
	}
}

// A statement that outlives its context (here: blocked behind another
// connection's row lock) returns ErrUnavailable wrapping the deadline.
// Like any call whose answer was lost, it may still commit once the lock is
// released (the server does not know the client left): the row then holds
// either the old or the new state, never a mix, and the store stays usable.
func TestDeadlineWhileBlockedIsUnavailable(t *testing.T) {
	s, pool := newStore(t)
	rec := mustCreate(t, s)
	ctx := context.Background()

	tx, err := pool.Begin(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback(ctx)
	if _, err := tx.Exec(ctx, "SELECT 1 FROM sessiongen_sessions WHERE key = $1 FOR UPDATE", rec.Key[:]); err != nil {
		t.Fatal(err)
	}

	short, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	rec.Data = []byte("never written")
	_, err = s.Save(short, rec, base)
	if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("Save blocked past its deadline: %v, want ErrUnavailable wrapping context.DeadlineExceeded", err)
	}
	if err := tx.Rollback(ctx); err != nil {
		t.Fatal(err)
	}
	got, err := s.Load(ctx, rec.Key, base)
	if err != nil {
		t.Fatal(err)
	}
	old := got.Version == 1 && string(got.Data) == "payload"
	saved := got.Version == 2 && string(got.Data) == "never written"
	if !old && !saved {
		t.Errorf("after a timed-out Save: version %d data %q, want the old or the new state", got.Version, got.Data)
	}
}

// After the server drops every connection of the pool (as in a restart), the
// next call succeeds: the store retries the safe-to-retry failure of the stale
// connection once.
func TestStaleConnectionsAreRetried(t *testing.T) {
	s, pool := newUncheckedStore(t)
	rec := mustCreate(t, s)
	ctx := context.Background()

	// Open several connections so the pool holds more than one stale one.
	conns := make([]*pgxpool.Conn, 4)
	for i := range conns {
		var err error
		if conns[i], err = pool.Acquire(ctx); err != nil {
			t.Fatal(err)
		}
	}
	for _, c := range conns {
		c.Release()
	}
	terminateBackends(t, pool)

	for i := range 2 * len(conns) {
		if _, err := s.Load(ctx, rec.Key, base); err != nil {
			t.Fatalf("Load %d after the server dropped the pool's connections: %v", i, err)
		}
	}
}

// terminateBackends ends, from a connection of its own, every server process
// serving pool's database, and waits until they are gone.
func terminateBackends(t *testing.T, pool *pgxpool.Pool) {
	t.Helper()
	ctx := context.Background()
	admin, err := pgx.Connect(ctx, pool.Config().ConnString())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close(ctx)
	const others = "FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()"
	var n int
	if err := admin.QueryRow(ctx, "SELECT count(pg_terminate_backend(pid)) "+others).Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n == 0 {
		t.Fatal("no backends to terminate: the pool holds no connections")
	}
	for deadline := time.Now().Add(10 * time.Second); ; time.Sleep(10 * time.Millisecond) {
		if err := admin.QueryRow(ctx, "SELECT count(*) "+others).Scan(&n); err != nil {
			t.Fatal(err)
		}
		if n == 0 {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("%d backends still alive after pg_terminate_backend", n)
		}
	}
}

// Create is not idempotent (a repeat after an unheard commit would report
// ErrExists for the caller's own session), so a connection the server ended
// fails it with ErrUnavailable instead of a retry, and the pool is reset so
// that the next call does not meet another stale connection.
func TestStaleConnectionFailsCreateOnce(t *testing.T) {
	s, pool := newUncheckedStore(t)
	mustCreate(t, s)
	terminateBackends(t, pool)

	err := s.Create(context.Background(), newRecord(t))
	var pgErr *pgconn.PgError
	if !errors.Is(err, session.ErrUnavailable) || !errors.As(err, &pgErr) || pgErr.Code != "57P01" {
		t.Fatalf("Create on a terminated connection: %v, want ErrUnavailable wrapping SQLSTATE 57P01", err)
	}
	mustCreate(t, s)
}

// Save is not repeated either: a repeat of a save that committed unheard
// would fail its own version check and come back as ErrConflict, and the
// runtime would then apply the caller's Update a second time. A connection the
// server ended fails it with ErrUnavailable, and the session keeps exactly one
// of the two states.
func TestStaleConnectionFailsSaveOnce(t *testing.T) {
	s, pool := newUncheckedStore(t)
	rec := mustCreate(t, s)
	terminateBackends(t, pool)

	next := rec
	next.Data = []byte("after the restart")
	_, err := s.Save(context.Background(), next, base)
	var pgErr *pgconn.PgError
	if !errors.Is(err, session.ErrUnavailable) || !errors.As(err, &pgErr) || pgErr.Code != "57P01" {
		t.Fatalf("Save on a terminated connection: %v, want ErrUnavailable wrapping SQLSTATE 57P01", err)
	}
	got, err := s.Load(context.Background(), rec.Key, base)
	if err != nil {
		t.Fatal(err)
	}
	if got.Version != rec.Version {
		t.Fatalf("version %d after a Save that reported ErrUnavailable on a connection that never ran it, want %d", got.Version, rec.Version)
	}
	if _, err := s.Save(context.Background(), next, base); err != nil {
		t.Fatalf("Save after the pool reset: %v", err)
	}
}

// newUncheckedStore is newStore on a pool that never pings a connection before
// handing it out. pgxpool pings connections idle for over a second, which
// would hide a stale connection from the store whenever the test runs slowly;
// without the ping, the store always meets the stale connections.
func newUncheckedStore(t *testing.T) (*pgstore.Store, *pgxpool.Pool) {
	t.Helper()
	cfg := testdb.Pool(t).Config()
	cfg.ShouldPing = func(context.Context, pgxpool.ShouldPingParams) bool { return false }
	pool, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(pool.Close)
	return pgstore.New(pool), pool
}
