package webapp

// The adversarial suite of issue 11: each test runs one attack end to end, as
// an attacker would, against the example app with real HTTP clients and
// cookie jars, on memstore, SQLite and PostgreSQL. The app is served at
// https://shop.example.com and the attacker's page at https://evil.example.com,
// a sibling subdomain, so that a cookie scoped to example.com reaches the shop
// as browsers do (cookie tossing). docs/SECURITY.md lists which attack each
// test runs and what stops it.

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"net/http/cookiejar"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
)

// attackStores are the stores every attack runs against.
var attackStores = []struct {
	name string
	open func(t *testing.T) session.Store
}{
	{"memstore", func(*testing.T) session.Store { return memstore.New() }},
	{"sqlite", func(t *testing.T) session.Store { return openDB(t, sqliteURL(t)).Store }},
	{"postgres", func(t *testing.T) session.Store { return openDB(t, testdb.New(t)).Store }},
}

// cookieVariants are the cookie configurations an attack runs under: the
// default (__Host-session, which browsers refuse to accept from a sibling
// subdomain) and the weakest one Check accepts for HTTPS, with no prefix, so
// that the runtime's own defences are tested without the browser's help.
var cookieVariants = []struct {
	name   string
	cookie session.CookieConfig
}{
	{"default", session.CookieConfig{}},
	{"no-prefix", session.CookieConfig{Prefix: session.NoPrefix}},
}

// forEachAttackTarget runs attack once per store and cookie variant, in
// parallel, each against a fresh site.
func forEachAttackTarget(t *testing.T, configure func(a *app), attack func(t *testing.T, s *site)) {
	for _, st := range attackStores {
		for _, v := range cookieVariants {
			t.Run(st.name+"/"+v.name, func(t *testing.T) {
				t.Parallel()
				attack(t, newSite(t, st.open(t), func(a *app) {
					a.sessions.Cookie = v.cookie
					if configure != nil {
						configure(a)
					}
				}))
			})
		}
	}
}

// Host names of the test world; both resolve to the test's own servers.
const (
	shopHost = "shop.example.com"
	evilHost = "evil.example.com"
)

// site is the example shop and an attacker's page on a sibling subdomain.
type site struct {
	t         *testing.T
	app       *app
	logs      *testlog.Buffer // the session manager's log
	transport *http.Transport
}

// newSite serves the example on store, configured by configure before its
// first request, and the attacker's page. The attacker's page sets whatever
// cookie /toss asks for, scoped to the parent domain: what any sibling
// subdomain (or a plain-HTTP response, for a cookie without a prefix) can do.
func newSite(t *testing.T, store session.Store, configure func(a *app)) *site {
	t.Helper()
	s := &site{t: t, app: newApp(store), logs: &testlog.Buffer{}}
	s.app.sessions.Logger = slog.New(slog.NewTextHandler(s.logs, nil))
	configure(s.app)
	shop := httptest.NewTLSServer(s.app.Handler())
	t.Cleanup(shop.Close)
	evil := httptest.NewTLSServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		q := r.URL.Query()
		w.Header().Add("Set-Cookie", fmt.Sprintf("%s=%s; Domain=example.com; Path=%s; Secure",
			q.Get("name"), q.Get("value"), q.Get("path")))
		io.WriteString(w, "hello")
	}))
	t.Cleanup(evil.Close)
	addrs := map[string]string{shopHost: shop.Listener.Addr().String(), evilHost: evil.Listener.Addr().String()}
	s.transport = shop.Client().Transport.(*http.Transport).Clone() // trusts the test certificate (*.example.com)
	var d net.Dialer
	s.transport.DialContext = func(ctx context.Context, network, addr string) (net.Conn, error) {
		host, _, err := net.SplitHostPort(addr)
		if err != nil || addrs[host] == "" {
			return nil, fmt.Errorf("test world: no host %q", addr)
		}
		return d.DialContext(ctx, network, addrs[host])
	}
	t.Cleanup(s.transport.CloseIdleConnections)
	return s
}

// cookieName is the session cookie's name as the shop sends it.
func (s *site) cookieName() string { return s.app.sessions.CookieName() }

// agent is one browser profile: its own cookie jar, which enforces the
// cookie-name prefixes as browsers do.
type agent struct {
	s   *site
	c   *http.Client
	jar *prefixJar
}

// browser returns a browser with an empty cookie jar.
func (s *site) browser() *agent {
	jar, err := cookiejar.New(nil)
	if err != nil {
		s.t.Fatal(err)
	}
	pj := &prefixJar{jar}
	return &agent{s: s, jar: pj, c: &http.Client{
		Transport: s.transport, Jar: pj, Timeout: requestTimeout,
		// Redirects are not followed: a test sees each response's cookies.
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}}
}

