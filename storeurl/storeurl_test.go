package storeurl

import (
	"errors"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestParse(t *testing.T) {
	cases := []struct {
		url    string
		kind   Kind
		target string
	}{
		{"postgres://u:p@h:5432/db?sslmode=disable", Postgres, "postgres://u:p@h:5432/db?sslmode=disable"},
		{"postgresql://h/db", Postgres, "postgresql://h/db"},
		{"sqlite:///var/lib/s.db", SQLite, "/var/lib/s.db"},
		{"sqlite://s.db?mode=ro", SQLite, "s.db?mode=ro"},
		{"sqlite:s.db", SQLite, "s.db"},
		{"file:data/s.db", SQLite, "data/s.db"},
		{"s.db", SQLite, "s.db"},
		{"/abs/s.sqlite3", SQLite, "/abs/s.sqlite3"},
		{`C:\data\s.sqlite`, SQLite, `C:\data\s.sqlite`},
	}
	for _, c := range cases {
		kind, target, err := Parse(c.url)
		if err != nil || kind != c.kind || target != c.target {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q", c.url, kind, target, err, c.kind, c.target)
		}
	}
	for _, bad := range []string{"", "mysql://root:secret@h/db", "redis://h", "sessions.txt", "sqlite://", "sqlite://?mode=ro", "file:"} {
		_, _, err := Parse(bad)
		if !errors.Is(err, ErrUnsupported) || strings.Contains(err.Error(), "secret") {
			t.Errorf("Parse(%q) = %v, want ErrUnsupported without the password", bad, err)
		}
	}
}

func TestRedact(t *testing.T) {
	if got := Redact("postgres://u:secret@h/db"); strings.Contains(got, "secret") || !strings.Contains(got, "u:xxxxx@h/db") {
		t.Errorf("Redact = %q", got)
	}
	if got := Redact("sqlite:///x.db"); got != "sqlite:///x.db" {
		t.Errorf("Redact changed a URL without a password: %q", got)
	}
}

// TestOpenSQLite opens, migrates and uses a SQLite store through a URL, and
// checks that the migrator's handle is its own: closing it leaves the store
// usable.
func TestOpenSQLite(t *testing.T) {
	db, err := Open(t.Context(), "sqlite://"+filepath.Join(t.TempDir(), "s.db"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Kind != SQLite || db.SQL == nil || db.Pool != nil || db.Leaser == nil {
		t.Fatalf("opened %+v", db)
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	m, err := db.Migrator()
	if err != nil {
		t.Fatal(err)
	}
	if v, dirty, err := m.Version(); v != 1 || dirty || err != nil {
		t.Errorf("version %d dirty %v err %v", v, dirty, err)
	}
	m.Close()
	if _, err := db.Store.Count(t.Context(), time.Now()); err != nil {
		t.Errorf("store unusable after closing the migrator: %v", err)
	}
}
