package e2e

import (
	"bufio"
	"context"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"testing"
	"time"
)

// Bounds for building and starting the example on a loaded machine.
const (
	buildTimeout = 5 * time.Minute
	startTimeout = time.Minute
	stopTimeout  = 15 * time.Second
)

// buildExample builds ../example from the working tree and returns the binary.
func buildExample(t *testing.T) string {
	t.Helper()
	bin := filepath.Join(t.TempDir(), "example")
	ctx, cancel := context.WithTimeout(context.Background(), buildTimeout)
	defer cancel()
	build := exec.CommandContext(ctx, "go", "build", "-o", bin, "./example")
	build.Dir = ".."
	if out, err := build.CombinedOutput(); err != nil {
		t.Fatalf("go build ./example: %v\n%s", err, out)
	}
	return bin
}

// servedURL matches the line the example prints when it is ready.
var servedURL = regexp.MustCompile(`http://127\.0\.0\.1:[0-9]+/`)

// startExample runs the example binary on a free port of 127.0.0.1 against
// dbURL and returns the URL it prints. The app is stopped with SIGINT when the
// test ends, and the test fails if it did not exit cleanly.
func startExample(t *testing.T, bin, dbURL string) string {
	t.Helper()
	cmd := exec.Command(bin, "-addr", "127.0.0.1:0", "-database-url", dbURL)
	stderr := newLogFile(t, "example.stderr")
	cmd.Stderr = stderr.File // an *os.File: the child writes it directly
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	cmd.WaitDelay = stopTimeout
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	firstLine := make(chan string, 1)
	go func() {
		lines := bufio.NewScanner(stdout)
		if lines.Scan() {
			firstLine <- lines.Text()
		}
		_, _ = io.Copy(io.Discard, stdout)
		exited <- cmd.Wait()
	}()
	stop := func() error {
		_ = cmd.Process.Signal(os.Interrupt)
		select {
		case err := <-exited:
			return err
		case <-time.After(stopTimeout):
			_ = cmd.Process.Kill()
			return <-exited
		}
	}

	select {
	case line := <-firstLine:
		base := servedURL.FindString(line)
		if base == "" {
			_ = stop()
			t.Fatalf("the example printed %q, want its URL\n%s", line, stderr)
		}
		t.Cleanup(func() {
			if err := stop(); err != nil {
				t.Errorf("the example did not stop cleanly: %v\n%s", err, stderr)
			}
		})
		return base
	case err := <-exited:
		t.Fatalf("the example exited before serving: %v\n%s", err, stderr)
	case <-time.After(startTimeout):
		_ = stop()
		t.Fatalf("the example printed no URL within %v\n%s", startTimeout, stderr)
	}
	return ""
}

// logFile is where a subprocess writes; the test shows it on failure. A
// file, rather than a buffer, needs no copying goroutine and no lock.
type logFile struct{ *os.File }

// newLogFile creates a log file in the test's temporary directory.
func newLogFile(t *testing.T, name string) logFile {
	t.Helper()
	f, err := os.Create(filepath.Join(t.TempDir(), name))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = f.Close() })
	return logFile{f}
}

// String returns what was written so far.
func (f logFile) String() string {
	b, err := os.ReadFile(f.Name())
	if err != nil {
		return "(" + err.Error() + ")"
	}
	return string(b)
}
