package otel

import (
	"context"
	"log/slog"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/trace"
)

// Handler returns an slog.Handler for the manager's Logger: it passes every
// record on to next, and adds each of sessiongen's lifecycle records (those
// with an "event" attribute) as a span event "session.<event>" to the
// recording span in the record's context, with the key prefix. Debug-level
// events (conflict_retried) reach the span even when next drops them.
func Handler(next slog.Handler) slog.Handler { return &eventHandler{next: next} }

// eventHandler is what Handler returns.
type eventHandler struct {
	next slog.Handler
}

// Enabled implements slog.Handler: a record is wanted by next, or as a span
// event when the context has a recording span.
func (h *eventHandler) Enabled(ctx context.Context, level slog.Level) bool {
	return h.next.Enabled(ctx, level) || trace.SpanFromContext(ctx).IsRecording()
}

// Handle implements slog.Handler.
func (h *eventHandler) Handle(ctx context.Context, r slog.Record) error {
	if span := trace.SpanFromContext(ctx); span.IsRecording() {
		var event, prefix string
		r.Attrs(func(a slog.Attr) bool {
			switch a.Key {
			case "event":
				event = a.Value.String()
			case "key_prefix":
				prefix = a.Value.String()
			}
			return true
		})
		if event != "" {
			attrs := []attribute.KeyValue{attribute.String("sessiongen.event", event)}
			if prefix != "" {
				attrs = append(attrs, AttrKeyPrefix.String(prefix))
			}
			span.AddEvent("session."+event, trace.WithAttributes(attrs...), trace.WithTimestamp(r.Time))
		}
	}
	if !h.next.Enabled(ctx, r.Level) {
		return nil
	}
	return h.next.Handle(ctx, r)
}

// WithAttrs implements slog.Handler.
func (h *eventHandler) WithAttrs(attrs []slog.Attr) slog.Handler {
	return &eventHandler{next: h.next.WithAttrs(attrs)}
}

// WithGroup implements slog.Handler.
func (h *eventHandler) WithGroup(name string) slog.Handler {
	return &eventHandler{next: h.next.WithGroup(name)}
}
