package sqlitestore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/sessiongen/sessiongen/sqlitestore"
)

// tempPath returns the path of a database file that does not exist yet, in a
// directory removed when t ends.
func tempPath(t testing.TB) string {
	t.Helper()
	return filepath.Join(t.TempDir(), "sessions.db")
}

// openPath opens path with Open, without migrating, and closes the store when
// t ends.
func openPath(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(path)
	if err != nil {
		t.Fatalf("Open(%q): %v", path, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// openMigrated opens path with Open, applies the migrations and closes the
// store when t ends.
func openMigrated(t testing.TB, path string) *sqlitestore.Store {
	t.Helper()
	s := openPath(t, path)
	if err := sqlitestore.Migrate(context.Background(), s.DB()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}
