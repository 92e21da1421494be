package session

import (
	"context"
	"errors"
	"time"
)

// Update runs fn on the session value and saves the result at once, atomically:
// if another request saved in between, Update reloads the session, re-applies
// this request's pending setter changes and runs fn again on the fresh value,
// so read-modify-write changes such as counters are never lost. fn may run
// several times and must not have other side effects. An error from fn leaves
// the value as it was and is returned. Update creates the session when it does
// not exist yet; it returns an error matching ErrNotFound when the session was
// destroyed or revoked (it is never recreated), and a *ConflictError when fn
// and another request changed a merge=error field. Updates of one session
// within one process run one at a time, so fn must not call Update itself.
func (s *Session[T, P]) Update(ctx context.Context, fn func(*T) error) error {
	if s.gone {
		return ErrNotFound
	}
	// Changes made so far, by setters or in place: they are re-applied after
	// a conflict like setter changes.
	pending, err := s.encodedChanges()
	if err != nil {
		return err
	}
	s.changed = pending
	var kl *keyLock
	if s.stored {
		key := s.key
		if kl, err = s.m.commits.lock(ctx, key); err != nil {
			return err
		}
		defer s.m.commits.unlock(key, kl)
		if fresh, ok := kl.newer(s.key, s.version); ok {
			// A request ahead in the queue saved since this one loaded: run
			// fn on what it wrote.
			if pending, err = s.rebaseOnto(ctx, &fresh, pending, &s.value); err != nil {
				return err
			}
			s.changed = pending
		}
	}
	for attempt := 0; ; attempt++ {
		before, err := s.snapshot()
		if err != nil {
			return err
		}
		began := time.Now()
		err = s.updateOnce(ctx, kl, fn, pending, &before)
		if !retryable(err) || !s.stored {
			if err != nil && !s.gone {
				// Undo fn: its change was not saved, and the commit before
				// the header must not write a stale copy of it later.
				s.value, s.changed = before, pending
			}
			return err
		}
		if err := s.beforeRetry(ctx, kl, attempt, time.Since(began)); err != nil {
			s.value, s.changed = before, pending
			return err
		}
		// Replay only the setter changes: fn runs again on the fresh value.
		if pending, err = s.rebase(ctx, pending, &before); err != nil {
			if !s.gone {
				s.value, s.changed = before, pending
			}
			return err
		}
	}
}

// updateOnce runs fn on the current value and writes the result: a Create for
// a session not stored yet, a Save at the loaded version otherwise.
func (s *Session[T, P]) updateOnce(ctx context.Context, kl *keyLock, fn func(*T) error, pending FieldSet, before *T) error {
	if err := fn(&s.value); err != nil {
		return err
	}
	s.changed = pending.Union(P(&s.value).DiffSession(before))
	if !s.changed.Empty() {
		if err := s.beforeWrite(ctx); err != nil {
			return err
		}
	}
	switch {
	case !s.stored:
		return s.create(ctx)
	case s.changed.Empty():
		return nil
	}
	return s.saveOnce(ctx, kl, nil)
}

// snapshot returns a deep copy of the session value (through the codec, the
// one deep copy every session type has), so that fn can be undone and diffed.
func (s *Session[T, P]) snapshot() (T, error) {
	var v T
	bp, data, err := encodeInto[T, P](&s.value)
	if err == nil {
		err = P(&v).DecodeSession(data)
	}
	putBuf(bp, data)
	return v, err
}

// Commit saves the session now instead of before the response header. Use it
// in streaming handlers, before the first write, when later changes must be
// durable before the response completes, or to handle a save error yourself
// (the middleware's own commit runs the ErrorHandler instead). It merges with
// concurrent saves like the automatic commit. A session destroyed or revoked
// elsewhere is not recreated: Commit drops the changes and returns nil.
func (s *Session[T, P]) Commit(ctx context.Context) error {
	err := s.commit(ctx)
	if err != nil && !errors.Is(err, ErrNotFound) {
		s.err = err
	}
	return err
}
