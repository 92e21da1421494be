package session

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"math/rand/v2"
	"sync"
	"time"
)

// The commit path: the last step of a request (middleware -> load -> commit).

// bufPool holds encode buffers: a session is encoded on every save, and the
// bytes live only until the store call returns (stores copy what they keep).
var bufPool = sync.Pool{New: func() any { b := make([]byte, 0, 512); return &b }}

// encodeInto encodes the session value into a pooled buffer. The caller returns
// the buffer with putBuf once the store call is done.
func encodeInto[T any, P Codec[T]](v *T) (*[]byte, []byte, error) {
	bp := bufPool.Get().(*[]byte)
	data, err := P(v).AppendSession((*bp)[:0])
	return bp, data, err
}

// putBuf returns an encode buffer, keeping the grown slice if it grew, but not
// a huge one that would pin memory.
func putBuf(bp *[]byte, data []byte) {
	if cap(data) > 64<<10 {
		return
	}
	*bp = data[:0]
	bufPool.Put(bp)
}

// commit makes the stored session reflect this request: creates it if fields
// were set on a new session, saves changed fields (merging with concurrent
// saves), or touches the idle expiry when only time has passed.
func (s *Session[T, P]) commit(ctx context.Context) error {
	switch {
	case s.gone:
		return nil
	case s.superseded && !s.stored:
		if s.changed.Empty() {
			return nil
		}
		return ErrSuperseded
	case !s.stored:
		if s.changed.Empty() && !s.reset {
			return nil // lazy: no field set, no row, no cookie
		}
		return s.create(ctx)
	case s.changed.Empty() && !s.rememberChanged:
		s.maybeTouch(ctx)
		return nil
	}
	err := s.save(ctx)
	if errors.Is(err, ErrNotFound) {
		return nil // logout wins: markGone already dropped the changes
	}
	return err
}

// create stores the session under a freshly minted token.
func (s *Session[T, P]) create(ctx context.Context) error {
	if s.headerSent {
		s.m.Logger.LogAttrs(ctx, slog.LevelWarn, "session not created: response header already sent")
		return ErrHeaderWritten
	}
	bp, data, err := encodeInto[T, P](&s.value)
	if err != nil {
		return err
	}
	defer putBuf(bp, data)
	device, ip := s.signIn()
	// A collision of 256-bit random tokens does not happen; the loop only
	// makes Create's ErrExists contract harmless.
	for range 3 {
		t := newToken()
		now := s.m.now()
		abs := now.Add(s.m.Lifetime)
		rec := Record{
			Key: t.key(), Owner: P(&s.value).SessionOwner(), Data: data, Version: 1,
			CreatedAt: now, IdleExpiresAt: s.m.idleExpiry(now, abs), AbsoluteExpiresAt: abs,
			RememberMe: s.remember, Device: device, IPPrefix: ip,
		}
		err = s.m.store.Create(ctx, rec)
		if errors.Is(err, ErrExists) {
			continue
		}
		if err != nil {
			return err
		}
		rec.Data = bytes.Clone(data)
		s.adopt(&rec)
		s.minted, s.cookie, s.viaPrev = t, cookieSet, false
		s.changed, s.reset = FieldSet{}, false
		s.m.obs.note(ctx, slog.LevelInfo, EventCreated, rec.Key, nil)
		return nil
	}
	return err
}

// maybeTouch moves the idle expiry forward, without a version bump, once
// touchAfter has passed since it was last written: most read-only requests
// write nothing, which keeps SQL updates rare (and HOT-friendly).
func (s *Session[T, P]) maybeTouch(ctx context.Context) {
	if !s.idleExpiresAt.Before(s.absoluteExpiresAt) {
		return // already at the absolute limit: nothing to extend
	}
	now := s.m.now()
	if now.Sub(s.idleExpiresAt.Add(-s.m.IdleTimeout)) < s.m.touchAfter {
		return
	}
	idle := s.m.idleExpiry(now, s.absoluteExpiresAt)
	err := s.m.store.Touch(ctx, s.key, idle, now)
	switch {
	case err == nil:
		s.idleExpiresAt = idle
	case errors.Is(err, ErrNotFound):
		s.noteGone(ctx)
	default:
		// The data is saved; only the expiry refresh was missed, and the next
		// request retries it. Failing the response for that would turn a
		// store hiccup into user-visible errors on read-only pages.
		s.m.Logger.LogAttrs(ctx, slog.LevelWarn, "session touch failed",
			slog.String("key_prefix", s.key.Prefix()), slog.String("error", err.Error()))
	}
}

// noteGone marks the session gone and reports it.
func (s *Session[T, P]) noteGone(ctx context.Context) {
	s.m.obs.note(ctx, slog.LevelInfo, EventRevoked, s.key, nil)
	s.markGone()
}

// save writes the changed session, and on a lost version race reloads it,
// merges this request's changes into the stored value and retries. It returns
// an error matching ErrNotFound when the session is gone (and marks it so).
func (s *Session[T, P]) save(ctx context.Context) error {
	for attempt := 0; ; attempt++ {
		began := time.Now()
		err := s.saveOnce(ctx)
		if !retryable(err) {
			return err
		}
		if err := s.beforeRetry(ctx, attempt, time.Since(began)); err != nil {
			return err
		}
		mine, err := s.rebase(ctx, s.changed, &s.value)
		if err != nil {
			return err
		}
		if s.changed = mine; mine.Empty() && !s.rememberChanged {
			return nil // the stored value already holds everything this request wanted
		}
	}
}

