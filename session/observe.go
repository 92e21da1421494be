package session

import "time"

// Event names a session lifecycle event, as logged and counted.
type Event string

// The lifecycle events the manager reports through its logger and Metrics.
const (
	EventCreated          Event = "created"
	EventRotated          Event = "rotated"
	EventDestroyed        Event = "destroyed"
	EventIdleExpired      Event = "idle_expired"
	EventAbsoluteExpired  Event = "absolute_expired"
	EventRevoked          Event = "revoked"
	EventDecodeFailed     Event = "decode_failed"
	EventConflictRetried  Event = "conflict_retried"
	EventConflictFailed   Event = "conflict_failed"
	EventStoreUnavailable Event = "store_unavailable"
	EventCleanup          Event = "cleanup"

	// EventCanceled: a store call or a wait ended because the request's
	// client went away (its context was canceled, not timed out). Not an
	// outage: logged at debug level.
	EventCanceled Event = "canceled"
	// EventDuplicateCookie: a request carried several different cookies of
	// the session's name (see ErrDuplicateCookie); logged at Warn.
	EventDuplicateCookie Event = "duplicate_cookie"
	// EventSuperseded: a request came with a token that a privilege rotation
	// retired; it was served anonymously, its cookie left alone.
	EventSuperseded Event = "superseded"
)

// Metrics receives counters and latencies from the manager and the janitor. It is
// deliberately tiny so that any metrics system can sit behind it; a Prometheus
// adapter lives in its own module (metrics/prometheus) so that the library does
// not force that dependency on anyone. Implementations must be safe for
// concurrent use and fast: they are called on every request.
type Metrics interface {
	// Event counts one lifecycle event.
	Event(e Event)
	// StoreCall records the latency of one store operation (op is the Store
	// method name, e.g. "Load") and whether it failed.
	StoreCall(op string, d time.Duration, err error)
}

// NopMetrics discards everything; it is the default.
type NopMetrics struct{}

// Event implements Metrics.
func (NopMetrics) Event(Event) {}

// StoreCall implements Metrics.
func (NopMetrics) StoreCall(string, time.Duration, error) {}
