package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
)

// The load path: the first step of a request (middleware -> load -> commit).

// load reads the session named by the request's cookie, if it has a
// well-formed one. It returns an error only when the store failed: an absent,
// expired or unreadable session is an anonymous one.
func (s *Session[T, P]) load(ctx context.Context, h http.Header) error {
	t, present, ok := findToken(h, s.m.cookie.Name)
	if !ok {
		if present {
			s.cookie = cookieClear // garbage: stop the browser from sending it
		}
		return nil
	}
	return s.loadKey(ctx, t.key())
}

// loadKey reads the session stored under key; see load.
func (s *Session[T, P]) loadKey(ctx context.Context, key Key) error {
	rec, err := s.m.store.Load(ctx, key, s.m.now())
	if err != nil {
		return s.loadFailed(ctx, key, err)
	}
	if err := P(&s.value).DecodeSession(rec.Data); err != nil {
		var zero T
		s.value = zero
		return s.resetUnreadable(ctx, key, err)
	}
	s.adopt(&rec)
	s.viaPrev = rec.Key != key
	return nil
}

// loadFailed sorts a failed Load: expiry and absence give an anonymous session
// (the cookie is cleared), an unreadable row is reset, anything else is a
// store failure for ErrorHandler.
func (s *Session[T, P]) loadFailed(ctx context.Context, key Key, err error) error {
	switch {
	case errors.Is(err, ErrIdleExpired):
		s.m.obs.note(ctx, slog.LevelInfo, EventIdleExpired, key, nil)
	case errors.Is(err, ErrAbsoluteExpired):
		s.m.obs.note(ctx, slog.LevelInfo, EventAbsoluteExpired, key, nil)
	case errors.Is(err, ErrSuperseded):
		// A token retired by a privilege rotation moments ago: the browser
		// most likely holds the new one already. Serve anonymously and leave
		// its cookie alone (clearing it would delete the new one).
		s.superseded = true
		return nil
	case errors.Is(err, ErrNotFound):
	case errors.Is(err, ErrCorrupt):
		return s.resetUnreadable(ctx, key, err)
	default:
		return err
	}
	s.cookie, s.ended = cookieClear, true
	return nil
}

// resetUnreadable replaces a session whose row cannot be decoded (a codec bug,
// an incompatible deploy, tampering) with a fresh anonymous one under a new
// token, so that the visitor gets a working session instead of a 500 loop. The
// row itself is left alone: it is somebody's data, a rollback of the deploy
// that broke it makes it readable again, and an operator can inspect it
// (`sessiongen sessions show`); it expires and is cleaned up like any other.
// The reason is logged with the key prefix; the data is not.
func (s *Session[T, P]) resetUnreadable(ctx context.Context, key Key, cause error) error {
	s.m.obs.note(ctx, slog.LevelWarn, EventDecodeFailed, key, cause)
	s.reset, s.cookie = true, cookieClear
	return nil
}
