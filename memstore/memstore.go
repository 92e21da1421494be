// Package memstore is an in-memory session.Store for tests and development.
//
// It has exactly the semantics of the SQL stores (it passes the same conformance
// suite) but keeps nothing across restarts. It is safe for concurrent use.
package memstore

import (
	"bytes"
	"context"
	"slices"
	"sync"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Store is an in-memory session.Store and session.Leaser. The zero value is not
// usable; call New.
type Store struct {
	storekit.Checked // the contract's argument rules and done contexts, then the maps
}

// maps holds the sessions and leases. Its methods are the store's statements:
// storekit.Checked calls them only with well-formed arguments and a context
// that was not done, and they already speak the contract's errors.
type maps struct {
	mu     sync.Mutex
	byKey  map[session.Key]*session.Record // current key -> session
	byPrev map[session.Key]session.Key     // previous key -> current key
	leases map[string]lease
}

type lease struct {
	holder string
	until  time.Time
}

// New returns an empty store.
func New() *Store {
	return &Store{storekit.Check(&maps{
		byKey:  make(map[session.Key]*session.Record),
		byPrev: make(map[session.Key]session.Key),
		leases: make(map[string]lease),
	})}
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// clone returns a copy of r whose Data the caller may keep or modify.
func clone(r *session.Record) session.Record {
	c := *r
	c.Data = bytes.Clone(r.Data)
	return c
}

// live returns the live session whose current key is key, or nil.
func (s *maps) live(key session.Key, now time.Time) *session.Record {
	if r, ok := s.byKey[key]; ok && r.Live(now) {
		return r
	}
	return nil
}

// byAnyKey returns the session whose current or previous key is key, live or
// not, or nil.
func (s *maps) byAnyKey(key session.Key) *session.Record {
	if r := s.byKey[key]; r != nil {
		return r
	}
	return s.byKey[s.byPrev[key]]
}

// remove deletes r and its previous-key entry.
func (s *maps) remove(r *session.Record) {
	delete(s.byKey, r.Key)
	if !r.PrevKey.IsZero() && s.byPrev[r.PrevKey] == r.Key {
		delete(s.byPrev, r.PrevKey)
	}
}

// taken reports whether key is in use as a current or previous key.
func (s *maps) taken(key session.Key) bool {
	_, cur := s.byKey[key]
	_, prev := s.byPrev[key]
	return cur || prev
}

// clampIdle returns the later of the stored and the requested idle expiry, but
// never later than the absolute expiry.
func clampIdle(stored, requested, absolute time.Time) time.Time {
	t := stored
	if requested.After(t) {
		t = requested
	}
	if t.After(absolute) {
		t = absolute
	}
	return t
}

// Create implements session.Store.
func (s *maps) Create(_ context.Context, rec session.Record) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.taken(rec.Key) {
		return session.ErrExists
	}
	r := clone(&rec)
	r.Version = 1
	r.IdleExpiresAt = clampIdle(r.IdleExpiresAt, r.IdleExpiresAt, r.AbsoluteExpiresAt)
	r.PrevKey, r.PrevExpiresAt, r.PrevKind = session.Key{}, time.Time{}, 0
	s.byKey[r.Key] = &r
	return nil
}

// Load implements session.Store. Its results are named so that the large
// Record is copied once on its way out (measurable on a memory-store request).
func (s *maps) Load(_ context.Context, key session.Key, now time.Time) (rec session.Record, err error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.byAnyKey(key)
	if r == nil {
		return rec, session.ErrNotFound
	}
	if err = storekit.CheckLoaded(r, key, now); err != nil {
		return rec, err
	}
	rec = clone(r)
	return rec, nil
}

// Save implements session.Store.
func (s *maps) Save(_ context.Context, rec session.Record, now time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(rec.Key, now)
	if r == nil {
		return 0, session.ErrNotFound
	}
	if r.Version != rec.Version {
		return 0, session.ErrConflict
	}
	r.Owner, r.RememberMe = rec.Owner, rec.RememberMe
	r.Data = bytes.Clone(rec.Data)
	r.IdleExpiresAt = clampIdle(r.IdleExpiresAt, rec.IdleExpiresAt, r.AbsoluteExpiresAt)
	r.Version++
	return r.Version, nil
}

// Touch implements session.Store.
func (s *maps) Touch(_ context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(key, now)
	if r == nil {
		return session.ErrNotFound
	}
	r.IdleExpiresAt = clampIdle(r.IdleExpiresAt, idleExpiresAt, r.AbsoluteExpiresAt)
	return nil
}

// Rotate implements session.Store.
func (s *maps) Rotate(_ context.Context, oldKey, newKey session.Key, rot session.Rotation, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(oldKey, now)
	if r == nil {
		return session.ErrNotFound
	}
	if s.taken(newKey) {
		return session.ErrExists
	}
	s.remove(r)
	r.PrevKey, r.PrevExpiresAt, r.PrevKind, r.Key = oldKey, rot.Until, rot.Kind, newKey
	r.RememberMe, r.Device, r.IPPrefix = rot.RememberMe, rot.Device, rot.IPPrefix
	s.byKey[newKey] = r
	s.byPrev[oldKey] = newKey
	return nil
}

// Delete implements session.Store.
func (s *maps) Delete(_ context.Context, key session.Key, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if r := s.byAnyKey(key); r != nil && storekit.DeletedBy(r, key, now) {
		s.remove(r)
	}
	return nil
}

// DeleteOwner implements session.Store.
func (s *maps) DeleteOwner(_ context.Context, owner string, except session.Key) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var n int64
	for k, r := range s.byKey {
		if r.Owner == owner && k != except {
			s.remove(r)
			n++
		}
	}
	return n, nil
}

