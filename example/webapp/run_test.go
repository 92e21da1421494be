package webapp

import (
	"bufio"
	"bytes"
	"context"
	"errors"
	"flag"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/sessiongen/sessiongen/internal/testdb"
)

// TestNoPasswordInOutput: the example prints neither the password of
// DATABASE_URL in its help, nor that of -database-url when it cannot connect.
func TestNoPasswordInOutput(t *testing.T) {
	const password = "Pl4nted-Example-Passw0rd"
	closed := "postgres://app:" + password + "@" + testdb.ClosedAddr(t) + "/app?sslmode=disable"
	t.Setenv("DATABASE_URL", closed)

	var stdout, stderr bytes.Buffer
	if err := Run(t.Context(), []string{"-h"}, &stdout, &stderr); !errors.Is(err, flag.ErrHelp) || !strings.Contains(stderr.String(), "-database-url URL") {
		t.Fatalf("-h: %v\n%s", err, stderr.String())
	}
	for _, args := range [][]string{nil, {"-database-url", closed}} {
		err := Run(t.Context(), args, &stdout, &stderr)
		if err == nil || !strings.Contains(err.Error(), "connection refused") {
			t.Fatalf("run %v: %v, want connection refused", args, err)
		}
		if out := stdout.String() + stderr.String() + err.Error(); strings.Contains(out, password) {
			t.Errorf("run %v: output holds the password:\n%s", args, out)
		}
	}
}

// TestRunsOnDATABASE_URL: the example starts on the URL in DATABASE_URL (a
// directory store here), creates what it needs, serves, and stops cleanly.
func TestRunsOnDATABASE_URL(t *testing.T) {
	t.Setenv("DATABASE_URL", dirURL(t))
	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	out, w := io.Pipe()
	done := make(chan error, 1)
	go func() { done <- Run(ctx, []string{"-addr", "127.0.0.1:0"}, w, io.Discard); w.Close() }()
	line, err := bufio.NewReader(out).ReadString('\n')
	if err != nil || !strings.Contains(line, "sessions in dir://") || !strings.HasSuffix(strings.TrimSpace(line), ", dir)") {
		t.Fatalf("first line %q, %v; want the URL and the directory store", line, err)
	}
	go func() { _, _ = io.Copy(io.Discard, out) }()
	url := strings.Fields(line)[2]
	resp, err := http.Get(url)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("GET %s: %s", url, resp.Status)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatalf("Run after shutdown: %v", err)
	}
}

// TestRefusesABadClientIPHeader: a -client-ip-header that is no header name
// stops the example at startup with the manager's reason, before it listens.
func TestRefusesABadClientIPHeader(t *testing.T) {
	var stdout bytes.Buffer
	err := Run(t.Context(), []string{"-addr", "127.0.0.1:0", "-database-url", dirURL(t), "-client-ip-header", "X-Forwarded-For: 1.2.3.4"}, &stdout, io.Discard)
	if err == nil || !strings.Contains(err.Error(), "ClientIPHeader") {
		t.Fatalf("Run = %v; want the manager's refusal of ClientIPHeader", err)
	}
	if stdout.Len() != 0 {
		t.Fatalf("it served anyway: %q", stdout.String())
	}
}
