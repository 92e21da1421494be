package redisstore_test

import (
	"fmt"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sessiongen/sessiongen/redisstore"
)

// The session runtime's concurrency scenarios (session/concurrency_test.go,
// session/rotation_test.go), run over HTTPS through the manager on the Redis
// store: on the 3-master cluster and on a single server.

// forEachTarget runs body on a fresh store of each target, in parallel.
func forEachTarget(t *testing.T, body func(t *testing.T, s *redisstore.Store)) {
	for _, tg := range targets {
		t.Run(tg.name, func(t *testing.T) {
			t.Parallel()
			body(t, tg.open(t, redisstore.Options{}))
		})
	}
}

// TestHTTPUpdateCounterIsExact: 16 tabs of one visitor increment a counter
// 100 times each through Update, spread over two application instances that
// share the store: every acknowledged increment is counted, none twice; one
// that ran out of retries is refused with a 409 and retried by the tab.
func TestHTTPUpdateCounterIsExact(t *testing.T) {
	forEachTarget(t, func(t *testing.T, s *redisstore.Store) {
		clock := &fakeClock{now: t0}
		a, b := newWebApp(t, s, clock), newWebApp(t, s, clock)
		tab := a.newVisitor()
		tab.post("/set?name=counter").mustOK(t)
		const workers, each = 16, 100
		var acked, refused atomic.Int64
		var wg sync.WaitGroup
		for i := range workers {
			v := tab
			if i%2 == 1 {
				v = tab.via(b)
			}
			wg.Go(func() {
				for range each {
					for try := 0; ; try++ {
						r := v.post("/incr")
						if r.code == 200 {
							acked.Add(1)
							break
						}
						refused.Add(1)
						if r.code != 409 || try == 10 {
							t.Errorf("increment: %d %s", r.code, r.body)
							return
						}
					}
				}
			})
		}
		wg.Wait()
		if acked.Load() != workers*each {
			t.Fatalf("%d increments acknowledged, want %d", acked.Load(), workers*each)
		}
		if got := tab.get("/get").mustOK(t).body; !strings.Contains(got, fmt.Sprintf("count=%d ", workers*each)) {
			t.Fatalf("after %d acknowledged increments: %s", workers*each, got)
		}
		t.Logf("%d refusals (409) retried", refused.Load())
	})
}

// TestHTTPParallelFieldsAllSurvive: requests that loaded the same version and
// each set a different field all land.
func TestHTTPParallelFieldsAllSurvive(t *testing.T) {
	forEachTarget(t, func(t *testing.T, s *redisstore.Store) {
		a := newWebApp(t, s, &fakeClock{now: t0})
		v := a.newVisitor()
		v.post("/set?name=start").mustOK(t)
		writes := []string{"name=alice", "flash=hello", "theme=dark", "cart=a,b", "user=u1"}
		var wg sync.WaitGroup
		for _, q := range writes {
			wg.Go(func() { v.post("/set?hold=all&" + q).mustOK(t) })
		}
		a.waitArrived(len(writes))
		a.open("all")
		wg.Wait()
		if got, want := v.get("/get").mustOK(t).body, "name=alice count=0 cart=a,b flash=hello user=u1 theme=dark"; got != want {
			t.Fatalf("got  %q\nwant %q", got, want)
		}
	})
}

// TestHTTPLogoutWinsOverSlowWrites: requests that loaded the session before a
// logout and save after it do not bring it back.
func TestHTTPLogoutWinsOverSlowWrites(t *testing.T) {
	forEachTarget(t, func(t *testing.T, s *redisstore.Store) {
		clock := &fakeClock{now: t0}
		a := newWebApp(t, s, clock)
		v := a.newVisitor()
		v.post("/set?user=u1&name=alice").mustOK(t)
		cookie := v.cookie()
		const slow = 4
		results := make(chan response, slow)
		for i := range slow {
			go func() { results <- v.post(fmt.Sprintf("/set?hold=slow&flash=late%d", i)) }()
		}
		a.waitArrived(slow)
		v.post("/logout").mustOK(t)
		a.open("slow")
		for range slow {
			if r := (<-results).mustOK(t); !r.clearsCookie() {
				t.Errorf("slow request after logout: Set-Cookie %q, want a clearing cookie", r.cookies)
			}
		}
		if got := a.withCookie("session=" + cookie).get("/get").body; got != emptyVisitor {
			t.Fatalf("the logged-out cookie still loads: %q", got)
		}
		if n, err := s.Count(t.Context(), clock.Now()); err != nil || n.Live != 0 {
			t.Fatalf("Count after logout = %+v, %v: a slow write brought the session back", n, err)
		}
	})
}

// TestHTTPRotationWithInFlightOldToken: a login rotates the token while
// requests with the old one are in flight; they keep working during the grace
// window and their writes land in the rotated session, none of them sends a
// cookie or rotates again, and after the window only the new token works.
func TestHTTPRotationWithInFlightOldToken(t *testing.T) {
	forEachTarget(t, func(t *testing.T, s *redisstore.Store) {
		clock := &fakeClock{now: t0}
		a := newWebApp(t, s, clock)
		v := a.newVisitor()
		v.post("/set?name=anon").mustOK(t)
		old := "session=" + v.cookie()
		inflight := []string{"flash=f1", "theme=t1", "cart=x,y"}
		results := make(chan response, len(inflight))
		for _, q := range inflight {
			go func() { results <- a.withCookie(old).post("/set?hold=flight&" + q) }()
		}
		a.waitArrived(len(inflight))
		login := v.post("/rotate?user=u1").mustOK(t)
		if len(login.cookies) != 1 || "session="+v.cookie() == old {
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
		want := "name=late count=0 cart=x,y flash=f1 user=u1 theme=t1"
		if got := v.get("/get").mustOK(t).body; got != want {
			t.Fatalf("after rotation\n got %q\nwant %q", got, want)
		}
		clock.Advance(a.mgr.RotateGrace + 1)
		if got := a.withCookie(old).get("/get").body; got != emptyVisitor {
			t.Fatalf("old token after the grace window: %q", got)
		}
		if got := v.get("/get").mustOK(t).body; got != want {
			t.Fatalf("new token after the grace window: %q", got)
		}
	})
}
