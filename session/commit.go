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
	if s.gone {
		return nil
	}
	if !s.stored {
		changed, _ := s.changes(nil) // no stored bytes: nothing to decode
		if changed.Empty() && !s.reset {
			return nil // lazy: no field set, no row, no cookie
		}
		s.changed = changed
		if err := s.beforeWrite(ctx); err != nil {
			return err
		}
		return s.create(ctx)
	}
	bp, data, err := encodeInto[T, P](&s.value)
	if err != nil {
		return err
	}
	defer putBuf(bp, data)
	changed, err := s.changes(data)
	if err != nil {
		return err
	}
	if changed.Empty() && !s.rememberChanged {
		s.maybeTouch(ctx)
		return nil
	}
	s.changed = changed
	if err := s.beforeWrite(ctx); err != nil {
		return err
	}
	if !s.stored { // Rotate started a fresh session: see Rotate
		return s.create(ctx)
	}
	err = s.save(ctx, data)
	if errors.Is(err, ErrNotFound) {
		return nil // logout wins: markGone already dropped the changes
	}
	return err
}

// changes returns the fields this request changed: the ones setters marked,
// and every one whose value differs from what was loaded (zero for a session
// not stored), however it was changed: in place through a map, slice or
// pointer a getter returned, or through Value. data is the value's encoding
// (nil for a session not stored). Equal bytes mean nothing changed, which is
// the common case and costs no decode; otherwise the loaded bytes are decoded
// and compared field by field, because a map's entries encode in any order.
func (s *Session[T, P]) changes(data []byte) (FieldSet, error) {
	if !s.stored {
		return s.changed.Union(P(&s.value).DiffSession(&s.m.zero)), nil
	}
	if bytes.Equal(data, s.base) {
		return s.changed, nil
	}
	if err := P(&s.loaded).DecodeSession(s.base); err != nil {
		return s.changed, fmt.Errorf("%w: loaded value: %w", ErrCorrupt, err)
	}
	return s.changed.Union(P(&s.value).DiffSession(&s.loaded)), nil
}

// encodedChanges is changes for a caller that has no encoding at hand.
func (s *Session[T, P]) encodedChanges() (FieldSet, error) {
	if !s.stored {
		return s.changes(nil)
	}
	bp, data, err := encodeInto[T, P](&s.value)
	defer putBuf(bp, data)
	if err != nil {
		return s.changed, err
	}
	return s.changes(data)
}

