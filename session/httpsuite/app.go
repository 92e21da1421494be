package httpsuite

import (
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/holdgate"
	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/session"
)

// app is one application instance under test: a manager of Shopper sessions
// on the store, its middleware, the routes below and a TLS server (Secure
// cookies need HTTPS in a real cookie jar). It uses the public API only.
type app struct {
	t       *testing.T
	mgr     ShopperManager
	srv     *httptest.Server
	metrics *metrics
	logs    *testlog.Buffer

	// Requests with ?hold=NAME park after they have loaded and changed the
	// session, until the test opens gate NAME.
	*holdgate.Gates
}

// clock is a manual clock shared by the instances of a scenario.
type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.now }
func (c *clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// t0 is where the manual clocks start.
var t0 = time.Date(2030, 1, 2, 3, 4, 5, 0, time.UTC)

// metrics counts the manager's events, store calls and requests.
type metrics struct {
	mu       sync.Mutex
	events   map[session.Event]int
	calls    map[string]int
	requests atomic.Int64
}

func (m *metrics) Event(e session.Event) { m.mu.Lock(); m.events[e]++; m.mu.Unlock() }
func (m *metrics) StoreCall(op string, _ time.Duration, _ error) {
	m.mu.Lock()
	m.calls[op]++
	m.mu.Unlock()
}

// count returns the number of events e.
func (m *metrics) count(e session.Event) int { m.mu.Lock(); defer m.mu.Unlock(); return m.events[e] }

// storeCalls returns the number of store calls of op, or of all ops for "".
func (m *metrics) storeCalls(op string) int {
	m.mu.Lock()
	defer m.mu.Unlock()
	if op != "" {
		return m.calls[op]
	}
	n := 0
	for _, c := range m.calls {
		n += c
	}
	return n
}

// newApp starts an application instance on store with the given clock.
func newApp(t *testing.T, store session.Store, c *clock) *app {
	a := &app{
		t:       t,
		metrics: &metrics{events: map[session.Event]int{}, calls: map[string]int{}},
		logs:    &testlog.Buffer{},
		Gates:   holdgate.New(128),
	}
	a.mgr = NewShopperManager(store)
	a.mgr.Now = c.Now
	a.mgr.Metrics = a.metrics
	a.mgr.Logger = slog.New(slog.NewTextHandler(a.logs, &slog.HandlerOptions{Level: slog.LevelInfo}))
	mux := http.NewServeMux()
	mux.HandleFunc("GET /get", func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, describe(a.mgr.From(r.Context()).Value()))
	})
	for _, p := range []string{"/set", "/incr", "/edit", "/rotate", "/refresh", "/logout"} {
		mux.HandleFunc("POST "+p, a.write)
	}
	mux.HandleFunc("POST /late", a.late)
	counted := a.mgr.Handler(mux)
	a.srv = httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.metrics.requests.Add(1)
		counted.ServeHTTP(w, r)
	}))
	t.Cleanup(a.srv.Close)
	return a
}

// write serves the writing routes: the query's fields through the setters,
// an optional hold, then the route's own work.
func (a *app) write(w http.ResponseWriter, r *http.Request) {
	s := a.mgr.From(r.Context())
	q := r.URL.Query()
	applyQuery(s, q)
	if r.URL.Path == "/edit" {
		editInPlace(s)
	}
	if q.Has("hold") {
		a.Hold(q.Get("hold"))
	}
	var err error
	switch r.URL.Path {
	case "/incr":
		err = s.Update(r.Context(), func(v *Shopper) error { v.Count++; return nil })
	case "/rotate":
		err = s.Rotate(r.Context())
	case "/refresh":
		err = s.RefreshToken(r.Context())
	case "/logout":
		err = s.Destroy(r.Context())
	}
	if err != nil {
		session.DefaultErrorHandler(w, r, err)
		return
	}
	io.WriteString(w, describe(s.Value()))
}

// late answers first, then sets the name, and reports what Err says about
// that change in the rest of the body.
func (a *app) late(w http.ResponseWriter, r *http.Request) {
	s := a.mgr.From(r.Context())
	io.WriteString(w, "body first\n")
	s.SetName(r.URL.Query().Get("name"))
	fmt.Fprintf(w, "err=%v", s.Err())
}

// applyQuery sets the session fields named in q through the typed setters:
// name, flash, user, role, theme, slot=i with v=n (field Si), seed (the
// composite fields, to be edited in place by /edit).
func applyQuery(s ShopperSession, q url.Values) {
	strs := map[string]func(string){
		"name": s.SetName, "flash": s.SetFlash, "user": s.SetUserID, "role": s.SetRole, "theme": s.SetTheme,
	}
	for k, set := range strs {
		if q.Has(k) {
			set(q.Get(k))
		}
	}
	if q.Has("slot") {
		i, _ := strconv.Atoi(q.Get("slot"))
		v, _ := strconv.ParseInt(q.Get("v"), 10, 64)
		slotSetters(s)[i](v)
	}
	if q.Has("seed") {
		s.SetCart([]Item{{SKU: "a", Qty: 1}, {SKU: "b", Qty: 1}})
		s.SetPrefs(map[string]string{"lang": "en", "tz": "UTC"})
		s.SetAddress(Address{City: "Lyon", Zip: "69001"})
		s.SetLast(&Visit{Path: "/"})
	}
}

