package janitor

import (
	"context"
	"errors"
	"testing"
	"time"
)

// A pause is cut short by its context, so that stopping a janitor or a
// cleanup never waits out a pause; duty 1 never pauses at all. (Whether the
// pause lowers the load on the database is measured in bench/cleanup, not
// asserted in a test: speed belongs in benchmarks.)
func TestPauseHonoursContextAndDuty(t *testing.T) {
	ctx, cancel := context.WithCancel(t.Context())
	cancel()
	if err := pause(ctx, time.Hour, 0.5); !errors.Is(err, context.Canceled) {
		t.Fatalf("pause with a cancelled context = %v, want context.Canceled", err)
	}
	if err := pause(ctx, time.Hour, 1); err != nil {
		t.Fatalf("duty 1 paused: %v", err)
	}
	for _, duty := range []float64{0, -1, 1.5} {
		if got := (&Options{Duty: duty}).withDefaults().Duty; got != DefaultDuty {
			t.Errorf("Duty %v defaults to %v, want DefaultDuty", duty, got)
		}
	}
}
