package dirstore

import (
	"context"
	"errors"
	"io/fs"
	"os"
	"time"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// micro truncates t to the microseconds that files keep, so that comparisons
// with stored times are exact.
func micro(t time.Time) time.Time { return time.UnixMicro(t.UnixMicro()).UTC() }

// forward returns the later of the stored and the requested idle expiry, but
// never later than the absolute expiry.
func forward(stored, requested, absolute time.Time) time.Time {
	requested = micro(requested)
	if requested.After(stored) {
		stored = requested
	}
	if stored.After(absolute) {
		return absolute
	}
	return stored
}

// Create implements session.Store. The file is written and flushed under a
// temp name, then linked to its final name: the link fails if the ID is
// taken, and the key link after it fails if the key is taken as a current or
// previous key. Until the key link exists nothing can find the session, and
// the new file stays locked, so that Repair never mistakes it for debris.
func (s *statements) Create(ctx context.Context, rec session.Record) error {
	st := stored{Record: rec, ID: rec.Key}
	st.Version = 1
	st.CreatedAt, st.AbsoluteExpiresAt = micro(rec.CreatedAt), micro(rec.AbsoluteExpiresAt)
	st.IdleExpiresAt = forward(time.Time{}, rec.IdleExpiresAt, st.AbsoluteExpiresAt)
	st.PrevKey, st.PrevExpiresAt, st.PrevKind = session.Key{}, time.Time{}, 0
	return s.exec(ctx, storekit.OpCreate, func(context.Context) error { return s.create(&st) })
}

func (s *statements) create(st *stored) error {
	t, err := s.writeTemp(st.encode())
	if err != nil {
		return err
	}
	defer t.discard()
	path := s.sessionPath(st.ID)
	if err := s.inDir(path, func() error { return os.Link(t.path, path) }); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return session.ErrExists
		}
		return err
	}
	s.reached("create: linked")
	undo := func(err error) error {
		_ = s.removeOwner(st.Owner, st.ID)
		return errors.Join(err, os.Remove(path))
	}
	if err := s.addOwner(st.Owner, st.ID); err != nil {
		return undo(err)
	}
	s.reached("create: owner indexed")
	if err := s.symlink(keyTarget(st.ID), s.keyPath(st.Key)); err != nil {
		if errors.Is(err, fs.ErrExist) {
			err = session.ErrExists
		}
		return undo(err)
	}
	s.reached("create: key linked")
	return s.syncDirs(path, s.keyPath(st.Key))
}

// symlink makes a key link; fs.ErrExist when the key is taken.
func (s *statements) symlink(target, link string) error {
	return s.inDir(link, func() error { return os.Symlink(target, link) })
}

// Load implements session.Store with one unlocked read through the key's
// link.
func (s *statements) Load(ctx context.Context, key session.Key, now time.Time) (session.Record, error) {
	return run(ctx, s, storekit.OpLoad, func(context.Context) (session.Record, error) {
		st, err := s.readSession(s.keyPath(key))
		if errors.Is(err, errAbsent) || (err == nil && st.Key != key && st.PrevKey != key) {
			return session.Record{}, session.ErrNotFound
		}
		if err == nil {
			err = storekit.CheckLoaded(&st.Record, key, now)
		}
		if err != nil {
			return session.Record{}, err
		}
		return st.Record, nil
	})
}

// readSession reads and decodes the session file at path (or that a link at
// path leads to) without locking it.
func (s *statements) readSession(path string) (stored, error) {
	b, err := read(path)
	if err != nil {
		return stored{}, err
	}
	st, err := decodeSession(b)
	if err != nil {
		return stored{}, s.corruptFile(path, err)
	}
	return st, nil
}

// heldSession is a session file under its lock.
type heldSession struct {
	*held
	st stored
}

// lockSession opens the session that path leads to (a key link, or the
// session file itself), waits for its lock and reads it, retrying when a
// writer replaced or removed the file while we waited. errAbsent when there
// is no such session.
func (s *statements) lockSession(ctx context.Context, path string) (*heldSession, error) {
	for {
		h, err := s.hold(ctx, path, 0)
		if err != nil {
			return nil, err
		}
		st, err := decodeSession(h.b)
		if err != nil {
			h.release()
			return nil, s.corruptFile(path, err)
		}
		if ok, err := h.stillAt(s.sessionPath(st.ID)); ok || err != nil {
			if err != nil {
				h.release()
				return nil, err
			}
			return &heldSession{h, st}, nil
		}
		h.release()
	}
}

// lockCurrent locks the live session whose current key is key: what Save,
// Touch and Rotate change. ErrNotFound for anything else.
func (s *statements) lockCurrent(ctx context.Context, key session.Key, now time.Time) (*heldSession, error) {
	h, err := s.lockSession(ctx, s.keyPath(key))
	if errors.Is(err, errAbsent) {
		return nil, session.ErrNotFound
	}
	if err != nil {
		return nil, err
	}
	if h.st.Key != key || !h.st.Live(now) {
		h.release()
		return nil, session.ErrNotFound
	}
	return h, nil
}

