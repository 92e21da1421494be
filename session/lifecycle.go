package session

import (
	"context"
	"fmt"
	"log/slog"
)

// Rotate gives the session a new token, keeping its data. Call it on login and
// on any privilege change, before writing the response: the old token keeps
// loading the session for RotateGrace, so that requests already in flight with
// it still work, and then stops. A session not stored yet just gets its fresh
// token when it is created. A request that reached the session through an old
// token cannot rotate it again (Rotate does nothing): it holds no current
// token, and the browser already has the new one.
func (s *Session[T, P]) Rotate(ctx context.Context) error {
	switch {
	case s.gone:
		return ErrNotFound
	case s.headerSent:
		return ErrHeaderWritten
	case !s.stored || s.viaPrev:
		return nil
	}
	device, ip := s.signIn()
	var err error
	for range 3 { // see create: ErrExists only keeps the contract harmless
		t := newToken()
		key := t.key()
		now := s.m.now()
		r := Rotation{Kind: RefreshRotation, Until: now.Add(s.m.RotateGrace), RememberMe: s.remember, Device: device, IPPrefix: ip}
		err = s.m.store.Rotate(ctx, s.key, key, r, now)
		if err == nil {
			s.m.obs.note(ctx, slog.LevelInfo, EventRotated, key, nil)
			s.key, s.minted, s.cookie = key, t, cookieSet
			return nil
		}
		if isNotFound(err) {
			s.noteGone(ctx)
			return err
		}
		if !isExists(err) {
			return err
		}
	}
	return err
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
