package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"testing"
	"time"

	"github.com/golang-migrate/migrate/v4"

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
	key := keyOf("before re-migration")
	if err := s.Create(ctx, liveRecord(key, []byte("x"), now)); err != nil {
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
	if err != nil || dirty || version != 1 {
		t.Fatalf("Version() = %d, dirty %v, %v; want 1, clean", version, dirty, err)
	}
	if err := m.Steps(-1); err != nil {
		t.Fatalf("Steps(-1): %v", err)
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
	key = keyOf("after re-migration")
	if err := s.Create(ctx, liveRecord(key, []byte("x"), now)); err != nil {
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
	_, err := s.Load(context.Background(), keyOf("t"), time.Now())
	if !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("Load without a schema: %v, want ErrUnavailable (never ErrNotFound)", err)
	}
}
