package session_test

import (
	"errors"
	"log/slog"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testlog"
	"github.com/sessiongen/sessiongen/internal/testvisitor"
	"github.com/sessiongen/sessiongen/memstore"
	"github.com/sessiongen/sessiongen/session"
)

// attrs splits a Set-Cookie value into its name=value and attribute set.
func attrs(setCookie string) (nameValue string, set map[string]string) {
	parts := strings.Split(setCookie, ";")
	set = map[string]string{}
	for _, p := range parts[1:] {
		k, v, _ := strings.Cut(strings.TrimSpace(p), "=")
		set[strings.ToLower(k)] = v
	}
	return parts[0], set
}

// TestCookieAttributes: the zero CookieConfig sends __Host-session with
// Path=/, Secure, HttpOnly and SameSite=Lax; each opt-in changes exactly what
// it names.
func TestCookieAttributes(t *testing.T) {
	secure := map[string]string{"path": "/", "secure": "", "httponly": "", "samesite": "Lax"}
	cases := []struct {
		name       string
		configure  func(h *harness)
		cookieName string
		want       map[string]string
		absent     []string
		persist    bool
	}{
		{"zero value", func(h *harness) { h.mgr.Cookie = session.CookieConfig{} }, "__Host-session", secure, nil, false},
		{"name", func(h *harness) { h.mgr.Cookie.Name = "sid" }, "__Host-sid", secure, nil, false},
		{"secure prefix", func(h *harness) { h.mgr.Cookie.Prefix = session.SecurePrefix }, "__Secure-session", secure, nil, false},
		{"strict", func(h *harness) { h.mgr.Cookie.SameSite = http.SameSiteStrictMode }, "__Host-session",
			map[string]string{"path": "/", "secure": "", "httponly": "", "samesite": "Strict"}, nil, false},
		{"opt-outs", func(h *harness) {
			h.mgr.Cookie = session.CookieConfig{Prefix: session.NoPrefix, AllowInsecure: true, AllowScriptAccess: true}
		}, "session", map[string]string{"path": "/", "samesite": "Lax"}, []string{"secure", "httponly"}, false},
		{"persistent", func(h *harness) { h.mgr.Cookie.Persist = true; h.mgr.Lifetime = 7 * 24 * time.Hour }, "__Host-session",
			map[string]string{"path": "/", "secure": "", "httponly": "", "samesite": "Lax",
				"max-age": strconv.Itoa(7 * 24 * 3600)}, nil, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, memstore.New())
			tc.configure(h)
			if got := h.mgr.CookieName(); got != tc.cookieName {
				t.Fatalf("CookieName() = %q, want %q", got, tc.cookieName)
			}
			c := h.client()
			r := c.post("/set?name=x").mustOK(t)
			if len(r.setCookies()) != 1 {
				t.Fatalf("Set-Cookie %q", r.setCookies())
			}
			nv, got := attrs(r.setCookies()[0])
			if name, value, _ := strings.Cut(nv, "="); name != tc.cookieName || len(value) != 43 {
				t.Fatalf("cookie %q", nv)
			}
			for k, v := range tc.want {
				if gv, ok := got[k]; !ok || gv != v {
					t.Errorf("attribute %s = %q (present %v), want %q", k, gv, ok, v)
				}
			}
			for _, k := range append(tc.absent, "domain") {
				if _, ok := got[k]; ok {
					t.Errorf("%s sent: %q", k, r.setCookies()[0])
				}
			}
			if _, ok := got["max-age"]; ok != tc.persist {
				t.Errorf("Max-Age present = %v, want %v", ok, tc.persist)
			}
			if r.header.Get("Vary") != "Cookie" || r.header.Get("Cache-Control") != "no-store" {
				t.Errorf("Vary %q, Cache-Control %q", r.header.Get("Vary"), r.header.Get("Cache-Control"))
			}
			// The browser sends it back and the session is found.
			if got := c.get("/get").mustOK(t); !strings.Contains(got.body, "name=x") || len(got.setCookies()) != 0 ||
				got.header.Get("Cache-Control") == "no-store" {
				t.Fatalf("next request: %q, Set-Cookie %q, Cache-Control %q", got.body, got.setCookies(), got.header.Get("Cache-Control"))
			}
		})
	}
}

