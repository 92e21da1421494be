package session

import (
	"testing"
	"time"
)

// TestBackoffBounds: waits grow with the attempt from the lost attempt's
// duration, stay within [d/2, d], and never exceed retryCap.
func TestBackoffBounds(t *testing.T) {
	for _, window := range []time.Duration{0, time.Microsecond, 3 * time.Millisecond, time.Second} {
		prevMax := time.Duration(0)
		for attempt := range 20 {
			want := max(retryBase, window)
			for range attempt {
				if want < retryCap {
					want *= 2
				}
			}
			want = min(want, retryCap)
			for range 50 {
				d := backoff(attempt, window)
				if d < want/2 || d > want {
					t.Fatalf("backoff(%d, %v) = %v, want within [%v, %v]", attempt, window, d, want/2, want)
				}
			}
			if want < prevMax {
				t.Fatalf("backoff shrank at attempt %d", attempt)
			}
			prevMax = want
		}
	}
}

// TestRetryFits: a retry is started only when its wait and about twice the
// lost attempt's duration end before the deadline; decided on durations, not
// on the clock, so it cannot flake.
func TestRetryFits(t *testing.T) {
	ms := time.Millisecond
	for _, c := range []struct {
		remaining, wait, window time.Duration
		want                    bool
	}{
		{50 * ms, 10 * ms, 5 * ms, true},
		{50 * ms, 40 * ms, 5 * ms, false},
		{50 * ms, 10 * ms, 20 * ms, false},
		{20 * ms, 10 * ms, 5 * ms, false}, // exactly at the deadline: too late
		{-ms, 0, 0, false},
	} {
		if got := retryFits(c.remaining, c.wait, c.window); got != c.want {
			t.Errorf("retryFits(remaining %v, wait %v, window %v) = %v, want %v", c.remaining, c.wait, c.window, got, c.want)
		}
	}
}
