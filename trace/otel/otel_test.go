package otel_test

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	"go.opentelemetry.io/otel/sdk/trace/tracetest"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
	sessionotel "github.com/sessiongen/sessiongen/trace/otel"
)

// tracing is a manager whose store calls and lifecycle events are traced into
// an in-memory exporter.
type tracing struct {
	m        testvisitor.Manager
	exporter *tracetest.InMemoryExporter
	tp       *sdktrace.TracerProvider
	store    *memstore.Store
	logs     bytes.Buffer
}

func newTracing(t *testing.T) *tracing {
	tr := &tracing{exporter: tracetest.NewInMemoryExporter(), store: memstore.New()}
	tr.tp = sdktrace.NewTracerProvider(sdktrace.WithSyncer(tr.exporter))
	t.Cleanup(func() { _ = tr.tp.Shutdown(context.Background()) })
	tr.m = testvisitor.NewManager(sessionotel.Store(tr.store, sessionotel.Options{TracerProvider: tr.tp}))
	tr.m.Logger = slog.New(sessionotel.Handler(slog.NewTextHandler(&tr.logs, nil)))
	return tr
}

// request runs one HTTP request through the middleware inside a span named
// "request", as otelhttp would, and returns the response.
func (tr *tracing) request(handler http.HandlerFunc, cookie string) *http.Response {
	ctx, span := tr.tp.Tracer("test").Start(context.Background(), "request")
	defer span.End()
	req := httptest.NewRequestWithContext(ctx, http.MethodPost, "https://example.com/", nil)
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	rec := httptest.NewRecorder()
	tr.m.Handler(handler).ServeHTTP(rec, req)
	return rec.Result()
}

// spans returns the ended spans named name.
func (tr *tracing) spans(name string) tracetest.SpanStubs {
	var out tracetest.SpanStubs
	for _, s := range tr.exporter.GetSpans() {
		if s.Name == name {
			out = append(out, s)
		}
	}
	return out
}

// attr returns the value of key among attrs, "" if absent.
func attr(attrs []attribute.KeyValue, key attribute.Key) string {
	for _, a := range attrs {
		if a.Key == key {
			return a.Value.String()
		}
	}
	return ""
}

// noToken fails when a span, attribute, event or log line holds the token.
func (tr *tracing) noToken(t *testing.T, token string) {
	t.Helper()
	for _, s := range tr.exporter.GetSpans() {
		all := []attribute.KeyValue(s.Attributes)
		for _, e := range s.Events {
			all = append(all, e.Attributes...)
			all = append(all, attribute.String("event.name", e.Name))
		}
		all = append(all, attribute.String("status", s.Status.Description), attribute.String("name", s.Name))
		for _, a := range all {
			if strings.Contains(a.Value.String(), token) {
				t.Fatalf("span %s carries the token in %s", s.Name, a.Key)
			}
		}
	}
	if strings.Contains(tr.logs.String(), token) {
		t.Fatal("the log carries the token")
	}
}

func sessionCookie(t *testing.T, resp *http.Response) (cookie, token string) {
	t.Helper()
	for _, c := range resp.Cookies() {
		if c.Name == "__Host-session" && c.Value != "" {
			return "__Host-session=" + c.Value, c.Value
		}
	}
	t.Fatalf("no session cookie in %q", resp.Header["Set-Cookie"])
	return "", ""
}

func TestStoreCallsAreSpansWithOutcomeAndKeyPrefix(t *testing.T) {
	tr := newTracing(t)
	resp := tr.request(func(w http.ResponseWriter, r *http.Request) {
		tr.m.From(r.Context()).SetName("ann")
	}, "")
	cookie, token := sessionCookie(t, resp)

	creates := tr.spans("sessiongen.Create")
	if len(creates) != 1 {
		t.Fatalf("%d Create spans; want 1", len(creates))
	}
	c := creates[0]
	prefix := attr(c.Attributes, sessionotel.AttrKeyPrefix)
	if attr(c.Attributes, sessionotel.AttrOperation) != "Create" || attr(c.Attributes, sessionotel.AttrOutcome) != "ok" ||
		attr(c.Attributes, sessionotel.AttrRetry) != "0" || len(prefix) != 12 || c.Status.Code == codes.Error {
		t.Fatalf("Create span: attributes %v, status %v", c.Attributes, c.Status)
	}
	requests := tr.spans("request")
	if len(requests) != 1 || c.Parent.SpanID() != requests[0].SpanContext.SpanID() {
		t.Fatalf("the Create span is not a child of the request's span")
	}
	var created bool
	for _, e := range requests[0].Events {
		if e.Name == "session.created" && attr(e.Attributes, sessionotel.AttrKeyPrefix) == prefix {
			created = true
		}
	}
	if !created {
		t.Fatalf("request span events %v; want session.created with key prefix %s", requests[0].Events, prefix)
	}

	// A load of an unknown token: not_found, which is no error status.
	tr.exporter.Reset()
	other := "__Host-session=" + strings.Repeat("A", 43)
	tr.request(func(http.ResponseWriter, *http.Request) {}, other)
	loads := tr.spans("sessiongen.Load")
	if len(loads) != 1 || attr(loads[0].Attributes, sessionotel.AttrOutcome) != "not_found" || loads[0].Status.Code == codes.Error {
		t.Fatalf("Load of an unknown token: %v", loads)
	}

	// Logout: a Delete span and a destroyed event.
	tr.request(func(w http.ResponseWriter, r *http.Request) {
		_ = tr.m.From(r.Context()).Destroy(r.Context())
	}, cookie)
	if d := tr.spans("sessiongen.Delete"); len(d) != 1 || attr(d[0].Attributes, sessionotel.AttrKeyPrefix) != prefix {
		t.Fatalf("Delete spans %v; want one with key prefix %s", d, prefix)
	}
	tr.noToken(t, token)
}

