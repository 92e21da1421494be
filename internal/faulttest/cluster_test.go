package faulttest

import (
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
)

// startCluster starts a throwaway PostgreSQL server of one test, on a free
// loopback port, that the test may stop any way it likes. It keeps
// synchronous_commit on, so that an immediate stop (a crash, to PostgreSQL)
// loses no acknowledged commit; fsync is off, because the machine does not
// crash, only the server process stops.
func startCluster(t *testing.T) *testdb.Cluster {
	return testdb.NewCluster(t, testdb.ClusterOptions{
		TCP:      true,
		Settings: []string{"fsync=off", "max_connections=40", "shared_buffers=16MB"},
	})
}
