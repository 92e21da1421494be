package redisstore

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/session/storekit"
)

// AcquireLease implements session.Leaser with a hash per lease, compared
// against the caller's now; Redis drops it by TTL some time after it ends.
func (s *statements) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	const op = storekit.OpAcquireLease
	times, err := microsAll(op, now.Add(ttl), now)
	if err != nil {
		return false, err
	}
	ok, err := s.runInt(ctx, op, scriptLeaseAcquire, []string{s.keys.lease(name)},
		[]string{holder, times[0], times[1], s.ttlMillis(now.Add(ttl), now)})
	return ok == 1, err
}

// ReleaseLease implements session.Leaser.
func (s *statements) ReleaseLease(ctx context.Context, name, holder string) error {
	const op = storekit.OpReleaseLease
	_, err := s.runInt(ctx, op, scriptLeaseRelease, []string{s.keys.lease(name)}, []string{holder})
	return err
}
