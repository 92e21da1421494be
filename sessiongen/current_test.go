package sessiongen

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestCommittedFilesCurrent regenerates the committed fixtures in memory and
// compares: `go generate ./...` must leave the tree unchanged. It also shows
// that the output is deterministic and does not depend on the generated files
// already present.
func TestCommittedFilesCurrent(t *testing.T) {
	for _, c := range []struct {
		dir   string
		types []string
	}{
		{"internal/fixture", []string{"Visitor"}},
		{"internal/fixture", []string{"VisitorV1", "VisitorV2"}},
	} {
		outs, err := Generate(Config{Dir: c.dir, Types: c.types})
		if err != nil {
			t.Fatal(err)
		}
		for _, o := range outs {
			committed, err := os.ReadFile(o.Path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(committed, o.Source) {
				t.Errorf("%s is stale: run go generate ./%s", o.Path, filepath.ToSlash(c.dir))
			}
		}
	}
}

func TestWriteKeepsBrokenOutput(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x_session.go")
	fe := &FormatError{Path: path, Raw: []byte("package x\nfunc {"), Err: os.ErrInvalid}
	if err := Write(nil, fe); err != fe {
		t.Fatalf("Write returned %v, want the format error", err)
	}
	raw, err := os.ReadFile(path + ".broken")
	if err != nil || string(raw) != string(fe.Raw) {
		t.Fatalf("broken output: %q, %v", raw, err)
	}
	if _, err := os.Stat(path); !os.IsNotExist(err) {
		t.Fatalf("the target was written despite the error: %v", err)
	}
}

func TestSnakeCase(t *testing.T) {
	for in, want := range map[string]string{
		"Name": "name", "UserID": "user_id", "HTTPServer": "http_server", "CartItems": "cart_items",
		"ID": "id", "URL2": "url2", "Name2FA": "name2_fa", "lowerCase": "lower_case", "A": "a",
	} {
		if got := SnakeCase(in); got != want {
			t.Errorf("SnakeCase(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestTooManyFields(t *testing.T) {
	var src bytes.Buffer
	src.WriteString("package app\n\ntype Big struct {\n")
	for i := range 257 {
		fmt.Fprintf(&src, "\tF%d int\n", i)
	}
	src.WriteString("}\n")
	dir := t.TempDir()
	writeFile(t, filepath.Join(dir, "go.mod"), []byte("module example.com/app\n\ngo 1.26\n"))
	writeFile(t, filepath.Join(dir, "big.go"), src.Bytes())
	_, err := Generate(Config{Dir: dir, Types: []string{"Big"}})
	if err == nil || !strings.Contains(err.Error(), "257 encoded fields, more than the 256") {
		t.Fatalf("got %v", err)
	}
}
