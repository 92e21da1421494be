// Package dirstore is a session.Store and session.Leaser that keeps one file
// per session in a directory: no database, and several processes on one host
// may share it.
//
// Every change is a new file written in tmp/, flushed to disk, and renamed
// (or linked) into place, so a reader, or a process that crashes half-way,
// sees the old session or the new one, never a mix. Writes to a session
// happen under an exclusive flock(2) on its file, which works across
// processes and is released by the kernel when a holder dies; the version
// check of Save is made under that lock. Reads take no lock.
//
// A session's file keeps its name (its ID, the key it was created with) for
// its whole life; each of its keys, current and previous, is a symlink to it.
// A rotation is therefore one rename of one file: the file says which key is
// current and which is previous, and a link that the file does not confirm
// leads nowhere. The per-owner index is a directory of links per owner that
// always holds at least every owned session (an entry is added before the
// session gets the owner and removed after it loses it), and every reader
// checks the session file itself.
//
// Call Migrate once (or `sessiongen migrate up`) to create the layout; it also
// repairs what crashes left behind. docs/DIRSTORE.md explains the design,
// its guarantees, and when SQLite is the better choice.
package dirstore

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"

	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/session/storekit"
)

// Options configure a Store. The zero value is the safe default.
type Options struct {
	// NoSync skips the fsync of every written file and of the directories a
	// change touches. A process crash (kill -9 included) still leaves the old
	// session or the new one, never a torn file: the page cache survives it.
	// A power loss or kernel crash may lose recent writes, bring a deleted
	// session back, or leave a file that Load reports as ErrCorrupt. Writes are
	// several times faster (docs/BENCHMARKS.md).
	NoSync bool
}

// ErrNotInitialized means the directory has no store layout yet: run
// Migrate (or `sessiongen migrate up`). It is wrapped in
// session.ErrUnavailable by every method.
var ErrNotInitialized = errors.New("dirstore: directory not initialized (run Migrate or `sessiongen migrate up`)")

// ErrUnsupported means this platform lacks flock(2).
var ErrUnsupported = errors.New("dirstore: needs flock(2) (Linux, macOS or a BSD)")

// Store is a session.Store and session.Leaser on a directory. It is safe for
// concurrent use, and any number of processes on the same host may open the
// same directory.
type Store struct {
	storekit.Checked // the contract's argument rules and done contexts, then the statements
	st               *statements
}

// statements is the directory. Its methods are the store's statements:
// storekit.Checked calls them only with well-formed arguments and a context
// that was not done.
type statements struct {
	root   string
	noSync bool
	ready  atomic.Bool // the layout exists and this binary reads it
	closed atomic.Bool

	// step, when set (by tests only), is called after each change a crash
	// could interrupt, with the step's name.
	step func(string)
}

var (
	_ session.Store  = (*Store)(nil)
	_ session.Leaser = (*Store)(nil)
)

// Open returns the store in dir. It creates nothing: until the layout exists
// (Migrate), every method fails with ErrUnavailable wrapping
// ErrNotInitialized. It removes temp files that crashed writers left behind.
func Open(dir string, opts Options) (*Store, error) {
	if !supported {
		return nil, ErrUnsupported
	}
	if dir == "" {
		return nil, storekit.Invalid("open", "empty directory")
	}
	root, err := filepath.Abs(dir)
	if err != nil {
		return nil, storekit.Invalid("open", err.Error())
	}
	s := &statements{root: root, noSync: opts.NoSync}
	if s.checkLayout() == nil {
		_, _ = s.sweepTemp() // best effort: a read-only directory is still usable for loads
	}
	return &Store{Checked: storekit.Check(s), st: s}, nil
}

// Dir returns the store's directory, made absolute.
func (s *Store) Dir() string { return s.st.root }

// Close marks the store closed: every later call fails with ErrUnavailable.
// It holds no resource between calls, so there is nothing else to release.
func (s *Store) Close() error {
	s.st.closed.Store(true)
	return nil
}

// errClosed is the cause of ErrUnavailable after Close.
var errClosed = errors.New("dirstore: store closed")

// run runs one operation the way every store does (storekit.Run: a done
// context is refused before any work, and errors are classified), once the
// store is open and its layout readable.
func run[T any](ctx context.Context, s *statements, op string, fn func(context.Context) (T, error)) (T, error) {
	return storekit.Run(ctx, op, classify, func(ctx context.Context) (T, error) {
		if err := s.usable(); err != nil {
			var zero T
			return zero, err
		}
		return fn(ctx)
	})
}

// exec is run for an operation that returns nothing but its error.
func (s *statements) exec(ctx context.Context, op string, fn func(context.Context) error) error {
	_, err := run(ctx, s, op, func(ctx context.Context) (struct{}, error) { return struct{}{}, fn(ctx) })
	return err
}

// usable refuses a closed store and a directory without a layout this
// binary reads.
func (s *statements) usable() error {
	if s.closed.Load() {
		return errClosed
	}
	if s.ready.Load() {
		return nil
	}
	return s.checkLayout()
}

