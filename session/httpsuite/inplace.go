package httpsuite

import (
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/session"
)

// edited is how the composite fields read after /edit changed them in place.
const edited = "cart=a:1,b:5 prefs=lang:fr,tz:UTC city=Paris last=/checkout"

// inPlaceEditsSaved: changes made in place through the getters (a map entry,
// a slice element's field, a nested struct's field, a pointer's target),
// without a setter, are saved like setter changes.
func inPlaceEditsSaved(t *testing.T, store session.Store) {
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?seed=1").mustOK(t)
	tab.post("/edit").mustOK(t)
	if got := tab.get("/get").mustOK(t).body; !strings.Contains(got, edited) {
		t.Fatalf("after in-place edits:\n got %s\nwant %s", got, edited)
	}
}

// inPlaceEditsMerged: a request that edited fields in place loses the race
// to a request that set other fields: both requests' changes are kept, field
// by field.
func inPlaceEditsMerged(t *testing.T, store session.Store) {
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	tab.post("/set?seed=1").mustOK(t)
	slow := make(chan response, 1)
	go func() { slow <- tab.post("/edit?hold=edit") }()
	a.WaitArrived(1) // loaded and edited, not saved
	tab.post("/set?name=bob&slot=0&v=7").mustOK(t)
	a.Open("edit")
	(<-slow).mustOK(t)
	got := tab.get("/get").mustOK(t).body
	for _, want := range []string{"name=bob ", edited, "slots=[7 "} {
		if !strings.Contains(got, want) {
			t.Fatalf("after in-place edits racing a setter:\n got %s\nwant %s", got, want)
		}
	}
}

// lateWriteReported: a change made after the response body went out cannot
// create a session for a new visitor (there is no header left for its
// cookie): Err says so in the handler, no cookie is sent, and it is logged.
// For a stored session the same late change is saved when the handler
// returns.
func lateWriteReported(t *testing.T, store session.Store) {
	a := newApp(t, store, &clock{now: t0})
	tab := a.browser()
	r := tab.post("/late?name=late").mustOK(t)
	if !strings.Contains(r.body, "err=session: response header already written") || len(r.cookies) != 0 {
		t.Fatalf("late change for a new visitor: %q, Set-Cookie %q; want Err = ErrHeaderWritten, no cookie", r.body, r.cookies)
	}
	if logs := a.logs.String(); !strings.Contains(logs, "session change after response header not saved") {
		t.Fatalf("the dropped late change was not logged:\n%s", logs)
	}
	if n := a.metrics.storeCalls("Create"); n != 0 {
		t.Fatalf("%d Create calls for a late change", n)
	}

	tab.post("/set?name=early").mustOK(t)
	if r := tab.post("/late?name=late").mustOK(t); !strings.Contains(r.body, "err=<nil>") {
		t.Fatalf("late change to a stored session: %q, want Err nil", r.body)
	}
	if got := tab.get("/get").mustOK(t).body; !strings.HasPrefix(got, "name=late ") {
		t.Fatalf("late change to a stored session was not saved: %q", got)
	}
}