// create stores the session under a freshly minted token.
func (s *Session[T, P]) create(ctx context.Context) error {
	if s.headerSent {
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
		s.enforceCap(ctx, rec.Owner)
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

// save writes the changed session (data is its encoding, or nil), and on a
// lost version race reloads it, merges this request's changes into the stored
// value and retries. Saves of one session in this process queue on its key
// lock, so they race only with other processes. It returns an error matching
// ErrNotFound when the session is gone (and marks it so).
func (s *Session[T, P]) save(ctx context.Context, data []byte) error {
	key := s.key
	kl, err := s.m.commits.lock(ctx, key)
	if err != nil {
		return err
	}
	defer s.m.commits.unlock(key, kl)
	if fresh, ok := kl.newer(s.key, s.version); ok {
		// A request ahead in the queue saved since this one loaded: merge
		// onto what it wrote rather than save at a version already gone.
		mine, err := s.rebaseOnto(ctx, &fresh, s.changed, &s.value)
		if err != nil {
			return err
		}
		if s.changed = mine; mine.Empty() && !s.rememberChanged {
			return nil
		}
		data = nil // the value changed: encode it again
	}
	for attempt := 0; ; attempt++ {
		began := time.Now()
		err := s.saveOnce(ctx, kl, data)
		data = nil
		if !retryable(err) {
			return err
		}
		if err := s.beforeRetry(ctx, kl, attempt, time.Since(began)); err != nil {
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

// saveOnce writes the session once, at the version it was loaded. data is the
// value's encoding, or nil to encode it here. kl, the key's lock the caller
// holds, remembers the written record for the next request in the queue.
func (s *Session[T, P]) saveOnce(ctx context.Context, kl *keyLock, data []byte) error {
	if data == nil {
		bp, encoded, err := encodeInto[T, P](&s.value)
		if err != nil {
			return err
		}
		defer putBuf(bp, encoded)
		data = encoded
	}
	now := s.m.now()
	rec := Record{
		Key: s.key, Owner: P(&s.value).SessionOwner(), Data: data, Version: s.version,
		IdleExpiresAt: s.m.idleExpiry(now, s.absoluteExpiresAt), RememberMe: s.remember,
	}
	v, err := s.m.store.Save(ctx, rec, now)
	if err != nil {
		return err
	}
	if rec.Owner != s.owner {
		s.owner = rec.Owner
		s.enforceCap(ctx, rec.Owner)
	}
	// Clone rather than reuse base in place: the decoded value may alias it.
	s.base = bytes.Clone(data)
	s.version, s.idleExpiresAt = v, rec.IdleExpiresAt
	s.changed, s.rememberChanged = FieldSet{}, false
	rec.Data, rec.Version = s.base, v
	rec.CreatedAt, rec.AbsoluteExpiresAt = s.createdAt, s.absoluteExpiresAt
	kl.wrote(rec)
	return nil
}

// beforeRetry counts a lost race and waits a jittered, growing delay, giving
// up with a *ContentionError after MaxRetries or when the wait and the retry
// would outlast the request's deadline.
// window is how long the lost attempt took: the time a competing save needs,
// which scales the delay to the store (microseconds in memory, milliseconds
// for a durable SQL commit); the key's recent conflicts (kl's heat) lengthen
// it while other processes keep writing the session.
func (s *Session[T, P]) beforeRetry(ctx context.Context, kl *keyLock, attempt int, window time.Duration) error {
	if attempt >= s.m.MaxRetries {
		return s.contended(ctx, attempt, "MaxRetries reached")
	}
	kl.conflicted()
	s.m.obs.note(ctx, slog.LevelDebug, EventConflictRetried, s.key, nil)
	d := backoff(attempt+kl.heat-1, window)
	// The retry needs the wait and then about as long as the lost attempt
	// took (twice that, for the attempt's own variance): one that cannot end
	// before the deadline is not started, so the caller gets the conflict
	// while there is still time to answer.
	if deadline, ok := ctx.Deadline(); ok && !retryFits(time.Until(deadline), d, window) {
		return s.contended(ctx, attempt, "a retry would pass the request deadline")
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return canceled(ctx, unavailable("retry save", ctx.Err()))
	}
}

// retryFits reports whether a retry that waits d and then takes about window
// (twice that, for its variance) ends within remaining.
func retryFits(remaining, d, window time.Duration) bool { return remaining > d+2*window }

// contended reports a save that gives up after retries rounds (event
// conflict_failed, with the key prefix and the retry count) and returns its
// error.
func (s *Session[T, P]) contended(ctx context.Context, retries int, reason string) error {
	s.m.obs.note(ctx, slog.LevelWarn, EventConflictFailed, s.key, nil, slog.Int("retries", retries))
	return &ContentionError{Retries: retries, Reason: reason}
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
// changes onto it (see rebaseOnto). When the session is gone it marks it so
// and returns an error matching ErrNotFound: a logged-out session is never
// recreated.
func (s *Session[T, P]) rebase(ctx context.Context, mine FieldSet, src *T) (FieldSet, error) {
	fresh, err := s.m.store.Load(ctx, s.key, s.m.now())
	if err != nil {
		switch {
		case errors.Is(err, ErrNotFound):
			s.noteGone(ctx)
		case errors.Is(err, ErrSuperseded):
			// A concurrent login retired this request's token: it must not
			// write, nor touch the browser's new cookie.
			s.superseded, s.stored = true, false
			s.m.obs.note(ctx, slog.LevelInfo, EventSuperseded, s.key, nil)
		}
		return mine, err
	}
	return s.rebaseOnto(ctx, &fresh, mine, src)
}

// rebaseOnto replays this request's changes (the fields in mine, valued as in
// src) onto fresh, a newer stored state of the session, by the fields' merge
// policies, and makes it the state the request works from. It returns the
// fields still to be written.
func (s *Session[T, P]) rebaseOnto(ctx context.Context, fresh *Record, mine FieldSet, src *T) (FieldSet, error) {
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
	s.adopt(fresh)
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
