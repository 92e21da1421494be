package memstore_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

// TestConformance holds memstore, the reference implementation, to the contract
// every store must meet.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return memstore.New() })
}
