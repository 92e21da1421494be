package faulttest

import (
	"context"
	"database/sql"
	"io"
	"log"
	"testing"

	"github.com/go-sql-driver/mysql"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
)

// The driver logs every connection the crash cuts; the tests assert on what
// the application answered instead.
func init() { _ = mysql.SetLogger(log.New(io.Discard, "", 0)) }

// MariaDB crashes (SIGKILL, no shutdown) and starts again, which runs crash
// recovery. The server keeps InnoDB's durable defaults, so an acknowledged
// write must survive. The two scenarios share one throwaway server (starting
// one costs seconds), each on a database of its own.
func TestMariaDBCrash(t *testing.T) {
	mariadb := testdb.NewMariaDB(t, testdb.MariaDBOptions{})

	// A restart while the application is idle costs the visitors nothing:
	// every pooled connection is dead, and the first request afterwards
	// still succeeds (the driver finds the connection dead before it sends
	// anything, and database/sql dials a new one).
	t.Run("RestartWhileIdle", func(t *testing.T) {
		s := openMariaDBStore(t, mariadb, "while_idle")
		restartWhileIdle(t, server{store: s, stop: mariadb.Kill, start: mariadb.Start})
	})

	// Killed under load: see outageUnderLoad.
	t.Run("KilledUnderLoad", func(t *testing.T) {
		s := openMariaDBStore(t, mariadb, "under_load")
		outageUnderLoad(t, server{
			store:    s,
			stop:     mariadb.Kill,
			start:    mariadb.Start,
			sessions: func() int { return mariadbRows(t, s.DB()) },
		})
	})
}

// openMariaDBStore creates database name on mariadb and returns a migrated
// store on it.
func openMariaDBStore(t *testing.T, mariadb *testdb.MariaDB, name string) *mysqlstore.Store {
	t.Helper()
	ctx := context.Background()
	cfg, err := mysql.ParseDSN(mariadb.DSN())
	if err != nil {
		t.Fatal(err)
	}
	admin, err := sql.Open("mysql", cfg.FormatDSN())
	if err != nil {
		t.Fatal(err)
	}
	defer admin.Close()
	if _, err := admin.ExecContext(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	cfg.DBName = name
	s, err := mysqlstore.OpenConfig(ctx, cfg)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := mysqlstore.Migrate(ctx, s.DB()); err != nil {
		t.Fatal(err)
	}
	return s
}

// mariadbRows counts the stored sessions.
func mariadbRows(t *testing.T, db *sql.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM sessiongen_sessions").Scan(&n); err != nil {
		t.Fatal(err)
	}
	return n
}