// TestCheckRejectsBadConfig: configuration mistakes, cookies browsers would
// drop and weakenings nobody opted into surface at startup, with a message
// that says why.
func TestCheckRejectsBadConfig(t *testing.T) {
	for name, tc := range map[string]struct {
		bad func(m *testvisitor.Manager)
		why string
	}{
		"cookie name":               {func(m *testvisitor.Manager) { m.Cookie.Name = "bad name" }, "invalid"},
		"prefix in the name":        {func(m *testvisitor.Manager) { m.Cookie.Name = "__Host-sid" }, "carries a prefix"},
		"host prefix with a path":   {func(m *testvisitor.Manager) { m.Cookie.Path = "/app" }, "Path"},
		"host prefix with domain":   {func(m *testvisitor.Manager) { m.Cookie.Domain = "example.com" }, "cookie tossing"},
		"insecure with host prefix": {func(m *testvisitor.Manager) { m.Cookie.AllowInsecure = true }, "without Secure"},
		"insecure with secure prefix": {func(m *testvisitor.Manager) {
			m.Cookie.AllowInsecure, m.Cookie.Prefix = true, session.SecurePrefix
		}, "without Secure"},
		"samesite none insecure": {func(m *testvisitor.Manager) {
			m.Cookie = session.CookieConfig{Prefix: session.NoPrefix, AllowInsecure: true, SameSite: http.SameSiteNoneMode}
		}, "SameSite=None"},
		"samesite omitted": {func(m *testvisitor.Manager) { m.Cookie.SameSite = http.SameSiteDefaultMode }, "each browser"},
		"samesite unknown": {func(m *testvisitor.Manager) { m.Cookie.SameSite = 9 }, "unknown SameSite"},
		"prefix unknown":   {func(m *testvisitor.Manager) { m.Cookie.Prefix = 7 }, "unknown Prefix"},
		"idle":             {func(m *testvisitor.Manager) { m.IdleTimeout = 0 }, "positive"},
		"fraction":         {func(m *testvisitor.Manager) { m.TouchFraction = 2 }, "TouchFraction"},
		"cap":              {func(m *testvisitor.Manager) { m.MaxSessionsPerOwner = -1 }, "MaxSessionsPerOwner"},
		"store":            {func(m *testvisitor.Manager) { m.Store = nil }, "nil Store"},
	} {
		m := testvisitor.NewManager(memstore.New())
		tc.bad(&m)
		err := m.Check()
		if err == nil || !errors.Is(err, session.ErrInvalid) || !strings.Contains(err.Error(), tc.why) {
			t.Errorf("%s: Check() = %v, want ErrInvalid saying %q", name, err, tc.why)
		}
	}
	for name, ok := range map[string]session.CookieConfig{
		"zero value":            {},
		"secure prefix, domain": {Prefix: session.SecurePrefix, Domain: "example.com", Path: "/app"},
		"samesite none":         {SameSite: http.SameSiteNoneMode},
		"plain http":            {Prefix: session.NoPrefix, AllowInsecure: true},
	} {
		m := testvisitor.NewManager(memstore.New())
		m.Cookie = ok
		if err := m.Check(); err != nil {
			t.Errorf("%s rejected: %v", name, err)
		}
	}
}

// TestWeakCookieWarnsAtStartup: an opt-in that weakens the cookie is accepted
// and logged once, with the reason.
func TestWeakCookieWarnsAtStartup(t *testing.T) {
	var logs testlog.Buffer
	m := testvisitor.NewManager(memstore.New())
	m.Logger = slog.New(slog.NewTextHandler(&logs, nil))
	m.Cookie = session.CookieConfig{Prefix: session.NoPrefix, AllowInsecure: true}
	if err := m.Check(); err != nil {
		t.Fatal(err)
	}
	for _, want := range []string{"no __Host- prefix", "no Secure (AllowInsecure)"} {
		if !strings.Contains(logs.String(), want) {
			t.Errorf("startup log lacks %q:\n%s", want, logs.String())
		}
	}
	var quiet testlog.Buffer
	d := testvisitor.NewManager(memstore.New())
	d.Logger = slog.New(slog.NewTextHandler(&quiet, nil))
	if err := d.Check(); err != nil || quiet.String() != "" {
		t.Errorf("defaults: Check() = %v, log %q", err, quiet.String())
	}
}