// reply is one response of the shop.
type reply struct {
	code   int
	page   htmlPage
	header http.Header
}

// request sends method to the shop's path with form (a POST form when not nil).
func (b *agent) request(method, path string, form url.Values) reply {
	b.s.t.Helper()
	var body io.Reader
	if form != nil {
		body = strings.NewReader(form.Encode())
	}
	req, err := http.NewRequest(method, "https://"+shopHost+path, body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	if form != nil {
		req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	}
	resp, err := b.c.Do(req)
	if err != nil {
		b.s.t.Fatal(err)
	}
	defer resp.Body.Close()
	page, err := io.ReadAll(resp.Body)
	if err != nil {
		b.s.t.Fatal(err)
	}
	return reply{resp.StatusCode, htmlPage(page), resp.Header}
}

// page loads path and fails unless it answers 200.
func (b *agent) page(path string) htmlPage {
	b.s.t.Helper()
	r := b.request(http.MethodGet, path, nil)
	if r.code != http.StatusOK {
		b.s.t.Fatalf("GET %s: %d %s", path, r.code, r.page)
	}
	return r.page
}

// submit posts form to path and fails unless it answers with a redirect, as
// every form of the example does when it works.
func (b *agent) submit(path string, form url.Values) reply {
	b.s.t.Helper()
	r := b.request(http.MethodPost, path, form)
	if r.code != http.StatusSeeOther {
		b.s.t.Fatalf("POST %s: %d %s", path, r.code, r.page)
	}
	return r
}

// login logs in as name and checks that the home page greets name.
func (b *agent) login(name string) {
	b.s.t.Helper()
	b.submit("/login", url.Values{"name": {name}})
	if got := b.page("/").user(); got != name {
		b.s.t.Fatalf("logged in as %q, the page shows %q", name, got)
	}
}

// addToCart adds product to the cart.
func (b *agent) addToCart(product string) reply {
	b.s.t.Helper()
	return b.request(http.MethodPost, "/cart/add", url.Values{"product": {product}})
}

// shopCookies returns the values of the session cookies the browser would
// send to path on the shop, in the order it would send them.
func (b *agent) shopCookies(path string) []string {
	var out []string
	for _, c := range b.jar.Cookies(&url.URL{Scheme: "https", Host: shopHost, Path: path}) {
		if c.Name == b.s.cookieName() {
			out = append(out, c.Value)
		}
	}
	return out
}

// token returns the shop's session cookie the browser sends to "/" ("" for none).
func (b *agent) token() string {
	if v := b.shopCookies("/"); len(v) > 0 {
		return v[0]
	}
	return ""
}

// plant puts token into the browser as a host-only cookie of the shop, as an
// attacker who copied a token uses it in his own browser.
func (b *agent) plant(token string) {
	b.jar.SetCookies(&url.URL{Scheme: "https", Host: shopHost, Path: "/"},
		[]*http.Cookie{{Name: b.s.cookieName(), Value: token, Path: "/", Secure: true, HttpOnly: true}})
}

// visitEvil makes the browser load the attacker's page, which tosses a
// cookie named name with value for path, scoped to example.com.
func (b *agent) visitEvil(name, value, path string) {
	b.s.t.Helper()
	q := url.Values{"name": {name}, "value": {value}, "path": {path}}
	resp, err := b.c.Get("https://" + evilHost + "/toss?" + q.Encode())
	if err != nil {
		b.s.t.Fatal(err)
	}
	resp.Body.Close()
}

// prefixJar is a cookie jar that, like browsers (RFC 6265bis 4.1.3;
// e2e.TestCookiePrefixesOnLoopback checks Chromium), refuses a __Secure-
// cookie that is not Secure or not set over HTTPS, and a __Host- cookie that
// also has a Domain or a Path other than "/". Go's cookiejar does not enforce
// the prefixes.
type prefixJar struct{ *cookiejar.Jar }

// SetCookies implements http.CookieJar.
func (j *prefixJar) SetCookies(u *url.URL, cookies []*http.Cookie) {
	kept := cookies[:0:0]
	for _, c := range cookies {
		name := strings.ToLower(c.Name)
		secure := c.Secure && u.Scheme == "https"
		switch {
		case strings.HasPrefix(name, "__secure-") && !secure:
		case strings.HasPrefix(name, "__host-") && (!secure || c.Domain != "" || c.Path != "/"):
		default:
			kept = append(kept, c)
		}
	}
	j.Jar.SetCookies(u, kept)
}

// randomToken returns a well-formed token that names no session.
func randomToken() string {
	b := make([]byte, 32)
	rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// TestAttackFixationThroughRetiredToken (issue 11, attack 1): the attacker
// takes an anonymous token, logs in as himself (the token is retired), and
// plants it in the victim's browser from a sibling subdomain; the victim logs
// in. The victim's login must not land in the attacker's session: the
// attacker's browser stays logged in as himself, the victim gets a session of
// her own under a token the attacker never saw.
func TestAttackFixationThroughRetiredToken(t *testing.T) {
	forEachAttackTarget(t, nil, func(t *testing.T, s *site) {
		mallory := s.browser()
		mallory.addToCart("tea")
		retired := mallory.token()
		mallory.login("Mallory")
		if mallory.token() == retired {
			t.Fatal("the login did not rotate the token")
		}

		victim := s.browser()
		victim.visitEvil(s.cookieName(), retired, "/")
		planted := len(victim.shopCookies("/")) > 0
		victim.login("Alice")

		if got := mallory.page("/").user(); got != "Mallory" {
			t.Fatalf("the attacker's browser is logged in as %q after the victim's login", got)
		}
		for _, tok := range victim.shopCookies("/") {
			if tok == mallory.token() {
				t.Fatal("the victim's browser holds the attacker's session token")
			}
		}
		if got := victim.page("/").user(); got != "Alice" {
			t.Fatalf("the victim is %q on her next page", got)
		}
		alice := ownerCount(t, s, "alice")
		if alice != 1 {
			t.Fatalf("alice has %d sessions, want 1", alice)
		}
		t.Logf("planted cookie accepted by the browser: %v", planted)
	})
}

// TestAttackPreLoginTokenAfterLogin (issue 11, attack 2): the attacker has
// copied the victim's anonymous token; the victim logs in. The copied token
// must read nothing of the logged-in session, write nothing into it and not
// end it.
func TestAttackPreLoginTokenAfterLogin(t *testing.T) {
	forEachAttackTarget(t, nil, func(t *testing.T, s *site) {
		victim := s.browser()
		victim.addToCart("honey")
		copied := victim.token()
		victim.login("Alice")

		attacker := s.browser()
		attacker.plant(copied)
		if p := attacker.page("/"); p.user() != "" || p.cartCount() != "0" {
			t.Fatalf("the pre-login token reads the logged-in session: user %q, cart %q", p.user(), p.cartCount())
		}
		if r := attacker.addToCart("tea"); r.code == http.StatusSeeOther {
			t.Fatalf("a write through the pre-login token succeeded: %d", r.code)
		}
		attacker.request(http.MethodPost, "/logout", url.Values{})
		if p := victim.page("/"); p.user() != "Alice" || p.cartCount() != "1" {
			t.Fatalf("after the attacker's requests the victim has user %q, cart %q; want Alice, 1", p.user(), p.cartCount())
		}
	})
}

// TestAttackCookieTossing (issue 11, attack 3): the attacker tosses a cookie
// of the session's name, scoped to the parent domain and to a longer path
// than the victim's, so that the browser sends it first. Tossing his own
// logged-in token must not pull the victim's requests into his session;
// tossing a token of no session must not delete the victim's cookie. The
// event is logged.
func TestAttackCookieTossing(t *testing.T) {
	forEachAttackTarget(t, nil, func(t *testing.T, s *site) {
		victim := s.browser()
		victim.login("Alice")
		victim.addToCart("honey")
		own := victim.token()
		mallory := s.browser()
		mallory.login("Mallory")

		// The attacker's own, live session, ahead of the victim's cookie.
		victim.visitEvil(s.cookieName(), mallory.token(), "/cart")
		tossed := len(victim.shopCookies("/cart")) > 1
		if p := victim.page("/cart"); p.user() == "Mallory" {
			t.Fatal("the victim's request ran in the attacker's session")
		}
		r := victim.addToCart("tea")
		checkNoClear(t, r)
		if got := mallory.page("/").cartCount(); got != "0" {
			t.Fatalf("the victim's cart change landed in the attacker's session: his cart has %s items", got)
		}

		// A token of no session, ahead of the victim's cookie.
		victim.visitEvil(s.cookieName(), randomToken(), "/cart")
		r = victim.request(http.MethodGet, "/cart", nil)
		checkNoClear(t, r)
		if r.page.user() != "Alice" {
			t.Errorf("with a dead token tossed next to hers, the victim is %q on /cart, want Alice", r.page.user())
		}
		if victim.token() != own {
			t.Fatalf("the victim's cookie was replaced or deleted")
		}
		if p := victim.page("/"); p.user() != "Alice" {
			t.Fatalf("the victim is %q after the tossing", p.user())
		}
		if tossed != strings.Contains(s.logs.String(), "duplicate_cookie") {
			t.Errorf("cookie tossed: %v, but the duplicate_cookie event logged: %v:\n%s", tossed, !tossed, s.logs)
		}
	})
}

// checkNoClear fails when a response clears or replaces the session cookie.
func checkNoClear(t *testing.T, r reply) {
	t.Helper()
	if sc := r.header.Values("Set-Cookie"); len(sc) != 0 {
		t.Fatalf("a request with a tossed cookie got Set-Cookie %q: it may delete or replace the victim's", sc)
	}
}

// TestAttackInsecureCookieConfig (issue 11, attack 4): a struct literal that
// names only the cookie sends a secure cookie, and configurations that
// browsers refuse or that weaken the cookie without an opt-in do not start.
func TestAttackInsecureCookieConfig(t *testing.T) {
	for _, st := range attackStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, st.open(t), func(a *app) { a.sessions.Cookie = session.CookieConfig{Name: "sid"} })
			b := s.browser()
			r := b.submit("/login", url.Values{"name": {"Alice"}})
			sc := r.header.Get("Set-Cookie")
			for _, want := range []string{"__Host-sid=", "; Path=/", "; HttpOnly", "; Secure", "; SameSite=Lax"} {
				if !strings.Contains(sc, want) {
					t.Errorf("Set-Cookie %q lacks %q", sc, want)
				}
			}
			for name, bad := range map[string]session.CookieConfig{
				"SameSite=None without Secure": {Prefix: session.NoPrefix, AllowInsecure: true, SameSite: http.SameSiteNoneMode},
				"__Host- with a Path":          {Path: "/shop"},
				"__Host- with a Domain":        {Domain: "example.com"},
				"__Secure- without Secure":     {Prefix: session.SecurePrefix, AllowInsecure: true},
				"SameSite attribute omitted":   {SameSite: http.SameSiteDefaultMode},
			} {
				a := newApp(st.open(t))
				a.sessions.Cookie = bad
				if err := a.sessions.Check(); err == nil {
					t.Errorf("%s: Check accepted it", name)
				}
			}
		})
	}
}

