package pgstore

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session"
)

// Create implements session.Store.
func (s *Store) Create(ctx context.Context, rec session.Record) error {
	const op = "create"
	if err := session.CheckContext(ctx, op); err != nil {
		return err
	}
	if err := session.CheckRecord(op, &rec); err != nil {
		return err
	}
	var n int64
	// Not idempotent: a repeat after a commit the client never heard of
	// would report ErrExists for the caller's own new session.
	err := s.call(ctx, op, notIdempotent, func(ctx context.Context) (err error) {
		n, err = s.q.CreateSession(ctx, pgdb.CreateSessionParams{
			Key:               rec.Key[:],
			Owner:             rec.Owner,
			Data:              rec.Data,
			CreatedAt:         rec.CreatedAt,
			IdleExpiresAt:     rec.IdleExpiresAt,
			AbsoluteExpiresAt: rec.AbsoluteExpiresAt,
		})
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return session.ErrExists
	}
	return nil
}

// Load implements session.Store.
func (s *Store) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	const op = "load"
	if err := session.CheckContext(ctx, op); err != nil {
		return session.Record{}, err
	}
	var row pgdb.SessiongenSession
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		row, err = s.q.LoadSession(ctx, pgdb.LoadSessionParams{Key: key[:], Now: now})
		return err
	})
	if err != nil {
		return session.Record{}, err
	}
	rec, err := toRecord(row)
	if err != nil {
		return session.Record{}, err
	}
	if err := rec.CheckLoaded(key, now); err != nil {
		return session.Record{}, err
	}
	return rec, nil
}

// Save implements session.Store.
func (s *Store) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	const op = "save"
	if err := session.CheckContext(ctx, op); err != nil {
		return 0, err
	}
	if err := session.CheckData(op, rec.Data); err != nil {
		return 0, err
	}
	var res pgdb.SaveSessionRow
	// Idempotent in effect: a repeat of a save that did commit fails the
	// version check (ErrConflict), so nothing is applied twice.
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		res, err = s.q.SaveSession(ctx, pgdb.SaveSessionParams{
			Key:           rec.Key[:],
			Now:           now,
			Owner:         rec.Owner,
			Data:          rec.Data,
			IdleExpiresAt: rec.IdleExpiresAt,
			Version:       rec.Version,
		})
		return err
	})
	switch {
	case err != nil:
		return 0, err
	case res.NewVersion > 0:
		return res.NewVersion, nil
	case res.CurrentVersion > 0:
		return 0, session.ErrConflict
	}
	return 0, session.ErrNotFound
}

// Touch implements session.Store.
func (s *Store) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	const op = "touch"
	if err := session.CheckContext(ctx, op); err != nil {
		return err
	}
	var n int64
	err := s.call(ctx, op, idempotent, func(ctx context.Context) (err error) {
		n, err = s.q.TouchSession(ctx, pgdb.TouchSessionParams{Key: key[:], IdleExpiresAt: idleExpiresAt, Now: now})
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return session.ErrNotFound
	}
	return nil
}

// Rotate implements session.Store.
func (s *Store) Rotate(ctx context.Context, oldKey, newKey session.Key, graceUntil, now time.Time) error {
	const op = "rotate"
	if err := session.CheckContext(ctx, op); err != nil {
		return err
	}
	var res pgdb.RotateSessionRow
	// Not idempotent: a repeat after an unheard commit would find oldKey
	// already rotated away and report ErrNotFound.
	err := s.call(ctx, op, notIdempotent, func(ctx context.Context) (err error) {
		res, err = s.q.RotateSession(ctx, pgdb.RotateSessionParams{
			OldKey:     oldKey[:],
			NewKey:     newKey[:],
			GraceUntil: graceUntil,
			Now:        now,
		})
		return err
	})
	switch {
	case err != nil:
		return err
	case res.Rotated:
		return nil
	case res.OldLive:
		// The session is there but newKey is taken as some session's
		// previous key (or is oldKey itself).
		return session.ErrExists
	}
	return session.ErrNotFound
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, key session.Key, now time.Time) error {
	const op = "delete"
	if err := session.CheckContext(ctx, op); err != nil {
		return err
	}
	return s.call(ctx, op, idempotent, func(ctx context.Context) error {
		return s.q.DeleteSession(ctx, pgdb.DeleteSessionParams{Key: key[:], Now: now})
	})
}
