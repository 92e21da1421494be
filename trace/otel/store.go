package otel

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// The Store methods: each runs the inner call inside its span.

var _ session.Store = (*tracedStore)(nil)

// Create implements session.Store.
func (s *tracedStore) Create(ctx context.Context, rec session.Record) error {
	ctx, span, _ := s.start(ctx, storekit.OpCreate, rec.Key)
	err := s.inner.Create(ctx, rec)
	end(span, err)
	return err
}

// Load implements session.Store.
func (s *tracedStore) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	sctx, span, _ := s.start(ctx, storekit.OpLoad, key)
	rec, err := s.inner.Load(sctx, key, now)
	end(span, err)
	return rec, err
}

// Save implements session.Store. It counts the conflicts a save loses, for
// the retry attribute of the calls that follow.
func (s *tracedStore) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	sctx, span, _ := s.start(ctx, storekit.OpSave, rec.Key)
	v, err := s.inner.Save(sctx, rec, now)
	end(span, err)
	s.saved(ctx, rec.Key, err)
	return v, err
}

// Touch implements session.Store.
func (s *tracedStore) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	ctx, span, _ := s.start(ctx, storekit.OpTouch, key)
	err := s.inner.Touch(ctx, key, idleExpiresAt, now)
	end(span, err)
	return err
}

// Rotate implements session.Store.
func (s *tracedStore) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	ctx, span, _ := s.start(ctx, storekit.OpRotate, oldKey)
	err := s.inner.Rotate(ctx, oldKey, newKey, r, now)
	end(span, err)
	return err
}

// Delete implements session.Store.
func (s *tracedStore) Delete(ctx context.Context, key session.Key, now time.Time) error {
	ctx, span, _ := s.start(ctx, storekit.OpDelete, key)
	err := s.inner.Delete(ctx, key, now)
	end(span, err)
	return err
}

// DeleteOwner implements session.Store.
func (s *tracedStore) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	ctx, span, _ := s.start(ctx, storekit.OpDeleteOwner, session.Key{})
	n, err := s.inner.DeleteOwner(ctx, owner, except)
	end(span, err)
	return n, err
}

// DeleteOwned implements session.Store.
func (s *tracedStore) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	ctx, span, _ := s.start(ctx, storekit.OpDeleteOwned, key)
	err := s.inner.DeleteOwned(ctx, owner, key, now)
	end(span, err)
	return err
}

// TrimOwner implements session.Store.
func (s *tracedStore) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	ctx, span, _ := s.start(ctx, storekit.OpTrimOwner, session.Key{})
	n, err := s.inner.TrimOwner(ctx, owner, except, keep, now)
	end(span, err)
	return n, err
}

// ListOwner implements session.Store.
func (s *tracedStore) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	ctx, span, _ := s.start(ctx, storekit.OpListOwner, session.Key{})
	recs, err := s.inner.ListOwner(ctx, owner, now, limit)
	end(span, err)
	return recs, err
}

// List implements session.Store.
func (s *tracedStore) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	ctx, span, _ := s.start(ctx, storekit.OpList, session.Key{})
	recs, err := s.inner.List(ctx, after, limit)
	end(span, err)
	return recs, err
}

// Count implements session.Store.
func (s *tracedStore) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	ctx, span, _ := s.start(ctx, storekit.OpCount, session.Key{})
	c, err := s.inner.Count(ctx, now)
	end(span, err)
	return c, err
}

// DeleteExpired implements session.Store.
func (s *tracedStore) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	ctx, span, _ := s.start(ctx, storekit.OpDeleteExpired, session.Key{})
	n, last, err := s.inner.DeleteExpired(ctx, from, now, limit)
	end(span, err)
	return n, last, err
}
