package redisstore

import (
	"context"
	"encoding/hex"
	"strconv"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Create implements session.Store.
func (s *statements) Create(ctx context.Context, rec session.Record) error {
	const op = storekit.OpCreate
	if rec.IdleExpiresAt.After(rec.AbsoluteExpiresAt) {
		rec.IdleExpiresAt = rec.AbsoluteExpiresAt
	}
	times, err := microsAll(op, rec.CreatedAt, rec.IdleExpiresAt, rec.AbsoluteExpiresAt)
	if err != nil {
		return err
	}
	member := hex.EncodeToString(rec.Key[:])
	status, _, err := s.runWrite(ctx, op, scriptCreate, s.keys.sessionKeys(rec.Key),
		[]string{member, rec.Owner, string(rec.Data), times[0], times[1], times[2], s.ttlMillis(rec.IdleExpiresAt, rec.CreatedAt),
			flag(rec.RememberMe), rec.Device, storekit.PrefixText(rec.IPPrefix)})
	switch {
	case err != nil:
		return err
	case status == "exists":
		return session.ErrExists
	case status != "ok":
		return unexpected(op, status)
	case rec.Owner == "":
		return nil
	}
	// Nobody holds the token before Create returns, so indexing right after
	// the create cannot let a revocation miss a session anyone could use.
	if err := s.addOwner(ctx, op, rec.Owner, rec.Key, times[0], rec.AbsoluteExpiresAt, rec.CreatedAt); err != nil {
		_, _ = s.runInt(context.WithoutCancel(ctx), op, scriptDeleteExpired, s.keys.sessionKeys(rec.Key), []string{member, formatInt(maxMicros)})
		return err
	}
	return nil
}

// Load implements session.Store. It reads one hash; a previous key (a pointer
// left by Rotate) costs a second read of the session it points to.
func (s *statements) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	const op = storekit.OpLoad
	e, err := s.read(ctx, op, key)
	if err != nil {
		return session.Record{}, err
	}
	switch {
	case e == nil:
		return session.Record{}, session.ErrNotFound
	case e.isPointer():
		return s.loadVia(ctx, op, key, e, now)
	case e.isPending():
		if ok, err := s.resolve(ctx, op, key, e); err != nil || !ok {
			return session.Record{}, notFoundUnless(err)
		}
	}
	if err := storekit.CheckLoaded(&e.rec, key, now); err != nil {
		return session.Record{}, err
	}
	return e.rec, nil
}

// loadVia loads the session a previous key points to, within its grace window.
func (s *statements) loadVia(ctx context.Context, op string, key session.Key, ptr *entry, now time.Time) (session.Record, error) {
	if !now.Before(ptr.graceAt) {
		return session.Record{}, session.ErrNotFound
	}
	e, err := s.read(ctx, op, ptr.next)
	if err != nil {
		return session.Record{}, err
	}
	if e == nil || e.isPointer() || e.rec.PrevKey != key {
		return session.Record{}, session.ErrNotFound // rotated again, or deleted
	}
	if e.isPending() {
		// key points to it: the rotation committed; finish it for the next reader.
		s.finish(ctx, op, ptr.next, key, ptr.idle)
	}
	if err := storekit.CheckLoaded(&e.rec, key, now); err != nil {
		return session.Record{}, err
	}
	return e.rec, nil
}

// notFoundUnless returns err, or ErrNotFound when err is nil.
func notFoundUnless(err error) error {
	if err != nil {
		return err
	}
	return session.ErrNotFound
}

// read returns the hash stored under key, nil when there is none.
func (s *statements) read(ctx context.Context, op string, key session.Key) (*entry, error) {
	h, err := s.client.Do(ctx, s.client.B().Hgetall().Key(s.keys.session(key)).Build()).AsStrMap()
	if err != nil {
		return nil, classify(op, err)
	}
	return decodeEntry(op, key, h)
}

