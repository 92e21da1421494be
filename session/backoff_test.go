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
