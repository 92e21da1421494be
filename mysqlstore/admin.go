package mysqlstore

import (
	"context"
	"math"
	"slices"
	"time"

	"github.com/sessiongen/sessiongen/gen/mysqldb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// DeleteOwner implements session.Store.
func (s *statements) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	const op = storekit.OpDeleteOwner
	// Idempotent: a repeat deletes what is left (and may report 0).
	return run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnerSessions(ctx, mysqldb.DeleteOwnerSessionsParams{Owner: []byte(owner), ExceptKey: except[:]})
	})
}

// DeleteOwned implements session.Store with one DELETE by key and owner.
func (s *statements) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	const op = storekit.OpDeleteOwned
	// Idempotent in effect: a repeat after a commit the client never heard of
	// finds nothing and reports ErrNotFound, as for a session already gone.
	n, err := run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteOwnedSession(ctx, mysqldb.DeleteOwnedSessionParams{SessionKey: key[:], Owner: []byte(owner), Now: storekit.Micros(now)})
	})
	return storekit.IfNone(n, err, session.ErrNotFound)
}

// TrimOwner implements session.Store with one DELETE.
func (s *statements) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	const op = storekit.OpTrimOwner
	return run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.TrimOwnerSessions(ctx, mysqldb.TrimOwnerSessionsParams{
			Owner: []byte(owner), ExceptKey: except[:], Now: storekit.Micros(now), Limit: int32Limit(keep),
		})
	})
}

