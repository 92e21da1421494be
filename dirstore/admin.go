package dirstore

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// DeleteOwner implements session.Store: each session the owner's index
// lists is locked, checked and removed in turn.
func (s *statements) DeleteOwner(ctx context.Context, owner string, except session.Key) (int64, error) {
	return run(ctx, s, storekit.OpDeleteOwner, func(ctx context.Context) (int64, error) {
		ids, err := s.ownerSessions(owner)
		if err != nil {
			return 0, err
		}
		var n int64
		for _, id := range ids {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			deleted, err := s.deleteOwned(ctx, owner, id, except)
			if err != nil {
				return n, err
			}
			if deleted {
				n++
			}
		}
		removeIfEmpty(s.ownerDir(owner))
		return n, nil
	})
}

// deleteOwned removes session id if the owner still owns it and it is not
// except; an entry the session file does not confirm is removed instead.
func (s *statements) deleteOwned(ctx context.Context, owner string, id, except session.Key) (bool, error) {
	h, err := s.lockSession(ctx, s.sessionPath(id))
	if errors.Is(err, errAbsent) {
		return false, s.removeOwner(owner, id)
	}
	if errors.Is(err, errFormat) {
		return false, nil // unreadable: it cannot be loaded either; left for inspection
	}
	if err != nil {
		return false, err
	}
	defer h.release()
	switch {
	case h.st.Owner != owner:
		return false, s.removeOwner(owner, id)
	case h.st.Key == except:
		return false, nil
	}
	return true, s.remove(h)
}

// DeleteOwned implements session.Store: the key's session, under its lock,
// if it is live, current under key and the owner's.
func (s *statements) DeleteOwned(ctx context.Context, owner string, key session.Key, now time.Time) error {
	return s.exec(ctx, storekit.OpDeleteOwned, func(ctx context.Context) error {
		h, err := s.lockCurrent(ctx, key, now)
		if err != nil {
			return err
		}
		defer h.release()
		if h.st.Owner != owner {
			return session.ErrNotFound
		}
		return s.remove(h)
	})
}

// TrimOwner implements session.Store: it reads the sessions the owner's
// index lists, ranks them, and removes the ones beyond keep, each under its
// lock and only if it is still the owner's under the key it was ranked by.
func (s *statements) TrimOwner(ctx context.Context, owner string, except session.Key, keep int, now time.Time) (int64, error) {
	return run(ctx, s, storekit.OpTrimOwner, func(ctx context.Context) (int64, error) {
		owned, ids, err := s.owned(owner, func(*stored) bool { return true })
		if err != nil {
			return 0, err
		}
		var n int64
		for _, key := range storekit.Trimmed(owned, except, keep, now) {
			if err := ctx.Err(); err != nil {
				return n, err
			}
			removed, err := s.removeIfOwned(ctx, owner, ids[key], key)
			if err != nil {
				return n, err
			}
			if removed {
				n++
			}
		}
		return n, nil
	})
}

// removeIfOwned removes session id if it is still owner's under key.
func (s *statements) removeIfOwned(ctx context.Context, owner string, id, key session.Key) (bool, error) {
	h, err := s.lockSession(ctx, s.sessionPath(id))
	switch {
	case errors.Is(err, errAbsent), errors.Is(err, errFormat):
		return false, nil
	case err != nil:
		return false, err
	}
	defer h.release()
	if h.st.Owner != owner || h.st.Key != key {
		return false, nil // it changed since it was ranked
	}
	return true, s.remove(h)
}

// owned reads the sessions the owner's index lists that are the owner's,
// reachable through their current key (so that the debris of a crashed Create
// is never shown as a device) and kept by keep, and maps their keys to their
// IDs. It reads whole files: the directory store has no metadata-only index,
// so its device lists cost a read per session of the owner (bounded by a
// cap, see session.Manager).
func (s *statements) owned(owner string, keep func(*stored) bool) ([]session.Record, map[session.Key]session.Key, error) {
	ids, err := s.ownerSessions(owner)
	if err != nil {
		return nil, nil, err
	}
	var out []session.Record
	byKey := make(map[session.Key]session.Key, len(ids))
	for _, id := range ids {
		st, err := s.readSession(s.sessionPath(id))
		switch {
		case errors.Is(err, errAbsent), errors.Is(err, errFormat):
			continue
		case err != nil:
			return nil, nil, err
		}
		if st.Owner == owner && s.reachable(&st) && keep(&st) {
			st.Data = nil
			out = append(out, st.Record)
			byKey[st.Key] = st.ID
		}
	}
	return out, byKey, nil
}

// ListOwner implements session.Store, reading only the sessions the owner's
// index lists.
func (s *statements) ListOwner(ctx context.Context, owner string, now time.Time, limit int) ([]session.Record, error) {
	return run(ctx, s, storekit.OpListOwner, func(context.Context) ([]session.Record, error) {
		out, _, err := s.owned(owner, func(st *stored) bool { return st.Live(now) })
		if err != nil {
			return nil, err
		}
		return storekit.Page(out, limit), nil
	})
}

