package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"

	"github.com/sessiongen/sessiongen/session/internal/storeop"
)

// Handler is the middleware: it attaches the request's session to the request
// context (generated From accessors find it there) and commits it before the
// response header goes out. m.Handler is a func(http.Handler) http.Handler, so
// it can be passed to any router's Use.
//
// A request without a session cookie, or with a malformed one, costs no store
// call. A request with a well-formed cookie loads its session before next
// runs, so that an unavailable store answers through ErrorHandler (503 by
// default) instead of handing next an empty session, and no new session or
// cookie is issued during an outage.
//
// Handler panics if the configuration is invalid (see Check).
func (m *Manager[T, P]) Handler(next http.Handler) http.Handler {
	if err := m.Check(); err != nil {
		panic(err)
	}
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { m.serve(w, r, next) })
}

// serve runs one request.
func (m *Manager[T, P]) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	s := &Session[T, P]{m: m}
	if err := s.load(r.Context(), r.Header); err != nil {
		m.ErrorHandler(w, r, err)
		return
	}
	r = r.WithContext(context.WithValue(r.Context(), ctxKey[T, P]{m}, s))
	s.w = responseWriter[T, P]{ResponseWriter: w, s: s, r: r}
	next.ServeHTTP(&s.w, r)
	s.finish(r.Context())
}

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
	key := t.key()
	start := s.m.startCall()
	rec, err := s.m.Store.Load(ctx, key, s.m.now())
	if err = s.m.observed(ctx, storeop.Load, key, start, err); err != nil {
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
		s.m.note(ctx, slog.LevelInfo, EventIdleExpired, key, nil)
	case errors.Is(err, ErrAbsoluteExpired):
		s.m.note(ctx, slog.LevelInfo, EventAbsoluteExpired, key, nil)
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
	s.cookie = cookieClear
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
	s.m.note(ctx, slog.LevelWarn, EventDecodeFailed, key, cause)
	s.reset, s.cookie = true, cookieClear
	return nil
}

// beforeHeader commits the session and adds its cookie to h, at the last moment
// the header can still change. An error means the handler's response must
// not go out.
func (s *Session[T, P]) beforeHeader(ctx context.Context, h http.Header) error {
	if err := s.commit(ctx); err != nil {
		s.err = err
		return err
	}
	if !s.viaPrev || s.cookie == cookieClear {
		s.m.cookie.setCookieHeader(h, s.cookie, &s.minted, s.absoluteExpiresAt, s.m.now())
	}
	s.headerSent = true
	return nil
}

// finish commits what the handler left: everything when it wrote nothing (the
// header goes out when ServeHTTP returns), or changes made after the header
// went out, which can still be saved but can no longer create a session.
func (s *Session[T, P]) finish(ctx context.Context) {
	if !s.w.started {
		s.w.beforeHeader()
		return
	}
	if s.w.failed || s.changed.Empty() {
		return
	}
	if err := s.commit(ctx); err != nil {
		s.err = err
		s.m.Logger.LogAttrs(ctx, slog.LevelError, "session commit after response header failed",
			slog.String("key_prefix", s.key.Prefix()), slog.String("error", err.Error()))
	}
}
