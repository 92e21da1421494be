package session_test

import (
	"bytes"
	"context"
	"errors"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// parkingStore decorates a real store: a Save of a record whose data holds one
// of the marks waits until the test releases it or the caller's context ends,
// and then calls the real store with that context, which refuses a done one as
// stores do. Other Saves go straight through, so that a write of an earlier
// request can never be taken for the one the test parks.
type parkingStore struct {
	session.Store
	marks   [][]byte
	parking chan struct{} // closed: Saves go through
	parked  chan struct{} // one value per Save that started waiting
}

func (p *parkingStore) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	if !slices.ContainsFunc(p.marks, func(m []byte) bool { return bytes.Contains(rec.Data, m) }) {
		return p.Store.Save(ctx, rec, now)
	}
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
		park := &parkingStore{Store: h0.store.Store, marks: [][]byte{[]byte("gone"), []byte("within")},
			parking: make(chan struct{}), parked: make(chan struct{}, 8)}
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
		type outcome struct {
			status int
			err    error
		}
		done := make(chan outcome, 1)
		go func() {
			req, _ := http.NewRequestWithContext(ctx, http.MethodPost, h.srv.URL+"/set?name=gone", nil)
			resp, err := c.c.Do(req)
			if err != nil {
				done <- outcome{err: err}
				return
			}
			resp.Body.Close()
			done <- outcome{status: resp.StatusCode}
		}()
		<-park.parked // its Save waits for the store
		cancel()      // and the client hangs up
		// The client sees its own cancellation, or, when the server's answer
		// to the hang-up crosses it on the wire, that answer: a 503, since the
		// change could not be saved. Either way the checks that matter are the
		// server's, below.
		if o := <-done; o.err != nil && !errors.Is(o.err, context.Canceled) || o.err == nil && o.status != http.StatusServiceUnavailable {
			t.Fatalf("client: status %d, error %v; want its own cancellation or a 503", o.status, o.err)
		}
		// The server notices the hang-up by itself; wait until the parked
		// Save returned and the runtime classified it (the store call is
		// reported before the runtime notes its event, so waiting for the
		// report alone raced with the count below).
		for wait := time.Now(); h.events.Count(session.EventCanceled)+h.events.Count(session.EventStoreUnavailable) == 0; {
			if time.Since(wait) > time.Minute {
				t.Fatal("the canceled request's Save was never classified")
			}
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
