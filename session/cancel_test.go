package session_test

import (
	"context"
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// parkingStore decorates a real store: while parking is set, Save waits until
// the test releases it or the caller's context ends, and then calls the real
// store with that context, which refuses a done one as stores do.
type parkingStore struct {
	session.Store
	parking chan struct{} // closed: Saves go through
	parked  chan struct{} // one value per Save that started waiting
}

func (p *parkingStore) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	p.parked <- struct{}{}
	select {
	case <-p.parking:
	case <-ctx.Done():
	}
	return p.Store.Save(ctx, rec, now)
}

// TestCanceledClientIsNoOutage: a client that goes away while its request
// waits for the store is not a store outage: no error-level record, no
// store_unavailable event, and the failure is reported as ErrCanceled (event
// canceled). A deadline that passes while the store is slow still is one.
func TestCanceledClientIsNoOutage(t *testing.T) {
	forEachStore(t, func(t *testing.T, h0 *harness) {
		park := &parkingStore{Store: h0.store.Store, parking: make(chan struct{}), parked: make(chan struct{}, 8)}
		h := newHarness(t, park)
		var commitErr = make(chan error, 1)
		h.mux.HandleFunc("POST /set-within", func(w http.ResponseWriter, r *http.Request) {
			ctx, cancel := context.WithTimeout(r.Context(), 20*time.Millisecond)
			defer cancel()
			s := h.mgr.From(r.Context())
			s.SetName("within")
			commitErr <- s.Commit(ctx)
		})
		c := h.client()
		// Created before Saves park: Create is not parked.
		c.post("/set?name=before").mustOK(t)

		ctx, cancel := context.WithCancel(t.Context())
		done := make(chan error, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/set?name=gone", nil)
			resp, err := c.c.Do(req)
			if err == nil {
				resp.Body.Close()
			}
			done <- err
		}()
		<-park.parked // its Save waits for the store
		cancel()      // and the client hangs up
		if err := <-done; !errors.Is(err, context.Canceled) {
			t.Fatalf("client: %v, want its own cancellation", err)
		}
		// The server notices the hang-up by itself; wait until the parked
		// Save returned and was reported.
		for h.events.Reported("Save") == 0 {
			time.Sleep(time.Millisecond)
		}
		if n := h.events.Count(session.EventStoreUnavailable); n != 0 {
			t.Fatalf("a canceled client counted %d store_unavailable events", n)
		}
		if n := h.events.Count(session.EventCanceled); n != 1 {
			t.Fatalf("canceled = %d, want 1", n)
		}
		if logs := h.logs.String(); strings.Contains(logs, "level=ERROR") || strings.Contains(logs, "store_unavailable") {
			t.Fatalf("a canceled client was logged as an outage:\n%s", logs)
		}

		// The deadline passes while the store is slow: an outage signal.
		within := make(chan result, 1)
		go func() { within <- c.post("/set-within") }()
		<-park.parked
		if err := <-commitErr; !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, context.DeadlineExceeded) || errors.Is(err, session.ErrCanceled) {
			t.Fatalf("Commit past its deadline: %v, want ErrUnavailable (deadline exceeded)", err)
		}
		if n := h.events.Count(session.EventStoreUnavailable); n != 1 {
			t.Fatalf("store_unavailable = %d after a passed deadline, want 1", n)
		}
		// The store recovers: the middleware's own commit saves the change.
		close(park.parking)
		(<-within).mustOK(t)
		if got := c.get("/get").mustOK(t).body; !strings.HasPrefix(got, "name=within ") {
			t.Fatalf("after the canceled and the timed-out write: %q, want name=within", got)
		}
	})
}
