package session_test

import (
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

// Browsers of the device tests.
const (
	firefoxLinux  = "Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/133.0"
	safariIPhone  = "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1"
	chromeWindows = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)

// deviceRoutes adds the routes of the device and remember-me tests:
//
//	POST /login?user=U[&remember=1]  rotates, sets the owner and remember-me
//	POST /remember?on=0|1            changes remember-me only
//	GET  /device-list                one line per device, every detail
func deviceRoutes(h *harness) {
	h.mux.HandleFunc("POST /login", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		if err := s.Rotate(r.Context()); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		s.SetUserID(r.URL.Query().Get("user"))
		if err := s.SetRememberMe(r.URL.Query().Has("remember")); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
		}
	})
	h.mux.HandleFunc("POST /remember", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		if err := s.SetRememberMe(r.URL.Query().Get("on") == "1"); err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		fmt.Fprint(w, s.RememberMe())
	})
	h.mux.HandleFunc("GET /device-list", func(w http.ResponseWriter, r *http.Request) {
		ds, err := h.mgr.From(r.Context()).Devices(r.Context())
		if err != nil {
			http.Error(w, err.Error(), http.StatusInternalServerError)
			return
		}
		for _, d := range ds {
			ip := "none"
			if d.IPPrefix.IsValid() {
				ip = d.IPPrefix.String()
			}
			fmt.Fprintf(w, "browser=%q os=%q ip=%s created=%s active=%s remember=%v current=%v\n",
				d.Browser, d.OS, ip, d.CreatedAt.UTC().Format(time.TimeOnly),
				d.LastActive.UTC().Format(time.TimeOnly), d.RememberMe, d.Current)
		}
	})
}

// headerTransport adds fixed headers to every request: a browser's
// User-Agent, a proxy's X-Forwarded-For.
type headerTransport struct {
	base   http.RoundTripper
	header http.Header
}

func (t headerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	r = r.Clone(r.Context())
	for k, v := range t.header {
		r.Header[k] = v
	}
	return t.base.RoundTrip(r)
}

// browser returns a client (own cookie jar) that sends header on every
// request.
func (h *harness) browser(header http.Header) *client {
	c := h.client()
	c.c.Transport = headerTransport{base: h.transport, header: header}
	return c
}

// TestDeviceDetails: a session records the browser, system and network
// prefix of the request that created it; Devices shows them with the sign-in
// time and a last-active time that follows touches; a session created
// without a User-Agent shows none.
func TestDeviceDetails(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		deviceRoutes(h)
		laptop := h.browser(http.Header{"User-Agent": {firefoxLinux}})
		phone := h.browser(http.Header{"User-Agent": {safariIPhone}})
		script := h.browser(http.Header{"User-Agent": {""}})
		laptop.post("/login?user=u1").mustOK(t)
		h.clock.Advance(time.Minute)
		phone.post("/login?user=u1").mustOK(t)
		h.clock.Advance(time.Minute)
		script.post("/login?user=u1").mustOK(t)

		// The laptop is used again after half the idle timeout: a touch.
		h.clock.Advance(h.mgr.IdleTimeout / 2)
		laptop.get("/get").mustOK(t)
		if h.store.Calls("Touch") != 1 {
			t.Fatalf("%d touches, want 1", h.store.Calls("Touch"))
		}
		at := func(d time.Duration) string { return t0.Add(d).Format(time.TimeOnly) }
		touched := 2*time.Minute + h.mgr.IdleTimeout/2
		want := strings.Join([]string{
			`browser="" os="" ip=127.0.0.0/24 created=` + at(2*time.Minute) + ` active=` + at(2*time.Minute) + ` remember=false current=false`,
			`browser="Safari 17" os="iOS" ip=127.0.0.0/24 created=` + at(time.Minute) + ` active=` + at(time.Minute) + ` remember=false current=false`,
			`browser="Firefox 133" os="Linux" ip=127.0.0.0/24 created=` + at(0) + ` active=` + at(touched) + ` remember=false current=true`,
		}, "\n")
		if got := strings.TrimSpace(laptop.get("/device-list").mustOK(t).body); got != want {
			t.Fatalf("devices:\n%s\nwant:\n%s", got, want)
		}
	})
}

