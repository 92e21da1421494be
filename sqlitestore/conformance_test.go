package sqlitestore_test

import (
	"testing"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storetest"
)

// TestConformance runs the shared store contract, each subtest on a fresh,
// migrated database file of its own.
func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) session.Store {
		return openMigrated(t, tempPath(t))
	})
}
