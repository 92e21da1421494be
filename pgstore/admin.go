package pgstore

import (
	"context"
	"math"
	"time"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// DeleteOwner implements session.Store.
func (s *statements) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	return run(s, ctx, storekit.OpDeleteOwner, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnerSessions(ctx, pgdb.DeleteOwnerSessionsParams{Owner: owner, ExceptKey: except[:]})
	})
}

// DeleteOwned implements session.Store with one DELETE by key and owner.
func (s *statements) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	// Idempotent in effect: a repeat after a commit the client never heard of
	// finds nothing and reports ErrNotFound, as for a session already gone.
	n, err := run(s, ctx, storekit.OpDeleteOwned, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnedSession(ctx, pgdb.DeleteOwnedSessionParams{Key: key[:], Owner: owner, Now: now})
	})
	return storekit.IfNone(n, err, session.ErrNotFound)
}

// TrimOwner implements session.Store with one DELETE.
func (s *statements) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	return run(s, ctx, storekit.OpTrimOwner, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.TrimOwnerSessions(ctx, pgdb.TrimOwnerSessionsParams{
			Owner: owner, ExceptKey: except[:], Now: now, Keep: int32Limit(keep),
		})
	})
}

// ListOwner implements session.Store.
func (s *statements) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	rows, err := run(s, ctx, storekit.OpListOwner, idempotent, func(ctx context.Context) ([]pgdb.ListOwnerSessionsRow, error) {
		return s.q.ListOwnerSessions(ctx, pgdb.ListOwnerSessionsParams{Owner: owner, Now: now, PageSize: int32Limit(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(storekit.OpListOwner, rows, func(op string, r pgdb.ListOwnerSessionsRow) (session.Record, error) {
		return toRecord(op, pgdb.SessiongenSession{
			Key: r.Key, Owner: r.Owner, Version: r.Version,
			CreatedAt: r.CreatedAt, IdleExpiresAt: r.IdleExpiresAt, AbsoluteExpiresAt: r.AbsoluteExpiresAt,
			PrevKey: r.PrevKey, PrevExpiresAt: r.PrevExpiresAt, PrevRefresh: r.PrevRefresh,
			RememberMe: r.RememberMe, Device: r.Device, IpPrefix: r.IpPrefix,
		})
	})
}

// List implements session.Store.
func (s *statements) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	rows, err := run(s, ctx, storekit.OpList, idempotent, func(ctx context.Context) ([]pgdb.SessiongenSession, error) {
		return s.q.ListSessions(ctx, pgdb.ListSessionsParams{AfterKey: after[:], PageSize: int32Limit(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(storekit.OpList, rows, toRecord)
}

// Count implements session.Store.
func (s *statements) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	row, err := run(s, ctx, storekit.OpCount, idempotent, func(ctx context.Context) (pgdb.CountSessionsRow, error) {
		return s.q.CountSessions(ctx, now)
	})
	if err != nil {
		return session.Counts{}, err
	}
	return session.Counts{Live: row.Live, Expired: row.Expired}, nil
}

// DeleteExpired implements session.Store.
func (s *statements) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	row, err := run(s, ctx, storekit.OpDeleteExpired, idempotent, func(ctx context.Context) (pgdb.DeleteExpiredSessionsRow, error) {
		return s.q.DeleteExpiredSessions(ctx, pgdb.DeleteExpiredSessionsParams{
			FromExpiry: from,
			Now:        now,
			BatchSize:  int32Limit(limit),
		})
	})
	if err != nil || row.Deleted == 0 {
		return 0, noTime, err
	}
	return int(row.Deleted), row.LastExpiry.UTC(), nil
}

// int32Limit caps a page size at what the SQL int parameter holds; no page or
// batch that large fits in memory anyway.
func int32Limit(limit int) int32 {
	return int32(min(limit, math.MaxInt32))
}
