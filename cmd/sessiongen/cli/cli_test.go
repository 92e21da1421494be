package cli

import (
	"bytes"
	"context"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sessiongen/sessiongen/internal/testdb"
	"github.com/sessiongen/sessiongen/storeurl"
)

// runMainEnv makes the test binary run sessiongen's main instead of the
// tests: runProcess runs the CLI as a process of its own that way, without
// building it.
const runMainEnv = "SESSIONGEN_TEST_RUN_MAIN"

func TestMain(m *testing.M) {
	if os.Getenv(runMainEnv) == "1" {
		main()
	}
	testdb.Main(m)
}

// runProcess runs sessiongen as its own process with env added to the
// environment, and returns its exit code and everything it wrote (stdout,
// then stderr).
func runProcess(t *testing.T, env []string, args ...string) (code int, output string) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], args...)
	cmd.Env = append(append(os.Environ(), runMainEnv+"=1"), env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err := cmd.Run()
	var exit *exec.ExitError
	if err != nil && !errors.As(err, &exit) {
		t.Fatalf("sessiongen %s: %v", strings.Join(args, " "), err)
	}
	return cmd.ProcessState.ExitCode(), out.String() + errOut.String()
}

// cli runs sessiongen in-process and returns its exit code and output.
func cli(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code = run(args, &out, &errOut)
	return code, out.String(), errOut.String()
}

// mustCLI runs sessiongen and fails t unless it exits 0.
func mustCLI(t *testing.T, args ...string) string {
	t.Helper()
	code, out, errOut := cli(t, args...)
	if code != exitOK {
		t.Fatalf("sessiongen %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out
}

// forEachDatabase runs test in parallel against a fresh, empty database of
// each kind, named by URL as an operator would.
func forEachDatabase(t *testing.T, test func(t *testing.T, url string)) {
	databases := map[string]func(t *testing.T) string{
		"postgres": func(t *testing.T) string { return testdb.New(t) },
		"mysql":    func(t *testing.T) string { return "mysql://" + testdb.MySQLDSN(t) },
		"sqlite":   func(t *testing.T) string { return "sqlite://" + filepath.Join(t.TempDir(), "sessions.db") },
		"dir":      func(t *testing.T) string { return "dir://" + filepath.Join(t.TempDir(), "sessions") },
	}
	for name, newURL := range databases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			test(t, newURL(t))
		})
	}
}

// migrated migrates url's database through the CLI and opens it for seeding
// and checking.
func migrated(t *testing.T, url string) *storeurl.DB {
	t.Helper()
	mustCLI(t, "migrate", "-database-url", url, "up")
	db, err := storeurl.Open(t.Context(), url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

// mustCLIErr is mustCLI returning stderr too.
func mustCLIErr(t *testing.T, args ...string) (stdout, stderr string) {
	t.Helper()
	code, out, errOut := cli(t, args...)
	if code != exitOK {
		t.Fatalf("sessiongen %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), code, out, errOut)
	}
	return out, errOut
}
