package session_test

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"maps"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/holdgate"
	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/pgstore"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

func TestMain(m *testing.M) { testdb.Main(m) }

// stores are the real stores every end-to-end test runs against.
var stores = []struct {
	name string
	open func(t *testing.T) session.Store
}{
	{"memstore", func(*testing.T) session.Store { return memstore.New() }},
	{"postgres", func(t *testing.T) session.Store { return pgstore.New(testdb.Pool(t)) }},
	{"sqlite", openSQLite},
	{"dir", openDir},
	{"mysql", func(t *testing.T) session.Store { return testdb.MySQLStore(t) }},
}

// openSQLite returns a migrated SQLite store in a file of the test's own.
func openSQLite(t *testing.T) session.Store {
	s, err := sqlitestore.Open(filepath.Join(t.TempDir(), "sessions.db"))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := sqlitestore.Migrate(t.Context(), s.DB()); err != nil {
		t.Fatal(err)
	}
	return s
}

// openDir returns a directory store in a directory of the test's own.
func openDir(t *testing.T) session.Store {
	s, err := dirstore.Open(filepath.Join(t.TempDir(), "sessions"), dirstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	if err := s.Migrate(t.Context()); err != nil {
		t.Fatal(err)
	}
	return s
}

// forEachStore runs body once per store, in parallel, each on a fresh store.
func forEachStore(t *testing.T, body func(t *testing.T, h *harness)) {
	t.Helper()
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			body(t, newHarness(t, st.open(t)))
		})
	}
}

// cookieName is the session cookie's name under the default configuration.
const cookieName = "__Host-session"

// t0 is the fake clock's start.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// clock is a manual clock: tests move time instead of sleeping.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// errDown is what countingStore returns while it plays an outage.
var errDown = errors.New("test: store switched off")

// countingStore decorates a real store: it counts calls per method and can
// play an outage. It does not imitate any store behaviour.
type countingStore struct {
	session.Store
	mu    sync.Mutex
	calls map[string]int
	down  atomic.Bool
}

func (c *countingStore) count(op string) error {
	c.mu.Lock()
	c.calls[op]++
	c.mu.Unlock()
	if c.down.Load() {
		return storekit.Unavailable(op, errDown)
	}
	return nil
}

// Calls returns the number of calls of op ("" for all).
func (c *countingStore) Calls(op string) int {
	c.mu.Lock()
	defer c.mu.Unlock()
	if op != "" {
		return c.calls[op]
	}
	n := 0
	for _, v := range c.calls {
		n += v
	}
	return n
}

func (c *countingStore) Create(ctx context.Context, rec session.Record) error {
	if err := c.count("Create"); err != nil {
		return err
	}
	return c.Store.Create(ctx, rec)
}

func (c *countingStore) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	if err := c.count("Load"); err != nil {
		return session.Record{}, err
	}
	return c.Store.Load(ctx, key, now)
}

func (c *countingStore) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	if err := c.count("Save"); err != nil {
		return 0, err
	}
	return c.Store.Save(ctx, rec, now)
}

func (c *countingStore) Touch(ctx context.Context, key session.Key, idle, now time.Time) error {
	if err := c.count("Touch"); err != nil {
		return err
	}
	return c.Store.Touch(ctx, key, idle, now)
}

func (c *countingStore) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	if err := c.count("Rotate"); err != nil {
		return err
	}
	return c.Store.Rotate(ctx, oldKey, newKey, r, now)
}

func (c *countingStore) Delete(ctx context.Context, key session.Key, now time.Time) error {
	if err := c.count("Delete"); err != nil {
		return err
	}
	return c.Store.Delete(ctx, key, now)
}

func (c *countingStore) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	if err := c.count("DeleteOwner"); err != nil {
		return 0, err
	}
	return c.Store.DeleteOwner(ctx, owner, except)
}

func (c *countingStore) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	if err := c.count("DeleteOwned"); err != nil {
		return err
	}
	return c.Store.DeleteOwned(ctx, owner, key, now)
}

func (c *countingStore) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	if err := c.count("TrimOwner"); err != nil {
		return 0, err
	}
	return c.Store.TrimOwner(ctx, owner, except, keep, now)
}

func (c *countingStore) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	if err := c.count("ListOwner"); err != nil {
		return nil, err
	}
	return c.Store.ListOwner(ctx, owner, now, limit)
}

// events counts the manager's Metrics events.
type events struct {
	mu    sync.Mutex
	n     map[session.Event]int
	calls int            // StoreCall reports
	ops   map[string]int // StoreCall reports per op
}

func (e *events) Event(ev session.Event) { e.mu.Lock(); e.n[ev]++; e.mu.Unlock() }
func (e *events) StoreCall(op string, _ time.Duration, _ error) {
	e.mu.Lock()
	e.calls++
	e.ops[op]++
	e.mu.Unlock()
}

