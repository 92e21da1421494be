package janitor_test

import (
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/memstore"
)

// newMemory returns a memory store holding expired expired sessions.
func newMemory(t *testing.T, expired int) *memstore.Store {
	s := memstore.New()
	opstest.Mix(t, s, time.Now(), expired, 0)
	return s
}
