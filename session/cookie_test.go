package session_test

import (
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/memstore"
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

func TestCookieAttributes(t *testing.T) {
	cases := []struct {
		name       string
		configure  func(h *harness)
		cookieName string
		want       map[string]string
		persist    bool
	}{
		{"defaults", func(*harness) {}, "session",
			map[string]string{"path": "/", "secure": "", "httponly": "", "samesite": "Lax"}, false},
		{"host prefix", func(h *harness) {
			h.mgr.Cookie.HostPrefix = true
			h.mgr.Cookie.Path, h.mgr.Cookie.Domain, h.mgr.Cookie.Secure = "/app", "example.com", false
		}, "__Host-session", map[string]string{"path": "/", "secure": "", "httponly": "", "samesite": "Lax"}, false},
		{"persistent", func(h *harness) { h.mgr.Cookie.Persist = true; h.mgr.Lifetime = 7 * 24 * time.Hour }, "session",
			map[string]string{"path": "/", "secure": "", "httponly": "", "samesite": "Lax",
				"max-age": strconv.Itoa(7 * 24 * 3600)}, true},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			h := newHarness(t, memstore.New())
			tc.configure(h)
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
			if _, ok := got["domain"]; ok {
				t.Errorf("Domain sent: %q", r.setCookies()[0])
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

// TestCheckRejectsBadConfig: configuration mistakes surface at startup.
func TestCheckRejectsBadConfig(t *testing.T) {
	for name, bad := range map[string]func(h *harness){
		"cookie name": func(h *harness) { h.mgr.Cookie.Name = "bad name" },
		"idle":        func(h *harness) { h.mgr.IdleTimeout = 0 },
		"fraction":    func(h *harness) { h.mgr.TouchFraction = 2 },
		"store":       func(h *harness) { h.mgr.Store = nil },
	} {
		h := newHarness(t, memstore.New())
		bad(h)
		if err := h.mgr.Check(); err == nil {
			t.Errorf("%s: Check accepted a bad configuration", name)
		}
	}
	h := newHarness(t, memstore.New())
	if err := h.mgr.Check(); err != nil {
		t.Fatalf("defaults rejected: %v", err)
	}
}
