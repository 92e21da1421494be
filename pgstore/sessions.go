package pgstore

import (
	"context"
	"errors"
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

// Load implements session.Store. The hit path is one primary-key SELECT;
// only a key that is no session's current key costs a second statement, the
// lookup by previous key (a grace key or a tombstone). Neither runs in a
// transaction: between the two a rotation may move the key from the first
// statement's reach into the second's, which then finds it, as it should.
func (s *statements) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	row, err := run(s, ctx, storekit.OpLoad, idempotent, func(ctx context.Context) (pgdb.LoadSessionRow, error) {
		return s.q.LoadSession(ctx, key[:])
	})
	if err == nil {
		return storekit.Loaded(row, nil, hitRecord(key), key, now)
	}
	if !errors.Is(err, session.ErrNotFound) {
		return session.Record{}, err
	}
	prev, err := run(s, ctx, storekit.OpLoad, idempotent, func(ctx context.Context) (pgdb.SessiongenSession, error) {
		return s.q.LoadSessionByPrevKey(ctx, pgdb.LoadSessionByPrevKeyParams{Key: key[:], Now: now})
	})
	return storekit.Loaded(prev, err, toRecord, key, now)
}

// hitRecord converts LoadSession's row, which leaves out the key the caller
// looked it up by.
func hitRecord(key session.Key) func(op string, row pgdb.LoadSessionRow) (session.Record, error) {
	return func(op string, row pgdb.LoadSessionRow) (session.Record, error) {
		return toRecord(op, pgdb.SessiongenSession{
			Key:               key[:],
			Owner:             row.Owner,
			Data:              row.Data,
			Version:           row.Version,
			CreatedAt:         row.CreatedAt,
			IdleExpiresAt:     row.IdleExpiresAt,
			AbsoluteExpiresAt: row.AbsoluteExpiresAt,
			PrevKey:           row.PrevKey,
			PrevExpiresAt:     row.PrevExpiresAt,
			PrevRefresh:       row.PrevRefresh,
			RememberMe:        row.RememberMe,
			Device:            row.Device,
			IpPrefix:          row.IpPrefix,
		})
	}
}

// Save implements session.Store. The hit path is one UPDATE ... RETURNING;
// only a save that changed nothing asks why, with a second statement.
func (s *statements) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	// Not repeatable: a repeat of a save that did commit, unheard, fails the
	// version check and would report ErrConflict, and the runtime would then
	// run the caller's Update function a second time on top of the committed
	// change (one request, two increments). A connection lost mid-call is
	// ErrUnavailable instead: the caller does not know, and says so.
	version, err := run(s, ctx, storekit.OpSave, notIdempotent, func(ctx context.Context) (int64, error) {
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
	if !errors.Is(err, session.ErrNotFound) { // saved, or failed
		return version, err
	}
	// Nothing saved: a live session under the key means its version moved
	// on (ErrConflict); none means ErrNotFound. A concurrent Delete between
	// the two statements makes a lost race read as ErrNotFound, which is
	// what the caller would see on its retry anyway.
	_, err = run(s, ctx, storekit.OpSave, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.LiveSessionVersion(ctx, pgdb.LiveSessionVersionParams{Key: rec.Key[:], Now: now})
	})
	if err != nil {
		return 0, err // ErrNotFound when no live session has the key
	}
	return 0, session.ErrConflict
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
