package cli

import (
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/schema"
)

// TestMigrationsCopiesThenChecks: the command copies our migrations into an
// application's folder after its own, then -check passes; before the copy,
// -check lists what is missing and exits 1.
func TestMigrationsCopiesThenChecks(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "000004_create_users.up.sql"), []byte("SELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	ours, err := fs.Glob(schema.Postgres(), "*.up.sql")
	if err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "migrations", "-engine", "postgres", "-dir", dir, "-check")
	if code != exitFailure || strings.Count(out, "missing: ") != len(ours) || !strings.Contains(out, "missing: 000001_create_sessions.up.sql") ||
		!strings.Contains(errOut, "lacks "+count(int64(len(ours)), "sessiongen migration")+"; copy them with: sessiongen migrations -engine postgres -dir "+dir) {
		t.Fatalf("-check before copying: exit %d\nstdout %s\nstderr %s", code, out, errOut)
	}
	out = mustCLI(t, "migrations", "-engine", "postgres", "-dir", dir)
	if want := "wrote " + filepath.Join(dir, "000005_sessiongen_000001_create_sessions.up.sql"); !strings.Contains(out, want) {
		t.Errorf("copy printed %q, want %q", out, want)
	}
	if out := mustCLI(t, "migrations", "-engine", "postgres", "-dir", dir, "-check"); !strings.Contains(out, "has every sessiongen migration") {
		t.Errorf("-check after copying printed %q", out)
	}
	if out := mustCLI(t, "migrations", "-engine", "postgres", "-dir", dir); !strings.Contains(out, "nothing to copy") {
		t.Errorf("a second copy printed %q", out)
	}
	for _, args := range [][]string{{"-dir", dir}, {"-engine", "oracle", "-dir", dir}, {"-engine", "sqlite"}, {"-engine", "sqlite", "-dir", dir, "extra"}} {
		if code, _, errOut := cli(t, append([]string{"migrations"}, args...)...); code != exitUsage || !strings.Contains(errOut, "usage: sessiongen migrations") {
			t.Errorf("migrations %v: exit %d, stderr %q; want usage", args, code, errOut)
		}
	}
	for _, engine := range []string{"mysql", "sqlite"} {
		other := t.TempDir()
		if out := mustCLI(t, "migrations", "-engine", engine, "-dir", other); !strings.Contains(out, "000001_sessiongen_000001_") {
			t.Errorf("-engine %s into an empty folder printed %q", engine, out)
		}
	}
	if code, _, _ := cli(t, "migrations", "-engine", "sqlite", "-dir", filepath.Join(dir, "nope")); code != exitFailure {
		t.Errorf("a folder that does not exist: exit %d, want 1", code)
	}
}
