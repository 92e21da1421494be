package testdb

import "testing"

// Cluster is a PostgreSQL server of one test's own, in a temporary directory,
// that the test may stop and start as it likes (fault injection): nothing else
// uses it. It needs the server binaries (initdb, pg_ctl) and is removed when
// the test ends.
type Cluster struct {
	t testing.TB
	c *throwaway
}

// NewCluster initialises and starts a cluster shaped by opts.
func NewCluster(t testing.TB, opts ClusterOptions) *Cluster {
	t.Helper()
	c, err := newThrowaway(opts)
	if err != nil {
		t.Fatalf("testdb: starting a cluster needs the PostgreSQL server binaries (initdb, pg_ctl; "+
			"Debian/Ubuntu: apt-get install postgresql): %v", err)
	}
	t.Cleanup(func() {
		if err := c.stop(); err != nil {
			t.Errorf("testdb: removing the cluster: %v", err)
		}
	})
	return &Cluster{t: t, c: c}
}

// URL is the cluster's connection URL (on loopback TCP with ClusterOptions.TCP).
func (c *Cluster) URL() string { return c.c.url }

// Start starts the server again after StopImmediate and waits until it
// accepts connections.
func (c *Cluster) Start() {
	c.t.Helper()
	if err := c.c.start(); err != nil {
		c.t.Fatalf("testdb: starting the cluster: %v", err)
	}
}

// StopImmediate stops the server the way a crash would: no checkpoint, open
// connections cut; the next Start runs crash recovery.
func (c *Cluster) StopImmediate() {
	c.t.Helper()
	if err := c.c.halt(); err != nil {
		c.t.Fatalf("testdb: stopping the cluster: %v", err)
	}
}
