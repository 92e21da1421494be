package session

import (
	"errors"
	"fmt"
	"time"
)

// ErrHeaderWritten means an operation needed to send a cookie (creating or
// rotating a session) after the response header had gone out. Set session
// fields, Update and Rotate before writing the response.
var ErrHeaderWritten = errors.New("session: response header already written")

// ErrDuplicateCookie means the request carried several different session
// cookies that name live sessions (a cookie planted from a sibling subdomain
// or over plain HTTP next to the visitor's own, when the cookie has no
// __Host- prefix). The request is served anonymously, and nothing that would
// store a session or set a cookie is allowed: it could attach the visitor's
// data or login to the planted session, or replace the visitor's cookie.
// DefaultErrorHandler answers 400.
var ErrDuplicateCookie = errors.New("session: several different session cookies")

// Session is one request's view of a session of type T. It belongs to the
// request's goroutine: it is not safe for concurrent use.
type Session[T any, P Codec[T]] struct {
	m       *Manager[T, P]
	value   T
	changed FieldSet // fields marked by setters (and, from a commit on, found changed) and not saved yet

	key     Key    // current key of the stored session; zero until one exists
	stored  bool   // a row exists for key
	base    []byte // the stored bytes value derives from: the base of a conflict merge
	version int64  // the version base has

	owner                                       string // the owner stored with key: a change means a privilege change
	createdAt, idleExpiresAt, absoluteExpiresAt time.Time

	minted token        // the token this request issued (valid when cookie == cookieSet)
	cookie cookieAction // what the response does with the cookie

	remember        bool // the cookie is persistent by this session's choice (remember.go)
	rememberChanged bool // remember was set in this request and is not saved yet

	// viaPrev: the session was reached through a rotated-away key, so this
	// request does not hold the current token. It must not rotate again nor
	// send a cookie: the browser already got (or is getting) the new one.
	viaPrev bool
	// superseded: the request's token was retired by a privilege rotation.
	// It is served anonymously and sends no cookie; a change it tries to
	// store is refused with ErrSuperseded.
	superseded bool
	// several: the request carried several different cookies of the
	// session's name (cookie tossing, or a stale cookie at another Path or
	// Domain). The response never clears a cookie: it could be the victim's.
	several bool
	// ambiguous: several of those cookies name live sessions, and nothing
	// tells the visitor's own from a planted one. The request is served
	// anonymously and cannot store or rotate anything (ErrDuplicateCookie).
	ambiguous bool
	// keyOnly: the session was loaded by key (Manager.LoadKey), by server
	// code that holds no token: it cannot rotate nor send a cookie.
	keyOnly bool
	// rotated: Rotate ran in this request (or must not run again).
	rotated bool
	// read: the handler asked for the session (From): the response depends
	// on the cookie and carries Vary: Cookie.
	read bool
	// gone: the session was destroyed, revoked or expired under this request.
	// Nothing in the request writes it again: logout wins.
	gone bool
	// ended: the request's token named a session that is no longer live
	// (logged out, revoked, expired): the request is anonymous.
	ended bool
	// reset: the stored row was unreadable and was removed; commit creates a
	// fresh session under a new token even if nothing else changed.
	reset bool
	// headerSent: the response header is out, no cookie can be sent anymore.
	headerSent bool
	err        error // the last commit failure, for Err

	w responseWriter[T, P] // allocated with the session: one allocation per request

	// loaded is scratch space for the loaded value when a commit compares it
	// with value, allocated with the session rather than on every commit.
	loaded T
}

// Value returns the session's value. Changes made to it, or in place to a
// map, slice or pointer target a getter returned, are saved like setter
// changes: the commit compares the value with what was loaded. The generated
// setters say so at once (Changed), which keeps a field set to the value it
// already had re-applied over a concurrent request's change.
func (s *Session[T, P]) Value() *T { return &s.value }

// Changed records that field i (a field index, see Codec) was modified. It is
// called by generated setters.
func (s *Session[T, P]) Changed(i int) { s.changed.Add(i) }

// Key returns the store key of the session: the SHA-256 of its token, safe to
// log. It is the zero Key while the session has not been stored.
func (s *Session[T, P]) Key() Key { return s.key }

// Owner returns the user the session belongs to (the field tagged user), ""
// for an anonymous session.
func (s *Session[T, P]) Owner() string { return P(&s.value).SessionOwner() }

// IsNew reports whether the session has not been stored yet: the visitor sent
// no valid session cookie and nothing was saved in this request so far.
func (s *Session[T, P]) IsNew() bool { return !s.stored }

// Ended reports whether the client sent the token of a session that has
// ended: logged out or revoked elsewhere, or expired. The request goes on as
// an anonymous one (IsNew) and the client is told to drop its cookie; an app
// can tell the visitor "you were signed out" instead of showing a silent
// logout. It is false without a cookie and for a malformed one.
func (s *Session[T, P]) Ended() bool { return s.ended }

// Err returns the error of the last failed commit, nil if none failed, or
// the reason a change made after the response header went out cannot be
// saved: ErrHeaderWritten when the session does not exist yet (there is no
// header left for its cookie), ErrSuperseded when its token was retired. A
// late change to a stored session is saved when the handler returns; if that
// fails, it is logged. A streaming handler checks Err (or Commit's result)
// after its last change.
func (s *Session[T, P]) Err() error {
	if s.err != nil || !s.headerSent || s.stored || s.gone {
		return s.err
	}
	if changed, _ := s.changes(nil); changed.Empty() {
		return nil
	}
	if s.superseded {
		return ErrSuperseded
	}
	return fmt.Errorf("%w: a change made after it cannot create the session", ErrHeaderWritten)
}

// adopt makes rec the stored state the request works from.
func (s *Session[T, P]) adopt(rec *Record) {
	s.key, s.stored, s.version, s.owner = rec.Key, true, rec.Version, rec.Owner
	s.base = rec.Data
	s.createdAt, s.idleExpiresAt, s.absoluteExpiresAt = rec.CreatedAt, rec.IdleExpiresAt, rec.AbsoluteExpiresAt
	if !s.rememberChanged {
		s.remember = rec.RememberMe
	}
}

// markGone records that the stored session disappeared under this request
// (logout, revocation or expiry elsewhere): its changes are dropped, it is never
// recreated, and the browser is told to drop the cookie, unless the request
// may not hold the browser's cookie at all: its token was superseded (the
// browser has the new one) or it came with several cookies (one may be a
// victim's).
func (s *Session[T, P]) markGone() {
	s.gone, s.stored = true, false
	s.changed = FieldSet{}
	s.reset = false
	s.cookie = cookieKeep
	if !s.superseded && !s.several {
		s.cookie = cookieClear
	}
}

// isNotFound and isExists keep the store-error switches readable.
func isNotFound(err error) bool { return errors.Is(err, ErrNotFound) }
func isExists(err error) bool   { return errors.Is(err, ErrExists) }
