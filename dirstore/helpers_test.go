package dirstore_test

import (
	"crypto/sha256"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/session"
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

// keyOf derives a key the way the runtime does: the SHA-256 of a token.
func keyOf(token string) session.Key { return sha256.Sum256([]byte(token)) }

// liveRecord returns a session under key that stays live for a day after now.
func liveRecord(key session.Key, data []byte, now time.Time) session.Record {
	return session.Record{
		Key:               key,
		Data:              data,
		CreatedAt:         now,
		IdleExpiresAt:     now.Add(24 * time.Hour),
		AbsoluteExpiresAt: now.Add(48 * time.Hour),
	}
}
