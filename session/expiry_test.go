package session_test

import (
	"strings"
	"testing"
	"time"
)

// TestIdleExpiry: reads inside the touch threshold write nothing; a read past
// it touches (no version bump); a session unused for IdleTimeout is gone.
func TestIdleExpiry(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		c := h.client()
		c.post("/set?name=idle").mustOK(t)
		idle := h.mgr.IdleTimeout

		h.clock.Advance(idle / 10) // under TouchFraction (0.25): no write
		c.get("/get").mustOK(t)
		if n := h.store.Calls("Touch") + h.store.Calls("Save"); n != 0 {
			t.Fatalf("%d writes for a read inside the touch threshold", n)
		}
		h.clock.Advance(idle / 2) // 60% of the window since the save: touch
		c.get("/get").mustOK(t)
		if n := h.store.Calls("Touch"); n != 1 {
			t.Fatalf("Touch calls = %d, want 1", n)
		}
		h.clock.Advance(idle - time.Second) // alive only thanks to the touch
		if got := c.get("/get").mustOK(t).body; !strings.Contains(got, "name=idle") {
			t.Fatalf("touched session expired: %q", got)
		}
		if n := h.store.Calls("Save"); n != 0 {
			t.Fatalf("Save calls = %d for reads, want 0", n)
		}

		h.clock.Advance(idle + time.Second)
		r := c.get("/get").mustOK(t)
		if r.body != describe0 || !r.clearsCookie() {
			t.Fatalf("idle-expired session: %q, Set-Cookie %q", r.body, r.setCookies())
		}
		if h.events.Count("idle_expired") != 1 {
			t.Fatalf("idle_expired events = %d", h.events.Count("idle_expired"))
		}
	})
}

// TestAbsoluteExpiry: a session used all the time still ends at Lifetime.
func TestAbsoluteExpiry(t *testing.T) {
	forEachStore(t, func(t *testing.T, h *harness) {
		h.mgr.Lifetime = 2 * time.Hour
		c := h.client()
		c.post("/set?name=busy").mustOK(t)
		for elapsed := time.Duration(0); elapsed < 2*time.Hour-20*time.Minute; elapsed += 20 * time.Minute {
			h.clock.Advance(20 * time.Minute)
			if got := c.post("/set?flash=x").mustOK(t).body; !strings.Contains(got, "name=busy") {
				t.Fatalf("at %v: %q", elapsed, got)
			}
		}
		h.clock.Advance(20 * time.Minute)
		if got := c.get("/get").mustOK(t).body; got != describe0 {
			t.Fatalf("past the absolute lifetime: %q", got)
		}
		if h.events.Count("absolute_expired") != 1 {
			t.Fatalf("absolute_expired events = %d", h.events.Count("absolute_expired"))
		}
	})
}
