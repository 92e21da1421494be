package session

import (
	"context"
	"errors"
	"log/slog"
	"time"
)

// observer reports what the manager sees to its Logger and Metrics.
type observer struct {
	logger  *slog.Logger
	metrics Metrics
	// timed: metrics consumes latencies. With NopMetrics nobody does, and
	// store calls are not timed at all: reading the clock twice per call is a
	// measurable share of a memory-store request.
	timed bool
}

// newObserver returns the observer for a manager's Logger and Metrics.
func newObserver(logger *slog.Logger, metrics Metrics) observer {
	_, untimed := metrics.(NopMetrics)
	return observer{logger: logger, metrics: metrics, timed: !untimed}
}

// note counts event e and logs it with the key's prefix (never a token; none
// for the calls that address an owner rather than a session) and the extra
// attributes. The log record is built only when the level is enabled: most
// events happen on hot paths.
func (o *observer) note(ctx context.Context, level slog.Level, e Event, key Key, err error, extra ...slog.Attr) {
	o.metrics.Event(e)
	if !o.logger.Enabled(ctx, level) {
		return
	}
	attrs := make([]slog.Attr, 0, 3+len(extra))
	attrs = append(attrs, slog.String("event", string(e)))
	if !key.IsZero() {
		attrs = append(attrs, slog.String("key_prefix", key.Prefix()))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", err.Error()))
	}
	o.logger.LogAttrs(ctx, level, "session "+string(e), append(attrs, extra...)...)
}

// begin returns the start time of a store call, or the zero time when the
// call is not timed.
func (o *observer) begin() time.Time {
	if !o.timed {
		return time.Time{}
	}
	return time.Now()
}

// end reports the store call op that began at start, and returns err (as
// ErrCanceled when the request was canceled). It is small enough to be
// inlined: an untimed call that succeeded costs nothing more.
func (o *observer) end(ctx context.Context, op string, key Key, start time.Time, err error) error {
	if o.timed || err != nil {
		return o.report(ctx, op, key, start, err)
	}
	return nil
}

// report passes a store call's latency to Metrics and logs an outage. A call
// cut short because the client went away is no outage: it is reported as
// ErrCanceled, at debug level.
func (o *observer) report(ctx context.Context, op string, key Key, start time.Time, err error) error {
	err = canceled(ctx, err)
	if o.timed {
		o.metrics.StoreCall(op, time.Since(start), err)
	}
	switch {
	case err == nil:
	case errors.Is(err, ErrCanceled):
		o.note(ctx, slog.LevelDebug, EventCanceled, key, err)
	case errors.Is(err, ErrUnavailable):
		o.note(ctx, slog.LevelError, EventStoreUnavailable, key, err)
	}
	return err
}
