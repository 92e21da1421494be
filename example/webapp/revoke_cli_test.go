package webapp

import (
	"context"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testdb"
)

// buildTimeout bounds building the CLI on a loaded machine.
const buildTimeout = 5 * time.Minute

// TestCLIRevokeLogsOutExampleSessions is issue 6's "sessions revoke really
// logs the user out of the example app's sessions": two browsers log in as
// the same user, the real CLI binary revokes that user from another process,
// and both browsers are anonymous on their next request, while another user
// stays logged in.
func TestCLIRevokeLogsOutExampleSessions(t *testing.T) {
	cli := buildCLI(t)
	databases := map[string]func(*testing.T) string{
		"sqlite":   sqliteURL,
		"dir":      dirURL,
		"postgres": func(t *testing.T) string { return testdb.New(t) },
		"mysql":    mysqlURL,
	}
	for name, newURL := range databases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			dbURL := newURL(t)
			srv := serveApp(t, openDB(t, dbURL))
			laptop, phone, other := newBrowser(t, srv), newBrowser(t, srv), newBrowser(t, srv)
			laptop.login("Carol")
			phone.login("Carol")
			other.login("Dave")

			out := runCLI(t, cli, "sessions", "revoke", "-user", "carol", "-database-url", dbURL)
			if !strings.Contains(out, "revoked 2 sessions") {
				t.Errorf("sessions revoke printed %q, want it to report 2 sessions", out)
			}
			for name, b := range map[string]*browser{"laptop": laptop, "phone": phone} {
				if home := b.get("/"); home.user() != "" {
					t.Errorf("%s is still logged in as %q after the CLI revoked carol", name, home.user())
				}
			}
			if got := other.get("/").user(); got != "Dave" {
				t.Errorf("another user's browser shows user %q after revoking carol, want Dave", got)
			}
		})
	}
}

// buildCLI builds cmd/sessiongen from this working tree.
func buildCLI(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "sessiongen")
	if runtime.GOOS == "windows" {
		bin += ".exe"
	}
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./cmd/sessiongen")
	build.Dir = "../.."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./cmd/sessiongen: %v\n%s", err, out)
	}
	return bin
}

// runCLI runs the CLI binary and returns its output, failing on a non-zero
// exit.
func runCLI(t *testing.T, bin string, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	out, err := exec.CommandContext(ctx, bin, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("sessiongen %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}
