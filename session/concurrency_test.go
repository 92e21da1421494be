package session_test

import (
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/httpsuite"
)

// TestHTTPSuite runs the runtime's concurrency suite (package httpsuite:
// counters exact within and across instances, disjoint setters and a 64-way
// burst never refused, in-place edits saved and merged, late writes reported,
// logout and rotation racing slow requests) on every store, and on
// PostgreSQL at SERIALIZABLE isolation (CockroachDB's default) with the same
// criteria as at READ COMMITTED.
func TestHTTPSuite(t *testing.T) {
	all := append(stores[:len(stores):len(stores)], struct {
		name string
		open func(t *testing.T) session.Store
	}{"postgres-serializable", func(t *testing.T) session.Store { return pgstore.New(testdb.SerializablePool(t)) }})
	for _, st := range all {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			httpsuite.Run(t, st.open)
		})
	}
}

// TestUpdateKeepsPendingSetters: a request that set a field, then lost the
// race of its Update to an increment on another instance, re-runs fn on the
// fresh value and still saves its own setter change.
func TestUpdateKeepsPendingSetters(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		other := newHarness(t, h.store.Store)
		c := h.client()
		c.post("/set?name=start").mustOK(t)
		slow := make(chan result, 1)
		go func() { slow <- c.post("/set?hold=u&name=mine&incr=1") }()
		h.WaitArrived(1)
		c.via(other).post("/incr").mustOK(t)
		h.Open("u")
		(<-slow).mustOK(t)
		if got := c.get("/get").mustOK(t).body; !strings.HasPrefix(got, "name=mine count=2 ") {
			t.Fatalf("got %q, want name=mine count=2", got)
		}
		if h.events.Count("conflict_retried") != 1 {
			t.Fatalf("conflict_retried = %d, want 1", h.events.Count("conflict_retried"))
		}
	})
}

// describe0 is how an empty session renders.
const describe0 = "name= count=0 cart= flash= user= role= theme="
