package mysqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/sessiongen/sessiongen/gen/mysqldb"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// maxOwnerSize is the owner column's width (VARBINARY(512)). Longer owners are
// refused before the statement, with a clear ErrInvalid.
const maxOwnerSize = 512

// Create implements session.Store.
func (s *statements) Create(ctx context.Context, rec session.Record) error {
	const op = storekit.OpCreate
	if err := checkOwnerSize(op, rec.Owner); err != nil {
		return err
	}
	// Not idempotent: a repeat after a commit the client never heard of
	// would report ErrExists for the caller's own new session.
	n, err := run(s, ctx, op, notIdempotent, func(ctx context.Context) (int64, error) {
		return s.q.CreateSession(ctx, mysqldb.CreateSessionParams{
			SessionKey:        rec.Key[:],
			Owner:             owner(rec.Owner),
			Data:              rec.Data,
			CreatedAt:         storekit.Micros(rec.CreatedAt),
			IdleExpiresAt:     storekit.Micros(rec.IdleExpiresAt),
			AbsoluteExpiresAt: storekit.Micros(rec.AbsoluteExpiresAt),
			RememberMe:        rec.RememberMe,
			Device:            []byte(rec.Device),
			IpPrefix:          []byte(storekit.PrefixText(rec.IPPrefix)),
		})
	})
	return storekit.IfNone(n, err, session.ErrExists)
}

// Load implements session.Store. The row comes back whatever its state and
// the store decides liveness: a current key that expired says how
// (ErrIdleExpired, ErrAbsoluteExpired); a previous key outside its grace
// window is just not found. The hit path is one primary-key SELECT; only a
// key that is no session's current key costs a second statement, the lookup
// by previous key. Neither runs in a transaction: between the two a rotation
// may move the key from the first statement's reach into the second's, which
// then finds it, as it should (a key never becomes current again).
func (s *statements) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	row, err := run(s, ctx, storekit.OpLoad, idempotent, func(ctx context.Context) (mysqldb.SessiongenSession, error) {
		return s.q.LoadSession(ctx, key[:])
	})
	if err == nil {
		return storekit.Loaded(row, nil, toRecord, key, now)
	}
	if !errors.Is(err, session.ErrNotFound) {
		return session.Record{}, err
	}
	prev, err := run(s, ctx, storekit.OpLoad, idempotent, func(ctx context.Context) (mysqldb.SessiongenSession, error) {
		return s.q.LoadSessionByPrevKey(ctx, key[:])
	})
	return storekit.Loaded(prev, err, toRecord, key, now)
}

// Save implements session.Store with one UPDATE of the live session under
// rec.Key at version rec.Version; when it updates nothing, the statement's
// insert id tells a lost race (the live session's version) from a missing
// session (0).
func (s *statements) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	const op = storekit.OpSave
	if err := checkOwnerSize(op, rec.Owner); err != nil {
		return 0, err
	}
	// Not idempotent: a repeat of a save that did commit before its
	// connection died fails the version check, and ErrConflict would make
	// the runtime reload and apply the caller's update a second time. A
	// lost connection is ErrUnavailable ("may have committed") instead;
	// deadlock victims, which the server rolled back, are still retried.
	res, err := run(s, ctx, op, notIdempotent, func(ctx context.Context) (sql.Result, error) {
		return s.q.SaveSession(ctx, mysqldb.SaveSessionParams{
			Owner:         owner(rec.Owner),
			Data:          rec.Data,
			RememberMe:    rec.RememberMe,
			IdleExpiresAt: storekit.Micros(rec.IdleExpiresAt),
			SessionKey:    rec.Key[:],
			Now:           storekit.Micros(now),
			Version:       rec.Version,
		})
	})
	updated, liveVersion, err := outcome(op, res, err)
	switch {
	case err != nil:
		return 0, err
	case updated == 1:
		return rec.Version + 1, nil
	case liveVersion != 0:
		return 0, session.ErrConflict
	}
	return 0, session.ErrNotFound
}

// Touch implements session.Store.
func (s *statements) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	n, err := run(s, ctx, storekit.OpTouch, idempotent, func(ctx context.Context) (int64, error) {
		return s.q.TouchSession(ctx, mysqldb.TouchSessionParams{
			IdleExpiresAt: storekit.Micros(idleExpiresAt),
			SessionKey:    key[:],
			Now:           storekit.Micros(now),
		})
	})
	return storekit.IfNone(n, err, session.ErrNotFound)
}

// Rotate implements session.Store with one UPDATE of the live session under
// oldKey; when it updates nothing, the statement's insert id tells a taken
// newKey (1) from a missing session (0).
func (s *statements) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	const op = storekit.OpRotate
	// Not idempotent: a repeat after an unheard commit would find oldKey
	// already rotated away and report ErrNotFound.
	res, err := run(s, ctx, op, notIdempotent, func(ctx context.Context) (sql.Result, error) {
		return s.q.RotateSession(ctx, mysqldb.RotateSessionParams{
			NewKey:     newKey[:],
			GraceUntil: storekit.Micros(r.Until),
			Refresh:    r.Kind == session.RefreshRotation,
			RememberMe: r.RememberMe,
			Device:     []byte(r.Device),
			IpPrefix:   []byte(storekit.PrefixText(r.IPPrefix)),
			OldKey:     oldKey[:],
			Now:        storekit.Micros(now),
		})
	})
	updated, signal, err := outcome(op, res, err)
	switch {
	case err != nil:
		return err
	case updated == 1:
		return nil
	case signal != 0:
		// The session is live but newKey is some session's previous key (a
		// tombstone included) or oldKey itself.
		return session.ErrExists
	}
	return session.ErrNotFound
}

// Delete implements session.Store.
func (s *statements) Delete(ctx context.Context, key session.Key, now time.Time) error {
	return exec(s, ctx, storekit.OpDelete, idempotent, func(ctx context.Context) error {
		return s.q.DeleteSession(ctx, mysqldb.DeleteSessionParams{SessionKey: key[:], Now: storekit.Micros(now)})
	})
}

// outcome reads the two numbers a reporting UPDATE (SaveSession,
// RotateSession) returns: the rows it updated, and the value its condition
// passed to LAST_INSERT_ID, which the server reports as the insert id (0 when
// no row was found to evaluate it on).
func outcome(op string, res sql.Result, err error) (updated, signal int64, _ error) {
	if err != nil {
		return 0, 0, err
	}
	// go-sql-driver reads both from the OK packet: these cannot fail.
	updated, err1 := res.RowsAffected()
	signal, err2 := res.LastInsertId()
	if err := errors.Join(err1, err2); err != nil {
		return 0, 0, fmt.Errorf("mysqlstore: %s: %w", op, err)
	}
	return updated, signal, nil
}

// checkOwnerSize refuses an owner that would not fit its column.
func checkOwnerSize(op, owner string) error {
	if len(owner) > maxOwnerSize {
		return storekit.Invalid(op, "owner longer than 512 bytes")
	}
	return nil
}
