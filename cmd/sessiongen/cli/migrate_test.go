package cli

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestMigrateUpDownUp(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, url string) {
		skipDirectory(t, url)
		db := "-database-url=" + url
		steps := []struct {
			args    []string
			version string
			usable  bool // the sessions table exists
		}{
			{[]string{"version"}, "version: none", false},
			{[]string{"up"}, "version: 2", true},
			{[]string{"up"}, "version: 2", true}, // already current: success
			{[]string{"down", "2"}, "version: none", false},
			{[]string{"up"}, "version: 2", true},
			{[]string{"force", "2"}, "version: 2", true},
			{[]string{"version"}, "version: 2", true},
		}
		for _, s := range steps {
			out := mustCLI(t, append([]string{"migrate", db}, s.args...)...)
			if !strings.Contains(out, s.version) {
				t.Fatalf("migrate %v printed %q, want %q", s.args, out, s.version)
			}
			code, _, errOut := cli(t, "sessions", "count", db)
			if usable := code == exitOK; usable != s.usable {
				t.Fatalf("after migrate %v: sessions count exit %d (%s), want usable=%v", s.args, code, errOut, s.usable)
			}
		}
	})
}

// TestMigrateForceRefusesUnknownVersion: recording a version that has no
// migration file would make every later up fail to read it; force refuses it
// (usage error, naming the versions there are) and records nothing.
func TestMigrateForceRefusesUnknownVersion(t *testing.T) {
	forEachDatabase(t, func(t *testing.T, url string) {
		skipDirectory(t, url)
		db := "-database-url=" + url
		mustCLI(t, "migrate", db, "up")
		for _, v := range []string{"99", "0", "3"} {
			code, _, errOut := cli(t, "migrate", db, "force", v)
			if want := "no migration has version " + v + " (versions: 1, 2, or -1 for none)"; code != exitUsage || !strings.Contains(errOut, want) {
				t.Errorf("force %s: exit %d, stderr %q; want exit 2 and %q", v, code, errOut, want)
			}
		}
		if out := mustCLI(t, "migrate", db, "version"); !strings.Contains(out, "version: 2") {
			t.Errorf("after refused forces: %q, want version 2", out)
		}
		mustCLI(t, "migrate", db, "force", "-1")
		if out := mustCLI(t, "migrate", db, "version"); !strings.Contains(out, "version: none") {
			t.Errorf("after force -1: %q, want none", out)
		}
	})
}

// TestMigrateReadsDATABASE_URL checks the environment fallback for the URL.
func TestMigrateReadsDATABASE_URL(t *testing.T) {
	t.Setenv("DATABASE_URL", "sqlite://"+t.TempDir()+"/env.db")
	if out := mustCLI(t, "migrate", "up"); !strings.Contains(out, "version: 2") {
		t.Fatalf("migrate up printed %q", out)
	}
}

func TestMigrateRejectsBadArguments(t *testing.T) {
	url := "-database-url=sqlite://" + t.TempDir() + "/x.db"
	for _, args := range [][]string{
		{},
		{"sideways"},
		{"down"},        // no "down all" by accident
		{"down", "0"},   // nothing to do is a mistake
		{"down", "two"}, // not a number
		{"force"},
		{"force", "-2"},
		{"up", "1"},
	} {
		code, _, errOut := cli(t, append([]string{"migrate", url}, args...)...)
		if code != exitUsage || !strings.Contains(errOut, "usage: sessiongen migrate") {
			t.Errorf("migrate %v: exit %d, stderr %q; want usage error", args, code, errOut)
		}
	}
}

func TestDatabaseURLErrors(t *testing.T) {
	cases := map[string]string{
		"":                             "set -database-url or DATABASE_URL",
		"oracle://root:hunter2@db/x":   `scheme "oracle"`,
		"mysql://root:hunter2@db:x/y":  "cannot parse",
		"postgres://u:hunter2@[::1/db": "cannot parse",
		"sessions.txt":                 "want postgres://",
	}
	for url, want := range cases {
		t.Setenv("DATABASE_URL", url)
		start := time.Now()
		code, _, errOut := cli(t, "sessions", "count")
		if code != exitFailure || !strings.Contains(errOut, want) || strings.Contains(errOut, "hunter2") {
			t.Errorf("URL %q: exit %d, stderr %q; want exit 1 mentioning %q without the password", url, code, errOut, want)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("URL %q took %v to fail", url, time.Since(start))
		}
	}
}

// skipDirectory skips a migrations test on a directory store, which has a
// layout and no migrations (TestMigrateDirectoryLayout).
func skipDirectory(t *testing.T, url string) {
	if strings.HasPrefix(url, "dir:") {
		t.Skip("a directory store has no migrations; see TestMigrateDirectoryLayout")
	}
}

// TestMigrateDirectoryLayout: on a directory store, up creates (and then
// checks) the layout and sweeps a dead writer's temp file; version reports
// the layout or its absence; down and force are usage errors.
func TestMigrateDirectoryLayout(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "sessions")
	db := "-database-url=dir://" + dir
	if code, _, errOut := cli(t, "migrate", db, "version"); code != exitFailure || !strings.Contains(errOut, "not initialized") {
		t.Fatalf("version before up: exit %d, %q; want 1 and the layout reported missing", code, errOut)
	}
	for range 2 {
		if out := mustCLI(t, "migrate", db, "up"); !strings.Contains(out, "directory store layout 1") {
			t.Fatalf("up printed %q", out)
		}
		mustCLI(t, "sessions", "count", db)
	}
	stale := filepath.Join(dir, "tmp", "0123456789abcdef.tmp")
	if err := os.WriteFile(stale, []byte("half a session"), 0o600); err != nil {
		t.Fatal(err)
	}
	mustCLI(t, "migrate", db, "up")
	if _, err := os.Stat(stale); !errors.Is(err, fs.ErrNotExist) {
		t.Fatalf("up left a dead writer's temp file: %v", err)
	}
	for _, args := range [][]string{{"down", "1"}, {"force", "1"}} {
		if code, _, errOut := cli(t, append([]string{"migrate", db}, args...)...); code != exitUsage || !strings.Contains(errOut, "no migrations") {
			t.Errorf("migrate %v: exit %d, %q; want a usage error", args, code, errOut)
		}
	}
}
