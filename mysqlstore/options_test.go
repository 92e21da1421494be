package mysqlstore_test

import (
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
)

// TestConnectionOptions checks that every pooled connection carries the
// session settings the statements rely on, whatever the DSN said: the test's
// DSN sets none of them.
func TestConnectionOptions(t *testing.T) {
	s := testdb.MySQLStore(t)
	db := s.DB()
	db.SetMaxIdleConns(0) // every query below dials a new connection
	var mode, isolation string
	var lockWait int
	// tx_isolation is MariaDB's name (MySQL 8: transaction_isolation); only
	// MariaDB runs here.
	if err := db.QueryRowContext(t.Context(), "SELECT @@sql_mode, @@tx_isolation, @@innodb_lock_wait_timeout").
		Scan(&mode, &isolation, &lockWait); err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(mode, "STRICT_ALL_TABLES") || strings.Contains(mode, "SIMULTANEOUS_ASSIGNMENT") {
		t.Errorf("sql_mode %q, want STRICT_ALL_TABLES and no SIMULTANEOUS_ASSIGNMENT", mode)
	}
	if isolation != "READ-COMMITTED" {
		t.Errorf("isolation %q, want READ-COMMITTED", isolation)
	}
	if lockWait != 5 {
		t.Errorf("innodb_lock_wait_timeout %d, want 5", lockWait)
	}
}
