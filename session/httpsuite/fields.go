package httpsuite

import (
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// disjointSettersAllLand: 16 tabs of one visitor each set their own field 30
// times through plain setters, in parallel: no request is refused, and every
// field ends at its last value.
func disjointSettersAllLand(t *testing.T, store session.Store) {
	const each = 30
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?name=slots").mustOK(t)
	var wg sync.WaitGroup
	for i := range slots {
		wg.Go(func() {
			for v := 1; v <= each; v++ {
				if r := tab.post(fmt.Sprintf("/set?slot=%d&v=%d", i, v)); r.code != http.StatusOK {
					t.Errorf("slot %d, write %d refused: %d %s", i, v, r.code, r.body)
					return
				}
			}
		})
	}
	wg.Wait()
	want := fmt.Sprintf("slots=%v", [slots]int64{each, each, each, each, each, each, each, each, each, each, each, each, each, each, each, each})
	if got := tab.get("/get").mustOK(t).body; !strings.Contains(got, want) {
		t.Fatalf("after %d parallel writers x %d writes:\n got %s\nwant %s", slots, each, got, want)
	}
	logCalls(t, "16 x 30 setters", a)
}

// burstOfSetters: 64 requests of one visitor load the session, all of them
// before any saves, and then save at once, each through a plain setter: none
// is refused, none is lost, and within one process the queue keeps the store
// calls at or under 3 per request (a load and a save each, plus a reload
// and a second save for the few that reach the queue after it emptied).
func burstOfSetters(t *testing.T, store session.Store) {
	const burst = 64
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?name=burst").mustOK(t)
	callsBefore, requestsBefore := a.metrics.storeCalls(""), a.metrics.requests.Load()
	var wg sync.WaitGroup
	for i := range burst {
		// Four requests per field, the last value of each being 4.
		wg.Go(func() {
			if r := tab.post(fmt.Sprintf("/set?hold=burst&slot=%d&v=%d", i%slots, i/slots+1)); r.code != http.StatusOK {
				t.Errorf("request %d of the burst refused: %d %s", i, r.code, r.body)
			}
		})
	}
	a.WaitArrived(burst)
	a.Open("burst")
	wg.Wait()
	calls, requests := a.metrics.storeCalls("")-callsBefore, a.metrics.requests.Load()-requestsBefore
	perRequest := float64(calls) / float64(requests)
	t.Logf("64-way burst in one process: %d requests, %d store calls, %.2f per request", requests, calls, perRequest)
	if perRequest > 3 {
		t.Errorf("%.2f store calls per request in the burst, want at most 3", perRequest)
	}
	got := tab.get("/get").mustOK(t).body
	for i, v := range slotValuesOf(t, got) {
		if v < 1 || v > burst/slots {
			t.Errorf("field s%d = %d after the burst: a write was lost (%s)", i, v, got)
		}
	}
}

// slotValuesOf parses the slots part of describe's output.
func slotValuesOf(t *testing.T, body string) [slots]int64 {
	var v [slots]int64
	i := strings.Index(body, "slots=[")
	if i < 0 {
		t.Fatalf("no slots in %q", body)
	}
	fields := strings.Fields(strings.TrimSuffix(body[i+len("slots=["):], "]"))
	if len(fields) != slots {
		t.Fatalf("slots in %q", body)
	}
	for j, f := range fields {
		fmt.Sscan(f, &v[j])
	}
	return v
}

// parallelFieldsAllSurvive: requests that all loaded the same version and then
// each set a different field all land. The owner is set first: an owner
// change is a login, which retires the token the other requests carry
// (loginRetiresOldToken).
func parallelFieldsAllSurvive(t *testing.T, store session.Store) {
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?name=start&user=u1").mustOK(t)
	writes := []string{"name=alice", "flash=hello", "theme=dark", "role=admin", "slot=3&v=7", "seed=1"}
	var wg sync.WaitGroup
	for _, q := range writes {
		wg.Go(func() { tab.post("/set?hold=all&" + q).mustOK(t) })
	}
	a.WaitArrived(len(writes))
	a.Open("all")
	wg.Wait()
	got := tab.get("/get").mustOK(t).body
	want := "name=alice count=0 flash=hello user=u1 role=admin theme=dark cart=a:1,b:1 prefs=lang:en,tz:UTC city=Lyon last=/ slots=[0 0 0 7 0 0 0 0 0 0 0 0 0 0 0 0]"
	if got != want {
		t.Fatalf("got  %q\nwant %q", got, want)
	}
}

// mergePolicies: when two requests change the same field, merge=ours
// re-applies the later request's value, merge=theirs keeps the stored one,
// and merge=error refuses the later request with 409 Conflict and no cookie,
// leaving the stored value alone.
func mergePolicies(t *testing.T, store session.Store) {
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?name=start&role=user").mustOK(t)
	first, second := make(chan response, 1), make(chan response, 1)
	go func() { first <- tab.post("/set?hold=a&name=first&theme=first&role=first") }()
	go func() { second <- tab.post("/set?hold=b&name=second&theme=second") }()
	a.WaitArrived(2) // both loaded the same version
	a.Open("a")
	(<-first).mustOK(t)
	a.Open("b")
	(<-second).mustOK(t)
	got := tab.get("/get").mustOK(t).body
	if !strings.Contains(got, "name=second") || !strings.Contains(got, "theme=first") {
		t.Fatalf("merge=ours/theirs: got %q, want name=second theme=first", got)
	}

	third := make(chan response, 1)
	go func() { third <- tab.post("/set?hold=c&role=third") }()
	a.WaitArrived(1)
	tab.post("/set?role=other").mustOK(t)
	a.Open("c")
	if r := <-third; r.code != http.StatusConflict || len(r.cookies) != 0 {
		t.Fatalf("merge=error: got %d %q, want 409 without cookie", r.code, r.body)
	}
	if got := tab.get("/get").mustOK(t).body; !strings.Contains(got, "role=other") {
		t.Fatalf("merge=error overwrote the stored value: %q", got)
	}
}
