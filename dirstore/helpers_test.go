package dirstore_test

import (
	"path/filepath"
	"testing"

	"github.com/sessiongen/sessiongen/dirstore"
)

// openMigrated opens a store in dir with opts and creates its layout.
func openMigrated(t testing.TB, dir string, opts dirstore.Options) *dirstore.Store {
	t.Helper()
	s, err := dirstore.Open(dir, opts)
	if err != nil {
		t.Fatalf("Open(%q): %v", dir, err)
	}
	t.Cleanup(func() { _ = s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatalf("Migrate: %v", err)
	}
	return s
}

// tempStore returns a migrated store in a directory removed when t ends.
func tempStore(t testing.TB) *dirstore.Store {
	t.Helper()
	return openMigrated(t, filepath.Join(t.TempDir(), "sessions"), dirstore.Options{})
}
