package webapp

import (
	"bytes"
	"errors"
	"flag"
	"net"
	"strings"
	"testing"
)

// TestNoPasswordInOutput: the example prints neither the password of
// DATABASE_URL in its help, nor that of -database-url when it cannot connect.
func TestNoPasswordInOutput(t *testing.T) {
	const password = "Pl4nted-Example-Passw0rd"
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "postgres://app:" + password + "@" + l.Addr().String() + "/app?sslmode=disable"
	l.Close()
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
