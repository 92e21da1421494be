package sqlitestore

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/gen/sqlitedb"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// AcquireLease implements session.Leaser with one upsert on the lease row that
// only takes effect when the lease is free, expired or already ours.
func (s *statements) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	n, err := write(s, ctx, storekit.OpAcquireLease, func(ctx context.Context) (int64, error) {
		return s.q.AcquireLease(ctx, sqlitedb.AcquireLeaseParams{
			Name:      name,
			Holder:    holder,
			ExpiresAt: storekit.Micros(now.Add(ttl)),
			Now:       storekit.Micros(now),
		})
	})
	return n == 1, err
}

// ReleaseLease implements session.Leaser.
func (s *statements) ReleaseLease(ctx context.Context, name, holder string) error {
	_, err := write(s, ctx, storekit.OpReleaseLease, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.q.ReleaseLease(ctx, sqlitedb.ReleaseLeaseParams{Name: name, Holder: holder})
	})
	return err
}