// Reported returns how many calls of op were reported to StoreCall.
func (e *events) Reported(op string) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.ops[op]
}
func (e *events) Count(ev session.Event) int {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.n[ev]
}

// harness is one application under test: a TLS server (Secure cookies need
// HTTPS in a real cookie jar) serving the test app through a manager.
type harness struct {
	t      *testing.T
	store  *countingStore
	mgr    testvisitor.Manager
	clock  *clock
	events *events
	srv    *httptest.Server

	// Requests with ?hold=NAME park after they changed the session and before
	// they respond (so they have loaded) until the test opens gate NAME.
	*holdgate.Gates

	mux       *http.ServeMux
	logs      testlog.Buffer
	tokensMu  sync.Mutex
	tokens    []string // every token a response set: none may reach the log
	transport http.RoundTripper
	appOnce   sync.Once
	handler   http.Handler
}

func newHarness(t *testing.T, store session.Store) *harness {
	h := &harness{
		t:      t,
		store:  &countingStore{Store: store, calls: map[string]int{}},
		clock:  &clock{now: t0},
		events: &events{n: map[session.Event]int{}, ops: map[string]int{}},
		Gates:  holdgate.New(64),
	}
	h.mux = http.NewServeMux()
	h.routes()
	h.mgr = testvisitor.NewManager(h.store)
	h.mgr.Now = h.clock.Now
	h.mgr.Metrics = h.events
	h.mgr.Logger = slog.New(slog.NewTextHandler(&h.logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	t.Cleanup(h.checkObservability)
	h.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h.app().ServeHTTP(w, r)
	}))
	t.Cleanup(h.srv.Close)
	tr := h.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 64 // the parallel tests keep their connections
	h.transport = tr
	t.Cleanup(tr.CloseIdleConnections)
	return h
}

// app is the test application; built per request so that tests can change
// the manager's configuration before their first request.
func (h *harness) app() http.Handler {
	h.appOnce.Do(func() { h.handler = h.mgr.Handler(h.mux) })
	return h.handler
}

