package sqlitestore

import (
	"context"
	"errors"
	"time"

	"github.com/sessiongen/sessiongen/gen/sqlitedb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Create implements session.Store.
func (s *statements) Create(ctx context.Context, rec session.Record) error {
	n, err := write(s, ctx, storekit.OpCreate, func(ctx context.Context) (int64, error) {
		return s.q.CreateSession(ctx, sqlitedb.CreateSessionParams{
			Key:               rec.Key[:],
			Owner:             owner(rec.Owner),
			Data:              rec.Data,
			CreatedAt:         storekit.Micros(rec.CreatedAt),
			IdleExpiresAt:     storekit.Micros(rec.IdleExpiresAt),
			AbsoluteExpiresAt: storekit.Micros(rec.AbsoluteExpiresAt),
			RememberMe:        flag(rec.RememberMe),
			Device:            rec.Device,
			IpPrefix:          storekit.PrefixText(rec.IPPrefix),
		})
	})
	return storekit.IfNone(n, err, session.ErrExists)
}

// Load implements session.Store. The row comes back whatever its state and
// the store decides liveness, as memstore does: a current key that expired
// says how (ErrIdleExpired, ErrAbsoluteExpired); a previous key outside its
// grace window is just not found.
func (s *statements) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	row, err := storekit.Run(ctx, storekit.OpLoad, classify, func(ctx context.Context) (sqlitedb.SessiongenSession, error) {
		return s.q.LoadSession(ctx, key[:])
	})
	return storekit.Loaded(row, err, toRecord, key, now)
}

// Save implements session.Store with one conditional UPDATE ... RETURNING.
// SQLite has no data-modifying CTEs, so the statement cannot also report why
// it matched no row; only then a second, read-only statement tells a version
// conflict (the session is live) from a missing session. The common path
// stays one statement, and the read cannot turn a failure into a success.
func (s *statements) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	version, err := write(s, ctx, storekit.OpSave, func(ctx context.Context) (int64, error) {
		return s.q.SaveSession(ctx, sqlitedb.SaveSessionParams{
			Owner:         owner(rec.Owner),
			Data:          rec.Data,
			RememberMe:    flag(rec.RememberMe),
			IdleExpiresAt: storekit.Micros(rec.IdleExpiresAt),
			Key:           rec.Key[:],
			Version:       rec.Version,
			Now:           storekit.Micros(now),
		})
	})
	if errors.Is(err, session.ErrNotFound) { // no row matched
		return 0, s.whyUnchanged(ctx, storekit.OpSave, rec.Key, now, session.ErrConflict)
	}
	return version, err
}

// whyUnchanged explains a conditional write that matched no row: ifLive when
// the session under key is live (so the write's other condition failed),
// ErrNotFound otherwise.
func (s *statements) whyUnchanged(ctx context.Context, op string, key session.Key, now time.Time, ifLive error) error {
	_, err := storekit.Run(ctx, op, classify, func(ctx context.Context) (int64, error) {
		return s.q.LiveVersion(ctx, sqlitedb.LiveVersionParams{Key: key[:], Now: storekit.Micros(now)})
	})
	if err != nil {
		return err // ErrNotFound when no live session has key
	}
	return ifLive
}

// Touch implements session.Store.
func (s *statements) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	n, err := write(s, ctx, storekit.OpTouch, func(ctx context.Context) (int64, error) {
		return s.q.TouchSession(ctx, sqlitedb.TouchSessionParams{
			IdleExpiresAt: storekit.Micros(idleExpiresAt),
			Key:           key[:],
			Now:           storekit.Micros(now),
		})
	})
	return storekit.IfNone(n, err, session.ErrNotFound)
}

// Rotate implements session.Store with one conditional UPDATE. A new key
// taken as a current key fails the primary key (ErrExists); taken as a
// previous key (or equal to the old key) it fails the WHERE clause, and, as in
// Save, a read on that failure path alone tells ErrExists from ErrNotFound.
func (s *statements) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	n, err := write(s, ctx, storekit.OpRotate, func(ctx context.Context) (int64, error) {
		return s.q.RotateSession(ctx, sqlitedb.RotateSessionParams{
			NewKey:     newKey[:],
			OldKey:     oldKey[:],
			GraceUntil: storekit.Micros(r.Until),
			Refresh:    flag(r.Kind == session.RefreshRotation),
			RememberMe: flag(r.RememberMe),
			Device:     r.Device,
			IpPrefix:   storekit.PrefixText(r.IPPrefix),
			Now:        storekit.Micros(now),
		})
	})
	if err == nil && n == 0 {
		return s.whyUnchanged(ctx, storekit.OpRotate, oldKey, now, session.ErrExists)
	}
	return err
}

// Delete implements session.Store.
func (s *statements) Delete(ctx context.Context, key session.Key, now time.Time) error {
	_, err := write(s, ctx, storekit.OpDelete, func(ctx context.Context) (struct{}, error) {
		return struct{}{}, s.q.DeleteSession(ctx, sqlitedb.DeleteSessionParams{Key: key[:], Now: storekit.Micros(now)})
	})
	return err
}
