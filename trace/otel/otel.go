// Package otel traces sessiongen with OpenTelemetry: a span around every store
// call, and the manager's lifecycle events (created, rotated, revoked,
// conflict_retried, ...) as events on the span of the request they happen in.
//
// It is a module of its own so that the sessiongen library does not make
// every user depend on OpenTelemetry:
//
//	visitors.Store = otel.Store(db.Store, otel.Options{})                 // spans per store call
//	visitors.Logger = slog.New(otel.Handler(slog.Default().Handler()))   // lifecycle events on the request's span
//
// Store spans are named "sessiongen.<Op>" (sessiongen.Load, sessiongen.Save,
// ...), of kind client, children of the span in the call's context (the
// request's span, with otelhttp), with these attributes:
//
//	sessiongen.operation   the Store method
//	sessiongen.outcome     "ok", or the error's class: not_found, superseded,
//	                       conflict, exists, invalid, too_large, corrupt,
//	                       unavailable, other
//	sessiongen.retry       how many version conflicts this session's save
//	                       already lost in this request (0 on the first try)
//	sessiongen.key_prefix  the first 12 hex digits of the session's key, on
//	                       calls that address one session
//
// Tokens never reach a span: stores only see keys, which are hashes of
// tokens, and only a prefix of the key is recorded. Owners (user names) and
// error texts are not recorded either; the outcome class says what happened.
// Outcomes that need an operator (unavailable, corrupt, invalid, too_large,
// other) set the span's status to Error; not_found, superseded, conflict and
// exists are part of normal operation.
package otel

import (
	"context"
	"errors"
	"reflect"
	"sync"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"

	"github.com/sessiongen/sessiongen/session"
)

// instrumentation is the tracer's name: this package's import path.
const instrumentation = "github.com/sessiongen/sessiongen/trace/otel"

// Options configures the tracing. The zero value uses the global
// TracerProvider (otel.SetTracerProvider).
type Options struct {
	// TracerProvider creates the tracer; default otel.GetTracerProvider().
	TracerProvider trace.TracerProvider
}

// Attribute keys of store spans and lifecycle events.
const (
	AttrOperation = attribute.Key("sessiongen.operation")
	AttrOutcome   = attribute.Key("sessiongen.outcome")
	AttrRetry     = attribute.Key("sessiongen.retry")
	AttrKeyPrefix = attribute.Key("sessiongen.key_prefix")
)

// outcomes maps the session errors to outcome classes, most specific first
// (ErrIdleExpired also matches ErrNotFound). operator marks the classes that
// set the span status to Error.
var outcomes = []struct {
	err      error
	class    string
	operator bool
}{
	{session.ErrNotFound, "not_found", false},
	{session.ErrSuperseded, "superseded", false},
	{session.ErrConflict, "conflict", false},
	{session.ErrExists, "exists", false},
	{session.ErrCanceled, "canceled", false},
	{session.ErrInvalid, "invalid", true},
	{session.ErrTooLarge, "too_large", true},
	{session.ErrCorrupt, "corrupt", true},
	{session.ErrUnavailable, "unavailable", true},
}

// Outcome returns the outcome class of a store call's error, and whether it
// needs an operator.
func Outcome(err error) (class string, operator bool) {
	if err == nil {
		return "ok", false
	}
	for _, o := range outcomes {
		if errors.Is(err, o.err) {
			return o.class, o.operator
		}
	}
	return "other", true
}

// Store returns inner with a span around every call. Give the result to the
// manager (Manager.Store); the janitor and the CLI can keep the plain store.
func Store(inner session.Store, opts Options) session.Store {
	tp := opts.TracerProvider
	if tp == nil {
		tp = otel.GetTracerProvider()
	}
	return &tracedStore{inner: inner, tracer: tp.Tracer(instrumentation), conflicts: map[conflictKey]int{}}
}

// tracedStore is the decorator Store returns.
type tracedStore struct {
	inner  session.Store
	tracer trace.Tracer

	// conflicts counts the version conflicts a save lost, per request context
	// and session, so that the spans of its retries carry their number. The
	// runtime passes one context through a save and its retries. An entry
	// ends when the save does; entries of saves that gave up are dropped
	// when the map reaches maxConflicts.
	mu        sync.Mutex
	conflicts map[conflictKey]int
}

// conflictKey names one save sequence.
type conflictKey struct {
	ctx context.Context
	key session.Key
}

// maxConflicts bounds the conflict counts kept.
const maxConflicts = 1024

// start begins the span of one call.
func (s *tracedStore) start(ctx context.Context, op string, key session.Key) (context.Context, trace.Span, int) {
	retry := s.retries(ctx, key)
	attrs := make([]attribute.KeyValue, 0, 3)
	attrs = append(attrs, AttrOperation.String(op), AttrRetry.Int(retry))
	if !key.IsZero() {
		attrs = append(attrs, AttrKeyPrefix.String(key.Prefix()))
	}
	ctx, span := s.tracer.Start(ctx, "sessiongen."+op, trace.WithSpanKind(trace.SpanKindClient), trace.WithAttributes(attrs...))
	return ctx, span, retry
}

// end records the outcome of a call and ends its span.
func end(span trace.Span, err error) {
	class, operator := Outcome(err)
	span.SetAttributes(AttrOutcome.String(class))
	if operator {
		span.SetStatus(codes.Error, class)
	}
	span.End()
}

// retries returns how many conflicts the save of key in ctx lost so far.
func (s *tracedStore) retries(ctx context.Context, key session.Key) int {
	if key.IsZero() || !reflect.TypeOf(ctx).Comparable() {
		return 0
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.conflicts[conflictKey{ctx, key}]
}

// saved counts a lost race of the save of key in ctx, or ends its count.
func (s *tracedStore) saved(ctx context.Context, key session.Key, err error) {
	if !reflect.TypeOf(ctx).Comparable() {
		return
	}
	k := conflictKey{ctx, key}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !errors.Is(err, session.ErrConflict) {
		delete(s.conflicts, k)
		return
	}
	if len(s.conflicts) >= maxConflicts {
		clear(s.conflicts)
	}
	s.conflicts[k]++
}