// reachable reports whether the session's current key leads to its file.
func (s *statements) reachable(st *stored) bool {
	got, err := os.Readlink(s.keyPath(st.Key))
	return err == nil && got == keyTarget(st.ID)
}

// List implements session.Store by walking the key links in name order,
// which is key order, from the cursor's subdirectory on; a link that is not
// its session's current key (a previous key, debris) is skipped.
func (s *statements) List(ctx context.Context, after session.Key, limit int) ([]session.Record, error) {
	return run(ctx, s, storekit.OpList, func(context.Context) ([]session.Record, error) { return s.list(after, limit) })
}

func (s *statements) list(after session.Key, limit int) ([]session.Record, error) {
	var out []session.Record
	cursor := name(after)
	for sub := int(after[0]); sub < 256 && len(out) < limit; sub++ {
		dir := filepath.Join(s.root, keysDir, fmt.Sprintf("%02x", sub))
		names, err := readNames(dir)
		if err != nil {
			return nil, err
		}
		for _, n := range names {
			key, ok := parseName(n)
			if !ok || n <= cursor {
				continue
			}
			st, err := s.readSession(filepath.Join(dir, n))
			if errors.Is(err, errAbsent) {
				continue
			}
			if err != nil {
				return nil, err
			}
			if st.Key != key {
				continue
			}
			if out = append(out, st.Record); len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// eachSession calls fn with every readable session file, in no particular
// order, checking ctx between subdirectories. Unreadable files are skipped:
// they cannot be loaded, and are left in place for inspection.
func (s *statements) eachSession(ctx context.Context, fn func(st *stored)) error {
	for sub := range 256 {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := filepath.Join(s.root, sessionsDir, fmt.Sprintf("%02x", sub))
		names, err := readNames(dir)
		if err != nil {
			return err
		}
		for _, n := range names {
			st, err := s.readSession(filepath.Join(dir, n))
			switch {
			case errors.Is(err, errAbsent), errors.Is(err, errFormat):
				continue
			case err != nil:
				return err
			}
			fn(&st)
		}
	}
	return nil
}

// Count implements session.Store by reading every session file. A file its
// current key does not lead to (a Create in progress, or one that crashed)
// is not counted, as Load would not find it.
func (s *statements) Count(ctx context.Context, now time.Time) (session.Counts, error) {
	return run(ctx, s, storekit.OpCount, func(ctx context.Context) (session.Counts, error) { return s.count(ctx, now) })
}

func (s *statements) count(ctx context.Context, now time.Time) (session.Counts, error) {
	var c session.Counts
	err := s.eachSession(ctx, func(st *stored) {
		switch {
		case !s.reachable(st):
		case st.Live(now):
			c.Live++
		default:
			c.Expired++
		}
	})
	return c, err
}

// candidate is a session DeleteExpired may delete.
type candidate struct {
	idle time.Time
	id   session.Key
}

// DeleteExpired implements session.Store. There is no expiry index to walk:
// every call reads every session file, then locks, re-checks and removes the
// earliest candidates one by one. A session being written is waited for and
// re-read under its lock, so one that a Touch or Save just moved forward is
// skipped, and the next candidate takes its place in the batch.
func (s *statements) DeleteExpired(ctx context.Context, from, now time.Time, limit int) (int, time.Time, error) {
	var last time.Time
	n, err := run(ctx, s, storekit.OpDeleteExpired, func(ctx context.Context) (int, error) {
		return s.deleteExpired(ctx, from, now, limit, &last)
	})
	return n, last, err
}

// deleteExpired is DeleteExpired, setting *last to the latest idle expiry it
// deleted.
func (s *statements) deleteExpired(ctx context.Context, from, now time.Time, limit int, last *time.Time) (int, error) {
	due := func(st *stored) bool { return !st.IdleExpiresAt.Before(from) && !st.IdleExpiresAt.After(now) }
	var cands []candidate
	err := s.eachSession(ctx, func(st *stored) {
		if due(st) {
			cands = append(cands, candidate{st.IdleExpiresAt, st.ID})
		}
	})
	if err != nil {
		return 0, err
	}
	slices.SortFunc(cands, func(a, b candidate) int {
		return cmp.Or(a.idle.Compare(b.idle), bytes.Compare(a.id[:], b.id[:]))
	})
	var n int
	for _, c := range cands {
		if n == limit {
			break
		}
		if err := ctx.Err(); err != nil {
			return n, err
		}
		h, err := s.lockSession(ctx, s.sessionPath(c.id))
		if errors.Is(err, errAbsent) || errors.Is(err, errFormat) {
			continue
		}
		if err != nil {
			return n, err
		}
		if due(&h.st) {
			if err = s.remove(h); err == nil {
				n++
				if h.st.IdleExpiresAt.After(*last) {
					*last = h.st.IdleExpiresAt
				}
			}
		}
		h.release()
		if err != nil {
			return n, err
		}
	}
	return n, nil
}
