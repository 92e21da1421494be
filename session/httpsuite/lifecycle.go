package httpsuite

import (
	"fmt"
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
	a.waitArrived(slow)
	tab.post("/logout").mustOK(t)
	a.open("slow")
	for range slow {
		if r := (<-results).mustOK(t); !r.clearsCookie() {
			t.Errorf("slow request after logout: Set-Cookie %q, want a clearing cookie", r.cookies)
		}
	}
	if got := a.withCookie("session=" + cookie).get("/get").body; got != emptyShopper {
		t.Fatalf("the logged-out cookie still loads: %q", got)
	}
	if n, err := store.Count(t.Context(), c.Now()); err != nil || n.Live != 0 {
		t.Fatalf("Count after logout = %+v, %v: a slow write brought the session back", n, err)
	}
	if n := a.metrics.storeCalls("Create"); n != 1 {
		t.Fatalf("Create calls = %d: a slow write recreated the session", n)
	}
}

// rotationWithInFlightOldToken: a login rotates the token while requests with
// the old one are in flight; they keep working during the grace window and
// their writes land in the rotated session, none of them sends a cookie or
// rotates again, and after the window only the new token works.
func rotationWithInFlightOldToken(t *testing.T, store session.Store) {
	c := &clock{now: t0}
	a := newApp(t, store, c)
	tab := a.browser()
	tab.post("/set?name=anon").mustOK(t)
	old := "session=" + tab.cookie()
	inflight := []string{"flash=f1", "theme=t1", "slot=2&v=9"}
	results := make(chan response, len(inflight))
	for _, q := range inflight {
		go func() { results <- a.withCookie(old).post("/set?hold=flight&" + q) }()
	}
	a.waitArrived(len(inflight))
	login := tab.post("/rotate?user=u1").mustOK(t)
	if len(login.cookies) != 1 || "session="+tab.cookie() == old {
		t.Fatalf("rotation did not replace the cookie: %q", login.cookies)
	}
	late := a.withCookie(old).post("/set?name=late").mustOK(t)
	again := a.withCookie(old).post("/rotate").mustOK(t)
	a.open("flight")
	for _, r := range []response{late, again, <-results, <-results, <-results} {
		if r.code != 200 || len(r.cookies) != 0 {
			t.Fatalf("old-token request: %d %q, Set-Cookie %q; want 200 and no cookie", r.code, r.body, r.cookies)
		}
	}
	want := describe(&Shopper{Name: "late", Flash: "f1", UserID: "u1", Theme: "t1", S2: 9})
	if got := tab.get("/get").mustOK(t).body; got != want {
		t.Fatalf("after rotation\n got %q\nwant %q", got, want)
	}
	c.Advance(a.mgr.RotateGrace + 1)
	if got := a.withCookie(old).get("/get").body; got != emptyShopper {
		t.Fatalf("old token after the grace window: %q", got)
	}
	if got := tab.get("/get").mustOK(t).body; got != want {
		t.Fatalf("new token after the grace window: %q", got)
	}
}
