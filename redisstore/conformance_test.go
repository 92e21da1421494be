package redisstore_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/redisstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

// TestConformance runs the store contract's suite, unchanged, on the 3-master
// cluster and on a single server.
func TestConformance(t *testing.T) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			storetest.Run(t, func(t *testing.T) session.Store { return tg.open(t, redisstore.Options{}) })
		})
	}
}