// ListOwner implements session.Store.
func (s *statements) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	const op = storekit.OpListOwner
	rows, err := run(s, ctx, op, idempotent, func(ctx context.Context) ([]mysqldb.ListOwnerSessionsRow, error) {
		return s.q.ListOwnerSessions(ctx, mysqldb.ListOwnerSessionsParams{Owner: []byte(owner), Now: storekit.Micros(now), Limit: int32Limit(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(op, rows, func(op string, r mysqldb.ListOwnerSessionsRow) (session.Record, error) {
		rec, err := toRecord(op, mysqldb.SessiongenSession{
			Key: r.Key, Owner: r.Owner, Version: r.Version,
			CreatedAt: r.CreatedAt, IdleExpiresAt: r.IdleExpiresAt, AbsoluteExpiresAt: r.AbsoluteExpiresAt,
			PrevKey: r.PrevKey, PrevExpiresAt: r.PrevExpiresAt, PrevRefresh: r.PrevRefresh,
			RememberMe: r.RememberMe, Device: r.Device, IpPrefix: r.IpPrefix,
		})
		rec.Data = nil // metadata only
		return rec, err
	})
}

// List implements session.Store.
func (s *statements) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	const op = storekit.OpList
	rows, err := run(s, ctx, op, idempotent, func(ctx context.Context) ([]mysqldb.SessiongenSession, error) {
		return s.q.ListSessions(ctx, mysqldb.ListSessionsParams{AfterKey: after[:], Limit: int32Limit(limit)})
	})
	if err != nil {
		return nil, err
	}
	return storekit.Records(op, rows, toRecord)
}

// Count implements session.Store.
func (s *statements) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	row, err := run(s, ctx, storekit.OpCount, idempotent, func(ctx context.Context) (mysqldb.CountSessionsRow, error) {
		return s.q.CountSessions(ctx, mysqldb.CountSessionsParams{Now: storekit.Micros(now)})
	})
	if err != nil {
		return session.Counts{}, err
	}
	return session.Counts{Live: row.Live, Expired: row.Total - row.Live}, nil
}

// DeleteExpired implements session.Store: it deletes the earliest limit
// sessions whose idle expiry lies in [from, now] and returns how many went and
// the latest expiry among them, so that the caller continues from there.
//
// On MariaDB that is one DELETE ... ORDER BY ... LIMIT ... RETURNING, which
// walks the idle-expiry index from the cursor and locks only the rows it
// deletes. MySQL has no RETURNING: it reads the batch's keys and expiries
// first (a consistent read that locks nothing), then deletes those keys,
// re-checking their expiry so that a session touched in between stays. Both
// run under the cleanup lease, never on a request's path; the lease is what
// makes the MySQL path's two statements safe, not a transaction.
func (s *statements) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	const op = storekit.OpDeleteExpired
	var expiries []int64
	var err error
	if s.returning {
		expiries, err = s.deleteExpiredReturning(ctx, op, from, now, limit)
	} else {
		expiries, err = s.deleteExpiredListed(ctx, op, from, now, limit)
	}
	if err != nil || len(expiries) == 0 {
		return 0, noTime, err
	}
	return len(expiries), storekit.FromMicros(slices.Max(expiries)), nil
}

// deleteExpiredReturningSQL is MariaDB's cleanup statement. It is not in
// queries/mysql because sqlc's MySQL parser rejects RETURNING on DELETE. The
// bounds are inclusive, so sessions tied with the last expiry of a batch are
// picked up by the next one; the idle expiry never exceeds the absolute one,
// so absolutely expired sessions are caught too.
const deleteExpiredReturningSQL = `DELETE FROM sessiongen_sessions
 WHERE idle_expires_at >= ? AND idle_expires_at <= ?
 ORDER BY idle_expires_at
 LIMIT ?
RETURNING idle_expires_at`

// deleteExpiredReturning deletes one batch on MariaDB and returns the idle
// expiries it deleted.
func (s *statements) deleteExpiredReturning(ctx context.Context, op string, from, now time.Time, limit int) ([]int64, error) {
	// Idempotent: a repeat deletes the next batch, which the caller would
	// have asked for anyway.
	return run(s, ctx, op, idempotent, func(ctx context.Context) ([]int64, error) {
		rows, err := s.db.QueryContext(ctx, deleteExpiredReturningSQL, storekit.MicrosCeil(from), storekit.Micros(now), int32Limit(limit))
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		var expiries []int64
		for rows.Next() {
			var e int64
			if err := rows.Scan(&e); err != nil {
				return nil, err
			}
			expiries = append(expiries, e)
		}
		return expiries, rows.Err()
	})
}

// deleteExpiredListed deletes one batch on MySQL (it also runs on MariaDB) and
// returns idle expiries for the sessions it deleted. A session touched between
// the two statements stays; the store cannot tell which one it was, so it
// reports the earliest expiries of the batch, as many as were deleted. The
// next batch then starts at or before the true cursor, never after it: a
// little of the range is read again, nothing is skipped. Such a batch also
// comes back short, so the caller stops early and the next sweep finishes.
func (s *statements) deleteExpiredListed(ctx context.Context, op string, from, now time.Time, limit int) ([]int64, error) {
	batch, err := run(s, ctx, op, idempotent, func(ctx context.Context) ([]mysqldb.ListExpiredSessionsRow, error) {
		return s.q.ListExpiredSessions(ctx, mysqldb.ListExpiredSessionsParams{
			FromExpiry: storekit.MicrosCeil(from),
			Now:        storekit.Micros(now),
			Limit:      int32Limit(limit),
		})
	})
	if err != nil || len(batch) == 0 {
		return nil, err
	}
	keys := make([][]byte, len(batch))
	expiries := make([]int64, len(batch))
	for i, row := range batch {
		keys[i], expiries[i] = row.Key, row.IdleExpiresAt
	}
	n, err := run(s, ctx, op, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.DeleteExpiredKeys(ctx, mysqldb.DeleteExpiredKeysParams{ExpiredKeys: keys, Now: storekit.Micros(now)})
	})
	if err != nil {
		return nil, err
	}
	return expiries[:n], nil
}

// int32Limit caps a page size at what the SQL int parameter holds; no page or
// batch that large fits in memory anyway.
func int32Limit(limit int) int32 {
	return int32(min(limit, math.MaxInt32))
}
