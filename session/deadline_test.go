package session_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/session"
)

// rivalStore decorates a real store with a rival writer: while on, every Save
// is preceded by another client's save of the same session, so the caller's
// Save always loses the version race, through the real store's own check.
type rivalStore struct {
	session.Store
	on     atomic.Bool
	rivals atomic.Int64
}

func (r *rivalStore) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	if r.on.Load() {
		theirs, err := r.Store.Load(ctx, rec.Key, now)
		if err != nil {
			return 0, err
		}
		if _, err := r.Store.Save(ctx, theirs, now); err != nil {
			return 0, err
		}
		r.rivals.Add(1)
	}
	return r.Store.Save(ctx, rec, now)
}

// TestRetriesStopAtDeadline: a save that keeps losing races gives up when the
// next wait would pass the caller's deadline, with no retry limit in sight: it
// returns by the deadline (a conflict, or rarely the deadline itself when a
// retry's store call took longer than the ones before), never a success, and
// the value stays as stored.
func TestRetriesStopAtDeadline(t *testing.T) {
	const within = 50 * time.Millisecond
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			rival := &rivalStore{Store: st.open(t)}
			h := newHarness(t, rival)
			h.mgr.MaxRetries = 1 << 30
			h.mux.HandleFunc("POST /incr-within", func(w http.ResponseWriter, r *http.Request) {
				ctx, cancel := context.WithTimeout(r.Context(), within)
				defer cancel()
				deadline, _ := ctx.Deadline()
				err := h.mgr.From(r.Context()).Update(ctx, func(v *testvisitor.Visitor) error { v.Count++; return nil })
				fmt.Fprintf(w, "late=%d conflict=%v deadline=%v err=%v",
					time.Since(deadline).Microseconds(), errors.Is(err, session.ErrConflict),
					errors.Is(err, context.DeadlineExceeded), err)
			})
			c := h.client()
			c.post("/set?name=raced").mustOK(t)

			// Five tries: each ends in a conflict, or in the deadline when a
			// retry's store call ran long; a runtime that simply waited for the
			// deadline would never report the conflict.
			rival.on.Store(true)
			conflicts := 0
			for range 5 {
				body := c.post("/incr-within").mustOK(t).body
				t.Log(body)
				if !strings.Contains(body, "conflict=true") && !strings.Contains(body, "deadline=true") {
					t.Fatalf("Update under endless races: %s; want a conflict or the deadline", body)
				}
				if strings.Contains(body, "conflict=true") {
					conflicts++
				}
				// A runtime that ignored the deadline would go on retrying
				// (no retry limit) and return long after it. How late a
				// correct one returns depends on the scheduler (tens of ms
				// at load 30): the bound is generous, and the decision to
				// stop is tested without a clock in TestRetryFits.
				var late int64
				if _, err := fmt.Sscanf(body, "late=%d", &late); err != nil || late > time.Second.Microseconds() {
					t.Fatalf("Update returned %d µs after its deadline (%v)", late, err)
				}
			}
			rival.on.Store(false)
			if conflicts == 0 {
				t.Fatal("no Update gave up before its deadline with a conflict")
			}
			if n := rival.rivals.Load(); n < 2 {
				t.Fatalf("%d rival saves: Update did not retry", n)
			}
			if got := c.get("/get").mustOK(t).body; !strings.Contains(got, "count=0 ") {
				t.Fatalf("after the failed Update: %q, want count=0", got)
			}
		})
	}
}
