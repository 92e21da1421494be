package dirstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sessiongen/sessiongen/session"
)

// Repaired counts what Repair removed.
type Repaired struct {
	// TempFiles are files of writers that died before renaming them.
	TempFiles int
	// Orphans are session files that no key leads to: a Create that died
	// after writing its file and before linking its key.
	Orphans int
	// KeyLinks are links to a missing session, or to one that does not name
	// the key (a Delete or Rotate that died half-way).
	KeyLinks int
	// OwnerEntries are index entries of sessions that are gone or no longer
	// the owner's.
	OwnerEntries int
}

// Total is the number of entries removed.
func (r Repaired) Total() int { return r.TempFiles + r.Orphans + r.KeyLinks + r.OwnerEntries }

// Repair removes what writers that crashed half-way left behind: temp files,
// orphan session files, key links and owner entries that the session files
// do not confirm. None of it is ever visible through the Store methods
// (every reader checks the session file), so Repair only reclaims space and
// keeps the directory readable for an operator. It never touches a file in
// use: every removal is decided under the lock of the session concerned, or
// of the temp file, and a locked file belongs to a live writer and is
// skipped. Migrate runs it; it reads every file, so run it at start-up or
// from cron, not per request.
func (s *Store) Repair(ctx context.Context) (Repaired, error) {
	st := s.st
	return run(ctx, st, "Repair", func(ctx context.Context) (Repaired, error) {
		var r Repaired
		n, err := st.sweepTemp()
		r.TempFiles = n
		for _, step := range []func(context.Context, *Repaired) error{st.repairSessions, st.repairKeys, st.repairOwners} {
			if err != nil {
				break
			}
			err = step(ctx, &r)
		}
		return r, err
	})
}

// sweepTemp removes the temp files no live writer holds.
func (s *statements) sweepTemp() (int, error) {
	dir := filepath.Join(s.root, tmpDir)
	names, err := readNames(dir)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, nm := range names {
		path := filepath.Join(dir, nm)
		f, err := os.Open(path)
		if errors.Is(err, fs.ErrNotExist) {
			continue // renamed into place or removed meanwhile
		}
		if err != nil {
			return n, err
		}
		free, err := tryLock(f)
		if free && err == nil {
			// Its writer is gone. If it renamed the file into place after
			// our open, the name is gone too and Remove finds nothing.
			if err = os.Remove(path); err == nil {
				n++
			} else if errors.Is(err, fs.ErrNotExist) {
				err = nil
			}
		}
		_ = f.Close()
		if err != nil {
			return n, err
		}
	}
	return n, nil
}

// tryHoldSession locks the session file at path without waiting; nil, nil
// when it is absent, unreadable or busy (a live writer: not debris).
func (s *statements) tryHoldSession(path string) (*heldSession, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	ok, err := tryLock(f)
	if !ok || err != nil {
		_ = f.Close()
		return nil, err
	}
	h := &held{f: f}
	if h.b, err = readAll(f); err != nil {
		h.release()
		return nil, err
	}
	st, err := decodeSession(h.b)
	if err != nil {
		h.release()
		return nil, nil
	}
	if still, err := h.stillAt(path); !still || err != nil {
		h.release()
		return nil, err
	}
	return &heldSession{h, st}, nil
}

// repairSessions removes session files that their current key does not lead
// to. A Create holds its new file's lock until the key link exists, so a
// free, unreachable file is a dead Create's.
func (s *statements) repairSessions(ctx context.Context, r *Repaired) error {
	var orphans []string
	if err := s.eachSession(ctx, func(st *stored) {
		if !s.reachable(st) {
			orphans = append(orphans, s.sessionPath(st.ID))
		}
	}); err != nil {
		return err
	}
	for _, path := range orphans {
		h, err := s.tryHoldSession(path)
		if h == nil || err != nil {
			if err != nil {
				return err
			}
			continue
		}
		if !s.reachable(&h.st) {
			if err = s.remove(h); err == nil {
				r.Orphans++
			}
		}
		h.release()
		if err != nil {
			return err
		}
	}
	return nil
}

// repairKeys removes key links whose session is gone, or does not name the
// key (a Rotate that died between linking the new key and renaming the
// file). A Rotate in progress holds the session's lock, so its link is left.
func (s *statements) repairKeys(ctx context.Context, r *Repaired) error {
	for sub := range 256 {
		if err := ctx.Err(); err != nil {
			return err
		}
		dir := filepath.Join(s.root, keysDir, fmt.Sprintf("%02x", sub))
		names, err := readNames(dir)
		if err != nil {
			return err
		}
		for _, nm := range names {
			key, ok := parseName(nm)
			if !ok {
				continue
			}
			if err := s.repairKey(filepath.Join(dir, nm), key, r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *statements) repairKey(link string, key session.Key, r *Repaired) error {
	target, err := os.Readlink(link)
	if errors.Is(err, fs.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	h, err := s.tryHoldSession(link)
	if err != nil {
		return err
	}
	if h == nil {
		// Absent, busy or unreadable. Only absence makes the link debris:
		// nothing creates a session file after its key link.
		if _, err := os.Stat(link); !errors.Is(err, fs.ErrNotExist) {
			return nil
		}
	} else {
		defer h.release()
		if h.st.Key == key || h.st.PrevKey == key {
			return nil
		}
	}
	if err := removeLinkTo(link, target); err != nil {
		return err
	}
	r.KeyLinks++
	return nil
}

// repairOwners removes owner entries whose session is gone or has another
// owner, and owner directories left empty.
func (s *statements) repairOwners(ctx context.Context, r *Repaired) error {
	for sub := range 256 {
		if err := ctx.Err(); err != nil {
			return err
		}
		fanDir := filepath.Join(s.root, ownersDir, fmt.Sprintf("%02x", sub))
		owners, err := readNames(fanDir)
		if err != nil {
			return err
		}
		for _, o := range owners {
			if err := s.repairOwnerDir(filepath.Join(fanDir, o), r); err != nil {
				return err
			}
		}
	}
	return nil
}

func (s *statements) repairOwnerDir(dir string, r *Repaired) error {
	names, err := readNames(dir)
	if err != nil {
		return err
	}
	for _, nm := range names {
		id, ok := parseName(nm)
		if !ok {
			continue
		}
		h, err := s.tryHoldSession(s.sessionPath(id))
		if err != nil {
			return err
		}
		if err := s.repairOwnerEntry(dir, nm, id, h, r); err != nil {
			return err
		}
	}
	removeIfEmpty(dir)
	return nil
}

// repairOwnerEntry removes the entry for session id in the owner directory
// dir when the session is gone or has another owner. h is the session under
// its lock, or nil when it is absent, busy or unreadable; the entry is
// removed before the lock is released, so that a Save giving the session back
// to this owner cannot slip in between.
func (s *statements) repairOwnerEntry(dir, entry string, id session.Key, h *heldSession, r *Repaired) error {
	var stale bool
	if h == nil {
		_, err := os.Stat(s.sessionPath(id))
		stale = errors.Is(err, fs.ErrNotExist)
	} else {
		defer h.release()
		// The directory is named by the owner's hash: the entry is stale
		// when the session's owner hashes elsewhere.
		stale = h.st.Owner == "" || s.ownerDir(h.st.Owner) != dir
	}
	if !stale {
		return nil
	}
	if err := removeLinkTo(filepath.Join(dir, entry), ownerTarget(id)); err != nil {
		return err
	}
	r.OwnerEntries++
	return nil
}
