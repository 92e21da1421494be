package dirstore_test

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/dirstore"
	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
)

// The full-disk and read-only tests use real filesystems: a 1 MiB tmpfs
// filled to the last page, and a read-only bind mount, which refuse writes
// even to root (root ignores permission bits, so chmod proves nothing under
// it). Both need CAP_SYS_ADMIN; without it (a non-root developer), the
// full-disk test is skipped and the read-only test falls back to chmod.

// mount mounts and registers the unmount; false when not permitted. It
// first unmounts what an earlier run of the same test, killed before its
// cleanup, left mounted under the temp directory.
func mount(t *testing.T, source, target, fstype string, flags uintptr, data string) bool {
	t.Helper()
	sweepStaleMounts(t)
	err := syscall.Mount(source, target, fstype, flags, data)
	if errors.Is(err, syscall.EPERM) {
		return false
	}
	if err != nil {
		t.Fatalf("mount %s on %s: %v", fstype, target, err)
	}
	t.Cleanup(func() {
		if err := syscall.Unmount(target, 0); err != nil {
			t.Errorf("unmount %s: %v", target, err)
		}
	})
	return true
}

// ownerFile, in the test's temp root, names the process that mounted below
// it, so that a later run unmounts only what a dead process left.
const ownerFile = "mounted-by.pid"

// sweepStaleMounts detaches mounts that an earlier, killed run of this test
// left below its temp root (the owning process is gone), and records this
// process as the owner of the mounts it is about to make.
func sweepStaleMounts(t *testing.T) {
	t.Helper()
	root := filepath.Dir(t.TempDir())
	if err := os.WriteFile(filepath.Join(root, ownerFile), []byte(strconv.Itoa(os.Getpid())), 0o600); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile("/proc/self/mounts")
	if err != nil {
		return
	}
	prefix := filepath.Join(os.TempDir(), t.Name())
	for line := range strings.Lines(string(b)) {
		fields := strings.Fields(line)
		if len(fields) < 2 || !strings.HasPrefix(fields[1], prefix) || strings.HasPrefix(fields[1], root+"/") {
			continue
		}
		rel, _ := filepath.Rel(os.TempDir(), fields[1])
		staleRoot := filepath.Join(os.TempDir(), strings.Split(rel, "/")[0])
		pid, err := os.ReadFile(filepath.Join(staleRoot, ownerFile))
		n, _ := strconv.Atoi(strings.TrimSpace(string(pid)))
		if err != nil || n <= 0 || syscall.Kill(n, 0) != syscall.ESRCH {
			continue // not ours to judge, or its test is still running
		}
		if err := syscall.Unmount(fields[1], syscall.MNT_DETACH); err == nil {
			t.Logf("unmounted %s, left by a killed run", fields[1])
			_ = os.RemoveAll(staleRoot)
		}
	}
}

// wantUnavailable fails unless err is ErrUnavailable caused by one of causes.
func wantUnavailable(t *testing.T, err error, what string, causes ...error) {
	t.Helper()
	if !errors.Is(err, session.ErrUnavailable) {
		t.Fatalf("%s: %v, want ErrUnavailable", what, err)
	}
	for _, c := range causes {
		if errors.Is(err, c) {
			return
		}
	}
	t.Fatalf("%s: %v, want it caused by one of %v", what, err, causes)
}

// wantNoTempFiles fails if a failed write left a temp file behind.
func wantNoTempFiles(t *testing.T, s *dirstore.Store) {
	t.Helper()
	if left, _ := os.ReadDir(filepath.Join(s.Dir(), "tmp")); len(left) != 0 {
		t.Fatalf("%d temp files left behind by failed writes", len(left))
	}
}

