package session

import (
	"context"
	"fmt"
	"net/http"
)

// Sessions outside an HTTP handler: a WebSocket connection after the upgrade,
// a gRPC or Connect call, a queue consumer or a background job acting for a
// user. They get the session the way the middleware does and commit it
// explicitly, under the same rules: the save carries the version it loaded,
// merges with concurrent saves by the fields' policies, never brings back a
// session that was logged out or revoked, and logs key prefixes, never
// tokens.

// Load returns ctx carrying the session named by token (the session cookie's
// value), for From and the generated accessors. Change it as in a handler,
// then call Commit: nothing is saved without it.
//
// Like a request with that cookie: a malformed, unknown, expired or
// logged-out token gives an anonymous session (its Cookie tells the client to
// drop the token), and an unreadable one a fresh session. Load fails only
// when the store does, with an error matching ErrUnavailable or a store
// error; the error never contains the token.
func (m *Manager[T, P]) Load(ctx context.Context, token string) (context.Context, error) {
	if err := m.Check(); err != nil {
		return ctx, err
	}
	s := &Session[T, P]{m: m}
	t, ok := parseToken(token)
	switch {
	case ok:
		if err := s.loadKey(ctx, t.key()); err != nil {
			return ctx, err
		}
	case token != "":
		s.cookie = cookieClear
	}
	return m.attach(ctx, s), nil
}

// LoadHeader is Load with the token found in Cookie header lines as a request
// carries them: the header of a WebSocket upgrade request, or the "cookie"
// values of gRPC metadata (http.Header{"Cookie": md.Get("cookie")}). It reads
// the manager's cookie name (with its __Host- prefix, if configured) under
// the middleware's rules for malformed and repeated cookies.
func (m *Manager[T, P]) LoadHeader(ctx context.Context, h http.Header) (context.Context, error) {
	if err := m.Check(); err != nil {
		return ctx, err
	}
	s := &Session[T, P]{m: m}
	if err := s.load(ctx, h); err != nil {
		return ctx, err
	}
	return m.attach(ctx, s), nil
}

// LoadKey returns ctx carrying the session stored under key: a Device.Key, or
// a key a job was given (keys, unlike tokens, are safe to keep and log). It is
// for work on a user's behalf without the user's token, such as leaving a
// flash message on each of their devices after a payment clears. Holding no
// token, the caller cannot create a session or rotate one: Rotate does
// nothing, and Cookie is nil unless the session ended. A session that is not
// live returns an error matching ErrNotFound (ErrSuperseded for a key retired
// by a privilege rotation); an unreadable one, ErrCorrupt.
func (m *Manager[T, P]) LoadKey(ctx context.Context, key Key) (context.Context, error) {
	if err := m.Check(); err != nil {
		return ctx, err
	}
	s := &Session[T, P]{m: m}
	if err := s.loadKey(ctx, key); err != nil {
		return ctx, err
	}
	switch {
	case s.superseded:
		return ctx, fmt.Errorf("%w: %s", ErrSuperseded, key.Prefix())
	case s.reset:
		return ctx, fmt.Errorf("%w: %s cannot be decoded", ErrCorrupt, key.Prefix())
	case !s.stored:
		return ctx, fmt.Errorf("%w: %s", ErrNotFound, key.Prefix())
	}
	s.viaPrev, s.keyOnly = true, true // no token: nothing to rotate, no cookie to send
	return m.attach(ctx, s), nil
}

// attach returns ctx carrying s, where From finds it.
func (m *Manager[T, P]) attach(ctx context.Context, s *Session[T, P]) context.Context {
	return context.WithValue(ctx, ctxKey[T, P]{m}, s)
}

// Cookie returns the cookie the client must now be sent, for a transport that
// is not the middleware's response: the new token of a session that Commit
// created or Rotate rotated (with the manager's cookie attributes), or an
// expired cookie when the client's token names no live session. It is nil
// when the client keeps the cookie it has. Send cookie.String() as a
// Set-Cookie header or "set-cookie" gRPC metadata, or cookie.Value to a
// client that keeps the token itself; never log it. In an HTTP handler the
// middleware sends it already.
func (s *Session[T, P]) Cookie() *http.Cookie {
	if s.cookie == cookieKeep || (s.viaPrev && s.cookie != cookieClear) {
		return nil
	}
	// The middleware's own header writer, so that both paths send the same
	// attributes.
	h := http.Header{}
	s.m.cookie.setCookieHeader(h, s.cookie, &s.minted, s.cookieExpiry(), s.m.now())
	c, err := http.ParseSetCookie(h.Get("Set-Cookie"))
	if err != nil {
		return nil
	}
	return c
}
