package httpsuite

import (
	"fmt"
	"net/http"
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// emptyShopper is how a session without data renders.
var emptyShopper = describe(&Shopper{})

// logoutWinsOverSlowWrites: requests that loaded the session before a logout
// and save after it do not bring it back, and each tells the browser to drop
// the cookie.
func logoutWinsOverSlowWrites(t *testing.T, store session.Store) {
	c := &clock{now: t0}
	a := newApp(t, store, c)
	tab := a.browser()
	tab.post("/set?user=u1&name=alice").mustOK(t)
	cookie := tab.cookie()
	const slow = 4
	results := make(chan response, slow)
	for i := range slow {
		go func() { results <- tab.post(fmt.Sprintf("/set?hold=slow&flash=late%d&slot=%d&v=1", i, i)) }()
	}
	a.WaitArrived(slow)
	tab.post("/logout").mustOK(t)
	a.Open("slow")
	for range slow {
		if r := (<-results).mustOK(t); !r.clearsCookie() {
			t.Errorf("slow request after logout: Set-Cookie %q, want a clearing cookie", r.cookies)
		}
	}
	if got := a.withCookie(a.mgr.CookieName() + "=" + cookie).get("/get").body; got != emptyShopper {
		t.Fatalf("the logged-out cookie still loads: %q", got)
	}
	if n, err := store.Count(t.Context(), c.Now()); err != nil || n.Live != 0 {
		t.Fatalf("Count after logout = %+v, %v: a slow write brought the session back", n, err)
	}
	if n := a.metrics.storeCalls("Create"); n != 1 {
		t.Fatalf("Create calls = %d: a slow write recreated the session", n)
	}
}

// refreshWithInFlightOldToken: RefreshToken replaces the token while requests
// with the old one are in flight; they keep working during the grace window
// and their writes land in the session, none of them sends a cookie or
// refreshes again, and after the window only the new token works.
func refreshWithInFlightOldToken(t *testing.T, store session.Store) {
	c, a, tab, old, results := withWritesInFlight(t, store)
	refresh := tab.post("/refresh?role=r1").mustOK(t)
	if len(refresh.cookies) != 1 || a.mgr.CookieName()+"="+tab.cookie() == old {
		t.Fatalf("the refresh did not replace the cookie: %q", refresh.cookies)
	}
	late := a.withCookie(old).post("/set?name=late").mustOK(t)
	again := a.withCookie(old).post("/refresh").mustOK(t)
	a.Open("flight")
	for _, r := range append([]response{late, again}, collect(results)...) {
		if r.code != 200 || len(r.cookies) != 0 {
			t.Fatalf("old-token request: %d %q, Set-Cookie %q; want 200 and no cookie", r.code, r.body, r.cookies)
		}
	}
	want := describe(&Shopper{Name: "late", Flash: "f1", Role: "r1", Theme: "t1", S2: 9})
	if got := tab.get("/get").mustOK(t).body; got != want {
		t.Fatalf("after the refresh\n got %q\nwant %q", got, want)
	}
	c.Advance(a.mgr.RotateGrace + 1)
	if got := a.withCookie(old).get("/get").body; got != emptyShopper {
		t.Fatalf("old token after the grace window: %q", got)
	}
	if got := tab.get("/get").mustOK(t).body; got != want {
		t.Fatalf("new token after the grace window: %q", got)
	}
}

// loginRetiresOldToken: a login (Rotate) while requests with the old token
// are in flight: none of them, nor any later request with it, reads or
// writes the logged-in session (writes are refused with 409), none sends or
// clears a cookie, and the browser keeps its new one.
func loginRetiresOldToken(t *testing.T, store session.Store) {
	_, a, tab, old, results := withWritesInFlight(t, store)
	login := tab.post("/rotate?user=u1").mustOK(t)
	fresh := tab.cookie()
	if len(login.cookies) != 1 || a.mgr.CookieName()+"="+fresh == old {
		t.Fatalf("the login did not replace the cookie: %q", login.cookies)
	}
	late := a.withCookie(old).post("/set?name=late")
	a.Open("flight")
	for _, r := range append([]response{late}, collect(results)...) {
		if r.code != http.StatusConflict || len(r.cookies) != 0 {
			t.Fatalf("write through the retired token: %d %q, Set-Cookie %q; want 409 and no cookie", r.code, r.body, r.cookies)
		}
	}
	if r := a.withCookie(old).get("/get"); r.body != emptyShopper || len(r.cookies) != 0 {
		t.Fatalf("read through the retired token: %q, Set-Cookie %q; want an anonymous session and no cookie", r.body, r.cookies)
	}
	want := describe(&Shopper{Name: "anon", UserID: "u1"})
	if got := tab.get("/get").mustOK(t).body; got != want || tab.cookie() != fresh {
		t.Fatalf("after the login\n got %q\nwant %q (cookie kept: %v)", got, want, tab.cookie() == fresh)
	}
}

// inFlightWrites are the writes withWritesInFlight sends with the old token.
var inFlightWrites = []string{"flash=f1", "theme=t1", "slot=2&v=9"}

// withWritesInFlight starts the rotation scenarios: an anonymous session
// named anon, and the writes of inFlightWrites sent with its token, loaded
// and parked at gate "flight" when it returns. It returns the old token as a
// Cookie header and the channel the writes answer on once the gate opens.
func withWritesInFlight(t *testing.T, store session.Store) (*clock, *app, *browser, string, chan response) {
	c := &clock{now: t0}
	a := newApp(t, store, c)
	tab := a.browser()
	tab.post("/set?name=anon").mustOK(t)
	old := a.mgr.CookieName() + "=" + tab.cookie()
	results := make(chan response, len(inFlightWrites))
	for _, q := range inFlightWrites {
		go func() { results <- a.withCookie(old).post("/set?hold=flight&" + q) }()
	}
	a.WaitArrived(len(inFlightWrites))
	return c, a, tab, old, results
}

// collect receives the answers of the writes of inFlightWrites.
func collect(results chan response) []response {
	rs := make([]response, len(inFlightWrites))
	for i := range rs {
		rs[i] = <-results
	}
	return rs
}
