// Package prometheus exposes sessiongen's session.Metrics as Prometheus metrics.
//
// It is a module of its own so that the sessiongen library does not make every
// user depend on client_golang:
//
//	m, err := prometheus.New(prom.DefaultRegisterer, prometheus.Options{})
//	manager.Metrics = m      // lifecycle events and store latencies
//	janitor.Metrics = m      // cleanup counts and latencies
//
// Metrics (with the default namespace "sessiongen"):
//
//	sessiongen_session_events_total{event}                        counter
//	sessiongen_store_call_duration_seconds{op, error}             histogram
//
// The error label is a small closed set ("none", "not_found", "conflict",
// "exists", "invalid", "too_large", "corrupt", "unavailable", "other") so that
// error messages can never explode the number of series.
package prometheus

import (
	"errors"
	"sync"
	"time"

	prom "github.com/prometheus/client_golang/prometheus"

	"github.com/sessiongen/sessiongen/session"
)

// Options configures the metrics. The zero value is usable.
type Options struct {
	// Namespace prefixes every metric name ("sessiongen" if empty).
	Namespace string
	// Buckets are the latency histogram's upper bounds in seconds. The default
	// spans 100 µs (a cached primary-key lookup) to 2.5 s (a timed-out call).
	Buckets []float64
	// ConstLabels are added to every series, e.g. {"store": "postgres"}.
	ConstLabels prom.Labels
}

// DefaultBuckets are the latency buckets used when Options.Buckets is empty.
var DefaultBuckets = []float64{.0001, .00025, .0005, .001, .0025, .005, .01, .025, .05, .1, .25, .5, 1, 2.5}

// knownEvents are created at zero on registration, so that rate() and absent()
// work before the first occurrence of an event.
var knownEvents = []session.Event{
	session.EventCreated, session.EventRotated, session.EventDestroyed,
	session.EventIdleExpired, session.EventAbsoluteExpired, session.EventRevoked,
	session.EventDecodeFailed, session.EventConflictRetried, session.EventConflictFailed,
	session.EventStoreUnavailable, session.EventCanceled, session.EventCleanup,
	session.EventSuperseded, session.EventDuplicateCookie,
}

// Metrics implements session.Metrics on Prometheus collectors. It is safe for
// concurrent use.
type Metrics struct {
	events     *prom.CounterVec
	storeCalls *prom.HistogramVec
	// counters caches one counter per event: Event runs on every request, and
	// the janitor calls it once per deleted session.
	counters sync.Map // session.Event -> prom.Counter
}

var _ session.Metrics = (*Metrics)(nil)

// New creates the collectors and registers them with reg.
func New(reg prom.Registerer, opts Options) (*Metrics, error) {
	ns := opts.Namespace
	if ns == "" {
		ns = "sessiongen"
	}
	buckets := opts.Buckets
	if len(buckets) == 0 {
		buckets = DefaultBuckets
	}
	m := &Metrics{
		events: prom.NewCounterVec(prom.CounterOpts{
			Namespace:   ns,
			Subsystem:   "session",
			Name:        "events_total",
			Help:        "Session lifecycle events (created, rotated, idle_expired, revoked, cleanup, ...).",
			ConstLabels: opts.ConstLabels,
		}, []string{"event"}),
		storeCalls: prom.NewHistogramVec(prom.HistogramOpts{
			Namespace:   ns,
			Subsystem:   "store",
			Name:        "call_duration_seconds",
			Help:        "Latency of session store operations, by operation and error class.",
			Buckets:     buckets,
			ConstLabels: opts.ConstLabels,
		}, []string{"op", "error"}),
	}
	for _, c := range []prom.Collector{m.events, m.storeCalls} {
		if err := reg.Register(c); err != nil {
			return nil, err
		}
	}
	for _, e := range knownEvents {
		m.counter(e)
	}
	return m, nil
}

// Event implements session.Metrics.
func (m *Metrics) Event(e session.Event) { m.counter(e).Inc() }

// StoreCall implements session.Metrics.
func (m *Metrics) StoreCall(op string, d time.Duration, err error) {
	m.storeCalls.WithLabelValues(op, ErrorClass(err)).Observe(d.Seconds())
}

func (m *Metrics) counter(e session.Event) prom.Counter {
	if c, ok := m.counters.Load(e); ok {
		return c.(prom.Counter)
	}
	c, _ := m.counters.LoadOrStore(e, m.events.WithLabelValues(string(e)))
	return c.(prom.Counter)
}

// errorClasses maps the session errors to label values, most specific first
// (ErrIdleExpired also matches ErrNotFound).
var errorClasses = []struct {
	err   error
	label string
}{
	{session.ErrNotFound, "not_found"},
	{session.ErrSuperseded, "superseded"},
	{session.ErrConflict, "conflict"},
	{session.ErrExists, "exists"},
	{session.ErrInvalid, "invalid"},
	{session.ErrTooLarge, "too_large"},
	{session.ErrCorrupt, "corrupt"},
	{session.ErrCanceled, "canceled"},
	{session.ErrUnavailable, "unavailable"},
}

// ErrorClass returns the error label for err: "none" for nil, the session error
// it matches, or "other".
func ErrorClass(err error) string {
	if err == nil {
		return "none"
	}
	for _, c := range errorClasses {
		if errors.Is(err, c.err) {
			return c.label
		}
	}
	return "other"
}
