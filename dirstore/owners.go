package dirstore

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"

	"github.com/sessiongen/sessiongen/session"
)

// The owner index is kept consistent, not rebuilt: owners/ab/<sha256(owner)>/
// holds a link per session of the owner. It may hold more than the truth
// (an entry whose session is gone or changed owner, after a crash), never
// less: writers add an owner's entry before the session file names the owner
// and remove it only after the file no longer does, always under the
// session's lock. Readers check every entry against the session file, and
// Repair removes stale ones. So ListOwner and DeleteOwner read only the
// owner's sessions, not the whole store.

// addOwner adds the index entry of session id under owner ("" adds
// nothing). The owner's directory may be removed by a concurrent
// removeOwner of its last entry between our mkdir and our link: try again.
func (s *statements) addOwner(owner string, id session.Key) error {
	if owner == "" {
		return nil
	}
	dir := s.ownerDir(owner)
	entry := filepath.Join(dir, name(id))
	for try := 0; ; try++ {
		err := os.Symlink(ownerTarget(id), entry)
		switch {
		case err == nil:
			s.reached("owner entry added")
			return s.syncDir(dir)
		case errors.Is(err, fs.ErrExist):
			return nil
		case !errors.Is(err, fs.ErrNotExist) || try == 3:
			return err
		}
		if err := s.inDir(dir, func() error { return os.Mkdir(dir, dirMode) }); err != nil && !errors.Is(err, fs.ErrExist) {
			return err
		}
		if err := s.syncDir(filepath.Dir(dir)); err != nil {
			return err
		}
	}
}

// removeOwner removes the index entry of session id under owner, and the
// owner's directory once empty.
func (s *statements) removeOwner(owner string, id session.Key) error {
	if owner == "" {
		return nil
	}
	dir := s.ownerDir(owner)
	if err := os.Remove(filepath.Join(dir, name(id))); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	removeIfEmpty(dir)
	return nil
}

// removeIfEmpty removes dir if it is empty; a directory that is not, or is
// already gone, is fine.
func removeIfEmpty(dir string) { _ = os.Remove(dir) }

// ownerSessions returns the IDs the owner's index lists.
func (s *statements) ownerSessions(owner string) ([]session.Key, error) {
	names, err := readNames(s.ownerDir(owner))
	if err != nil {
		return nil, err
	}
	ids := make([]session.Key, 0, len(names))
	for _, n := range names {
		if id, ok := parseName(n); ok {
			ids = append(ids, id)
		}
	}
	return ids, nil
}

// readNames returns the names in dir, sorted; none when dir does not exist.
func readNames(dir string) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, nil
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, len(entries))
	for i, e := range entries {
		names[i] = e.Name()
	}
	return names, nil
}
