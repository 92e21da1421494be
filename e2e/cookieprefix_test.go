package e2e

import (
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"sync"
	"testing"
)

// probeCookies are the Set-Cookie lines the probe server sends: what the
// library can send (the __Host- default, its opt-outs) and what it refuses to
// send because a browser would drop it.
var probeCookies = []struct {
	name, line string
}{
	{"__Host-ok", "__Host-ok=1; Path=/; Secure; HttpOnly; SameSite=Lax"},
	{"__Secure-ok", "__Secure-ok=1; Path=/; Secure; HttpOnly; SameSite=Lax"},
	{"secure", "secure=1; Path=/; Secure; HttpOnly; SameSite=Lax"},
	{"plain", "plain=1; Path=/; HttpOnly; SameSite=Lax"},
	{"__Host-nosecure", "__Host-nosecure=1; Path=/; HttpOnly; SameSite=Lax"},
	{"__Host-path", "__Host-path=1; Path=/app; Secure; HttpOnly; SameSite=Lax"},
	{"__Secure-nosecure", "__Secure-nosecure=1; Path=/; HttpOnly; SameSite=Lax"},
	{"none-nosecure", "none-nosecure=1; Path=/; HttpOnly; SameSite=None"},
	{"none-secure", "none-secure=1; Path=/; Secure; HttpOnly; SameSite=None"},
}

// TestCookiePrefixesOnLoopback records what headless Chromium does with the
// session cookie's possible shapes when an app is served over plain HTTP on
// http://127.0.0.1 and http://localhost (local development), and over HTTP on
// a non-loopback address (a LAN IP). docs/SECURITY.md quotes the result: the
// secure default (__Host-, Secure) works on loopback without any opt-out, and
// the combinations session.CookieConfig.Check refuses are the ones the
// browser drops.
func TestCookiePrefixesOnLoopback(t *testing.T) {
	findChromium(t)
	var mu sync.Mutex
	sent := map[string][]string{} // host -> cookie names the browser sent back
	srv := httptest.NewUnstartedServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		host, _, _ := net.SplitHostPort(r.Host)
		if r.URL.Path == "/set" {
			for _, c := range probeCookies {
				w.Header().Add("Set-Cookie", c.line)
			}
			fmt.Fprint(w, "set")
			return
		}
		var names []string
		for _, c := range r.Cookies() {
			names = append(names, c.Name)
		}
		mu.Lock()
		sent[host] = names
		mu.Unlock()
		fmt.Fprint(w, "seen")
	}))
	ln, err := net.Listen("tcp", "0.0.0.0:0")
	if err != nil {
		t.Fatal(err)
	}
	srv.Listener = ln
	srv.Start()
	t.Cleanup(srv.Close)
	port := ln.Addr().(*net.TCPAddr).Port

	hosts := []string{"127.0.0.1", "localhost"}
	if ip := nonLoopbackIP(); ip != "" {
		hosts = append(hosts, ip)
	}
	browser := startBrowser(t)
	want := map[string][]string{
		// Loopback is a secure context: Secure and __Host- cookies are kept;
		// a prefix whose rules are broken, or SameSite=None without Secure,
		// is dropped.
		"loopback": {"__Host-ok", "__Secure-ok", "none-secure", "plain", "secure"},
		// Any other http:// origin: no Secure cookie at all.
		"other": {"plain"},
	}
	for _, host := range hosts {
		base := fmt.Sprintf("http://%s:%d", host, port)
		v := newVisitor(t, browser, host, base)
		v.open("/set")
		v.open("/probe")
		mu.Lock()
		got := slices.Sorted(slices.Values(sent[host]))
		mu.Unlock()
		kind := "other"
		if host == "127.0.0.1" || host == "localhost" {
			kind = "loopback"
		}
		t.Logf("Chromium over %s kept and sent back: %s", base, strings.Join(got, ", "))
		if !slices.Equal(got, want[kind]) {
			t.Errorf("over %s the browser sent back %v, want %v", base, got, want[kind])
		}
	}
}

// nonLoopbackIP returns an IPv4 address of this machine that is not loopback,
// or "" when there is none.
func nonLoopbackIP() string {
	addrs, err := net.InterfaceAddrs()
	if err != nil {
		return ""
	}
	for _, a := range addrs {
		if n, ok := a.(*net.IPNet); ok && !n.IP.IsLoopback() && n.IP.To4() != nil {
			return n.IP.String()
		}
	}
	return ""
}
