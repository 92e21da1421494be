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
func (s *Store) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	const op = storekit.OpDeleteOwner
	if err := storekit.CheckOwner(op, owner); err != nil {
		return 0, err
	}
	return write(s, ctx, op, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnerSessions(ctx, sqlitedb.DeleteOwnerSessionsParams{Owner: owner, ExceptKey: except[:]})
	})
}

// DeleteOwned implements session.Store.
func (s *Store) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	const op = storekit.OpDeleteOwned
	if err := storekit.CheckOwner(op, owner); err != nil {
		return err
	}
	n, err := write(s, ctx, op, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnedSession(ctx, sqlitedb.DeleteOwnedSessionParams{Key: key[:], Owner: owner, Now: micros(now)})
	})
	if err == nil && n == 0 {
		return session.ErrNotFound
	}
	return err
}

// TrimOwner implements session.Store with one DELETE.
func (s *Store) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	const op = storekit.OpTrimOwner
	if err := storekit.CheckOwner(op, owner); err != nil {
		return 0, err
	}
	if err := storekit.CheckKeep(op, keep); err != nil {
		return 0, err
	}
	return write(s, ctx, op, func(ctx context.Context) (int64, error) {
		return s.q.TrimOwnerSessions(ctx, sqlitedb.TrimOwnerSessionsParams{
			Owner: owner, ExceptKey: except[:], Now: micros(now), Keep: int64(keep),
		})
	})
}

// ListOwner implements session.Store.
func (s *Store) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	const op = storekit.OpListOwner
	if err := storekit.CheckOwner(op, owner); err != nil {
		return nil, err
	}
	if err := storekit.CheckLimit(op, limit); err != nil {
		return nil, err
	}
	rows, err := storekit.Run(ctx, op, classify, func(ctx context.Context) ([]sqlitedb.ListOwnerSessionsRow, error) {
		return s.q.ListOwnerSessions(ctx, sqlitedb.ListOwnerSessionsParams{Owner: owner, Now: micros(now), PageSize: int64(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(op, rows, func(op string, r sqlitedb.ListOwnerSessionsRow) (session.Record, error) {
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
func (s *Store) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	const op = storekit.OpList
	if err := storekit.CheckLimit(op, limit); err != nil {
		return nil, err
	}
	rows, err := storekit.Run(ctx, op, classify, func(ctx context.Context) ([]sqlitedb.SessiongenSession, error) {
		return s.q.ListSessions(ctx, sqlitedb.ListSessionsParams{After: after[:], PageSize: int64(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(op, rows, toRecord)
}

// Count implements session.Store.
func (s *Store) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	row, err := storekit.Run(ctx, storekit.OpCount, classify, func(ctx context.Context) (sqlitedb.CountSessionsRow, error) {
		return s.q.CountSessions(ctx, micros(now))
	})
	if err != nil {
		return session.Counts{}, err
	}
	return session.Counts{Live: row.Live, Expired: row.Total - row.Live}, nil
}

// DeleteExpired implements session.Store: one DELETE of the earliest limit
// sessions whose idle expiry lies in [from, now], returning the expiries it
// deleted so that the caller can continue from the latest one.
func (s *Store) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	const op = storekit.OpDeleteExpired
	if err := storekit.CheckLimit(op, limit); err != nil {
		return 0, time.Time{}, err
	}
	expiries, err := write(s, ctx, op, func(ctx context.Context) ([]int64, error) {
		return s.q.DeleteExpiredSessions(ctx, sqlitedb.DeleteExpiredSessionsParams{
			FromExpiry: microsCeil(from),
			Now:        micros(now),
			BatchSize:  int64(limit),
		})
	})
	if err != nil || len(expiries) == 0 {
		return 0, time.Time{}, err
	}
	// RETURNING yields rows in no particular order.
	return len(expiries), fromMicros(slices.Max(expiries)), nil
}
