package session

import (
	"context"
	"time"

	"github.com/sessiongen/sessiongen/session/internal/storeop"
)

// observedStore is the Store the manager calls: it passes every call to the
// application's Store and reports it (latency to Metrics, an outage to the
// log as EventStoreUnavailable), so that no call site has to remember to.
// Outages are logged with the key the call addressed.
type observedStore struct {
	inner Store
	obs   *observer
}

var _ Store = observedStore{}

// Create implements Store.
func (s observedStore) Create(ctx context.Context, rec Record) error {
	start := s.obs.begin()
	return s.obs.end(ctx, storeop.Create, rec.Key, start, s.inner.Create(ctx, rec))
}

// Load implements Store. Its results are named so that the large Record is
// copied once on its way out, not twice: this is the hot call.
func (s observedStore) Load(ctx context.Context, key Key, now time.Time) (rec Record, err error) {
	start := s.obs.begin()
	rec, err = s.inner.Load(ctx, key, now)
	err = s.obs.end(ctx, storeop.Load, key, start, err)
	return
}

// Save implements Store.
func (s observedStore) Save(ctx context.Context, rec Record, now time.Time) (int64, error) {
	start := s.obs.begin()
	v, err := s.inner.Save(ctx, rec, now)
	return v, s.obs.end(ctx, storeop.Save, rec.Key, start, err)
}

// Touch implements Store.
func (s observedStore) Touch(ctx context.Context, key Key, idleExpiresAt, now time.Time) error {
	start := s.obs.begin()
	return s.obs.end(ctx, storeop.Touch, key, start, s.inner.Touch(ctx, key, idleExpiresAt, now))
}

// Rotate implements Store.
func (s observedStore) Rotate(ctx context.Context, oldKey, newKey Key, r Rotation, now time.Time) error {
	start := s.obs.begin()
	return s.obs.end(ctx, storeop.Rotate, oldKey, start, s.inner.Rotate(ctx, oldKey, newKey, r, now))
}

// Delete implements Store.
func (s observedStore) Delete(ctx context.Context, key Key, now time.Time) error {
	start := s.obs.begin()
	return s.obs.end(ctx, storeop.Delete, key, start, s.inner.Delete(ctx, key, now))
}

// DeleteOwner implements Store.
func (s observedStore) DeleteOwner(ctx context.Context, owner string, except Key) (int64, error) {
	start := s.obs.begin()
	n, err := s.inner.DeleteOwner(ctx, owner, except)
	return n, s.obs.end(ctx, storeop.DeleteOwner, Key{}, start, err)
}

// DeleteOwned implements Store.
func (s observedStore) DeleteOwned(ctx context.Context, owner string, key Key, now time.Time) error {
	start := s.obs.begin()
	return s.obs.end(ctx, storeop.DeleteOwned, key, start, s.inner.DeleteOwned(ctx, owner, key, now))
}

// TrimOwner implements Store.
func (s observedStore) TrimOwner(ctx context.Context, owner string, except Key, keep int, now time.Time) (int64, error) {
	start := s.obs.begin()
	n, err := s.inner.TrimOwner(ctx, owner, except, keep, now)
	return n, s.obs.end(ctx, storeop.TrimOwner, Key{}, start, err)
}

// ListOwner implements Store.
func (s observedStore) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]Record, error) {
	start := s.obs.begin()
	recs, err := s.inner.ListOwner(ctx, owner, now, limit)
	return recs, s.obs.end(ctx, storeop.ListOwner, Key{}, start, err)
}

// List implements Store.
func (s observedStore) List(ctx context.Context, after Key, limit int) ([]Record, error) {
	start := s.obs.begin()
	recs, err := s.inner.List(ctx, after, limit)
	return recs, s.obs.end(ctx, storeop.List, Key{}, start, err)
}

// Count implements Store.
func (s observedStore) Count(ctx context.Context, now time.Time) (Counts, error) {
	start := s.obs.begin()
	c, err := s.inner.Count(ctx, now)
	return c, s.obs.end(ctx, storeop.Count, Key{}, start, err)
}

// DeleteExpired implements Store.
func (s observedStore) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	start := s.obs.begin()
	n, last, err := s.inner.DeleteExpired(ctx, from, now, limit)
	return n, last, s.obs.end(ctx, storeop.DeleteExpired, Key{}, start, err)
}
