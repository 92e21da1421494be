package dirstore

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"time"
)

// errAbsent means the file a key, ID or lease name leads to does not exist.
var errAbsent = errors.New("dirstore: absent")

// Waiting for a lock polls, so that the wait ends with the caller's context
// (a blocking flock cannot be interrupted). The first retries come fast: a
// writer holds a session's lock for one small write and, with fsync, one
// flush.
const (
	lockPollMin = 20 * time.Microsecond
	lockPollMax = 2 * time.Millisecond
)

// lock waits for f's exclusive lock, or until ctx is done.
func (s *statements) lock(ctx context.Context, f *os.File) error {
	var timer *time.Timer
	for delay := lockPollMin; ; delay = min(2*delay, lockPollMax) {
		ok, err := tryLock(f)
		if ok || err != nil {
			return err
		}
		if timer == nil {
			s.reached("lock: waiting")
			timer = time.NewTimer(delay)
			defer timer.Stop()
		} else {
			timer.Reset(delay)
		}
		select {
		case <-ctx.Done():
			return fmt.Errorf("waiting for the lock of %s: %w", filepath.Base(f.Name()), ctx.Err())
		case <-timer.C:
		}
	}
}

// held is an open, locked file and what it held when the lock was taken.
// Files are replaced by rename, never written in place, so a held file's
// contents cannot change; the name may come to lead to another file, which
// stillAt tells.
type held struct {
	f *os.File
	b []byte
}

// release drops the lock.
func (h *held) release() { _ = h.f.Close() }

// stillAt reports whether path still names the held file: false once a
// writer has renamed another file over it, or removed it, while we waited.
func (h *held) stillAt(path string) (bool, error) {
	mine, err := h.f.Stat()
	if err != nil {
		return false, err
	}
	now, err := os.Stat(path)
	if errors.Is(err, fs.ErrNotExist) {
		return false, nil
	}
	return err == nil && os.SameFile(mine, now), err
}

// hold opens path (following a key link), waits for its lock and reads it.
// flag adds to O_RDONLY (O_CREATE for leases). errAbsent when path does not
// exist.
func (s *statements) hold(ctx context.Context, path string, flag int) (*held, error) {
	f, err := os.OpenFile(path, os.O_RDONLY|flag, fileMode)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errAbsent
	}
	if err != nil {
		return nil, err
	}
	if err := s.lock(ctx, f); err != nil {
		_ = f.Close()
		return nil, err
	}
	b, err := readAll(f)
	if err != nil {
		_ = f.Close()
		return nil, err
	}
	return &held{f, b}, nil
}

// read reads the file at path without locking it (a reader sees one whole
// version: files are replaced by rename). errAbsent when it does not exist.
func read(path string) ([]byte, error) {
	f, err := os.Open(path)
	if errors.Is(err, fs.ErrNotExist) {
		return nil, errAbsent
	}
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return readAll(f)
}

// readAll reads f whole, refusing a file larger than any the store writes so
// that a stray huge file cannot exhaust memory.
func readAll(f *os.File) ([]byte, error) {
	info, err := f.Stat()
	if err != nil {
		return nil, err
	}
	if !info.Mode().IsRegular() {
		return nil, fmt.Errorf("%w: %s is not a regular file", errFormat, filepath.Base(f.Name()))
	}
	if info.Size() > maxFileSize {
		return nil, fmt.Errorf("%w: %d bytes, more than %d", errFormat, info.Size(), maxFileSize)
	}
	// Files are replaced, never written in place: the size is the size.
	b := make([]byte, info.Size())
	n, err := io.ReadFull(f, b)
	if errors.Is(err, io.ErrUnexpectedEOF) {
		return b[:n], nil // cannot happen; the checksum will say what is wrong
	}
	return b, err
}

// tempFile is a file being written in tmp/. It is locked from creation to
// close, so that a sweep can tell a live writer's file (locked) from a dead
// one's (free); linking or renaming it into place keeps the lock on the
// inode until close.
type tempFile struct {
	f    *os.File
	path string
}

// writeTemp writes b to a new, locked temp file, flushed to disk unless
// Options.NoSync.
func (s *statements) writeTemp(b []byte) (*tempFile, error) {
	t, err := s.createTemp()
	if err != nil {
		return nil, err
	}
	if _, err := t.f.Write(b); err != nil {
		t.discard()
		return nil, err
	}
	if !s.noSync {
		if err := t.f.Sync(); err != nil {
			t.discard()
			return nil, err
		}
	}
	s.reached("temp written")
	return t, nil
}

// createTemp creates a new temp file and takes its lock. Between the
// creation and the lock, another process's sweepTemp may find it free and
// remove it: the lock is only ours once the name still leads to our file
// under it, else we start again under a new name.
func (s *statements) createTemp() (*tempFile, error) {
	for {
		var rnd [12]byte
		_, _ = rand.Read(rnd[:])
		path := filepath.Join(s.root, tmpDir, hex.EncodeToString(rnd[:])+".tmp")
		f, err := os.OpenFile(path, os.O_WRONLY|os.O_CREATE|os.O_EXCL, fileMode)
		if err != nil {
			return nil, err
		}
		t := &tempFile{f, path}
		locked, err := tryLock(f)
		if err != nil {
			t.discard()
			return nil, err
		}
		if locked {
			mine, err := (&held{f: f}).stillAt(path)
			if mine || err != nil {
				if err != nil {
					t.discard()
					return nil, err
				}
				return t, nil
			}
		}
		_ = f.Close() // a sweep holds it, or removed it: its name is not ours to remove
	}
}

// discard removes the temp file's name if it is still there (it is not once
// renamed into place) and closes it, releasing its lock.
func (t *tempFile) discard() {
	_ = os.Remove(t.path)
	_ = t.f.Close()
}

// syncDir flushes a directory's entries (a rename, link or unlink in it) to
// disk, unless Options.NoSync.
func (s *statements) syncDir(dir string) error {
	if s.noSync {
		return nil
	}
	d, err := os.Open(dir)
	if err != nil {
		return err
	}
	err = d.Sync()
	return errors.Join(err, d.Close())
}

// syncDirs flushes the directories that hold paths, each once.
func (s *statements) syncDirs(paths ...string) error {
	var errs []error
	done := map[string]bool{}
	for _, p := range paths {
		if dir := filepath.Dir(p); !done[dir] {
			done[dir] = true
			errs = append(errs, s.syncDir(dir))
		}
	}
	return errors.Join(errs...)
}

// inDir runs place, which makes an entry at path, and when place finds the
// directory missing, creates it and runs place again: the 256 subdirectories
// of sessions/, keys/ and owners/ are made when first needed, and never
// removed.
func (s *statements) inDir(path string, place func() error) error {
	err := place()
	if !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	dir := filepath.Dir(path)
	if err := os.Mkdir(dir, dirMode); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := s.syncDir(filepath.Dir(dir)); err != nil {
		return err
	}
	return place()
}

// removeLinkTo removes the symlink at path if it points to target: a key or
// owner entry is only ever removed by the session it names.
func removeLinkTo(path, target string) error {
	got, err := os.Readlink(path)
	if errors.Is(err, fs.ErrNotExist) || (err == nil && got != target) {
		return nil
	}
	if err != nil {
		return err
	}
	if err := os.Remove(path); err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	return nil
}
