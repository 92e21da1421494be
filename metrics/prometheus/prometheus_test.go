package prometheus

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/testutil"

	"github.com/sessiongen/sessiongen/janitor"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

func newMetrics(t *testing.T, opts Options) (*Metrics, *prom.Registry) {
	t.Helper()
	reg := prom.NewPedanticRegistry()
	m, err := New(reg, opts)
	if err != nil {
		t.Fatal(err)
	}
	return m, reg
}

func TestEventsAreCountedPerEvent(t *testing.T) {
	m, reg := newMetrics(t, Options{})
	m.Event(session.EventCreated)
	m.Event(session.EventCreated)
	m.Event(session.EventRevoked)

	want := `
# HELP sessiongen_session_events_total Session lifecycle events (created, rotated, idle_expired, revoked, cleanup, ...).
# TYPE sessiongen_session_events_total counter
sessiongen_session_events_total{event="absolute_expired"} 0
sessiongen_session_events_total{event="canceled"} 0
sessiongen_session_events_total{event="cleanup"} 0
sessiongen_session_events_total{event="conflict_failed"} 0
sessiongen_session_events_total{event="conflict_retried"} 0
sessiongen_session_events_total{event="created"} 2
sessiongen_session_events_total{event="decode_failed"} 0
sessiongen_session_events_total{event="destroyed"} 0
sessiongen_session_events_total{event="duplicate_cookie"} 0
sessiongen_session_events_total{event="idle_expired"} 0
sessiongen_session_events_total{event="revoked"} 1
sessiongen_session_events_total{event="rotated"} 0
sessiongen_session_events_total{event="store_unavailable"} 0
sessiongen_session_events_total{event="superseded"} 0
`
	if err := testutil.GatherAndCompare(reg, strings.NewReader(want), "sessiongen_session_events_total"); err != nil {
		t.Fatal(err)
	}
}

func TestStoreCallsAreObservedPerOpAndErrorClass(t *testing.T) {
	m, reg := newMetrics(t, Options{Namespace: "app", ConstLabels: prom.Labels{"store": "postgres"}})
	m.StoreCall("Load", 3*time.Millisecond, nil)
	m.StoreCall("Load", 70*time.Microsecond, nil)
	m.StoreCall("Load", time.Millisecond, session.ErrIdleExpired)
	m.StoreCall("Save", 2*time.Second, storekit.Unavailable("save", context.DeadlineExceeded))

	cases := []struct {
		op, class string
		count     uint64
		sum       float64
	}{
		{"Load", "none", 2, 0.00307},
		{"Load", "not_found", 1, 0.001},
		{"Save", "unavailable", 1, 2},
	}
	for _, c := range cases {
		obs := m.storeCalls.WithLabelValues(c.op, c.class).(prom.Histogram)
		got := histogramOf(t, obs)
		if got.GetSampleCount() != c.count || fmt.Sprintf("%.5f", got.GetSampleSum()) != fmt.Sprintf("%.5f", c.sum) {
			t.Errorf("%s/%s: count %d sum %v, want %d and %v", c.op, c.class, got.GetSampleCount(), got.GetSampleSum(), c.count, c.sum)
		}
	}
	if n := testutil.CollectAndCount(m.storeCalls, "app_store_call_duration_seconds"); n != 3 {
		t.Errorf("series = %d, want 3", n)
	}
	problems, err := testutil.GatherAndLint(reg)
	if err != nil || len(problems) > 0 {
		t.Errorf("lint: %v %v", problems, err)
	}
}

func TestErrorClass(t *testing.T) {
	cases := map[error]string{
		nil:                                      "none",
		session.ErrAbsoluteExpired:               "not_found",
		session.ErrSuperseded:                    "superseded",
		fmt.Errorf("x: %w", session.ErrConflict): "conflict",
		session.ErrExists:                        "exists",
		storekit.Invalid("list", "limit"):        "invalid",
		session.ErrTooLarge:                      "too_large",
		session.ErrCorrupt:                       "corrupt",
		storekit.Unavailable("load", errors.New("refused")): "unavailable",
		session.ErrCanceled:          "canceled",
		errors.New("something else"): "other",
	}
	for err, want := range cases {
		if got := ErrorClass(err); got != want {
			t.Errorf("ErrorClass(%v) = %q, want %q", err, got, want)
		}
	}
}

func TestNewRefusesADoubleRegistration(t *testing.T) {
	reg := prom.NewRegistry()
	if _, err := New(reg, Options{}); err != nil {
		t.Fatal(err)
	}
	if _, err := New(reg, Options{}); err == nil {
		t.Fatal("second New on one registry: want an AlreadyRegistered error")
	}
}

// TestJanitorFeedsTheAdapter wires the adapter where an application would: the
// cleanup count must equal the sessions actually deleted.
func TestJanitorFeedsTheAdapter(t *testing.T) {
	m, _ := newMetrics(t, Options{})
	store := memstore.New()
	now := time.Now()
	for i := range 25 {
		var k session.Key
		_, _ = rand.Read(k[:])
		idle := now.Add(time.Hour)
		if i < 17 {
			idle = now.Add(-time.Minute)
		}
		rec := session.Record{Key: k, Data: []byte{0x80}, CreatedAt: now.Add(-2 * time.Hour), IdleExpiresAt: idle, AbsoluteExpiresAt: now.Add(2 * time.Hour)}
		if err := store.Create(t.Context(), rec); err != nil {
			t.Fatal(err)
		}
	}
	res, err := janitor.Sweep(t.Context(), store, janitor.Options{Batch: 5, Metrics: m, Now: func() time.Time { return now }})
	if err != nil || res.Deleted != 17 {
		t.Fatalf("Sweep = %+v, %v; want 17 deleted", res, err)
	}
	if got := testutil.ToFloat64(m.counter(session.EventCleanup)); got != 17 {
		t.Errorf("cleanup events = %v, want 17", got)
	}
	if got := histogramOf(t, m.storeCalls.WithLabelValues("DeleteExpired", "none").(prom.Histogram)).GetSampleCount(); got != uint64(res.Batches) {
		t.Errorf("DeleteExpired observations = %d, want %d batches", got, res.Batches)
	}
}
