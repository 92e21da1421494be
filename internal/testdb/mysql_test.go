package testdb

import (
	"context"
	"os"
	"os/exec"
	"strconv"
	"testing"

	"github.com/go-sql-driver/mysql"
)

// mysqlExists reports whether database name is on the MySQL server.
func mysqlExists(t *testing.T, name string) bool {
	t.Helper()
	var n int
	err := mysqlAdmin.QueryRowContext(context.Background(),
		"SELECT count(*) FROM information_schema.schemata WHERE schema_name = ?", name).Scan(&n)
	if err != nil {
		t.Fatal(err)
	}
	return n == 1
}

func TestMySQLStoreIsMigratedAndDropped(t *testing.T) {
	var name string
	t.Run("use", func(t *testing.T) {
		s := MySQLStore(t)
		if err := s.DB().QueryRowContext(context.Background(), "SELECT DATABASE()").Scan(&name); err != nil {
			t.Fatal(err)
		}
		for _, table := range []string{"sessiongen_sessions", "sessiongen_leases"} {
			var n int
			if err := s.DB().QueryRowContext(context.Background(), "SELECT count(*) FROM "+table).Scan(&n); err != nil {
				t.Errorf("table %s in a MySQLStore database: %v", table, err)
			}
		}
	})
	if name == "" || mysqlExists(t, name) {
		t.Errorf("database %q still exists after its test ended", name)
	}
}

// A killed test run leaves its databases behind; the next run drops them, and
// only them: a database of a process that still runs (this one) stays.
func TestMySQLSweepsDatabasesOfDeadProcesses(t *testing.T) {
	dsn := MySQLDSN(t) // connects, and names a database after this process
	cfg, err := mysql.ParseDSN(dsn)
	if err != nil {
		t.Fatal(err)
	}
	ours := cfg.DBName
	dead := exec.Command(os.Args[0], "-test.run=^$")
	if err := dead.Run(); err != nil {
		t.Fatal(err)
	}
	stale := mysqlPrefix + strconv.Itoa(dead.Process.Pid) + "_0123456789abcdef"
	if _, err := mysqlAdmin.Exec("CREATE DATABASE " + stale); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { mysqlAdmin.Exec("DROP DATABASE IF EXISTS " + stale) })
	if err := sweepMySQL(); err != nil {
		t.Fatal(err)
	}
	if mysqlExists(t, stale) {
		t.Errorf("database %s of an ended process survived the sweep", stale)
	}
	if !mysqlExists(t, ours) {
		t.Errorf("the sweep dropped %s, the database of a running test", ours)
	}
}
