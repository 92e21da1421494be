package storekit_test

import (
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session/storekit"
)

// TestMicrosBoundsAreExact: a time with nanoseconds compares with whole
// stored microseconds exactly as the time itself does, truncated for "before"
// and rounded up for "at or after"; a stored value reads back in UTC.
func TestMicrosBoundsAreExact(t *testing.T) {
	base := time.Date(2026, 11, 30, 12, 0, 0, 0, time.FixedZone("X", 3600))
	for _, ns := range []int{0, 1, 999, 1000, 1001, 123456789} {
		now := base.Add(time.Duration(ns))
		for _, stored := range []int64{storekit.Micros(now) - 1, storekit.Micros(now), storekit.Micros(now) + 1} {
			at := time.UnixMicro(stored)
			if got, want := storekit.Micros(now) < stored, now.Before(at); got != want {
				t.Errorf("ns %d, stored %d: Micros(now) < stored is %v, now.Before %v", ns, stored, got, want)
			}
			if got, want := storekit.MicrosCeil(now) <= stored, !at.Before(now); got != want {
				t.Errorf("ns %d, stored %d: MicrosCeil(now) <= stored is %v, !Before %v", ns, stored, got, want)
			}
		}
		back := storekit.FromMicros(storekit.Micros(now))
		if back.Location() != time.UTC || !back.Equal(now.Truncate(time.Microsecond)) {
			t.Errorf("ns %d: FromMicros(Micros(now)) = %v, want %v in UTC", ns, back, now.Truncate(time.Microsecond))
		}
	}
}
