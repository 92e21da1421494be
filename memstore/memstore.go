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
	return &Store{
		byKey:  make(map[session.Key]*session.Record),
		byPrev: make(map[session.Key]session.Key),
		leases: make(map[string]lease),
	}
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
func (s *Store) live(key session.Key, now time.Time) *session.Record {
	if r, ok := s.byKey[key]; ok && r.Live(now) {
		return r
	}
	return nil
}

// byAnyKey returns the session whose current or previous key is key, live or
// not, or nil.
func (s *Store) byAnyKey(key session.Key) *session.Record {
	if r := s.byKey[key]; r != nil {
		return r
	}
	return s.byKey[s.byPrev[key]]
}

// remove deletes r and its previous-key entry.
func (s *Store) remove(r *session.Record) {
	delete(s.byKey, r.Key)
	if !r.PrevKey.IsZero() && s.byPrev[r.PrevKey] == r.Key {
		delete(s.byPrev, r.PrevKey)
	}
}

// taken reports whether key is in use as a current or previous key.
func (s *Store) taken(key session.Key) bool {
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

// Every method runs its work under the lock through storekit, which refuses a
// done context first, as the SQL stores do. The work already speaks the
// contract's errors, so there is nothing to classify.

// Create implements session.Store.
func (s *Store) Create(ctx context.Context, rec session.Record) error {
	if err := storekit.CheckRecord(storekit.OpCreate, &rec); err != nil {
		return err
	}
	return storekit.Exec(ctx, storekit.OpCreate, nil, func(context.Context) error {
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
	})
}

// Load implements session.Store. The record is returned through a captured
// variable rather than as Run's result: a Record is large, and every layer
// that returns it by value copies it (measurable on a memory-store request).
func (s *Store) Load(ctx context.Context, key session.Key, now time.Time) (rec session.Record, err error) {
	err = storekit.Exec(ctx, storekit.OpLoad, nil, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		r := s.byAnyKey(key)
		if r == nil {
			return session.ErrNotFound
		}
		if err := storekit.CheckLoaded(r, key, now); err != nil {
			return err
		}
		rec = clone(r)
		return nil
	})
	if err != nil {
		return session.Record{}, err
	}
	return rec, nil
}

// Save implements session.Store.
func (s *Store) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	if err := storekit.CheckData(storekit.OpSave, rec.Data); err != nil {
		return 0, err
	}
	return storekit.Run(ctx, storekit.OpSave, nil, func(context.Context) (int64, error) {
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
	})
}

// Touch implements session.Store.
func (s *Store) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	return storekit.Exec(ctx, storekit.OpTouch, nil, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		r := s.live(key, now)
		if r == nil {
			return session.ErrNotFound
		}
		r.IdleExpiresAt = clampIdle(r.IdleExpiresAt, idleExpiresAt, r.AbsoluteExpiresAt)
		return nil
	})
}

// Rotate implements session.Store.
func (s *Store) Rotate(ctx context.Context, oldKey, newKey session.Key, rot session.Rotation, now time.Time) error {
	if err := storekit.CheckRotation(storekit.OpRotate, &rot); err != nil {
		return err
	}
	return storekit.Exec(ctx, storekit.OpRotate, nil, func(context.Context) error {
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
	})
}

// Delete implements session.Store.
func (s *Store) Delete(ctx context.Context, key session.Key, now time.Time) error {
	return storekit.Exec(ctx, storekit.OpDelete, nil, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if r := s.byAnyKey(key); r != nil && storekit.DeletedBy(r, key, now) {
			s.remove(r)
		}
		return nil
	})
}

// DeleteOwner implements session.Store.
func (s *Store) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	if err := storekit.CheckOwner(storekit.OpDeleteOwner, owner); err != nil {
		return 0, err
	}
	return storekit.Run(ctx, storekit.OpDeleteOwner, nil, func(context.Context) (int64, error) {
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
	})
}

