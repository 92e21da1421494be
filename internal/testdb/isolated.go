package testdb

import (
	"context"
	"testing"

	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/sessiongen/sessiongen/pgstore"
)

// IsolatedPool starts a private PostgreSQL cluster for t alone (from the
// server binaries, as for the throwaway cluster), applies the sessiongen
// migrations to its postgres database and returns a pool on it. The cluster
// is stopped and removed when t ends.
//
// It is for measurements that other databases' traffic would distort: on a
// shared server, any transaction running in any database keeps PostgreSQL
// from pruning rows that were updated after it started, so HOT-update
// counts depend on the neighbours. It needs initdb and pg_ctl and fails the
// test, saying so, when they are missing.
func IsolatedPool(t testing.TB) *pgxpool.Pool {
	t.Helper()
	c := NewCluster(t, ClusterOptions{Settings: fastSettings}).c
	pool, err := open(c.url, pingTimeout)
	if err != nil {
		t.Fatalf("testdb: isolated cluster does not answer: %v (log: %s)", err, c.logTail())
	}
	t.Cleanup(pool.Close)
	ctx, cancel := context.WithTimeout(context.Background(), setupTimeout)
	defer cancel()
	if err := pgstore.Migrate(ctx, pool); err != nil {
		t.Fatalf("testdb: migrating the isolated cluster: %v", err)
	}
	return pool
}