// DeleteOwned implements session.Store.
func (s *maps) DeleteOwned(_ context.Context, owner string, key session.Key, now time.Time) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	r := s.live(key, now)
	if r == nil || r.Owner != owner {
		return session.ErrNotFound
	}
	s.remove(r)
	return nil
}

// TrimOwner implements session.Store. It scans every session: memstore has
// no owner index, and is meant for tests and development.
func (s *maps) TrimOwner(_ context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var owned []session.Record
	for _, r := range s.byKey {
		if r.Owner == owner {
			owned = append(owned, *r) // no Data copy: only keys and times are read
		}
	}
	gone := storekit.Trimmed(owned, except, keep, now)
	for _, k := range gone {
		s.remove(s.byKey[k])
	}
	return int64(len(gone)), nil
}

// ListOwner implements session.Store.
func (s *maps) ListOwner(_ context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []session.Record
	for _, r := range s.byKey {
		if r.Owner == owner && r.Live(now) {
			out = append(out, *r) // Page drops Data: nothing is copied
		}
	}
	return storekit.Page(out, limit), nil
}

// List implements session.Store.
func (s *maps) List(_ context.Context, after session.Key, limit int) ([]session.Record, error) {
	out := s.collect(func(k session.Key, _ *session.Record) bool { return bytes.Compare(k[:], after[:]) > 0 })
	slices.SortFunc(out, func(a, b session.Record) int { return bytes.Compare(a.Key[:], b.Key[:]) })
	return out[:min(len(out), limit)], nil
}

// collect returns copies of the sessions for which keep is true, in no
// particular order.
func (s *maps) collect(keep func(session.Key, *session.Record) bool) []session.Record {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []session.Record
	for k, r := range s.byKey {
		if keep(k, r) {
			out = append(out, clone(r))
		}
	}
	return out
}

// Count implements session.Store.
func (s *maps) Count(_ context.Context, now time.Time) (session.Counts, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var c session.Counts
	for _, r := range s.byKey {
		if r.Live(now) {
			c.Live++
		} else {
			c.Expired++
		}
	}
	return c, nil
}

// DeleteExpired implements session.Store.
func (s *maps) DeleteExpired(_ context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	var due []*session.Record
	for _, r := range s.byKey {
		if !r.IdleExpiresAt.Before(from) && !r.IdleExpiresAt.After(now) {
			due = append(due, r)
		}
	}
	slices.SortFunc(due, func(a, b *session.Record) int { return a.IdleExpiresAt.Compare(b.IdleExpiresAt) })
	due = due[:min(len(due), limit)]
	var last time.Time
	for _, r := range due {
		s.remove(r)
		last = r.IdleExpiresAt
	}
	return len(due), last, nil
}

// AcquireLease implements session.Leaser.
func (s *maps) AcquireLease(_ context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.holder != holder && now.Before(l.until) {
		return false, nil
	}
	s.leases[name] = lease{holder: holder, until: now.Add(ttl)}
	return true, nil
}

// ReleaseLease implements session.Leaser.
func (s *maps) ReleaseLease(_ context.Context, name, holder string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if l, ok := s.leases[name]; ok && l.holder == holder {
		delete(s.leases, name)
	}
	return nil
}
