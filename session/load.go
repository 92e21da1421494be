package session

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"slices"
)

// The load path: the first step of a request (middleware -> load -> commit).

// load reads the session named by the request's cookie, if it has a
// well-formed one. It returns an error only when the store failed: an absent,
// expired or unreadable session is an anonymous one.
func (s *Session[T, P]) load(ctx context.Context, h http.Header) error {
	toks, n, found := findTokens(h, s.m.cookie.name)
	switch found {
	case cookieAbsent:
		return nil
	case cookieMalformed:
		s.cookie = cookieClear // garbage: stop the browser from sending it
		return nil
	case cookieSeveral:
		return s.loadSeveral(ctx, toks, n)
	}
	return s.loadKey(ctx, toks[0].key())
}

// loadKey reads the session stored under key; see load.
func (s *Session[T, P]) loadKey(ctx context.Context, key Key) error {
	rec, err := s.m.store.Load(ctx, key, s.m.now())
	if err != nil {
		return s.loadFailed(ctx, key, err)
	}
	return s.use(ctx, key, &rec)
}

// use makes rec, loaded by key, the request's session.
func (s *Session[T, P]) use(ctx context.Context, key Key, rec *Record) error {
	if err := P(&s.value).DecodeSession(rec.Data); err != nil {
		var zero T
		s.value = zero
		return s.resetUnreadable(ctx, key, err)
	}
	s.adopt(rec)
	s.viaPrev = rec.Key != key
	return nil
}

// loadSeveral handles a request that carried several different cookies of the
// session's name. Browsers send every cookie whose Domain and Path match, so a
// cookie planted by a sibling subdomain or a plain-HTTP response sits next to
// the visitor's own, and nothing in the request says which is which. The
// policy: look each token up (at most maxCandidates); when exactly one names
// a live session, that is the session (the others are dead: a planted token
// that was never a session, or one retired by the visitor's own login); when
// several do, the request is anonymous and cannot store anything
// (ErrDuplicateCookie). Either way the event is logged, and the response
// never clears a cookie, which could be the victim's.
//
// Choosing the single live session gives an attacker nothing he could not get
// by planting one cookie in a browser that has none; refusing to choose
// between two live ones keeps him from pulling the visitor's requests into
// his session. The __Host- prefix (the default) keeps planted cookies out
// altogether.
func (s *Session[T, P]) loadSeveral(ctx context.Context, toks [maxCandidates]token, n int) error {
	s.several = true
	var (
		live    Record
		liveKey Key
		seen    [maxCandidates]Key // current keys of the live sessions found
		count   int
	)
	if n > maxCandidates {
		count = n // too many to look up: ambiguous, without a store call
	}
	now := s.m.now()
	for i := range min(n, maxCandidates) {
		key := toks[i].key()
		rec, err := s.m.store.Load(ctx, key, now)
		switch {
		case err == nil:
			// A refreshed session answers to its previous key too: count
			// sessions, not tokens.
			if !slices.Contains(seen[:count], rec.Key) {
				seen[count] = rec.Key
				count++
			}
			live, liveKey = rec, key
		case errors.Is(err, ErrNotFound), errors.Is(err, ErrSuperseded), errors.Is(err, ErrCorrupt):
			// not a live session: it cannot be the visitor's
		default:
			return err
		}
	}
	switch {
	case count == 1:
		s.m.obs.note(ctx, slog.LevelWarn, EventDuplicateCookie, live.Key,
			fmt.Errorf("%w: %d values, one names a live session: using it", ErrDuplicateCookie, n))
		return s.use(ctx, liveKey, &live)
	case count > 1:
		s.ambiguous = true
		s.m.obs.note(ctx, slog.LevelWarn, EventDuplicateCookie, Key{},
			fmt.Errorf("%w: %d values, several name live sessions: served anonymously, nothing stored", ErrDuplicateCookie, n))
	default:
		s.m.obs.note(ctx, slog.LevelWarn, EventDuplicateCookie, Key{},
			fmt.Errorf("%w: %d values, none names a live session", ErrDuplicateCookie, n))
	}
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
		s.m.obs.note(ctx, slog.LevelInfo, EventSuperseded, key, nil)
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
