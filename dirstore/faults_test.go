//go:build unix

package dirstore_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
)

func TestNotInitialized(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	s, err := dirstore.Open(dir, dirstore.Options{})
	if err != nil {
		t.Fatalf("Open of a directory that does not exist yet: %v", err)
	}
	now := time.Now()
	_, err = s.Load(t.Context(), opstest.KeyOf("x"), now)
	if !errors.Is(err, session.ErrUnavailable) || !errors.Is(err, dirstore.ErrNotInitialized) {
		t.Fatalf("Load before Migrate: %v, want ErrUnavailable wrapping ErrNotInitialized (never ErrNotFound)", err)
	}
	if _, err := os.Stat(dir); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("Open or Load created %s: %v", dir, err)
	}
	// Another process migrates: this store sees the layout on its next call.
	if err := openMigrated(t, dir, dirstore.Options{}).Create(t.Context(), opstest.LiveRecord(opstest.KeyOf("x"), []byte{}, now)); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(t.Context(), opstest.KeyOf("x"), now); err != nil {
		t.Fatalf("Load once another store migrated the directory: %v", err)
	}
	if info, err := os.Stat(dir); err != nil || info.Mode().Perm() != 0o700 {
		t.Fatalf("Migrate made %s with mode %v, %v; want 0700", dir, info.Mode().Perm(), err)
	}
}

func TestMigrateRefusesForeignDirectory(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "notes.txt"), []byte("mine"), 0o600); err != nil {
		t.Fatal(err)
	}
	s, err := dirstore.Open(dir, dirstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := s.Migrate(t.Context()); err == nil || !strings.Contains(err.Error(), "notes.txt") {
		t.Fatalf("Migrate into a directory holding other files: %v, want a refusal naming one", err)
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("the refused Migrate left %d entries, want only notes.txt", len(entries))
	}
}

func TestNewerLayoutRefused(t *testing.T) {
	s := tempStore(t)
	if err := os.WriteFile(filepath.Join(s.Dir(), "FORMAT"), []byte("sessiongen directory store\nlayout 2\n"), 0o600); err != nil {
		t.Fatal(err)
	}
	newer, err := dirstore.Open(s.Dir(), dirstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	_, err = newer.Load(t.Context(), opstest.KeyOf("x"), time.Now())
	if !errors.Is(err, session.ErrUnavailable) || !strings.Contains(err.Error(), "layout 2") {
		t.Fatalf("Load of a newer layout: %v, want ErrUnavailable naming the layout", err)
	}
	if err := newer.Migrate(t.Context()); err == nil {
		t.Fatal("Migrate accepted a newer layout")
	}
}

func TestClosedStore(t *testing.T) {
	s := tempStore(t)
	_ = s.Close()
	_, err := s.Load(t.Context(), opstest.KeyOf("x"), time.Now())
	if !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("Load after Close: %v, want ErrUnavailable", err)
	}
}

// sessionFile returns the path of the session file a key leads to.
func sessionFile(t *testing.T, s *dirstore.Store, key session.Key) string {
	t.Helper()
	link := filepath.Join(s.Dir(), "keys", key.String()[:2], key.String())
	path, err := filepath.EvalSymlinks(link)
	if err != nil {
		t.Fatal(err)
	}
	return path
}

