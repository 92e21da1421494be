package session_test

import (
	"encoding/hex"
	"strings"
	"testing"
	"time"
)

// TestRotationWithInFlightOldToken: a login rotates the token while other
// requests of the same visitor are in flight with the old one. They keep
// working during the grace window and their writes land in the rotated
// session, but none of them sends a cookie (which could only be the old
// token), none can rotate again, and after the grace window the old token is
// dead while the new one lives.
func TestRotationWithInFlightOldToken(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.post("/set?name=anon").mustOK(t)
		old := c.sessionCookie()
		oldCookie := "session=" + old

		// Requests that loaded the session with the old token before the login.
		inflight := []string{"flash=f1", "theme=t1", "cart=x,y"}
		results := make(chan result, len(inflight))
		for _, q := range inflight {
			go func() { results <- h.bare().do("POST", "/set?hold=flight&"+q, oldCookie) }()
		}
		h.waitArrived(len(inflight))

		login := c.post("/rotate?user=u1").mustOK(t)
		fresh := c.sessionCookie()
		if fresh == "" || fresh == old || len(login.setCookies()) != 1 {
			t.Fatalf("rotation did not replace the cookie: old %s new %s (%q)", old, fresh, login.setCookies())
		}

		// A request that arrives with the old token after the rotation.
		late := h.bare().do("POST", "/set?name=late", oldCookie).mustOK(t)
		// One that tries to rotate again with the old token.
		again := h.bare().do("POST", "/rotate", oldCookie).mustOK(t)
		h.open("flight")
		for _, r := range append([]result{late, again}, <-results, <-results, <-results) {
			if r.code != 200 || len(r.setCookies()) != 0 {
				t.Fatalf("old-token request: %d %q, Set-Cookie %q; want 200 and no cookie", r.code, r.body, r.setCookies())
			}
		}
		if got := c.sessionCookie(); got != fresh {
			t.Fatalf("the browser's cookie changed to %s", got)
		}
		want := "name=late count=0 cart=x,y flash=f1 user=u1 role= theme=t1"
		if got := c.get("/get").mustOK(t).body; got != want {
			t.Fatalf("after rotation\n got %q\nwant %q", got, want)
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
