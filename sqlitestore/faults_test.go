package sqlitestore_test

import (
	"bytes"
	"context"
	"database/sql"
	"errors"
	"os"
	"path/filepath"
	"testing"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/sessiongen/sessiongen/internal/opstest"
	"github.com/sessiongen/sessiongen/session"
	"github.com/sessiongen/sessiongen/sqlitestore"
)

// requireUnavailable fails t unless err is ErrUnavailable and never a "no
// session" answer.
func requireUnavailable(t *testing.T, what string, err error) {
	t.Helper()
	if !errors.Is(err, session.ErrUnavailable) || errors.Is(err, session.ErrNotFound) {
		t.Fatalf("%s: %v, want ErrUnavailable", what, err)
	}
	t.Logf("%s: %v", what, err)
}

// openOrUnavailable opens a damaged file: it returns the store, closed when t
// ends, or nil when Open refused the file with ErrUnavailable (either is
// right; anything else fails t).
func openOrUnavailable(t *testing.T, path, what string) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(path)
	if err != nil {
		requireUnavailable(t, "Open of "+what, err)
		return nil
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// sqliteCode returns the primary SQLite result code in err's chain, or -1.
func sqliteCode(err error) int {
	var e *sqlite.Error
	if errors.As(err, &e) {
		return e.Code() & 0xff
	}
	return -1
}

// seeded creates a migrated database file holding one session and closes it,
// returning its path and the session's key.
func seeded(t *testing.T) (string, session.Key) {
	t.Helper()
	path := tempPath(t)
	s := openMigrated(t, path)
	key := opstest.KeyOf("seeded")
	if err := s.Create(context.Background(), opstest.LiveRecord(key, []byte("payload"), time.Now())); err != nil {
		t.Fatal(err)
	}
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	return path, key
}

func TestReadOnlyFile(t *testing.T) {
	ctx := context.Background()
	path, key := seeded(t)
	s := openPath(t, path+"?mode=ro")
	now := time.Now()
	rec, err := s.Load(ctx, key, now)
	if err != nil || !bytes.Equal(rec.Data, []byte("payload")) {
		t.Fatalf("Load from a read-only file = %q, %v; want the stored session", rec.Data, err)
	}

	_, err = s.Save(ctx, rec, now)
	requireUnavailable(t, "Save to a read-only file", err)
	if code := sqliteCode(err); code != sqlite3.SQLITE_READONLY {
		t.Errorf("Save to a read-only file: cause has SQLite code %d, want SQLITE_READONLY", code)
	}
	err = s.Create(ctx, opstest.LiveRecord(opstest.KeyOf("new"), []byte("x"), now))
	requireUnavailable(t, "Create in a read-only file", err)
	err = s.Delete(ctx, key, now)
	requireUnavailable(t, "Delete from a read-only file", err)

	if again, err := s.Load(ctx, key, now); err != nil || again.Version != rec.Version {
		t.Fatalf("after refused writes: Load = version %d, %v; want the session unchanged", again.Version, err)
	}
}

func TestCorruptFile(t *testing.T) {
	ctx := context.Background()
	garbage := bytes.Repeat([]byte("this is not a database. "), 512)
	for _, tc := range []struct {
		name   string
		offset int64 // where the garbage starts; 0 destroys the header too
	}{
		{"whole file", 0},
		{"pages after the header", 100},
		{"pages after the schema page", 4096},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path, key := seeded(t)
			f, err := os.OpenFile(path, os.O_WRONLY, 0)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := f.WriteAt(garbage, tc.offset); err != nil {
				t.Fatal(err)
			}
			if err := f.Close(); err != nil {
				t.Fatal(err)
			}

			if s := openOrUnavailable(t, path, "a corrupt file"); s != nil {
				_, err := s.Load(ctx, key, time.Now())
				requireUnavailable(t, "Load from a corrupt file", err)
			}
		})
	}
}

func TestCorruptRow(t *testing.T) {
	ctx := context.Background()
	path := tempPath(t)
	s := openMigrated(t, path)
	now := time.Now()
	good := opstest.KeyOf("good")
	if err := s.Create(ctx, opstest.LiveRecord(good, []byte("x"), now)); err != nil {
		t.Fatal(err)
	}

	// The schema refuses such rows; a damaged or hand-edited file may still
	// hold one, so bypass the CHECK constraints on one connection to plant it.
	conn, err := s.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustExec(t, conn, "PRAGMA ignore_check_constraints = ON")
	mustExec(t, conn, `INSERT INTO sessiongen_sessions
		(key, data, version, created_at, idle_expires_at, absolute_expires_at)
		VALUES (?, x'00', 1, 0, ?, ?)`, bytes.Repeat([]byte{0xff}, 31), now.Add(time.Hour).UnixMicro(), now.Add(time.Hour).UnixMicro())
	mustExec(t, conn, `UPDATE sessiongen_sessions SET prev_key = x'01', prev_expires_at = ? WHERE key = ?`,
		now.Add(time.Hour).UnixMicro(), good[:])
	mustExec(t, conn, "PRAGMA ignore_check_constraints = OFF")

	if _, err := s.List(ctx, session.Key{}, 10); !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("List over a 31-byte key: %v, want ErrCorrupt", err)
	}
	if _, err := s.Load(ctx, good, now); !errors.Is(err, session.ErrCorrupt) {
		t.Errorf("Load of a session with a 1-byte previous key: %v, want ErrCorrupt", err)
	}
	if c, err := s.Count(ctx, now); err != nil || c.Live != 2 {
		t.Errorf("Count = %+v, %v; want both rows left in place", c, err)
	}
}

