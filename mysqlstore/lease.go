package mysqlstore

import (
	"context"
	"database/sql"
	"time"

	"github.com/sessiongen/sessiongen/gen/mysqldb"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// AcquireLease implements session.Leaser with one INSERT ... ON DUPLICATE KEY
// UPDATE on the lease row that only takes effect when the lease is free,
// expired or already ours; its insert id says when another holder keeps it
// (queries/mysql/leases.sql).
func (s *statements) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	const op = storekit.OpAcquireLease
	// Idempotent: a repeat renews what the first attempt took.
	res, err := run(s, ctx, op, idempotent, func(ctx context.Context) (sql.Result, error) {
		return s.q.AcquireLease(ctx, mysqldb.AcquireLeaseParams{
			Name:      []byte(name),
			Holder:    []byte(holder),
			ExpiresAt: storekit.Micros(now.Add(ttl)),
			Now:       storekit.Micros(now),
		})
	})
	_, heldByAnother, err := outcome(op, res, err)
	return err == nil && heldByAnother == 0, err
}

// ReleaseLease implements session.Leaser.
func (s *statements) ReleaseLease(ctx context.Context, name, holder string) error {
	return exec(s, ctx, storekit.OpReleaseLease, idempotent, func(ctx context.Context) error {
		return s.q.ReleaseLease(ctx, mysqldb.ReleaseLeaseParams{Name: []byte(name), Holder: []byte(holder)})
	})
}
