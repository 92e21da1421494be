package session

import (
	"context"
	"fmt"
	"log/slog"
)

// Rotate gives the session a new token on a change of privilege: call it on
// login, on logout of an elevated mode, and on any change of the session's
// owner (the field tagged user; a commit that finds the owner changed without
// a Rotate in the request runs it itself). Call it before the response header
// goes out: the response sets the new cookie. The data stays.
//
// The old token is retired at once. For RotateGrace it is a tombstone: a
// request that still carries it (one in flight during the login, or a token
// someone planted or copied before the login) loads nothing, is served
// anonymously, cannot write, and its response leaves the browser's new
// cookie alone. After the window it is unknown.
//
// A request that does not hold the session's current token (it came with a
// retired token, or a concurrent request rotated or ended the session) never
// writes into that session, which someone else may hold: Rotate starts a
// fresh session under a fresh token instead, with the value this request
// sees, and the response sets its cookie. A session not stored yet just gets
// its fresh token when it is created.
//
// It fails with ErrDuplicateCookie when the request carried several live
// session cookies, with ErrHeaderWritten after the header went out, and with
// ErrNotFound after Destroy.
func (s *Session[T, P]) Rotate(ctx context.Context) error {
	switch {
	case s.gone:
		return ErrNotFound
	case s.headerSent:
		return ErrHeaderWritten
	case s.ambiguous:
		return ErrDuplicateCookie
	case s.keyOnly:
		return nil // no token to replace, no client to send one to (Manager.LoadKey)
	}
	s.rotated = true
	switch {
	case s.superseded:
		s.superseded = false // a login through a retired token: a new session
		return nil
	case !s.stored:
		return nil
	case s.viaPrev:
		s.startFresh()
		return nil
	}
	err := s.rotate(ctx, PrivilegeRotation)
	if isNotFound(err) {
		// Rotated or ended by a concurrent request: this one's token is not
		// (or no longer) the session's current one.
		s.startFresh()
		return nil
	}
	return err
}

// RefreshToken replaces the session's token with no change of privilege, to
// shorten the life of a token that may have been seen (periodic renewal).
// The old token keeps loading the session for RotateGrace, so that requests
// already in flight with it still work. Never use it for a login or any other
// privilege change: that is Rotate, which leaves the old token nothing.
// A request that came with a previous token does nothing: the browser
// already has the new one.
func (s *Session[T, P]) RefreshToken(ctx context.Context) error {
	switch {
	case s.gone:
		return ErrNotFound
	case s.headerSent:
		return ErrHeaderWritten
	case !s.stored || s.viaPrev:
		return nil
	}
	err := s.rotate(ctx, RefreshRotation)
	if isNotFound(err) {
		s.noteGone(ctx)
	}
	return err
}

// rotate moves the stored session to a fresh token; the response sets it.
func (s *Session[T, P]) rotate(ctx context.Context, kind RotationKind) error {
	device, ip := s.signIn()
	var err error
	for range 3 { // see create: ErrExists only keeps the contract harmless
		t := newToken()
		key := t.key()
		now := s.m.now()
		r := Rotation{Kind: kind, Until: now.Add(s.m.RotateGrace), RememberMe: s.remember, Device: device, IPPrefix: ip}
		err = s.m.store.Rotate(ctx, s.key, key, r, now)
		if err == nil {
			s.m.obs.note(ctx, slog.LevelInfo, EventRotated, key, nil)
			s.key, s.minted, s.cookie = key, t, cookieSet
			return nil
		}
		if !isExists(err) {
			return err
		}
	}
	return err
}

// startFresh detaches the request from the stored session, whose current
// token it does not hold: commit creates a new session with the value as
// this request sees it, under a new token.
func (s *Session[T, P]) startFresh() {
	s.stored, s.viaPrev, s.superseded = false, false, false
	s.key, s.owner, s.base, s.version = Key{}, "", nil, 0
	s.reset, s.cookie = true, cookieKeep
}

// beforeWrite applies the privilege rules before anything is stored: a request
// that cannot tell the visitor's session from a planted one stores nothing, an
// owner change rotates first, and a request through a retired token writes
// nothing (its changes are refused, not silently dropped).
func (s *Session[T, P]) beforeWrite(ctx context.Context) error {
	switch {
	case s.ambiguous:
		return ErrDuplicateCookie
	case s.needsRotation():
		return s.Rotate(ctx)
	case s.superseded:
		return ErrSuperseded
	}
	return nil
}

