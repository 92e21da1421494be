package session_test

import (
	"encoding/hex"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// TestRefreshTokenWithInFlightOldToken: RefreshToken replaces the token
// while other requests of the same visitor are in flight with the old one.
// They keep working during the grace window and their writes land in the
// session, but none of them sends a cookie (which could only be the old
// token), none can refresh again, and after the grace window the old token
// is dead while the new one lives.
func TestRefreshTokenWithInFlightOldToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		// Requests that loaded the session with the old token before the refresh.
		c, old, oldCookie, inFlight := writesInFlight(h)

		refresh := c.post("/refresh?role=r1").mustOK(t)
		fresh := c.sessionCookie()
		if fresh == "" || fresh == old || len(refresh.setCookies()) != 1 {
			t.Fatalf("refresh did not replace the cookie: old %s new %s (%q)", old, fresh, refresh.setCookies())
		}

		// A request that arrives with the old token after the refresh.
		late := h.bare().do("POST", "/set?name=late", oldCookie).mustOK(t)
		// One that tries to refresh again with the old token.
		again := h.bare().do("POST", "/refresh", oldCookie).mustOK(t)
		h.Open("flight")
		for _, r := range append([]result{late, again}, inFlight()...) {
			if r.code != 200 || len(r.setCookies()) != 0 {
				t.Fatalf("old-token request: %d %q, Set-Cookie %q; want 200 and no cookie", r.code, r.body, r.setCookies())
			}
		}
		if got := c.sessionCookie(); got != fresh {
			t.Fatalf("the browser's cookie changed to %s", got)
		}
		want := "name=late count=0 cart=x,y flash=f1 user= role=r1 theme=t1"
		if got := c.get("/get").mustOK(t).body; got != want {
			t.Fatalf("after the refresh\n got %q\nwant %q", got, want)
		}
		if n := h.store.Calls("Rotate"); n != 1 {
			t.Fatalf("Rotate calls = %d, want 1", n)
		}

		h.clock.Advance(h.mgr.RotateGrace + 1)
		if r := h.bare().do("GET", "/get", oldCookie); r.body != describe0 {
			t.Fatalf("old token after the grace window: %q", r.body)
		}
		if got := c.get("/get").mustOK(t).body; got != want {
			t.Fatalf("new token after the grace window: %q", got)
		}
	})
}

// TestLoginRetiresOldToken: Rotate (a login) leaves the pre-login token
// nothing. Requests in flight with it when the login happens, and requests
// that come with it afterwards, cannot write (409, ErrSuperseded), read
// nothing, and never touch the browser's new cookie; a login through the
// retired token starts a separate session under a fresh token instead of
// writing into the logged-in one.
func TestLoginRetiresOldToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c, old, oldCookie, inFlight := writesInFlight(h)

		login := c.post("/rotate?user=u1").mustOK(t)
		fresh := c.sessionCookie()
		if fresh == "" || fresh == old || len(login.setCookies()) != 1 {
			t.Fatalf("login did not replace the cookie: old %s new %s (%q)", old, fresh, login.setCookies())
		}

		read := h.bare().do("GET", "/get", oldCookie)
		late := h.bare().do("POST", "/set?name=late", oldCookie)
		h.Open("flight")
		for _, r := range append([]result{late}, inFlight()...) {
			if r.code != http.StatusConflict || len(r.setCookies()) != 0 {
				t.Fatalf("write through the retired token: %d %q, Set-Cookie %q; want 409 and no cookie\n%s", r.code, r.body, r.setCookies(), h.logs.String())
			}
		}
		if read.code != 200 || read.body != describe0 || len(read.setCookies()) != 0 {
			t.Fatalf("read through the retired token: %d %q, Set-Cookie %q; want an anonymous page and no cookie", read.code, read.body, read.setCookies())
		}
		want := "name=anon count=0 cart= flash= user=u1 role= theme="
		if got := c.get("/get").mustOK(t).body; got != want {
			t.Fatalf("after the login\n got %q\nwant %q", got, want)
		}

		// A login through the retired token gets a session of its own.
		other := h.bare().do("POST", "/rotate?user=u2", oldCookie).mustOK(t)
		if sc := other.setCookies(); len(sc) != 1 || strings.Contains(sc[0], old) || strings.Contains(sc[0], fresh) ||
			other.body != "name= count=0 cart= flash= user=u2 role= theme=" {
			t.Fatalf("login through the retired token: %q, Set-Cookie %q", other.body, sc)
		}
		if got := c.get("/get").mustOK(t).body; got != want {
			t.Fatalf("the login through the retired token changed the session: %q", got)
		}
		if got := c.sessionCookie(); got != fresh {
			t.Fatalf("the browser's cookie changed to %s", got)
		}
		if h.events.Count(session.EventSuperseded) == 0 {
			t.Error("no superseded event")
		}

		h.clock.Advance(h.mgr.RotateGrace + 1)
		if r := h.bare().do("GET", "/get", oldCookie); r.body != describe0 || !r.clearsCookie() {
			t.Fatalf("old token after the window: %q, Set-Cookie %q; want anonymous and cleared", r.body, r.setCookies())
		}
		if got := c.get("/get").mustOK(t).body; got != want {
			t.Fatalf("new token after the window: %q", got)
		}
	})
}

