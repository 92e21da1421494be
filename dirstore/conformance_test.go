package dirstore_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

// TestConformance runs the shared store contract, each subtest in a fresh
// directory of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store { return tempStore(t) })
}