// TestDeviceDetailsBehindProxy: with ClientIPHeader named, the prefix comes
// from the last element of that header (the one the trusted proxy added), not
// from the proxy's own address or an element the client wrote; a request
// without the header records no prefix rather than the proxy's.
func TestDeviceDetailsBehindProxy(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		deviceRoutes(h)
		h.mgr.ClientIPHeader = "x-forwarded-for" // any spelling: it is canonicalised
		v4 := h.browser(http.Header{"User-Agent": {chromeWindows}, "X-Forwarded-For": {"6.6.6.6, 203.0.113.77"}})
		v6 := h.browser(http.Header{"User-Agent": {chromeWindows}, "X-Forwarded-For": {"2001:db8:abcd:12::1"}})
		direct := h.browser(http.Header{"User-Agent": {chromeWindows}})
		for _, c := range []*client{v4, v6, direct} {
			c.post("/login?user=u1").mustOK(t)
			h.clock.Advance(time.Second)
		}
		var ips []string
		for line := range strings.Lines(v4.get("/device-list").mustOK(t).body) {
			_, rest, _ := strings.Cut(line, " ip=")
			ip, _, _ := strings.Cut(rest, " ")
			ips = append(ips, ip)
		}
		if got := strings.Join(ips, " "); got != "none 2001:db8:abcd::/48 203.0.113.0/24" {
			t.Fatalf("prefixes newest first: %s", got)
		}
	})
}

// TestOmitDeviceDetails: a manager told not to record device details records
// neither a browser nor a prefix.
func TestOmitDeviceDetails(t *testing.T) {
	h := newHarness(t, stores[0].open(t))
	deviceRoutes(h)
	h.mgr.OmitDeviceDetails = true
	c := h.browser(http.Header{"User-Agent": {firefoxLinux}})
	c.post("/login?user=u1").mustOK(t)
	if got := c.get("/device-list").mustOK(t).body; !strings.HasPrefix(got, `browser="" os="" ip=none `) {
		t.Fatalf("devices: %s", got)
	}
}

// TestClientIPHeaderChecked: a header name that is not one fails at startup.
func TestClientIPHeaderChecked(t *testing.T) {
	h := newHarness(t, stores[0].open(t))
	h.mgr.ClientIPHeader = "X-Forwarded-For: 1.2.3.4"
	if err := h.mgr.Check(); err == nil || !strings.Contains(err.Error(), "ClientIPHeader") {
		t.Fatalf("Check() = %v, want an error naming ClientIPHeader", err)
	}
}

// maxAge returns the Max-Age of the only Set-Cookie of r, -1 when it has
// none (a browser-session cookie), and the cookie's value.
func maxAge(t *testing.T, r result) (age int, value string) {
	t.Helper()
	sc := r.setCookies()
	if len(sc) != 1 {
		t.Fatalf("Set-Cookie %q, want one", sc)
	}
	nv, set := attrs(sc[0])
	_, value, _ = strings.Cut(nv, "=")
	v, ok := set["max-age"]
	if !ok {
		return -1, value
	}
	age, err := strconv.Atoi(v)
	if err != nil {
		t.Fatalf("Max-Age %q", v)
	}
	return age, value
}

// TestRememberMe: the choice is per session: a remembered session's cookie
// carries a Max-Age that ends with its own absolute expiry, another session
// of the same manager gets a browser-session cookie. The choice is stored:
// later saves keep it, Devices shows it, and changing it alone saves it and
// sends the same token again with the new lifetime.
func TestRememberMe(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		deviceRoutes(h)
		lifetime := int(h.mgr.Lifetime / time.Second)
		kept, plain := h.client(), h.client()
		if age, _ := maxAge(t, kept.post("/login?user=u1&remember=1").mustOK(t)); age != lifetime {
			t.Fatalf("remembered login: Max-Age %d, want %d", age, lifetime)
		}
		h.clock.Advance(time.Second) // distinct creation times: newest first
		if age, _ := maxAge(t, plain.post("/login?user=u1").mustOK(t)); age != -1 {
			t.Fatalf("login without remember-me: Max-Age %d, want none", age)
		}

		// A save of another field keeps the choice.
		h.clock.Advance(10 * time.Minute)
		kept.post("/set?name=x").mustOK(t)
		remembered := func() string {
			var flags []string
			for line := range strings.Lines(kept.get("/device-list").mustOK(t).body) {
				_, flag, _ := strings.Cut(line, " remember=")
				flags = append(flags, "remember="+strings.Fields(flag)[0])
			}
			return strings.Join(flags, " ")
		}
		if got := remembered(); got != "remember=false remember=true" {
			t.Fatalf("stored choices, newest first: %s", got)
		}

		// Changing it alone saves it, and sends the same token with the
		// lifetime that is left of this session.
		token := kept.sessionCookie()
		saves := h.store.Calls("Save")
		age, value := maxAge(t, kept.post("/remember?on=0").mustOK(t))
		if age != -1 || value != token || h.store.Calls("Save") != saves+1 {
			t.Fatalf("remember-me off: Max-Age %d, same token %v, %d saves", age, value == token, h.store.Calls("Save")-saves)
		}
		if got := remembered(); got != "remember=false remember=false" {
			t.Fatalf("after turning it off: %s", got)
		}
		age, value = maxAge(t, kept.post("/remember?on=1").mustOK(t))
		if want := lifetime - 601; age != want || value != token {
			t.Fatalf("remember-me on again: Max-Age %d, want %d (the session's own end); same token %v", age, want, value == token)
		}
		// Asking for what is already stored writes nothing and sends nothing.
		if r := kept.post("/remember?on=1").mustOK(t); len(r.setCookies()) != 0 || h.store.Calls("Save") != saves+2 {
			t.Fatalf("unchanged remember-me: Set-Cookie %q, %d saves", r.setCookies(), h.store.Calls("Save")-saves)
		}
	})
}

