package sqlitestore_test

import (
	"context"
	"crypto/sha256"
	"path/filepath"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
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