// writesInFlight starts the token-replacement scenarios: a browser c whose
// session is named anon, and three writes sent with its token that have
// loaded the session and parked at gate "flight" when it returns. It returns
// the token, the Cookie header carrying it, and a function that waits for the
// writes' answers (they come once the test opens the gate).
func writesInFlight(h *harness) (c *client, old, oldCookie string, answers func() []result) {
	c = h.client()
	c.post("/set?name=anon").mustOK(h.t)
	old = c.sessionCookie()
	oldCookie = cookieName + "=" + old
	writes := []string{"flash=f1", "theme=t1", "cart=x,y"}
	results := make(chan result, len(writes))
	for _, q := range writes {
		go func() { results <- h.bare().do("POST", "/set?hold=flight&"+q, oldCookie) }()
	}
	h.WaitArrived(len(writes))
	return c, old, oldCookie, func() []result {
		rs := make([]result, len(writes))
		for i := range rs {
			rs[i] = <-results
		}
		return rs
	}
}

// TestOwnerChangeRotates: a handler that changes the owner without calling
// Rotate still gets a privilege rotation: the token changes and the old one
// loads nothing. Clearing the owner (a logout that keeps the cart) rotates too.
func TestOwnerChangeRotates(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.post("/set?name=anon").mustOK(t)
		anon := c.sessionCookie()
		r := c.post("/set?user=u1").mustOK(t)
		loggedIn := c.sessionCookie()
		if len(r.setCookies()) != 1 || loggedIn == anon {
			t.Fatalf("owner change without Rotate kept the token (Set-Cookie %q)", r.setCookies())
		}
		if got := h.bare().do("GET", "/get", cookieName+"="+anon).body; got != describe0 {
			t.Fatalf("pre-login token after the owner change: %q", got)
		}
		c.post("/set?user=").mustOK(t)
		if out := c.sessionCookie(); out == loggedIn || out == "" {
			t.Fatalf("clearing the owner kept the token")
		}
		if got := h.bare().do("GET", "/get", cookieName+"="+loggedIn).body; got != describe0 {
			t.Fatalf("logged-in token after the owner was cleared: %q", got)
		}
		if got := c.get("/get").mustOK(t).body; got != "name=anon count=0 cart= flash= user= role= theme=" {
			t.Fatalf("after the owner changes: %q", got)
		}
	})
}

// TestRotateNewSession: rotating a session that is not stored yet just means
// it is created under a fresh token; nothing is rotated in the store.
func TestRotateNewSession(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.client()
		r := c.post("/rotate?user=u1").mustOK(t)
		if len(r.setCookies()) != 1 || h.store.Calls("Rotate") != 0 || h.store.Calls("Create") != 1 {
			t.Fatalf("Set-Cookie %q, calls %v", r.setCookies(), h.store.calls)
		}
		if got := c.get("/get").mustOK(t).body; !strings.Contains(got, "user=u1") {
			t.Fatalf("got %q", got)
		}
	})
}

