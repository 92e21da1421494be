package session

import "time"

// Per-session remember-me: whether this session's cookie outlives the
// browser session. It is stored with the session (Record.RememberMe), so it
// holds on every later response that sends the cookie, survives rotation,
// and shows in Devices.

// SetRememberMe makes this session's cookie persistent (on: it carries a
// Max-Age that ends with the session's own absolute expiry, so the browser
// keeps it when it closes) or a browser-session cookie (off), for this
// session only; other sessions keep their own choice. Typically called at
// login, next to Rotate, from a "remember me" box.
//
// The choice is saved with the session at commit, even when no field
// changed, and the response sends the cookie again with its new lifetime. A
// session not stored yet takes it when it is created. Cookie.Persist, when
// set, makes every cookie persistent whatever a session chose.
//
// Call it before the response header goes out: afterwards it changes nothing
// and returns ErrHeaderWritten. On a session destroyed or revoked in this
// request it changes nothing and returns an error matching ErrNotFound.
func (s *Session[T, P]) SetRememberMe(on bool) error {
	switch {
	case s.gone:
		return ErrNotFound
	case s.headerSent:
		return ErrHeaderWritten
	case on == s.remember:
		return nil
	}
	s.remember, s.rememberChanged = on, true
	if s.stored && !s.viaPrev && s.cookie == cookieKeep {
		s.resendCookie()
	}
	return nil
}

// RememberMe reports whether this session's cookie is persistent by its own
// choice (see SetRememberMe).
func (s *Session[T, P]) RememberMe() bool { return s.remember }

// resendCookie makes the response send the request's own token again, so
// that the cookie's new lifetime reaches the browser. The token is the
// request's cookie whose key is the session's: a request that reached the
// session another way sends nothing, and the lifetime follows with the next
// cookie it gets.
func (s *Session[T, P]) resendCookie() {
	if s.w.r == nil {
		return
	}
	toks, _, found := findTokens(s.w.r.Header, s.m.cookie.name)
	if found == cookieToken && toks[0].key() == s.key {
		s.minted, s.cookie = toks[0], cookieSet
	}
}

// cookieExpiry returns when the session's cookie ends: its absolute expiry
// when the cookie is persistent, the zero Time for a browser-session
// cookie.
func (s *Session[T, P]) cookieExpiry() time.Time {
	if s.remember || s.m.cookie.persist {
		return s.absoluteExpiresAt
	}
	return time.Time{}
}