func TestFullDisk(t *testing.T) {
	dir := t.TempDir()
	if !mount(t, "tmpfs", dir, "tmpfs", 0, "size=1m,mode=0700") {
		t.Skip("mounting a small tmpfs needs CAP_SYS_ADMIN (CI runs as root)")
	}
	s := openMigrated(t, filepath.Join(dir, "sessions"), dirstore.Options{})
	ctx, now := t.Context(), time.Now()
	rec := opstest.LiveRecord(opstest.KeyOf("full disk"), bytes.Repeat([]byte("a"), 64<<10), now)
	rec.Owner = "alice"
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Version = 1

	// Fill the filesystem to the last page.
	filler, err := os.Create(filepath.Join(dir, "filler"))
	if err != nil {
		t.Fatal(err)
	}
	for chunk := make([]byte, 4096); err == nil; {
		_, err = filler.Write(chunk)
	}
	if !errors.Is(err, syscall.ENOSPC) {
		t.Fatalf("filling the tmpfs: %v, want ENOSPC", err)
	}
	filler.Close()

	saved := rec
	saved.Data = bytes.Repeat([]byte("b"), 64<<10)
	_, err = s.Save(ctx, saved, now)
	wantUnavailable(t, err, "Save on a full disk", syscall.ENOSPC)
	err = s.Create(ctx, opstest.LiveRecord(opstest.KeyOf("another"), []byte("x"), now))
	wantUnavailable(t, err, "Create on a full disk", syscall.ENOSPC)
	err = s.Touch(ctx, rec.Key, now.Add(30*time.Hour), now)
	wantUnavailable(t, err, "Touch on a full disk", syscall.ENOSPC)
	wantNoTempFiles(t, s)

	got, err := s.Load(ctx, rec.Key, now)
	if err != nil || !bytes.Equal(got.Data, rec.Data) || got.Version != 1 {
		t.Fatalf("after failed writes on a full disk: version %d, %v; want the session as created", got.Version, err)
	}
	if n, err := s.Count(ctx, now); err != nil || n != (session.Counts{Live: 1}) {
		t.Fatalf("Count on a full disk = %+v, %v", n, err)
	}

	// Space comes back: writes work again, nothing was lost.
	if err := os.Remove(filepath.Join(dir, "filler")); err != nil {
		t.Fatal(err)
	}
	if v, err := s.Save(ctx, saved, now); err != nil || v != 2 {
		t.Fatalf("Save once space is back: %d, %v", v, err)
	}
}

func TestReadOnlyDirectory(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	s := openMigrated(t, dir, dirstore.Options{})
	ctx, now := t.Context(), time.Now()
	rec := opstest.LiveRecord(opstest.KeyOf("read-only"), []byte("kept"), now)
	rec.Owner = "alice"
	if err := s.Create(ctx, rec); err != nil {
		t.Fatal(err)
	}
	rec.Version = 1

	causes := []error{syscall.EROFS}
	if mount(t, dir, dir, "", syscall.MS_BIND, "") {
		if err := syscall.Mount("", dir, "", syscall.MS_BIND|syscall.MS_REMOUNT|syscall.MS_RDONLY, ""); err != nil {
			t.Fatalf("remount read-only: %v", err)
		}
	} else {
		// Not root: permission bits do refuse us.
		causes = []error{os.ErrPermission}
		var dirs []string
		_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
			if err == nil && d.IsDir() {
				dirs = append(dirs, p)
			}
			return err
		})
		for _, d := range dirs {
			if err := os.Chmod(d, 0o500); err != nil {
				t.Fatal(err)
			}
		}
		t.Cleanup(func() {
			for _, d := range dirs {
				_ = os.Chmod(d, 0o700)
			}
		})
	}

	// Reads work: an operator can serve a frozen copy.
	reopened, err := dirstore.Open(dir, dirstore.Options{})
	if err != nil {
		t.Fatalf("Open of a read-only directory: %v", err)
	}
	if got, err := reopened.Load(ctx, rec.Key, now); err != nil || string(got.Data) != "kept" {
		t.Fatalf("Load from a read-only directory: %q, %v", got.Data, err)
	}
	if recs, err := reopened.ListOwner(ctx, "alice", now, 100); err != nil || len(recs) != 1 {
		t.Fatalf("ListOwner from a read-only directory: %d, %v", len(recs), err)
	}

	// Every write fails with a typed error naming the cause.
	saved := rec
	saved.Data = []byte("lost?")
	_, err = reopened.Save(ctx, saved, now)
	wantUnavailable(t, err, "Save to a read-only directory", causes...)
	wantUnavailable(t, reopened.Create(ctx, opstest.LiveRecord(opstest.KeyOf("new"), []byte("x"), now)), "Create in a read-only directory", causes...)
	wantUnavailable(t, reopened.Rotate(ctx, rec.Key, opstest.KeyOf("rotated"), session.Rotation{Until: now.Add(time.Minute)}, now), "Rotate in a read-only directory", causes...)
	wantUnavailable(t, reopened.Delete(ctx, rec.Key, now), "Delete in a read-only directory", causes...)
	_, err = reopened.DeleteOwner(ctx, "alice", session.Key{})
	wantUnavailable(t, err, "DeleteOwner in a read-only directory", causes...)
	_, err = reopened.AcquireLease(ctx, "cleanup", "me", time.Minute, now)
	wantUnavailable(t, err, "AcquireLease in a read-only directory", causes...)
	t.Logf("Save's error: %v", func() error { _, err := reopened.Save(ctx, saved, now); return err }())

	if got, err := reopened.Load(ctx, rec.Key, now); err != nil || string(got.Data) != "kept" || got.Version != 1 {
		t.Fatalf("after refused writes: %q v%d, %v; want the session unchanged", got.Data, got.Version, err)
	}
}
