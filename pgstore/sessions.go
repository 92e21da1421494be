package pgstore

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/gen/pgdb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Create implements session.Store.
func (s *statements) Create(ctx context.Context, rec session.Record) error {
	// Not idempotent: a repeat after a commit the client never heard of
	// would report ErrExists for the caller's own new session.
	n, err := run(s, ctx, storekit.OpCreate, notIdempotent, func(ctx context.Context) (int64, error) {
		return s.q.CreateSession(ctx, pgdb.CreateSessionParams{
			Key:               rec.Key[:],
			Owner:             rec.Owner,
			Data:              rec.Data,
			CreatedAt:         rec.CreatedAt,
			IdleExpiresAt:     rec.IdleExpiresAt,
			AbsoluteExpiresAt: rec.AbsoluteExpiresAt,
			RememberMe:        rec.RememberMe,
			Device:            rec.Device,
			IpPrefix:          storekit.PrefixText(rec.IPPrefix),
		})
	})
	return storekit.IfNone(n, err, session.ErrExists)
}

// Load implements session.Store.
func (s *statements) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	row, err := run(s, ctx, storekit.OpLoad, idempotent, func(ctx context.Context) (pgdb.SessiongenSession, error) {
		return s.q.LoadSession(ctx, pgdb.LoadSessionParams{Key: key[:], Now: now})
	})
	return storekit.Loaded(row, err, toRecord, key, now)
}

// Save implements session.Store.
func (s *statements) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	// Idempotent in effect: a repeat of a save that did commit fails the
	// version check (ErrConflict), so nothing is applied twice.
	res, err := run(s, ctx, storekit.OpSave, idempotent, func(ctx context.Context) (pgdb.SaveSessionRow, error) {
		return s.q.SaveSession(ctx, pgdb.SaveSessionParams{
			Key:           rec.Key[:],
			Now:           now,
			Owner:         rec.Owner,
			Data:          rec.Data,
			RememberMe:    rec.RememberMe,
			IdleExpiresAt: rec.IdleExpiresAt,
			Version:       rec.Version,
		})
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
func (s *statements) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	n, err := run(s, ctx, storekit.OpTouch, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.TouchSession(ctx, pgdb.TouchSessionParams{Key: key[:], IdleExpiresAt: idleExpiresAt, Now: now})
	})
	return storekit.IfNone(n, err, session.ErrNotFound)
}

// Rotate implements session.Store.
func (s *statements) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	// Not idempotent: a repeat after an unheard commit would find oldKey
	// already rotated away and report ErrNotFound.
	res, err := run(s, ctx, storekit.OpRotate, notIdempotent, func(ctx context.Context) (pgdb.RotateSessionRow, error) {
		return s.q.RotateSession(ctx, pgdb.RotateSessionParams{
			OldKey:     oldKey[:],
			NewKey:     newKey[:],
			GraceUntil: r.Until,
			Refresh:    r.Kind == session.RefreshRotation,
			RememberMe: r.RememberMe,
			Device:     r.Device,
			IpPrefix:   storekit.PrefixText(r.IPPrefix),
			Now:        now,
		})
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
func (s *statements) Delete(ctx context.Context, key session.Key, now time.Time) error {
	return exec(s, ctx, storekit.OpDelete, idempotent, func(ctx context.Context) error {
		return s.q.DeleteSession(ctx, pgdb.DeleteSessionParams{Key: key[:], Now: now})
	})
}