// rewrite replaces the held session's file with next, keeping the owner
// index a superset of the truth: an entry for a new owner is added before
// the rename, the old owner's removed after it.
func (s *statements) rewrite(h *heldSession, next stored) error {
	if next.Owner != h.st.Owner {
		if err := s.addOwner(next.Owner, next.ID); err != nil {
			return err
		}
	}
	t, err := s.writeTemp(next.encode())
	if err != nil {
		return err
	}
	defer t.discard()
	if err := os.Rename(t.path, s.sessionPath(next.ID)); err != nil {
		return err
	}
	s.reached("rewrite: renamed")
	prev := h.st
	h.st = next
	if prev.Owner != next.Owner {
		return s.removeOwner(prev.Owner, prev.ID)
	}
	return nil
}

// Save implements session.Store: the version check and the rename happen
// under the session's lock, so two writers that loaded the same version
// cannot both succeed.
func (s *statements) Save(ctx context.Context, rec session.Record, now time.Time) (int64, error) {
	return run(ctx, s, storekit.OpSave, func(ctx context.Context) (int64, error) {
		h, err := s.lockCurrent(ctx, rec.Key, now)
		if err != nil {
			return 0, err
		}
		defer h.release()
		if h.st.Version != rec.Version {
			return 0, session.ErrConflict
		}
		next := h.st
		next.Owner, next.Data, next.RememberMe, next.Version = rec.Owner, rec.Data, rec.RememberMe, rec.Version+1
		next.IdleExpiresAt = forward(h.st.IdleExpiresAt, rec.IdleExpiresAt, h.st.AbsoluteExpiresAt)
		if err := s.rewrite(h, next); err != nil {
			return 0, err
		}
		return next.Version, nil
	})
}

// Touch implements session.Store. A touch that would not move the expiry
// writes nothing.
func (s *statements) Touch(ctx context.Context, key session.Key, idleExpiresAt, now time.Time) error {
	return s.exec(ctx, storekit.OpTouch, func(ctx context.Context) error {
		h, err := s.lockCurrent(ctx, key, now)
		if err != nil {
			return err
		}
		defer h.release()
		next := h.st
		next.IdleExpiresAt = forward(h.st.IdleExpiresAt, idleExpiresAt, h.st.AbsoluteExpiresAt)
		if next.IdleExpiresAt.Equal(h.st.IdleExpiresAt) {
			return nil
		}
		return s.rewrite(h, next)
	})
}

// Rotate implements session.Store. Under the session's lock it links newKey
// to the session file (failing if the key is taken), then renames the new
// contents, which name newKey current and oldKey previous, into place: that
// rename is the rotation. A crash before it leaves a link the file does not
// confirm, which leads nowhere and which Repair removes.
func (s *statements) Rotate(ctx context.Context, oldKey, newKey session.Key, r session.Rotation, now time.Time) error {
	return s.exec(ctx, storekit.OpRotate, func(ctx context.Context) error {
		h, err := s.lockCurrent(ctx, oldKey, now)
		if err != nil {
			return err
		}
		defer h.release()
		return s.rotate(h, newKey, &r)
	})
}

func (s *statements) rotate(h *heldSession, newKey session.Key, r *session.Rotation) error {
	link := s.keyPath(newKey)
	if err := s.symlink(keyTarget(h.st.ID), link); err != nil {
		if errors.Is(err, fs.ErrExist) {
			return session.ErrExists
		}
		return err
	}
	s.reached("rotate: new key linked")
	retired := h.st.PrevKey // the key before the old one: it stops loading now
	next := h.st
	next.Key, next.PrevKey, next.PrevExpiresAt, next.PrevKind = newKey, h.st.Key, micro(r.Until), r.Kind
	next.RememberMe, next.Device, next.IPPrefix = r.RememberMe, r.Device, r.IPPrefix
	if err := s.rewrite(h, next); err != nil {
		return errors.Join(err, os.Remove(link))
	}
	if err := s.syncDirs(link, s.sessionPath(next.ID)); err != nil {
		return err
	}
	if retired.IsZero() {
		return nil
	}
	return removeLinkTo(s.keyPath(retired), keyTarget(next.ID))
}

// Delete implements session.Store.
func (s *statements) Delete(ctx context.Context, key session.Key, now time.Time) error {
	return s.exec(ctx, storekit.OpDelete, func(ctx context.Context) error {
		h, err := s.lockSession(ctx, s.keyPath(key))
		if errors.Is(err, errAbsent) {
			return nil
		}
		if err != nil {
			return err
		}
		defer h.release()
		if !storekit.DeletedBy(&h.st.Record, key, now) {
			return nil
		}
		return s.remove(h)
	})
}

// remove deletes the held session: the file first (from then on nothing
// loads it), then its key links and owner entry, which are debris Repair
// would also remove if a crash came first.
func (s *statements) remove(h *heldSession) error {
	path := s.sessionPath(h.st.ID)
	if err := os.Remove(path); err != nil {
		return err
	}
	s.reached("remove: file removed")
	target := keyTarget(h.st.ID)
	errs := []error{removeLinkTo(s.keyPath(h.st.Key), target)}
	if !h.st.PrevKey.IsZero() {
		errs = append(errs, removeLinkTo(s.keyPath(h.st.PrevKey), target))
	}
	errs = append(errs, s.removeOwner(h.st.Owner, h.st.ID), s.syncDirs(path))
	return errors.Join(errs...)
}
