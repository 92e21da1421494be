package session

import (
	"context"
	"errors"
	"log/slog"
	"net/http"
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

// beforeHeader commits the session and adds its cookie to h, at the last moment
// the header can still change. An error means the handler's response must
// not go out.
func (s *Session[T, P]) beforeHeader(ctx context.Context, h http.Header) error {
	if err := s.commit(ctx); err != nil {
		s.err = err
		return err
	}
	if !s.viaPrev || s.cookie == cookieClear {
		s.m.cookie.setCookieHeader(h, s.cookie, &s.minted, s.cookieExpiry(), s.m.now())
	}
	if s.read || s.cookie != cookieKeep {
		addVary(h)
	}
	s.headerSent = true
	return nil
}

// finish commits what the handler left: everything when it wrote nothing (the
// header goes out when ServeHTTP returns), or changes made after the header
// went out, which can still be saved but can no longer create a session.
// Such a late change that is not saved is logged (and reported by Err).
func (s *Session[T, P]) finish(ctx context.Context) {
	if !s.w.started {
		s.w.beforeHeader()
		return
	}
	if s.w.failed {
		return
	}
	if err := s.commit(ctx); err != nil {
		s.err = err
		level := slog.LevelError
		switch {
		case errors.Is(err, ErrCanceled):
			level = slog.LevelDebug
		case errors.Is(err, ErrHeaderWritten), errors.Is(err, ErrSuperseded):
			level = slog.LevelWarn
		}
		key := "none: not created"
		if !s.key.IsZero() {
			key = s.key.Prefix()
		}
		s.m.Logger.LogAttrs(ctx, level, "session change after response header not saved",
			slog.String("key_prefix", key), slog.String("error", err.Error()))
	}
}