// TestRememberMeAfterHeader: once the header is out the choice cannot reach
// the browser, so it is refused and nothing changes.
func TestRememberMeAfterHeader(t *testing.T) {
	h := newHarness(t, stores[0].open(t))
	h.mux.HandleFunc("POST /late", func(w http.ResponseWriter, r *http.Request) {
		s := h.mgr.From(r.Context())
		io.WriteString(w, "streaming\n")
		fmt.Fprint(w, s.SetRememberMe(true), s.RememberMe())
	})
	c := h.client()
	c.post("/set?name=x").mustOK(t)
	if got := c.post("/late").mustOK(t).body; !strings.HasSuffix(got, "response header already written false") {
		t.Fatalf("late SetRememberMe: %q", got)
	}
}

// TestRememberMeOutsideHTTP: a session created outside a request (Load,
// Commit, Cookie) takes the choice too, and records no device details: there
// is no request to read them from.
func TestRememberMeOutsideHTTP(t *testing.T) {
	h := newHarness(t, stores[0].open(t))
	deviceRoutes(h)
	for _, remember := range []bool{true, false} {
		ctx, s := h.detached("")
		s.SetUserID("u1")
		if err := s.SetRememberMe(remember); err != nil {
			t.Fatal(err)
		}
		if err := s.Commit(ctx); err != nil {
			t.Fatal(err)
		}
		c := h.issued(s)
		if want := map[bool]int{true: int(h.mgr.Lifetime / time.Second), false: 0}[remember]; c == nil || c.MaxAge != want {
			t.Fatalf("remember=%v: Cookie() = %v, want Max-Age %d", remember, c, want)
		}
		ds, err := s.Devices(ctx)
		if err != nil || len(ds) == 0 || ds[0].RememberMe != remember || ds[0].Browser != "" || ds[0].IPPrefix.IsValid() {
			t.Fatalf("remember=%v: Devices() = %+v, %v", remember, ds, err)
		}
		h.clock.Advance(time.Second) // the next one is newer: first in the list
	}
}

// TestRotationKeepsRememberMeAndRecordsTheSignIn: a rotation (a login) keeps
// the session's remember-me, sends the new token with the lifetime left of
// the session, and records the browser and network of the request that
// rotated, replacing those of the one that created the session.
func TestRotationKeepsRememberMeAndRecordsTheSignIn(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		deviceRoutes(h)
		h.mgr.ClientIPHeader = "X-Real-IP"
		header := http.Header{"User-Agent": {firefoxLinux}, "X-Real-Ip": {"198.51.100.20"}}
		b := h.browser(header) // the transport reads header on every request
		b.post("/set?name=x").mustOK(t)
		b.post("/remember?on=1").mustOK(t)
		h.clock.Advance(time.Minute)
		header.Set("User-Agent", safariIPhone)
		header.Set("X-Real-Ip", "2001:db8:abcd:12::1")
		before := b.sessionCookie()
		age, token := maxAge(t, b.post("/rotate?user=u1").mustOK(t))
		if want := int(h.mgr.Lifetime/time.Second) - 60; age != want || token == before {
			t.Fatalf("rotation: Max-Age %d, want %d; new token %v", age, want, token != before)
		}
		got := b.get("/device-list").mustOK(t).body
		if want := `browser="Safari 17" os="iOS" ip=2001:db8:abcd::/48 `; !strings.HasPrefix(got, want) ||
			!strings.Contains(got, "remember=true current=true") {
			t.Fatalf("after the rotation: %s", got)
		}
	})
}