// routes registers the test application behind the middleware; tests add
// their own routes to h.mux.
func (h *harness) routes() {
	mux := h.mux
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, describe(h.mgr.From(r.Context())))
	})
	// /set applies the query's fields, optionally parks (?hold=NAME), and
	// increments the counter through Update for /incr or ?incr.
	set := func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		q := r.URL.Query()
		applyQuery(s, q)
		if q.Has("hold") {
			h.Hold(q.Get("hold"))
		}
		if r.URL.Path == "/incr" || q.Has("incr") {
			err := s.Update(r.Context(), func(v *testvisitor.Visitor) error { v.Count++; return nil })
			if err != nil {
				http.Error(w, err.Error(), http.StatusConflict)
				return
			}
		}
		io.WriteString(w, describe(s))
	}
	mux.HandleFunc("POST /set", set)
	mux.HandleFunc("POST /incr", set)
	mux.HandleFunc("POST /rotate", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		applyQuery(s, r.URL.Query())
		if err := s.Rotate(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, describe(s))
	})
	mux.HandleFunc("POST /refresh", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		applyQuery(s, r.URL.Query())
		if err := s.RefreshToken(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		io.WriteString(w, describe(s))
	})
	mux.HandleFunc("POST /logout", func(w http.ResponseWriter, r *http.Request) {
		if err := h.mgr.From(r.Context()).Destroy(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	mux.HandleFunc("GET /devices", func(w http.ResponseWriter, r *http.Request) {
		ds, err := h.mgr.From(r.Context()).Devices(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, d := range ds {
			fmt.Fprintf(w, "%s current=%v\n", d.Key.Prefix(), d.Current)
		}
	})
	// /revoke-device ends the session keyed ?key= (hex) through RevokeDevice.
	mux.HandleFunc("POST /revoke-device", func(w http.ResponseWriter, r *http.Request) {
		var key session.Key
		if b, err := hex.DecodeString(r.URL.Query().Get("key")); err == nil {
			copy(key[:], b)
		}
		if err := h.mgr.From(r.Context()).RevokeDevice(r.Context(), key); err != nil {
			fmt.Fprintf(w, "not found=%v: %v", errors.Is(err, session.ErrNotFound), err)
			return
		}
		io.WriteString(w, "revoked")
	})
	mux.HandleFunc("POST /revoke", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		revoke := s.RevokeOthers
		if r.URL.Query().Has("all") {
			revoke = s.RevokeAll
		}
		n, err := revoke(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, n)
	})
}

// applyQuery sets the session fields named in q through the typed setters.
func applyQuery(s testvisitor.Session, q url.Values) {
	set := map[string]func(string){
		"name":  s.SetName,
		"flash": s.SetFlash,
		"user":  s.SetUserID,
		"role":  s.SetRole,
		"theme": s.SetTheme,
		"cart":  func(v string) { s.SetCart(strings.Split(v, ",")) },
		"count": func(v string) { n, _ := strconv.ParseInt(v, 10, 64); s.SetCount(n) },
	}
	for k, f := range set {
		if q.Has(k) {
			f(q.Get(k))
		}
	}
}

// describe renders a session for assertions.
func describe(s testvisitor.Session) string {
	v := s.Value()
	return fmt.Sprintf("name=%s count=%d cart=%s flash=%s user=%s role=%s theme=%s",
		v.Name, v.Count, strings.Join(v.Cart, ","), v.Flash, v.UserID, v.Role, v.Theme)
}

// client is a browser: its own cookie jar over the harness's TLS transport.
type client struct {
	h    *harness
	c    *http.Client
	base string // the server this client talks to: h's unless via changed it
}

// via returns the same browser (same cookie jar) talking to another
// application instance: cookies are not separated by port.
func (c *client) via(other *harness) *client {
	return &client{h: c.h, c: c.c, base: other.srv.URL}
}

func (h *harness) client() *client {
	jar, err := cookiejar.New(nil)
	if err != nil {
		h.t.Fatal(err)
	}
	return &client{h: h, c: &http.Client{Transport: h.transport, Jar: jar}}
}

// bare is a client without a jar: it sends exactly the cookie a test gives it.
func (h *harness) bare() *client {
	return &client{h: h, c: &http.Client{Transport: h.transport}}
}

// result is a finished response.
type result struct {
	code   int
	body   string
	header http.Header
}

// do sends one request; cookie, when not empty, is sent as the raw Cookie header.
func (c *client) do(method, path, cookie string) result {
	c.h.t.Helper()
	base := c.base
	if base == "" {
		base = c.h.srv.URL
	}
	req, err := http.NewRequest(method, base+path, nil)
	if err != nil {
		c.h.t.Fatal(err)
	}
	if cookie != "" {
		req.Header.Set("Cookie", cookie)
	}
	resp, err := c.c.Do(req)
	if err != nil {
		c.h.t.Fatal(err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.h.t.Fatal(err)
	}
	for _, ck := range resp.Cookies() {
		if ck.Value != "" {
			c.h.tokensMu.Lock()
			c.h.tokens = append(c.h.tokens, ck.Value)
			c.h.tokensMu.Unlock()
		}
	}
	return result{resp.StatusCode, string(body), resp.Header}
}

func (c *client) get(path string) result  { return c.do(http.MethodGet, path, "") }
func (c *client) post(path string) result { return c.do(http.MethodPost, path, "") }

// mustOK fails the test unless r is a 200.
func (r result) mustOK(t *testing.T) result {
	t.Helper()
	if r.code != http.StatusOK {
		t.Fatalf("status %d, body %q", r.code, r.body)
	}
	return r
}

// sessionCookie returns the session cookie this client's jar holds.
func (c *client) sessionCookie() string {
	c.h.t.Helper()
	u, _ := url.Parse(c.h.srv.URL)
	for _, ck := range c.c.Jar.Cookies(u) {
		if ck.Name == c.h.mgr.CookieName() {
			return ck.Value
		}
	}
	return ""
}

// keyOf returns the store key of a cookie value, as the manager derives it.
func keyOf(t *testing.T, cookieValue string) session.Key {
	t.Helper()
	raw, err := base64.RawURLEncoding.DecodeString(cookieValue)
	if err != nil || len(raw) != 32 {
		t.Fatalf("cookie %q is not a token", cookieValue)
	}
	return sha256.Sum256(raw)
}

// setCookies returns the Set-Cookie values of a response.
func (r result) setCookies() []string { return r.header.Values("Set-Cookie") }

// clearsCookie reports whether the response's only Set-Cookie deletes the cookie.
func (r result) clearsCookie() bool {
	sc := r.setCookies()
	return len(sc) == 1 && strings.Contains(sc[0], "Max-Age=0")
}

// checkObservability fails the test when a token reached the log, when a
// session was created without a created record carrying its key prefix, or
// when a store call went unreported to Metrics.
func (h *harness) checkObservability() {
	h.events.mu.Lock()
	reported, perOp := h.events.calls, maps.Clone(h.events.ops)
	h.events.mu.Unlock()
	if n := h.store.Calls(""); reported != n {
		h.t.Errorf("Metrics.StoreCall reported %d calls, the store saw %d", reported, n)
	}
	for op, n := range perOp {
		if seen := h.store.Calls(op); seen != n {
			h.t.Errorf("Metrics.StoreCall reported %d calls of %q, the store saw %d", n, op, seen)
		}
	}
	logs := h.logs.String()
	h.tokensMu.Lock()
	defer h.tokensMu.Unlock()
	for _, tok := range h.tokens {
		if strings.Contains(logs, tok) {
			h.t.Errorf("token %s... reached the log", tok[:6])
		}
	}
	if h.events.Count(session.EventCreated) > 0 && !strings.Contains(logs, "event=created key_prefix=") {
		h.t.Errorf("no created record with key_prefix in the log:\n%s", logs)
	}
}
