package mysqlstore_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/mysqlstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// TestConformance runs the shared store suite, each subtest on a database of
// its own, with the cleanup statement the server calls for (DELETE ...
// RETURNING on MariaDB).
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return testdb.MySQLStore(t) })
}

// TestConformanceListedCleanup runs the suite again with the cleanup path
// written for MySQL 8 (list the batch, then delete it by key), which MariaDB
// also runs: it is the only one of the two a MySQL server takes.
func TestConformanceListedCleanup(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		s := testdb.MySQLStore(t)
		mysqlstore.UseListedCleanup(s)
		return s
	})
}