// needsRotation reports whether the session is about to be stored with an
// owner other than the one it was loaded with, and nothing rotated it: a
// login whose handler forgot Rotate. A request through a retired token that
// sets an owner counts too.
func (s *Session[T, P]) needsRotation() bool {
	return !s.rotated && !s.keyOnly && (s.stored || s.superseded) && P(&s.value).SessionOwner() != s.owner
}

// enforceCap ends the owner's least recently used other sessions beyond
// MaxSessionsPerOwner, after a request gave this session its owner. A
// failure is logged, not returned: the login itself succeeded.
func (s *Session[T, P]) enforceCap(ctx context.Context, owner string) {
	if s.m.MaxSessionsPerOwner <= 0 || owner == "" {
		return
	}
	n, err := s.m.store.TrimOwner(ctx, owner, s.key, s.m.MaxSessionsPerOwner-1, s.m.now())
	switch {
	case err != nil:
		s.m.Logger.LogAttrs(ctx, slog.LevelWarn, "session cap not enforced",
			slog.String("key_prefix", s.key.Prefix()), slog.String("error", err.Error()))
	case n > 0:
		s.m.Metrics.Event(EventRevoked)
		s.m.Logger.LogAttrs(ctx, slog.LevelInfo, "session cap reached: the owner's least recently used sessions ended",
			slog.String("event", string(EventRevoked)), slog.String("key_prefix", s.key.Prefix()), slog.Int64("ended", n))
	}
}

// Destroy deletes the session (logout) and tells the browser to drop the
// cookie. Nothing in this request writes the session again, and a slower
// concurrent request cannot bring it back.
func (s *Session[T, P]) Destroy(ctx context.Context) error {
	if s.stored {
		if err := s.m.store.Delete(ctx, s.key, s.m.now()); err != nil {
			return err
		}
		s.m.obs.note(ctx, slog.LevelInfo, EventDestroyed, s.key, nil)
	}
	s.markGone()
	var zero T
	s.value = zero
	return nil
}

// RevokeOthers ends every other session of the owner ("log out my other
// devices") and returns how many ended. Their next request is anonymous. An
// anonymous session has nothing to revoke.
func (s *Session[T, P]) RevokeOthers(ctx context.Context) (int64, error) {
	except := Key{}
	if s.stored {
		except = s.key
	}
	return s.revoke(ctx, except)
}

// RevokeAll ends every session of the owner, this one included ("log out
// everywhere"), and returns how many ended.
func (s *Session[T, P]) RevokeAll(ctx context.Context) (int64, error) {
	n, err := s.revoke(ctx, Key{})
	if err != nil {
		return n, err
	}
	// The stored row may carry a different owner (a login in this very
	// request): delete it explicitly.
	return n, s.Destroy(ctx)
}

// RevokeDevice ends one session of the owner, named by its Device.Key ("log
// out that browser"); the current session's key logs this one out like
// Destroy. A key that is not one of the owner's live sessions ends nothing and
// returns an error matching ErrNotFound, so that a user who names a stranger's
// session (guessed, or copied from another page) cannot end it.
func (s *Session[T, P]) RevokeDevice(ctx context.Context, key Key) error {
	if s.stored && key == s.key {
		return s.Destroy(ctx)
	}
	owner := s.Owner()
	if owner == "" {
		return fmt.Errorf("%w: an anonymous session has no other sessions", ErrNotFound)
	}
	// One statement checks the owner and deletes: no list of the owner's
	// sessions is read, however many there are.
	err := s.m.store.DeleteOwned(ctx, owner, key, s.m.now())
	if err != nil {
		if isNotFound(err) {
			return fmt.Errorf("%w: %s is not another session of this user", ErrNotFound, key.Prefix())
		}
		return err
	}
	s.m.obs.note(ctx, slog.LevelInfo, EventRevoked, key, nil)
	return nil
}

// revoke deletes the owner's sessions except the one keyed except.
func (s *Session[T, P]) revoke(ctx context.Context, except Key) (int64, error) {
	owner := s.Owner()
	if owner == "" {
		return 0, nil
	}
	n, err := s.m.store.DeleteOwner(ctx, owner, except)
	if err != nil {
		return 0, err
	}
	s.m.obs.note(ctx, slog.LevelInfo, EventRevoked, s.key, nil)
	return n, nil
}