// Check reports whether the store is usable: open, and its directory holds
// a layout this binary reads (ErrUnavailable wrapping ErrNotInitialized
// before Migrate). It reads at most one small file: fit for a readiness
// probe.
func (s *Store) Check(ctx context.Context) error {
	return s.st.exec(ctx, "Check", func(context.Context) error { return nil })
}

// checkLayout reads FORMAT and remembers a layout this binary reads.
func (s *statements) checkLayout() error {
	b, err := os.ReadFile(filepath.Join(s.root, formatFile))
	if errors.Is(err, fs.ErrNotExist) {
		return fmt.Errorf("%w: %s", ErrNotInitialized, s.root)
	}
	if err != nil {
		return err
	}
	if string(b) != formatText {
		return fmt.Errorf("dirstore: %s: %s says %q, this binary reads layout %d only",
			s.root, formatFile, strings.TrimSpace(string(b)), layoutVersion)
	}
	s.ready.Store(true)
	return nil
}

// Migrate creates the layout in the store's directory (and the directory,
// 0700, if missing), or checks an existing one, then repairs what crashed
// writers left behind (Repair). It is idempotent, and safe to run from
// several processes at once. It refuses a directory that holds other files
// and no store, so that a wrong path does not scatter files into it.
func (s *Store) Migrate(ctx context.Context) error {
	err := storekit.Exec(ctx, "Migrate", classify, func(context.Context) error { return s.st.createLayout() })
	if err != nil {
		return err
	}
	_, err = s.Repair(ctx)
	return err
}

func (s *statements) createLayout() error {
	if err := os.MkdirAll(s.root, dirMode); err != nil {
		return err
	}
	err := s.checkLayout()
	if err != nil && !errors.Is(err, ErrNotInitialized) {
		return err
	}
	if err != nil {
		if err := s.refuseForeign(); err != nil {
			return err
		}
	}
	// Also on an existing layout: a directory an operator removed comes back.
	for _, d := range []string{sessionsDir, keysDir, ownersDir, leasesDir, tmpDir} {
		if err := os.MkdirAll(filepath.Join(s.root, d), dirMode); err != nil {
			return err
		}
	}
	if s.ready.Load() {
		return nil
	}
	// FORMAT comes last, so that its presence means a complete layout. A
	// concurrent Migrate may link it first: same contents, same outcome.
	t, err := s.writeTemp([]byte(formatText))
	if err != nil {
		return err
	}
	defer t.discard()
	if err := os.Link(t.path, filepath.Join(s.root, formatFile)); err != nil && !errors.Is(err, fs.ErrExist) {
		return err
	}
	if err := s.syncDir(s.root); err != nil {
		return err
	}
	return s.checkLayout()
}

// refuseForeign fails when the directory holds anything but the store's own
// entries (a half-created layout of a Migrate that crashed is fine).
func (s *statements) refuseForeign() error {
	entries, err := os.ReadDir(s.root)
	if err != nil {
		return err
	}
	own := map[string]bool{sessionsDir: true, keysDir: true, ownersDir: true, leasesDir: true, tmpDir: true}
	for _, e := range entries {
		if !own[e.Name()] {
			return fmt.Errorf("dirstore: %s is not empty and holds no session store (found %q): refusing to create one in it", s.root, e.Name())
		}
	}
	return nil
}

// reached tells a test that a step a crash could interrupt is done.
func (s *statements) reached(step string) {
	if s.step != nil {
		s.step(step)
	}
}

// classify is the store's storekit.Classifier. It wraps a filesystem error
// as ErrUnavailable (full disk, read-only directory, permissions, I/O
// error, a lock wait that outlived the context...), keeping the cause
// reachable with errors.Is (syscall.ENOSPC, syscall.EROFS,
// fs.ErrPermission, context.DeadlineExceeded) and errors.As
// (*fs.PathError), and a decoding error as ErrCorrupt. Contract errors pass
// through unchanged.
func classify(_ context.Context, op string, err error) error {
	switch {
	case errors.Is(err, errFormat):
		return fmt.Errorf("%w: %s: %w", session.ErrCorrupt, op, err)
	case isContractError(err):
		return err
	}
	return storekit.Unavailable(op, err)
}

// isContractError reports an error that already says what the contract wants.
func isContractError(err error) bool {
	for _, e := range []error{session.ErrNotFound, session.ErrConflict, session.ErrExists,
		session.ErrInvalid, session.ErrTooLarge, session.ErrCorrupt, session.ErrUnavailable, session.ErrSuperseded} {
		if errors.Is(err, e) {
			return true
		}
	}
	return false
}

// corruptFile reports an unreadable file by its path below the root (the
// path holds a key's hex, which is safe to log).
func (s *statements) corruptFile(path string, err error) error {
	rel, _ := filepath.Rel(s.root, path)
	return fmt.Errorf("%s: %w", rel, err)
}