// TestAttackUnboundedDeviceList (issue 11, attack 5): logging in as one user
// from many browsers leaves at most the app's cap of sessions for that user
// (the least recently used end), so the device list and every per-user
// operation stay bounded.
func TestAttackUnboundedDeviceList(t *testing.T) {
	for _, st := range attackStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, st.open(t), func(*app) {})
			limit := s.app.sessions.MaxSessionsPerOwner
			if limit <= 0 {
				t.Fatal("the example sets no MaxSessionsPerOwner")
			}
			var browsers []*agent
			for range limit + 5 {
				b := s.browser()
				b.login("Bot")
				browsers = append(browsers, b)
			}
			if n := ownerCount(t, s, "bot"); n != limit {
				t.Fatalf("bot has %d live sessions, want the cap, %d", n, limit)
			}
			if got := browsers[0].page("/").user(); got != "" {
				t.Errorf("the oldest session survived the cap: %q", got)
			}
			last := browsers[len(browsers)-1]
			devices, current := last.page("/devices").devicePrefixes()
			if len(devices) != limit || current == "" {
				t.Errorf("devices page lists %d devices (current %q), want %d", len(devices), current, limit)
			}
		})
	}
}

// TestAttackSharedCache (issue 11, caching): every page that shows session
// data says Vary: Cookie, so that a shared cache never serves one visitor's
// page to another, and a response that sets a cookie is not stored at all.
func TestAttackSharedCache(t *testing.T) {
	for _, st := range attackStores {
		t.Run(st.name, func(t *testing.T) {
			t.Parallel()
			s := newSite(t, st.open(t), func(*app) {})
			b := s.browser()
			if r := b.request(http.MethodGet, "/", nil); r.header.Get("Vary") != "Cookie" {
				t.Errorf("anonymous home page: Vary %q", r.header.Get("Vary"))
			}
			r := b.submit("/login", url.Values{"name": {"Alice"}})
			if r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("login response: Cache-Control %q", r.header.Get("Cache-Control"))
			}
			for _, path := range []string{"/", "/cart", "/devices"} {
				if r := b.request(http.MethodGet, path, nil); r.header.Get("Vary") != "Cookie" || r.page.user() != "Alice" {
					t.Errorf("GET %s of a logged-in user: Vary %q, user %q", path, r.header.Get("Vary"), r.page.user())
				}
			}
		})
	}
}

// ownerCount returns how many live sessions owner has in the shop's store.
func ownerCount(t *testing.T, s *site, owner string) int {
	t.Helper()
	recs, err := s.app.sessions.Store.ListOwner(t.Context(), owner, s.app.sessions.Now(), 1000)
	if err != nil {
		t.Fatal(err)
	}
	return len(recs)
}
