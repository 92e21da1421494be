package session

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// note counts event e and logs it with the key's prefix (never a token). The
// log record is built only when the level is enabled: most events happen on hot
// paths.
func (m *Manager[T, P]) note(ctx context.Context, level slog.Level, e Event, key Key, err error) {
	m.Metrics.Event(e)
	if !m.Logger.Enabled(ctx, level) {
		return
	}
	attrs := [...]slog.Attr{
		slog.String("event", string(e)),
		slog.String("key_prefix", key.Prefix()),
		{},
	}
	n := 2
	if err != nil {
		attrs[2] = slog.String("error", err.Error())
		n = 3
	}
	m.Logger.LogAttrs(ctx, level, "session "+string(e), attrs[:n]...)
}

// startCall returns the start time of a store call, or the zero time when
// nobody consumes latencies: reading the clock twice per call is a measurable
// share of a memory-store request.
func (m *Manager[T, P]) startCall() time.Time {
	if m.untimed {
		return time.Time{}
	}
	return time.Now()
}

// observed reports one store call that started at start to Metrics, and an
// outage to the log. It returns err so that call sites stay one line.
func (m *Manager[T, P]) observed(ctx context.Context, op string, key Key, start time.Time, err error) error {
	if !m.untimed {
		m.Metrics.StoreCall(op, time.Since(start), err)
	}
	if err != nil && errors.Is(err, ErrUnavailable) {
		m.note(ctx, slog.LevelError, EventStoreUnavailable, key, err)
	}
	return err
}
