package redisstore_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/httpsuite"
)

// TestHTTPSuite runs the session runtime's concurrency suite, unchanged, over
// HTTPS through the manager on the Redis store: on the 3-master cluster and
// on a single server.
func TestHTTPSuite(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			httpsuite.Run(t, func(t *testing.T) session.Store { return tg.open(t, redisstore.Options{}) })
		})
	}
}
