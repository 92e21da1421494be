//go:build unix

package sqlitestore_test

import (
	"context"
	"encoding/hex"
	"io"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/session"
)

// Environment of the unprivileged re-run of TestReadOnlyPermissions.
const (
	readOnlyEnvDB  = "SQLITESTORE_READONLY_DB"
	readOnlyEnvKey = "SQLITESTORE_READONLY_KEY"
)

// TestReadOnlyPermissions opens a database file whose permissions are 0444.
// Root ignores file permissions, so under root the test re-runs itself as the
// user nobody, from a copy of the test binary that nobody may execute.
func TestReadOnlyPermissions(t *testing.T) {
	if path := os.Getenv(readOnlyEnvDB); path != "" {
		raw, err := hex.DecodeString(os.Getenv(readOnlyEnvKey))
		if err != nil || len(raw) != session.KeySize {
			t.Fatalf("bad %s: %v", readOnlyEnvKey, err)
		}
		checkReadOnly(t, path, session.Key(raw))
		return
	}
	path, key := seeded(t)
	if err := os.Chmod(path, 0o444); err != nil {
		t.Fatal(err)
	}
	if os.Geteuid() != 0 {
		checkReadOnly(t, path, key)
		return
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("running as root, and no user nobody to drop to: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	// nobody must reach the file and create SQLite's -shm beside it (the
	// directory stays writable; only the database file is read-only).
	dir := filepath.Dir(path)
	for _, d := range []string{filepath.Dir(dir), dir} {
		if err := os.Chmod(d, 0o777); err != nil {
			t.Fatal(err)
		}
	}
	binary := filepath.Join(dir, "sqlitestore.test")
	copyExecutable(t, os.Args[0], binary)

	cmd := exec.Command(binary, "-test.run=^TestReadOnlyPermissions$", "-test.count=1", "-test.v")
	cmd.Env = append(os.Environ(), readOnlyEnvDB+"="+path, readOnlyEnvKey+"="+hex.EncodeToString(key[:]))
	cmd.Dir = dir
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
	out, err := cmd.CombinedOutput()
	if err != nil || !strings.Contains(string(out), "--- PASS: TestReadOnlyPermissions") {
		t.Fatalf("as nobody: %v\n%s", err, out)
	}
	for line := range strings.Lines(string(out)) {
		if strings.Contains(line, "permissions_unix_test.go") {
			t.Log("as nobody:", strings.TrimSpace(line))
		}
	}
}

// checkReadOnly expects path, a 0444 file this process cannot write, to load
// the session under key and to refuse writes with ErrUnavailable.
func checkReadOnly(t *testing.T, path string, key session.Key) {
	ctx := context.Background()
	s := openOrUnavailable(t, path, "a 0444 file")
	if s == nil {
		return
	}
	now := time.Now()
	rec, err := s.Load(ctx, key, now)
	if err != nil {
		t.Fatalf("Load from a 0444 file: %v", err)
	}
	_, err = s.Save(ctx, rec, now)
	requireUnavailable(t, "Save to a 0444 file", err)
	err = s.Touch(ctx, key, now.Add(time.Hour), now)
	requireUnavailable(t, "Touch in a 0444 file", err)
}

// copyExecutable copies the file at from to to, executable by everyone.
func copyExecutable(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	if err != nil {
		t.Fatal(err)
	}
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_EXCL|os.O_WRONLY, 0o755)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		t.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		t.Fatal(err)
	}
}
