package pgstore_test

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
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
	if v, dirty, err := m.Version(); err != nil || dirty || v != 1 {
		t.Errorf("Version() = %d, dirty %v, %v; want 1, clean", v, dirty, err)
	}
	if err := m.Steps(-1); err != nil {
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
