package cli

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestMigrationsCopiesThenChecks: the command copies our migrations into an
// application's folder after its own, then -check passes; before the copy,
// -check lists what is missing and exits 1.
func TestMigrationsCopiesThenChecks(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "000004_create_users.up.sql"), []byte("SELECT 1;\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := cli(t, "migrations", "-engine", "postgres", "-dir", dir, "-check")
	if code != exitFailure || !strings.Contains(out, "missing: 000001_create_sessions.up.sql") ||
		!strings.Contains(errOut, "lacks 1 sessiongen migration; copy them with: sessiongen migrations -engine postgres -dir "+dir) {
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
	if code, _, _ := cli(t, "migrations", "-engine", "sqlite", "-dir", filepath.Join(dir, "nope")); code != exitFailure {
		t.Errorf("a folder that does not exist: exit %d, want 1", code)
	}
}