// DeleteOwned implements session.Store.
func (s *Store) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	if err := storekit.CheckOwner(storekit.OpDeleteOwned, owner); err != nil {
		return err
	}
	return storekit.Exec(ctx, storekit.OpDeleteOwned, nil, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		r := s.live(key, now)
		if r == nil || r.Owner != owner {
			return session.ErrNotFound
		}
		s.remove(r)
		return nil
	})
}

// TrimOwner implements session.Store. It scans every session: memstore has
// no owner index, and is meant for tests and development.
func (s *Store) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	const op = storekit.OpTrimOwner
	if err := storekit.CheckOwner(op, owner); err != nil {
		return 0, err
	}
	if err := storekit.CheckKeep(op, keep); err != nil {
		return 0, err
	}
	return storekit.Run(ctx, op, nil, func(context.Context) (int64, error) {
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
	})
}

// ListOwner implements session.Store.
func (s *Store) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	const op = storekit.OpListOwner
	if err := storekit.CheckOwner(op, owner); err != nil {
		return nil, err
	}
	if err := storekit.CheckLimit(op, limit); err != nil {
		return nil, err
	}
	return storekit.Run(ctx, op, nil, func(context.Context) ([]session.Record, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		var out []session.Record
		for _, r := range s.byKey {
			if r.Owner == owner && r.Live(now) {
				out = append(out, *r) // Page drops Data: nothing is copied
			}
		}
		return storekit.Page(out, limit), nil
	})
}

// List implements session.Store.
func (s *Store) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	if err := storekit.CheckLimit(storekit.OpList, limit); err != nil {
		return nil, err
	}
	return storekit.Run(ctx, storekit.OpList, nil, func(context.Context) ([]session.Record, error) {
		out := s.collect(func(k session.Key, _ *session.Record) bool { return bytes.Compare(k[:], after[:]) > 0 })
		slices.SortFunc(out, func(a, b session.Record) int { return bytes.Compare(a.Key[:], b.Key[:]) })
		return out[:min(len(out), limit)], nil
	})
}

// collect returns copies of the sessions for which keep is true, in no
// particular order.
func (s *Store) collect(keep func(session.Key, *session.Record) bool) []session.Record {
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
func (s *Store) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	return storekit.Run(ctx, storekit.OpCount, nil, func(context.Context) (session.Counts, error) {
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
	})
}

// DeleteExpired implements session.Store.
func (s *Store) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	if err := storekit.CheckLimit(storekit.OpDeleteExpired, limit); err != nil {
		return 0, time.Time{}, err
	}
	var last time.Time
	n, err := storekit.Run(ctx, storekit.OpDeleteExpired, nil, func(context.Context) (int, error) {
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
		for _, r := range due {
			s.remove(r)
			last = r.IdleExpiresAt
		}
		return len(due), nil
	})
	return n, last, err
}

// AcquireLease implements session.Leaser.
func (s *Store) AcquireLease(ctx context.Context, name, holder string, ttl time.Duration, now time.Time) (bool, error) {
	if err := storekit.CheckLease(storekit.OpAcquireLease, name, holder, ttl); err != nil {
		return false, err
	}
	return storekit.Run(ctx, storekit.OpAcquireLease, nil, func(context.Context) (bool, error) {
		s.mu.Lock()
		defer s.mu.Unlock()
		if l, ok := s.leases[name]; ok && l.holder != holder && now.Before(l.until) {
			return false, nil
		}
		s.leases[name] = lease{holder: holder, until: now.Add(ttl)}
		return true, nil
	})
}

// ReleaseLease implements session.Leaser.
func (s *Store) ReleaseLease(ctx context.Context, name, holder string) error {
	return storekit.Exec(ctx, storekit.OpReleaseLease, nil, func(context.Context) error {
		s.mu.Lock()
		defer s.mu.Unlock()
		if l, ok := s.leases[name]; ok && l.holder == holder {
			delete(s.leases, name)
		}
		return nil
	})
}
