package httpsuite

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// The shape of the counter scenarios: 16 tabs of one visitor, 100 increments
// each.
const tabs, increments = 16, 100

// updateCounterIsExact: 16 tabs increment a counter 100 times each through
// Update, on one application instance: the increments queue per session, so
// none is refused and none is lost.
func updateCounterIsExact(t *testing.T, store session.Store) {
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?name=counter").mustOK(t)
	acked, refused := hammer(t, []*browser{tab})
	if refused != 0 || acked != tabs*increments {
		t.Fatalf("%d increments acknowledged, %d refused; want %d and 0", acked, refused, tabs*increments)
	}
	if got, want := tab.get("/get").mustOK(t).body, fmt.Sprintf("count=%d ", acked); !strings.Contains(got, want) {
		t.Fatalf("got %q, want %s", got, want)
	}
	if n := a.metrics.storeCalls("Create"); n != 1 {
		t.Errorf("Create calls = %d, want 1", n)
	}
	logCalls(t, "one instance", a)
}

// updateCounterAcrossInstances: the same, with the tabs spread over two
// application instances sharing the store, which only the version check keeps
// apart. Every acknowledged increment is in the final count; one that ran out
// of retries was refused with 503 and Retry-After, never lost, and the tab
// repeats it, so all 1600 land.
func updateCounterAcrossInstances(t *testing.T, store session.Store) {
	c := &clock{now: t0}
	a, b := newApp(t, store, c), newApp(t, store, c)
	tab := a.browser()
	tab.post("/set?name=counter").mustOK(t)
	acked, refused := hammer(t, []*browser{tab, tab.via(b)})
	if acked != tabs*increments {
		t.Fatalf("%d increments acknowledged, want %d", acked, tabs*increments)
	}
	if got, want := tab.get("/get").mustOK(t).body, fmt.Sprintf("count=%d ", acked); !strings.Contains(got, want) {
		t.Fatalf("got %q, want %s (acknowledged increments)", got, want)
	}
	if a.metrics.count(session.EventConflictRetried)+b.metrics.count(session.EventConflictRetried) == 0 {
		t.Error("the two instances never raced: the scenario proves nothing")
	}
	t.Logf("%d of %d increments were refused once (503) and repeated", refused, acked)
	if refused > acked/10 {
		t.Errorf("%d increments refused: more than 10%%", refused)
	}
	logCalls(t, "two instances", a, b)
}

// hammer runs the tabs, tab i through browsers[i%len(browsers)], and returns
// how many increments were acknowledged and how many refused; a refused one
// must be a 503 with Retry-After, and is repeated up to 10 times.
func hammer(t *testing.T, browsers []*browser) (acked, refused int64) {
	var wg sync.WaitGroup
	var ok, no atomic.Int64
	for i := range tabs {
		b := browsers[i%len(browsers)]
		wg.Go(func() {
			for range increments {
				for try := 0; ; try++ {
					r := b.post("/incr")
					if r.code == http.StatusOK {
						ok.Add(1)
						break
					}
					no.Add(1)
					if r.code != http.StatusServiceUnavailable || try == 10 {
						t.Errorf("increment: %d %s", r.code, r.body)
						return
					}
				}
			}
		})
	}
	wg.Wait()
	return ok.Load(), no.Load()
}

// logCalls logs the store calls per request the instances served.
func logCalls(t *testing.T, what string, apps ...*app) {
	calls, requests := 0, int64(0)
	for _, a := range apps {
		calls += a.metrics.storeCalls("")
		requests += a.metrics.requests.Load()
	}
	if requests > 0 {
		t.Logf("%s: %d requests, %.2f store calls per request", what, requests, float64(calls)/float64(requests))
	}
}
