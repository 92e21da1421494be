package pgstore

import (
	"context"
	"math"
	"time"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session"
)

// DeleteOwner implements session.Store.
func (s *Store) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	const op = "delete owner"
	if err := checkOwner(ctx, op, owner); err != nil {
		return 0, err
	}
	var n int64
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		n, err = s.q.DeleteOwnerSessions(ctx, pgdb.DeleteOwnerSessionsParams{Owner: owner, ExceptKey: except[:]})
		return err
	})
	return n, err
}

// ListOwner implements session.Store.
func (s *Store) ListOwner(ctx context.Context, owner string, now time.Time) ([]session.Record, error) {
	const op = "list owner"
	if err := checkOwner(ctx, op, owner); err != nil {
		return nil, err
	}
	var rows []pgdb.SessiongenSession
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		rows, err = s.q.ListOwnerSessions(ctx, pgdb.ListOwnerSessionsParams{Owner: owner, Now: now})
		return err
	})
	if err != nil {
		return nil, err
	}
	return toRecords(rows)
}

// List implements session.Store.
func (s *Store) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	const op = "list"
	if err := checkBatch(ctx, op, limit); err != nil {
		return nil, err
	}
	var rows []pgdb.SessiongenSession
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		rows, err = s.q.ListSessions(ctx, pgdb.ListSessionsParams{AfterKey: after[:], PageSize: int32Limit(limit)})
		return err
	})
	if err != nil {
		return nil, err
	}
	return toRecords(rows)
}

// Count implements session.Store.
func (s *Store) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	const op = "count"
	if err := session.CheckContext(ctx, op); err != nil {
		return session.Counts{}, err
	}
	var row pgdb.CountSessionsRow
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		row, err = s.q.CountSessions(ctx, now)
		return err
	})
	if err != nil {
		return session.Counts{}, err
	}
	return session.Counts{Live: row.Live, Expired: row.Expired}, nil
}

// DeleteExpired implements session.Store.
func (s *Store) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	const op = "delete expired"
	if err := checkBatch(ctx, op, limit); err != nil {
		return 0, noTime, err
	}
	var row pgdb.DeleteExpiredSessionsRow
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		row, err = s.q.DeleteExpiredSessions(ctx, pgdb.DeleteExpiredSessionsParams{
			FromExpiry: from,
			Now:        now,
			BatchSize:  int32Limit(limit),
		})
		return err
	})
	if err != nil || row.Deleted == 0 {
		return 0, noTime, err
	}
	return int(row.Deleted), row.LastExpiry.UTC(), nil
}

// checkOwner applies the argument rules of the owner-addressed methods.
func checkOwner(ctx context.Context, op, owner string) error {
	if err := session.CheckContext(ctx, op); err != nil {
		return err
	}
	return session.CheckOwner(op, owner)
}

// checkBatch applies the argument rules of the paged methods.
func checkBatch(ctx context.Context, op string, limit int) error {
	if err := session.CheckContext(ctx, op); err != nil {
		return err
	}
	return session.CheckLimit(op, limit)
}

// int32Limit caps a page size at what the SQL int parameter holds; no page or
// batch that large fits in memory anyway.
func int32Limit(limit int) int32 {
	return int32(min(limit, math.MaxInt32))
}
