package redisstore

import (
	"context"
	"encoding/hex"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// rotateAttempts bounds how often Rotate starts over when a concurrent Save
// changed the session between the copy and the commit.
const rotateAttempts = 5

// Rotate implements session.Store in three steps across the two keys' slots:
//
//  1. prepare: a pending copy under newKey (pf = oldKey), which loads only once
//     oldKey points to it; then, for an owned session, newKey joins the owner's
//     index;
//  2. commit, on oldKey, atomically: if the session is live and still at the
//     copied version, oldKey becomes a pointer to newKey until graceUntil;
//  3. finish, on newKey: the copy becomes an ordinary session.
//
// A crash after step 1 leaves oldKey the only live key (the copy never loads
// and expires by TTL); after step 2, newKey is live and oldKey loads it only
// through the pointer, and the first load of either finishes step 3.
func (s *statements) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	const op = storekit.OpRotate
	kind := privilegeRotation
	if r.Kind == session.RefreshRotation {
		kind = refreshRotation
	}
	times, err := microsAll(op, r.Until, now)
	if err != nil {
		return err
	}
	oldHex, newHex := hex.EncodeToString(oldKey[:]), hex.EncodeToString(newKey[:])
	for range rotateAttempts {
		e, err := s.read(ctx, op, oldKey)
		switch {
		case err != nil:
			return err
		case e == nil || e.isPointer():
			return session.ErrNotFound
		case e.isPending():
			if err := s.resolveKey(ctx, op, oldKey); err != nil {
				return err
			}
			continue
		case !e.rec.Live(now):
			return session.ErrNotFound
		}
		if err := s.prepare(ctx, op, newKey, oldHex, &e.rec, &r, kind, times[0], now); err != nil {
			return err
		}
		if err := s.at("rotate:prepared"); err != nil {
			return err
		}
		status, values, err := s.runDurable(ctx, op, scriptRotateCommit, s.keys.sessionKeys(oldKey),
			[]string{oldHex, formatInt(e.rec.Version), newHex, times[0], times[1], s.retentionMillis(), kind})
		switch {
		case status == "ok" && len(values) == 1:
			if err := s.at("rotate:committed"); err != nil {
				return err
			}
			s.finish(ctx, op, newKey, oldKey, values[0])
			return err // nil, or WAIT fell short: committed, but maybe not on a replica
		case err != nil:
			return err // the commit may or may not have run: loads settle it
		case status == "conflict":
			continue // a Save landed after the copy: copy again
		case status == "notfound":
			s.abandon(ctx, op, newKey, oldHex)
			return session.ErrNotFound
		default:
			return unexpected(op, status)
		}
	}
	s.abandon(ctx, op, newKey, oldHex)
	return session.ErrConflict
}

// The rotation kinds as pointers (k) and rotated sessions (rk) store them: a
// refresh's previous key keeps loading the session during its window; a
// privilege rotation's is a tombstone that grants nothing (Load answers
// ErrSuperseded, Delete follows no tombstone).
const (
	refreshRotation   = "r"
	privilegeRotation = "p"
)

// prepare is step 1 of Rotate: the copy carries the rotation's kind and the
// new sign-in's details.
func (s *statements) prepare(ctx context.Context, op string, newKey session.Key, oldHex string, rec *session.Record, r *session.Rotation, kind, graceUs string, now time.Time) error {
	times, err := microsAll(op, rec.CreatedAt, rec.IdleExpiresAt, rec.AbsoluteExpiresAt)
	if err != nil {
		return err
	}
	ok, err := s.runInt(ctx, op, scriptRotatePrepare, []string{s.keys.session(newKey)},
		[]string{oldHex, rec.Owner, string(rec.Data), formatInt(rec.Version), times[0], times[1], times[2], graceUs,
			s.ttlMillis(rec.IdleExpiresAt, now), kind, flag(r.RememberMe), r.Device, storekit.PrefixText(r.IPPrefix)})
	switch {
	case err != nil:
		return err
	case ok == 0:
		return session.ErrExists
	case rec.Owner == "":
		return nil
	}
	if err := s.addOwner(ctx, op, rec.Owner, newKey, times[0], rec.AbsoluteExpiresAt, now); err != nil {
		s.abandon(ctx, op, newKey, oldHex)
		return err
	}
	return nil
}

// finish is step 3 of Rotate, also run by a reader that finds a committed
// pending copy. Its failure is harmless: the next reader finishes it.
func (s *statements) finish(ctx context.Context, op string, newKey, oldKey session.Key, idleUs string) {
	if idleUs == "" {
		idleUs = "0"
	}
	_, _ = s.runInt(ctx, op, scriptRotateFinish, s.keys.sessionKeys(newKey),
		[]string{hex.EncodeToString(newKey[:]), hex.EncodeToString(oldKey[:]), idleUs})
}

// abandon deletes the pending copy of a rotation that did not commit.
func (s *statements) abandon(ctx context.Context, op string, newKey session.Key, oldHex string) {
	_, _, _ = s.run(context.WithoutCancel(ctx), op, scriptDeletePrev, s.keys.sessionKeys(newKey),
		[]string{hex.EncodeToString(newKey[:]), oldHex})
}

// resolve settles a pending copy found under key: committed (its old key
// points to it) is finished and reported true; anything else is a rotation in
// flight or abandoned, and the copy is not a session (false).
func (s *statements) resolve(ctx context.Context, op string, key session.Key, e *entry) (bool, error) {
	ptr, err := s.read(ctx, op, e.pending)
	if err != nil {
		return false, err
	}
	if ptr == nil || !ptr.isPointer() || ptr.next != key {
		return false, nil
	}
	s.finish(ctx, op, key, e.pending, ptr.idle)
	e.pending = session.Key{}
	return true, nil
}

// resolveKey reads key and resolves it when it is a pending copy: nil when a
// retry of the caller's script can succeed, ErrNotFound when it is not a session.
func (s *statements) resolveKey(ctx context.Context, op string, key session.Key) error {
	e, err := s.read(ctx, op, key)
	switch {
	case err != nil:
		return err
	case e == nil || e.isPointer():
		return session.ErrNotFound
	case !e.isPending():
		return nil
	}
	ok, err := s.resolve(ctx, op, key, e)
	if err != nil || !ok {
		return notFoundUnless(err)
	}
	return nil
}