// Save implements session.Store: one script call, unless the owner changes
// (the session is indexed under the new owner first) or a rotation to this key
// has to be finished.
func (s *statements) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	const op = storekit.OpSave
	times, err := microsAll(op, rec.IdleExpiresAt, now)
	if err != nil {
		return 0, err
	}
	member := hex.EncodeToString(rec.Key[:])
	indexed := "0"
	for range 3 {
		status, values, err := s.runWrite(ctx, op, scriptSave, s.keys.sessionKeys(rec.Key)[:2],
			[]string{member, formatInt(rec.Version), rec.Owner, string(rec.Data), times[0], times[1], s.retentionMillis(), indexed,
				flag(rec.RememberMe)})
		switch {
		case err != nil:
			return 0, err
		case status == "ok" && len(values) == 1:
			return strconv.ParseInt(values[0], 10, 64)
		case status == "notfound":
			return 0, session.ErrNotFound
		case status == "conflict":
			return 0, session.ErrConflict
		case status == "pending":
			if err := s.resolveKey(ctx, op, rec.Key); err != nil {
				return 0, err
			}
		case status == "index" && len(values) == 1:
			abs, err := parseMicros(values[0])
			if err != nil {
				return 0, unexpected(op, status)
			}
			if err := s.addOwner(ctx, op, rec.Owner, rec.Key, times[1], abs, now); err != nil {
				return 0, err
			}
			if err := s.at("save:indexed"); err != nil {
				return 0, err
			}
			indexed = "1"
		default:
			return 0, unexpected(op, status)
		}
	}
	return 0, session.ErrConflict
}

// Touch implements session.Store.
func (s *statements) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	const op = storekit.OpTouch
	times, err := microsAll(op, idleExpiresAt, now)
	if err != nil {
		return err
	}
	for range 2 {
		status, _, err := s.runWrite(ctx, op, scriptTouch, s.keys.sessionKeys(key)[:2],
			[]string{hex.EncodeToString(key[:]), times[0], times[1], s.retentionMillis()})
		switch {
		case err != nil:
			return err
		case status == "ok":
			return nil
		case status == "notfound":
			return session.ErrNotFound
		case status == "pending":
			if err := s.resolveKey(ctx, op, key); err != nil {
				return err
			}
		default:
			return unexpected(op, status)
		}
	}
	return session.ErrNotFound
}

// Delete implements session.Store. Through a previous key it deletes the
// session the key was rotated to first, then the pointer.
func (s *statements) Delete(ctx context.Context, key session.Key, now time.Time) error {
	const op = storekit.OpDelete
	nowUs, err := micros(op, now)
	if err != nil {
		return err
	}
	member := hex.EncodeToString(key[:])
	status, values, err := s.runDurable(ctx, op, scriptDelete, s.keys.sessionKeys(key), []string{member, nowUs})
	switch {
	case err != nil:
		return err
	case status == "deleted" || status == "none":
		return nil
	case status != "follow" || len(values) != 1:
		return unexpected(op, status)
	}
	next, err := parseKey(values[0])
	if err != nil {
		return unexpected(op, status)
	}
	if _, _, err := s.runDurable(ctx, op, scriptDeletePrev, s.keys.sessionKeys(next),
		[]string{values[0], member}); err != nil {
		return err
	}
	return classify(op, s.client.Do(ctx, s.client.B().Del().Key(s.keys.session(key)).Build()).Error())
}

// runInt runs a script whose reply is an integer.
func (s *statements) runInt(ctx context.Context, op string, sc *script, keys, args []string) (int64, error) {
	n, err := sc.exec(ctx, s.client, keys, args).AsInt64()
	return n, classify(op, err)
}

// microsAll converts several times with micros.
func microsAll(op string, ts ...time.Time) ([]string, error) {
	out := make([]string, len(ts))
	for i, t := range ts {
		var err error
		if out[i], err = micros(op, t); err != nil {
			return nil, err
		}
	}
	return out, nil
}

// flag is a boolean as the scripts store it.
func flag(b bool) string {
	if b {
		return "1"
	}
	return "0"
}
