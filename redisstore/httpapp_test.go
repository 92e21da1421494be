package redisstore_test

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/session"
)

// webApp is an application instance serving sessions from a store, through
// the public API only: the generated-style manager, its middleware, real
// HTTPS and a browser's cookie jar. The failover test runs on it; the
// runtime's concurrency scenarios are package httpsuite's.
type webApp struct {
	t     *testing.T
	mgr   testvisitor.Manager
	srv   *httptest.Server
	clock *fakeClock
}

type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

func newWebApp(t *testing.T, store session.Store, clock *fakeClock) *webApp {
	a := &webApp{t: t, clock: clock}
	a.mgr = testvisitor.NewManager(store)
	a.mgr.Now = clock.Now
	a.mgr.Logger = slog.New(slog.NewTextHandler(io.Discard, nil)) // the failover test fails thousands of requests
	mux := http.NewServeMux()
	write := func(w http.ResponseWriter, r *http.Request) {
		s := a.mgr.From(r.Context())
		q := r.URL.Query()
		for k, set := range map[string]func(string){"name": s.SetName, "flash": s.SetFlash, "theme": s.SetTheme, "user": s.SetUserID, "cart": func(v string) { s.SetCart(strings.Split(v, ",")) }} {
			if q.Has(k) {
				set(q.Get(k))
			}
		}
		switch r.URL.Path {
		case "/incr":
			if err := s.Update(r.Context(), func(v *testvisitor.Visitor) error { v.Count++; return nil }); err != nil {
				code := http.StatusConflict
				if errors.Is(err, session.ErrUnavailable) {
					code = http.StatusServiceUnavailable
				}
				http.Error(w, err.Error(), code)
				return
			}
		}
		io.WriteString(w, describeVisitor(s))
	}
	for _, p := range []string{"/set", "/incr"} {
		mux.HandleFunc("POST "+p, write)
	}
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, describeVisitor(a.mgr.From(r.Context())))
	})
	a.srv = httptest.NewTLSServer(a.mgr.Handler(mux))
	t.Cleanup(a.srv.Close)
	return a
}

func describeVisitor(s testvisitor.Session) string {
	v := s.Value()
	return fmt.Sprintf("name=%s count=%d cart=%s flash=%s user=%s theme=%s", v.Name, v.Count, strings.Join(v.Cart, ","), v.Flash, v.UserID, v.Theme)
}

// visitor is a browser: a cookie jar over the app's TLS transport.
type visitor struct {
	a    *webApp
	c    *http.Client
	base string
}

func (a *webApp) newVisitor() *visitor {
	jar, _ := cookiejar.New(nil)
	tr := a.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64
	a.t.Cleanup(tr.CloseIdleConnections)
	return &visitor{a: a, c: &http.Client{Transport: tr, Jar: jar, Timeout: time.Minute}, base: a.srv.URL}
}

type response struct {
	code    int
	body    string
	cookies []string
	took    time.Duration
}

func (v *visitor) do(method, path string) response {
	req, err := http.NewRequestWithContext(context.Background(), method, v.base+path, nil)
	if err != nil {
		v.a.t.Error(err)
		return response{}
	}
	start := time.Now()
	resp, err := v.c.Do(req)
	if err != nil {
		v.a.t.Error(err)
		return response{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(body), resp.Header.Values("Set-Cookie"), time.Since(start)}
}

func (v *visitor) post(path string) response { return v.do(http.MethodPost, path) }
func (v *visitor) get(path string) response  { return v.do(http.MethodGet, path) }

func (r response) mustOK(t *testing.T) response {
	t.Helper()
	if r.code != http.StatusOK {
		t.Fatalf("status %d: %s", r.code, r.body)
	}
	return r
}

// cookie returns the session cookie in v's jar ("" when none).
func (v *visitor) cookie() string {
	u, _ := url.Parse(v.a.srv.URL)
	for _, c := range v.c.Jar.Cookies(u) {
		if c.Name == v.a.mgr.CookieName() {
			return c.Value
		}
	}
	return ""
}