// editInPlace changes each composite field in place, through the getters (or
// Value for the nested struct, which its getter returns by value), without a
// setter: the kind of change a handler makes by accident.
func editInPlace(s ShopperSession) {
	s.Prefs()["lang"] = "fr"
	s.Cart()[1].Qty = 5
	s.Value().Address.City = "Paris"
	s.Last().Path = "/checkout"
}

// slotSetters returns the setters of S0..S15, by slot.
func slotSetters(s ShopperSession) [slots]func(int64) {
	return [slots]func(int64){
		s.SetS0, s.SetS1, s.SetS2, s.SetS3, s.SetS4, s.SetS5, s.SetS6, s.SetS7,
		s.SetS8, s.SetS9, s.SetS10, s.SetS11, s.SetS12, s.SetS13, s.SetS14, s.SetS15,
	}
}

// slots is the number of fields S0..S15.
const slots = 16

// slotValues returns S0..S15.
func slotValues(v *Shopper) [slots]int64 {
	return [slots]int64{
		v.S0, v.S1, v.S2, v.S3, v.S4, v.S5, v.S6, v.S7, v.S8, v.S9, v.S10, v.S11, v.S12, v.S13, v.S14, v.S15,
	}
}

// describe renders a session for assertions, in a fixed order.
func describe(v *Shopper) string {
	cart := make([]string, len(v.Cart))
	for i, it := range v.Cart {
		cart[i] = fmt.Sprintf("%s:%d", it.SKU, it.Qty)
	}
	prefs := make([]string, 0, len(v.Prefs))
	for k, x := range v.Prefs {
		prefs = append(prefs, k+":"+x)
	}
	sort.Strings(prefs)
	last := ""
	if v.Last != nil {
		last = v.Last.Path
	}
	return fmt.Sprintf("name=%s count=%d flash=%s user=%s role=%s theme=%s cart=%s prefs=%s city=%s last=%s slots=%v",
		v.Name, v.Count, v.Flash, v.UserID, v.Role, v.Theme, strings.Join(cart, ","), strings.Join(prefs, ","),
		v.Address.City, last, slotValues(v))
}

// browser is a visitor's browser: a cookie jar over the app's TLS transport.
// via lets one browser talk to another instance (the jar ignores ports).
type browser struct {
	a    *app
	c    *http.Client
	base string
}

func (a *app) browser() *browser {
	jar, _ := cookiejar.New(nil)
	tr := a.srv.Client().Transport.(*http.Transport).Clone()
	tr.MaxIdleConnsPerHost = 128 // the burst keeps its connections
	a.t.Cleanup(tr.CloseIdleConnections)
	return &browser{a: a, c: &http.Client{Transport: tr, Jar: jar, Timeout: 2 * time.Minute}, base: a.srv.URL}
}

// via returns the same browser talking to another instance.
func (b *browser) via(other *app) *browser { return &browser{a: b.a, c: b.c, base: other.srv.URL} }

// withCookie is a browser without a jar that always sends one cookie.
func (a *app) withCookie(cookie string) *browser {
	tr := a.srv.Client().Transport.(*http.Transport).Clone()
	a.t.Cleanup(tr.CloseIdleConnections)
	c := &http.Client{Transport: roundTrip(func(r *http.Request) (*http.Response, error) {
		r.Header.Set("Cookie", cookie)
		return tr.RoundTrip(r)
	}), Timeout: 2 * time.Minute}
	return &browser{a: a, c: c, base: a.srv.URL}
}

type roundTrip func(*http.Request) (*http.Response, error)

func (f roundTrip) RoundTrip(r *http.Request) (*http.Response, error) { return f(r) }

// response is a finished response.
type response struct {
	code    int
	body    string
	cookies []string
}

func (b *browser) do(method, path string) response {
	req, err := http.NewRequest(method, b.base+path, nil)
	if err != nil {
		b.a.t.Error(err)
		return response{}
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.a.t.Error(err)
		return response{}
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(resp.Body)
	return response{resp.StatusCode, string(body), resp.Header.Values("Set-Cookie")}
}

func (b *browser) post(path string) response { return b.do(http.MethodPost, path) }
func (b *browser) get(path string) response  { return b.do(http.MethodGet, path) }

// mustOK fails the test unless r is a 200.
func (r response) mustOK(t *testing.T) response {
	t.Helper()
	if r.code != http.StatusOK {
		t.Fatalf("status %d: %s", r.code, r.body)
	}
	return r
}

// clearsCookie reports whether the response's only Set-Cookie deletes the cookie.
func (r response) clearsCookie() bool {
	return len(r.cookies) == 1 && strings.Contains(r.cookies[0], "Max-Age=0")
}

// cookie returns the session cookie in b's jar ("" when none).
func (b *browser) cookie() string {
	u, _ := url.Parse(b.a.srv.URL)
	for _, c := range b.c.Jar.Cookies(u) {
		if c.Name == b.a.mgr.CookieName() {
			return c.Value
		}
	}
	return ""
}
