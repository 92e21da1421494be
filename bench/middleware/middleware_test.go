package middleware

import (
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/alexedwards/scs/v2"
	scsmem "github.com/alexedwards/scs/v2/memstore"

	"github.com/sessiongen/sessiongen/internal/genvisitor"
	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
)

// writer is a reusable ResponseWriter, so that the benchmark measures the
// middlewares rather than httptest.ResponseRecorder; both sides use it.
type writer struct {
	h    http.Header
	code int
}

func (w *writer) Header() http.Header         { return w.h }
func (w *writer) Write(b []byte) (int, error) { return len(b), nil }
func (w *writer) WriteHeader(code int)        { w.code = code }
func (w *writer) reset()                      { clear(w.h); w.code = 0 }

// run creates a session with one request, then sends b.N requests carrying
// its cookie through h, checking every response.
func run(b *testing.B, h http.Handler) {
	first := httptest.NewRecorder()
	h.ServeHTTP(first, httptest.NewRequest(http.MethodGet, "/", nil))
	cookies := first.Result().Cookies()
	if first.Code != http.StatusOK || len(cookies) != 1 {
		b.Fatalf("setup: status %d, cookies %v", first.Code, cookies)
	}
	req := httptest.NewRequest(http.MethodGet, "/", nil)
	req.AddCookie(cookies[0])
	w := &writer{h: http.Header{}}
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		w.reset()
		h.ServeHTTP(w, req)
		if w.code != http.StatusOK {
			b.Fatalf("status %d", w.code)
		}
	}
}

// ok is the response both handlers write after using the session.
func ok(w http.ResponseWriter) { w.WriteHeader(http.StatusOK) }

// typed is the part of a generated session handle the benchmark uses.
type typed interface {
	Name() string
	SetName(string)
	Count() int64
	SetCount(int64)
}

// use is the handler's work: read a field, set a field.
func use(s typed) {
	if s.Name() == "" {
		s.SetName("bench")
	}
	s.SetCount(s.Count() + 1)
}

// quiet configures a manager for the benchmark: plain HTTP, no log output.
func quiet[T any, P session.Codec[T]](m *session.Manager[T, P]) {
	m.Cookie = session.CookieConfig{Prefix: session.NoPrefix, AllowInsecure: true}
	m.Logger = slog.New(slog.DiscardHandler)
}

// BenchmarkRequest compares one request that loads a session, reads a field,
// sets a field and saves, through each middleware on its memory store:
// sessiongen with the generated codec (what applications run), sessiongen with
// the runtime tests' hand-written msgpack/v5 codec, and scs.
func BenchmarkRequest(b *testing.B) {
	b.Run("sessiongen-generated", func(b *testing.B) {
		m := genvisitor.NewVisitorManager(memstore.New())
		quiet(m.Manager)
		run(b, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			use(m.From(r.Context()))
			ok(w)
		})))
	})
	b.Run("sessiongen-handwritten", func(b *testing.B) {
		m := testvisitor.NewManager(memstore.New())
		quiet(m.Manager)
		run(b, m.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			use(m.From(r.Context()))
			ok(w)
		})))
	})
	b.Run("scs", func(b *testing.B) {
		sm := scs.New()
		sm.Store = scsmem.New()
		sm.Cookie.Secure = false
		run(b, sm.LoadAndSave(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			ctx := r.Context()
			if sm.GetString(ctx, "name") == "" {
				sm.Put(ctx, "name", "bench")
			}
			sm.Put(ctx, "count", sm.GetInt(ctx, "count")+1)
			ok(w)
		})))
	})
}
