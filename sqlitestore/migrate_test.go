package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// tableCount returns how many of the store's tables exist in db.
func tableCount(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	err := db.QueryRow(`SELECT count(*) FROM sqlite_schema
		WHERE type = 'table' AND name IN ('sessiongen_sessions', 'sessiongen_leases')`).Scan(&n)
	if err != nil {
		t.Fatalf("reading the schema: %v", err)
	}
	return n
}

func TestMigrateUpDownUp(t *testing.T) {
	ctx := context.Background()
	s := openPath(t, tempPath(t))
	db := s.DB()

	if err := sqlitestore.Migrate(ctx, db); err != nil {
		t.Fatalf("first Migrate: %v", err)
	}
	if n := tableCount(t, db); n != 2 {
		t.Fatalf("after up: %d of 2 tables", n)
	}
	if err := sqlitestore.Migrate(ctx, db); err != nil {
		t.Fatalf("Migrate on an up-to-date database must succeed (ErrNoChange is success): %v", err)
	}

	// Run the statements once before the schema goes away, so that the
	// store's cached prepared statements must survive a drop and re-create.
	now := time.Now()
	key := opstest.KeyOf("before re-migration")
	if err := s.Create(ctx, opstest.LiveRecord(key, []byte("x"), now)); err != nil {
		t.Fatalf("Create: %v", err)
	}
	if _, err := s.Load(ctx, key, now); err != nil {
		t.Fatalf("Load: %v", err)
	}

	m, err := sqlitestore.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	// m is not closed: closing it would close db.
	version, dirty, err := m.Version()
	if err != nil || dirty || version != 2 {
		t.Fatalf("Version() = %d, dirty %v, %v; want 2, clean", version, dirty, err)
	}
	if err := m.Steps(-2); err != nil {
		t.Fatalf("Steps(-2): %v", err)
	}
	if n := tableCount(t, db); n != 0 {
		t.Fatalf("after down: %d tables left", n)
	}
	_, err = s.Load(ctx, key, now)
	requireUnavailable(t, "Load with the schema dropped", err)
	if _, _, err := m.Version(); !errors.Is(err, migrate.ErrNilVersion) {
		t.Fatalf("Version() after down: %v, want ErrNilVersion", err)
	}

	if err := sqlitestore.Migrate(ctx, db); err != nil {
		t.Fatalf("Migrate after down: %v", err)
	}
	if n := tableCount(t, db); n != 2 {
		t.Fatalf("after up again: %d of 2 tables", n)
	}
	if _, err := s.Load(ctx, key, now); !errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load of a session dropped with the schema: %v, want ErrNotFound", err)
	}
	key = opstest.KeyOf("after re-migration")
	if err := s.Create(ctx, opstest.LiveRecord(key, []byte("x"), now)); err != nil {
		t.Fatalf("Create on the re-migrated schema: %v", err)
	}
	if _, err := s.Load(ctx, key, now); err != nil {
		t.Fatalf("Load on the re-migrated schema: %v", err)
	}
}

func TestMigrateCancelled(t *testing.T) {
	s := openPath(t, tempPath(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	err := sqlitestore.Migrate(ctx, s.DB())
	if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.Canceled) {
		t.Fatalf("Migrate with a cancelled context: %v, want ErrUnavailable wrapping context.Canceled", err)
	}
	if n := tableCount(t, s.DB()); n != 0 {
		t.Fatalf("a cancelled Migrate created %d tables", n)
	}
}

func TestUnmigratedDatabaseIsUnavailable(t *testing.T) {
	s := openPath(t, tempPath(t))
	_, err := s.Load(context.Background(), opstest.KeyOf("t"), time.Now())
	if !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load without a schema: %v, want ErrUnavailable (never ErrNotFound)", err)
	}
}

// TestMigrateFromSchema1 upgrades a database that sessions were written to
// under schema 1: its sessions load, and a previous key left by a schema-1
// rotation (a login: schema 1 knew no other kind) is a tombstone, the safe
// reading. A step down keeps the sessions too.
func TestMigrateFromSchema1(t *testing.T) {
	ctx := context.Background()
	s := openPath(t, tempPath(t))
	db := s.DB()
	m, err := sqlitestore.NewMigrator(db)
	if err != nil {
		t.Fatal(err)
	}
	if err := m.Migrate(1); err != nil {
		t.Fatalf("Migrate(1): %v", err)
	}
	now := time.Now()
	current, previous := opstest.KeyOf("after login"), opstest.KeyOf("before login")
	rec := opstest.LiveRecord(current, []byte("cart"), now)
	_, err = db.ExecContext(ctx, `INSERT INTO sessiongen_sessions
		(key, owner, data, version, created_at, idle_expires_at, absolute_expires_at, prev_key, prev_expires_at)
		VALUES (?, 'alice', ?, 3, ?, ?, ?, ?, ?)`,
		current[:], rec.Data, rec.CreatedAt.UnixMicro(), rec.IdleExpiresAt.UnixMicro(), rec.AbsoluteExpiresAt.UnixMicro(),
		previous[:], now.Add(time.Minute).UnixMicro())
	if err != nil {
		t.Fatalf("writing a schema-1 row: %v", err)
	}
	if err := sqlitestore.Migrate(ctx, db); err != nil {
		t.Fatalf("Migrate from schema 1: %v", err)
	}
	got, err := s.Load(ctx, current, now)
	if err != nil || got.Owner != "alice" || got.Version != 3 || string(got.Data) != "cart" || got.Device != "" || got.RememberMe {
		t.Fatalf("Load of a schema-1 session after the upgrade: %+v, %v", got, err)
	}
	if _, err := s.Load(ctx, previous, now); !errors.Is(err, session.ErrSuperseded) {
		t.Fatalf("Load via a schema-1 previous key after the upgrade: %v, want ErrSuperseded (a login's tombstone)", err)
	}
	if err := m.Steps(-1); err != nil {
		t.Fatalf("Steps(-1) to schema 1: %v", err)
	}
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM sessiongen_sessions WHERE key = ?`, current[:]).Scan(&n); err != nil || n != 1 {
		t.Fatalf("after stepping down to schema 1: %d rows of the session, %v", n, err)
	}
}