// TestRetriesAreCounted: two processes (two managers over one traced store)
// load one version and both save; the second save loses the race (outcome conflict, retry 0), and its reload and second
// save carry retry 1; the request span gets the conflict_retried event even
// though the log handler drops debug records.
func TestRetriesAreCounted(t *testing.T) {
	tr := newTracing(t)
	resp := tr.request(func(w http.ResponseWriter, r *http.Request) {
		tr.m.From(r.Context()).SetName("ann")
	}, "")
	_, token := sessionCookie(t, resp)
	tr.exporter.Reset()

	ctx, request := tr.tp.Tracer("test").Start(context.Background(), "request")
	ctx1, err := tr.m.Load(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	other := testvisitor.NewManager(tr.m.Store)
	other.Logger = tr.m.Logger
	ctx2, err := other.Load(ctx, token)
	if err != nil {
		t.Fatal(err)
	}
	s1, s2 := tr.m.From(ctx1), other.From(ctx2)
	s1.SetTheme("dark")
	s2.SetFlash("hi")
	if err := s1.Commit(ctx1); err != nil {
		t.Fatal(err)
	}
	if err := s2.Commit(ctx2); err != nil {
		t.Fatal(err)
	}
	request.End()

	var got []string
	for _, s := range tr.exporter.GetSpans() {
		if strings.HasPrefix(s.Name, "sessiongen.") {
			got = append(got, attr(s.Attributes, sessionotel.AttrOperation)+":"+attr(s.Attributes, sessionotel.AttrOutcome)+":"+attr(s.Attributes, sessionotel.AttrRetry))
		}
	}
	want := "Load:ok:0 Load:ok:0 Save:ok:0 Save:conflict:0 Load:ok:1 Save:ok:1"
	if strings.Join(got, " ") != want {
		t.Fatalf("store spans (op:outcome:retry) = %s\nwant %s", strings.Join(got, " "), want)
	}
	var retried int
	for _, e := range tr.spans("request")[0].Events {
		if e.Name == "session.conflict_retried" {
			retried++
		}
	}
	if retried != 1 {
		t.Fatalf("request span has %d session.conflict_retried events; want 1", retried)
	}
	if strings.Contains(tr.logs.String(), "conflict_retried") {
		t.Fatalf("the Info-level log got the debug record:\n%s", tr.logs.String())
	}
	tr.noToken(t, token)
}

// TestUnavailableIsAnError: a store that fails gives outcome unavailable and
// an Error status, with no error text recorded.
func TestUnavailableIsAnError(t *testing.T) {
	tr := newTracing(t)
	failing := sessionotel.Store(down{tr.store}, sessionotel.Options{TracerProvider: tr.tp})
	_, err := failing.Load(context.Background(), session.Key{1}, tr.m.Now())
	if !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("Load = %v", err)
	}
	s := tr.spans("sessiongen.Load")
	if len(s) != 1 || attr(s[0].Attributes, sessionotel.AttrOutcome) != "unavailable" || s[0].Status.Code != codes.Error ||
		s[0].Status.Description != "unavailable" || len(s[0].Events) != 0 {
		t.Fatalf("Load span during an outage: %+v", s)
	}
}

// down is a store whose Load fails as an unreachable database does.
type down struct{ session.Store }

func (down) Load(context.Context, session.Key, time.Time) (session.Record, error) {
	return session.Record{}, fmt.Errorf("%w: Load: connection refused", session.ErrUnavailable)
}
