package storeurl

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
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
		{"dir:///var/lib/app/sessions", Dir, "/var/lib/app/sessions"},
		{"dir://sessions?fsync=off", Dir, "sessions?fsync=off"},
		{"dir:sessions", Dir, "sessions"},
	}
	for _, c := range cases {
		kind, target, err := Parse(c.url)
		if err != nil || kind != c.kind || target != c.target {
			t.Errorf("Parse(%q) = %q, %q, %v; want %q, %q", c.url, kind, target, err, c.kind, c.target)
		}
	}
	for _, bad := range []string{"", "redis://h", "sessions.txt", "sqlite://", "sqlite://?mode=ro", "file:", "dir://", "dir:?fsync=off", "/var/lib/app/sessions"} {
		_, _, err := Parse(bad)
		if !errors.Is(err, ErrUnsupported) || strings.Contains(err.Error(), "secret") || strings.Contains(err.Error(), "-database-url") {
			t.Errorf("Parse(%q) = %v, want ErrUnsupported without the password, naming no flag", bad, err)
		}
	}
}

func TestRedact(t *testing.T) {
	cases := map[string]string{
		"postgres://u:secret@h/db":                           "postgres://u:xxxxx@h/db",
		"postgres://u@h/db?sslmode=disable&password=secret":  "postgres://u@h/db?password=xxxxx&sslmode=disable",
		"postgres://u@h/db?sslpassword=secret":               "postgres://u@h/db?sslpassword=xxxxx",
		"postgres://u:secret@[::1/db":                        "(unparsable URL)",
		"sqlite:///x.db":                                     "sqlite:///x.db",
		"postgres://u@h/db?sslmode=disable&pool_max_conns=4": "postgres://u@h/db?sslmode=disable&pool_max_conns=4",
		"up": "up",
	}
	for in, want := range cases {
		if got := Redact(in); got != want {
			t.Errorf("Redact(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestPasswords(t *testing.T) {
	cases := map[string]string{
		"postgres://u:secret@h/db":            "{secret}",
		"postgres://u@h/db?password=p1&x=1":   "{p1}",
		"postgres://u:p2@h/db?sslpassword=p3": "{p2 p3}",
		"postgres://u:p4@[::1/db":             "{p4}",
		"-database-url=postgres://u:p5@h/db":  "{p5}",
		"postgres://u@h/db":                   "{}",
		"sessions.db":                         "{}",
	}
	for in, want := range cases {
		if got := fmt.Sprint(Passwords(in)); "{"+strings.Trim(got, "[]")+"}" != want {
			t.Errorf("Passwords(%q) = %v, want %s", in, got, want)
		}
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
	if v, dirty, err := m.Version(); v != 2 || dirty || err != nil {
		t.Errorf("version %d dirty %v err %v", v, dirty, err)
	}
	m.Close()
	if _, err := db.Store.Count(t.Context(), time.Now()); err != nil {
		t.Errorf("store unusable after closing the migrator: %v", err)
	}
}

// TestOpenDir opens, migrates and uses a directory store through a URL.
func TestOpenDir(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	for _, bad := range []string{"dir://" + dir + "?fsync=maybe", "dir://" + dir + "?mode=ro"} {
		if _, err := Open(t.Context(), bad); !errors.Is(err, ErrUnsupported) {
			t.Errorf("Open(%q) = %v, want ErrUnsupported", bad, err)
		}
	}
	db, err := Open(t.Context(), "dir://"+dir+"?fsync=off")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if db.Kind != Dir || db.SQL != nil || db.Pool != nil || db.Leaser == nil {
		t.Fatalf("opened %+v", db)
	}
	if _, err := db.Store.Count(t.Context(), time.Now()); err == nil {
		t.Fatal("Count before Migrate: no error, want the layout reported missing")
	}
	if err := db.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrator(); !errors.Is(err, ErrNoMigrations) {
		t.Errorf("Migrator() = %v, want ErrNoMigrations", err)
	}
	if c, err := db.Store.Count(t.Context(), time.Now()); err != nil || c.Live != 0 {
		t.Errorf("Count after Migrate = %+v, %v", c, err)
	}
}

// TestOpenPostgresPoolSize: without pool_max_conns the pool is sized for
// concurrent commits (pgstore.DefaultMaxConns); with it, the URL wins.
func TestOpenPostgresPoolSize(t *testing.T) {
	dbURL := testdb.New(t)
	sep := "?"
	if strings.Contains(dbURL, "?") {
		sep = "&"
	}
	for url, want := range map[string]int32{
		dbURL:                            pgstore.DefaultMaxConns,
		dbURL + sep + "pool_max_conns=3": 3,
	} {
		db, err := Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		if got := db.Pool.Config().MaxConns; got != want {
			t.Errorf("Open(%s): pool of %d connections, want %d", Redact(url), got, want)
		}
		db.Close()
	}
}
