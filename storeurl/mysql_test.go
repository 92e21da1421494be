package storeurl

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/session"
)

func TestMain(m *testing.M) { testdb.Main(m) }

func TestMySQLConfig(t *testing.T) {
	cases := []struct {
		url                             string
		user, passwd, net, addr, dbName string
		tls                             string
	}{
		{"mysql://app:s3cr%2Ft@db.example:3307/sessions?tls=true", "app", "s3cr/t", "tcp", "db.example:3307", "sessions", "true"},
		{"mariadb://app@db/sessions", "app", "", "tcp", "db:3306", "sessions", ""},
		{"mysql://root@[::1]/s", "root", "", "tcp", "[::1]:3306", "s", ""},
		{"mysql://app:pw@/sessions?socket=/run/mysqld/mysqld.sock", "app", "pw", "unix", "/run/mysqld/mysqld.sock", "sessions", ""},
		// golang-migrate's spelling: mysql:// and a driver DSN.
		{"mysql://app:pw@tcp(db:3306)/sessions?tls=skip-verify", "app", "pw", "tcp", "db:3306", "sessions", "skip-verify"},
	}
	for _, c := range cases {
		cfg, err := MySQLConfig(c.url)
		if err != nil {
			t.Errorf("MySQLConfig(%q): %v", c.url, err)
			continue
		}
		if cfg.User != c.user || cfg.Passwd != c.passwd || cfg.Net != c.net || cfg.Addr != c.addr || cfg.DBName != c.dbName || cfg.TLSConfig != c.tls {
			t.Errorf("MySQLConfig(%q) = user %q passwd %q %s(%s)/%s tls %q", c.url, cfg.User, cfg.Passwd, cfg.Net, cfg.Addr, cfg.DBName, cfg.TLSConfig)
		}
	}
	for _, bad := range []string{
		"mysql://app:secret@db/s?timeout=soon", // a parameter the driver refuses
		"mysql://app:secret@tcp(db:3306/s",     // an unclosed DSN address
		"mysql://app:secret@db:port/s",         // not a URL
		"postgres://app:secret@db/s",           // not ours
	} {
		_, err := MySQLConfig(bad)
		if !errors.Is(err, ErrUnsupported) || strings.Contains(err.Error(), "secret") {
			t.Errorf("MySQLConfig(%q) = %v, want ErrUnsupported without the password", bad, err)
		}
	}
	if kind, _, err := Parse("mariadb://h/db"); kind != MySQL || err != nil {
		t.Errorf("Parse(mariadb://) = %q, %v", kind, err)
	}
}

// TestOpenMySQL opens, migrates and uses a MariaDB store through a URL of each
// spelling, and checks that the migrator's connection is its own: closing it
// leaves the store usable.
func TestOpenMySQL(t *testing.T) {
	dsn := testdb.MySQLDSN(t)
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	for _, rawURL := range []string{
		"mysql://" + dsn,
		"mysql://" + cfg.User + "@" + cfg.Addr + "/" + cfg.DBName,
	} {
		db, err := Open(t.Context(), rawURL)
		if err != nil {
			t.Fatalf("Open(%q): %v", rawURL, err)
		}
		if db.Kind != MySQL || db.SQL == nil || db.Pool != nil || db.Leaser == nil {
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
		db.Close()
	}
}

// A server that does not answer is ErrUnavailable, and the error keeps the
// password out.
func TestOpenMySQLUnreachable(t *testing.T) {
	_, err := Open(t.Context(), "mysql://app:wrongsecret@127.0.0.1:1/sessions?timeout=1s")
	if !errors.Is(err, session.ErrUnavailable) || strings.Contains(err.Error(), "wrongsecret") {
		t.Errorf("Open of a closed port = %v, want ErrUnavailable without the password", err)
	}
}
