package session_test

import (
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
)

// TestResponseWriterInterfaces: the wrapper commits before the header on every
// path that sends it, and keeps Flusher, Hijacker, io.ReaderFrom and
// http.ResponseController (through Unwrap) working.
func TestResponseWriterInterfaces(t *testing.T) {
	h := newHarness(t, memstore.New())
	h.mux.HandleFunc("POST /flush", func(w http.ResponseWriter, r *http.Request) {
		h.mgr.From(r.Context()).SetName("flushed")
		if _, ok := w.(http.Flusher); !ok {
			t.Error("not a Flusher")
		}
		rc := http.NewResponseController(w)
		if err := rc.SetWriteDeadline(time.Now().Add(time.Minute)); err != nil {
			t.Errorf("SetWriteDeadline through Unwrap: %v", err)
		}
		if err := rc.Flush(); err != nil {
			t.Errorf("Flush: %v", err)
		}
		io.WriteString(w, "streamed")
	})
	h.mux.HandleFunc("POST /copy", func(w http.ResponseWriter, r *http.Request) {
		h.mgr.From(r.Context()).SetName("copied")
		if _, ok := w.(io.ReaderFrom); !ok {
			t.Error("not a ReaderFrom")
		}
		io.Copy(w, strings.NewReader("copied body"))
	})
	h.mux.HandleFunc("POST /stream", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		s.SetName("streaming")
		if err := s.Commit(r.Context()); err != nil {
			t.Errorf("Commit: %v", err)
		}
		w.(http.Flusher).Flush()
		s.SetFlash("after header") // saved by the late commit
		io.WriteString(w, "done")
	})
	h.mux.HandleFunc("POST /hijack", func(w http.ResponseWriter, r *http.Request) {
		h.mgr.From(r.Context()).SetName("hijacked")
		conn, buf, err := http.NewResponseController(w).Hijack()
		if err != nil {
			t.Errorf("Hijack: %v", err)
			return
		}
		defer conn.Close()
		buf.WriteString("HTTP/1.1 200 OK\r\nContent-Length: 8\r\nConnection: close\r\n\r\nhijacked")
		buf.Flush()
	})

	for path, name := range map[string]string{"/flush": "flushed", "/copy": "copied", "/stream": "streaming"} {
		c := h.client()
		r := c.post(path).mustOK(t)
		if len(r.setCookies()) != 1 {
			t.Fatalf("%s: Set-Cookie %q", path, r.setCookies())
		}
		got := c.get("/get").mustOK(t).body
		if !strings.HasPrefix(got, "name="+name+" ") {
			t.Fatalf("%s: not saved: %q", path, got)
		}
		if path == "/stream" && !strings.Contains(got, "flash=after header") {
			t.Fatalf("late change not saved: %q", got)
		}
	}
	if r := h.client().post("/hijack"); r.body != "hijacked" {
		t.Fatalf("hijack: %d %q", r.code, r.body)
	}
	if n := h.store.Calls("Create"); n != 4 {
		t.Fatalf("Create calls = %d, want 4 (hijack saves too)", n)
	}
}

// TestCommitFailureBeforeHeader: when the commit fails, the error handler's
// response replaces the handler's, and the handler's writes are refused.
func TestCommitFailureBeforeHeader(t *testing.T) {
	h := newHarness(t, memstore.New())
	writeErr := make(chan error, 1)
	h.mux.HandleFunc("POST /teapot", func(w http.ResponseWriter, r *http.Request) {
		h.mgr.From(r.Context()).SetName("x")
		h.store.down.Store(true)
		w.WriteHeader(http.StatusTeapot)
		_, err := io.WriteString(w, "secret internals")
		writeErr <- err
	})
	r := h.client().post("/teapot")
	if r.code != 503 || strings.Contains(r.body, "internals") || len(r.setCookies()) != 0 {
		t.Fatalf("got %d %q, Set-Cookie %q", r.code, r.body, r.setCookies())
	}
	if err := <-writeErr; err == nil {
		t.Fatal("the handler's write after a failed commit succeeded")
	}
}

// TestTwoManagers: two session types in one app, each with its own cookie
// and store, do not see each other's sessions.
func TestTwoManagers(t *testing.T) {
	h := newHarness(t, memstore.New())
	admin := testvisitor.NewManager(memstore.New())
	admin.Cookie.Name = "admin"
	admin.Now = h.clock.Now
	if admin.From(t.Context()).Session != nil {
		t.Fatal("From outside the middleware returned a session")
	}
	h.mux.Handle("POST /both", admin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.mgr.From(r.Context()).SetName("visitor")
		a := admin.From(r.Context())
		if a.Session == h.mgr.From(r.Context()).Session {
			t.Error("the managers share a session")
		}
		a.SetName("admin")
		a.SetRole("root")
	})))
	h.mux.Handle("GET /admin", admin.Handler(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, describe(admin.From(r.Context())))
	})))
	c := h.client()
	r := c.post("/both").mustOK(t)
	if len(r.setCookies()) != 2 {
		t.Fatalf("Set-Cookie %q, want one per manager", r.setCookies())
	}
	if got := c.get("/get").mustOK(t).body; !strings.HasPrefix(got, "name=visitor ") || strings.Contains(got, "root") {
		t.Fatalf("visitor session: %q", got)
	}
	if got := c.get("/admin").mustOK(t).body; !strings.HasPrefix(got, "name=admin ") || !strings.Contains(got, "role=root") {
		t.Fatalf("admin session: %q", got)
	}
}

// TestUpdateCreatesAndUndoes: Update creates a missing session, and an error
// from fn leaves the value as it was and saves nothing.
func TestUpdateCreatesAndUndoes(t *testing.T) {
	h := newHarness(t, memstore.New())
	h.mux.HandleFunc("POST /fail", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		err := s.Update(r.Context(), func(v *testvisitor.Visitor) error {
			v.Name = "half-done"
			return io.ErrUnexpectedEOF
		})
		if err != io.ErrUnexpectedEOF || s.Name() != "" {
			t.Errorf("Update: err %v, name %q", err, s.Name())
		}
	})
	c := h.client()
	if r := c.post("/fail").mustOK(t); len(r.setCookies()) != 0 || h.store.Calls("") != 0 {
		t.Fatalf("a failed Update wrote: Set-Cookie %q, calls %v", r.setCookies(), h.store.calls)
	}
	if r := c.post("/incr").mustOK(t); len(r.setCookies()) != 1 || !strings.Contains(r.body, "count=1") {
		t.Fatalf("Update on a new session: %q, Set-Cookie %q", r.body, r.setCookies())
	}
	if got := c.get("/get").mustOK(t).body; !strings.Contains(got, "count=1") {
		t.Fatalf("got %q", got)
	}
}
