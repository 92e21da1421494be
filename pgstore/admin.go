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
func (s *Store) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	const op = storekit.OpDeleteOwner
	if err := storekit.CheckOwner(op, owner); err != nil {
		return 0, err
	}
	return run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnerSessions(ctx, pgdb.DeleteOwnerSessionsParams{Owner: owner, ExceptKey: except[:]})
	})
}

// DeleteOwned implements session.Store with one DELETE by key and owner.
func (s *Store) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	const op = storekit.OpDeleteOwned
	if err := storekit.CheckOwner(op, owner); err != nil {
		return err
	}
	// Idempotent in effect: a repeat after a commit the client never heard of
	// finds nothing and reports ErrNotFound, as for a session already gone.
	n, err := run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnedSession(ctx, pgdb.DeleteOwnedSessionParams{Key: key[:], Owner: owner, Now: now})
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
	return run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.TrimOwnerSessions(ctx, pgdb.TrimOwnerSessionsParams{
			Owner: owner, ExceptKey: except[:], Now: now, Keep: int32Limit(keep),
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
	rows, err := run(s, ctx, op, idempotent, func(ctx context.Context) ([]pgdb.ListOwnerSessionsRow, error) {
		return s.q.ListOwnerSessions(ctx, pgdb.ListOwnerSessionsParams{Owner: owner, Now: now, PageSize: int32Limit(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(op, rows, func(op string, r pgdb.ListOwnerSessionsRow) (session.Record, error) {
		return toRecord(op, pgdb.SessiongenSession{
			Key: r.Key, Owner: r.Owner, Version: r.Version,
			CreatedAt: r.CreatedAt, IdleExpiresAt: r.IdleExpiresAt, AbsoluteExpiresAt: r.AbsoluteExpiresAt,
			PrevKey: r.PrevKey, PrevExpiresAt: r.PrevExpiresAt, PrevRefresh: r.PrevRefresh,
			RememberMe: r.RememberMe, Device: r.Device, IpPrefix: r.IpPrefix,
		})
	})
}

// List implements session.Store.
func (s *Store) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	const op = storekit.OpList
	if err := storekit.CheckLimit(op, limit); err != nil {
		return nil, err
	}
	rows, err := run(s, ctx, op, idempotent, func(ctx context.Context) ([]pgdb.SessiongenSession, error) {
		return s.q.ListSessions(ctx, pgdb.ListSessionsParams{AfterKey: after[:], PageSize: int32Limit(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(op, rows, toRecord)
}

// Count implements session.Store.
func (s *Store) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	row, err := run(s, ctx, storekit.OpCount, idempotent, func(ctx context.Context) (pgdb.CountSessionsRow, error) {
		return s.q.CountSessions(ctx, now)
	})
	if err != nil {
		return session.Counts{}, err
	}
	return session.Counts{Live: row.Live, Expired: row.Expired}, nil
}

// DeleteExpired implements session.Store.
func (s *Store) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	const op = storekit.OpDeleteExpired
	if err := storekit.CheckLimit(op, limit); err != nil {
		return 0, noTime, err
	}
	row, err := run(s, ctx, op, idempotent, func(ctx context.Context) (pgdb.DeleteExpiredSessionsRow, error) {
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
