package janitor_test

import (
	"path/filepath"
	"testing"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// cleanable is what the janitor needs of a store.
type cleanable interface {
	session.Store
	session.Leaser
}

// forEachStore runs test in parallel on a fresh store of every kind: the
// memory store, the SQL stores on real databases, and a directory store.
func forEachStore(t *testing.T, test func(t *testing.T, store cleanable)) {
	stores := map[string]func(t *testing.T) cleanable{
		"memory":   func(*testing.T) cleanable { return memstore.New() },
		"postgres": func(t *testing.T) cleanable { return pgstore.New(testdb.Pool(t)) },
		"mysql":    func(t *testing.T) cleanable { return testdb.MySQLStore(t) },
		"sqlite": func(t *testing.T) cleanable {
			s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"))
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { _ = s.Close() })
			if err := sqlitestore.Migrate(t.Context(), s.DB()); err != nil {
				t.Fatal(err)
			}
			return s
		},
		"dir": func(t *testing.T) cleanable {
			s, err := dirstore.Open(filepath.Join(t.TempDir(), "sessions"), dirstore.Options{})
			if err != nil {
				t.Fatal(err)
			}
			if err := s.Migrate(t.Context()); err != nil {
				t.Fatal(err)
			}
			return s
		},
	}
	for name, open := range stores {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, open(t))
		})
	}
}