// TestCorruptFiles: damaged or foreign files give ErrCorrupt where a session
// is asked for, are skipped where sessions are counted or cleaned, and are
// left in place for inspection.
func TestCorruptFiles(t *testing.T) {
	s := tempStore(t)
	ctx, now := t.Context(), time.Now()
	keys := map[string]session.Key{}
	for _, n := range []string{"garbage", "torn", "huge", "foreign", "healthy"} {
		keys[n] = opstest.KeyOf(n)
		rec := opstest.LiveRecord(keys[n], []byte(n), now)
		rec.Owner = "alice"
		if err := s.Create(ctx, rec); err != nil {
			t.Fatal(err)
		}
	}
	overwrite := func(n string, f func(path string) error) {
		if err := f(sessionFile(t, s, keys[n])); err != nil {
			t.Fatal(err)
		}
	}
	overwrite("garbage", func(p string) error { return os.WriteFile(p, []byte("not a session at all"), 0o600) })
	overwrite("torn", func(p string) error {
		b, err := os.ReadFile(p)
		if err != nil {
			return err
		}
		return os.WriteFile(p, b[:len(b)-7], 0o600)
	})
	overwrite("huge", func(p string) error { return os.Truncate(p, 2<<30) }) // sparse: reading it would take 2 GiB
	overwrite("foreign", func(p string) error {
		if err := os.Remove(p); err != nil {
			return err
		}
		return os.Symlink("/etc/hostname", p)
	})

	for _, n := range []string{"garbage", "torn", "huge", "foreign"} {
		_, err := s.Load(ctx, keys[n], now)
		if !errors.Is(err, session.ErrCorrupt) {
			t.Errorf("Load of a %s file: %v, want ErrCorrupt", n, err)
		}
		rec := opstest.LiveRecord(keys[n], []byte("saved"), now)
		rec.Version = 1
		if _, err := s.Save(ctx, rec, now); !errors.Is(err, session.ErrCorrupt) {
			t.Errorf("Save over a %s file: %v, want ErrCorrupt", n, err)
		}
	}
	if c, err := s.Count(ctx, now); err != nil || c != (session.Counts{Live: 1}) {
		t.Errorf("Count beside damaged files = %+v, %v; want the one healthy session", c, err)
	}
	if recs, err := s.ListOwner(ctx, "alice", now, 100); err != nil || len(recs) != 1 {
		t.Errorf("ListOwner beside damaged files = %d sessions, %v; want the healthy one", len(recs), err)
	}
	if _, err := s.List(ctx, session.Key{}, 10); !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("List over damaged files: %v, want ErrCorrupt naming one", err)
	}
	if n, _, err := s.DeleteExpired(ctx, time.Time{}, now.Add(100*time.Hour), 10); err != nil || n != 1 {
		t.Errorf("DeleteExpired beside damaged files deleted %d, %v; want the healthy one only", n, err)
	}
	if _, err := os.Lstat(sessionFile(t, s, keys["garbage"])); err != nil {
		t.Errorf("a damaged file was not left in place: %v", err)
	}

	// A key link that leads to another session is not that session.
	rec, other := opstest.LiveRecord(opstest.KeyOf("stolen"), []byte("x"), now), opstest.LiveRecord(opstest.KeyOf("other"), []byte("y"), now)
	for _, r := range []session.Record{rec, other} {
		if err := s.Create(ctx, r); err != nil {
			t.Fatal(err)
		}
	}
	link := filepath.Join(s.Dir(), "keys", rec.Key.String()[:2], rec.Key.String())
	target, err := os.Readlink(filepath.Join(s.Dir(), "keys", other.Key.String()[:2], other.Key.String()))
	if err != nil {
		t.Fatal(err)
	}
	if err := os.Remove(link); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := s.Load(ctx, rec.Key, now); !errors.Is(err, session.ErrNotFound) {
		t.Errorf("Load through a link to another session: %v, want ErrNotFound", err)
	}
}

// TestPermissions: whatever the umask, the directories the store makes are
// 0700 and its files 0600: sessions hold user data.
func TestPermissions(t *testing.T) {
	old := syscall.Umask(0)
	defer syscall.Umask(old)
	s := tempStore(t)
	ctx, now := t.Context(), time.Now()
	rec := opstest.LiveRecord(opstest.KeyOf("perm"), []byte("x"), now)
	rec.Owner = "alice"
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	if err := s.Rotate(ctx, rec.Key, opstest.KeyOf("perm 2"), session.Rotation{Until: now.Add(time.Minute)}, now); err != nil {
		t.Fatal(err)
	}
	if _, err := s.AcquireLease(ctx, "cleanup", "me", time.Minute, now); err != nil {
		t.Fatal(err)
	}
	seen := map[string]int{}
	err := filepath.WalkDir(s.Dir(), func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		info, err := d.Info()
		if err != nil {
			return err
		}
		mode := info.Mode()
		switch {
		case mode&fs.ModeSymlink != 0:
			seen["links"]++
			return nil
		case mode.IsDir() && mode.Perm() != 0o700, mode.IsRegular() && mode.Perm() != 0o600:
			t.Errorf("%s has mode %v", path, mode)
		}
		seen[map[bool]string{true: "dirs", false: "files"}[mode.IsDir()]]++
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("checked %v", seen)
}