// retryable reports whether a save failed because the stored session moved on:
// another request saved (ErrConflict) or rotated it (ErrNotFound under the old
// key). Both are resolved by reloading.
func retryable(err error) bool {
	return err != nil && (errors.Is(err, ErrConflict) || errors.Is(err, ErrNotFound))
}

// saveOnce writes the session once, at the version it was loaded.
func (s *Session[T, P]) saveOnce(ctx context.Context) error {
	bp, data, err := encodeInto[T, P](&s.value)
	if err != nil {
		return err
	}
	defer putBuf(bp, data)
	now := s.m.now()
	rec := Record{
		Key: s.key, Owner: P(&s.value).SessionOwner(), Data: data, Version: s.version,
		IdleExpiresAt: s.m.idleExpiry(now, s.absoluteExpiresAt), RememberMe: s.remember,
	}
	v, err := s.m.store.Save(ctx, rec, now)
	if err != nil {
		return err
	}
	// Clone rather than reuse base in place: the decoded value may alias it.
	s.base = bytes.Clone(data)
	s.version, s.idleExpiresAt = v, rec.IdleExpiresAt
	s.changed, s.rememberChanged = FieldSet{}, false
	return nil
}

// beforeRetry counts a lost race and waits a jittered, growing delay, giving up
// after MaxRetries or when the wait and the retry would outlast the request's
// deadline.
// window is how long the lost attempt took: the time a competing save needs,
// which scales the delay to the store (microseconds in memory, milliseconds
// for a durable SQL commit).
func (s *Session[T, P]) beforeRetry(ctx context.Context, attempt int, window time.Duration) error {
	if attempt >= s.m.MaxRetries {
		s.m.obs.note(ctx, slog.LevelWarn, EventConflictFailed, s.key, nil)
		return fmt.Errorf("%w: still conflicting after %d retries", ErrConflict, attempt)
	}
	s.m.obs.note(ctx, slog.LevelDebug, EventConflictRetried, s.key, nil)
	d := backoff(attempt, window)
	// The retry needs the wait and then about as long as the lost attempt
	// took (twice that, for the attempt's own variance): one that cannot end
	// before the deadline is not started, so the caller gets the conflict
	// while there is still time to answer.
	if deadline, ok := ctx.Deadline(); ok && time.Until(deadline) <= d+2*window {
		s.m.obs.note(ctx, slog.LevelWarn, EventConflictFailed, s.key, nil)
		return fmt.Errorf("%w: a retry would pass the request deadline", ErrConflict)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return unavailable("retry save", ctx.Err())
	}
}

// Backoff bounds: the first retry waits at least retryBase, each next one up to
// twice as long as the one before, never more than retryCap.
const (
	retryBase = 100 * time.Microsecond
	retryCap  = 100 * time.Millisecond
)

// backoff returns the wait before retry attempt+1: "equal jitter" (half fixed,
// half random) over window doubled per attempt, so that racing requests spread
// out over more than the time one save takes instead of colliding again.
func backoff(attempt int, window time.Duration) time.Duration {
	d := max(retryBase, window)
	for range attempt {
		if d >= retryCap {
			break
		}
		d *= 2
	}
	d = min(d, retryCap)
	return d/2 + rand.N(d/2+1)
}

// rebase reloads the session after a lost race and replays this request's
// changes (the fields in mine, valued as in src) onto the stored value, by the
// fields' merge policies. It returns the fields still to be written. When the
// session is gone it marks it so and returns an error matching ErrNotFound:
// a logged-out session is never recreated.
func (s *Session[T, P]) rebase(ctx context.Context, mine FieldSet, src *T) (FieldSet, error) {
	now := s.m.now()
	fresh, err := s.m.store.Load(ctx, s.key, now)
	if err != nil {
		if errors.Is(err, ErrNotFound) {
			s.noteGone(ctx)
		}
		return mine, err
	}
	var theirs, base T
	if err := P(&theirs).DecodeSession(fresh.Data); err != nil {
		return mine, fmt.Errorf("%w: reload: %w", ErrCorrupt, err)
	}
	if err := P(&base).DecodeSession(s.base); err != nil {
		return mine, fmt.Errorf("%w: base: %w", ErrCorrupt, err)
	}
	both := P(&theirs).DiffSession(&base).Intersect(mine)
	theirsWins, refuse := P(&theirs).SessionMergePolicy()
	if clash := both.Intersect(refuse); !clash.Empty() {
		s.m.obs.note(ctx, slog.LevelWarn, EventConflictFailed, s.key, nil)
		return mine, &ConflictError{Fields: wireKeys[T, P](clash)}
	}
	apply := mine.Minus(both.Intersect(theirsWins))
	P(&theirs).MergeSession(src, apply)
	if fresh.Key != s.key {
		s.viaPrev = true // someone rotated it: we hold no token for the new key
	}
	s.value = theirs
	s.adopt(&fresh)
	return apply, nil
}

// wireKeys names the fields of set by their wire keys, for error messages.
func wireKeys[T any, P Codec[T]](set FieldSet) []string {
	keys := P(new(T)).SessionKeys()
	out := make([]string, 0, set.Len())
	set.Each(func(i int) {
		if i < len(keys) {
			out = append(out, keys[i])
		}
	})
	return out
}
