package session_test

import (
	"bytes"
	"strings"
	"testing"
)

// TestNoStoreCallWithoutValidCookie: requests without a cookie or with a
// malformed one cost no store call, and one that sets nothing gets no cookie
// (but Vary: Cookie: the anonymous page differs from a logged-in one).
func TestNoStoreCallWithoutValidCookie(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		r := h.bare().do("GET", "/get", "")
		if r.code != 200 || len(r.setCookies()) != 0 || r.header.Get("Vary") != "Cookie" {
			t.Fatalf("anonymous read: %d, Set-Cookie %q, Vary %q", r.code, r.setCookies(), r.header.Get("Vary"))
		}
		valid := strings.Repeat("A", 43)
		garbage := []string{
			cookieName + "=",
			cookieName + "=short",
			cookieName + "=" + valid + "A",                   // too long
			cookieName + "=" + strings.Repeat("A", 4096),     // oversized
			cookieName + "=" + valid[:42] + "B",              // non-zero trailing bits: a second spelling
			cookieName + "=" + valid[:42] + "=",              // padding
			cookieName + "=" + valid[:20] + "+" + valid[21:], // standard, not URL, alphabet
			cookieName + "=" + valid[:20] + "é" + valid[22:],
			cookieName,
			"other=" + valid,
		}
		for _, ck := range garbage {
			r := h.bare().do("GET", "/get", ck)
			if r.code != 200 || r.body != describe0 {
				t.Fatalf("cookie %q: %d %q", ck, r.code, r.body)
			}
		}
		if n := h.store.Calls(""); n != 0 {
			t.Fatalf("%d store calls for requests without a valid cookie", n)
		}
		// A garbage cookie is replaced once the visitor sets something.
		r = h.bare().do("POST", "/set?name=new", cookieName+"=garbage")
		if sc := r.setCookies(); len(sc) != 1 || r.clearsCookie() || h.store.Calls("Create") != 1 {
			t.Fatalf("Set-Cookie %q, Create calls %d", sc, h.store.Calls("Create"))
		}
		// A well-formed token of no session: one Load, anonymous, cookie cleared.
		r = h.bare().do("GET", "/get", cookieName+"="+valid)
		if r.body != describe0 || h.store.Calls("Load") != 1 || !r.clearsCookie() {
			t.Fatalf("unknown token: %q, Loads %d, Set-Cookie %q", r.body, h.store.Calls("Load"), r.setCookies())
		}
	})
}

// TestStoreUnavailable: during an outage requests get 503, no session is
// created and no cookie is sent or cleared, so nobody is logged out; after
// it, the same cookie works again.
func TestStoreUnavailable(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.post("/set?name=before").mustOK(t)
		cookie := c.sessionCookie()

		h.store.down.Store(true)
		for _, r := range []result{c.get("/get"), c.post("/set?name=during"), h.client().post("/set?name=newcomer")} {
			if r.code != 503 || len(r.setCookies()) != 0 || strings.Contains(r.body, "switched off") {
				t.Fatalf("during outage: %d %q, Set-Cookie %q", r.code, r.body, r.setCookies())
			}
		}
		if h.events.Count("store_unavailable") == 0 {
			t.Fatal("no store_unavailable event")
		}
		h.store.down.Store(false)

		if got := c.get("/get").mustOK(t).body; !strings.Contains(got, "name=before") || c.sessionCookie() != cookie {
			t.Fatalf("after outage: %q", got)
		}
	})
}

// TestUndecodableRow: a row that no longer decodes is reset, not a 500 loop:
// the visitor gets a fresh session under a new token and goes on.
func TestUndecodableRow(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.post("/set?name=doomed").mustOK(t)
		old := c.sessionCookie()
		key := keyOf(t, old)
		rec, err := h.store.Store.Load(t.Context(), key, h.clock.Now())
		if err != nil {
			t.Fatal(err)
		}
		rec.Data = []byte{0xc1} // a byte msgpack never uses
		if _, err := h.store.Store.Save(t.Context(), rec, h.clock.Now()); err != nil {
			t.Fatal(err)
		}

		r := c.get("/get").mustOK(t)
		if r.body != describe0 || len(r.setCookies()) != 1 || c.sessionCookie() == old || c.sessionCookie() == "" {
			t.Fatalf("reset: %q, Set-Cookie %q", r.body, r.setCookies())
		}
		if h.events.Count("decode_failed") != 1 {
			t.Fatalf("decode_failed events = %d", h.events.Count("decode_failed"))
		}
		// The unreadable row is somebody's data: it is left as it was (a rollback
		// may make it readable again), only no longer used by this visitor.
		if kept, err := h.store.Store.Load(t.Context(), key, h.clock.Now()); err != nil || !bytes.Equal(kept.Data, rec.Data) {
			t.Fatalf("the unreadable row was not left in place: %v", err)
		}
		c.post("/set?name=reborn").mustOK(t)
		if got := c.get("/get").mustOK(t).body; !strings.Contains(got, "name=reborn") {
			t.Fatalf("after reset: %q", got)
		}
		if h.events.Count("decode_failed") != 1 {
			t.Fatal("the reset did not stick")
		}
	})
}
