package pgstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
)

// tables returns which of the sessiongen tables exist.
func tables(t *testing.T, pool *pgxpool.Pool) map[string]bool {
	t.Helper()
	got := map[string]bool{}
	for _, name := range []string{"sessiongen_sessions", "sessiongen_leases"} {
		var reg *string
		if err := pool.QueryRow(context.Background(), "SELECT to_regclass($1)::text", name).Scan(&reg); err != nil {
			t.Fatal(err)
		}
		got[name] = reg != nil
	}
	return got
}

func wantTables(t *testing.T, pool *pgxpool.Pool, want bool, when string) {
	t.Helper()
	for name, ok := range tables(t, pool) {
		if ok != want {
			t.Errorf("%s: table %s exists=%v, want %v", when, name, ok, want)
		}
	}
}

func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()

	wantTables(t, pool, false, "before migrating")
	if err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	wantTables(t, pool, true, "after Migrate")
	if err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatalf("Migrate on a current database: %v, want nil (ErrNoChange is success)", err)
	}

	m, err := pgstore.NewMigrator(pool)
	if err != nil {
		t.Fatal(err)
	}
	if v, dirty, err := m.Version(); err != nil || dirty || v != 2 {
		t.Errorf("Version() = %d, dirty %v, %v; want 2, clean", v, dirty, err)
	}
	if err := m.Steps(-2); err != nil {
		t.Fatal(err)
	}
	// The migrator holds a pool connection for its lock: close it first.
	if srcErr, dbErr := m.Close(); srcErr != nil || dbErr != nil {
		t.Fatal(srcErr, dbErr)
	}
	wantTables(t, pool, false, "after Steps(-1)")

	if err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatal(err)
	}
	wantTables(t, pool, true, "after migrating up again")
	// The app's own golang-migrate table name stays free.
	var reg *string
	if err := pool.QueryRow(ctx, "SELECT to_regclass('schema_migrations')::text").Scan(&reg); err != nil || reg != nil {
		t.Errorf("schema_migrations = %v, %v; want no such table (sessiongen records its version in %s)",
			reg, err, pgstore.MigrationsTable)
	}
}

func TestMigrateCancelled(t *testing.T) {
	pool, err := pgxpool.New(context.Background(), testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	if err := pgstore.Migrate(ctx, pool); err == nil {
		t.Error("Migrate with a cancelled context succeeded")
	}
}

// TestMigrateFromSchema1 upgrades a database that sessions were written to
// under schema 1: its sessions load, and a previous key left by a schema-1
// rotation (a login: schema 1 knew no other kind) is a tombstone, the safe
// reading. A step down keeps the sessions too.
func TestMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	pool, err := pgxpool.New(ctx, testdb.New(t))
	if err != nil {
		t.Fatal(err)
	}
	defer pool.Close()
	m, err := pgstore.NewMigrator(pool)
	if err != nil {
		t.Fatal(err)
	}
	defer m.Close()
	if err := m.Migrate(1); err != nil {
		t.Fatalf("Migrate(1): %v", err)
	}
	rec := newRecord(t)
	previous := newRecord(t).Key
	_, err = pool.Exec(ctx, `INSERT INTO sessiongen_sessions
		(key, owner, data, version, created_at, idle_expires_at, absolute_expires_at, prev_key, prev_expires_at)
		VALUES ($1, 'alice', 'cart', 3, $2, $3, $4, $5, $6)`,
		rec.Key[:], rec.CreatedAt, rec.IdleExpiresAt, rec.AbsoluteExpiresAt, previous[:], base.Add(time.Minute))
	if err != nil {
		t.Fatalf("writing a schema-1 row: %v", err)
	}
	if err := m.Up(); err != nil {
		t.Fatalf("Up from schema 1: %v", err)
	}
	s := pgstore.New(pool)
	got, err := s.Load(ctx, rec.Key, base)
	if err != nil || got.Owner != "alice" || got.Version != 3 || string(got.Data) != "cart" || got.Device != "" || got.RememberMe {
		t.Fatalf("Load of a schema-1 session after the upgrade: %+v, %v", got, err)
	}
	if _, err := s.Load(ctx, previous, base); !errors.Is(err, session.ErrSuperseded) {
		t.Fatalf("Load via a schema-1 previous key after the upgrade: %v, want ErrSuperseded (a login's tombstone)", err)
	}
	if err := m.Steps(-1); err != nil {
		t.Fatalf("Steps(-1) to schema 1: %v", err)
	}
	var n int
	if err := pool.QueryRow(ctx, `SELECT count(*) FROM sessiongen_sessions WHERE key = $1`, rec.Key[:]).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after stepping down to schema 1: %d rows of the session, %v", n, err)
	}
}