func mustExec(t *testing.T, conn *sql.Conn, query string, args ...any) {
	t.Helper()
	if _, err := conn.ExecContext(context.Background(), query, args...); err != nil {
		t.Fatalf("%s: %v", query, err)
	}
}

// TestLockedFile holds the write lock from another handle and checks that a
// writer waiting past its busy timeout, or past its context's deadline, gets
// ErrUnavailable rather than a raw "database is locked".
func TestLockedFile(t *testing.T) {
	ctx := context.Background()
	path, key := seeded(t)
	holder := openMigrated(t, path)
	conn, err := holder.DB().Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	mustExec(t, conn, "BEGIN IMMEDIATE")
	defer conn.ExecContext(ctx, "ROLLBACK")

	t.Run("busy timeout", func(t *testing.T) {
		// A handle with a short busy timeout, so the test does not wait
		// BusyTimeout; New leaves configuration to the caller.
		db, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(50)&_pragma=journal_mode(WAL)")
		if err != nil {
			t.Fatal(err)
		}
		s := sqlitestore.New(db)
		defer s.Close()
		now := time.Now()
		err = s.Touch(ctx, key, now.Add(time.Hour), now)
		requireUnavailable(t, "Touch while another handle holds the write lock", err)
		if code := sqliteCode(err); code != sqlite3.SQLITE_BUSY {
			t.Errorf("cause has SQLite code %d, want SQLITE_BUSY", code)
		}
	})

	t.Run("deadline", func(t *testing.T) {
		s := openPath(t, path)
		ctx, cancel := context.WithTimeout(ctx, 100*time.Millisecond)
		defer cancel()
		now := time.Now()
		err := s.Touch(ctx, key, now.Add(time.Hour), now)
		requireUnavailable(t, "Touch waiting for the write lock past its deadline", err)
		if !errors.Is(err, context.DeadlineExceeded) {
			t.Errorf("%v: want context.DeadlineExceeded in the chain", err)
		}
	})
}

func TestClosedStore(t *testing.T) {
	s := openMigrated(t, tempPath(t))
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	_, err := s.Load(context.Background(), opstest.KeyOf("t"), time.Now())
	requireUnavailable(t, "Load after Close", err)
	_, err = s.AcquireLease(context.Background(), "cleanup", "me", time.Minute, time.Now())
	requireUnavailable(t, "AcquireLease after Close", err)
}

func TestCancelledContext(t *testing.T) {
	path, key := seeded(t)
	s := openMigrated(t, path)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	now := time.Now()
	_, err := s.Load(ctx, key, now)
	requireUnavailable(t, "Load with a cancelled context", err)
	if !errors.Is(err, context.Canceled) {
		t.Errorf("%v: want context.Canceled in the chain", err)
	}
	_, err = s.Save(ctx, opstest.LiveRecord(key, []byte("y"), now), now)
	requireUnavailable(t, "Save with a cancelled context", err)
	if rec, err := s.Load(context.Background(), key, now); err != nil || string(rec.Data) != "payload" {
		t.Fatalf("after cancelled calls: %q, %v; want the session unchanged", rec.Data, err)
	}
}

func TestOpenMissingDirectory(t *testing.T) {
	_, err := sqlitestore.Open(t.TempDir() + "/missing/sessions.db")
	requireUnavailable(t, "Open in a missing directory", err)
}

func TestOpenRefusesPerConnectionDatabases(t *testing.T) {
	for _, path := range []string{"", ":memory:", ":memory:?cache=shared"} {
		if s, err := sqlitestore.Open(path); !errors.Is(err, session.ErrInvalid) {
			if s != nil {
				s.Close()
			}
			t.Errorf("Open(%q): %v, want ErrInvalid", path, err)
		}
	}
}

// TestOpenOddPath checks that characters meaningful in a SQLite URI ('#', '%',
// spaces) reach the file system as they are.
func TestOpenOddPath(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "odd #1 %41 dir")
	if err := os.Mkdir(dir, 0o755); err != nil {
		t.Fatal(err)
	}
	path := filepath.Join(dir, "sessions.db")
	s := openMigrated(t, path)
	if err := s.Create(context.Background(), opstest.LiveRecord(opstest.KeyOf("odd"), []byte("x"), time.Now())); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("the database is not at the path given: %v", err)
	}
}
