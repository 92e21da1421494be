package pgstore

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// AcquireLease implements session.Leaser with one upsert on the
// sessiongen_leases row: it inserts, renews the caller's own lease, or takes
// over an expired one, and changes nothing while another holder's is live.
func (s *statements) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	n, err := run(s, ctx, storekit.OpAcquireLease, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.AcquireLease(ctx, pgdb.AcquireLeaseParams{Name: name, Holder: holder, ExpiresAt: now.Add(ttl), Now: now})
	})
	return n == 1, err
}

// ReleaseLease implements session.Leaser.
func (s *statements) ReleaseLease(ctx context.Context, name, holder string) error {
	return exec(s, ctx, storekit.OpReleaseLease, idempotent, func(ctx context.Context) error {
		return s.q.ReleaseLease(ctx, pgdb.ReleaseLeaseParams{Name: name, Holder: holder})
	})
}
