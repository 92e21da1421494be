package schema_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"github.com/sessiongen/sessiongen/schema"
)

// folder makes an application's migrations folder holding files (name: SQL).
func folder(t *testing.T, files ...string) string {
	t.Helper()
	dir := t.TempDir()
	for _, name := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte("SELECT 1;\n"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return dir
}

// ours is a sessiongen schema with n migrations.
func ours(n int) fstest.MapFS {
	fsys := fstest.MapFS{}
	for i, base := range []string{"000001_create_sessions", "000002_add_device", "000003_add_remember"}[:n] {
		fsys[base+".up.sql"] = &fstest.MapFile{Data: []byte("-- up " + base + "\n")}
		if i != 1 { // one migration without a down file
			fsys[base+".down.sql"] = &fstest.MapFile{Data: []byte("-- down " + base + "\n")}
		}
	}
	return fsys
}

func names(t *testing.T, dir string) []string {
	t.Helper()
	entries, err := os.ReadDir(dir)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, e := range entries {
		out = append(out, e.Name())
	}
	return out
}

// TestCopyIntoNumbersAfterTheFolder: copies are numbered after the highest
// version of the application's folder, in its own style.
func TestCopyIntoNumbersAfterTheFolder(t *testing.T) {
	now := time.Date(2026, 11, 30, 10, 15, 0, 0, time.UTC)
	cases := []struct {
		name  string
		files []string
		want  []string
	}{
		{"empty folder", nil, []string{"000001_sessiongen_000001_create_sessions.up.sql", "000001_sessiongen_000001_create_sessions.down.sql"}},
		{"sequence", []string{"0007_add_orders.up.sql", "0007_add_orders.down.sql", "README.md"},
			[]string{"0008_sessiongen_000001_create_sessions.up.sql", "0008_sessiongen_000001_create_sessions.down.sql"}},
		{"timestamps", []string{"20250101120000_users.up.sql"},
			[]string{"20261130101500_sessiongen_000001_create_sessions.up.sql", "20261130101500_sessiongen_000001_create_sessions.down.sql"}},
		{"timestamp ahead of the clock", []string{"20270101000000_users.up.sql"},
			[]string{"20270101000001_sessiongen_000001_create_sessions.up.sql", "20270101000001_sessiongen_000001_create_sessions.down.sql"}},
		{"unix seconds", []string{"1700000000_users.up.sql"},
			[]string{"1796033700_sessiongen_000001_create_sessions.up.sql", "1796033700_sessiongen_000001_create_sessions.down.sql"}},
	}
	for _, c := range cases {
		dir := folder(t, c.files...)
		written, err := schema.CopyInto(dir, ours(1), now)
		if err != nil || !slices.Equal(written, c.want) {
			t.Errorf("%s: wrote %v, %v; want %v", c.name, written, err, c.want)
		}
		for _, name := range c.want {
			if _, err := os.Stat(filepath.Join(dir, name)); err != nil {
				t.Errorf("%s: %v", c.name, err)
			}
		}
	}
}

// TestUpgradeBringsANewMigration is the upgrade of an application that took
// our migrations in: Missing names the new one, CopyInto adds it after the
// application's own newer migrations, and a second CopyInto does nothing.
func TestUpgradeBringsANewMigration(t *testing.T) {
	dir := folder(t, "000001_create_users.up.sql", "000001_create_users.down.sql")
	now := time.Now()
	if _, err := schema.CopyInto(dir, ours(1), now); err != nil {
		t.Fatal(err)
	}
	if missing, err := schema.Missing(dir, ours(1)); len(missing) != 0 || err != nil {
		t.Fatalf("after CopyInto: missing %v, %v", missing, err)
	}
	// The application goes on, then upgrades sessiongen, which brings two
	// new migrations.
	if err := os.WriteFile(filepath.Join(dir, "000003_add_orders.up.sql"), []byte("SELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	missing, err := schema.Missing(dir, ours(3))
	if want := []string{"000002_add_device.up.sql", "000003_add_remember.up.sql"}; !slices.Equal(missing, want) || err != nil {
		t.Fatalf("after the upgrade: missing %v, %v; want %v", missing, err, want)
	}
	written, err := schema.CopyInto(dir, ours(3), now)
	want := []string{"000004_sessiongen_000002_add_device.up.sql", // no down file
		"000005_sessiongen_000003_add_remember.up.sql", "000005_sessiongen_000003_add_remember.down.sql"}
	if !slices.Equal(written, want) || err != nil {
		t.Fatalf("CopyInto wrote %v, %v; want %v", written, err, want)
	}
	body, err := os.ReadFile(filepath.Join(dir, want[0]))
	if err != nil || !strings.HasPrefix(string(body), "-- 000002_add_device.up.sql of github.com/sessiongen/sessiongen/schema") ||
		!strings.HasSuffix(string(body), "-- up 000002_add_device\n") {
		t.Errorf("copied file:\n%s", body)
	}
	if again, err := schema.CopyInto(dir, ours(3), now); len(again) != 0 || err != nil {
		t.Errorf("a second CopyInto wrote %v, %v", again, err)
	}
	if n := len(names(t, dir)); n != 8 {
		t.Errorf("%d files in the folder, want 8: %v", n, names(t, dir))
	}
}