// TestDevicesAndRevocation: a user's sessions are listed; revoking the others
// makes their next request anonymous; revoking all ends the current one too.
func TestDevicesAndRevocation(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		laptop, phone, other := h.client(), h.client(), h.client()
		laptop.post("/rotate?user=u1&name=laptop").mustOK(t)
		h.clock.Advance(time.Second) // distinct creation times (PostgreSQL keeps µs): newest first
		phone.post("/rotate?user=u1&name=phone").mustOK(t)
		other.post("/rotate?user=u2&name=other").mustOK(t)

		list := laptop.get("/devices").mustOK(t).body
		if lines := strings.Split(strings.TrimSpace(list), "\n"); len(lines) != 2 ||
			!strings.HasSuffix(lines[1], "current=true") || !strings.HasSuffix(lines[0], "current=false") {
			t.Fatalf("devices of u1:\n%s", list)
		}
		if n := laptop.post("/revoke").mustOK(t).body; n != "1" {
			t.Fatalf("RevokeOthers ended %s sessions, want 1", n)
		}
		if got := phone.get("/get").mustOK(t).body; got != describe0 {
			t.Fatalf("revoked phone still has %q", got)
		}
		if got := other.get("/get").mustOK(t).body; !strings.Contains(got, "name=other") {
			t.Fatalf("another user's session was revoked: %q", got)
		}
		if got := laptop.get("/get").mustOK(t).body; !strings.Contains(got, "name=laptop") {
			t.Fatalf("the current session was revoked: %q", got)
		}
		r := laptop.post("/revoke?all=1").mustOK(t)
		if sc := r.setCookies(); !r.clearsCookie() {
			t.Fatalf("RevokeAll: Set-Cookie %q", sc)
		}
		if got := laptop.get("/get").mustOK(t).body; got != describe0 {
			t.Fatalf("after RevokeAll: %q", got)
		}
	})
}

// TestRevokeDevice: a user ends one chosen other session; a stranger's key or
// an unknown one ends nothing (ErrNotFound); the current key is a logout.
func TestRevokeDevice(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		laptop, phone, tablet, stranger := h.client(), h.client(), h.client(), h.client()
		for _, c := range []struct {
			cl   *client
			user string
		}{{laptop, "u1"}, {phone, "u1"}, {tablet, "u1"}, {stranger, "u2"}} {
			c.cl.post("/rotate?user=" + c.user + "&name=" + c.user).mustOK(t)
		}
		hexKey := func(c *client) string { k := keyOf(t, c.sessionCookie()); return hex.EncodeToString(k[:]) }
		strangerKey, phoneKey := hexKey(stranger), hexKey(phone)

		for _, key := range []string{strangerKey, strings.Repeat("ab", 32)} {
			if got := laptop.post("/revoke-device?key=" + key).mustOK(t).body; !strings.HasPrefix(got, "not found=true") {
				t.Fatalf("revoking a session that is not u1's: %q", got)
			}
		}
		if got := stranger.get("/get").mustOK(t).body; !strings.Contains(got, "name=u2") {
			t.Fatalf("the stranger's session was ended: %q", got)
		}
		if got := laptop.post("/revoke-device?key=" + phoneKey).mustOK(t).body; got != "revoked" {
			t.Fatalf("revoking the phone: %q", got)
		}
		if got := phone.get("/get").mustOK(t).body; got != describe0 {
			t.Fatalf("revoked phone still has %q", got)
		}
		if got := tablet.get("/get").mustOK(t).body; !strings.Contains(got, "name=u1") {
			t.Fatalf("the tablet was ended too: %q", got)
		}
		if h.events.Count("revoked") == 0 {
			t.Error("no revoked event")
		}
		r := laptop.post("/revoke-device?key=" + hexKey(laptop)).mustOK(t)
		if r.body != "revoked" || !r.clearsCookie() {
			t.Fatalf("revoking the current device: %q, Set-Cookie %q", r.body, r.setCookies())
		}
		if got := laptop.get("/get").mustOK(t).body; got != describe0 {
			t.Fatalf("after revoking itself: %q", got)
		}
	})
}
