package sqlitestore

import (
	"context"
	"slices"
	"time"

	"github.com/sessiongen/sessiongen/gen/sqlitedb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// DeleteOwner implements session.Store.
func (s *statements) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	return write(s, ctx, storekit.OpDeleteOwner, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnerSessions(ctx, sqlitedb.DeleteOwnerSessionsParams{Owner: owner, ExceptKey: except[:]})
	})
}

// DeleteOwned implements session.Store.
func (s *statements) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	n, err := write(s, ctx, storekit.OpDeleteOwned, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnedSession(ctx, sqlitedb.DeleteOwnedSessionParams{Key: key[:], Owner: owner, Now: storekit.Micros(now)})
	})
	return storekit.IfNone(n, err, session.ErrNotFound)
}

// TrimOwner implements session.Store with one DELETE.
func (s *statements) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	return write(s, ctx, storekit.OpTrimOwner, func(ctx context.Context) (int64, error) {
		return s.q.TrimOwnerSessions(ctx, sqlitedb.TrimOwnerSessionsParams{
			Owner: owner, ExceptKey: except[:], Now: storekit.Micros(now), Keep: int64(keep),
		})
	})
}

// ListOwner implements session.Store.
func (s *statements) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	rows, err := storekit.Run(ctx, storekit.OpListOwner, classify, func(ctx context.Context) ([]sqlitedb.ListOwnerSessionsRow, error) {
		return s.q.ListOwnerSessions(ctx, sqlitedb.ListOwnerSessionsParams{Owner: owner, Now: storekit.Micros(now), PageSize: int64(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(storekit.OpListOwner, rows, func(op string, r sqlitedb.ListOwnerSessionsRow) (session.Record, error) {
		rec, err := toRecord(op, sqlitedb.SessiongenSession{
			Key: r.Key, Owner: r.Owner, Version: r.Version,
			CreatedAt: r.CreatedAt, IdleExpiresAt: r.IdleExpiresAt, AbsoluteExpiresAt: r.AbsoluteExpiresAt,
			PrevKey: r.PrevKey, PrevExpiresAt: r.PrevExpiresAt, PrevRefresh: r.PrevRefresh,
			RememberMe: r.RememberMe, Device: r.Device, IpPrefix: r.IpPrefix,
		})
		rec.Data = nil // toRecord turns a missing payload into an empty one; this one was not read
		return rec, err
	})
}

// List implements session.Store.
func (s *statements) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	rows, err := storekit.Run(ctx, storekit.OpList, classify, func(ctx context.Context) ([]sqlitedb.SessiongenSession, error) {
		return s.q.ListSessions(ctx, sqlitedb.ListSessionsParams{After: after[:], PageSize: int64(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(storekit.OpList, rows, toRecord)
}

// Count implements session.Store.
func (s *statements) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	row, err := storekit.Run(ctx, storekit.OpCount, classify, func(ctx context.Context) (sqlitedb.CountSessionsRow, error) {
		return s.q.CountSessions(ctx, storekit.Micros(now))
	})
	if err != nil {
		return session.Counts{}, err
	}
	return session.Counts{Live: row.Live, Expired: row.Total - row.Live}, nil
}

// DeleteExpired implements session.Store: one DELETE of the earliest limit
// sessions whose idle expiry lies in [from, now], returning the expiries it
// deleted so that the caller can continue from the latest one.
func (s *statements) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	expiries, err := write(s, ctx, storekit.OpDeleteExpired, func(ctx context.Context) ([]int64, error) {
		return s.q.DeleteExpiredSessions(ctx, sqlitedb.DeleteExpiredSessionsParams{
			FromExpiry: storekit.MicrosCeil(from),
			Now:        storekit.Micros(now),
			BatchSize:  int64(limit),
		})
	})
	if err != nil || len(expiries) == 0 {
		return 0, time.Time{}, err
	}
	// RETURNING yields rows in no particular order.
	return len(expiries), storekit.FromMicros(slices.Max(expiries)), nil
}
